// Package demovault builds and opens the demo vaults that benchmarks
// outside the app package measure (see casebook/internal/benchvault).
package demovault

import (
	"fmt"
	"testing"
	"time"

	"casebook/app"
	"casebook/internal/benchvault"
	"casebook/vault"
)

// Passphrase unlocks every demo vault; it is for benchmarks only.
const Passphrase = "benchmark vault passphrase, synthetic"

// Now is the benchmarks' clock: the demo cases are made as of this time.
var Now = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

// Sizes are the numbers of cases the benchmarks measure at.
var Sizes = []int{1_000, 10_000}

// HistoryDays is how far back the demo vaults' closed cases go, at every
// size: the default for the largest, about nine years. Ten times the cases
// is then ten times as many in the same years, not a longer history with
// more cases past their retention (app.DemoOptions.HistoryDays).
const HistoryDays = 10_000 / 3

// Build returns a function that fills an empty directory with a vault of
// n demo cases of about ten messages each (seed 7) over HistoryDays,
// made with the low-cost key derivation of tests.
func Build(n int) func(dir string) error {
	return func(dir string) error {
		vault.UseLowCostKDFForTesting()
		v, _, err := vault.Create(dir, []byte(Passphrase), vault.Options{Now: func() time.Time { return Now }})
		if err != nil {
			return err
		}
		s, err := app.OpenStore(v, func() time.Time { return Now })
		if err != nil {
			v.Lock()
			return err
		}
		// AddDemo settles the tables, as in a vault used for years, so that
		// no compaction runs in the background of what is measured.
		if _, _, err := s.AddDemo(app.DemoOptions{Cases: n, Seed: 7, Now: Now, Messages: 10, HistoryDays: HistoryDays}); err != nil {
			v.Lock()
			return err
		}
		return v.Lock()
	}
}

// ForSizes runs fn as a sub-benchmark "cases=N" for each of Sizes.
func ForSizes(b *testing.B, fn func(b *testing.B, n int)) {
	for _, n := range Sizes {
		b.Run(fmt.Sprintf("cases=%d", n), func(b *testing.B) { fn(b, n) })
	}
}

// Template returns the closed demo vault of n cases, built once per process.
func Template(tb testing.TB, n int) string {
	tb.Helper()
	return benchvault.Template(tb, fmt.Sprintf("demo-%d", n), Build(n))
}

// Open opens a fresh copy of the demo vault of n cases and its store; both
// close when tb ends.
func Open(tb testing.TB, n int) (*vault.Vault, *app.Store) {
	tb.Helper()
	dir := benchvault.Copy(tb, Template(tb, n))
	v, err := vault.Open(dir, []byte(Passphrase), vault.Options{Now: func() time.Time { return Now }})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { v.Lock() })
	s, err := app.OpenStore(v, func() time.Time { return Now })
	if err != nil {
		tb.Fatal(err)
	}
	return v, s
}
