package app

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

var benchNow = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

// demoCache keeps generated demo data per size across benchmarks.
var demoCache sync.Map

func benchDemo(b *testing.B, n int) *DemoData {
	b.Helper()
	if d, ok := demoCache.Load(n); ok {
		return d.(*DemoData)
	}
	d := Demo(DemoOptions{Cases: n, Seed: 7, Now: benchNow, Messages: 10, HistoryDays: benchHistoryDays})
	demoCache.Store(n, d)
	return d
}

var benchSizes = []int{1_000, 10_000}

// benchHistoryDays gives both sizes the same years of history, as
// demovault.HistoryDays does the benchmarks' vaults.
const benchHistoryDays = 10_000 / 3

// BenchmarkDue measures the due list over every case, as the store
// computes it when no case changed since the last time (the brigading flags
// are cached).
func BenchmarkDue(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("cases=%d", n), func(b *testing.B) {
			d := benchDemo(b, n)
			ctx := Context{Now: benchNow, Member: d.Roster.Me, Roster: d.Roster, Config: DefaultConfig()}
			flags := DetectBrigading(d.Cases, ctx.Config.BrigadeConfig())
			b.ReportAllocs()
			for b.Loop() {
				if items := Due(d.Cases, flags, ctx, benchNow); len(items) == 0 {
					b.Fatal("empty due list")
				}
			}
		})
	}
}

// BenchmarkDueAfterChange measures the due list after a case changed:
// brigading detection runs again.
func BenchmarkDueAfterChange(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("cases=%d", n), func(b *testing.B) {
			d := benchDemo(b, n)
			ctx := Context{Now: benchNow, Member: d.Roster.Me, Roster: d.Roster, Config: DefaultConfig()}
			b.ReportAllocs()
			for b.Loop() {
				items := Due(d.Cases, DetectBrigading(d.Cases, ctx.Config.BrigadeConfig()), ctx, benchNow)
				if len(items) == 0 {
					b.Fatal("empty due list")
				}
			}
		})
	}
}

// BenchmarkSearch measures one query over cases and about ten messages
// per case.
func BenchmarkSearch(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("cases=%d", n), func(b *testing.B) {
			d := benchDemo(b, n)
			idx := NewSearchIndex()
			for _, c := range d.Cases {
				addCaseDocs(idx, c, d.Messages[c.ID])
			}
			b.ReportAllocs()
			for b.Loop() {
				if hits := idx.Search("threatened addr", 50); len(hits) == 0 {
					b.Fatal("no hits")
				}
			}
		})
	}
}

// BenchmarkList measures the case list with each case's next due date.
func BenchmarkList(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("cases=%d", n), func(b *testing.B) {
			d := benchDemo(b, n)
			s := &Store{now: func() time.Time { return benchNow }, cases: map[string]*Case{}, codes: map[string]string{},
				config: DefaultConfig(), roster: *d.Roster}
			for _, c := range d.Cases {
				s.cases[c.ID] = leanCase(c) // as the store keeps them
				s.codes[c.Code] = c.ID
			}
			b.ReportAllocs()
			for b.Loop() {
				if got := s.List(""); len(got) != n {
					b.Fatalf("listed %d cases, want %d", len(got), n)
				}
			}
		})
	}
}

// BenchmarkDueSameShape measures how the due list grows with the number of
// cases alone: the larger set is copies of the smaller one, so each case
// brings the same work.
func BenchmarkDueSameShape(b *testing.B) {
	base := benchDemo(b, 1_000)
	for _, copies := range []int{1, 10} {
		var cases []*Case
		for i := range copies {
			for _, c := range base.Cases {
				cp := clone(c)
				cp.ID = fmt.Sprintf("%s-%d", c.ID, i)
				cp.Code = fmt.Sprintf("%s-%d", c.Code, i)
				cases = append(cases, cp)
			}
		}
		b.Run(fmt.Sprintf("cases=%d", len(cases)), func(b *testing.B) {
			ctx := Context{Now: benchNow, Member: base.Roster.Me, Roster: base.Roster, Config: DefaultConfig()}
			flags := DetectBrigading(cases, ctx.Config.BrigadeConfig())
			b.ReportAllocs()
			for b.Loop() {
				if items := Due(cases, flags, ctx, benchNow); len(items) == 0 {
					b.Fatal("empty due list")
				}
			}
		})
	}
}

// BenchmarkArchiveSource measures what the archive export asks of the
// store: every case (a view, with ViewCases) and every identity the vault
// knows.
func BenchmarkArchiveSource(b *testing.B) {
	d := benchDemo(b, 10_000)
	s := &Store{now: func() time.Time { return benchNow }, cases: map[string]*Case{}, codes: map[string]string{},
		config: DefaultConfig(), roster: *d.Roster}
	for _, c := range d.Cases {
		s.cases[c.ID] = leanCase(c) // as the store keeps them
		s.codes[c.Code] = c.ID
	}
	b.Run("ViewCases", func(b *testing.B) {
		for b.Loop() {
			s.ViewCases(func(cases []*Case) error {
				if len(cases) == 0 {
					b.Fatal("no cases")
				}
				return nil
			})
		}
	})
	b.Run("Identities", func(b *testing.B) {
		for b.Loop() {
			if got := s.Identities(); len(got) == 0 {
				b.Fatal("no identities")
			}
		}
	})
}
