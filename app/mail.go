package app

// E-mail taken in: a message file (.eml) read into a Mail. The parsing is
// github.com/jhillyerd/enmime/v2's, made for real-world mail: RFC 2047
// encoded words, quoted-printable and base64, other character sets,
// HTML-only mail (turned into readable text), nested and malformed
// multiparts. It is used only in this file; the rest of Casebook sees
// ParseMail and Mail. What enmime tolerated is kept as the mail's
// Defects, so that the committee knows when part of a message may be
// missing or garbled.

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jhillyerd/enmime/v2"
)

// MaxMailBytes is the largest message file ParseMail reads: 128 MiB.
// Each attachment in it must also be within the committee's limit
// (Config.MaxAttachmentMiB).
const MaxMailBytes = 128 << 20

// ErrMalformedMail means a file is not an e-mail message that can be
// read. Nothing of it is stored. Errors that wrap it say why, without
// quoting the file.
var ErrMalformedMail = errors.New("not a readable e-mail message")

// ErrMailTooLarge means a message file is larger than MaxMailBytes.
var ErrMailTooLarge = errors.New("the message is larger than 128 MiB")

// Mail is an e-mail message as Casebook takes it in. Its texts are valid
// UTF-8, with line ends as "\n".
type Mail struct {
	// From is the sender; To and Cc the recipients. Names are decoded.
	From   mail.Address
	To, Cc []mail.Address
	// Date is the message's own date; zero when it has none that can be
	// read.
	Date    time.Time
	Subject string
	// MessageID is the Message-ID header without its angle brackets;
	// empty when the message has none.
	MessageID string
	// Text is the message's text: its text/plain part, or its HTML made
	// into readable text when it has only HTML (TextFromHTML is then
	// set).
	Text         string
	TextFromHTML bool
	// Attachments are the message's files, attached or inline, in the
	// order they appear.
	Attachments []MailAttachment
	// Defects are what the parser found wrong and worked around.
	Defects []Defect
	// Digest is the SHA-256 of the whole message file, in hexadecimal:
	// it recognizes a message imported twice when it has no Message-ID.
	Digest string
	// Size is the size of the message file in bytes.
	Size int64
}

// MailAttachment is one file carried by a message.
type MailAttachment struct {
	// Name is the file name the message gives, made safe to show; a
	// file without one is called "attachment-N" with an extension for
	// its type.
	Name string
	// Type is the media type, such as "application/pdf".
	Type string
	Data []byte
	// Inline marks a file shown in the message's body, such as a
	// picture pasted into it.
	Inline bool
}

// Defect is something wrong with a message that the parser worked
// around.
type Defect struct {
	// Name is the kind of defect, such as "Malformed Base64".
	Name string
	// Detail says more, where the parser said more. It may quote the
	// message, so it is case content: never log it.
	Detail string
	// Severe means part of the message may have been lost.
	Severe bool
}

// String reads "Malformed Base64: unexpected '!' (part of the message
// may be missing)".
func (d Defect) String() string {
	s := d.Name
	if d.Detail != "" {
		s += ": " + d.Detail
	}
	if d.Severe {
		s += " (part of the message may be missing)"
	}
	return s
}

// maxDefectDetail bounds a defect's detail, in characters.
const maxDefectDetail = 300

// shorten cuts s to at most n characters, marking the cut with "…".
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// maxDefects bounds how many defects a message keeps: a badly broken
// message can have thousands of the same kind.
const maxDefects = 20

// mailParser tolerates what real mail does: a multipart without a
// boundary is read as one part, a part that cannot be read is skipped
// (and said so), and a text part with broken base64 keeps what could be
// decoded.
var mailParser = enmime.NewParser(
	enmime.MultipartWOBoundaryAsSinglePart(true),
	enmime.SkipMalformedParts(true),
	enmime.MaxStoredPartErrors(maxDefects),
	enmime.SetReadPartErrorPolicy(enmime.AllowCorruptTextPartErrorPolicy),
)

// mailHeaders are the header fields one of which any e-mail message has.
// A file with none of them is not a message, even if it parses as one:
// a text file's first line can look like a header, and a MIME part
// saved on its own has only MIME fields.
var mailHeaders = []string{"From", "To", "Cc", "Date", "Subject", "Message-Id", "Received", "Return-Path"}

// ParseMail reads one e-mail message (RFC 5322 with MIME, as a .eml file
// holds it) of at most MaxMailBytes. It refuses, with an error matching
// ErrMalformedMail or ErrMailTooLarge, a file that is not a message, or
// whose parts nest more than 50 levels deep or number more than 1,000, or
// that is built to make the parser slow (see mimescan.go);
// everything else it reads as best it can, noting in Defects what it had
// to work around. It never panics, whatever the input.
func ParseMail(r io.Reader) (m *Mail, err error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxMailBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading the message: %w", err)
	}
	if len(raw) > MaxMailBytes {
		return nil, ErrMailTooLarge
	}
	if depth, parts := mimeShape(raw, maxMailDepth, maxMailParts); depth > maxMailDepth {
		return nil, fmt.Errorf("%w: its parts are nested more than %d levels deep", ErrMalformedMail, maxMailDepth)
	} else if parts > maxMailParts {
		return nil, fmt.Errorf("%w: it has more than %s parts", ErrMalformedMail, thousands(maxMailParts))
	}
	if levels := mimeLevels(raw); levels > maxMailLevels || int64(levels)*int64(len(raw)) > maxMailWork {
		return nil, fmt.Errorf("%w: it has more MIME boundaries and encoded words (%s) than Casebook reads in a message of %s",
			ErrMalformedMail, thousands(levels), FormatSize(int64(len(raw))))
	}
	defer func() {
		// The parser is third-party code fed with whatever arrives by
		// mail; a panic in it is one more unreadable message.
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("%w: its structure cannot be read", ErrMalformedMail)
		}
	}()
	return parseMail(raw)
}

func parseMail(raw []byte) (*Mail, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, fmt.Errorf("%w: the file is empty", ErrMalformedMail)
	}
	env, err := mailParser.ReadEnvelope(bytes.NewReader(raw))
	if err != nil {
		// enmime's error quotes the file; say only what kind of problem.
		return nil, fmt.Errorf("%w: its header or structure cannot be read", ErrMalformedMail)
	}
	known := false
	for _, k := range mailHeaders {
		if strings.TrimSpace(env.Root.Header.Get(k)) != "" {
			known = true
			break
		}
	}
	if !known {
		return nil, fmt.Errorf("%w: it has no e-mail header (From, To, Date, Subject…)", ErrMalformedMail)
	}
	sum := sha256.Sum256(raw)
	m := &Mail{
		Subject:   shorten(cleanLine(env.GetHeader("Subject")), maxHeaderText),
		MessageID: cleanMessageID(env.Root.Header.Get("Message-Id")),
		Digest:    hex.EncodeToString(sum[:]),
		Size:      int64(len(raw)),
	}
	if m.Subject != cleanLine(env.GetHeader("Subject")) {
		m.Defects = append(m.Defects, Defect{Name: "Long Header", Detail: fmt.Sprintf("the subject was cut to %s characters", thousands(maxHeaderText))})
	}
	m.From, m.Defects = firstAddress(env, "From", m.Defects)
	m.To, m.Defects = addresses(env, "To", m.Defects)
	m.Cc, m.Defects = addresses(env, "Cc", m.Defects)
	if d, err := env.Date(); err == nil {
		m.Date = d
	} else if !errors.Is(err, mail.ErrHeaderNotPresent) {
		m.Defects = append(m.Defects, Defect{Name: "Malformed Date", Detail: "the date cannot be read"})
	}
	m.Text = cleanText(env.Text)
	n := 0
	add := func(p *enmime.Part, inline bool) {
		n++
		m.Attachments = append(m.Attachments, MailAttachment{
			Name: attachmentName(p.FileName, p.ContentType, n), Type: mediaType(p.ContentType),
			Data: p.Content, Inline: inline,
		})
	}
	for _, p := range env.Attachments {
		add(p, false)
	}
	for _, p := range env.Inlines {
		add(p, true)
	}
	for _, p := range env.OtherParts {
		add(p, true)
	}
	for _, e := range env.Errors {
		if e.Name == enmime.ErrorPlainTextFromHTML && !e.Severe {
			// Not a defect: the sender's program wrote only HTML.
			m.TextFromHTML = true
			continue
		}
		d := Defect{Name: cleanLine(e.Name), Detail: shorten(cleanLine(e.Detail), maxDefectDetail), Severe: e.Severe}
		if e.Name == enmime.ErrorCharsetDeclaration && strings.HasPrefix(e.Detail, "declared charset") {
			// enmime names the character set it detected, and its
			// detector picks at random between two equally likely ones
			// (ISO-8859-1 and -2, say): the same file would read with
			// another defect each time.
			d.Detail = "the text does not look like the character set it declares"
		}
		if slices.Contains(m.Defects, d) {
			continue // broken base64 reports each bad run
		}
		if len(m.Defects) == maxDefects {
			break
		}
		m.Defects = append(m.Defects, d)
	}
	// The parser reports some defects in the order of a map: sort them,
	// so that the same file always reads the same.
	slices.SortStableFunc(m.Defects, func(a, b Defect) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Detail, b.Detail))
	})
	return m, nil
}

// firstAddress reads the first address of an address header.
func firstAddress(env *enmime.Envelope, key string, defects []Defect) (mail.Address, []Defect) {
	list, defects := addresses(env, key, defects)
	if len(list) == 0 {
		return mail.Address{}, defects
	}
	return list[0], defects
}

// addresses reads an address header. A header net/mail cannot parse
// still gives the addresses in it, found by their shape, and a defect.
func addresses(env *enmime.Envelope, key string, defects []Defect) ([]mail.Address, []Defect) {
	raw := env.Root.Header.Get(key)
	if strings.TrimSpace(raw) == "" {
		return nil, defects
	}
	var out []mail.Address
	if list, err := env.AddressList(key); err == nil {
		out = make([]mail.Address, 0, min(len(list), maxRecipients))
		for _, a := range list {
			out = append(out, mail.Address{Name: shorten(cleanLine(a.Name), maxHeaderText), Address: shorten(cleanLine(a.Address), maxHeaderText)})
		}
	} else {
		defects = append(defects, Defect{Name: "Malformed Header", Detail: "the " + key + " field is not a valid address list"})
		for _, a := range findAddresses(cleanLine(env.GetHeader(key))) {
			out = append(out, mail.Address{Address: shorten(a, maxHeaderText)})
		}
	}
	if len(out) > maxRecipients {
		defects = append(defects, Defect{Name: "Many Recipients", Detail: fmt.Sprintf("the %s field lists %s addresses; the first %s are kept",
			key, thousands(len(out)), thousands(maxRecipients))})
		out = out[:maxRecipients]
	}
	return out, defects
}

// maxHeaderText bounds the text kept of a header: the subject, a name, an
// address, in characters. maxRecipients bounds the addresses kept of the
// To or Cc field. A message beyond either keeps the first part and says
// so in a defect.
const (
	maxHeaderText = 1000
	maxRecipients = 1000
)

// addrPattern finds e-mail addresses in free text, such as a party's
// contact ("Ana <ana@example.org>, or @ana on the forum").
var addrPattern = regexp.MustCompile(`[^\s<>()\[\],;:"@]+@[^\s<>()\[\],;:"@]+\.[^\s<>()\[\],;:"@.]+`)

// findAddresses returns the e-mail addresses in s, in the order they
// appear, without duplicates (ignoring case).
func findAddresses(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, a := range addrPattern.FindAllString(s, -1) {
		a = strings.TrimRight(a, ".")
		if k := strings.ToLower(a); !seen[k] {
			seen[k] = true
			out = append(out, a)
		}
	}
	return out
}

// ContactAddresses returns the e-mail addresses in a party's or member's
// contact, which is free text: "ana@example.org", "Ana <ana@example.org>",
// or "@ana on the forum" (none).
func ContactAddresses(contact string) []string {
	if list, err := mail.ParseAddressList(contact); err == nil {
		out := make([]string, 0, len(list))
		for _, a := range list {
			out = append(out, a.Address)
		}
		return out
	}
	return findAddresses(contact)
}

// sameAddress compares two addresses ignoring case, as people and most
// mail systems do.
func sameAddress(a, b string) bool {
	return a != "" && strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// cleanMessageID strips a Message-ID's angle brackets and spaces.
func cleanMessageID(s string) string {
	s = cleanLine(s)
	if i := strings.IndexByte(s, '<'); i >= 0 {
		if j := strings.IndexByte(s[i:], '>'); j > 0 {
			s = s[i+1 : i+j]
		}
	}
	s = strings.TrimSpace(s)
	if len(s) > 998 {
		s = s[:998]
	}
	return strings.ToValidUTF8(s, "")
}

// cleanLine makes a header value one line of valid UTF-8 without control
// characters, nor the text-direction controls that would let a name or a
// file name show as another ("report\u202Efdp.exe" as "reportexe.pdf").
func cleanLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		if IsBidiControl(r) {
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// cleanText makes a body valid UTF-8 with "\n" line ends and no control
// characters other than tabs, trimmed of blank lines around it.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || !unicode.IsControl(r) {
			return r
		}
		return -1
	}, s)
	return strings.Trim(s, "\n ")
}

// mediaType returns a part's media type, lower case, or
// application/octet-stream.
func mediaType(t string) string {
	t = strings.ToLower(cleanLine(t))
	if t == "" || !strings.Contains(t, "/") || strings.ContainsAny(t, " ;") {
		return "application/octet-stream"
	}
	return t
}

// extensions gives a file without a name an extension for its type. The
// system's own table (mime.ExtensionsByType) differs between machines.
var extensions = map[string]string{
	"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif",
	"image/webp": ".webp", "text/plain": ".txt", "text/html": ".html", "text/calendar": ".ics",
	"message/rfc822": ".eml", "application/zip": ".zip",
}

// maxAttachmentName bounds an attachment's name, in bytes.
const maxAttachmentName = 200

// attachmentName makes a file name safe to show and to offer as a file
// name: no directories, no control characters, not empty, not too long.
func attachmentName(name, ctype string, n int) string {
	name = cleanLine(name)
	name = strings.NewReplacer("/", "_", "\\", "_", ":", "_").Replace(name)
	name = strings.Trim(name, ". ")
	if name == "" {
		return fmt.Sprintf("attachment-%d%s", n, extensions[mediaType(ctype)])
	}
	if len(name) > maxAttachmentName {
		ext := path.Ext(name)
		if len(ext) > 20 || !utf8.ValidString(ext) {
			ext = ""
		}
		cut := maxAttachmentName - len(ext)
		for cut > 0 && !utf8.RuneStart(name[cut]) {
			cut--
		}
		name = name[:cut] + ext
	}
	return name
}
