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
// over minutes. Between two collections the heap grows by a quarter of
// what is live (SetGCPercent(25)), each new page resident: at 10,000 cases
// the idle app's memory climbed some 60 MB over five minutes before each
// collection, and a collection that freed a little less than the trim's
// threshold left it there. So the app looks every trimEvery, and when at
// least trimAtLeast has been allocated since it last handed memory back,
// or waits freed, it collects and hands all of it back: the idle heap stays
// within about trimAtLeast of what is live. Idle, that is a collection
// every minute or two, a fraction of a percent of a CPU.
//
// Badger reads the vault's files through memory mappings, and every page
// it reads stays resident until the kernel wants it back; at each look the
// app also hands back those pages (vault.ReleaseMappedPages), a few system
// calls.
const (
	trimEvery   = 20 * time.Second
	trimAtLeast = 16 << 20
)

// The runtime's figures the trim reads.
const (
	heapFreeMetric   = "/memory/classes/heap/free:bytes" // free, not handed back
	heapAllocsMetric = "/gc/heap/allocs:bytes"           // allocated since the start
)

// memoryTrim decides when to hand memory back.
type memoryTrim struct {
	atLeast uint64
	allocs  uint64 // heapAllocsMetric when it last handed memory back
}

// startMemoryTrim looks every trimEvery until the app ends.
func startMemoryTrim() {
	go func() {
		m := &memoryTrim{atLeast: trimAtLeast}
		_, m.allocs = heapFigures()
		for range time.Tick(trimEvery) {
			m.check()
			releaseMappedPages()
		}
	}()
}

// check hands the freed heap back to the operating system, after a
// collection, when at least m.atLeast was allocated since it last did or
// waits freed; it reports whether it did.
func (m *memoryTrim) check() bool {
	free, allocs := heapFigures()
	if free < m.atLeast && allocs-m.allocs < m.atLeast {
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

// releaseMappedPages hands back the pages of the vault's files that Badger
// mapped and read. An old kernel refuses; the pages then stay until the
// kernel wants them, as they would anyway.
func releaseMappedPages() { _ = vault.ReleaseMappedPages() }
