package desktop

import (
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/test"

	"casebook/app"
)

// makeDemoVault creates a vault holding the seeded demo committee, so the
// screens show the same cases on every run.
func makeDemoVault(t *testing.T, dir string, clk *clock, cases int) {
	t.Helper()
	createVault(t, dir, clk, func(s *app.Store) error {
		d := app.Demo(app.DemoOptions{Cases: cases, Seed: 7, Now: clk.Now(), Config: s.Config()})
		if err := s.UpdateRoster(func(r *app.Roster) error { *r = *d.Roster; return nil }); err != nil {
			return err
		}
		_, err := s.Import(d.Cases, d.Messages)
		return err
	})
}

// The screens that matter render as recorded in testdata/*.xml. After an
// intended change, copy the files from testdata/failed/ over them and
// look at the difference.
func TestScreensRenderToMarkup(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "vault")
	clk := newClock()
	makeDemoVault(t, dir, clk, 12)
	h := newHarness(t, dir, clk)
	c := h.g.win.Canvas()
	test.AssertRendersToMarkup(t, "unlock.xml", c)

	h.unlock(testPassphrase)
	w := h.g.work
	test.AssertRendersToMarkup(t, "week.xml", c)
	w.tabs.Select(w.casesTab)
	test.AssertRendersToMarkup(t, "cases.xml", c)
	w.tabs.Select(w.newTab)
	test.AssertRendersToMarkup(t, "new_report.xml", c)
	test.Tap(w.form.file)
	test.AssertRendersToMarkup(t, "new_report_problems.xml", c)
}

func TestCreateScreenRendersToMarkup(t *testing.T) {
	h := newHarness(t, filepath.Join(t.TempDir(), "vault"), newClock())
	test.AssertRendersToMarkup(t, "create.xml", h.g.win.Canvas())
}
