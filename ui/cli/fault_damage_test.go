package cli

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"casebook/internal/faultlog"
)

// TestFaultCheckNamesDamage damages each file of a vault made through the
// command line — a byte flipped, the file cut to half or deleted — and runs
// `casebook check` and `casebook case show` on a copy: each either succeeds
// with the case as written or exits 5 with a sentence that names the
// damaged part; none panics, and no error text holds case content.
func TestFaultCheckNamesDamage(t *testing.T) {
	tl := faultlog.Track(t, "damage", "casebook check on a damaged vault",
		"Each file of a vault made with the commands has a byte flipped, is cut to half or is deleted; casebook check and case show then either succeed with the case as written or exit 5 with a sentence naming the damaged part, and no error text holds case content.")
	e := newCaseEnv(t)
	code := strings.TrimSpace(e.ok("case", "new", "--from", filepath.Join("..", "..", "testdata", "intake", "example.json")))
	e.ok("case", "note", code, "--text", "Synthetic note: Zoë Brandt spoke to the committee")
	shown := e.ok("case", "show", code, "--json")
	pristine := e.dir

	var files []string
	filepath.WalkDir(pristine, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(pristine, p)
			files = append(files, rel)
		}
		return err
	})
	sort.Strings(files)
	// Words of the case that must never appear in an error.
	secrets := []string{"Zoë", "Brandt", "Moreau", "Castellanos", "sarcastic", "tutorials", "spoke to the committee"}

	mutations := []struct {
		name  string
		apply func(path string, data []byte) error
	}{
		{"flip first byte", func(p string, d []byte) error { return flipByte(p, d, 0) }},
		{"flip middle byte", func(p string, d []byte) error { return flipByte(p, d, len(d)/2) }},
		{"truncate to half", func(p string, d []byte) error { return os.Truncate(p, int64(len(d)/2)) }},
		{"delete", func(p string, _ []byte) error { return os.Remove(p) }},
	}
	for _, rel := range files {
		orig, err := os.ReadFile(filepath.Join(pristine, rel))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mutations {
			if len(orig) == 0 && m.name != "delete" {
				continue
			}
			label := rel + ": " + m.name
			work := filepath.Join(t.TempDir(), "v")
			copyDir(t, pristine, work)
			if err := m.apply(filepath.Join(work, rel), orig); err != nil {
				t.Fatal(err)
			}
			e.dir = work
			check := e.run("check")
			show := e.run("case", "show", code, "--json")
			tl.Run()
			for _, r := range []run{check, show} {
				for _, s := range secrets {
					if strings.Contains(r.stderr, s) {
						t.Errorf("%s: error text holds case content %q: %q", label, s, r.stderr)
					}
				}
			}
			switch check.code {
			case ExitOK:
				if show.code != ExitOK || show.stdout != shown {
					t.Errorf("%s: check passed, but case show: exit %d, same output %v; stderr %q", label, show.code, show.stdout == shown, show.stderr)
				}
			case ExitIntegrity:
				if !strings.Contains(check.stderr, "damaged: ") && !strings.Contains(check.stderr, "The vault is damaged (") {
					t.Errorf("%s: check exit 5 with %q, want the damaged part named", label, check.stderr)
				}
				if show.code == ExitOK && show.stdout != shown {
					t.Errorf("%s: case show on a damaged vault showed something other than the case written", label)
				}
			default:
				t.Errorf("%s: check: exit %d (stderr %q), want 0 or %d", label, check.code, check.stderr, ExitIntegrity)
			}
		}
	}
}

func flipByte(path string, data []byte, i int) error {
	d := append([]byte(nil), data...)
	d[i] ^= 0x41
	return os.WriteFile(path, d, 0o600)
}

// copyDir copies the directory tree src to dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o700)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}
