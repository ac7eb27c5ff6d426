//go:build unix

package vault

import (
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// The benchmarks measure the vault against a plain Badger store doing the
// same work in the same run, so that the vault's overhead reads as a ratio
// that depends less on the machine. The BenchmarkOverhead pairs go further
// and time both stores inside each iteration, for machines that other
// programs keep busy. See docs/BENCHMARKS.md.

const (
	benchValueSize = 2 << 10
	benchRecords   = 10_000
	benchScanSize  = 1_000
	benchBatch     = 200 // records per transaction when filling a store
	benchNS        = "bench"
)

var benchPassphrase = []byte("correct horse")

// benchValues hands out distinct 2 KiB windows of a pool of random bytes,
// so that no two consecutive writes carry the same value.
type benchValues struct{ pool []byte }

func newBenchValues() benchValues {
	pool := make([]byte, 256<<10)
	rand.NewChaCha8([32]byte{'b', 'e', 'n', 'c', 'h'}).Read(pool)
	return benchValues{pool}
}

func (p benchValues) value(i int) []byte {
	off := (i * 4099) % (len(p.pool) - benchValueSize)
	return p.pool[off : off+benchValueSize]
}

// cpuMeter reports the CPU time the whole process (every goroutine,
// Badger's included) spent per iteration, as cpu-ns/op. Unlike ns/op it
// does not grow when other programs compete for the processor.
func cpuMeter(b *testing.B) (stop func()) {
	start := processCPU(b)
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64(processCPU(b)-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func benchKey(i int) string { return fmt.Sprintf("%012d", i) }

// fillVault stores n records of 2 KiB in namespace ns, in batches.
func fillVault(b *testing.B, v *Vault, ns string, n int) {
	b.Helper()
	vals := newBenchValues()
	for lo := 0; lo < n; lo += benchBatch {
		err := v.Update(func(tx *Tx) error {
			for i := lo; i < min(lo+benchBatch, n); i++ {
				if err := tx.Put(ns, benchKey(i), vals.value(i)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatalf("fill: %v", err)
		}
	}
}

// reopenVault locks v and opens it again, so that reads start from what a
// member who opens the vault finds: tables on disk, caches cold.
func reopenVault(b *testing.B, v *Vault, dir string) *Vault {
	b.Helper()
	if err := v.Lock(); err != nil {
		b.Fatal(err)
	}
	v, err := Open(dir, benchPassphrase, Options{Actor: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { v.Lock() })
	return v
}

// BenchmarkUnlock opens and locks a vault made with the Argon2id parameters
// calibrated on this machine: the wait a member sees after typing the
// passphrase.
func BenchmarkUnlock(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "vault")
	lowCost := lowCostKDF.Swap(false) // TestMain made every KDF cheap; not here
	v, _, err := Create(dir, benchPassphrase, Options{Actor: "bench"})
	lowCostKDF.Store(lowCost)
	if err != nil {
		b.Fatalf("Create: %v", err)
	}
	p := v.hdr.slot(slotPassphrase).params()
	b.Logf("Argon2id calibrated for %v: time=%d memory=%d MiB threads=%d",
		DefaultKDFTarget, p.Time, p.MemoryKiB>>10, p.Threads)
	if p == testKDF {
		b.Fatal("vault was made with the low-cost test KDF")
	}
	if err := v.Lock(); err != nil {
		b.Fatal(err)
	}
	benchOpenLock(b, dir)
}

// BenchmarkUnlockLowCost is BenchmarkUnlock with the cheap test KDF: the
// cost of unlocking outside key derivation (header, keyring, Badger).
func BenchmarkUnlockLowCost(b *testing.B) {
	v, dir, _ := newTestVault(b)
	if err := v.Lock(); err != nil {
		b.Fatal(err)
	}
	benchOpenLock(b, dir)
}

func benchOpenLock(b *testing.B, dir string) {
	b.ReportAllocs()
	stop := cpuMeter(b)
	for b.Loop() {
		v, err := Open(dir, benchPassphrase, Options{})
		if err != nil {
			b.Fatalf("Open: %v", err)
		}
		if err := v.Lock(); err != nil {
			b.Fatalf("Lock: %v", err)
		}
	}
	stop()
}

// BenchmarkWriteSynced2KiB is one Update storing one new 2 KiB record,
// synced to disk before it returns.
func BenchmarkWriteSynced2KiB(b *testing.B) {
	v, _, _ := newTestVault(b)
	vals := newBenchValues()
	b.SetBytes(benchValueSize)
	b.ReportAllocs()
	i := 0
	stop := cpuMeter(b)
	for b.Loop() {
		vaultWrite(b, v, i, vals.value(i))
		i++
	}
	stop()
}

// BenchmarkRead2KiB is one Get of a random record among 10,000.
func BenchmarkRead2KiB(b *testing.B) {
	v := newFilledVault(b)
	rng := rand.New(rand.NewPCG(1, 2))
	b.SetBytes(benchValueSize)
	b.ReportAllocs()
	stop := cpuMeter(b)
	for b.Loop() {
		vaultRead(b, v, rng.IntN(benchRecords))
	}
	stop()
}

// BenchmarkPlainBadgerWriteSynced2KiB is BenchmarkWriteSynced2KiB on plain
// Badger.
func BenchmarkPlainBadgerWriteSynced2KiB(b *testing.B) {
	db := openPlainBadger(b, b.TempDir())
	vals := newBenchValues()
	b.SetBytes(benchValueSize)
	b.ReportAllocs()
	i := 0
	stop := cpuMeter(b)
	for b.Loop() {
		plainWrite(b, db, i, vals.value(i))
		i++
	}
	stop()
}

// BenchmarkPlainBadgerRead2KiB is BenchmarkRead2KiB on plain Badger.
func BenchmarkPlainBadgerRead2KiB(b *testing.B) {
	db := newFilledPlainBadger(b)
	rng := rand.New(rand.NewPCG(1, 2))
	b.SetBytes(benchValueSize)
	b.ReportAllocs()
	stop := cpuMeter(b)
	for b.Loop() {
		plainRead(b, db, rng.IntN(benchRecords))
	}
	stop()
}

// BenchmarkOverheadWriteSynced2KiB does one synced 2 KiB write to the
// vault and one to plain Badger in each iteration, in alternating order,
// and reports the median time of each and their ratio. On a machine that
// other programs keep busy, ns/op of the separate benchmarks moves with
// their load; the two halves of one iteration share it.
func BenchmarkOverheadWriteSynced2KiB(b *testing.B) {
	v, _, _ := newTestVault(b)
	db := openPlainBadger(b, b.TempDir())
	vals := newBenchValues()
	i := 0
	benchPaired(b,
		func() { vaultWrite(b, v, i, vals.value(i)) },
		func() { plainWrite(b, db, i, vals.value(i)); i++ })
}

// BenchmarkOverheadRead2KiB is BenchmarkOverheadWriteSynced2KiB for a Get
// of a random record among 10,000.
func BenchmarkOverheadRead2KiB(b *testing.B) {
	v := newFilledVault(b)
	db := newFilledPlainBadger(b)
	rng := rand.New(rand.NewPCG(1, 2))
	i := 0
	benchPaired(b,
		func() { i = rng.IntN(benchRecords); vaultRead(b, v, i) },
		func() { plainRead(b, db, i) })
}

// benchPaired times ours and plain once per iteration and reports
// vault-ns/op and badger-ns/op (medians) and their ratio, vault/badger.
func benchPaired(b *testing.B, ours, plain func()) {
	var tv, tp []time.Duration
	timed := func(f func(), into *[]time.Duration) {
		t := time.Now()
		f()
		*into = append(*into, time.Since(t))
	}
	n := 0
	for b.Loop() {
		if n%2 == 0 {
			timed(ours, &tv)
			timed(plain, &tp)
		} else {
			timed(plain, &tp)
			timed(ours, &tv)
		}
		n++
	}
	mv, mp := median(tv), median(tp)
	b.ReportMetric(float64(mv.Nanoseconds()), "vault-ns/op")
	b.ReportMetric(float64(mp.Nanoseconds()), "badger-ns/op")
	b.ReportMetric(float64(mv)/float64(mp), "vault/badger")
}

func median(d []time.Duration) time.Duration {
	d = slices.Clone(d)
	slices.Sort(d)
	return d[len(d)/2]
}

func vaultWrite(b *testing.B, v *Vault, i int, val []byte) {
	key := benchKey(i)
	if err := v.Update(func(tx *Tx) error { return tx.Put(benchNS, key, val) }); err != nil {
		b.Fatalf("Update: %v", err)
	}
}

func vaultRead(b *testing.B, v *Vault, i int) {
	val, err := v.Get(benchNS, benchKey(i))
	if err != nil || len(val) != benchValueSize {
		b.Fatalf("Get: %d bytes, %v", len(val), err)
	}
}

// newFilledVault returns a vault holding 10,000 records of 2 KiB, freshly
// reopened.
func newFilledVault(b *testing.B) *Vault {
	v, dir, _ := newTestVault(b)
	fillVault(b, v, benchNS, benchRecords)
	return reopenVault(b, v, dir)
}

// openPlainBadger opens Badger as a program without our layer would: no
// encryption, no sealing, no audit, synced writes.
func openPlainBadger(b *testing.B, dir string) *badger.DB {
	b.Helper()
	db, err := badger.Open(plainBadgerOptions(dir))
	if err != nil {
		b.Fatalf("badger.Open: %v", err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

func plainBadgerOptions(dir string) badger.Options {
	return badger.DefaultOptions(dir).WithSyncWrites(true).WithLoggingLevel(badger.WARNING)
}

func plainKey(i int) []byte { return []byte(benchNS + "/" + benchKey(i)) }

func plainWrite(b *testing.B, db *badger.DB, i int, val []byte) {
	key := plainKey(i)
	if err := db.Update(func(txn *badger.Txn) error { return txn.Set(key, val) }); err != nil {
		b.Fatalf("Update: %v", err)
	}
}

func plainRead(b *testing.B, db *badger.DB, i int) {
	var val []byte
	err := db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(plainKey(i))
		if err != nil {
			return err
		}
		val, err = item.ValueCopy(nil)
		return err
	})
	if err != nil || len(val) != benchValueSize {
		b.Fatalf("Get: %d bytes, %v", len(val), err)
	}
}

// newFilledPlainBadger is newFilledVault for plain Badger.
func newFilledPlainBadger(b *testing.B) *badger.DB {
	dir := b.TempDir()
	db, err := badger.Open(plainBadgerOptions(dir))
	if err != nil {
		b.Fatalf("badger.Open: %v", err)
	}
	vals := newBenchValues()
	for lo := 0; lo < benchRecords; lo += benchBatch {
		err := db.Update(func(txn *badger.Txn) error {
			for i := lo; i < min(lo+benchBatch, benchRecords); i++ {
				if err := txn.Set(plainKey(i), vals.value(i)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatalf("fill: %v", err)
		}
	}
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
	return openPlainBadger(b, dir)
}

// BenchmarkScanNamespace reads and decrypts a whole namespace of 1,000
// records of 2 KiB, as listing a large case does.
func BenchmarkScanNamespace(b *testing.B) {
	v, dir, _ := newTestVault(b)
	fillVault(b, v, "other", benchScanSize) // a neighbour the scan must skip
	fillVault(b, v, benchNS, benchScanSize)
	v = reopenVault(b, v, dir)
	b.SetBytes(benchScanSize * benchValueSize)
	b.ReportAllocs()
	stop := cpuMeter(b)
	for b.Loop() {
		n := 0
		err := v.Scan(benchNS, "", func(string, []byte) error { n++; return nil })
		if err != nil || n != benchScanSize {
			b.Fatalf("Scan: %d records, %v", n, err)
		}
	}
	stop()
}

// BenchmarkBackup writes a backup of a vault of 10,000 records of 2 KiB.
func BenchmarkBackup(b *testing.B) {
	v, dir, _ := newTestVault(b)
	fillVault(b, v, benchNS, benchRecords)
	v = reopenVault(b, v, dir)
	b.SetBytes(benchRecords * benchValueSize)
	b.ReportAllocs()
	stop := cpuMeter(b)
	for b.Loop() {
		if err := v.Backup(io.Discard); err != nil {
			b.Fatalf("Backup: %v", err)
		}
	}
	stop()
}
