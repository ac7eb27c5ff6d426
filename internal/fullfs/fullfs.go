// Package fullfs gives fault tests a small file system that can be filled
// up: a real tmpfs of a chosen size where the test may mount one (as root,
// or in a user and mount namespace), and otherwise a writer that fails with
// ENOSPC, for the code that writes through an io.Writer.
package fullfs

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Mount mounts a tmpfs of size bytes on a new temporary directory and
// unmounts it when the test ends. ok is false, with the reason, where
// mounting is not permitted (not root, or no mount namespace).
func Mount(t testing.TB, size int64) (dir string, ok bool, why string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "tmpfs")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := mount(dir, size); err != nil {
		return "", false, fmt.Sprintf("cannot mount a tmpfs here: %v", err)
	}
	t.Cleanup(func() {
		if err := unmount(dir); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir, true, ""
}

// Fill writes a file named filler in dir until the file system is full,
// leaving at most leave bytes free (0 for none), and returns its path.
// Removing it frees the space again.
func Fill(t testing.TB, dir string, leave int64) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatalf("fill: %v", err)
	}
	defer f.Close()
	block := make([]byte, 64<<10)
	for {
		free := Free(t, dir)
		if free <= leave {
			return path
		}
		n := int64(len(block))
		if leave > 0 && free-leave < n {
			n = free - leave
		}
		if _, err := f.Write(block[:n]); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				return path
			}
			t.Fatalf("fill: %v", err)
		}
	}
}

// Writer is an io.Writer that takes Limit bytes and then fails every write
// with ENOSPC, as a file on a full disk does.
type Writer struct {
	W     io.Writer // where the bytes that fit go; nil discards them
	Limit int64
	n     int64
}

// Write implements io.Writer.
func (w *Writer) Write(p []byte) (int, error) {
	room := w.Limit - w.n
	if room <= 0 {
		return 0, &os.PathError{Op: "write", Path: "full disk", Err: syscall.ENOSPC}
	}
	short := int64(len(p)) > room
	if short {
		p = p[:room]
	}
	n := len(p)
	if w.W != nil {
		var err error
		if n, err = w.W.Write(p); err != nil {
			return n, err
		}
	}
	w.n += int64(n)
	if short {
		return n, &os.PathError{Op: "write", Path: "full disk", Err: syscall.ENOSPC}
	}
	return n, nil
}
