// Package benchvault keeps the large vaults that benchmarks measure: a
// vault with thousands of cases is built once per test process, kept
// closed in a temporary directory, and copied for each benchmark that
// opens it, so that no benchmark sees another's changes.
//
// It does not know what goes into a vault: the caller's build function
// fills it (the app package's own tests cannot import a helper that
// imports app). Call Cleanup from TestMain after m.Run.
package benchvault

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

var (
	mu        sync.Mutex
	root      string
	templates = map[string]*template{}
)

type template struct {
	once sync.Once
	dir  string
	err  error
}

// Template returns the directory of the vault named key, building it with
// build (into an empty directory it is given) the first time in this
// process.
func Template(tb testing.TB, key string, build func(dir string) error) string {
	tb.Helper()
	mu.Lock()
	if root == "" {
		dir, err := os.MkdirTemp("", "casebook-bench-")
		if err != nil {
			mu.Unlock()
			tb.Fatalf("benchvault: %v", err)
		}
		root = dir
	}
	t := templates[key]
	if t == nil {
		t = &template{dir: filepath.Join(root, fmt.Sprintf("t%d", len(templates)))}
		templates[key] = t
	}
	mu.Unlock()
	t.once.Do(func() {
		if err := build(t.dir); err != nil {
			t.err = fmt.Errorf("build the %s vault: %w", key, err)
		}
	})
	if t.err != nil {
		tb.Fatal(t.err)
	}
	return t.dir
}

// Copy copies the vault at dir into a new directory of tb's, synced, and
// returns it.
func Copy(tb testing.TB, dir string) string {
	tb.Helper()
	dst := filepath.Join(tb.TempDir(), "vault")
	if err := copyTree(dir, dst); err != nil {
		tb.Fatalf("benchvault: copy the vault: %v", err)
	}
	return dst
}

// Cleanup removes every vault built in this process.
func Cleanup() {
	mu.Lock()
	defer mu.Unlock()
	if root != "" {
		os.RemoveAll(root)
		root = ""
		templates = map[string]*template{}
	}
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o700)
		}
		return copyFile(path, target)
	})
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	// On the disk before any benchmark starts: the first synced write
	// after copying a large vault would otherwise wait for the whole copy
	// to be written out (ext4 commits pending data with its journal).
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
