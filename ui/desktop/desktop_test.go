package desktop

import (
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"casebook/vault"
)

func TestMain(m *testing.M) {
	vault.UseLowCostKDFForTesting()
	os.Exit(m.Run())
}

// fixedVaultDir is the vault location drawn in the markup snapshots, so
// that they do not depend on the machine or the run.
const fixedVaultDir = "/home/member/.local/share/casebook"

// createVault makes a vault in dir and locks it again.
func createVault(t *testing.T, dir string) {
	t.Helper()
	v, _, err := vault.Create(dir, []byte("correct horse battery staple"), vault.Options{Actor: "test"})
	if err != nil {
		t.Fatalf("vault.Create: %v", err)
	}
	if err := v.Lock(); err != nil {
		t.Fatalf("Lock: %v", err)
	}
}

func TestShow(t *testing.T) {
	a := test.NewTempApp(t)
	dir := t.TempDir()

	w := Show(a, dir)
	t.Cleanup(w.Close)

	if got, want := w.Title(), "Casebook"; got != want {
		t.Errorf("title: got %q, want %q", got, want)
	}
	if got, want := w.Canvas().Size(), fyne.NewSize(900, 600); got != want {
		t.Errorf("size: got %v, want %v", got, want)
	}
	if w.Content() == nil {
		t.Fatal("window has no content")
	}
}

func TestPlaceholderLabels(t *testing.T) {
	tests := []struct {
		name       string
		setup      func(t *testing.T) string
		wantStatus string
	}{
		{
			name:       "empty directory",
			setup:      func(t *testing.T) string { return t.TempDir() },
			wantStatus: vaultMissingText,
		},
		{
			name:       "missing directory",
			setup:      func(t *testing.T) string { return filepath.Join(t.TempDir(), "casebook") },
			wantStatus: vaultMissingText,
		},
		{
			name: "vault",
			setup: func(t *testing.T) string {
				dir := filepath.Join(t.TempDir(), "vault")
				createVault(t, dir)
				return dir
			},
			wantStatus: vaultFoundText,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			test.NewTempApp(t)
			dir := tt.setup(t)

			s := newPlaceholder(dir)
			test.NewTempWindow(t, s.build())

			if got := s.location.Text; got != dir {
				t.Errorf("location: got %q, want %q", got, dir)
			}
			if got := s.status.Text; got != tt.wantStatus {
				t.Errorf("status: got %q, want %q", got, tt.wantStatus)
			}
		})
	}
}

func TestPlaceholderSaysWhatCasebookIs(t *testing.T) {
	test.NewTempApp(t)
	s := newPlaceholder(t.TempDir())
	w := test.NewTempWindow(t, s.build())

	texts := map[string]bool{}
	for _, o := range test.LaidOutObjects(w.Content()) {
		if l, ok := o.(*widget.Label); ok {
			texts[l.Text] = true
		}
	}
	for _, want := range []string{"Casebook", aboutText, commandsText} {
		if !texts[want] {
			t.Errorf("no label reads %q", want)
		}
	}
}

func TestCheckAgainFindsNewVault(t *testing.T) {
	test.NewTempApp(t)
	dir := filepath.Join(t.TempDir(), "vault")
	s := newPlaceholder(dir)
	test.NewTempWindow(t, s.build())
	if got := s.status.Text; got != vaultMissingText {
		t.Fatalf("before init: got %q, want %q", got, vaultMissingText)
	}

	createVault(t, dir)
	test.Tap(s.checkAgain)

	if got := s.status.Text; got != vaultFoundText {
		t.Errorf("after Check again: got %q, want %q", got, vaultFoundText)
	}
}

func TestPlaceholderMarkup(t *testing.T) {
	tests := []struct {
		name   string
		exists bool
		master string
	}{
		{name: "no vault", exists: false, master: "placeholder.xml"},
		{name: "vault", exists: true, master: "placeholder_vault.xml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			test.NewTempApp(t)
			s := &placeholder{
				vaultDir: fixedVaultDir,
				exists:   func(string) bool { return tt.exists },
			}
			w := test.NewTempWindow(t, s.build())
			w.Resize(windowSize)

			test.AssertRendersToMarkup(t, tt.master, w.Canvas())
		})
	}
}
