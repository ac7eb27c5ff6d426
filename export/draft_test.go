package export

import (
	"bytes"
	"errors"
	"net/mail"
	"strings"
	"testing"
	"time"

	"casebook/app"
)

func draftContext() app.Context {
	cfg := testConfig()
	cfg.TimeZone = "Europe/Berlin"
	r := testRoster()
	r.Me = "m1"
	r.Members[0].Contact = "Ada <ada@committee.example.org>"
	return app.Context{Now: asOf.Add(30*time.Minute + 500*time.Millisecond), Member: "m1", Roster: r, Config: cfg}
}

// draftFor writes the draft of a letter of kind to party and returns the
// draft and its bytes.
func draftFor(t *testing.T, kind app.TemplateKind, party string, ctx app.Context) (*Draft, []byte) {
	t.Helper()
	c, msgs := fixture()
	l, err := app.Template(kind, c, party, ctx)
	if err != nil {
		t.Fatalf("Template: %v", err)
	}
	d, err := NewDraft(c, msgs, l, ctx, DraftOptions{Reach: "coc@example.net"})
	if err != nil {
		t.Fatalf("NewDraft: %v", err)
	}
	var buf bytes.Buffer
	if err := d.Write(&buf); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return d, buf.Bytes()
}

// A status update's draft, parsed back, has the headers, the letter and
// the party's PDF update; and holds nothing the party may not see.
func TestDraftRoundTrip(t *testing.T) {
	ctx := draftContext()
	d, raw := draftFor(t, app.KindStatusUpdate, "p2", ctx)

	hdr, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{
		"X-Unsent":     "1",
		"Message-Id":   "<" + d.MessageID + ">",
		"Date":         "Mon, 16 Mar 2026 10:30:00 +0100", // the case clock, in the committee's zone, to the second
		"Mime-Version": "1.0",
	} {
		if got := hdr.Header.Get(k); got != want {
			t.Errorf("%s: got %q, want %q", k, got, want)
		}
	}
	if !strings.HasPrefix(d.MessageID, "casebook.") || !strings.HasSuffix(d.MessageID, "@committee.example.org") {
		t.Errorf("Message-ID %q: want a random one in the member's domain", d.MessageID)
	}

	m, err := app.ParseMail(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("ParseMail: %v", err)
	}
	if len(m.To) != 1 || m.To[0].Address != canaryReportedMail || m.To[0].Name != "Дмитрий Соколов" {
		t.Errorf("To: %+v", m.To)
	}
	if m.From.Address != "ada@committee.example.org" || m.From.Name != "Ada Committee" {
		t.Errorf("From: %+v", m.From)
	}
	if m.Subject != d.Letter.Subject || m.Subject != "Update from the Code of Conduct committee (reference AMBER-FOX)" {
		t.Errorf("Subject: got %q, want %q", m.Subject, d.Letter.Subject)
	}
	if m.MessageID != d.MessageID || !m.Date.Equal(d.Date) {
		t.Errorf("Message-ID %q, date %v", m.MessageID, m.Date)
	}
	if m.Text != strings.TrimSpace(d.Letter.Body) {
		t.Errorf("text:\n%s\nwant:\n%s", m.Text, d.Letter.Body)
	}
	if len(m.Defects) > 0 {
		t.Errorf("defects: %v", m.Defects)
	}
	if len(m.Attachments) != 1 {
		t.Fatalf("got %d attachments, want the PDF", len(m.Attachments))
	}
	a := m.Attachments[0]
	if a.Name != "update-AMBER-FOX-2026-03-16.pdf" || a.Type != "application/pdf" || a.Inline ||
		!bytes.HasPrefix(a.Data, []byte("%PDF")) || !bytes.Equal(a.Data, d.PDF) {
		t.Errorf("attachment %q %s, %d bytes", a.Name, a.Type, len(a.Data))
	}
	text := flat(pdfText(t, a.Data))
	for _, w := range []string{"Dear Дмитрий Соколов", "A report was made", sharedOutToP2, "coc@example.net"} {
		if !strings.Contains(text, w) {
			t.Errorf("the PDF lacks %q: %s", w, text)
		}
	}
	for _, no := range append(allCanaries, canaryAnonPseudonym, "reporter") {
		if strings.Contains(strings.ToLower(text), strings.ToLower(no)) {
			t.Errorf("the PDF holds %q", no)
		}
		// The letter is signed by the member who writes it.
		if no != "Ada Committee" && strings.Contains(strings.ToLower(m.Text), strings.ToLower(no)) {
			t.Errorf("the letter holds %q", no)
		}
	}
	if bytes.Contains(raw, []byte(canaryAnonContact)) {
		t.Error("the anonymous reporter's contact is in the file")
	}
}

// A letter without an attachment is a single text part; with no address
// for the member the draft has no From; the date shows no zone of this
// computer when the committee has none.
func TestDraftWithoutAttachmentOrFrom(t *testing.T) {
	ctx := draftContext()
	ctx.Roster.Members[0].Contact = "@ada on chat"
	ctx.Config.TimeZone = ""
	d, raw := draftFor(t, app.KindRequestInfo, "p3", ctx)
	hdr, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := hdr.Header["From"]; ok {
		t.Errorf("From: %q, want none", hdr.Header.Get("From"))
	}
	if got := hdr.Header.Get("Date"); got != "Mon, 16 Mar 2026 09:30:00 +0000" {
		t.Errorf("Date: %q", got)
	}
	if !strings.HasSuffix(d.MessageID, "@casebook.invalid") || d.PDF != nil {
		t.Errorf("Message-ID %q, PDF %d bytes", d.MessageID, len(d.PDF))
	}
	if !strings.HasPrefix(hdr.Header.Get("Content-Type"), "text/plain") {
		t.Errorf("Content-Type: %q", hdr.Header.Get("Content-Type"))
	}
	m, err := app.ParseMail(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Attachments) != 0 || !strings.HasPrefix(m.Text, "Dear Μαρία Γεωργίου,\n\n") || m.To[0].Address != canaryWitnessMail {
		t.Errorf("got %d attachments, To %+v, text:\n%s", len(m.Attachments), m.To, m.Text)
	}
	for _, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 998 {
			t.Errorf("a line of %d characters", len(line))
		}
	}
}

// An edited letter with a very long line still makes a valid message,
// with the same words.
func TestDraftBreaksLongLines(t *testing.T) {
	c, msgs := fixture()
	ctx := draftContext()
	l, err := app.Template(app.KindOutreach, c, "p4", ctx)
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("word ", 700) + strings.Repeat("x", 2100)
	l.Body = "Hello,\n\n" + long + "\n"
	d, err := NewDraft(c, msgs, l, ctx, DraftOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := d.Write(&buf); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(buf.String(), "\r\n") {
		if len(line) > 998 {
			t.Fatalf("a line of %d characters", len(line))
		}
	}
	m, err := app.ParseMail(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(strings.Fields(m.Text), ""); got != strings.Join(strings.Fields("Hello, "+long), "") {
		t.Errorf("the words changed")
	}
}

func TestDraftRefusals(t *testing.T) {
	c, msgs := fixture()
	ctx := draftContext()
	l, err := app.Template(app.KindOutreach, c, "p2", ctx)
	if err != nil {
		t.Fatal(err)
	}
	noAddr := *l
	noAddr.To = ""
	if _, err := NewDraft(c, msgs, &noAddr, ctx, DraftOptions{}); !errors.Is(err, app.ErrNoAddress) || err.Error() != "no e-mail address to write to: p2 (reported) has no e-mail address in their contact" {
		t.Errorf("no address: got %v", err)
	}
	bad := *l
	bad.To = "not an address"
	if _, err := NewDraft(c, msgs, &bad, ctx, DraftOptions{}); !errors.Is(err, app.ErrNoAddress) {
		t.Errorf("a bad address: got %v", err)
	}
	none := *l
	none.PartyID = "p9"
	if _, err := NewDraft(c, msgs, &none, ctx, DraftOptions{}); !errors.Is(err, ErrNoParty) {
		t.Errorf("no such party: got %v", err)
	}
	empty := *l
	empty.Body = " \n"
	if _, err := NewDraft(c, msgs, &empty, ctx, DraftOptions{}); !errors.Is(err, app.ErrInvalid) {
		t.Errorf("no text: got %v", err)
	}
}
