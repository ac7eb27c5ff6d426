package vault

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// leftover is a file or directory that a crash may leave in or beside a
// vault, made by the test.
type leftover struct {
	path string
	dir  bool
}

func (l leftover) exists(t *testing.T) bool {
	t.Helper()
	fi, err := os.Lstat(l.path)
	if errors.Is(err, os.ErrNotExist) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	if fi.IsDir() != l.dir {
		t.Fatalf("%s: a directory is %v, want %v", l.path, fi.IsDir(), l.dir)
	}
	return true
}

// backdate sets a leftover's modification time d in the past.
func backdate(t *testing.T, path string, d time.Duration) {
	t.Helper()
	past := time.Now().Add(-d)
	if err := os.Chtimes(path, past, past); err != nil {
		t.Fatal(err)
	}
}

// staleBuild makes what a Create or Restore killed midway leaves beside
// the vaults in parent: a locked directory holding a keyring, made d ago.
// It returns the directory and its lock, for the caller to hold or
// release.
func staleBuild(t *testing.T, parent, prefix string, d time.Duration) (string, *fileLock) {
	t.Helper()
	tmp, lock, err := newTempVaultDir(parent, prefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lock.release() })
	if err := os.WriteFile(filepath.Join(tmp, keyringFile), []byte("sealed keys"), 0o600); err != nil {
		t.Fatal(err)
	}
	backdate(t, tmp, d)
	return tmp, lock
}

// leftovers makes, in and beside the vault in dir, what crashes leave
// that unlocking must remove (gone) and what it must keep (kept): build
// directories still held or too young to judge, and look-alikes that are
// not ours, some of them where a pattern made of the vault's own path
// would find them.
func leftovers(t *testing.T, dir string) (gone, kept []leftover) {
	t.Helper()
	parent := filepath.Dir(dir)
	file := func(path string) leftover {
		if err := os.WriteFile(path, []byte("sealed key material"), 0o600); err != nil {
			t.Fatal(err)
		}
		backdate(t, path, 2*staleTempAge)
		return leftover{path: path}
	}
	for _, base := range []string{keyringFile, headerFile, lockFile} {
		gone = append(gone, file(filepath.Join(dir, atomicTempPrefix(base)+"123")))
	}
	for _, prefix := range []string{newVaultPrefix, restoreVaultPrefix} {
		dead, lock := staleBuild(t, parent, prefix, 2*staleTempAge)
		lock.release() // its maker died
		gone = append(gone, leftover{path: dead, dir: true})

		live, _ := staleBuild(t, parent, prefix, 2*staleTempAge) // its maker is still at work
		kept = append(kept, leftover{path: live, dir: true})

		young, lock := staleBuild(t, parent, prefix, 0)
		lock.release()
		kept = append(kept, leftover{path: young, dir: true})

		// Made by an earlier build, which locked its directory only at
		// the end: judged by age alone.
		for _, d := range []time.Duration{2 * staleTempAge, 2 * unlockedTempAge} {
			old, lock := staleBuild(t, parent, prefix, 0)
			lock.release()
			if err := os.Remove(filepath.Join(old, lockFile)); err != nil {
				t.Fatal(err)
			}
			backdate(t, old, d)
			if d > unlockedTempAge {
				gone = append(gone, leftover{path: old, dir: true})
			} else {
				kept = append(kept, leftover{path: old, dir: true})
			}
		}
	}
	// Not ours: a file where a build directory would be, a file in the
	// vault named like none of its own, and a temporary keyring in a
	// directory whose name the vault's would match as a pattern.
	kept = append(kept,
		file(filepath.Join(parent, newVaultPrefix+"file")),
		file(filepath.Join(dir, ".notes.tmp-1")))
	if lookalike := strings.NewReplacer("[", "", "]", "", `\`, "").Replace(dir); lookalike != dir {
		if err := os.MkdirAll(lookalike, 0o700); err != nil {
			t.Fatal(err)
		}
		kept = append(kept, file(filepath.Join(lookalike, atomicTempPrefix(keyringFile)+"456")))
	}
	return gone, kept
}

// TestOpenRemovesWhatACrashLeft checks that unlocking a vault removes the
// temporary files of a header or keyring write cut short inside it, and
// the directories of a Create or Restore that died beside it, but only
// those, wherever the vault is: a failed unlock removes nothing, and a
// directory that a live process holds, or that is too young to judge, is
// kept.
func TestOpenRemovesWhatACrashLeft(t *testing.T) {
	dirs := []string{"vault", "vault [v]"}
	if runtime.GOOS != "windows" {
		dirs = append(dirs, `back\slash [v]`)
	}
	for _, name := range dirs {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), name)
			v, code, err := Create(dir, []byte(testPassphrase), Options{})
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			put(t, v, "case-1", "report", "kept")
			lockVault(t, v)
			manifest := filepath.Join(dir, dataDir, "MANIFEST")

			fails := []struct {
				name string
				open func() (*Vault, error)
				want error
			}{
				{"a wrong passphrase", func() (*Vault, error) { return Open(dir, []byte("not the passphrase"), Options{}) }, ErrWrongPassphrase},
				{"a wrong recovery code", func() (*Vault, error) { return OpenWithRecoveryCode(dir, "not the code", Options{}) }, ErrWrongPassphrase},
				{"the passphrase on damaged data", func() (*Vault, error) {
					os.Rename(manifest, manifest+".away")
					defer os.Rename(manifest+".away", manifest)
					return Open(dir, []byte(testPassphrase), Options{})
				}, ErrCorrupt},
			}
			opens := []struct {
				name string
				open func() (*Vault, error)
			}{
				{"the passphrase", func() (*Vault, error) { return Open(dir, []byte(testPassphrase), Options{}) }},
				{"the recovery code", func() (*Vault, error) { return OpenWithRecoveryCode(dir, code, Options{}) }},
			}
			for _, o := range opens {
				gone, kept := leftovers(t, dir)
				for _, f := range fails {
					if v, err := f.open(); !errors.Is(err, f.want) {
						if err == nil {
							v.Lock()
						}
						t.Fatalf("Open with %s: got %v, want %v", f.name, err, f.want)
					}
					for _, l := range append(gone, kept...) {
						if !l.exists(t) {
							t.Errorf("after %s: %s is gone, want it kept", f.name, l.path)
						}
					}
				}
				v, err := o.open()
				if err != nil {
					t.Fatalf("Open with %s: %v", o.name, err)
				}
				mustGet(t, v, "case-1", "report", "kept")
				lockVault(t, v)
				for _, l := range gone {
					if l.exists(t) {
						t.Errorf("after unlocking with %s: %s is still there", o.name, l.path)
					}
				}
				for _, l := range kept {
					if !l.exists(t) {
						t.Errorf("after unlocking with %s: %s is gone, want it kept", o.name, l.path)
					}
				}
			}
		})
	}
}

// TestBuildsHoldTheirLock checks that Create and Restore hold the lock of
// the directory they build in until it is in place, so that nobody takes
// it for one left by a crash: a removeStaleTemps run while they build
// finds it locked, and the vault moved into place stays locked by Create.
func TestBuildsHoldTheirLock(t *testing.T) {
	parent := t.TempDir()
	// Create: the vault it hands back holds the lock it built under.
	v, code, err := Create(filepath.Join(parent, "new"), []byte(testPassphrase), Options{})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if _, err := acquireLock(filepath.Join(parent, "new", lockFile)); !errors.Is(err, ErrInUse) {
		t.Errorf("lock of a vault Create returned: got %v, want ErrInUse", err)
	}
	put(t, v, "case-1", "report", "kept")
	var backup bytes.Buffer
	if err := v.Backup(&backup); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	lockVault(t, v)

	// Restore: while it builds, the directory beside the vault is locked.
	// Aging it makes removeStaleTemps judge it on its lock alone.
	target := filepath.Join(parent, "restored")
	var sawLocked bool
	restoreHook = func(tmp string) {
		backdate(t, tmp, 2*staleTempAge)
		removeStaleTemps(parent)
		if _, err := os.Stat(filepath.Join(tmp, headerFile)); err != nil {
			t.Errorf("the directory Restore builds in, once judged: %v", err)
			return
		}
		l, err := acquireLock(filepath.Join(tmp, lockFile))
		sawLocked = errors.Is(err, ErrInUse)
		l.release() // if it was taken, for the failure to say so
	}
	t.Cleanup(func() { restoreHook = nil })
	if err := RestoreWithRecoveryCode(target, &backup, code, Options{}); err != nil {
		t.Fatalf("Restore: %v", err)
	}
	if !sawLocked {
		t.Errorf("the directory Restore builds in was not locked before its move")
	}
	v = openTestVault(t, target, testPassphrase)
	mustGet(t, v, "case-1", "report", "kept")
	assertNoTemporaries(t, parent)
}
