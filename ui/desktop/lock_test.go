package desktop

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"casebook/app"
	"casebook/vault"
)

// Typing in a dialog counts as use: the app does not lock under it.
func TestTypingInADialogPostponesTheLock(t *testing.T) {
	h := unlockedWith(t, report(newClock().Now().Add(-time.Hour), "Rude replies"))
	h.g.work.openCase(h.g.sess.store.List("")[0].Code, nil)
	test.Tap(findButton(t, h.g.work.cases.current.body, "Add a note…"))
	e := h.g.lastForm.items[0].Widget.(*entry)
	h.clock.Advance(4 * time.Minute)
	e.TypedRune('x')
	h.clock.Advance(2 * time.Minute)
	h.g.checkIdle()
	if h.g.sess == nil {
		t.Fatal("locked while the member was typing")
	}
}

// Text typed in a dialog when the app locks is kept, sealed, and shown
// again after unlocking.
func TestDialogTextIsKeptAcrossALock(t *testing.T) {
	h := unlockedWith(t, report(newClock().Now().Add(-time.Hour), "Rude replies"))
	h.g.work.openCase(h.g.sess.store.List("")[0].Code, nil)
	test.Tap(findButton(t, h.g.work.cases.current.body, "Add a note…"))
	h.fillItem(h.g.lastForm, "Note", "a long careful note-canary")
	h.g.lock("")
	for p, b := range snapshot(t, h.dir) {
		if strings.Contains(b, "note-canary") {
			t.Errorf("%s holds the dialog's text in plain text", p)
		}
	}
	h.unlock(testPassphrase)
	if len(h.g.dialogs) != 1 || !strings.Contains(strings.Join(texts(h.g.win.Canvas().Overlays().Top()), " "), "Add a note") {
		t.Fatalf("no dialog gives the text back: %d dialogs", len(h.g.dialogs))
	}
	kept := false
	visit(h.g.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) bool {
		if e, ok := o.(*entry); ok && strings.Contains(e.Text, "a long careful note-canary") {
			kept = true
		}
		return true
	})
	if !kept {
		t.Error("the typed text is not in the dialog")
	}
	h.g.closeTopDialog()
	if d, _ := h.g.sess.store.Draft(draftDialog); d != nil {
		t.Error("the kept text stays in the vault after it was shown")
	}
}

// A lock asked for under slow work waits for the work; then the
// clipboard loses what Casebook put there.
func TestLockWaitsForWorkAndClearsTheClipboard(t *testing.T) {
	h := unlockedWith(t)
	h.g.copyText("Dear Robin, a letter")
	h.g.slow("Working…", func() error { return nil }, func(error) {})
	h.g.lock("")
	if h.g.sess == nil {
		t.Fatal("locked under slow work")
	}
	h.wait()
	if h.g.sess != nil {
		t.Fatal("did not lock when the work ended")
	}
	if got := h.g.app.Clipboard().Content(); got != "" {
		t.Errorf("the clipboard still holds %q", got)
	}
}

// Locking or closing on the recovery screen closes the new vault.
func TestRecoveryScreenLocks(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "vault")
	h := newHarness(t, dir, newClock())
	s := find[*createScreen](h)
	s.name.SetText(testMember)
	s.pass.SetText(testPassphrase)
	s.again.SetText(testPassphrase)
	test.Tap(s.create)
	h.wait()
	r := find[*recoveryScreen](h)
	h.g.lock("")
	find[*unlockScreen](h)
	if r.code != "" {
		t.Error("the recovery code stays in memory")
	}
	v, err := vault.Open(dir, []byte(testPassphrase), vault.Options{Logger: quiet})
	if err != nil {
		t.Fatalf("the vault was not released: %v", err)
	}
	v.Lock()
}

func TestMemberLabelsTellNamesApart(t *testing.T) {
	ms := []*app.Member{{ID: "m1", Name: "Sam Member"}, {ID: "m2", Name: "Sam Member"}, {ID: "m3", Name: "Kit Member"}}
	got := memberLabels(ms)
	want := []string{"Sam Member (m1)", "Sam Member (m2)", "Kit Member"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("label %d = %q, want %q", i, got[i], want[i])
		}
	}
}
