package desktop

import (
	"bytes"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"casebook/app"
	"casebook/internal/benchvault"
	"casebook/vault"
)

func TestMain(m *testing.M) {
	vault.UseLowCostKDFForTesting()
	code := m.Run()
	benchvault.Cleanup()
	os.Exit(code)
}

// Synthetic people and secrets of the tests.
const (
	testPassphrase = "quiet lantern harbor meadow violet"
	testMember     = "Morgan Member"
	testTimeZone   = "Europe/Berlin"
)

// clock is a settable clock, safe across goroutines.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func newClock() *clock {
	loc, err := time.LoadLocation(testTimeZone)
	if err != nil {
		panic(err)
	}
	return &clock{t: time.Date(2026, time.November, 2, 10, 0, 0, 0, loc)}
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// harness is the app in a test window, on a vault in a temporary
// directory.
type harness struct {
	t     *testing.T
	dir   string
	clock *clock
	g     *gui
	saved []string // paths the injected save chooser returned
	save  string   // what the chooser answers next
	open  string   // what the chooser answers to open a file
	queue []func() // slow work started, not yet run
	// closed says the test closed the window itself.
	closed bool
}

// wait runs the slow work the app started, on the test's goroutine, as
// the UI goroutine would see it finish.
func (h *harness) wait() {
	for len(h.queue) > 0 {
		work := h.queue[0]
		h.queue = h.queue[1:]
		work()
	}
}

func newHarness(t *testing.T, dir string, clk *clock) *harness {
	t.Helper()
	a := test.NewTempApp(t)
	h := &harness{t: t, dir: dir, clock: clk}
	h.g = newGUI(a, dir, Options{
		Now:     clk.Now,
		Logger:  quiet,
		Vault:   vault.Options{Logger: quiet, Now: clk.Now},
		Chooser: h,
	})
	h.g.spawn = func(work func()) { h.queue = append(h.queue, work) }
	h.g.win.Resize(windowSize)
	t.Cleanup(func() {
		if h.g.sess != nil {
			h.g.sess.close()
		}
		if !h.closed {
			h.g.win.Close()
		}
	})
	return h
}

// SaveFile answers with h.save, as if the person chose it.
func (h *harness) SaveFile(_ fyne.Window, _, _ string, done func(string)) {
	h.saved = append(h.saved, h.save)
	done(h.save)
}

// Folder answers with h.save, as if the person chose it.
func (h *harness) Folder(_ fyne.Window, _ string, done func(string)) {
	h.saved = append(h.saved, h.save)
	done(h.save)
}

// createVault creates a vault in dir with the committee's settings in the
// test time zone, runs fill on its case book, and locks it again.
func createVault(t *testing.T, dir string, clk *clock, fill func(s *app.Store) error) {
	t.Helper()
	v, _, err := vault.Create(dir, []byte(testPassphrase), vault.Options{Actor: testMember, Logger: quiet})
	if err != nil {
		t.Fatalf("vault.Create: %v", err)
	}
	defer v.Lock()
	s, err := app.OpenStore(v, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	cfg := app.DefaultConfig()
	cfg.TimeZone = testTimeZone
	if err := s.SetConfig(cfg); err != nil {
		t.Fatal(err)
	}
	if err := fill(s); err != nil {
		t.Fatalf("filling the vault: %v", err)
	}
}

// OpenFile answers with h.open, as if the person chose it.
func (h *harness) OpenFile(_ fyne.Window, _, _ string, done func(string)) { done(h.open) }

// makeVault creates a vault with the two-member test committee and the
// given reports.
func makeVault(t *testing.T, dir string, clk *clock, reports ...*app.Intake) {
	t.Helper()
	createVault(t, dir, clk, func(s *app.Store) error {
		err := s.UpdateRoster(func(r *app.Roster) error {
			m, err := r.Add(testMember, "")
			if err != nil {
				return err
			}
			r.Me = m.ID
			_, err = r.Add("Avery Member", "")
			return err
		})
		for _, in := range reports {
			if err == nil {
				_, err = s.NewCase(in)
			}
		}
		return err
	})
}

// unlockedWith is the app unlocked on a new vault holding the reports.
func unlockedWith(t *testing.T, reports ...*app.Intake) *harness {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "vault")
	clk := newClock()
	makeVault(t, dir, clk, reports...)
	h := newHarness(t, dir, clk)
	h.unlock(testPassphrase)
	return h
}

// withStore opens the vault in dir and runs fn on its case book.
func withStore(t *testing.T, dir string, clk *clock, fn func(s *app.Store)) {
	t.Helper()
	v, err := vault.Open(dir, []byte(testPassphrase), vault.Options{Actor: testMember, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Lock()
	s, err := app.OpenStore(v, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	fn(s)
}

// acknowledgeAll checks conflicts and acknowledges every case, at the
// time at, so that their reporters are owed status updates a week later.
func acknowledgeAll(t *testing.T, dir string, at time.Time) {
	t.Helper()
	withStore(t, dir, &clock{t: at}, func(s *app.Store) {
		for _, sum := range s.List("") {
			for _, a := range []app.Action{app.ActCheckConflicts, app.ActAcknowledge} {
				if _, err := s.Step(sum.Code, app.Step{Action: a}); err != nil {
					t.Fatalf("%s: %v", a, err)
				}
			}
		}
	})
}

// report is a synthetic report received at t.
func report(t time.Time, summary string) *app.Intake {
	return &app.Intake{
		Received: t, Channel: app.ChannelEmail, Summary: summary,
		Reporter: &app.IntakeReporter{Name: "Robin Reporter", Contact: "robin@example.org"},
		People:   []app.IntakePerson{{Name: "Riley Reported", Contact: "riley@example.org", Role: app.RoleReported}},
	}
}

// unlock types the passphrase and waits for the vault to open.
func (h *harness) unlock(pass string) *unlockScreen {
	h.t.Helper()
	s := find[*unlockScreen](h)
	test.Type(s.pass, pass)
	test.Tap(s.unlock)
	h.wait()
	return s
}

// find returns the screen of type T now in the window; the harness keeps
// track of screens through the gui's fields.
func find[T any](h *harness) T {
	h.t.Helper()
	var zero T
	var got any
	switch any(zero).(type) {
	case *unlockScreen:
		got = h.g.lockedScreen
	case *createScreen:
		got = h.g.lockedScreen
	case *recoveryScreen:
		got = h.g.lockedScreen
	}
	s, ok := got.(T)
	if !ok {
		h.t.Fatalf("the window shows %T, not %T", got, zero)
	}
	return s
}

// snapshot hashes every file of a directory tree.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		out[p] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestFirstRunCreatesTheVault(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "vault")
	h := newHarness(t, dir, newClock())
	s := find[*createScreen](h)

	for _, tc := range []struct {
		name, pass, again, want string
	}{
		{"no name", testPassphrase, testPassphrase, "Enter your name"},
		{"short", "tiny", "tiny", "at least 10 characters"},
		{"guessable", "password1234", "password1234", "too easy to guess"},
		{"different", testPassphrase, testPassphrase + "x", "do not match"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.name.SetText("")
			if tc.name != "no name" {
				s.name.SetText(testMember)
			}
			s.pass.SetText(tc.pass)
			s.again.SetText(tc.again)
			test.Tap(s.create)
			h.wait()
			if !strings.Contains(s.message.Text, tc.want) {
				t.Errorf("message %q does not say %q", s.message.Text, tc.want)
			}
			if vault.Exists(dir) {
				t.Fatal("a vault was created")
			}
		})
	}

	s.name.SetText(testMember)
	s.pass.SetText("")
	test.Type(s.pass, testPassphrase)
	if s.verdict.Text != "Strength: Very strong" || s.strength.Value != 4 {
		t.Errorf("meter says %q at %v", s.verdict.Text, s.strength.Value)
	}
	s.again.SetText(testPassphrase)
	test.Tap(s.create)
	h.wait()
	if !vault.Exists(dir) {
		t.Fatalf("no vault; message %q", s.message.Text)
	}

	r := find[*recoveryScreen](h)
	if len(r.code) < 20 {
		t.Fatalf("recovery code %q", r.code)
	}
	if !r.next.Disabled() {
		t.Error("Continue is enabled before the code is stored")
	}
	h.save = filepath.Join(t.TempDir(), "sheet.pdf")
	test.Tap(findButton(t, h.g.win.Content(), "Save the recovery sheet as a PDF…"))
	pdf, err := os.ReadFile(h.save)
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("recovery sheet: %v", err)
	}
	if out, err := exec.Command("pdftotext", h.save, "-").Output(); err == nil {
		if !strings.Contains(strings.Join(strings.Fields(string(out)), ""), strings.ReplaceAll(r.code, "-", "")[:8]) &&
			!strings.Contains(string(out), r.code[:8]) {
			t.Errorf("the sheet does not hold the code: %q", out)
		}
	}
	test.Tap(r.stored)
	test.Tap(r.next)
	if h.g.work == nil {
		t.Fatal("the workspace did not open")
	}
	roster := h.g.sess.store.Roster()
	if m := roster.Member(roster.Me); m == nil || m.Name != testMember {
		t.Errorf("member using the vault: %+v", m)
	}
}

func TestUnlock(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "vault")
	clk := newClock()
	makeVault(t, dir, clk)
	before := snapshot(t, dir)
	h := newHarness(t, dir, clk)

	s := h.unlock("not the passphrase at all")
	if h.g.sess != nil {
		t.Fatal("a wrong passphrase unlocked the vault")
	}
	if want := describe(vault.ErrWrongPassphrase); s.message.Text != want {
		t.Errorf("message %q, want %q", s.message.Text, want)
	}
	if s.pass.Text != "" {
		t.Error("the passphrase stays in the entry")
	}
	after := snapshot(t, dir)
	if len(after) != len(before) {
		t.Errorf("files: %d before, %d after", len(before), len(after))
	}
	for p, b := range before {
		if after[p] != b {
			t.Errorf("%s changed", p)
		}
	}

	h.unlock(testPassphrase)
	if h.g.sess == nil || h.g.work == nil {
		t.Fatal("the right passphrase did not unlock the vault")
	}
}

func TestFileReportThroughTheForm(t *testing.T) {
	h := unlockedWith(t)
	w := h.g.work
	f := w.form
	h.g.win.Canvas().(fyne.Shortcutable).TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierShortcutDefault})
	if w.tabs.Selected() != w.newTab {
		t.Fatal("Ctrl+N did not open the form")
	}

	// Empty, then with bad values: every problem beside its field.
	f.received.SetText("yesterday")
	f.addPerson()
	f.addEvidence()
	f.layoutRows()
	test.Type(f.evidence[0].url, "not a link")
	test.Tap(f.file)
	for path, want := range map[string]string{
		"received":        "2026-03-16 14:30",
		"channel":         "",
		"summary":         "",
		"reporter.name":   "",
		"people[0].name":  "",
		"people[0].role":  "",
		"evidence[0].url": "",
	} {
		fl := f.fields[path]
		if fl == nil {
			t.Fatalf("no field %s", path)
		}
		if !fl.problem.Visible() || fl.problem.Text == "" || !strings.Contains(fl.problem.Text, want) {
			t.Errorf("%s: problem %q (visible %v)", path, fl.problem.Text, fl.problem.Visible())
		}
	}
	if f.fields["description"].problem.Visible() {
		t.Error("a field with no problem shows one")
	}
	if n := len(h.g.sess.store.List("")); n != 0 {
		t.Fatalf("%d cases filed from an invalid form", n)
	}

	// Fixed: the report is filed and in the vault.
	f.received.SetText("2026-11-01 09:30")
	f.channel.SetSelectedIndex(1)
	f.category.SetSelected(app.CategoryPersonalAttack.Title())
	test.Type(f.summary, "Rude replies in the issue queue")
	test.Type(f.rName, "Robin Reporter")
	test.Type(f.rContact, "robin@example.org")
	test.Type(f.people[0].name, "Riley Reported")
	f.people[0].role.SetSelectedIndex(0)
	f.evidence[0].url.SetText("https://example.org/issue/1")
	f.addPerson()
	f.layoutRows()
	test.Tap(findButtonIn(t, f.peopleBox.Objects[1], ""))
	if len(f.people) != 1 {
		t.Fatalf("%d people after removing the empty row", len(f.people))
	}
	// A committee member the roster does not have: refused beside the
	// name, nothing filed.
	f.people[0].member.SetChecked(true)
	test.Tap(f.file)
	if fl := f.fields["people[0].name"]; !fl.problem.Visible() || !strings.Contains(fl.problem.Text, "roster") {
		t.Errorf("a committee member not on the roster: the name's problem is %q (visible %v)", fl.problem.Text, fl.problem.Visible())
	}
	if n := len(h.g.sess.store.List("")); n != 0 {
		t.Fatalf("%d cases filed with a committee member not on the roster", n)
	}
	f.people[0].member.SetChecked(false)
	test.Tap(f.file)
	if f.general.Text != "" {
		t.Fatalf("form problems: %q", f.general.Text)
	}
	list := h.g.sess.store.List("")
	if len(list) != 1 {
		t.Fatalf("%d cases, want 1", len(list))
	}
	c, err := h.g.sess.store.Case(list[0].Code)
	if err != nil {
		t.Fatal(err)
	}
	if c.Summary != "Rude replies in the issue queue" || c.Channel != app.ChannelEmail || c.Category != app.CategoryPersonalAttack || len(c.Parties) != 2 || len(c.Evidence) != 1 {
		t.Errorf("filed case: %q %q, %d parties, %d evidence", c.Summary, c.Channel, len(c.Parties), len(c.Evidence))
	}
	if f.summary.Text != "" {
		t.Error("the form was not emptied")
	}
	if w.tabs.Selected() != w.casesTab {
		t.Error("the new case did not open")
	}
}

func TestDueListOpensTheCaseAtItsStep(t *testing.T) {
	h := unlockedWith(t, report(newClock().Now().Add(-100*time.Hour), "Heated thread"), report(newClock().Now().Add(-time.Hour), "Slur in chat"))
	clk := h.clock
	week := h.g.work.week
	if !strings.Contains(week.intro.Text, "overdue") {
		t.Errorf("intro %q", week.intro.Text)
	}
	// The list draws its rows from templates; draw the first two.
	row := func(i int) fyne.CanvasObject {
		o := week.list.CreateItem()
		week.list.UpdateItem(i, o)
		return o
	}
	if got := texts(row(0)); len(got) == 0 || got[0] != "Overdue" {
		t.Fatalf("first group %q", got)
	}
	// The first button is the most pressing overdue item.
	var btn *widget.Button
	for _, o := range row(1).(*fyne.Container).Objects {
		if b, ok := o.(*widget.Button); ok && b.Visible() {
			btn = b
			break
		}
	}
	if btn == nil || btn.Icon.Name() != overdueIcon().Name() {
		t.Fatal("no overdue item")
	}
	items := h.g.sess.store.Due(clk.Now())
	test.Tap(btn)
	w := h.g.work
	if w.tabs.Selected() != w.casesTab {
		t.Fatal("the case did not open")
	}
	shown := texts(w.cases.stack)
	if !contains(shown, items[0].Code) || !contains(shown, items[0].Text) {
		t.Errorf("case view lacks the code or the due text: %q", shown)
	}
	b := w.cases.current.actions[items[0].Action]
	if b == nil || b.Importance != widget.HighImportance || b.Disabled() {
		t.Errorf("the due step %q is not marked and ready: %+v", items[0].Action, b)
	}
}

func TestCaseListFiltersAndSearches(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "vault")
	clk := newClock()
	makeVault(t, dir, clk, report(clk.Now().Add(-50*time.Hour), "Heated thread about releases"),
		report(clk.Now().Add(-2*time.Hour), "Slur in the chat channel"))
	h := newHarness(t, dir, clk)
	h.unlock(testPassphrase)
	h.g.win.Canvas().(fyne.Shortcutable).TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault})
	cs := h.g.work.cases
	if h.g.win.Canvas().Focused() != cs.search {
		t.Fatal("Ctrl+F did not focus the search")
	}
	if len(cs.rows) != 2 || cs.count.Text != "2 cases." {
		t.Fatalf("%d rows, %q", len(cs.rows), cs.count.Text)
	}
	if got := cs.cell(1, 3); got != "2 days" {
		t.Errorf("age %q", got)
	}
	test.Type(cs.search, "slur")
	if len(cs.rows) != 1 || !strings.Contains(strings.ToLower(cs.cell(0, 5)), "slur") {
		t.Fatalf("search: %d rows %+v", len(cs.rows), cs.rows)
	}
	cs.search.SetText("")
	cs.stage.SetSelectedIndex(1 + app.StageClosed.Index())
	if len(cs.rows) != 0 {
		t.Errorf("%d closed cases", len(cs.rows))
	}
	cs.stage.SetSelectedIndex(1 + app.StageReceived.Index())
	if len(cs.rows) != 2 {
		t.Errorf("%d received cases", len(cs.rows))
	}
	cs.table.Select(widget.TableCellID{Row: 0, Col: 0})
	if !contains(texts(cs.stack), cs.rows[0].sum.Code) {
		t.Error("selecting a row did not open its case")
	}
}

func TestAutoLockKeepsTheDraftAndDropsTheSession(t *testing.T) {
	h := unlockedWith(t)
	clk := h.clock
	sess := h.g.sess
	f := h.g.work.form
	test.Type(f.summary, "Half-typed canary-draft summary")
	f.addPerson()
	f.layoutRows()
	test.Type(f.people[0].name, "Quinn Draftperson")
	h.g.info("A dialog", "left open")

	clk.Advance(4 * time.Minute)
	h.g.checkIdle()
	if h.g.sess == nil {
		t.Fatal("locked before the auto-lock time")
	}
	clk.Advance(time.Minute)
	h.g.checkIdle()
	if h.g.sess != nil || h.g.work != nil {
		t.Fatal("the session survived the auto-lock")
	}
	if !sess.v.Locked() {
		t.Error("the vault is still open")
	}
	if n := len(h.g.win.Canvas().Overlays().List()); n != 0 {
		t.Errorf("%d dialogs still open", n)
	}
	s := find[*unlockScreen](h)
	if !strings.Contains(s.message.Text, "locked itself after 5 minutes") {
		t.Errorf("unlock screen says %q", s.message.Text)
	}
	// The draft is sealed: the vault's files do not hold it in plain text.
	for p, b := range snapshot(t, h.dir) {
		if strings.Contains(b, "canary-draft") {
			t.Errorf("%s holds the draft in plain text", p)
		}
	}

	h.unlock(testPassphrase)
	f = h.g.work.form
	if f.summary.Text != "Half-typed canary-draft summary" || len(f.people) != 1 || f.people[0].name.Text != "Quinn Draftperson" {
		t.Errorf("draft not restored: %q, %d people", f.summary.Text, len(f.people))
	}
	if h.g.work.tabs.Selected() != h.g.work.newTab || f.notice.Text == "" {
		t.Error("the restored draft is not shown")
	}
}

func TestLockShortcutAndButton(t *testing.T) {
	h := unlockedWith(t)
	h.g.win.Canvas().(fyne.Shortcutable).TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyL, Modifier: fyne.KeyModifierShortcutDefault})
	if h.g.sess != nil {
		t.Fatal("Ctrl+L did not lock")
	}
	find[*unlockScreen](h)
	h.unlock(testPassphrase)
	test.Tap(h.g.work.lockBtn)
	if h.g.sess != nil {
		t.Fatal("the Lock button did not lock")
	}
	find[*unlockScreen](h)
}

func TestEscapeClosesTheNewestDialog(t *testing.T) {
	h := unlockedWith(t)
	h.g.info("First", "one")
	h.g.info("Second", "two")
	h.g.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if len(h.g.dialogs) != 1 {
		t.Fatalf("%d dialogs after Escape, want 1", len(h.g.dialogs))
	}
	h.g.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if len(h.g.dialogs) != 0 {
		t.Fatalf("%d dialogs after two Escapes", len(h.g.dialogs))
	}
}

func TestSettingsSaveDeadlinesAndRefuseBadOnes(t *testing.T) {
	h := unlockedWith(t, report(newClock().Now().Add(-time.Hour), "Heated thread"))
	s := h.g.work.settings
	s.numbers["auto_lock_minutes"].SetText("zero")
	test.Tap(findButton(t, h.g.work.settingsTab.Content, "Save the settings"))
	if !s.numberFields["auto_lock_minutes"].problem.Visible() || h.g.sess.store.Config().AutoLockMinutes != 5 {
		t.Error("a bad auto-lock time was not refused beside its field")
	}
	s.numbers["auto_lock_minutes"].SetText("15")
	test.Tap(findButton(t, h.g.work.settingsTab.Content, "Save the settings"))
	if got := h.g.sess.store.Config().AutoLockMinutes; got != 15 {
		t.Errorf("auto-lock %d, want 15", got)
	}

	test.Type(s.newName, "Jordan Newmember")
	test.Tap(findButton(t, h.g.work.settingsTab.Content, "Add to the committee"))
	if h.g.sess.store.Roster().Find("Jordan Newmember") == nil {
		t.Fatal("member not added")
	}
	s.conflictCase.SetSelectedIndex(0)
	s.conflictWho.SetSelected("Jordan Newmember")
	test.Type(s.conflictReason, "Works with the reported person")
	test.Tap(findButton(t, h.g.work.settingsTab.Content, "Declare the conflict"))
	c, err := h.g.sess.store.Case(s.caseCodes[0])
	if err != nil || len(c.Conflicts) != 1 {
		t.Fatalf("conflict not recorded: %v %+v", err, c)
	}

	s.themeChoice.SetSelected("Dark")
	if h.g.app.Preferences().String(themePref) != "dark" {
		t.Error("the theme choice was not kept")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.Contains(x, s) {
			return true
		}
	}
	return false
}

func TestDemoFillsAnEmptyVaultOffTheUIGoroutine(t *testing.T) {
	h := unlockedWith(t)
	s := h.g.work.settings
	if s.demo.Disabled() {
		t.Fatal("the demo button is disabled on an empty vault")
	}
	test.Tap(s.demo)
	if len(h.g.dialogs) != 1 {
		t.Fatalf("%d dialogs, want the confirmation", len(h.g.dialogs))
	}
	// Confirm: the dialog's own button.
	test.Tap(findButton(t, h.g.win.Canvas().Overlays().Top(), "Yes"))
	h.wait()
	// One demo case is about a committee member, who may be the one using
	// this vault and then does not see it.
	n := len(h.g.sess.store.List(""))
	if n < demoCases-1 {
		t.Fatalf("%d cases after the demo, want %d", n, demoCases)
	}
	if !s.demo.Disabled() {
		t.Error("the demo button is still enabled on a vault with cases")
	}
	if len(h.g.work.cases.rows) != n {
		t.Errorf("the case list shows %d cases", len(h.g.work.cases.rows))
	}
}

// Copied text leaves the clipboard after the delay, unless something
// else was copied since.
func TestCopiedTextIsClearedIfStillOurs(t *testing.T) {
	h := newHarness(t, filepath.Join(t.TempDir(), "vault"), newClock())
	var later []func()
	h.g.after = func(d time.Duration, fn func()) {
		if d != clipboardClearAfter {
			t.Errorf("cleared after %v", d)
		}
		later = append(later, fn)
	}
	cb := h.g.app.Clipboard()
	h.g.copyText("Dear Robin, your report arrived.")
	if cb.Content() != "Dear Robin, your report arrived." {
		t.Fatal("not copied")
	}
	later[0]()
	if cb.Content() != "" {
		t.Error("the copied text stayed on the clipboard")
	}
	h.g.copyText("first")
	cb.SetContent("something the member copied since")
	later[1]()
	if cb.Content() != "something the member copied since" {
		t.Error("Casebook cleared what it had not put there")
	}
}

// The app does not lock itself under slow work.
func TestNoAutoLockWhileBusy(t *testing.T) {
	h := unlockedWith(t)
	clk := h.clock
	h.g.slow("Working…", func() error { return nil }, func(error) {})
	clk.Advance(time.Hour)
	h.g.checkIdle()
	if h.g.sess == nil {
		t.Fatal("locked under slow work")
	}
	h.wait()
	clk.Advance(4 * time.Minute)
	h.g.checkIdle()
	if h.g.sess == nil {
		t.Fatal("locked before the idle time after the work")
	}
	clk.Advance(2 * time.Minute)
	h.g.checkIdle()
	if h.g.sess != nil {
		t.Fatal("did not lock after the work and the idle time")
	}
}

// visit calls fn on o and everything under it, depth first, until fn
// returns false.
func visit(o fyne.CanvasObject, fn func(fyne.CanvasObject) bool) bool {
	if !fn(o) {
		return false
	}
	var kids []fyne.CanvasObject
	switch x := o.(type) {
	case *widget.Card:
		if x.Content != nil {
			kids = []fyne.CanvasObject{x.Content}
		}
	case *widget.Form:
		for _, it := range x.Items {
			kids = append(kids, it.Widget)
		}
	case *fyne.Container:
		kids = x.Objects
	case fyne.Widget:
		kids = test.WidgetRenderer(x).Objects()
	}
	for _, k := range kids {
		if !visit(k, fn) {
			return false
		}
	}
	return true
}

// texts lists the texts of the labels, buttons, cards and form items
// under o, in order.
func texts(o fyne.CanvasObject) []string {
	var out []string
	visit(o, func(o fyne.CanvasObject) bool {
		switch x := o.(type) {
		case *widget.Label:
			out = append(out, x.Text)
		case *widget.Button:
			out = append(out, x.Text)
		case *widget.Card:
			out = append(out, x.Title)
		case *widget.Form:
			for _, it := range x.Items {
				out = append(out, it.Text)
			}
		}
		return true
	})
	return out
}

// buttonWhere returns the first button under o whose text passes match,
// or nil.
func buttonWhere(o fyne.CanvasObject, match func(string) bool) *widget.Button {
	var found *widget.Button
	visit(o, func(o fyne.CanvasObject) bool {
		if b, ok := o.(*widget.Button); ok && match(b.Text) {
			found = b
			return false
		}
		return true
	})
	return found
}

// findButtonIn returns the first button with the text under o, or nil.
func findButtonIn(_ *testing.T, o fyne.CanvasObject, text string) *widget.Button {
	return buttonWhere(o, func(s string) bool { return s == text })
}

// findButton finds the button with the given text under o.
func findButton(t *testing.T, o fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	b := findButtonIn(t, o, text)
	if b == nil {
		t.Fatalf("no button %q", text)
	}
	return b
}

// findButtonPrefix finds the button whose text starts with prefix under o.
func findButtonPrefix(t *testing.T, o fyne.CanvasObject, prefix string) *widget.Button {
	t.Helper()
	b := buttonWhere(o, func(s string) bool { return strings.HasPrefix(s, prefix) })
	if b == nil {
		t.Fatalf("no button starting %q", prefix)
	}
	return b
}

// Closing the window under slow work waits for the work, then locks.
func TestCloseWaitsForSlowWork(t *testing.T) {
	h := unlockedWith(t)
	sess := h.g.sess
	h.g.slow("Working…", func() error { return nil }, func(error) {})
	h.g.onClose()
	if h.g.sess == nil || sess.v.Locked() {
		t.Fatal("closing locked the vault under the work")
	}
	h.closed = true
	h.wait()
	if h.g.sess != nil || !sess.v.Locked() {
		t.Fatal("the window did not lock and close after the work")
	}
}

// TestFileReportAboutOneself: a report about the member filing it shuts
// them out at once; the form then asks them to send it to the committee,
// saying why, and the case list shows nothing of it.
func TestFileReportAboutOneself(t *testing.T) {
	h := unlockedWith(t)
	f := h.g.work.form
	f.received.SetText("2026-11-01 09:30")
	f.channel.SetSelectedIndex(1)
	test.Type(f.summary, "A report about a committee member")
	test.Type(f.rName, "Robin Reporter")
	f.addPerson()
	f.layoutRows()
	test.Type(f.people[0].name, testMember)
	f.people[0].role.SetSelectedIndex(0)
	f.people[0].member.SetChecked(true)
	test.Tap(f.file)
	if f.general.Text != "" {
		t.Fatalf("form problems: %q", f.general.Text)
	}
	store := h.g.sess.store
	if n := len(store.List("")); n != 0 {
		t.Errorf("the case list shows %d cases, want none: the member is shut out of the report", n)
	}
	form := h.g.lastForm
	if form == nil || form.title != "Send to members" {
		t.Fatalf("after filing a report about oneself: the last form is %v, want Send to members", form)
	}
	if l, ok := form.items[0].Widget.(*widget.Label); !ok || !strings.Contains(l.Text, "it is about you, so you are shut out of it") {
		t.Errorf("the form does not say why: %+v", form.items[0].Widget)
	}

	// Put off: This week keeps it, and its item asks again.
	h.g.closeDialogs()
	sendOn := func() int {
		return slices.IndexFunc(h.g.work.week.rows, func(r weekRow) bool { return r.item != nil && r.item.Kind == app.DueSendOn })
	}
	row := sendOn()
	if row < 0 {
		t.Fatal("after putting the send off, This week does not list the report to send on")
	}
	h.g.work.week.open(row)
	form = h.g.lastForm
	if form == nil || form.title != "Send to members" {
		t.Fatalf("the item to send on opened %v, want Send to members", form)
	}
	if l, ok := form.items[0].Widget.(*widget.Label); !ok || !strings.Contains(l.Text, "no other member has it yet") {
		t.Errorf("the form does not say why: %+v", form.items[0].Widget)
	}

	// Sent to Avery: nothing is left to send on.
	avery := filepath.Join(t.TempDir(), "avery")
	var line string
	createVault(t, avery, h.clock, func(s *app.Store) error {
		err := s.UpdateRoster(func(r *app.Roster) error {
			m, err := r.Add("Avery Member", "")
			r.Me = m.ID
			return err
		})
		if err == nil {
			line, err = s.MyKeyLine()
		}
		return err
	})
	k, _, err := app.ParseMemberKey(line)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.SetMemberKey("Avery Member", k, false); err != nil {
		t.Fatal(err)
	}
	h.g.work.week.open(sendOn())
	h.fillItem(h.g.lastForm, "To", "Avery Member")
	h.save = filepath.Join(t.TempDir(), "report"+bundleExt)
	test.Tap(h.g.lastForm.ok)
	if h.g.lastForm.problem.Text != "" {
		t.Fatalf("send refused: %s", h.g.lastForm.problem.Text)
	}
	if _, err := os.Stat(h.save); err != nil {
		t.Fatalf("the bundle: %v", err)
	}
	if row := sendOn(); row >= 0 {
		t.Errorf("after sending, This week still lists the report to send on (row %d)", row)
	}
}
