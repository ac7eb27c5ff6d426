//go:build unix

package fullfs

import (
	"testing"

	"golang.org/x/sys/unix"
)

// Free returns the bytes available in the file system holding dir.
func Free(t testing.TB, dir string) int64 {
	t.Helper()
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		t.Fatalf("statfs: %v", err)
	}
	return int64(st.Bavail) * int64(st.Bsize)
}
