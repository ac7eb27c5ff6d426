package desktop

import (
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// The app sits idle for hours. Badger compacts its tables in the
// background after unlocking and after writes, and what it frees stays
// with the process: Go's scavenger hands freed pages back only as far as
// the heap's last target, over minutes. At 10,000 cases that kept some
// 100 MB for as long as the app stayed open. So the app looks every
// trimEvery, and when at least trimAtLeast of freed heap waits, hands it
// all back. An ordinary collection frees less than that (the heap grows by
// idleGCPercent between them), so the look costs nothing most of the time.
const (
	trimEvery   = 20 * time.Second
	trimAtLeast = 64 << 20
)

// heapFreeMetric is the heap memory free but not yet handed back.
const heapFreeMetric = "/memory/classes/heap/free:bytes"

// startMemoryTrim runs trimMemory every trimEvery until the app ends.
func startMemoryTrim() {
	go func() {
		for range time.Tick(trimEvery) {
			trimMemory(trimAtLeast)
		}
	}()
}

// trimMemory hands the freed heap back to the operating system when at
// least atLeast bytes of it wait, and reports whether it did.
func trimMemory(atLeast uint64) bool {
	if heapFree() < atLeast {
		return false
	}
	debug.FreeOSMemory()
	return true
}

// heapFree returns the bytes of heap free but not handed back.
func heapFree() uint64 {
	s := []metrics.Sample{{Name: heapFreeMetric}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
