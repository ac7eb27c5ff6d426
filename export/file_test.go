package export

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"casebook/app"
)

func TestWriteFile(t *testing.T) {
	errBoom := errors.New("boom")
	tests := []struct {
		name     string
		existing string // content of the file before, "" for none
		write    func(w io.Writer) error
		wantErr  error
		want     string // content after
	}{
		{"new file", "", func(w io.Writer) error { _, err := io.WriteString(w, "hello"); return err }, nil, "hello"},
		{"replaces a file whole", "old", func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }, nil, "new"},
		{"a failed write leaves no file", "", func(w io.Writer) error { io.WriteString(w, "half"); return errBoom }, errBoom, ""},
		{"a failed write keeps the old file", "old", func(w io.Writer) error { io.WriteString(w, "half"); return errBoom }, errBoom, "old"},
		{"a full disk is named", "", func(w io.Writer) error {
			return fmt.Errorf("write: %w", syscall.ENOSPC)
		}, ErrNoSpace, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out.pdf")
			if tc.existing != "" {
				if err := os.WriteFile(path, []byte(tc.existing), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			err := WriteFile(path, 0o600, tc.write)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Fatalf("got error %v, want %v", err, tc.wantErr)
			}
			got, rerr := os.ReadFile(path)
			if tc.want == "" {
				if !errors.Is(rerr, os.ErrNotExist) {
					t.Fatalf("got a file with %q, want none", got)
				}
			} else if string(got) != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			entries, _ := os.ReadDir(dir)
			wantFiles := 0
			if tc.want != "" {
				wantFiles = 1
			}
			if len(entries) != wantFiles {
				t.Fatalf("got %d files in the directory, want %d (no temporary file left)", len(entries), wantFiles)
			}
		})
	}
}

func TestWriteFileUnwritableDirectory(t *testing.T) {
	err := WriteFile(filepath.Join(t.TempDir(), "missing", "out"), 0o600, func(io.Writer) error { return nil })
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("got %v, want a not-exist error", err)
	}
}

// TestExportsRemoveStalePartials checks that writing an export, a file or
// an archive, removes from the folder what an export a crash cut short
// left there, once it is old enough that no export can still be writing
// it, and nothing else: not a young one, not a name Casebook does not
// make, not a symbolic link.
func TestExportsRemoveStalePartials(t *testing.T) {
	old := time.Now().Add(-2 * stalePartialAge)
	exports := []struct {
		name  string
		write func(t *testing.T, dir string) error
	}{
		{"a file", func(t *testing.T, dir string) error {
			return WriteFile(filepath.Join(dir, "update.pdf"), 0o600, func(w io.Writer) error {
				_, err := io.WriteString(w, "%PDF")
				return err
			})
		}},
		{"an archive", func(t *testing.T, dir string) error {
			d := app.Demo(app.DemoOptions{Cases: 10, Seed: 4, Now: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)})
			a, err := BuildArchive(ArchiveInput{Cases: d.Cases}, ArchiveOptions{Seed: ptr(uint64(1))})
			if err != nil {
				t.Fatal(err)
			}
			return WriteArchive(filepath.Join(dir, "archive"), a, PDFOptions{})
		}},
	}
	for _, ex := range exports {
		t.Run(ex.name, func(t *testing.T) {
			dir := t.TempDir()
			mk := func(name string, isDir bool, when time.Time) string {
				p := filepath.Join(dir, name)
				if isDir {
					if err := os.Mkdir(p, 0o700); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(filepath.Join(p, "cases.jsonl"), []byte("part of an archive"), 0o600); err != nil {
						t.Fatal(err)
					}
				} else if err := os.WriteFile(p, []byte("part of a report"), 0o600); err != nil {
					t.Fatal(err)
				}
				if err := os.Chtimes(p, when, when); err != nil {
					t.Fatal(err)
				}
				return name
			}
			gone := []string{
				mk(".update-Robin.pdf.partial-123456", false, old),
				mk(".archive-2026.partial-42", true, old),
			}
			// A directory named like a staging one but holding a folder
			// is not one of ours.
			nested := mk(".photos.partial-2024", true, old)
			if err := os.Mkdir(filepath.Join(dir, nested, "album"), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(filepath.Join(dir, nested), old, old); err != nil {
				t.Fatal(err)
			}
			kept := []string{
				mk(".update-Sam.pdf.partial-654321", false, time.Now()), // still being written
				mk(".notes.partial-12x", false, old),
				mk("draft.partial-1", false, old),
				mk(".partial-7", false, old),
				mk(".long.partial-12345678901", false, old),
				nested,
			}
			// A link named like a partial file, old: not ours. (Where
			// links cannot be made or dated, there is none.)
			if link := filepath.Join(dir, ".link.pdf.partial-9"); os.Symlink(filepath.Join(t.TempDir(), "elsewhere"), link) == nil && backdateLink(link, old) == nil {
				kept = append(kept, ".link.pdf.partial-9")
			}
			forgetSweep(dir)

			if err := ex.write(t, dir); err != nil {
				t.Fatalf("export: %v", err)
			}
			for _, name := range gone {
				if _, err := os.Lstat(filepath.Join(dir, name)); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("%s: got %v, want it removed", name, err)
				}
			}
			for _, name := range kept {
				if _, err := os.Lstat(filepath.Join(dir, name)); err != nil {
					t.Errorf("%s: got %v, want it kept", name, err)
				}
			}
		})
	}
}

func forgetSweep(dir string) {
	partialSweeps.Lock()
	defer partialSweeps.Unlock()
	delete(partialSweeps.last, dir)
}

// TestExportsSweepAFolderOnceAMinute checks that a batch of exports into
// one folder reads it once: a stale partial file that appears after the
// first export is left to a sweep a minute later.
func TestExportsSweepAFolderOnceAMinute(t *testing.T) {
	dir := t.TempDir()
	forgetSweep(dir)
	write := func(name string) {
		t.Helper()
		if err := WriteFile(filepath.Join(dir, name), 0o600, func(w io.Writer) error {
			_, err := io.WriteString(w, "%PDF")
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	write("one.pdf")
	stale := filepath.Join(dir, ".two.pdf.partial-99")
	if err := os.WriteFile(stale, []byte("part of a report"), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * stalePartialAge)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	write("two.pdf")
	if _, err := os.Stat(stale); err != nil {
		t.Fatalf("within the minute: %v, want the partial file left", err)
	}
	partialSweeps.Lock()
	partialSweeps.last[dir] = time.Now().Add(-2 * time.Minute)
	partialSweeps.Unlock()
	write("three.pdf")
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a minute later: %v, want the partial file removed", err)
	}
}
