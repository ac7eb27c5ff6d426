package desktop

import (
	"runtime"
	"testing"
)

// TestTrimMemory frees a large block and checks that trimMemory hands it
// back only when at least its threshold waits.
func TestTrimMemory(t *testing.T) {
	const block = 256 << 20
	keep := make([]byte, block)
	for i := 0; i < len(keep); i += 4096 {
		keep[i] = 1 // resident, as the memory Badger frees is
	}
	runtime.KeepAlive(keep)
	keep = nil
	runtime.GC()
	if free := heapFree(); free < block/2 {
		t.Fatalf("after freeing %d MiB, only %d MiB of heap is free", block>>20, free>>20)
	}
	if trimMemory(4 * block) {
		t.Error("trimMemory handed memory back below its threshold")
	}
	if !trimMemory(block / 4) {
		t.Fatal("trimMemory kept the freed block")
	}
	if free := heapFree(); free >= block/4 {
		t.Errorf("after trimming, %d MiB of heap still free", free>>20)
	}
}
