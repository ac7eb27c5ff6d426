package desktop

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"casebook/app"
	"casebook/export"
)

// openOnlyCase unlocks the harness's vault and opens its one case.
func (h *harness) openOnlyCase() *caseView {
	h.t.Helper()
	h.unlock(testPassphrase)
	list := h.g.sess.store.List("")
	if len(list) != 1 {
		h.t.Fatalf("%d cases", len(list))
	}
	h.g.work.openCase(list[0].Code, nil)
	return h.g.work.cases.current
}

// do takes one step through the workspace alone: the action's button,
// then its dialog, filled by label, then the dialog's button.
func (h *harness) do(a app.Action, fill map[string]string) {
	h.t.Helper()
	v := h.g.work.cases.current
	b := v.actions[a]
	if b == nil {
		h.t.Fatalf("%s is not on the checklist at %s", a, v.c.Stage)
	}
	if b.Disabled() {
		h.t.Fatalf("%s waits: %s", a, v.why[a].Text)
	}
	test.Tap(b)
	f := h.g.lastForm
	for label, value := range fill {
		h.fillItem(f, label, value)
	}
	test.Tap(f.ok)
	if f.problem.Text != "" {
		h.t.Fatalf("%s refused: %s", a, f.problem.Text)
	}
}

// fillItem sets the form item with the label: a select or radio by the
// start of an option, an entry by text.
func (h *harness) fillItem(f *formDialog, label, value string) {
	h.t.Helper()
	for _, it := range f.items {
		if it.Text != label {
			continue
		}
		switch w := it.Widget.(type) {
		case *widget.Select:
			for _, o := range w.Options {
				if strings.Contains(o, value) {
					w.SetSelected(o)
					return
				}
			}
			h.t.Fatalf("%s: no option %q in %q", label, value, w.Options)
		case *widget.RadioGroup:
			for _, o := range w.Options {
				if strings.HasPrefix(o, value) {
					w.SetSelected(o)
					return
				}
			}
			h.t.Fatalf("%s: no option %q", label, value)
		case *widget.CheckGroup:
			for _, o := range w.Options {
				if strings.Contains(o, value) {
					w.SetSelected(append(w.Selected, o))
					return
				}
			}
			h.t.Fatalf("%s: no option %q", label, value)
		case *widget.Entry:
			w.SetText(value)
			return
		case *entry:
			w.SetText(value)
			return
		}
	}
	h.t.Fatalf("no form item %q", label)
}

func TestCaseFromReceivedToClosedInTheWorkspace(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "vault")
	clk := newClock()
	makeVault(t, dir, clk, report(clk.Now().Add(-time.Hour), "Rude replies in the issue queue"))
	h := newHarness(t, dir, clk)
	v := h.openOnlyCase()
	steps := []struct {
		a    app.Action
		fill map[string]string
		at   app.Stage
	}{
		{app.ActCheckConflicts, nil, app.StageReceived},
		{app.ActAcknowledge, nil, app.StageAcknowledged},
		{app.ActTriage, map[string]string{"Scope": "in scope", "Impact": "moderate", "Risk": "low", "Responder": testMember}, app.StageGathering},
		{app.ActContact, map[string]string{"Party": "p2"}, app.StageGathering},
		{app.ActResponded, map[string]string{"Party": "p2"}, app.StageGathering},
		{app.ActStartReview, nil, app.StageReview},
		{app.ActConcludeReview, map[string]string{"Findings": "the replies broke the code"}, app.StageResolution},
		{app.ActRequestFeedback, map[string]string{"Party": "p1"}, app.StageResolution},
		{app.ActRequestFeedback, map[string]string{"Party": "p2"}, app.StageResolution},
		{app.ActOpenVote, map[string]string{"Outcome": app.OutcomeWarning.Title()}, app.StageResolution},
		{app.ActVote, map[string]string{"Vote": "For"}, app.StageResolution},
		{app.ActVote, map[string]string{"Member": "Avery Member", "Vote": "For"}, app.StageResolution},
		{app.ActCloseVote, nil, app.StageResolution},
		{app.ActDecide, nil, app.StageInforming},
		{app.ActInform, map[string]string{"Party": "p1"}, app.StageInforming},
		{app.ActInform, map[string]string{"Party": "p2"}, app.StageInforming},
		{app.ActScheduleFollowUp, nil, app.StageFollowUp},
		{app.ActClose, nil, app.StageClosed},
	}
	for _, s := range steps {
		clk.Advance(time.Hour)
		h.do(s.a, s.fill)
		if got := h.g.work.cases.current.c.Stage; got != s.at {
			t.Fatalf("after %s: stage %s, want %s", s.a, got, s.at)
		}
	}
	c, err := h.g.sess.store.Case(v.code)
	if err != nil {
		t.Fatal(err)
	}
	if c.Stage != app.StageClosed || c.Outcome != app.OutcomeWarning || c.ExpungeOn.IsZero() {
		t.Errorf("stored case: %s, %s, expunge %v", c.Stage, c.Outcome, c.ExpungeOn)
	}
}

func TestRefusedStepSaysWhyAndChangesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "vault")
	clk := newClock()
	makeVault(t, dir, clk, report(clk.Now().Add(-time.Hour), "Rude replies"))
	h := newHarness(t, dir, clk)
	v := h.openOnlyCase()
	// A step that must wait is disabled, with its reason beside it.
	if b := v.actions[app.ActAcknowledge]; !b.Disabled() || !strings.Contains(v.why[app.ActAcknowledge].Text, "conflicts of interest first") {
		t.Errorf("acknowledge: disabled %v, why %q", b.Disabled(), v.why[app.ActAcknowledge].Text)
	}
	// A step refused by the process keeps its dialog open with the reason.
	h.do(app.ActCheckConflicts, nil)
	h.do(app.ActAcknowledge, nil)
	v = h.g.work.cases.current
	test.Tap(v.actions[app.ActTriage])
	f := h.g.lastForm
	h.fillItem(f, "Responder", testMember)
	// Avery declares a hard conflict in the meantime, so Avery may not
	// be responder; choose Avery.
	if _, err := h.g.sess.store.DeclareConflict(v.code, h.g.sess.store.Roster().Find("Avery Member").ID, app.HardConflict, "a colleague"); err != nil {
		t.Fatal(err)
	}
	h.fillItem(f, "Responder", "Avery Member")
	before, _ := h.g.sess.store.Case(v.code)
	test.Tap(f.ok)
	if !strings.Contains(f.problem.Text, "Nothing was changed") {
		t.Fatalf("problem %q", f.problem.Text)
	}
	after, _ := h.g.sess.store.Case(v.code)
	if after.Stage != before.Stage || len(after.History) != len(before.History) {
		t.Error("a refused step changed the case")
	}
}

// acknowledgedCase opens the window on the one case of a vault, received
// 20 days ago and acknowledged the day after, so that its reporter is
// owed a status update.
func acknowledgedCase(t *testing.T) *harness {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "vault")
	clk := newClock()
	makeVault(t, dir, clk, report(clk.Now().Add(-20*24*time.Hour), "Rude replies in the issue queue"))
	acknowledgeAll(t, dir, clk.Now().Add(-19*24*time.Hour))
	h := newHarness(t, dir, clk)
	h.openOnlyCase()
	return h
}

func TestExportsWriteIntoTheChosenFolder(t *testing.T) {
	h := acknowledgedCase(t)
	out := t.TempDir()
	const canary = "CANARY-committee-only-note"

	// A committee-only note, and one shared with the reporter.
	test.Tap(findButton(t, h.g.work.cases.stack, "Add a note…"))
	h.fillItem(h.g.lastForm, "Note", canary)
	test.Tap(h.g.lastForm.ok)
	test.Tap(findButton(t, h.g.work.cases.stack, "Add a note…"))
	h.fillItem(h.g.lastForm, "Note", "Shared-with-reporter note")
	h.fillItem(h.g.lastForm, "Share with", "p1")
	test.Tap(h.g.lastForm.ok)
	v := h.g.work.cases.current
	if len(v.c.Notes) != 2 || !v.c.Notes[0].Visibility.CommitteeOnly() || !v.c.Notes[1].Visibility.VisibleTo("p1") {
		t.Fatalf("notes: %+v", v.c.Notes)
	}

	// The reporter's status update, made from the window.
	h.save = filepath.Join(out, "update.pdf")
	test.Tap(findButton(t, h.g.work.cases.stack, "Status update…"))
	h.fillItem(h.g.lastForm, "For", "p1")
	test.Tap(h.g.lastForm.ok)
	h.wait()
	text := pdfText(t, h.save)
	if !strings.Contains(text, "Shared-with-reporter note") {
		t.Errorf("the shared note is missing from the update:\n%s", text)
	}
	if strings.Contains(text, canary) {
		t.Error("the committee-only note is in the party's update")
	}

	h.save = filepath.Join(out, "summary.pdf")
	test.Tap(findButton(t, h.g.work.cases.stack, "Case summary…"))
	h.wait()
	if text := pdfText(t, h.save); !strings.Contains(text, canary) || !strings.Contains(text, "CONFIDENTIAL") {
		t.Error("the case summary lacks the committee's note or its mark")
	}

	h.save = filepath.Join(out, "agenda.pdf")
	h.g.work.onExportAgenda()
	h.wait()
	if text := pdfText(t, h.save); !strings.Contains(text, v.code) {
		t.Error("the agenda does not list the case")
	}

	// Every status update due, into a folder, recorded as sent.
	batch := filepath.Join(out, "batch")
	if err := os.Mkdir(batch, 0o700); err != nil {
		t.Fatal(err)
	}
	h.save = batch
	owed, _ := owedCount(h)
	if owed == 0 {
		t.Fatal("no update is owed; the test needs one")
	}
	h.g.work.onExportUpdatesDue()
	h.wait()
	files, _ := filepath.Glob(filepath.Join(batch, "*.pdf"))
	if len(files) != owed {
		t.Errorf("%d files in the folder, want %d", len(files), owed)
	}
	if n, _ := owedCount(h); n != 0 {
		t.Errorf("%d updates still owed after the batch", n)
	}
	for _, f := range h.saved {
		if !strings.HasPrefix(f, out) {
			t.Errorf("wrote outside the chosen place: %s", f)
		}
	}
}

func TestCancelledBatchLeavesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "vault")
	clk := newClock()
	makeVault(t, dir, clk,
		report(clk.Now().Add(-20*24*time.Hour), "First long-running matter"),
		report(clk.Now().Add(-21*24*time.Hour), "Second long-running matter"))
	acknowledgeAll(t, dir, clk.Now().Add(-19*24*time.Hour))
	h := newHarness(t, dir, clk)
	h.unlock(testPassphrase)
	before, _ := owedCount(h)
	if before == 0 {
		t.Fatal("no update is owed; the test needs some")
	}
	h.save = t.TempDir()
	h.g.onProgress = func(cancel *widget.Button) { test.Tap(cancel) }
	h.g.work.onExportUpdatesDue()
	h.wait()
	if files, _ := os.ReadDir(h.save); len(files) != 0 {
		t.Errorf("%d files left after cancelling", len(files))
	}
	if after, _ := owedCount(h); after != before {
		t.Errorf("%d updates owed after cancelling, want %d: something was recorded", after, before)
	}
}

// owedCount counts the updates owed by today.
func owedCount(h *harness) (int, error) {
	owed, err := export.OwedUpdates(h.g.sess.store, h.clock.Now(), export.UpdateOptions{})
	return len(owed), err
}

// pdfText extracts a PDF's text with pdftotext.
func pdfText(t *testing.T, path string) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) is not installed; make test installs it")
	}
	out, err := exec.CommandContext(context.Background(), "pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", filepath.Base(path), err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

func TestEscapeInADialogsEntryClosesIt(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "vault")
	clk := newClock()
	makeVault(t, dir, clk, report(clk.Now().Add(-time.Hour), "Rude replies"))
	h := newHarness(t, dir, clk)
	h.openOnlyCase()
	test.Tap(findButton(t, h.g.work.cases.stack, "Add a note…"))
	var e *entry
	for _, it := range h.g.lastForm.items {
		if x, ok := it.Widget.(*entry); ok {
			e = x
		}
	}
	if e == nil {
		t.Fatal("the note dialog has no entry")
	}
	h.g.win.Canvas().Focus(e)
	test.Type(e, "half a note")
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if len(h.g.dialogs) != 0 {
		t.Fatalf("%d dialogs open after Escape", len(h.g.dialogs))
	}
	c, _ := h.g.sess.store.Case(h.g.work.cases.current.code)
	if len(c.Notes) != 0 {
		t.Error("Escape added the note")
	}
}

// The shortcuts are also in the main menu, which works while an entry
// has the keyboard.
func TestMainMenuCarriesTheShortcuts(t *testing.T) {
	h := unlockedWith(t)
	menu := h.g.win.MainMenu()
	if menu == nil || len(menu.Items) == 0 {
		t.Fatal("no main menu")
	}
	got := map[string]*fyne.MenuItem{}
	for _, it := range menu.Items[0].Items {
		if it.Shortcut != nil {
			got[it.Shortcut.ShortcutName()] = it
		}
	}
	for _, k := range []string{"CustomDesktop:Control+N", "CustomDesktop:Control+F", "CustomDesktop:Control+L"} {
		if got[k] == nil {
			t.Errorf("no menu item for %s in %v", k, got)
		}
	}
	h.g.win.Canvas().Focus(h.g.work.form.summary)
	got["CustomDesktop:Control+L"].Action()
	if h.g.sess != nil {
		t.Error("the menu's Lock did not lock")
	}
}

// The kind of behaviour and the archive summary are set in the case, and
// the anonymized archive is written into a new folder inside the chosen
// one, without the names it must not hold.
func TestArchiveFromTheWindow(t *testing.T) {
	h := unlockedWith(t, report(newClock().Now().Add(-time.Hour), "Rude replies"))
	code := h.g.sess.store.List("")[0].Code
	h.g.work.openCase(code, nil)
	v := h.g.work.cases.current
	v.category.SetSelected(app.CategoryHarassment.Title())
	test.Tap(findButtonPrefix(t, h.g.work.cases.current.body, "Archive summary"))
	h.fillItem(h.g.lastForm, "Summary", "Riley Reported posted insults; a warning was given.")
	test.Tap(h.g.lastForm.ok)
	c, _ := h.g.sess.store.Case(code)
	if c.Category != app.CategoryHarassment || !strings.Contains(c.ArchiveSummary, "warning") {
		t.Fatalf("case: %q, %q", c.Category, c.ArchiveSummary)
	}

	h.save = t.TempDir()
	h.g.work.onExportArchive()
	h.wait()
	dirs, _ := filepath.Glob(filepath.Join(h.save, "casebook-archive-*"))
	if len(dirs) != 1 {
		t.Fatalf("archive folders: %v", dirs)
	}
	for _, name := range []string{export.FileRecords, export.FileCSV, export.FileSchema, export.FileReport, export.FileManifest} {
		b, err := os.ReadFile(filepath.Join(dirs[0], name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if strings.Contains(strings.ToLower(string(b)), "riley") || strings.Contains(strings.ToLower(string(b)), "robin") {
			t.Errorf("%s holds a name", name)
		}
	}
	records, _ := os.ReadFile(filepath.Join(dirs[0], export.FileRecords))
	if !strings.Contains(string(records), "warning was given") {
		t.Error("the scrubbed summary is not in the records")
	}
}

// TestWithheldNoteAfterTheWrite: what an update withheld is said with the
// file written, in the one dialog that says so, and not at all when the
// write fails.
func TestWithheldNoteAfterTheWrite(t *testing.T) {
	h := acknowledgedCase(t)
	// Shared with the reported person, a text naming the reporter in a
	// form the redactor cannot take out alone: given as withheld whole.
	test.Tap(findButton(t, h.g.work.cases.stack, "Add a note…"))
	h.fillItem(h.g.lastForm, "Note", "We spoke with Robin about the thread")
	h.fillItem(h.g.lastForm, "Share with", "p2")
	test.Tap(h.g.lastForm.ok)
	for _, tc := range []struct {
		name    string
		path    string
		written bool
	}{
		{"write fails", filepath.Join(t.TempDir(), "no-such-folder", "update.pdf"), false},
		{"written", filepath.Join(t.TempDir(), "update.pdf"), true},
	} {
		h.g.closeDialogs()
		h.save = tc.path
		test.Tap(findButton(t, h.g.work.cases.stack, "Status update…"))
		h.fillItem(h.g.lastForm, "For", "p2")
		test.Tap(h.g.lastForm.ok)
		h.wait()
		if _, err := os.Stat(tc.path); (err == nil) != tc.written {
			t.Fatalf("%s: the file: %v", tc.name, err)
		}
		var said []string
		for _, o := range h.g.win.Canvas().Overlays().List() {
			said = append(said, texts(o)...)
		}
		got := strings.Join(said, " ")
		if len(h.g.dialogs) != 1 || strings.Contains(got, export.Withheld) != tc.written || strings.Contains(got, "was not written") == tc.written {
			t.Errorf("%s: %d dialogs, the window says %q", tc.name, len(h.g.dialogs), got)
		}
	}
}
