//go:build unix

package vault

import (
	"errors"
	"os"
	"syscall"
	"time"
)

// fileLock is an advisory, exclusive lock on a file. The operating system
// releases it when the process ends, however it ends, so a crash never
// leaves a stale lock behind.
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
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) || errors.Is(err, syscall.EAGAIN) {
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
	err := syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}

// staleTempAge is how old a directory a Create or Restore builds in must
// be before removeStaleTemps may judge it: its maker locks it at once.
const staleTempAge = time.Minute

// moveLocked renames the directory tmp, whose lock file lock holds, to
// dir, and returns the lock, now on dir's lock file. The lock is held
// throughout: a lock follows its file across a rename. (relock matters
// only on Windows.)
func moveLocked(tmp, dir string, lock *fileLock, relock bool) (*fileLock, error) {
	if err := os.Rename(tmp, dir); err != nil {
		return lock, diskError(err)
	}
	return lock, nil
}
