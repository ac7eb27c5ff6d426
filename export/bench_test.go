package export

import (
	"io"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"

	"casebook/app"
)

// BenchmarkUpdate builds and lays out one party's update; the goal is
// under 20 ms.
func BenchmarkUpdate(b *testing.B) {
	c, msgs := fixture()
	cfg := testConfig()
	if _, err := loadCoverage(); err != nil {
		b.Fatal(err)
	}
	for _, party := range []string{"p2", "p4"} { // p4's name needs the CJK font
		b.Run(party, func(b *testing.B) {
			for b.Loop() {
				u, err := BuildPartyUpdate(c, msgs, party, cfg, UpdateOptions{}, asOf)
				if err != nil {
					b.Fatal(err)
				}
				if err := WriteUpdate(io.Discard, u, PDFOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkUpdateBatch500 makes 500 updates as 'casebook report updates'
// does, on every CPU; the goal is under 5 s. One party in four has a
// Chinese name, which costs the large CJK font.
func BenchmarkUpdateBatch500(b *testing.B) {
	c, msgs := fixture()
	cfg := testConfig()
	parties := []string{"p1", "p2", "p3", "p4"}
	for b.Loop() {
		errs := Parallel(500, func(i int) error {
			u, err := BuildPartyUpdate(c, msgs, parties[i%len(parties)], cfg, UpdateOptions{}, asOf)
			if err != nil {
				return err
			}
			return WriteUpdate(io.Discard, u, PDFOptions{})
		})
		for _, err := range errs {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkCutCommonFont is the one-time cost, per process, of the first
// document that needs Chinese or Japanese: cutting the common font from
// Droid Sans Fallback.
func BenchmarkCutCommonFont(b *testing.B) {
	cov, err := loadCoverage()
	if err != nil {
		b.Fatal(err)
	}
	fb, runes := cov.runesOf("cjk-common")
	for b.Loop() {
		fpdf.UTF8CutFont(fb.data, string(runes))
	}
}

// archiveBench is the input of the archive benchmarks: the 10,000-case
// demo (about nine years of a busy committee), with every identity it
// knows as the store would give them.
var archiveBench = sync.OnceValue(func() ArchiveInput {
	d := app.Demo(app.DemoOptions{Cases: 10_000, Seed: 7, Now: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC), Messages: 1})
	in := ArchiveInput{Cases: d.Cases, Location: time.UTC}
	for _, m := range d.Roster.Members {
		in.Identities = append(in.Identities, app.Identity{Name: m.Name, Contact: m.Contact})
	}
	for _, c := range d.Cases {
		for _, p := range c.Parties {
			in.Identities = append(in.Identities, app.Identity{Name: p.Name, Pseudonym: p.Pseudonym, Handle: p.Handle, Contact: p.Contact})
		}
	}
	for y := 2018; y <= 2025; y++ {
		in.Expunged = append(in.Expunged, app.ExpungedCount{Year: y, Quarter: 2, Outcome: app.OutcomeWarning, Cases: 40})
	}
	return in
})

// BenchmarkArchive exports the 10,000 demo cases as 'casebook export
// archive' does once the vault is open: the records, the report, the
// files laid out (charts, PDF, CSV, JSON Lines) and written, synced, into
// a new directory. The goal is under 3 s. The sub-benchmarks time the
// steps: building the records and report, and laying out the files.
func BenchmarkArchive(b *testing.B) {
	in := archiveBench()
	opts := ArchiveOptions{Seed: new(uint64), Generated: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC), Program: "bench"}
	b.Run("cases=10000", func(b *testing.B) {
		dir := b.TempDir()
		n := 0
		for b.Loop() {
			a, err := BuildArchive(in, opts)
			if err != nil {
				b.Fatal(err)
			}
			n++
			if err := WriteArchive(filepath.Join(dir, strconv.Itoa(n)), a, PDFOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("build", func(b *testing.B) {
		for b.Loop() {
			if _, err := BuildArchive(in, opts); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("files", func(b *testing.B) {
		a, err := BuildArchive(in, opts)
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := a.Files(PDFOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
