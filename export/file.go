package export

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"
	"time"
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
	if fi, err := f.Stat(); err == nil {
		removeStalePartials(dir, fi.ModTime())
	}
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

// A process killed while writing an export leaves its temporary file, or
// the archive's staging directory, in the folder the member chose: named
// ".NAME.partial-DIGITS" (hidden on Unix), and holding part of what was
// exported, in plain text. The next export into that folder removes what
// such a write left there, once it is stalePartialAge older than the
// temporary file or directory that export has just made: no export writes
// for that long, and both times come from the same file system's clock.
const stalePartialAge = 10 * time.Minute

// partialName matches the names WriteFile and WriteArchive give their
// temporary files and directories (os.CreateTemp's suffix has at most ten
// digits), and nothing a person is likely to name a file.
var partialName = regexp.MustCompile(`^\..+\.partial-[0-9]{1,10}$`)

// partialSweeps remembers when each folder was last swept, so that a batch
// of exports reads it once.
var partialSweeps struct {
	sync.Mutex
	last map[string]time.Time
}

// sweepDue reports whether dir is due a sweep, and if so marks it swept
// now. It forgets folders swept over a minute ago, so that the staging
// folders of archives do not pile up.
func sweepDue(dir string, now time.Time) bool {
	partialSweeps.Lock()
	defer partialSweeps.Unlock()
	if now.Sub(partialSweeps.last[dir]) < time.Minute {
		return false
	}
	if partialSweeps.last == nil {
		partialSweeps.last = map[string]time.Time{}
	}
	for d, t := range partialSweeps.last {
		if now.Sub(t) >= time.Minute {
			delete(partialSweeps.last, d)
		}
	}
	partialSweeps.last[dir] = now
	return true
}

// removeStalePartials removes from dir the temporary files and staging
// directories of exports that a crash cut short: regular files, and
// directories holding regular files only, named by partialName and
// stalePartialAge older than ref, the modification time of the temporary
// file or directory the caller has just made there. A directory is first
// renamed, so that a writer still at work on it fails rather than lose
// files. It follows no symbolic link, and it is best effort: what it
// cannot remove stays.
func removeStalePartials(dir string, ref time.Time) {
	if !sweepDue(dir, time.Now()) {
		return
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !partialName.MatchString(e.Name()) {
			continue
		}
		info, err := e.Info()
		if err != nil || ref.Sub(info.ModTime()) < stalePartialAge {
			continue
		}
		path := filepath.Join(dir, e.Name())
		switch {
		case info.Mode().IsRegular():
			os.Remove(path)
		case info.IsDir() && onlyFiles(path):
			// A fresh name of the same kind, so that a sweep cut short
			// leaves what the next one removes.
			gone, err := os.MkdirTemp(dir, ".swept.partial-")
			if err != nil || os.Remove(gone) != nil {
				continue
			}
			if os.Rename(path, gone) == nil {
				os.RemoveAll(gone)
			}
		}
	}
}

// onlyFiles reports whether the directory at path holds regular files and
// nothing else.
func onlyFiles(path string) bool {
	entries, err := os.ReadDir(path)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			return false
		}
	}
	return true
}
