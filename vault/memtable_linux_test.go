package vault

import (
	"bytes"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
)

var garbageSink [][]byte

// TestOpenLeavesTheMemtableUntouched frees memory just before opening,
// as checking the tables and deriving the key do, and checks that
// Badger's memtable buffer does not become resident. The runtime clears
// memory it hands out again unless all of it had been handed back to the
// system; placed on such memory, the memtable was cleared page by page,
// and the idle app held 40 MB more in about half of its unlocks.
func TestOpenLeavesTheMemtableUntouched(t *testing.T) {
	if strings.Contains(os.Getenv("GODEBUG"), "madvdontneed=0") {
		t.Skip("with madvdontneed=0 the runtime clears even memory handed back to the system")
	}
	v, dir, _ := newTestVault(t)
	lockVault(t, v)
	for range 2 * memTableSize >> 20 {
		b := make([]byte, 1<<20)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
		garbageSink = append(garbageSink, b)
	}
	garbageSink = nil
	runtime.GC() // freed, not handed back
	v = openTestVault(t, dir, testPassphrase)
	debug.FreeOSMemory()
	before := rssAnon(t)
	lockVault(t, v)
	debug.FreeOSMemory()
	if dropped := before - rssAnon(t); dropped > memTableSize/2 {
		t.Errorf("locking gave back %d MiB: Badger's memtable (%d MiB) was resident", dropped>>20, memTableSize>>20)
	}
}

// rssAnon returns the process's resident anonymous memory.
func rssAnon(t *testing.T) int64 {
	t.Helper()
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := bytes.Cut(status, []byte("\nRssAnon:"))
	if !ok {
		t.Fatal("no RssAnon in /proc/self/status")
	}
	line, _, _ := bytes.Cut(rest, []byte("\n"))
	kb, err := strconv.ParseInt(string(bytes.TrimSpace(bytes.TrimSuffix(bytes.TrimSpace(line), []byte("kB")))), 10, 64)
	if err != nil {
		t.Fatalf("RssAnon: %q: %v", line, err)
	}
	return kb << 10
}
