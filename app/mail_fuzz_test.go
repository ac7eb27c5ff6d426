package app

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzParseMail feeds the parser anything: it must never panic, and what
// it returns must be safe to store and show. Its seed corpus, in
// testdata/fuzz/FuzzParseMail, holds the sample messages and what earlier
// runs found.
func FuzzParseMail(f *testing.F) {
	f.Add([]byte("From: a@example.org\r\nSubject: hi\r\n\r\nhello"))
	f.Fuzz(func(t *testing.T, data []byte) {
		done := make(chan struct{})
		var m *Mail
		var err error
		go func() { m, err = ParseMail(bytes.NewReader(data)); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("ParseMail took more than 5 seconds on %d bytes", len(data))
		}
		if err != nil {
			if !errors.Is(err, ErrMalformedMail) {
				t.Fatalf("an error that is not ErrMalformedMail: %v", err)
			}
			return
		}
		again, err := ParseMail(bytes.NewReader(data))
		if err != nil || !reflect.DeepEqual(m, again) {
			t.Fatalf("a second parse differs: %v", err)
		}
		if m.Size != int64(len(data)) || len(m.Digest) != 64 {
			t.Fatalf("size %d, digest %q", m.Size, m.Digest)
		}
		for _, s := range []string{m.Subject, m.MessageID, m.From.Name, m.From.Address} {
			if !utf8.ValidString(s) || strings.ContainsAny(s, "\r\n\x00") {
				t.Fatalf("a header value is not one clean line: %q", s)
			}
		}
		if !utf8.ValidString(m.Text) || strings.ContainsAny(m.Text, "\r\x00") {
			t.Fatalf("the text is not clean: %q", m.Text)
		}
		if len(m.Defects) > maxDefects {
			t.Fatalf("%d defects kept", len(m.Defects))
		}
		for _, a := range m.Attachments {
			if a.Name == "" || len(a.Name) > maxAttachmentName+20 || strings.ContainsAny(a.Name, "/\\\x00\r\n") || !utf8.ValidString(a.Name) {
				t.Fatalf("an unsafe attachment name: %q", a.Name)
			}
			if a.Type == "" || strings.ContainsAny(a.Type, " ;\r\n") {
				t.Fatalf("an unclean media type: %q", a.Type)
			}
		}
	})
}
