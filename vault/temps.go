package vault

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Create and Restore build a vault in a directory beside its final place
// and rename it into place whole. Each locks that directory's lock file
// from the moment it exists, so that a directory nobody holds is known to
// be left by a process that died: it may hold a whole copy of a vault's
// records and keys, and removeStaleTemps removes it.
const (
	newVaultPrefix     = ".casebook-new-"
	restoreVaultPrefix = ".casebook-restore-"
)

// unlockedTempAge is how old a build directory without a lock file must
// be before removeStaleTemps removes it: earlier builds of Casebook made
// the lock file only at the end of a build, and may still be at work.
const unlockedTempAge = 24 * time.Hour

// newTempVaultDir makes the directory a Create or Restore builds a vault
// in, named prefix and a random suffix, and locks it.
func newTempVaultDir(parent, prefix string) (string, *fileLock, error) {
	tmp, err := os.MkdirTemp(parent, prefix+"*")
	if err != nil {
		return "", nil, diskError(err)
	}
	lock, err := acquireLock(filepath.Join(tmp, lockFile))
	if err != nil {
		os.RemoveAll(tmp)
		return "", nil, err
	}
	return tmp, lock, nil
}

// entriesWithPrefix lists the names in dir that start with one of the
// prefixes. (filepath.Glob would read brackets and backslashes in dir
// itself as a pattern.)
func entriesWithPrefix(dir string, prefixes ...string) []string {
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		for _, p := range prefixes {
			if strings.HasPrefix(e.Name(), p) {
				names = append(names, e.Name())
				break
			}
		}
	}
	return names
}

// removeStaleTemps removes what a Create or Restore killed midway left
// beside the vaults in parent: the directories they build in, once nobody
// holds their lock. A directory younger than staleTempAge is left alone,
// as its maker may not have locked it yet, and one without a lock file
// until it is unlockedTempAge old.
func removeStaleTemps(parent string) {
	removed := false
	for _, name := range entriesWithPrefix(parent, newVaultPrefix, restoreVaultPrefix) {
		m := filepath.Join(parent, name)
		fi, err := os.Lstat(m)
		if err != nil || !fi.IsDir() || time.Since(fi.ModTime()) < staleTempAge {
			continue
		}
		lock, err := lockExisting(filepath.Join(m, lockFile))
		switch {
		case errors.Is(err, os.ErrNotExist):
			if time.Since(fi.ModTime()) < unlockedTempAge {
				continue
			}
		case err != nil:
			continue // in use, or not ours to judge
		default:
			// Released first: Windows removes no file that is open.
			lock.release()
		}
		if os.RemoveAll(m) == nil {
			removed = true
		}
	}
	if removed {
		syncDir(parent)
	}
}

// atomicTempPrefix starts the name writeFileAtomic gives its temporary
// file for the file named base.
func atomicTempPrefix(base string) string { return "." + base + ".tmp-" }

// removeStaleFiles removes from a vault directory the temporary files of a
// header or keyring write that a crash cut short. They hold key material:
// a keyring's can hold an epoch key that a destruction was forgetting, a
// header's the key slot of a passphrase that was being set. The caller
// holds the vault's lock, so no other write can be under way. It removes
// every one it can and returns what failed.
func removeStaleFiles(dir string) error {
	var errs []error
	names := entriesWithPrefix(dir, atomicTempPrefix(headerFile), atomicTempPrefix(keyringFile), atomicTempPrefix(lockFile))
	for _, name := range names {
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			errs = append(errs, diskError(err))
		}
	}
	if len(names) > len(errs) {
		errs = append(errs, syncDir(dir))
	}
	return errors.Join(errs...)
}
