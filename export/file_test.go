package export

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
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
