package desktop

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"casebook/internal/benchvault"
	"casebook/internal/benchvault/demovault"
	"casebook/vault"
)

// benchGUI is the app on a fresh copy of the demo vault of n cases, its
// window the size of the tests', with the vault unlocked and the workspace
// shown.
func benchGUI(b *testing.B, n int) *gui {
	b.Helper()
	dir := benchvault.Copy(b, demovault.Template(b, n))
	clk := func() time.Time { return demovault.Now }
	g := newGUI(test.NewTempApp(b), dir, Options{Now: clk, Logger: quiet, Vault: vault.Options{Logger: quiet, Now: clk}})
	g.spawn = func(work func()) { work() }
	g.win.Resize(windowSize)
	b.Cleanup(func() {
		if g.sess != nil {
			g.sess.close()
		}
		g.win.Close()
	})
	s, err := openSession(dir, []byte(demovault.Passphrase), g.opts)
	if err != nil {
		b.Fatal(err)
	}
	g.unlocked(s)
	s.store.WarmSearch() // wait for the index the app builds in the background
	return g
}

// BenchmarkDesktopWorkspace measures what a member waits for between the
// vault opening and This week on screen: the workspace with its due list
// and case table built, on a case book already loaded.
func BenchmarkDesktopWorkspace(b *testing.B) {
	demovault.ForSizes(b, func(b *testing.B, n int) {
		g := benchGUI(b, n)
		b.ReportAllocs()
		for b.Loop() {
			g.unlocked(g.sess)
		}
	})
}

// BenchmarkDesktopCaseList measures opening the Cases tab's list again:
// every case read from the store, its cells made and the table redrawn.
func BenchmarkDesktopCaseList(b *testing.B) {
	demovault.ForSizes(b, func(b *testing.B, n int) {
		g := benchGUI(b, n)
		cases := g.work.cases
		b.ReportAllocs()
		for b.Loop() {
			cases.refresh()
		}
		if len(cases.rows) != n {
			b.Fatalf("%d rows, want %d", len(cases.rows), n)
		}
	})
}

// BenchmarkDesktopDueList measures This week's due list made again.
func BenchmarkDesktopDueList(b *testing.B) {
	demovault.ForSizes(b, func(b *testing.B, n int) {
		g := benchGUI(b, n)
		week := g.work.week
		b.ReportAllocs()
		for b.Loop() {
			week.refresh()
		}
		if len(week.rows) == 0 {
			b.Fatal("nothing due")
		}
	})
}
