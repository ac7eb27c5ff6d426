package vault

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// TestWrongSecretChangesNothing opens vaults with wrong passphrases and
// recovery codes and checks that every file in the directory is left
// byte for byte as it was.
func TestWrongSecretChangesNothing(t *testing.T) {
	fresh := func(t *testing.T) (string, string) {
		// Created and locked; never opened since.
		v, dir, code := newTestVault(t)
		lockVault(t, v)
		return dir, code
	}
	used := func(t *testing.T) (string, string) {
		// Opened, written, destroyed in and re-keyed several times.
		v, dir, code := newTestVault(t)
		put(t, v, "case-a", "report", "a")
		put(t, v, "case-b", "report", "b")
		lockVault(t, v)
		v = openTestVault(t, dir, testPassphrase)
		if err := v.DestroyNamespaces("case-b"); err != nil {
			t.Fatalf("DestroyNamespaces: %v", err)
		}
		put(t, v, "case-a", "msg/1", "reply")
		if err := v.ChangePassphrase([]byte("second passphrase")); err != nil {
			t.Fatalf("ChangePassphrase: %v", err)
		}
		if err := v.ChangePassphrase([]byte(testPassphrase)); err != nil {
			t.Fatalf("ChangePassphrase: %v", err)
		}
		lockVault(t, v)
		return dir, code
	}
	for _, setup := range []struct {
		name string
		make func(t *testing.T) (dir, code string)
	}{{"fresh", fresh}, {"used", used}} {
		t.Run(setup.name, func(t *testing.T) {
			dir, code := setup.make(t)
			before := treeState(t, dir)
			wrongCode := []byte(code)
			if wrongCode[0] == 'A' {
				wrongCode[0] = 'B'
			} else {
				wrongCode[0] = 'A'
			}
			attempts := []struct {
				name string
				open func() (*Vault, error)
			}{
				{"wrong passphrase", func() (*Vault, error) { return Open(dir, []byte("correct horse "), Options{}) }},
				{"empty passphrase", func() (*Vault, error) { return Open(dir, nil, Options{}) }},
				{"former passphrase", func() (*Vault, error) { return Open(dir, []byte("second passphrase"), Options{}) }},
				{"recovery code as passphrase", func() (*Vault, error) { return Open(dir, []byte(code), Options{}) }},
				{"wrong recovery code", func() (*Vault, error) { return OpenWithRecoveryCode(dir, string(wrongCode), Options{}) }},
				{"short recovery code", func() (*Vault, error) { return OpenWithRecoveryCode(dir, code[:10], Options{}) }},
				{"passphrase as recovery code", func() (*Vault, error) { return OpenWithRecoveryCode(dir, testPassphrase, Options{}) }},
			}
			for _, a := range attempts {
				v, err := a.open()
				if v != nil {
					v.Lock()
				}
				if !errors.Is(err, ErrWrongPassphrase) {
					t.Errorf("%s: got %v, want ErrWrongPassphrase", a.name, err)
				}
				sameTree(t, a.name, treeState(t, dir), before)
			}
			// The right passphrase still works afterwards.
			v := openTestVault(t, dir, testPassphrase)
			mustCheck(t, v)
		})
	}
}

func TestChangePassphrase(t *testing.T) {
	v, dir, code := newTestVault(t)
	put(t, v, "case-a", "report", "kept across the change")
	if err := v.ChangePassphrase([]byte("new passphrase")); err != nil {
		t.Fatalf("ChangePassphrase: got %v, want nil", err)
	}
	// The open vault goes on working, and Check sees the new header.
	mustGet(t, v, "case-a", "report", "kept across the change")
	mustCheck(t, v)
	lockVault(t, v)

	if _, err := Open(dir, []byte(testPassphrase), Options{}); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("Open with old passphrase: got %v, want ErrWrongPassphrase", err)
	}
	v = openTestVault(t, dir, "new passphrase")
	mustGet(t, v, "case-a", "report", "kept across the change")
	mustCheck(t, v)
	if kinds := auditKinds(t, v); !slices.Contains(kinds, "passphrase.change") {
		t.Errorf("audit kinds: got %v, want a passphrase.change entry", kinds)
	}
	lockVault(t, v)
	// The recovery slot is untouched by a passphrase change.
	v, err := OpenWithRecoveryCode(dir, code, Options{})
	if err != nil {
		t.Fatalf("OpenWithRecoveryCode after change: got %v, want nil", err)
	}
	lockVault(t, v)
}

func TestRecoveryCode(t *testing.T) {
	v, dir, code := newTestVault(t)
	lockVault(t, v)
	forms := []struct{ name, code string }{
		{"as shown", code},
		{"lower case", strings.ToLower(code)},
		{"spaces for dashes", strings.ReplaceAll(code, "-", " ")},
		{"no separators", strings.ReplaceAll(code, "-", "")},
		{"surrounding blanks and a newline", "  " + code + "\r\n"},
	}
	for _, f := range forms {
		t.Run(f.name, func(t *testing.T) {
			v, err := OpenWithRecoveryCode(dir, f.code, Options{})
			if err != nil {
				t.Fatalf("OpenWithRecoveryCode(%q): got %v, want nil", f.code, err)
			}
			lockVault(t, v)
		})
	}
	t.Run("then a new passphrase", func(t *testing.T) {
		v, err := OpenWithRecoveryCode(dir, strings.ToLower(code), Options{})
		if err != nil {
			t.Fatalf("OpenWithRecoveryCode: got %v, want nil", err)
		}
		put(t, v, "case-a", "report", "written after recovery")
		if err := v.ChangePassphrase([]byte("chosen after recovery")); err != nil {
			t.Fatalf("ChangePassphrase: got %v, want nil", err)
		}
		lockVault(t, v)
		if _, err := Open(dir, []byte(testPassphrase), Options{}); !errors.Is(err, ErrWrongPassphrase) {
			t.Errorf("Open with forgotten passphrase: got %v, want ErrWrongPassphrase", err)
		}
		v = openTestVault(t, dir, "chosen after recovery")
		mustGet(t, v, "case-a", "report", "written after recovery")
		mustCheck(t, v)
	})
}
