package vault

import (
	"errors"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"testing"
)

// TestKDFMemoryHandedBack derives keys with 256 MiB of Argon2id memory, as
// a calibrated vault does, and checks that the memory goes back to the
// system when Open returns, whether the passphrase is right or wrong.
func TestKDFMemoryHandedBack(t *testing.T) {
	dir := createHeavyKDFVault(t)
	if _, err := Open(dir, []byte("wrong horse"), Options{}); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("Open with a wrong passphrase: %v", err)
	}
	if held := heapFree(); held >= 16<<20 {
		t.Errorf("after a wrong passphrase, %d MiB of freed heap is still held", held>>20)
	}
	openTestVault(t, dir, testPassphrase)
	if held := heapFree(); held >= 16<<20 {
		t.Errorf("after Open, %d MiB of freed heap is still held", held>>20)
	}
}

// createHeavyKDFVault creates a vault whose key derivation takes 256 MiB
// (in one pass, to be quick) and locks it.
func createHeavyKDFVault(t *testing.T) string {
	t.Helper()
	saved := testKDF
	defer func() { testKDF = saved }()
	testKDF = KDFParams{Time: 1, MemoryKiB: 256 << 10, Threads: 2}
	dir := filepath.Join(t.TempDir(), "vault")
	v, _, err := Create(dir, []byte(testPassphrase), Options{})
	if err != nil {
		t.Fatal(err)
	}
	lockVault(t, v)
	return dir
}

// heapFree collects garbage and returns the bytes of heap that are then
// free but not handed back.
func heapFree() uint64 {
	runtime.GC()
	s := []metrics.Sample{{Name: "/memory/classes/heap/free:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
