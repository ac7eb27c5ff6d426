package desktop

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"casebook/app"
)

// A letter is edited in its dialog, copied, and drafted as an unsent
// e-mail that the case records until it is marked sent.
func TestLetterIsEditedCopiedAndDrafted(t *testing.T) {
	h := unlockedWith(t, report(newClock().Now().Add(-time.Hour), "Rude replies"))
	code := h.g.sess.store.List("")[0].Code
	h.g.work.openCase(code, nil)
	v := h.g.work.cases.current
	test.Tap(findButton(t, v.body, app.KindAcknowledgement.Title()+"…"))
	ld := h.g.lastLetter
	if ld == nil || !strings.Contains(ld.body.Text, code) {
		t.Fatalf("the acknowledgement does not name the case: %+v", ld)
	}
	ld.subject.SetText("Your report, edited subject")
	ld.body.SetText(ld.body.Text + "\nAn edited closing line.")

	test.Tap(ld.copyBtn)
	if got := h.g.app.Clipboard().Content(); !strings.Contains(got, "An edited closing line.") {
		t.Errorf("clipboard holds %q", got)
	}

	h.save = filepath.Join(t.TempDir(), "ack.eml")
	test.Tap(ld.draftBtn)
	raw, err := os.ReadFile(h.save)
	if err != nil {
		t.Fatalf("no draft written: %v", err)
	}
	m, err := app.ParseMail(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Your report, edited subject" || !strings.Contains(m.Text, "An edited closing line.") {
		t.Errorf("draft: subject %q, text %q", m.Subject, m.Text)
	}
	if !bytes.Contains(raw, []byte("X-Unsent: 1")) {
		t.Error("the draft is not marked unsent")
	}
	v = h.g.work.cases.current
	var pending *app.Message
	for _, msg := range v.msgs {
		if msg.Pending {
			pending = msg
		}
	}
	if pending == nil {
		t.Fatal("the draft is not recorded in the case")
	}
	test.Tap(findButton(t, v.body, "Mark sent"))
	c, _ := h.g.sess.store.Case(code)
	msgs, _ := h.g.sess.store.Messages(code)
	for _, msg := range msgs {
		if msg.ID == pending.ID && msg.Pending {
			t.Error("the draft is still pending after Mark sent")
		}
	}
	if c.AcknowledgedAt.IsZero() && len(h.g.dialogs) == 0 {
		t.Error("marking the acknowledgement sent neither acknowledged nor said why not")
	}
}

// eml is a small e-mail message from the address given.
func eml(from, subject, body string) []byte {
	return []byte("From: " + from + "\r\nTo: committee@example.org\r\nSubject: " + subject +
		"\r\nMessage-ID: <" + strings.ReplaceAll(subject, " ", ".") + "@example.org>\r\nDate: Mon, 2 Nov 2026 09:00:00 +0100\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n")
}

func TestImportMailFromTheWindow(t *testing.T) {
	h := unlockedWith(t, report(newClock().Now().Add(-time.Hour), "Rude replies"))
	code := h.g.sess.store.List("")[0].Code
	h.g.work.openCase(code, nil)
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	count := func() int {
		msgs, err := h.g.sess.store.Messages(code)
		if err != nil {
			t.Fatal(err)
		}
		return len(msgs)
	}

	// From a party's address: it is matched to the party.
	h.open = write("a.eml", eml("Robin Reporter <robin@example.org>", "More detail", "It happened again on Friday."))
	test.Tap(findButton(t, h.g.work.cases.current.body, "Import e-mail…"))
	if count() != 1 {
		t.Fatalf("%d messages after the import", count())
	}
	msgs, _ := h.g.sess.store.Messages(code)
	if msgs[0].PartyID != "p1" || !strings.Contains(msgs[0].Text, "again on Friday") {
		t.Errorf("imported: %+v", msgs[0])
	}

	// The same again: skipped, and said.
	test.Tap(findButton(t, h.g.work.cases.current.body, "Import e-mail…"))
	if count() != 1 || len(h.g.dialogs) != 1 {
		t.Fatalf("a duplicate: %d messages, %d dialogs", count(), len(h.g.dialogs))
	}
	h.g.closeDialogs()

	// From an unknown address, dropped on the window: the member is asked
	// whose it is.
	unknown := write("b.eml", eml("Someone <someone@example.net>", "A witness account", "I saw the thread."))
	h.g.onDropped(fyne.NewPos(10, 10), []fyne.URI{storage.NewFileURI(unknown)})
	if count() != 1 || h.g.lastForm == nil {
		t.Fatal("an unknown sender was not asked about")
	}
	h.fillItem(h.g.lastForm, "Party", "p2")
	test.Tap(h.g.lastForm.ok)
	if count() != 2 {
		t.Fatalf("%d messages after naming the party", count())
	}

	// A file that is not mail: refused in a sentence, nothing stored.
	h.open = write("c.eml", []byte("\x00\x01 not mail at all"))
	test.Tap(findButton(t, h.g.work.cases.current.body, "Import e-mail…"))
	if count() != 2 {
		t.Error("a malformed file stored something")
	}
}

func TestAttachmentIsSavedWhereChosen(t *testing.T) {
	h := unlockedWith(t, report(newClock().Now().Add(-time.Hour), "Rude replies"))
	code := h.g.sess.store.List("")[0].Code
	src, err := os.ReadFile(filepath.Join("..", "..", "app", "testdata", "mail", "nested-attachment.eml"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := app.ParseMail(bytes.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	msg, err := h.g.sess.store.ImportMail(code, m, "p1")
	if err != nil {
		t.Fatal(err)
	}
	if len(msg.Attachments) == 0 {
		t.Fatal("the sample has no attachment")
	}
	a := msg.Attachments[0]
	_, want, err := h.g.sess.store.Attachment(code, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	h.g.work.openCase(code, nil)
	h.save = filepath.Join(t.TempDir(), "saved.bin")
	test.Tap(findButtonPrefix(t, h.g.work.cases.current.body, "Save "+a.Name))
	got, err := os.ReadFile(h.save)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("saved attachment: %v, %d bytes, want %d", err, len(got), len(want))
	}
}
