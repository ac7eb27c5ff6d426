package vault

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// writeFileAtomic writes data to path so that after a crash the file holds
// either its old content or the new one, never a mix: the bytes go to a
// temporary file in the same directory, which is synced and renamed over the
// target, and then the directory is synced.
func writeFileAtomic(path string, data []byte, perm os.FileMode) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, atomicTempPrefix(filepath.Base(path))+"*")
	if err != nil {
		return diskError(err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if err = f.Chmod(perm); err != nil {
		return diskError(err)
	}
	if _, err = f.Write(data); err != nil {
		return diskError(err)
	}
	if err = f.Sync(); err != nil {
		return diskError(err)
	}
	if err = f.Close(); err != nil {
		return diskError(err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return diskError(err)
	}
	return syncDir(dir)
}

// syncDir makes a rename or a file creation in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return diskError(err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		// Some platforms (Windows) cannot sync a directory; that is not
		// an error there.
		return diskError(err)
	}
	return nil
}

// diskError marks a full disk with ErrNoSpace and keeps the cause.
func diskError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return fmt.Errorf("%w: %w", ErrNoSpace, err)
	}
	return err
}
