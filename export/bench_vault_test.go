package export

import (
	"io"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"casebook/app"
	"casebook/internal/benchvault/demovault"
)

// The Vault benchmarks make documents from a real vault of 1,000 and
// 10,000 demo cases, as the commands and the desktop do.

// BenchmarkVaultUpdate measures one party's status update as a member
// asks for it: the case and its messages read from the vault, the update
// built and laid out as a PDF.
func BenchmarkVaultUpdate(b *testing.B) {
	demovault.ForSizes(b, func(b *testing.B, n int) {
		_, s := demovault.Open(b, n)
		owed, err := OwedUpdates(s, demovault.Now, UpdateOptions{})
		if err != nil || len(owed) == 0 {
			b.Fatalf("%d updates owed, %v", len(owed), err)
		}
		cfg := s.Config()
		i := 0
		b.ReportAllocs()
		for b.Loop() {
			o := owed[i%len(owed)]
			i++
			c, err := s.Case(o.Code)
			if err != nil {
				b.Fatal(err)
			}
			msgs, err := s.Messages(o.Code)
			if err != nil {
				b.Fatal(err)
			}
			u, err := BuildPartyUpdate(c, msgs, o.Party, cfg, UpdateOptions{}, demovault.Now)
			if err != nil {
				b.Fatal(err)
			}
			if err := WriteUpdate(io.Discard, u, PDFOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkVaultUpdateBatch500 measures "Status updates due…": finding
// every update owed in the vault and laying out 500 of them (the owed
// ones, round again if there are fewer), on every CPU.
func BenchmarkVaultUpdateBatch500(b *testing.B) {
	demovault.ForSizes(b, func(b *testing.B, n int) {
		_, s := demovault.Open(b, n)
		b.ReportAllocs()
		owedCount := 0
		for b.Loop() {
			owed, err := OwedUpdates(s, demovault.Now, UpdateOptions{})
			if err != nil || len(owed) == 0 {
				b.Fatalf("%d updates owed, %v", len(owed), err)
			}
			owedCount = len(owed)
			errs := Parallel(500, func(i int) error {
				return WriteUpdate(io.Discard, owed[i%len(owed)].Update, PDFOptions{})
			})
			for _, err := range errs {
				if err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(owedCount), "owed")
	})
}

// BenchmarkVaultArchive measures the archive export from the vault: the
// records and report built from the store, the files laid out and
// written, synced, into a new directory.
func BenchmarkVaultArchive(b *testing.B) {
	demovault.ForSizes(b, func(b *testing.B, n int) {
		_, s := demovault.Open(b, n)
		dir := b.TempDir()
		opts := ArchiveOptions{K: DefaultK, Seed: new(uint64), Generated: demovault.Now, Program: app.Version}
		k := 0
		b.ReportAllocs()
		for b.Loop() {
			a, err := BuildArchiveFrom(s, time.Time{}, time.Time{}, opts)
			if err != nil {
				b.Fatal(err)
			}
			k++
			if err := WriteArchive(filepath.Join(dir, strconv.Itoa(k)), a, PDFOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
