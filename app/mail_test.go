package app

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// readSample reads a sample message of testdata/mail.
func readSample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "mail", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func parseSample(t testing.TB, name string) *Mail {
	t.Helper()
	m, err := ParseMail(bytes.NewReader(readSample(t, name)))
	if err != nil {
		t.Fatalf("ParseMail(%s): %v", name, err)
	}
	return m
}

// wantAttachment is an attachment a sample must carry.
type wantAttachment struct {
	name, typ string
	inline    bool
	same      string // a file of testdata/mail with the same bytes, if any
	size      int
}

// The sample messages are shaped like real mail from common programs, and
// synthetic ones break the rules on purpose. Every person is invented.
func TestParseMailSamples(t *testing.T) {
	tests := []struct {
		file      string
		fromName  string
		fromAddr  string
		subject   string
		messageID string
		date      time.Time
		text      []string // the text holds each
		notText   []string // and none of these
		fromHTML  bool
		atts      []wantAttachment
		defects   []string // names of defects, in order
	}{
		{file: "plain-utf8.eml", fromName: "Ana Lívia Moreau", fromAddr: "ana.moreau@example.org",
			subject: "Re: Your report (reference amber-heron-42)", messageID: "4f1c2a9e-7d1b-4c55-9a8e-0b2f6e1d3c01@example.org",
			date: time.Date(2026, 11, 3, 7, 12, 44, 0, time.UTC),
			text: []string{"Zoë told me she is fine with being\ncontacted as a witness.", "> Thank you for writing"}},
		{file: "alternative-qp.eml", fromName: "Ana Lívia Moreau", fromAddr: "Ana.Moreau@Example.ORG",
			subject: "More comments in the issue queue — screenshots", messageID: "c7a1e0d4-2b9f-4d1e-8a55-6f3e2c1b9a07@example.org",
			date: time.Date(2026, 11, 4, 18, 3, 12, 0, time.UTC),
			text: []string{"both were deleted the next day, but I kept screenshots. The wording is almost the same as the one I reported: « go back to tutorials ».", "Ana Lívia"},
			// The text part is used, not the HTML one.
			notText: []string{"<p>", "=C3", "=\n"}},
		{file: "html-only-latin1.eml", fromName: "Zoë Brandt", fromAddr: "zoe.brandt@example.org",
			subject: "Ce que j'ai vu à la réunion", messageID: "AM0PR01MB0001EXAMPLE0001@AM0PR01MB0001.eurprd01.prod.example.org",
			date: time.Date(2026, 11, 5, 9, 14, 58, 0, time.UTC), fromHTML: true,
			text:    []string{"Bonjour,", "J'ai vu les réponses dans la file d'attente. Ce n'était pas la première fois.", "Zoë"},
			notText: []string{"<p", "MsoNormal", "&nbsp;", "=E9"}},
		{file: "koi8r-base64.eml", fromName: "Дмитрий Соколов", fromAddr: "dmitri@example.org",
			subject: "Свидетель", messageID: "20261106121500.7f3a@mail.example.org",
			date: time.Date(2026, 11, 6, 9, 15, 0, 0, time.UTC),
			text: []string{"Здравствуйте!", "Я был на встрече и могу рассказать, что видел."}},
		{file: "nested-attachment.eml", fromName: "Björn Castellanos", fromAddr: "bjorn@example.org",
			subject: "My account", messageID: "B7C3D2E1-8F4A-4B6C-9D0E-1A2B3C4D5E6F@example.org",
			date: time.Date(2026, 11, 7, 15, 40, 21, 0, time.UTC),
			text: []string{"Here is my account of the discussion, as a PDF. I did not mean to push anyone away.", "Björn"},
			atts: []wantAttachment{
				{name: "Réponse.pdf", typ: "application/pdf", same: "expected-attachment.pdf"},
				{name: "diagram.png", typ: "image/png", inline: true, same: "expected-inline.png"},
			}},
		{file: "malformed-multipart.eml", fromAddr: "ana.moreau@example.org",
			subject: "The log I mentioned", messageID: "broken-0001@example.org",
			date: time.Date(2026, 11, 8, 21, 1, 9, 0, time.UTC),
			text: []string{"Here is the chat log from the evening."},
			// What could be decoded before the damage is kept.
			atts:    []wantAttachment{{name: "chat-log.txt", typ: "text/plain", size: 49}},
			defects: []string{"Malformed Base64", "Missing Boundary"}},
		{file: "windows-1252-outlook.eml", fromName: "Castellanos, Björn", fromAddr: "BJORN@example.org",
			subject: "RE: A request for your perspective (reference amber-heron-42)", messageID: "DB9PR02MB0002EXAMPLE0002@DB9PR02MB0002.eurprd02.prod.example.org",
			date: time.Date(2026, 11, 9, 7, 30, 0, 0, time.UTC),
			text: []string{"I “have” been short with people – I will answer"}},
		{file: "no-message-id.eml", fromName: "Zoe Brandt", fromAddr: "zoe.brandt@example.org", subject: "Forgot one thing",
			text: []string{"The comment on 1240 was edited later"}},
		{file: "sent-by-member.eml", fromName: "Amara Nwosu", fromAddr: "amara@committee.example.org", subject: "Re: My account",
			messageID: "casebook-sent-0003@committee.example.org", date: time.Date(2026, 11, 10, 10, 0, 0, 0, time.UTC),
			text: []string{"Thank you for your account."}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			m := parseSample(t, tt.file)
			if m.From.Name != tt.fromName || m.From.Address != tt.fromAddr {
				t.Errorf("From: got %q <%s>, want %q <%s>", m.From.Name, m.From.Address, tt.fromName, tt.fromAddr)
			}
			if m.Subject != tt.subject {
				t.Errorf("Subject: got %q, want %q", m.Subject, tt.subject)
			}
			if m.MessageID != tt.messageID {
				t.Errorf("MessageID: got %q, want %q", m.MessageID, tt.messageID)
			}
			if !m.Date.Equal(tt.date) {
				t.Errorf("Date: got %v, want %v", m.Date, tt.date)
			}
			for _, w := range tt.text {
				if !strings.Contains(m.Text, w) {
					t.Errorf("text lacks %q; got:\n%s", w, m.Text)
				}
			}
			for _, w := range tt.notText {
				if strings.Contains(m.Text, w) {
					t.Errorf("text holds %q; got:\n%s", w, m.Text)
				}
			}
			if strings.Contains(m.Text, "\r") {
				t.Error("text holds a carriage return")
			}
			if m.TextFromHTML != tt.fromHTML {
				t.Errorf("TextFromHTML: got %v, want %v", m.TextFromHTML, tt.fromHTML)
			}
			if len(m.Attachments) != len(tt.atts) {
				t.Fatalf("got %d attachments, want %d", len(m.Attachments), len(tt.atts))
			}
			for i, w := range tt.atts {
				a := m.Attachments[i]
				if a.Name != w.name || a.Type != w.typ || a.Inline != w.inline {
					t.Errorf("attachment %d: got %q %s inline=%v, want %q %s inline=%v", i, a.Name, a.Type, a.Inline, w.name, w.typ, w.inline)
				}
				if w.same != "" && !bytes.Equal(a.Data, readSample(t, w.same)) {
					t.Errorf("attachment %d: its bytes differ from %s", i, w.same)
				}
				if w.size != 0 && len(a.Data) != w.size {
					t.Errorf("attachment %d: got %d bytes, want %d", i, len(a.Data), w.size)
				}
			}
			var names []string
			for _, d := range m.Defects {
				names = append(names, d.Name)
			}
			if strings.Join(names, "|") != strings.Join(tt.defects, "|") {
				t.Errorf("defects: got %q, want %q", names, tt.defects)
			}
			if len(m.Digest) != 64 || m.Size != int64(len(readSample(t, tt.file))) {
				t.Errorf("digest %q, size %d", m.Digest, m.Size)
			}
		})
	}
}

// A file that is not a message is refused with a sentence that quotes
// nothing of it.
func TestParseMailRefusesWhatIsNotMail(t *testing.T) {
	tests := []struct {
		name, input string
	}{
		{"empty", ""},
		{"blank lines", "\n\r\n  \n"},
		{"a PDF renamed", string(readSample(t, "not-mail.eml"))},
		{"plain text", "Secretword notes about the case\nsecond line\n"},
		{"JSON", `{"summary": "Secretword"}`},
		{"binary", "\x00\x01\x02\xff\xfeSecretword"},
		{"multipart without a boundary line", "Content-Type: multipart/mixed; boundary=\n\nSecretword"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseMail(strings.NewReader(tt.input))
			if !errors.Is(err, ErrMalformedMail) {
				t.Fatalf("got %+v, %v; want ErrMalformedMail", m, err)
			}
			if strings.Contains(err.Error(), "Secretword") || strings.Contains(err.Error(), "PDF") {
				t.Errorf("the error quotes the file: %v", err)
			}
		})
	}
}

func TestParseMailTooLarge(t *testing.T) {
	r := io.MultiReader(strings.NewReader("From: a@example.org\r\nSubject: big\r\n\r\n"), bytes.NewReader(make([]byte, MaxMailBytes)))
	if _, err := ParseMail(r); !errors.Is(err, ErrMailTooLarge) {
		t.Fatalf("got %v, want ErrMailTooLarge", err)
	}
}

// Headers with control characters, names that are paths, and an address
// list net/mail cannot read are made safe rather than refused.
func TestParseMailCleansWhatItKeeps(t *testing.T) {
	raw := "From: broken <<a@example.org>, \"unclosed\r\n" +
		"Subject: line one\x07 =?utf-8?q?and_two?=\r\n" +
		"Message-ID:   <id-1@example.org>  \r\n" +
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nhello\x00 there\r\n" +
		"--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"../../etc/passwd\"\r\n\r\nxx\r\n" +
		"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment\r\n\r\nyy\r\n--b--\r\n"
	m, err := ParseMail(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if m.From.Address != "a@example.org" {
		t.Errorf("From: got %+v, want the address found by its shape", m.From)
	}
	if m.Subject != "line one and two" || m.MessageID != "id-1@example.org" || m.Text != "hello there" {
		t.Errorf("got subject %q, id %q, text %q", m.Subject, m.MessageID, m.Text)
	}
	if len(m.Attachments) != 2 || m.Attachments[0].Name != "_.._etc_passwd" || m.Attachments[1].Name != "attachment-2.pdf" {
		t.Errorf("attachments: %+v", m.Attachments)
	}
	if len(m.Defects) == 0 || m.Defects[0].Name != "Malformed Header" {
		t.Errorf("defects: %+v", m.Defects)
	}
}

func TestContactAddresses(t *testing.T) {
	tests := []struct {
		contact string
		want    []string
	}{
		{"ana@example.org", []string{"ana@example.org"}},
		{"Ana Lívia <ana@example.org>", []string{"ana@example.org"}},
		{"ana@example.org, Ana@Example.org; or phone +1 555 0100", []string{"ana@example.org"}},
		{"@ana on the forum", nil},
		{"", nil},
		{"write to relay-7f3a@example.org (a relay).", []string{"relay-7f3a@example.org"}},
	}
	for _, tt := range tests {
		if got := ContactAddresses(tt.contact); strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("ContactAddresses(%q) = %q, want %q", tt.contact, got, tt.want)
		}
	}
}
