//go:build windows

package vault

import (
	"errors"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/windows"
)

// fileLock is an exclusive lock on a file, released by Windows when the
// process ends.
type fileLock struct{ f *os.File }

func acquireLock(path string) (*fileLock, error) { return openLock(path, os.O_CREATE) }

// lockExisting is acquireLock on a file that must exist already: it
// returns an error satisfying errors.Is(err, os.ErrNotExist) if not.
func lockExisting(path string) (*fileLock, error) { return openLock(path, 0) }

func openLock(path string, flag int) (*fileLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|flag, 0o600)
	if err != nil {
		return nil, diskError(err)
	}
	ol := new(windows.Overlapped)
	err = windows.LockFileEx(windows.Handle(f.Fd()),
		windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, ol)
	if err != nil {
		f.Close()
		if errors.Is(err, windows.ERROR_LOCK_VIOLATION) {
			return nil, ErrInUse
		}
		return nil, err
	}
	return &fileLock{f: f}, nil
}

func (l *fileLock) release() error {
	if l == nil || l.f == nil {
		return nil
	}
	ol := new(windows.Overlapped)
	err := windows.UnlockFileEx(windows.Handle(l.f.Fd()), 0, 1, 0, ol)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}

// staleTempAge is how old a directory a Create or Restore builds in must
// be before removeStaleTemps may judge it. On Windows its maker releases
// its lock for the moment of the rename (moveLocked), so a directory is
// judged only long after anyone could still be building it.
const staleTempAge = 24 * time.Hour

// moveLocked renames the directory tmp, whose lock file lock holds, to
// dir. Windows renames no directory holding an open file, so the lock is
// released for the rename; with relock, a lock on dir's lock file is taken
// again and returned.
func moveLocked(tmp, dir string, lock *fileLock, relock bool) (*fileLock, error) {
	if err := lock.release(); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, dir); err != nil {
		return nil, diskError(err)
	}
	if !relock {
		return nil, nil
	}
	return acquireLock(filepath.Join(dir, lockFile))
}
