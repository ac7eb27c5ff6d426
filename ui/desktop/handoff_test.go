package desktop

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"casebook/app"
	"casebook/export"
)

// A case goes to another member's vault and comes back with their note
// and a change that clashes with one made here, which is settled in the
// case, not overwritten; a damaged bundle changes nothing.
func TestCaseTravelsBetweenTwoVaults(t *testing.T) {
	h := unlockedWith(t, report(newClock().Now().Add(-time.Hour), "Rude replies"))
	a := h.g.sess.store
	code := a.List("")[0].Code

	// Avery's vault, with Avery using it.
	other := filepath.Join(t.TempDir(), "avery")
	createVault(t, other, h.clock, func(s *app.Store) error {
		return s.UpdateRoster(func(r *app.Roster) error {
			m, err := r.Add("Avery Member", "")
			if err != nil {
				return err
			}
			r.Me = m.ID
			_, err = r.Add(testMember, "")
			return err
		})
	})
	var averyLine string
	withStore(t, other, h.clock, func(s *app.Store) {
		var err error
		if averyLine, err = s.MyKeyLine(); err != nil {
			t.Fatal(err)
		}
		myLine, err := a.MyKeyLine()
		if err != nil {
			t.Fatal(err)
		}
		k, _, err := app.ParseMemberKey(myLine)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetMemberKey(s.Roster().Find(testMember).ID, k, false); err != nil {
			t.Fatal(err)
		}
	})

	// Avery's key recorded through Settings.
	s := h.g.work.settings
	s.w.tabs.Select(s.w.settingsTab)
	test.Tap(findButton(t, h.g.work.settingsTab.Content, "Key…"))
	h.fillItem(h.g.lastForm, "Key line", averyLine)
	test.Tap(h.g.lastForm.ok)
	if a.Roster().Find("Avery Member").Key == nil {
		t.Fatalf("Avery's key not recorded: %s", h.g.lastForm.problem.Text)
	}

	// Sent from the case.
	h.g.work.openCase(code, nil)
	test.Tap(findButton(t, h.g.work.cases.current.body, "Send to member…"))
	h.fillItem(h.g.lastForm, "To", "Avery Member")
	out := filepath.Join(t.TempDir(), code+bundleExt)
	h.save = out
	test.Tap(h.g.lastForm.ok)
	if h.g.lastForm.problem.Text != "" {
		t.Fatalf("send refused: %s", h.g.lastForm.problem.Text)
	}
	h.g.closeDialogs()

	// Avery imports it, adds a note, writes an archive summary, sends it back.
	back := filepath.Join(t.TempDir(), "back"+bundleExt)
	withStore(t, other, h.clock, func(s *app.Store) {
		f, err := os.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := s.ImportBundle(f); err != nil {
			t.Fatalf("Avery's import: %v", err)
		}
		if _, err := s.AddNote(code, "Avery's note from the other laptop", app.Visibility{}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetArchiveSummary(code, "Avery's summary"); err != nil {
			t.Fatal(err)
		}
		o, err := s.PrepareBundle([]string{code}, []string{s.Roster().Find(testMember).ID}, app.BundleOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if err := export.WriteBundle(back, o); err != nil {
			t.Fatal(err)
		}
	})
	// Meanwhile the same field changed here.
	if _, err := a.SetArchiveSummary(code, "Morgan's summary"); err != nil {
		t.Fatal(err)
	}

	// A damaged copy is refused and changes nothing.
	data, _ := os.ReadFile(back)
	bad := append([]byte(nil), data...)
	bad[len(bad)/2] ^= 0x40
	damaged := filepath.Join(t.TempDir(), "damaged"+bundleExt)
	os.WriteFile(damaged, bad, 0o600)
	h.open = damaged
	before, _ := a.Case(code)
	test.Tap(findButton(t, h.g.work.top, "Import bundle…"))
	after, _ := a.Case(code)
	if len(after.Notes) != len(before.Notes) || len(h.g.dialogs) != 1 {
		t.Fatalf("a damaged bundle: %d notes, %d dialogs", len(after.Notes), len(h.g.dialogs))
	}
	h.g.closeDialogs()

	h.open = back
	test.Tap(findButton(t, h.g.work.top, "Import bundle…"))
	c, _ := a.Case(code)
	if len(c.Notes) != 1 || c.Notes[0].Text != "Avery's note from the other laptop" {
		t.Fatalf("notes after the import: %+v", c.Notes)
	}
	if c.ArchiveSummary != "Morgan's summary" {
		t.Fatalf("the clashing change overwrote this vault's: %q", c.ArchiveSummary)
	}
	h.g.closeDialogs()
	h.g.work.openCase(code, nil)
	test.Tap(findButton(t, h.g.work.cases.current.body, "Take theirs"))
	if c, _ := a.Case(code); c.ArchiveSummary != "Avery's summary" {
		t.Errorf("after taking theirs: %q", c.ArchiveSummary)
	}
	if k, _ := a.MergeConflicts(code); len(k) != 0 {
		t.Errorf("%d conflicts left", len(k))
	}
}

func TestExpungeFromTheWeek(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "vault")
	clk := newClock()
	makeDemoVault(t, dir, clk, 40)
	h := newHarness(t, dir, clk)
	h.unlock(testPassphrase)
	s := h.g.sess.store
	due := s.ExpungeDue(clk.Now())
	if len(due) == 0 {
		t.Fatal("the demo has no case due to be expunged; the test needs one")
	}
	before := len(s.List(""))
	test.Tap(findButton(t, h.g.work.weekTab.Content, "Expunge…"))
	test.Tap(findButton(t, h.g.win.Canvas().Overlays().Top(), "Expunge"))
	h.wait()
	if got := len(s.List("")); got != before-countVisible(due) {
		t.Errorf("%d cases after expunging, want %d", got, before-countVisible(due))
	}
	if len(s.ExpungeDue(clk.Now())) != 0 {
		t.Error("cases still due to be expunged")
	}
	if !strings.Contains(strings.Join(texts(h.g.win.Canvas().Overlays().Top()), " "), "Expunged") {
		t.Error("the app did not say what it expunged")
	}
}

func countVisible(due []app.ExpungeCandidate) int {
	n := 0
	for _, c := range due {
		if !c.Hidden {
			n++
		}
	}
	return n
}
