package export

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"unicode/utf8"
)

// ErrNoSpace means the disk filled up while writing; no file was left.
var ErrNoSpace = errors.New("no space left on the disk")

// WriteFile writes a file at path through write, so that the file appears
// only once it is complete: the bytes go to a temporary file in the same
// directory, which is synced and then renamed over path. On any error,
// including a full disk or a panic in write, no partial file is left and an
// existing file at path is untouched.
func WriteFile(path string, perm os.FileMode, write func(w io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+tempBase(filepath.Base(path))+".partial-*")
	if err != nil {
		return diskError(err)
	}
	tmp := f.Name()
	done := false
	defer func() {
		if !done {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(perm); err != nil {
		return diskError(err)
	}
	if err := write(f); err != nil {
		return diskError(err)
	}
	if err := f.Sync(); err != nil {
		return diskError(err)
	}
	if err := f.Close(); err != nil {
		return diskError(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return diskError(err)
	}
	done = true
	if d, err := os.Open(dir); err == nil {
		d.Sync() // best effort: the file is complete either way
		d.Close()
	}
	return nil
}

// tempBase is as much of a file name as the temporary file's name can
// hold: a name of 255 bytes, the most most file systems allow, must not
// fail for want of room for ".partial-" and the random digits.
func tempBase(name string) string {
	const room = 200
	if len(name) <= room {
		return name
	}
	cut := room
	for cut > 0 && !utf8.RuneStart(name[cut]) {
		cut--
	}
	return name[:cut]
}

func diskError(err error) error {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return fmt.Errorf("%w: %w", ErrNoSpace, err)
	}
	return err
}
