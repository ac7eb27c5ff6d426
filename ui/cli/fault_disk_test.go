package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"casebook/app"
	"casebook/export"
	"casebook/internal/faultlog"
	"casebook/internal/fullfs"
	"casebook/vault"
)

// TestDescribeDiskFull checks the one sentence the command line gives a
// full disk, however the error reached it.
func TestDescribeDiskFull(t *testing.T) {
	w := &fullfs.Writer{Limit: 10}
	_, werr := w.Write(make([]byte, 20))
	for _, err := range []error{
		fmt.Errorf("write: %w", vault.ErrNoSpace),
		fmt.Errorf("write the bundle x.casebook: %w: %w", export.ErrNoSpace, syscall.ENOSPC),
		&os.PathError{Op: "write", Path: "/media/usb/report.pdf", Err: syscall.ENOSPC},
		fmt.Errorf("sync: %w", syscall.EDQUOT),
		werr,
	} {
		msg, code := describe(err, "/vault")
		if code != ExitError || !strings.HasPrefix(msg, "The disk is full: ") || strings.Contains(msg, "\n") {
			t.Errorf("describe(%v): got %d %q, want exit %d and one sentence beginning \"The disk is full: \"", err, code, msg, ExitError)
		}
	}
	msg, _ := describe(&app.PartialImportError{Imported: 1, Total: 3, Err: fmt.Errorf("%w: %w", vault.ErrNoSpace, syscall.ENOSPC)}, "/vault")
	if want := "The disk is full: the import stopped after 1 of the bundle's 3 cases"; !strings.HasPrefix(msg, want) || strings.Contains(msg, "nothing was changed") {
		t.Errorf("partial import on a full disk: got %q, want it to begin %q and not claim nothing changed", msg, want)
	}
	msg, _ = describe(&app.PartialImportError{Imported: 0, Total: 1, Begun: true, Err: fmt.Errorf("%w: %w", vault.ErrNoSpace, syscall.ENOSPC)}, "/vault")
	if want := "The disk is full: the import stopped after part of the bundle's first case, which is not in your vault until the import is finished"; !strings.HasPrefix(msg, want) || strings.Contains(msg, "nothing was changed") {
		t.Errorf("import stopped part-way through a long case on a full disk: got %q, want it to begin %q and not claim nothing changed", msg, want)
	}
	msg, _ = describe(&app.PartialImportError{Imported: 2, Total: 3, Err: vault.ErrInUse}, "/vault")
	if !strings.HasPrefix(msg, "The import stopped after 2 of the bundle's 3 cases") {
		t.Errorf("partial import: got %q", msg)
	}
	msg, code := describe(&app.PartialImportError{Imported: 2, Total: 3, Err: &vault.CorruptError{Record: "case.x/msg.1", Err: errors.New("altered")}}, "/vault")
	if want := "The import stopped after 2 of the bundle's 3 cases, each of those whole: the vault is damaged"; !strings.HasPrefix(msg, want) ||
		strings.Contains(msg, "nothing was changed") || code != ExitIntegrity {
		t.Errorf("partial import on damage: got %d %q, want exit %d, beginning %q, and not claiming nothing changed", code, msg, ExitIntegrity, want)
	}
}

// TestFaultDiskFullCommands runs the commands that write files — backup,
// a PDF report, a bundle export — with their target on a full tmpfs, and a
// bundle import into a vault on a full tmpfs: each fails with the disk-full
// sentence, leaves no file (whole or partial) at its destination, and
// leaves the vault intact.
func TestFaultDiskFullCommands(t *testing.T) {
	rounds := faultlog.Runs(1, 5)
	tl := faultlog.Track(t, "disk", "full disk during backup, PDF export, bundle export and import",
		"casebook backup, report case and bundle export with their file on a full tmpfs (no byte free, and a few KiB free so that the write stops part-way), and bundle import into a vault on a full tmpfs: each exits 1 with the disk-full sentence, leaves no file at its destination, and the vault checks clean and is unchanged.")
	out, ok, why := fullfs.Mount(t, 4<<20)
	if !ok {
		t.Skip(why)
	}
	p := newBundlePair(t)
	a, h := p.amara, p.henrik
	code := strings.TrimSpace(a.ok("case", "new", "--from", filepath.Join("..", "..", "testdata", "intake", "example.json")))
	for i := range 40 {
		a.ok("case", "note", code, "--text", fmt.Sprintf("Synthetic note %d: %s", i, strings.Repeat("the committee met and talked ", 60)))
	}
	code2 := strings.TrimSpace(a.ok("case", "new", "--from", filepath.Join("..", "..", "testdata", "intake", "example.json")))
	bundle := p.path("two.casebook")
	a.ok("bundle", "export", code, code2, "--to", "Henrik Lund", "--out", bundle)

	diskFull := func(what string, r run) {
		t.Helper()
		if r.code != ExitError || !strings.HasPrefix(r.stderr, "The disk is full: ") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("%s: got exit %d %q, want exit %d and the one disk-full sentence", what, r.code, r.stderr, ExitError)
		}
	}
	onlyFiller := func(what string) {
		t.Helper()
		entries, err := os.ReadDir(out)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Name() != "filler" {
				t.Errorf("%s: %s left on the full disk, want no file", what, e.Name())
			}
		}
	}
	before := a.state()
	for round := range rounds {
		for _, leave := range []int64{0, 8 << 10} {
			filler := fullfs.Fill(t, out, leave)
			for _, c := range []struct {
				name string
				args []string
			}{
				{"backup", []string{"backup", filepath.Join(out, "vault.backup")}},
				{"report case", []string{"report", "case", code, "--out", filepath.Join(out, "case.pdf")}},
				{"bundle export", []string{"bundle", "export", code, "--to", "Henrik Lund", "--out", filepath.Join(out, "one.casebook")}},
			} {
				what := fmt.Sprintf("round %d, %d bytes free: %s", round, leave, c.name)
				diskFull(what, a.run(c.args...))
				onlyFiller(what)
				tl.Run()
			}
			os.Remove(filler)
		}
	}
	a.ok("check")
	// The vault holds what it held; the audit log adds only that bundles
	// were attempted and failed, which is deliberate.
	for _, l := range strings.Split(lineDiff(before, a.state()), "\n") {
		if l != "" && !strings.Contains(l, `"kind":"bundle.export"`) && !strings.Contains(l, `"kind":"bundle.export-failed"`) {
			t.Errorf("the commands that failed on a full disk changed the vault: %s", l)
		}
	}
	if n := strings.Count(a.ok("audit", "--json"), `"kind":"bundle.export-failed"`); n != 2*rounds {
		t.Errorf("audit: %d failed bundle exports recorded, want %d", n, 2*rounds)
	}

	// Import into a vault on a full disk.
	reserve := vault.DiskReserve()
	mnt, ok, why := fullfs.Mount(t, reserve+128<<20)
	if !ok {
		t.Skip(why)
	}
	hdir := filepath.Join(mnt, "henrik")
	copyDir(t, h.dir, hdir)
	h.dir = hdir
	hBefore := h.state()
	for round := range rounds {
		// No room to open; room to open (the vault keeps DiskReserve free
		// for its storage engine) but not to write the cases.
		for _, leave := range []int64{0, reserve / 2, reserve + 48<<10} {
			filler := fullfs.Fill(t, mnt, leave)
			r := h.run("bundle", "import", bundle)
			os.Remove(filler)
			diskFull(fmt.Sprintf("round %d, %d bytes free: bundle import", round, leave), r)
			if h.state() != hBefore {
				t.Fatalf("round %d: a refused import changed the vault", round)
			}
			tl.Run()
		}
	}
	h.ok("check")
	if got := h.ok("bundle", "import", bundle); !strings.Contains(got, "added") {
		t.Errorf("import with room: got %q", got)
	}
}

// failingStorage is app.Storage that fails every Update after the first
// allow ones with a full disk.
type failingStorage struct {
	app.Storage
	allow int
}

func (f *failingStorage) Update(fn func(*vault.Tx) error) error {
	if f.allow <= 0 {
		return fmt.Errorf("%w: %w", vault.ErrNoSpace, syscall.ENOSPC)
	}
	f.allow--
	return f.Storage.Update(fn)
}

// TestFaultDiskFullMidImport fills the disk between two cases of one
// bundle (an injected fault: the vault fails its writes with ErrNoSpace
// after the first case): the error says how far the import got, and
// importing again once there is room takes only the rest.
func TestFaultDiskFullMidImport(t *testing.T) {
	tl := faultlog.Track(t, "disk", "full disk between the cases of a bundle import",
		"A bundle of two cases is imported into a vault that fails its writes with the disk-full error after the first case: the error names how many cases are in, each whole, and importing again with room takes the second without doubling the first.")
	p := newBundlePair(t)
	a, h := p.amara, p.henrik
	code := strings.TrimSpace(a.ok("case", "new", "--from", filepath.Join("..", "..", "testdata", "intake", "example.json")))
	code2 := strings.TrimSpace(a.ok("case", "new", "--from", filepath.Join("..", "..", "testdata", "intake", "example.json")))
	bundle := p.path("two.casebook")
	a.ok("bundle", "export", code, code2, "--to", "Henrik Lund", "--out", bundle)

	v, err := vault.Open(h.dir, []byte(goodPass), vault.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := app.OpenStore(&failingStorage{Storage: v, allow: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(bundle)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.ImportBundle(f)
	f.Close()
	var partial *app.PartialImportError
	if !errors.As(err, &partial) || partial.Imported != 1 || partial.Total != 2 || !errors.Is(err, vault.ErrNoSpace) {
		t.Fatalf("import with the disk full after one case: got %v, want a PartialImportError after 1 of 2 cases wrapping ErrNoSpace", err)
	}
	if err := v.Lock(); err != nil {
		t.Fatal(err)
	}
	tl.Run()
	r := h.run("case", "list", "--json")
	if strings.Count(r.stdout, `"code"`) != 1 {
		t.Fatalf("after the partial import: case list %s, want one case", r.stdout)
	}
	h.ok("bundle", "import", bundle)
	r = h.run("case", "list", "--json")
	if n := strings.Count(r.stdout, `"code"`); n != 2 {
		t.Errorf("after importing again: %d cases, want 2", n)
	}
	h.ok("check")
}

// lineDiff lists the lines of b that are not in a.
func lineDiff(a, b string) string {
	have := map[string]bool{}
	for _, l := range strings.Split(a, "\n") {
		have[l] = true
	}
	var out []string
	for _, l := range strings.Split(b, "\n") {
		if !have[l] {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestDescribeTooBig checks the sentence for a write larger than the vault
// takes at once, alone and when it stopped a bundle's import.
func TestDescribeTooBig(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{fmt.Errorf("import mail: %w", vault.ErrTooBig), "That is more than the vault takes in one write (4.8 MiB, attachments over 64 KiB aside); nothing was changed."},
		{&app.PartialImportError{Imported: 2, Total: 5, Err: fmt.Errorf("case 3: %w", vault.ErrTooBig)},
			"The import stopped after 2 of the bundle's 5 cases, each of those whole: the next case is more than the vault takes in one write (4.8 MiB, attachments over 64 KiB aside)."},
		{fmt.Errorf("import bundle: %w: %w: one of 70 MiB", vault.ErrTooBig, vault.ErrRecordTooBig), "That holds a record of more than the vault keeps in one (64.0 MiB); nothing was changed."},
		{&app.PartialImportError{Imported: 2, Total: 5, Err: fmt.Errorf("case 3: %w: %w", vault.ErrTooBig, vault.ErrRecordTooBig)},
			"The import stopped after 2 of the bundle's 5 cases, each of those whole: the next case holds a record of more than the vault keeps in one (64.0 MiB)."},
	}
	for _, tt := range tests {
		if got, code := describe(tt.err, "/vault"); got != tt.want || code != ExitError {
			t.Errorf("describe(%v):\ngot  %d %q\nwant %d %q", tt.err, code, got, ExitError, tt.want)
		}
	}
}
