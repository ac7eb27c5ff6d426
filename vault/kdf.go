package vault

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/argon2"
)

// KDFParams are the Argon2id cost parameters of a key slot.
type KDFParams struct {
	Time      uint32 // passes over memory
	MemoryKiB uint32 // memory in KiB
	Threads   uint8  // parallelism
}

// Limits on KDF parameters read from a header. A header is read before
// anything is authenticated, so a crafted one must not be able to make
// unlocking take minutes or exhaust memory. The calibration below never
// produces values outside them.
const (
	maxKDFTime      = 16
	maxKDFMemoryKiB = 1 << 20 // 1 GiB
	maxKDFThreads   = 16
	// maxKDFWork caps time × memory, so that both cannot be at their
	// maximum at once (about 8 passes over 1 GiB).
	maxKDFWork = 8 << 20

	minCalibratedMemoryKiB = 64 << 10  // 64 MiB, the floor for real vaults
	maxCalibratedMemoryKiB = 512 << 10 // 512 MiB, friendly to a laptop
	minCalibratedTime      = 3
)

func (p KDFParams) validate() error {
	switch {
	case p.Time < 1 || p.Time > maxKDFTime:
		return fmt.Errorf("kdf time %d out of range", p.Time)
	case p.MemoryKiB < 8*uint32(max(p.Threads, 1)) || p.MemoryKiB > maxKDFMemoryKiB:
		return fmt.Errorf("kdf memory %d KiB out of range", p.MemoryKiB)
	case p.Threads < 1 || p.Threads > maxKDFThreads:
		return fmt.Errorf("kdf threads %d out of range", p.Threads)
	case uint64(p.Time)*uint64(p.MemoryKiB) > maxKDFWork:
		return fmt.Errorf("kdf work %d×%d KiB too high", p.Time, p.MemoryKiB)
	}
	return nil
}

func deriveKEK(secret, salt []byte, p KDFParams) []byte {
	kek := argon2.IDKey(secret, salt, p.Time, p.MemoryKiB, p.Threads, keySize)
	if p.MemoryKiB >= releaseKDFMemoryKiB {
		// Argon2id's memory (up to 512 MiB) is garbage once the key is
		// derived, but the runtime would keep the pages for minutes: an
		// idle, unlocked app would hold half a gigabyte. Hand them back
		// now (which also clears them).
		debug.FreeOSMemory()
	}
	return kek
}

// releaseKDFMemoryKiB is the Argon2id memory from which deriveKEK returns
// the memory to the operating system at once.
const releaseKDFMemoryKiB = 16 << 10

// lowCostKDF is set by tests so that creating a vault does not take a second.
var lowCostKDF atomic.Bool

// UseLowCostKDFForTesting makes every vault created afterwards in this
// process use a cheap Argon2id setting. It exists for tests only: a vault
// made this way is easy to brute-force.
func UseLowCostKDFForTesting() { lowCostKDF.Store(true) }

// testKDF is the cheap setting used after UseLowCostKDFForTesting.
var testKDF = KDFParams{Time: 1, MemoryKiB: 64, Threads: 1}

// CalibrateKDF picks Argon2id parameters that take about target on this
// machine: at least 64 MiB of memory, growing to 512 MiB, then more passes,
// never beyond the limits a reader accepts.
func CalibrateKDF(target time.Duration) KDFParams {
	if lowCostKDF.Load() {
		return testKDF
	}
	threads := uint8(min(runtime.NumCPU(), 4))
	p := KDFParams{Time: minCalibratedTime, MemoryKiB: minCalibratedMemoryKiB, Threads: threads}
	salt := make([]byte, saltSize)
	// The first run pays for page faults and a cold cache, and a busy
	// machine slows any one run: take the fastest of a few, after a warm-up.
	measure := func(p KDFParams) time.Duration {
		best := time.Duration(1<<63 - 1)
		for range 3 {
			start := time.Now()
			argon2.IDKey([]byte("calibration"), salt, p.Time, p.MemoryKiB, p.Threads, keySize)
			best = min(best, time.Since(start))
		}
		return best
	}
	measure(KDFParams{Time: 1, MemoryKiB: minCalibratedMemoryKiB, Threads: threads})
	d := measure(p)
	for d < target/2 && p.MemoryKiB*2 <= maxCalibratedMemoryKiB {
		p.MemoryKiB *= 2
		d *= 2
	}
	if d < target/2 {
		d = measure(p)
		perPass := d / time.Duration(p.Time)
		if perPass <= 0 {
			perPass = time.Millisecond
		}
		want := uint32((target*3/4)/perPass) + 1
		for want > p.Time && p.validate() == nil {
			p.Time++
		}
		if p.validate() != nil {
			p.Time--
		}
	}
	return p
}
