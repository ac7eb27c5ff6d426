package app

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"casebook/vault"
)

// FuzzImportMail feeds the import of an e-mail message into a case, from
// the .eml file's bytes to the stored message and its attachments. The
// seeds are the sample messages of testdata/mail. ParseMail and ImportMail
// may not panic or hang. A message imported reads back as it was taken
// in, attachments byte for byte; a refusal matches one of ImportMail's
// errors, quotes nothing of the message and changes nothing in the vault.
// Each input meets one store: a refusal leaves it as it was (checked), and
// after an import the next input goes into a new case of its own.
func FuzzImportMail(f *testing.F) {
	vault.UseLowCostKDFForTesting()
	samples, err := filepath.Glob(filepath.Join("testdata", "mail", "*.eml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range samples {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, false)
	}
	f.Add([]byte("From: Ana <ana.moreau@example.org>\r\nSubject: hi\r\n\r\nhello"), true)
	e, err := newImportFuzzEnv(f.TempDir())
	if err != nil {
		f.Fatalf("making the vault: %v", err)
	}
	f.Cleanup(func() { e.v.Lock() })
	received := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	c, err := e.s.NewCase(mailIntake(received))
	if err != nil {
		f.Fatalf("NewCase: %v", err)
	}
	f.Fuzz(func(t *testing.T, data []byte, toReporter bool) {
		m, err := ParseMail(bytes.NewReader(data))
		if err != nil {
			return // FuzzParseMail checks the parser's refusals
		}
		party := ""
		if toReporter {
			party = c.Parties[0].ID
		}
		before := contents(t, e.v)
		done := make(chan struct{})
		var msg *Message
		go func() {
			defer close(done)
			msg, err = e.s.ImportMail(c.Code, m, party)
		}()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("ImportMail took more than 20 seconds on %d bytes", len(data))
		}
		if err != nil {
			if !errors.Is(err, ErrDuplicate) && !errors.Is(err, ErrUnknownSender) && !errors.Is(err, ErrAttachmentTooLarge) {
				t.Fatalf("an unexpected error: %v", err)
			}
			for _, s := range []string{m.Subject, m.Text, m.From.Name} {
				if len(s) >= 12 && strings.Contains(err.Error(), s) {
					t.Fatalf("the error quotes the message: %v", err)
				}
			}
			sameContents(t, "a refused message", before, contents(t, e.v))
			return
		}
		msgs, err := e.s.Messages(c.Code)
		if err != nil {
			t.Fatalf("Messages: %v", err)
		}
		i := slices.IndexFunc(msgs, func(x *Message) bool { return x.ID == msg.ID })
		if i < 0 {
			t.Fatalf("the message imported is not in the case")
		}
		got := msgs[i]
		if got.Text != m.Text || got.Subject != m.Subject || got.MessageID != m.MessageID || len(got.Attachments) != len(m.Attachments) {
			t.Fatalf("the message reads back otherwise than it was taken in")
		}
		for j, ref := range got.Attachments {
			_, data, err := e.s.Attachment(c.Code, ref.ID)
			if err != nil || !bytes.Equal(data, m.Attachments[j].Data) || ref.Name != m.Attachments[j].Name {
				t.Fatalf("attachment %d reads back otherwise (%v)", j+1, err)
			}
		}
		if c, err = e.s.NewCase(mailIntake(received)); err != nil {
			t.Fatalf("NewCase: %v", err)
		}
	})
}
