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
	removeStalePartials(dir)
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

// A process killed while writing an export leaves its temporary file, or
// the archive's staging directory, in the folder the member chose: hidden,
// named ".NAME.partial-DIGITS", and holding part of what was exported, in
// plain text. The next export into that folder removes what such a write
// left there, once it is stalePartialAge old: no export writes for that
// long.
const stalePartialAge = 10 * time.Minute

// partialName matches the names WriteFile and WriteArchive give their
// temporary files and directories, and nothing a person is likely to name
// a file.
var partialName = regexp.MustCompile(`^\..+\.partial-[0-9]+$`)

// partialSweeps remembers when each folder was last swept, so that a batch
// of exports reads it once.
var partialSweeps sync.Map // folder → time.Time

// removeStalePartials removes from dir the temporary files and directories
// of exports that a crash cut short (see stalePartialAge). It follows no
// symbolic link, and it is best effort: what it cannot remove stays.
func removeStalePartials(dir string) {
	now := time.Now()
	if last, ok := partialSweeps.Load(dir); ok && now.Sub(last.(time.Time)) < time.Minute {
		return
	}
	partialSweeps.Store(dir, now)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !partialName.MatchString(e.Name()) || e.Type()&os.ModeSymlink != 0 {
			continue
		}
		info, err := e.Info()
		if err != nil || now.Sub(info.ModTime()) < stalePartialAge {
			continue
		}
		os.RemoveAll(filepath.Join(dir, e.Name()))
	}
}
