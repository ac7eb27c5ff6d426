package desktop

import (
	"runtime"
	"testing"
)

var sink []byte

// TestMemoryTrim makes garbage three ways — collected, not yet collected,
// and a little at a time — and checks that the trim hands it back only when there is at least its
// threshold of it.
func TestMemoryTrim(t *testing.T) {
	const block = 256 << 20
	garbage := func(size int) {
		sink = make([]byte, size)
		for i := 0; i < len(sink); i += 4096 {
			sink[i] = 1 // resident, as what Badger frees is
		}
		sink = nil
	}
	m := &memoryTrim{atLeast: block / 4}
	_, m.allocs = heapFigures() // it starts looking now, as startMemoryTrim does

	// Garbage not yet collected: allocated since the last look.
	garbage(block)
	if !m.check() {
		t.Fatal("the trim kept garbage allocated since it last looked")
	}
	if free, _ := heapFigures(); free >= block/4 {
		t.Errorf("after the trim, %d MiB of heap still free", free>>20)
	}
	if m.check() {
		t.Error("the trim ran again with nothing allocated since")
	}

	// Garbage collected before the last look: freed, waiting to be handed
	// back.
	garbage(block)
	runtime.GC()
	if free, _ := heapFigures(); free < block/2 {
		t.Fatalf("after freeing %d MiB, only %d MiB of heap is free", block>>20, free>>20)
	}
	_, m.allocs = heapFigures() // it looked just now
	if !m.check() {
		t.Fatal("the trim kept freed memory")
	}
	if free, _ := heapFigures(); free >= block/4 {
		t.Errorf("after the trim, %d MiB of heap still free", free>>20)
	}

	// Allocations that add up to the threshold over several looks, as
	// the idle app's do.
	garbage(block / 8)
	if m.check() {
		t.Error("the trim ran with half its threshold allocated")
	}
	garbage(block / 8)
	if !m.check() {
		t.Fatal("the trim kept what was allocated over two looks")
	}

	// Below the threshold, nothing happens.
	high := &memoryTrim{atLeast: 4 * block}
	_, high.allocs = heapFigures()
	garbage(block)
	if high.check() {
		t.Error("the trim handed memory back below its threshold")
	}
}
