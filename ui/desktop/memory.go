package desktop

import (
	"runtime/debug"
	"runtime/metrics"
	"time"

	"casebook/vault"
)

// The app sits idle for hours. Badger compacts its tables in the
// background after unlocking and after writes, and what it frees stays
// with the process: an idle app collects garbage rarely, and Go's
// scavenger hands freed pages back only as far as the heap's last target,
// over minutes. At 10,000 cases that kept some 100 MB for as long as the
// app stayed open. So the app looks every trimEvery, and when at least
// trimAtLeast has been allocated since it last looked (the work that made
// the garbage), or waits freed, it collects and hands all of it back. The
// idle app allocates less than that between two looks, so the look costs
// nothing most of the time.
//
// Badger reads the vault's files through memory mappings, and every page
// it reads stays resident until the kernel wants it back; at each look the
// app also hands back those pages (vault.ReleaseMappedPages), a few system
// calls.
const (
	trimEvery   = 20 * time.Second
	trimAtLeast = 64 << 20
)

// The runtime's figures the trim reads.
const (
	heapFreeMetric   = "/memory/classes/heap/free:bytes" // free, not handed back
	heapAllocsMetric = "/gc/heap/allocs:bytes"           // allocated since the start
)

// memoryTrim decides when to hand memory back.
type memoryTrim struct {
	atLeast uint64
	allocs  uint64 // heapAllocsMetric when it last looked
}

// startMemoryTrim looks every trimEvery until the app ends.
func startMemoryTrim() {
	go func() {
		m := &memoryTrim{atLeast: trimAtLeast}
		_, m.allocs = heapFigures()
		for range time.Tick(trimEvery) {
			m.check()
			// An old kernel refuses; the pages then stay until the
			// kernel wants them, as they would anyway.
			_ = vault.ReleaseMappedPages()
		}
	}()
}

// check hands the freed heap back to the operating system, after a
// collection, when at least m.atLeast was allocated since the last check
// or waits freed; it reports whether it did.
func (m *memoryTrim) check() bool {
	free, allocs := heapFigures()
	last := m.allocs
	m.allocs = allocs
	if free < m.atLeast && allocs-last < m.atLeast {
		return false
	}
	debug.FreeOSMemory()
	_, m.allocs = heapFigures()
	return true
}

// heapFigures returns the bytes of heap free but not handed back, and the
// bytes allocated since the program started.
func heapFigures() (free, allocs uint64) {
	s := []metrics.Sample{{Name: heapFreeMetric}, {Name: heapAllocsMetric}}
	metrics.Read(s)
	return s[0].Value.Uint64(), s[1].Value.Uint64()
}
