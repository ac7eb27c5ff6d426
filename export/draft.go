package export

// E-mail drafts: a letter to a party written as an unsent RFC 5322
// message (an .eml file with "X-Unsent: 1"), which Outlook opens as a
// draft to send and Thunderbird and Apple Mail open as a message to edit
// as new. It is built with github.com/jhillyerd/enmime/v2's builder, used
// only in this file. A status update's draft carries the party's PDF
// update, built from the model that holds only what the party may see.

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"time"

	"github.com/jhillyerd/enmime/v2"

	"casebook/app"
)

// DraftOptions tune a draft; the zero value is what users get.
type DraftOptions struct {
	// Reach says, in a status update's PDF, how to reach the committee
	// (see UpdateOptions). Empty means the committee's shared contact
	// from the settings, if any, else DefaultReach.
	Reach string
	// PDF tunes the attached status update.
	PDF PDFOptions
}

// Draft is an unsent e-mail to one party, ready to be written as an .eml
// file and recorded in the case (app.Store.AddDraft).
type Draft struct {
	// Letter is what the draft says, and to whom.
	Letter *app.Letter
	// MessageID is the draft's Message-ID, without angle brackets. Its
	// domain is the member's, or "casebook.invalid" when the roster has
	// no address for them; nothing names this computer.
	MessageID string
	// Date is the case clock's now, in the committee's time zone (UTC
	// when none is set), to the second.
	Date time.Time
	// PDF is the party's status update, attached to a status-update
	// draft; nil for other letters. PDFName is its file name.
	PDF     []byte
	PDFName string
}

// NewDraft prepares the e-mail for letter l — from app.Template, perhaps
// edited — to its party of case c, whose messages are msgs, as of
// ctx.Now. A status update gets the party's PDF update attached. It
// refuses a party with no e-mail address (app.ErrNoAddress) and a letter
// to a party the case does not have (ErrNoParty).
func NewDraft(c *app.Case, msgs []*app.Message, l *app.Letter, ctx app.Context, opts DraftOptions) (*Draft, error) {
	p := c.Party(l.PartyID)
	if p == nil {
		return nil, fmt.Errorf("%w: %s", ErrNoParty, l.PartyID)
	}
	if _, err := mail.ParseAddress(l.To); err != nil || strings.TrimSpace(l.To) == "" {
		return nil, fmt.Errorf("%w: %s (%s) has no e-mail address in their contact", app.ErrNoAddress, p.ID, p.Role)
	}
	if strings.TrimSpace(l.Body) == "" {
		return nil, fmt.Errorf("%w: the letter has no text", app.ErrInvalid)
	}
	loc := time.UTC
	if ctx.Config.TimeZone != "" {
		loc = ctx.Config.Location()
	}
	d := &Draft{Letter: l, Date: ctx.Now.In(loc).Truncate(time.Second), MessageID: newMessageID(l.From)}
	if l.Kind == app.KindStatusUpdate {
		reach := opts.Reach
		if reach == "" && strings.TrimSpace(ctx.Config.CommitteeContact) != "" {
			reach = "Write to " + strings.TrimSpace(ctx.Config.CommitteeContact) + "; it reaches the whole committee."
		}
		u, err := BuildPartyUpdate(c, msgs, p.ID, ctx.Config, UpdateOptions{Reach: reach}, ctx.Now)
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		if err := WriteUpdate(&buf, u, opts.PDF); err != nil {
			return nil, err
		}
		d.PDF = buf.Bytes()
		d.PDFName = fmt.Sprintf("update-%s-%s.pdf", c.Code, d.Date.Format(time.DateOnly))
	}
	return d, nil
}

// newMessageID makes a random Message-ID in the domain of from, or in
// "casebook.invalid".
func newMessageID(from string) string {
	b := make([]byte, 16)
	rand.Read(b) // never fails
	domain := "casebook.invalid"
	if at := strings.LastIndexByte(from, '@'); at >= 0 && at < len(from)-1 {
		domain = strings.ToLower(from[at+1:])
	}
	return "casebook." + hex.EncodeToString(b) + "@" + domain
}

// maxLine is how long a line of the body may be; a longer one is broken
// at a space. RFC 5322 allows 998 characters.
const maxLine = 990

// Write writes the draft as an RFC 5322 message with MIME: To, Subject,
// Date, Message-ID and "X-Unsent: 1"; From only when the member's address
// is known; the text as text/plain in UTF-8; and the PDF, if any, as an
// attachment.
func (d *Draft) Write(w io.Writer) error {
	l := d.Letter
	from := l.From
	if _, err := mail.ParseAddress(from); err != nil {
		from = ""
	}
	b := enmime.Builder().
		To(l.ToName, l.To).
		Subject(l.Subject).
		Date(d.Date).
		Header("Message-ID", "<"+d.MessageID+">").
		Header("X-Unsent", "1").
		Text([]byte(mailBody(l.Body)))
	if from != "" {
		b = b.From(l.FromName, from)
	} else {
		b = b.From("", "nobody@casebook.invalid") // the builder insists; removed below
	}
	if d.PDF != nil {
		b = b.AddAttachment(d.PDF, "application/pdf", d.PDFName)
	}
	root, err := b.Build()
	if err != nil {
		return fmt.Errorf("building the draft: %w", err)
	}
	if from == "" {
		root.Header.Del("From")
	}
	return root.Encode(w)
}

// mailBody gives text the line ends of mail, CRLF, and breaks lines too
// long for it at a space.
func mailBody(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	var out []string
	for _, line := range strings.Split(s, "\n") {
		for len(line) > maxLine {
			cut := strings.LastIndexByte(line[:maxLine], ' ')
			if cut <= 0 {
				cut = maxLine
				for cut > 0 && !isRuneStart(line[cut]) {
					cut--
				}
			}
			out = append(out, line[:cut])
			line = strings.TrimLeft(line[cut:], " ")
		}
		out = append(out, line)
	}
	return strings.Join(out, "\r\n")
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
