package app

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"casebook/internal/faultlog"
)

// Hostile input: the fault tests of area "input". Each feeds a huge or
// malformed file to the entry point the commands and the desktop app use,
// and checks that it is taken whole or refused with one sentence that
// quotes nothing of it, in bounded time and memory, with the vault
// unchanged when refused.

// measured runs fn and returns how long it took and how many bytes it
// allocated. It fails the test when fn takes longer than limit: a hang.
func measured(t *testing.T, limit time.Duration, fn func()) (time.Duration, uint64) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	done := make(chan struct{})
	go func() { defer close(done); fn() }()
	select {
	case <-done:
	case <-time.After(limit):
		t.Fatalf("still running after %v", limit)
	}
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	return took, after.TotalAlloc - before.TotalAlloc
}

// oneSentence fails unless err reads as one plain sentence: one line,
// not too long, quoting none of the secrets.
func oneSentence(t *testing.T, err error, secrets ...string) {
	t.Helper()
	s := err.Error()
	if strings.ContainsAny(s, "\n\r\x00") || len(s) > 400 {
		t.Errorf("the error is not one short line: %q", shorten(s, 500))
	}
	for _, secret := range secrets {
		if secret != "" && strings.Contains(s, secret) {
			t.Errorf("the error %q quotes the input (%q)", shorten(s, 500), shorten(secret, 40))
		}
	}
}

// mailFault is one hostile message and what must become of it.
type mailFault struct {
	name string
	raw  []byte
	// refused is the text the refusal must contain; empty when the
	// message must be imported.
	refused string
	// check looks at a message imported.
	check func(t *testing.T, m *Mail, msg *Message)
}

// runMailFaults parses and imports each message into a case of a fresh
// store, as `casebook mail import` and the desktop app do.
func runMailFaults(t *testing.T, tl *faultlog.Tally, faults []mailFault, secrets ...string) {
	e, c := newMailEnv(t)
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			tl.Run()
			before := contents(t, e.v)
			var m *Mail
			var msg *Message
			var err error
			took, alloc := measured(t, 60*time.Second, func() {
				m, err = ParseMail(bytes.NewReader(f.raw))
				if err == nil {
					msg, err = e.s.ImportMail(c.Code, m, c.Parties[0].ID)
				}
			})
			t.Logf("%d bytes: %v, %d MB allocated, error: %v", len(f.raw), took.Round(time.Millisecond), alloc>>20, err)
			if limit := uint64(len(f.raw))*12 + 256<<20; alloc > limit {
				t.Errorf("%d MB allocated for %d bytes, more than %d MB", alloc>>20, len(f.raw), limit>>20)
			}
			if f.refused != "" {
				if err == nil || !strings.Contains(err.Error(), f.refused) {
					t.Fatalf("got %v, want a refusal saying %q", err, f.refused)
				}
				oneSentence(t, err, secrets...)
				sameContents(t, "a refused message", before, contents(t, e.v))
				return
			}
			if err != nil {
				t.Fatalf("got %v, want the message imported", err)
			}
			if f.check != nil {
				f.check(t, m, msg)
			}
		})
	}
}

// mailHeader is the header of the hostile messages: from the reporter of
// mailIntake, with a subject that must not leak into errors.
const mailHeader = "From: Ana Lívia Moreau <ana.moreau@example.org>\r\nTo: committee@example.org\r\n" +
	"Subject: Synthetic secret subject\r\nMIME-Version: 1.0\r\n"

// mailWithParts is a message of n attachments side by side.
func mailWithParts(n int) []byte {
	var b bytes.Buffer
	b.WriteString(mailHeader + "Content-Type: multipart/mixed; boundary=\"B\"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nSynthetic body\r\n")
	for i := range n - 1 {
		fmt.Fprintf(&b, "--B\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=\"f%d.txt\"\r\n\r\nx%d\r\n", i, i)
	}
	b.WriteString("--B--\r\n")
	return b.Bytes()
}

// mailNested is a message whose multiparts nest depth deep.
func mailNested(depth int) []byte {
	var b bytes.Buffer
	b.WriteString(mailHeader)
	for i := range depth {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n--b%d\r\n", i, i)
	}
	b.WriteString("Content-Type: text/plain\r\n\r\nSynthetic body at the bottom\r\n")
	for i := depth - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "--b%d--\r\n", i)
	}
	return b.Bytes()
}

// mailAttachment is a message with one attachment of size bytes.
func mailAttachment(size int) []byte {
	var b bytes.Buffer
	b.WriteString(mailHeader + "Content-Type: multipart/mixed; boundary=\"B\"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nSee the file.\r\n" +
		"--B\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n" +
		"Content-Disposition: attachment; filename=\"big.bin\"\r\n\r\n")
	data := attachmentBytes(size)
	enc := base64.StdEncoding.EncodeToString(data)
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n--B--\r\n")
	return b.Bytes()
}

// attachmentBytes is size bytes of a fixed pattern.
func attachmentBytes(size int) []byte {
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i * 7 % 251)
	}
	return data
}

func TestFaultMailManyParts(t *testing.T) {
	tl := faultlog.Track(t, "input", "a message with 10,000 MIME parts",
		"refused in milliseconds with one sentence, nothing stored; 1,000 parts are imported whole")
	runMailFaults(t, tl, []mailFault{
		{name: "10,000 parts", raw: mailWithParts(10_000), refused: "more than 1,000 parts"},
		{name: "1,001 parts", raw: mailWithParts(1001), refused: "more than 1,000 parts"},
		{name: "1,000 parts", raw: mailWithParts(1000), check: func(t *testing.T, m *Mail, msg *Message) {
			if len(msg.Attachments) != 999 {
				t.Errorf("got %d attachments, want 999", len(msg.Attachments))
			}
		}},
	}, "Synthetic secret subject", "ana.moreau")
}

func TestFaultMailDeepNesting(t *testing.T) {
	faults := []mailFault{
		{name: "50 levels", raw: mailNested(50), check: func(t *testing.T, m *Mail, msg *Message) {
			if msg.Text != "Synthetic body at the bottom" {
				t.Errorf("got text %q", msg.Text)
			}
		}},
		{name: "51 levels", raw: mailNested(51), refused: "nested more than 50 levels deep"},
		{name: "1,000 levels", raw: mailNested(1000), refused: "nested more than 50 levels deep"},
		{name: "100,000 levels", raw: mailNested(100_000), refused: "nested more than 50 levels deep"},
	}
	if faultlog.Full() {
		faults = append(faults, mailFault{name: "1,000,000 levels", raw: mailNested(1_000_000), refused: "nested more than 50 levels deep"})
	}
	tl := faultlog.Track(t, "input", "deeply nested MIME: 51, 1,000 and 100,000 levels (full: 1,000,000)",
		"refused before the parser runs (it would recurse once a level), with one sentence, nothing stored; 50 levels imported")
	runMailFaults(t, tl, faults, "Synthetic secret subject", "ana.moreau")
}

// TestFaultMailSlowStructure feeds messages built to slow enmime down in
// ways the structure scan might not see: each level of nesting needs a
// boundary parameter, so a message with too many of those for its size
// is refused, whatever its shape.
func TestFaultMailSlowStructure(t *testing.T) {
	var many bytes.Buffer
	many.WriteString(mailHeader + "Content-Type: text/plain\r\n\r\n")
	for range 10_001 {
		many.WriteString("boundary=x\r\n")
	}
	var encoded bytes.Buffer
	encoded.WriteString(mailHeader + "Content-Type: text/plain\r\n\r\n")
	for range 5000 {
		encoded.WriteString("=?utf-8?q?x?= ")
	}
	encoded.WriteString(strings.Repeat("y", 1<<20))
	tl := faultlog.Track(t, "input", "a message with 10,001 boundary parameters, or 5,000 encoded words in 1 MB",
		"refused: more levels than the parser could safely nest, or too slow for its size; nothing stored")
	runMailFaults(t, tl, []mailFault{
		{name: "10,001 boundaries", raw: many.Bytes(), refused: "MIME boundaries and encoded words (10,001)"},
		{name: "5,000 encoded words in 1 MB", raw: encoded.Bytes(), refused: "MIME boundaries and encoded words (5,000)"},
	}, "Synthetic secret subject", "ana.moreau")
}

func TestFaultMailHugeHeaders(t *testing.T) {
	longSubject := strings.Repeat("Synthetic ", faultlog.Runs(100_000, 1<<20)) // 1 MB under go test, 10 MiB in full
	var to strings.Builder
	for i := range 10_000 {
		if i > 0 {
			to.WriteString(",\r\n ")
		}
		fmt.Fprintf(&to, "Person %d <p%d@example.org>", i, i)
	}
	var fields strings.Builder
	for i := range 100_000 {
		fmt.Fprintf(&fields, "X-Field-%d: v\r\n", i)
	}
	from := "From: Ana Lívia Moreau <ana.moreau@example.org>\r\n"
	tl := faultlog.Track(t, "input", "huge headers: a 10 MB subject, 10,000 recipients, 100,000 fields, a 10 MB name (go test: 1 MB)",
		"imported in bounded time; the subject and name cut at 1,000 characters and the recipients at 1,000, each said in a defect")
	hasDefect := func(t *testing.T, msg *Message, want string) {
		t.Helper()
		if !strings.Contains(strings.Join(msg.Defects, "\n"), want) {
			t.Errorf("no defect says %q: %q", want, msg.Defects)
		}
	}
	runMailFaults(t, tl, []mailFault{
		{name: "huge subject", raw: []byte(from + "Subject: " + longSubject + "\r\n\r\nbody"), check: func(t *testing.T, m *Mail, msg *Message) {
			if n := len([]rune(msg.Subject)); n != 1000 || !strings.HasPrefix(longSubject, strings.TrimSuffix(msg.Subject, "…")) {
				t.Errorf("subject of %d characters, want the first 1,000", n)
			}
			hasDefect(t, msg, "the subject was cut to 1,000 characters")
		}},
		{name: "10,000 recipients", raw: []byte(from + "To: " + to.String() + "\r\nSubject: s\r\n\r\nbody"), check: func(t *testing.T, m *Mail, msg *Message) {
			if len(m.To) != 1000 || m.To[999].Address != "p999@example.org" {
				t.Errorf("got %d recipients, want the first 1,000", len(m.To))
			}
			hasDefect(t, msg, "the To field lists 10,000 addresses; the first 1,000 are kept")
		}},
		{name: "100,000 fields", raw: []byte(from + fields.String() + "Subject: s\r\n\r\nbody"), check: func(t *testing.T, m *Mail, msg *Message) {
			if msg.Text != "body" || msg.Subject != "s" {
				t.Errorf("got subject %q and text %q", msg.Subject, msg.Text)
			}
		}},
		{name: "huge name", raw: []byte("From: " + longSubject + " <ana.moreau@example.org>\r\nSubject: s\r\n\r\nbody"), check: func(t *testing.T, m *Mail, msg *Message) {
			if len([]rune(m.From.Name)) != 1000 || m.From.Address != "ana.moreau@example.org" {
				t.Errorf("got a name of %d characters and address %q", len([]rune(m.From.Name)), m.From.Address)
			}
		}},
	})
}

func TestFaultMailLargeAttachment(t *testing.T) {
	// The full suite uses a 50 MB attachment (the most the limit can be
	// set to is 50 MiB, 52.4 MB); under go test, 1.5 MiB against a limit
	// of 1, then 2.
	size, over, at := 3<<19, 1, 2
	if faultlog.Full() {
		size, over, at = 50_000_000, DefaultMaxAttachmentMiB, MaxAttachmentLimitMiB
	}
	tl := faultlog.Track(t, "input", fmt.Sprintf("a message with a %s attachment, over and at the limit", FormatSize(int64(size))),
		"over Config.MaxAttachmentMiB: refused with one sentence, nothing stored; within it: stored and read back byte for byte")
	e, c := newMailEnv(t)
	raw := mailAttachment(size)
	for _, limit := range []int{over, at} {
		t.Run(fmt.Sprintf("limit %d MiB", limit), func(t *testing.T) {
			tl.Run()
			cfg := e.s.Config()
			cfg.MaxAttachmentMiB = limit
			if err := e.s.SetConfig(cfg); err != nil {
				t.Fatal(err)
			}
			before := contents(t, e.v)
			var msg *Message
			var err error
			took, alloc := measured(t, 120*time.Second, func() {
				var m *Mail
				if m, err = ParseMail(bytes.NewReader(raw)); err == nil {
					msg, err = e.s.ImportMail(c.Code, m, c.Parties[0].ID)
				}
			})
			t.Logf("%d bytes: %v, %d MB allocated, error: %v", len(raw), took.Round(time.Millisecond), alloc>>20, err)
			if int64(size) > int64(limit)<<20 {
				if !errors.Is(err, ErrAttachmentTooLarge) {
					t.Fatalf("got %v, want ErrAttachmentTooLarge", err)
				}
				oneSentence(t, err, "big.bin", "Synthetic secret subject")
				sameContents(t, "a refused message", before, contents(t, e.v))
				return
			}
			if err != nil {
				t.Fatalf("ImportMail: %v", err)
			}
			if len(msg.Attachments) != 1 {
				t.Fatalf("got %d attachments, want 1", len(msg.Attachments))
			}
			_, data, err := e.s.Attachment(c.Code, msg.Attachments[0].ID)
			if err != nil || !bytes.Equal(data, attachmentBytes(size)) {
				t.Fatalf("the attachment reads back otherwise (%v)", err)
			}
		})
	}
}

// intakeFault is one hostile intake file and the problem it must be
// refused with.
type intakeFault struct {
	name, data, problem string
}

// runIntakeFaults reads each file as `casebook report add FILE` does and
// checks that it is refused with the problem named, nothing created.
func runIntakeFaults(t *testing.T, tl *faultlog.Tally, faults []intakeFault, secrets ...string) {
	e := newStoreEnv(t)
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			tl.Run()
			before := contents(t, e.v)
			var err error
			took, alloc := measured(t, 30*time.Second, func() {
				var in *Intake
				if in, err = ParseIntake(strings.NewReader(f.data), berlin); err == nil {
					_, err = e.s.NewCase(in)
				}
			})
			t.Logf("%d bytes: %v, %d MB allocated, error: %v", len(f.data), took.Round(time.Millisecond), alloc>>20, shorten(fmt.Sprint(err), 300))
			if alloc > 64<<20 {
				t.Errorf("%d MB allocated, want at most 64", alloc>>20)
			}
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), f.problem) {
				t.Fatalf("got %v, want a refusal saying %q", shorten(fmt.Sprint(err), 300), f.problem)
			}
			oneSentence(t, err, secrets...)
			sameContents(t, "a refused intake", before, contents(t, e.v))
		})
	}
}

const goodIntake = `{"received":"2026-11-02","channel":"form","summary":"Synthetic secret summary"}`

// intakeWith is the good intake with more fields, given as JSON text.
func intakeWith(fields string) string {
	return strings.TrimSuffix(goodIntake, "}") + "," + fields + "}"
}

func TestFaultIntakeHuge(t *testing.T) {
	huge := strings.Repeat("Synthetic secret words ", 10<<20/23+1)
	tl := faultlog.Track(t, "input", "a 10 MB intake: a JSON file with a 10 MB description, a 10 MB file that is not JSON",
		"refused after reading 1 MiB (the documented limit), with one sentence, nothing created")
	runIntakeFaults(t, tl, []intakeFault{
		{"10 MB description", intakeWith(`"description":"` + huge + `"`), "is larger than 1 MiB"},
		{"10 MB of text", huge, "is larger than 1 MiB"},
		{"10 MB of zero bytes", strings.Repeat("\x00", 10<<20), "is larger than 1 MiB"},
		{"a description of 100,001 characters", intakeWith(`"description":"` + strings.Repeat("x", 100_001) + `"`),
			"description: is too long: 100,001 characters, at most 100,000"},
	}, "Synthetic secret")

	// The desktop app's form makes an Intake without a file: the same
	// limits, by Validate.
	t.Run("10 MB typed into the form", func(t *testing.T) {
		tl.Run()
		e := newStoreEnv(t)
		before := contents(t, e.v)
		in := testIntake(caseReceived)
		in.Description = huge
		var err error
		took, _ := measured(t, 30*time.Second, func() { _, err = e.s.NewCase(in) })
		t.Logf("%v, error: %v", took, err)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "description: is too long") {
			t.Fatalf("got %v, want description: is too long", err)
		}
		oneSentence(t, err, "Synthetic secret")
		sameContents(t, "a refused intake", before, contents(t, e.v))
	})
}

func TestFaultIntakeMalformedJSON(t *testing.T) {
	tl := faultlog.Track(t, "input", "malformed intake JSON: truncated, wrong types, duplicate keys, 100,000 [, BOMs, invalid UTF-8, huge numbers, NUL, RTL override",
		"each refused whole with a sentence naming the problem and where, nothing created")
	faults := []intakeFault{
		{"empty", "", "is empty"},
		{"truncated", goodIntake[:40], "line 1, column 40: the text ends before the JSON does"},
		{"wrong types", `{"received":2026,"channel":["form"],"summary":{"a":1},"ongoing":"yes"}`,
			"received: must be a string; channel: must be a string; summary: must be a string; ongoing: must be true or false"},
		{"a duplicate key", intakeWith(`"summary":"Synthetic other summary"`), "summary: is given twice"},
		{"a duplicate key deep in", intakeWith(`"people":[{"role":"witness","name":"Wren Witness","name":"Robin Reporter"}]`),
			"people[0].name: is given twice"},
		{"100,000 [", strings.Repeat("[", 100_000), "line 1, column 33: arrays and objects nest more than 32 levels deep"},
		{"100,000 { in a field", intakeWith(`"description":` + strings.Repeat(`{"a":`, 100_000)), "nest more than 32 levels deep"},
		{"9,000 [ in a field", intakeWith(`"people":` + strings.Repeat("[", 9000) + strings.Repeat("]", 9000)), "nest more than 32 levels deep"},
		{"32 levels", intakeWith(`"people":` + strings.Repeat("[", 31) + strings.Repeat("]", 31)), "people[0]: must be an object"},
		{"brackets in a string", intakeWith(`"description":"` + strings.Repeat(`[{\"`, 1000) + `","urgent":"x"`), "urgent: must be true or false"},
		{"two byte order marks", "\uFEFF\uFEFF" + goodIntake, "is not valid JSON"},
		{"invalid UTF-8", intakeWith(`"description":"Zo` + "\xe9" + `"`), "is not UTF-8 text (line 1, column"},
		{"a huge number", intakeWith(`"urgent":1e999999`), "urgent: must be true or false"},
		{"a 500,000-digit number", intakeWith(`"extra":` + strings.Repeat("9", 500_000)), "extra: unknown field"},
		{"a NUL in a name", intakeWith(`"reporter":{"name":"Robin\u0000Reporter"}`), "reporter.name: must be one line, without control characters"},
		{"a NUL in the description", intakeWith(`"description":"a\u0000b"`), "description: must not contain control characters"},
		{"an RTL override in a name", intakeWith(`"reporter":{"name":"Robin\u202enimda"}`), "reporter.name: must not contain text-direction controls"},
		{"an isolate in a contact", intakeWith(`"reporter":{"name":"Robin","contact":"robin\u2066@example.org"}`), "reporter.contact: must not contain text-direction controls"},
		{"more text after the object", goodIntake + `{"summary":"x"}`, "more text after the end of the object"},
		{"an array", `[` + goodIntake + `]`, "must be a JSON object"},
	}
	runIntakeFaults(t, tl, faults, "Synthetic secret summary", "Synthetic other summary", "Robin", "Wren")
}

// bundleFault is one hostile bundle file and the error it must be
// refused with.
type bundleFault struct {
	name string
	file []byte
	want error
	text string // what the error must say besides, if anything
}

func TestFaultBundleMalformed(t *testing.T) {
	e := mustImportFuzzEnv(t)
	good := e.content(t, fuzzCasePayload([]byte(fuzzSeedCase), []byte(fuzzSeedMsg)))
	file := e.seal(t, good)
	sign := func(header *bundleHeader, payload []byte) []byte {
		sum := sha256.Sum256(payload)
		header.PayloadSize, header.PayloadSHA256 = int64(len(payload)), hex.EncodeToString(sum[:])
		hb, err := json.Marshal(header)
		if err != nil {
			t.Fatal(err)
		}
		c := &bundleContent{Header: hb, Payload: payload, Signature: ed25519.Sign(e.alex.sign, signedMessage(hb))}
		return c.marshal()
	}
	_, goodHeader, err := parseBundleContent(good)
	if err != nil {
		t.Fatal(err)
	}
	header := func() *bundleHeader { h := *goodHeader; return &h }
	withAge := func(from, to string) []byte {
		return bytes.Replace(bytes.Clone(file), []byte(from), []byte(to), 1)
	}
	lengthLine := func(n string) []byte {
		_, sealed, _ := bytes.Cut(file[len(bundleMagic):], []byte("\n"))
		return append([]byte(bundleMagic+n+"\n"), sealed...)
	}
	huge := func(at int, n uint32) []byte { // a u32 length of the content made n
		c := bytes.Clone(good)
		binary.BigEndian.PutUint32(c[at:], n)
		return c
	}
	other, err := newImportFuzzEnv(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer other.v.Lock()
	otherAge, _ := age.GenerateX25519Identity()

	faults := []bundleFault{
		{"empty", nil, ErrNotBundle, ""},
		{"a PDF", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), ErrNotBundle, ""},
		{"10 MB of zeros", make([]byte, 10<<20), ErrNotBundle, ""},
		{"cut in the magic", file[:8], ErrBundleTruncated, ""},
		{"cut after the magic", file[:len(bundleMagic)], ErrBundleTruncated, ""},
		{"a newer version", append([]byte("casebook-bundle 2\n"), file[len(bundleMagic):]...), ErrBundleVersion, ""},
		{"a length line of 30 digits", lengthLine(strings.Repeat("9", 30)), ErrBundleDamaged, "length line"},
		{"a length of 1 GB, 2 KB there", lengthLine(fmt.Sprint(maxBundleFile)), ErrBundleTruncated, ""},
		{"a length over the limit", lengthLine(fmt.Sprint(maxBundleFile + 1)), ErrBundleDamaged, "length line"},
		{"a negative length", lengthLine("-5"), ErrBundleDamaged, "length line"},
		{"a length with a plus", lengthLine("+" + strings.SplitN(string(file[len(bundleMagic):]), "\n", 2)[0]), ErrBundleDamaged, "length line"},
		{"garbage after the end", append(bytes.Clone(file), "garbage"...), ErrBundleDamaged, "data after its end"},
		{"a bundle after the end", append(bytes.Clone(file), file...), ErrBundleDamaged, "data after its end"},
		{"a wrong age header", withAge("age-encryption.org/v1", "age-encryption.org/v2"), ErrBundleDamaged, "encryption header"},
		{"an age stanza altered", withAge("X25519", "X25518"), ErrNotForYou, ""},
		{"for someone else", e.sealTo(t, good, otherAge.Recipient()), ErrNotForYou, ""},
		{"a bundle of a bundle", e.seal(t, file), ErrBundleDamaged, "content is not recognised"},
		{"a bundle in a bundle's frame", append([]byte(bundleMagic+fmt.Sprint(len(file))+"\n"), file...), ErrBundleDamaged, "encryption header"},
		{"a header length of 4 GB", e.seal(t, huge(len(bundleContentMagic), 0xffffffff)), ErrBundleDamaged, "larger than the format allows"},
		{"a header length past the end", e.seal(t, huge(len(bundleContentMagic), maxBundleHeader)), ErrBundleDamaged, ""},
		{"a payload size of 1 GB", e.seal(t, func() []byte {
			h := header()
			hb, _ := json.Marshal(h)
			h2 := *h
			h2.PayloadSize = maxBundlePayload
			hb2, _ := json.Marshal(&h2)
			return bytes.Replace(bytes.Clone(good), hb, hb2, 1)
		}()), ErrBundleDamaged, ""},
		{"a valid signature over garbage", e.seal(t, sign(header(), []byte("Synthetic garbage, not a payload"))), ErrBundleDamaged, ""},
		{"a valid signature over a payload of 1,000 empty cases", e.seal(t, sign(header(), append([]byte(bundlePayloadMagic+"M\x00\x00\x00\x02[]"), bytes.Repeat([]byte("C\x00\x00\x00\x02{}"), 1000)...))),
			ErrBundleDamaged, ""},
		{"a valid signature, payload digest wrong", e.seal(t, func() []byte {
			c := bytes.Clone(good)
			c[len(c)-3] ^= 1
			return c
		}()), ErrBundleDamaged, "payload does not match"},
		{"a signature by another key", e.seal(t, func() []byte {
			c, _, _ := parseBundleContent(good)
			c.Signature = ed25519.Sign(other.blair.sign, signedMessage(c.Header))
			return c.marshal()
		}()), ErrBadSignature, ""},
		{"unsigned", e.seal(t, func() []byte {
			c, _, _ := parseBundleContent(good)
			c.Signature = nil
			return c.marshal()
		}()), ErrUnsigned, ""},
		{"a case record that is not JSON", e.seal(t, e.content(t, fuzzCasePayload([]byte("Synthetic secret, not JSON"), nil))), ErrBundleDamaged, "case record is unreadable"},
		{"a case record nested 100,000 deep", e.seal(t, e.content(t, fuzzCasePayload([]byte(strings.Repeat("[", 100_000)+strings.Repeat("]", 100_000)), nil))),
			ErrBundleDamaged, ""},
		{"a message record with a wrong type", e.seal(t, e.content(t, fuzzCasePayload([]byte(fuzzSeedCase),
			[]byte(`{"id":"msg5","party_id":"p1","direction":"in","at":"2026-11-02T09:00:00Z","text":["Synthetic secret"],"visibility":{}}`)))),
			ErrBundleDamaged, "a message record is unreadable"},
		{"a message record under another ID", e.seal(t, e.content(t, fuzzCasePayload([]byte(fuzzSeedCase),
			[]byte(strings.Replace(fuzzSeedMsg, `"msg5"`, `"msg6"`, 1))))), ErrBundleDamaged, "a message record is unreadable"},
	}
	// Cut short at 20 places, and a byte flipped at 20 places.
	for i := 1; i <= 20; i++ {
		at := len(file) * i / 21
		faults = append(faults, bundleFault{fmt.Sprintf("cut at byte %d", at), file[:at], ErrBundleTruncated, ""})
		flipped := bytes.Clone(file)
		flipped[at] ^= 0x40
		faults = append(faults, bundleFault{fmt.Sprintf("byte %d flipped", at), flipped, nil, ""})
	}

	tl := faultlog.Track(t, "input", "malformed bundles: truncated, wrong age header, huge declared sizes, garbage after the end, a valid signature over garbage, a bundle of a bundle",
		"each refused with its error and one sentence, nothing changed in the vault, memory bounded by the file")
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			tl.Run()
			before := contents(t, e.v)
			var err error
			took, alloc := measured(t, 30*time.Second, func() { _, err = e.s.ImportBundle(bytes.NewReader(f.file)) })
			if alloc > uint64(len(f.file))*16+64<<20 {
				t.Errorf("%d MB allocated for a file of %d bytes", alloc>>20, len(f.file))
			}
			if took > 5*time.Second {
				t.Errorf("took %v", took)
			}
			if err == nil {
				t.Fatalf("the bundle was imported")
			}
			if f.want != nil && !errors.Is(err, f.want) {
				t.Fatalf("got %v, want %v", err, f.want)
			}
			refused := false
			for _, r := range bundleRefusals {
				refused = refused || errors.Is(err, r)
			}
			if !refused {
				t.Fatalf("got %v, which is none of the bundle's refusals", err)
			}
			if !strings.Contains(err.Error(), f.text) {
				t.Errorf("got %q, want it to say %q", err, f.text)
			}
			oneSentence(t, err, "Synthetic", "Robin", "amber-heron")
			sameContents(t, "a refused bundle", before, contents(t, e.v))
		})
	}
	// The good bundle is still taken, after all that.
	if _, err := e.s.ImportBundle(bytes.NewReader(file)); err != nil {
		t.Fatalf("the good bundle: %v", err)
	}
}

func TestFaultLongPassphrase(t *testing.T) {
	tl := faultlog.Track(t, "input", "a passphrase of 1,000 characters and of 1 MB, rated and checked as a new one",
		"rated in milliseconds (zxcvbn took 10 s on 1,000 characters); a strong start is accepted, a weak one refused")
	strong := "correct horse battery staple, for tests only "
	for _, tt := range []struct {
		name string
		p    string
		ok   bool
	}{
		{"1,000 characters", strings.Repeat(strong, 1000/len(strong)+1)[:1000], true},
		{"1 MB", strings.Repeat(strong, 1<<20/len(strong)), true},
		{"1 MB of one letter", strings.Repeat("a", 1<<20), false},
		{"1 MB of invalid UTF-8", strings.Repeat("\xff", 1<<20), false},
	} {
		tl.Run()
		var err error
		took, _ := measured(t, 30*time.Second, func() { err = CheckNewPassphrase([]byte(tt.p), "Robin Reporter") })
		if took > 2*time.Second {
			t.Errorf("%s: took %v", tt.name, took)
		}
		if (err == nil) != tt.ok {
			t.Errorf("%s: got %v, want accepted %v", tt.name, err, tt.ok)
		}
	}
}

func TestFaultHugePastedText(t *testing.T) {
	size := faultlog.Runs(1<<20, 10<<20)
	tl := faultlog.Track(t, "input", "10 MB of pasted text in a note and in a message (go test: 1 MB)",
		"taken whole and read back exactly, after reopening too; each step, and search, in bounded time")
	e := newStoreEnv(t)
	c := e.newCase(t, testIntake(caseReceived))
	big := strings.Repeat("Synthetic words of a pasted page\n", size/33+1)[:size]
	step := func(name string, fn func() error) {
		t.Helper()
		tl.Run()
		var err error
		took, alloc := measured(t, 60*time.Second, func() { err = fn() })
		t.Logf("%s: %v, %d MB allocated", name, took.Round(time.Millisecond), alloc>>20)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		// 40 bytes per byte of text, beside a fixed 128 MB: reopening
		// allocates the vault's 42 MB memtable arena, of which only the
		// pages written become resident.
		if alloc > uint64(size)*40+128<<20 {
			t.Errorf("%s: %d MB allocated for %d bytes of text", name, alloc>>20, size)
		}
	}
	step("a note", func() error { _, err := e.s.AddNote(c.Code, big, Visibility{}); return err })
	step("a message", func() error {
		_, err := e.s.AddMessage(c.Code, Message{PartyID: c.Parties[0].ID, Direction: In, Text: big})
		return err
	})
	step("reopening", func() error { e.reopen(t); return nil })
	step("reading back", func() error {
		got, err := e.s.Case(c.Code)
		if err != nil {
			return err
		}
		if n := got.Notes[len(got.Notes)-1]; n.Text != big {
			t.Errorf("the note reads back otherwise: %d bytes", len(n.Text))
		}
		msgs, err := e.s.Messages(c.Code)
		if err != nil {
			return err
		}
		if m := msgs[len(msgs)-1]; m.Text != big {
			t.Errorf("the message reads back otherwise: %d bytes", len(m.Text))
		}
		return nil
	})
	step("searching", func() error {
		res, err := e.s.Search("pasted", 10)
		if err == nil && len(res) == 0 {
			t.Errorf("the text is not found")
		}
		return err
	})
}

func TestFaultMailSpoofedNames(t *testing.T) {
	tl := faultlog.Track(t, "input", "a message whose sender name and attachment names hold RTL overrides, NUL, paths and encoded control characters",
		"imported with the direction controls and control characters gone and the paths flattened, so no name shows as another")
	attachment := func(name string) string {
		return "--B\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"" + name + "\"\r\n\r\nx\r\n"
	}
	raw := "From: \"Robin \u202eRobin\" <ana.moreau@example.org>\r\nSubject: =?utf-8?q?a=00b=E2=80=AEc?=\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"B\"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nSynthetic body\r\n" +
		attachment("report\u202efdp.exe") + attachment("../../etc/passwd") + attachment("=?utf-8?q?a=00b=E2=81=A6.pdf?=") +
		attachment("C:\\\\Windows\\\\evil.bat") + "--B--\r\n"
	runMailFaults(t, tl, []mailFault{{name: "spoofed names", raw: []byte(raw), check: func(t *testing.T, m *Mail, msg *Message) {
		var names []string
		for _, a := range m.Attachments {
			names = append(names, a.Name)
		}
		want := []string{"reportfdp.exe", "_.._etc_passwd", "a b.pdf", "C__Windows_evil.bat"}
		if strings.Join(names, "|") != strings.Join(want, "|") {
			t.Errorf("attachment names: got %q, want %q", names, want)
		}
		if m.From.Name != "Robin Robin" || m.Subject != "a bc" {
			t.Errorf("got sender %q and subject %q", m.From.Name, m.Subject)
		}
	}}})
}
