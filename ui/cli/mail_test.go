package cli

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"casebook/app"
)

// sample names a sample message of app/testdata/mail.
func sample(name string) string { return filepath.Join("..", "..", "app", "testdata", "mail", name) }

// newMailEnv is a vault whose member has an address, with the example
// report filed: p1 Ana (reporter), p2 Björn (reported), p3 Zoë (witness)
// and p4 Tomás, who has no contact and sits on the committee (m3).
func newMailEnv(t *testing.T) (*caseEnv, string) {
	t.Helper()
	dir, _ := initVault(t)
	e := &caseEnv{t: t, dir: dir, now: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	e.ok("member", "add", "Amara Nwosu", "--me", "--contact", "amara@committee.example.org")
	e.ok("member", "add", "Henrik Lund")
	e.ok("member", "add", "Tomás Okafor") // m3, a party to the example report
	code := strings.TrimSpace(e.ok("case", "new", "--from", filepath.Join("..", "..", "testdata", "intake", "example.json")))
	return e, code
}

// shownCase is what `case show --json` says of messages and parties.
type shownCase struct {
	app.Case
	Messages []*app.Message `json:"messages"`
}

func (e *caseEnv) show(code string) shownCase {
	e.t.Helper()
	var v shownCase
	if err := json.Unmarshal([]byte(e.ok("case", "show", code, "--json")), &v); err != nil {
		e.t.Fatal(err)
	}
	return v
}

func TestImportEml(t *testing.T) {
	e, code := newMailEnv(t)
	r := e.run("import", "eml", code, sample("plain-utf8.eml"), sample("alternative-qp.eml"), sample("nested-attachment.eml"),
		sample("html-only-latin1.eml"), sample("sent-by-member.eml"))
	if r.code != ExitOK {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	// Item IDs count on from the case's parties and evidence: p1–p4, e5–e7.
	for _, w := range []string{
		sample("plain-utf8.eml") + ": imported as msg8 from p1 (reporter)\n",
		sample("alternative-qp.eml") + ": imported as msg9 from p1 (reporter)\n",
		sample("nested-attachment.eml") + ": imported as msg10 from p2 (reported), with 2 attachments\n",
		sample("html-only-latin1.eml") + ": imported as msg13 from p3 (witness); see its notes",
		sample("sent-by-member.eml") + ": imported as msg14 sent to p2 (reported)\n",
	} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("output lacks %q:\n%s", w, r.stdout)
		}
	}

	// Again, with files that are refused: one line each, exit 1, nothing
	// stored of them.
	missing := filepath.Join(t.TempDir(), "missing.eml")
	r = e.run("import", "eml", code, sample("plain-utf8.eml"), sample("not-mail.eml"), sample("unknown-sender.eml"), missing, sample(""))
	if r.code != ExitError {
		t.Fatalf("exit %d, want %d; stdout %q", r.code, ExitError, r.stdout)
	}
	for _, w := range []string{
		sample("plain-utf8.eml") + ": skipped: already imported as msg8\n",
		sample("not-mail.eml") + ": refused: The file is not a readable e-mail message: its header or structure cannot be read; nothing of it was stored.\n",
		sample("unknown-sender.eml") + ": refused: The sender's address is no party's contact; say which party the message is from: p1 (reporter), p2 (reported), p3 (witness), p4 (other). Name it with --party; nothing was stored.\n",
		sample("") + ": refused: " + sample("") + " is a directory; name .eml files.\n",
		missing + ": refused: Not found (open " + missing + ": no such file or directory); nothing was changed.\n",
	} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("output lacks %q:\n%s", w, r.stdout)
		}
	}
	if want := "4 of 5 files were refused. Nothing of them was stored; the lines above say why.\n"; r.stderr != want {
		t.Errorf("stderr %q, want %q", r.stderr, want)
	}
	if n := len(e.show(code).Messages); n != 5 {
		t.Errorf("got %d messages, want the 5 imported", n)
	}
	for _, secret := range []string{"Sam Visitor", "sam.visitor", "About the issue queue", "PDF"} {
		if strings.Contains(r.stdout+r.stderr, secret) {
			t.Errorf("the output quotes %q", secret)
		}
	}

	// Told the party, the unknown sender is imported; standard input works.
	if got := e.ok("import", "eml", code, sample("unknown-sender.eml"), "--party", "p3"); !strings.Contains(got, "imported as msg15 from p3 (witness)") {
		t.Errorf("with --party: %q", got)
	}
	koi, err := os.ReadFile(sample("koi8r-base64.eml"))
	if err != nil {
		t.Fatal(err)
	}
	r = e.runIn(string(koi), "import", "eml", code, "-", "--party", "p3")
	if r.code != ExitOK || !strings.Contains(r.stdout, "-: imported as msg16 from p3 (witness)") {
		t.Errorf("from standard input: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}

	// case show lists the attachments; attachment save writes one.
	shown := e.ok("case", "show", code)
	for _, w := range []string{
		"message msg10 from p2 [committee only]: My account — Hello, Here is my account",
		"attachment a11: Réponse.pdf (application/pdf, 125 bytes)",
		"attachment a12: diagram.png (image/png, 69 bytes)",
		"message msg14 to p2 [committee only]: Re: My account",
		"the message had 1 defect when imported",
		"Свидетель — Здравствуйте!",
	} {
		if !strings.Contains(shown, w) {
			t.Errorf("case show lacks %q:\n%s", w, shown)
		}
	}
	out := t.TempDir()
	pdf := filepath.Join(out, "answer.pdf")
	if got := e.ok("attachment", "save", code, "a11", "--out", pdf); got != "Wrote "+pdf+" (125 bytes).\n" {
		t.Errorf("attachment save: %q", got)
	}
	want, _ := os.ReadFile(sample("expected-attachment.pdf"))
	if got, err := os.ReadFile(pdf); err != nil || !bytes.Equal(got, want) {
		t.Errorf("the saved attachment differs: %v", err)
	}
	if fi, _ := os.Stat(pdf); fi.Mode().Perm() != mailPerm {
		t.Errorf("mode %v, want %v", fi.Mode().Perm(), os.FileMode(mailPerm))
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"attachment", "save", code, "a99", "--out", pdf}, ExitError, "No such attachment in the case: \"a99\". See 'casebook case show'.\n"},
		{[]string{"attachment", "save", code, "msg10", "--out", pdf}, ExitError, "No such attachment in the case"},
		{[]string{"attachment", "save", code, "a11", "--out", out}, ExitUsage, out + " is a directory; name a file to write, such as " + filepath.Join(out, "attachment.pdf") + ".\n"},
		{[]string{"attachment", "save", code, "a11"}, ExitUsage, "Name the file to write with --out.\n"},
	} {
		r := e.run(tc.args...)
		if r.code != tc.code || !strings.HasPrefix(r.stderr, tc.want) {
			t.Errorf("%v: exit %d %q, want %d %q", tc.args, r.code, r.stderr, tc.code, tc.want)
		}
	}
}

// A message with an attachment over the limit is refused, and nothing of
// it is stored; the limit is a setting.
func TestImportEmlRefusesOversizedAttachment(t *testing.T) {
	e, code := newMailEnv(t)
	e.ok("settings", "set", "max_attachment_mib", "1")
	for _, bad := range []string{"0", "51", "lots"} {
		if r := e.run("settings", "set", "max_attachment_mib", bad); r.code != ExitError {
			t.Errorf("max_attachment_mib %s: exit %d %q", bad, r.code, r.stderr)
		}
	}
	big := make([]byte, 3<<19) // 1.5 MiB
	for i := range big {
		big[i] = byte(i * 7)
	}
	enc := base64.StdEncoding.EncodeToString(big)
	var b strings.Builder
	b.WriteString("From: ana.moreau@example.org\r\nSubject: recording\r\nMessage-ID: <big@example.org>\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nThe recording.\r\n--B\r\nContent-Type: audio/wav\r\nContent-Disposition: attachment; filename=evening.wav\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n--B--\r\n")
	file := filepath.Join(t.TempDir(), "big.eml")
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	r := e.run("import", "eml", code, file)
	want := file + ": refused: Attachment 1 of 1 is 1.5 MiB, over the limit of 1.0 MiB. Nothing of the message was stored; the committee can raise the limit with 'casebook settings set max_attachment_mib N' (at most 50).\n"
	if r.code != ExitError || r.stdout != want {
		t.Fatalf("exit %d, stdout %q, want %q", r.code, r.stdout, want)
	}
	if strings.Contains(r.stdout, "evening") {
		t.Error("the file name of the attachment is in the output")
	}
	if n := len(e.show(code).Messages); n != 0 {
		t.Errorf("got %d messages, want none", n)
	}
	e.ok("settings", "set", "max_attachment_mib", "2")
	if got := e.ok("import", "eml", code, file); !strings.Contains(got, "imported as msg8 from p1 (reporter), with 1 attachment") {
		t.Errorf("under a higher limit: %q", got)
	}
}

// parseDraft reads a draft file back.
func parseDraft(t *testing.T, path string) (*app.Mail, mail.Header) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := app.ParseMail(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return m, msg.Header
}

// From draft to sent: the acknowledgement, then a status update that
// counts for the due list once marked sent.
func TestDraftAndMarkSent(t *testing.T) {
	e, code := newMailEnv(t)
	out := t.TempDir()
	e.ok("case", "step", code, "check-conflicts")

	ack := filepath.Join(out, "ack.eml")
	got := e.ok("draft", code, "--party", "p1", "--kind", "acknowledgement", "--out", ack)
	if want := "Wrote " + ack + " and recorded it as msg8, not yet sent.\nOpen it in your mail program, edit it and send it; then: casebook message sent " + code + " msg8\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	m, h := parseDraft(t, ack)
	if h.Get("X-Unsent") != "1" || m.To[0].Address != "ana.moreau@example.org" || m.From.Address != "amara@committee.example.org" ||
		!strings.Contains(m.Text, "These members of the committee will see your report: Amara Nwosu, Henrik Lund and Tomás Okafor.") {
		t.Errorf("the acknowledgement: %+v\n%s", h, m.Text)
	}
	if fi, _ := os.Stat(ack); fi.Mode().Perm() != mailPerm {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
	v := e.show(code)
	if d := v.Messages[0]; !d.Pending || d.Kind != app.KindAcknowledgement || d.MessageID != m.MessageID || v.Stage != app.StageReceived {
		t.Errorf("the recorded draft: %+v; stage %s", d, v.Stage)
	}
	if shown := e.ok("case", "show", code); !strings.Contains(shown, "message msg8 to p1 [draft, not sent; committee only]: We received your report") {
		t.Errorf("case show:\n%s", shown)
	}
	// The sent copy, if the mail program kept the draft's Message-ID, is
	// the draft.
	if got := e.ok("import", "eml", code, ack); got != ack+": skipped: it is the draft msg8; once sent, mark it so with 'casebook message sent "+code+" msg8'\n" {
		t.Errorf("importing the draft: %q", got)
	}
	if got := e.ok("message", "sent", code, "msg8"); got != "Marked msg8 as sent and recorded the step acknowledge for p1.\n" {
		t.Errorf("message sent: %q", got)
	}
	if v := e.show(code); v.Stage != app.StageAcknowledged || v.Messages[0].Pending {
		t.Errorf("after sending: stage %s, %+v", v.Stage, v.Messages[0])
	}
	if r := e.run("message", "sent", code, "msg8"); r.code != ExitError || r.stderr != "Message msg8 is not a draft waiting to be sent. Nothing was changed.\n" {
		t.Errorf("twice: exit %d %q", r.code, r.stderr)
	}

	// Two weeks on, p1 is owed a status update.
	e.now = e.now.Add(15 * 24 * time.Hour)
	if got := e.ok("due"); !strings.Contains(got, "Send p1 (reporter) a weekly status update") {
		t.Fatalf("due: %s", got)
	}
	upd := filepath.Join(out, "update.eml")
	e.ok("draft", code, "--party", "p1", "--kind", "status-update", "--out", upd, "--reach", "coc@example.net")
	m, _ = parseDraft(t, upd)
	if len(m.Attachments) != 1 || !bytes.HasPrefix(m.Attachments[0].Data, []byte("%PDF")) || m.Attachments[0].Name != "update-"+code+"-2026-11-17.pdf" {
		t.Fatalf("attachments: %+v", m.Attachments)
	}
	pdf := filepath.Join(out, "update.pdf")
	os.WriteFile(pdf, m.Attachments[0].Data, 0o600)
	text := pdfToText(t, pdf)
	for _, w := range []string{"Dear Ana Lívia Moreau", "Your report has been received", "coc@example.net"} {
		if !strings.Contains(text, w) {
			t.Errorf("the attached update lacks %q: %s", w, text)
		}
	}
	if got := e.ok("due"); !strings.Contains(got, "Send p1 (reporter) a weekly status update") {
		t.Errorf("a draft is not an update sent; due: %s", got)
	}
	if got := e.ok("message", "sent", code, "msg9"); got != "Marked msg9 as sent and recorded the step status-update for p1.\n" {
		t.Errorf("message sent: %q", got)
	}
	// The next one is due a week on.
	if got := e.ok("due"); !strings.Contains(got, "Tue 2026-11-24 09:00           "+code+"  Send p1 (reporter) a weekly status update") {
		t.Errorf("after sending, due: %s", got)
	}
	if got := e.ok("report", "updates", "--dry-run", "--out", out); !strings.Contains(got, "No status update is owed") {
		t.Errorf("report updates: %s", got)
	}

	// Outreach before triage: sent, but the step waits.
	e.ok("draft", code, "--party", "p2", "--kind", "outreach", "--out", filepath.Join(out, "outreach.eml"))
	if got := e.ok("message", "sent", code, "msg10"); got != "Marked msg10 as sent. The step contact was not taken: the case is at the stage \"Waiting for triage\"; take it with 'casebook case step' once it is allowed.\n" {
		t.Errorf("message sent: %q", got)
	}

	// Your own text, and --print.
	mine := filepath.Join(out, "mine.txt")
	os.WriteFile(mine, []byte("Dear Ana,\n\nA short question: did you keep the chat log?\n"), 0o600)
	q := filepath.Join(out, "question.eml")
	e.ok("draft", code, "--party", "p1", "--kind", "request-info", "--out", q, "--text-file", mine)
	if m, _ := parseDraft(t, q); m.Text != "Dear Ana,\n\nA short question: did you keep the chat log?" || m.Subject != "A question about your report (reference "+code+")" {
		t.Errorf("own text: %q, %q", m.Subject, m.Text)
	}
	printed := e.ok("draft", code, "--party", "p3", "--kind", "outreach", "--print")
	if !strings.HasPrefix(printed, "To: zoe.brandt@example.org\nSubject: A request for your perspective (reference "+code+")\n\nDear Zoë Brandt,\n") {
		t.Errorf("--print: %q", printed)
	}
	if n := len(e.show(code).Messages); n != 4 {
		t.Errorf("got %d messages, want 4 (--print records nothing)", n)
	}
}

func TestDraftRefusals(t *testing.T) {
	e, code := newMailEnv(t)
	out := t.TempDir()
	file := filepath.Join(out, "d.eml")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no address", []string{"draft", code, "--party", "p4", "--kind", "outreach", "--out", file}, ExitError,
			"P4 (other) has no e-mail address in their contact. No draft was written.\n"},
		{"outreach to the reporter", []string{"draft", code, "--party", "p1", "--kind", "outreach", "--out", file}, ExitError,
			"Outreach goes to the people the report concerns, not to the reporter; write a request for information instead. Nothing was changed.\n"},
		{"not known yet", []string{"draft", code, "--party", "p2", "--kind", "status-update", "--out", file}, ExitError,
			"P2 (reported) does not know of the case yet; send outreach first. Nothing was changed.\n"},
		{"no such kind", []string{"draft", code, "--party", "p2", "--kind", "poem", "--out", file}, ExitUsage, "Unknown letter \"poem\""},
		{"no such party", []string{"draft", code, "--party", "p9", "--kind", "outreach", "--out", file}, ExitError, "The case has no party \"p9\". Nothing was changed.\n"},
		{"no file", []string{"draft", code, "--party", "p2", "--kind", "outreach"}, ExitUsage, "Name the party"},
		{"a directory", []string{"draft", code, "--party", "p2", "--kind", "outreach", "--out", out}, ExitUsage,
			out + " is a directory; name a file to write, such as " + filepath.Join(out, "draft.eml") + ".\n"},
		{"no such message", []string{"message", "sent", code, "msg9"}, ExitError, "The case has no message \"msg9\". Nothing was changed.\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.run(tt.args...)
			if r.code != tt.code || !strings.HasPrefix(r.stderr, tt.want) {
				t.Errorf("exit %d %q, want %d %q", r.code, r.stderr, tt.code, tt.want)
			}
			for _, secret := range []string{"Björn", "Tomás", "Ana", "bjorn@"} {
				if strings.Contains(r.stderr, secret) {
					t.Errorf("the error names %q", secret)
				}
			}
		})
	}
	if names := filesIn(t, out); len(names) != 0 {
		t.Errorf("files were left: %v", names)
	}
	if n := len(e.show(code).Messages); n != 0 {
		t.Errorf("got %d messages, want none", n)
	}
}
