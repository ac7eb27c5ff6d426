package app

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"casebook/vault"
)

// mailIntake is a report whose people write from the addresses of the
// sample messages in testdata/mail.
func mailIntake(received time.Time) *Intake {
	return &Intake{
		Received: received, Channel: ChannelEmail,
		Summary:  "Hostile replies in the issue queue",
		Reporter: &IntakeReporter{Name: "Ana Lívia Moreau", Contact: "ana.moreau@example.org"},
		People: []IntakePerson{
			{Name: "Björn Castellanos", Contact: "Björn <bjorn@example.org>", Role: RoleReported},
			{Name: "Zoë Brandt", Contact: "zoe.brandt@example.org", Role: RoleWitness},
			{Name: "Дмитрий Соколов", Contact: "dmitri@example.org or @dmitri on chat", Role: RoleWitness},
		},
	}
}

// newMailEnv is a store with the mail intake filed, and a member whose
// address is the sender of sent-by-member.eml.
func newMailEnv(t *testing.T) (*storeEnv, *Case) {
	t.Helper()
	e := newStoreEnv(t)
	if err := e.s.UpdateRoster(func(r *Roster) error {
		_, err := r.Add("Amara Nwosu", "amara@committee.example.org")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return e, e.newCase(t, mailIntake(e.clock.Now().Add(-24*time.Hour)))
}

// caseKeys lists the records of a case's namespace.
func (e *storeEnv) caseKeys(t *testing.T, c *Case) []string {
	t.Helper()
	keys, err := e.v.Keys(caseNS(c.ID), "")
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

func TestImportMailSamples(t *testing.T) {
	tests := []struct {
		file    string
		party   string
		dir     Direction
		text    string
		atts    []string // names
		defects bool
	}{
		{"plain-utf8.eml", "p1", In, "Zoë told me she is fine", nil, false},
		{"alternative-qp.eml", "p1", In, "« go back to tutorials »", nil, false}, // the address differs in case
		{"html-only-latin1.eml", "p3", In, "Ce n'était pas la première fois.", nil, true},
		{"koi8r-base64.eml", "p4", In, "Я был на встрече", nil, false},
		{"nested-attachment.eml", "p2", In, "I did not mean to push anyone away.", []string{"Réponse.pdf", "diagram.png"}, false},
		{"malformed-multipart.eml", "p1", In, "My phone cut the upload", []string{"chat-log.txt"}, true},
		{"windows-1252-outlook.eml", "p2", In, "I “have” been short with people", nil, false},
		{"no-message-id.eml", "p3", In, "The comment on 1240 was edited later", nil, true},
		{"sent-by-member.eml", "p2", Out, "Thank you for your account.", nil, false},
	}
	e, c := newMailEnv(t)
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			m := parseSample(t, tt.file)
			got, err := e.s.ImportMail(c.Code, m, "")
			if err != nil {
				t.Fatalf("ImportMail: %v", err)
			}
			if got.PartyID != tt.party || got.Direction != tt.dir || got.Channel != ChannelEmail {
				t.Errorf("got party %s, %s, %s; want %s, %s, email", got.PartyID, got.Direction, got.Channel, tt.party, tt.dir)
			}
			if !strings.Contains(got.Text, tt.text) || got.Subject != m.Subject || got.MessageID != m.MessageID {
				t.Errorf("got subject %q, id %q, text %q", got.Subject, got.MessageID, got.Text)
			}
			if !got.Visibility.CommitteeOnly() || got.Pending {
				t.Errorf("an imported message must be committee only and not pending: %+v", got)
			}
			if want := m.Date; !want.IsZero() && !got.At.Equal(want) {
				t.Errorf("At: got %v, want the mail's date %v", got.At, want)
			}
			if (len(got.Defects) > 0) != tt.defects {
				t.Errorf("defects: %q", got.Defects)
			}
			var names []string
			keys := e.caseKeys(t, c)
			for i, ref := range got.Attachments {
				names = append(names, ref.Name)
				if !slices.Contains(keys, "att."+ref.ID) {
					t.Errorf("attachment %s is not in the case's namespace: %v", ref.ID, keys)
				}
				gotRef, data, err := e.s.Attachment(c.Code, ref.ID)
				if err != nil || gotRef != ref || !bytes.Equal(data, m.Attachments[i].Data) || ref.Size != int64(len(data)) {
					t.Errorf("Attachment(%s): %+v, %d bytes, %v", ref.ID, gotRef, len(data), err)
				}
			}
			if !slices.Equal(names, tt.atts) {
				t.Errorf("attachments: got %q, want %q", names, tt.atts)
			}
		})
	}
	// Everything is there after the vault is locked and opened again,
	// oldest first.
	s := e.reopen(t)
	msgs, err := s.Messages(c.Code)
	if err != nil || len(msgs) != len(tests) {
		t.Fatalf("after reopening: %d messages, %v; want %d", len(msgs), err, len(tests))
	}
	_, pdf, err := s.Attachment(c.Code, msgs[slices.IndexFunc(msgs, func(m *Message) bool { return len(m.Attachments) == 2 })].Attachments[0].ID)
	if err != nil || !bytes.Equal(pdf, readSample(t, "expected-attachment.pdf")) {
		t.Errorf("the PDF after reopening: %d bytes, %v", len(pdf), err)
	}
	if hits, _ := s.Search("première", 5); len(hits) != 1 || hits[0].Kind != "message" {
		t.Errorf("search finds imported text: %+v", hits)
	}
}

// A message imported twice is skipped the second time: by its
// Message-ID, or by its bytes when it has none.
func TestImportMailSkipsDuplicates(t *testing.T) {
	e, c := newMailEnv(t)
	for _, file := range []string{"nested-attachment.eml", "no-message-id.eml"} {
		first, err := e.s.ImportMail(c.Code, parseSample(t, file), "")
		if err != nil {
			t.Fatal(err)
		}
		keys := e.caseKeys(t, c)
		_, err = e.s.ImportMail(c.Code, parseSample(t, file), "")
		var dup *DuplicateError
		if !errors.Is(err, ErrDuplicate) || !errors.As(err, &dup) || dup.MessageID != first.ID {
			t.Fatalf("%s again: got %v, want ErrDuplicate naming %s", file, err, first.ID)
		}
		if got := e.caseKeys(t, c); !slices.Equal(got, keys) {
			t.Errorf("%s again: the namespace changed from %v to %v", file, keys, got)
		}
	}
	// The same Message-ID with other bytes (a copy from another mailbox)
	// is the same message.
	m := parseSample(t, "plain-utf8.eml")
	if _, err := e.s.ImportMail(c.Code, m, ""); err != nil {
		t.Fatal(err)
	}
	m.Digest, m.Text = strings.Repeat("0", 64), "relayed copy"
	if _, err := e.s.ImportMail(c.Code, m, ""); !errors.Is(err, ErrDuplicate) {
		t.Errorf("same Message-ID, other bytes: got %v, want ErrDuplicate", err)
	}
	// The sent copy of a draft that kept the draft's Message-ID is the
	// draft.
	l, err := Template(KindOutreach, c, "p2", e.s.Context())
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.s.AddDraft(c.Code, l, "casebook.0001@committee.example")
	if err != nil {
		t.Fatal(err)
	}
	copyOf := parseSample(t, "sent-by-member.eml")
	copyOf.MessageID = "casebook.0001@committee.example"
	_, err = e.s.ImportMail(c.Code, copyOf, "")
	var dup *DuplicateError
	if !errors.As(err, &dup) || !dup.Draft || dup.MessageID != d.ID || err.Error() != "it is the draft "+d.ID {
		t.Errorf("the sent copy of a draft: got %v", err)
	}
	// In another case it is not a duplicate.
	other := e.newCase(t, mailIntake(e.clock.Now()))
	if _, err := e.s.ImportMail(other.Code, m, ""); err != nil {
		t.Errorf("the same message in another case: %v", err)
	}
}

// A message with an attachment over the limit is refused whole: no
// message, no attachment, not even the ones under the limit.
func TestImportMailRefusesOversizedAttachment(t *testing.T) {
	e, c := newMailEnv(t)
	cfg := e.s.Config()
	cfg.MaxAttachmentMiB = 1
	if err := e.s.SetConfig(cfg); err != nil {
		t.Fatal(err)
	}
	before, keys := e.caseKeys(t, c), e.caseKeys(t, c)
	m := parseSample(t, "nested-attachment.eml")
	m.Attachments = append(m.Attachments, MailAttachment{Name: "Secret recording.wav", Type: "audio/wav", Data: make([]byte, 1<<20+1)})
	_, err := e.s.ImportMail(c.Code, m, "")
	var big *AttachmentTooLargeError
	if !errors.Is(err, ErrAttachmentTooLarge) || !errors.As(err, &big) {
		t.Fatalf("got %v, want ErrAttachmentTooLarge", err)
	}
	if big.Index != 3 || big.Count != 3 || big.Name != "Secret recording.wav" || big.Limit != 1<<20 {
		t.Errorf("got %+v", big)
	}
	if want := "attachment 3 of 3 is 1.0 MiB, over the limit of 1.0 MiB"; err.Error() != want {
		t.Errorf("got %q, want %q (and no file name)", err, want)
	}
	if got := e.caseKeys(t, c); !slices.Equal(got, before) || !slices.Equal(keys, []string{"case"}) {
		t.Errorf("the namespace changed: %v, want %v", got, before)
	}
	if k, _ := e.s.Case(c.Code); k.Seq != c.Seq {
		t.Errorf("the case changed: seq %d, want %d", k.Seq, c.Seq)
	}
	// Exactly the limit is fine.
	m.Attachments[2].Data = m.Attachments[2].Data[:1<<20]
	if _, err := e.s.ImportMail(c.Code, m, ""); err != nil {
		t.Errorf("at the limit: %v", err)
	}
}

// The default limit of 25 MiB, and the largest limit a committee may set,
// fit in the vault: attachments of that size are stored and read back,
// several in one message.
func TestImportMailLargeAttachmentsFitTheVault(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 125 MiB")
	}
	e, c := newMailEnv(t)
	big := func(n int, seed byte) []byte {
		b := bytes.Repeat([]byte{seed, seed + 1, seed + 2, 0}, n/4)
		return b
	}
	m := parseSample(t, "plain-utf8.eml")
	m.Attachments = []MailAttachment{
		{Name: "a.bin", Type: "application/octet-stream", Data: big(DefaultMaxAttachmentMiB<<20, 1)},
		{Name: "b.bin", Type: "application/octet-stream", Data: big(DefaultMaxAttachmentMiB<<20, 7)},
	}
	got, err := e.s.ImportMail(c.Code, m, "")
	if err != nil {
		t.Fatalf("two attachments at the default limit: %v", err)
	}
	cfg := e.s.Config()
	cfg.MaxAttachmentMiB = MaxAttachmentLimitMiB
	if err := e.s.SetConfig(cfg); err != nil {
		t.Fatal(err)
	}
	m2 := parseSample(t, "nested-attachment.eml")
	m2.Attachments = []MailAttachment{{Name: "c.bin", Type: "application/octet-stream", Data: big(MaxAttachmentLimitMiB<<20, 3)}}
	got2, err := e.s.ImportMail(c.Code, m2, "")
	if err != nil {
		t.Fatalf("one attachment at the largest limit: %v", err)
	}
	s := e.reopen(t)
	for _, ref := range append(got.Attachments, got2.Attachments...) {
		_, data, err := s.Attachment(c.Code, ref.ID)
		if err != nil || int64(len(data)) != ref.Size {
			t.Errorf("%s: %d bytes, %v; want %d", ref.ID, len(data), err, ref.Size)
		}
	}
}

// Many attachments of medium size, each stored whole in the tables at
// Badger's own settings, fit in the one write of their message.
func TestImportMailManyMediumAttachments(t *testing.T) {
	e, c := newMailEnv(t)
	m := parseSample(t, "plain-utf8.eml")
	for i := range 12 {
		m.Attachments = append(m.Attachments, MailAttachment{Name: fmt.Sprintf("photo-%d.jpg", i), Type: "image/jpeg",
			Data: bytes.Repeat([]byte{byte(i), 1, 2, 3}, 900<<10/4)})
	}
	got, err := e.s.ImportMail(c.Code, m, "")
	if err != nil {
		t.Fatalf("twelve attachments of 900 KiB: %v", err)
	}
	s := e.reopen(t)
	for i, ref := range got.Attachments {
		_, data, err := s.Attachment(c.Code, ref.ID)
		if err != nil || !bytes.Equal(data, m.Attachments[i].Data) {
			t.Errorf("%s: %d bytes, %v; want attachment %d back", ref.ID, len(data), err, i)
		}
	}
}

// When the sender is no party's contact, or more than one's, the store
// asks which party it is, and stores the message once told.
func TestImportMailAsksWhichParty(t *testing.T) {
	e, c := newMailEnv(t)
	m := parseSample(t, "unknown-sender.eml")
	_, err := e.s.ImportMail(c.Code, m, "")
	var unknown *UnknownSenderError
	if !errors.Is(err, ErrUnknownSender) || !errors.As(err, &unknown) {
		t.Fatalf("got %v, want ErrUnknownSender", err)
	}
	if len(unknown.Parties) != 4 || unknown.Parties[1] != (PartyChoice{ID: "p2", Role: RoleReported, Name: "Björn Castellanos"}) || unknown.Sent {
		t.Errorf("parties to choose from: %+v", unknown)
	}
	want := "the sender's address is no party's contact; say which party the message is from: p1 (reporter), p2 (reported), p3 (witness), p4 (witness)"
	if err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}
	if keys := e.caseKeys(t, c); !slices.Equal(keys, []string{"case"}) {
		t.Errorf("something was stored: %v", keys)
	}
	if _, err := e.s.ImportMail(c.Code, m, "p9"); !errors.Is(err, ErrInvalid) {
		t.Errorf("an unknown party: got %v, want ErrInvalid", err)
	}
	got, err := e.s.ImportMail(c.Code, m, "p3")
	if err != nil || got.PartyID != "p3" || got.Direction != In {
		t.Fatalf("with the party named: %+v, %v", got, err)
	}

	// Two parties with one address: ask, naming them.
	if _, err := e.s.Step(c.Code, Step{Action: ActCheckConflicts}); err != nil {
		t.Fatal(err)
	}
	k := mailIntake(e.clock.Now())
	k.People[1].Contact = "bjorn@example.org"
	shared := e.newCase(t, k)
	_, err = e.s.ImportMail(shared.Code, parseSample(t, "nested-attachment.eml"), "")
	if !errors.As(err, &unknown) || !slices.Equal(unknown.Matches, []string{"p2", "p3"}) ||
		!strings.Contains(err.Error(), "more than one party (p2, p3)") {
		t.Errorf("a shared address: got %v", err)
	}
	// A message a member sent to no party's address.
	sent := parseSample(t, "sent-by-member.eml")
	sent.To = nil
	_, err = e.s.ImportMail(c.Code, sent, "")
	if !errors.As(err, &unknown) || !unknown.Sent || !strings.HasPrefix(err.Error(), "no recipient's address is a party's contact; say which party the message was sent to") {
		t.Errorf("sent to nobody known: got %v", err)
	}
	if got, err := e.s.ImportMail(c.Code, sent, "p2"); err != nil || got.Direction != Out {
		t.Errorf("sent, with the party named: %+v, %v", got, err)
	}
}

func TestAttachmentErrors(t *testing.T) {
	e, c := newMailEnv(t)
	if _, _, err := e.s.Attachment(c.Code, "a1"); !errors.Is(err, ErrNoAttachment) {
		t.Errorf("no attachment: got %v", err)
	}
	if _, _, err := e.s.Attachment("no-such-case-00", "a1"); !errors.Is(err, ErrNoCase) {
		t.Errorf("no case: got %v", err)
	}
	got, err := e.s.ImportMail(c.Code, parseSample(t, "nested-attachment.eml"), "")
	if err != nil {
		t.Fatal(err)
	}
	// IDs are not keys: a message ID is no attachment.
	if _, _, err := e.s.Attachment(c.Code, got.ID); !errors.Is(err, ErrNoAttachment) {
		t.Errorf("a message's ID: got %v", err)
	}
	if _, _, err := e.s.Attachment(c.Code, " "+strings.ToUpper(got.Attachments[0].ID)); err != nil {
		t.Errorf("an ID in capitals: %v", err)
	}
}

// A draft is a pending outgoing message; marking it sent takes the step
// its letter stands for, when the process allows it.
func TestDraftsAndMarkSent(t *testing.T) {
	e, c := newMailEnv(t)
	ctx := e.s.Context()
	l, err := Template(KindAcknowledgement, c, "p1", ctx)
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.s.AddDraft(c.Code, l, "<draft-1@committee.example>")
	if err != nil {
		t.Fatal(err)
	}
	if !d.Pending || d.Direction != Out || d.Kind != KindAcknowledgement || d.MessageID != "draft-1@committee.example" ||
		d.Text != l.Body || d.To != "Ana Lívia Moreau <ana.moreau@example.org>" || !d.DraftedAt.Equal(e.clock.Now()) {
		t.Errorf("the draft: %+v", d)
	}
	// Conflicts are not checked yet: the message is sent, the step waits.
	e.clock.Advance(time.Hour)
	sent, err := e.s.MarkSent(c.Code, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sent.Step != "" || !strings.Contains(sent.NotTaken, "check conflicts of interest first") || sent.Message.Pending ||
		!sent.Message.At.Equal(e.clock.Now()) || !sent.Message.DraftedAt.Equal(d.DraftedAt) {
		t.Errorf("marked sent: %+v, %+v", sent, sent.Message)
	}
	if _, err := e.s.MarkSent(c.Code, d.ID); !errors.Is(err, ErrInvalid) {
		t.Errorf("marking it twice: got %v", err)
	}
	if _, err := e.s.MarkSent(c.Code, "msg99"); !errors.Is(err, ErrInvalid) {
		t.Errorf("no such message: got %v", err)
	}

	// With conflicts checked, the acknowledgement acknowledges.
	if _, err := e.s.Step(c.Code, Step{Action: ActCheckConflicts}); err != nil {
		t.Fatal(err)
	}
	d, _ = e.s.AddDraft(c.Code, l, "draft-2@committee.example")
	sent, err = e.s.MarkSent(c.Code, d.ID)
	if err != nil || sent.Step != ActAcknowledge || sent.NotTaken != "" {
		t.Fatalf("got %+v, %v", sent, err)
	}
	k, _ := e.s.Case(c.Code)
	if k.Stage != StageAcknowledged || !k.AcknowledgedAt.Equal(e.clock.Now()) {
		t.Errorf("stage %s, acknowledged %v", k.Stage, k.AcknowledgedAt)
	}

	// A status update marked sent counts as the party's update.
	e.clock.Advance(15 * 24 * time.Hour)
	owed := func() []string {
		k, _ := e.s.Case(c.Code)
		var ids []string
		for _, u := range k.UpdatesOwed(e.s.Config()) {
			if !u.Due.After(e.clock.Now()) {
				ids = append(ids, u.PartyID)
			}
		}
		return ids
	}
	if got := owed(); !slices.Equal(got, []string{"p1"}) {
		t.Fatalf("updates owed: %v", got)
	}
	k, _ = e.s.Case(c.Code)
	l, err = Template(KindStatusUpdate, k, "p1", e.s.Context())
	if err != nil {
		t.Fatal(err)
	}
	d, _ = e.s.AddDraft(c.Code, l, "draft-3@committee.example")
	if !d.StatusUpdate {
		t.Error("a status update draft is not marked as one")
	}
	if got := owed(); !slices.Equal(got, []string{"p1"}) {
		t.Errorf("a draft is not an update sent: owed %v", got)
	}
	sent, err = e.s.MarkSent(c.Code, d.ID)
	if err != nil || sent.Step != ActStatusUpdate {
		t.Fatalf("got %+v, %v", sent, err)
	}
	if got := owed(); len(got) != 0 {
		t.Errorf("after sending: owed %v", got)
	}
	k, _ = e.s.Case(c.Code)
	if last := k.History[len(k.History)-1]; last.Action != ActStatusUpdate || last.Party != "p1" || !k.Party("p1").LastUpdateAt.Equal(e.clock.Now()) {
		t.Errorf("history: %+v", last)
	}

	// A request for information to a witness takes no step.
	l.Kind, l.PartyID = KindRequestInfo, "p3"
	d, _ = e.s.AddDraft(c.Code, l, "")
	if sent, err = e.s.MarkSent(c.Code, d.ID); err != nil || sent.Step != "" || sent.NotTaken != "" {
		t.Errorf("request to a witness: %+v, %v", sent, err)
	}
	for _, bad := range []*Letter{nil, {Kind: "poem", PartyID: "p1", Body: "x"}, {Kind: KindOutreach, PartyID: "p9", Body: "x"}, {Kind: KindOutreach, PartyID: "p2", Body: " "}} {
		if _, err := e.s.AddDraft(c.Code, bad, ""); !errors.Is(err, ErrInvalid) {
			t.Errorf("AddDraft(%+v): got %v, want ErrInvalid", bad, err)
		}
	}
}

func TestFormatSize(t *testing.T) {
	for n, want := range map[int64]string{0: "0 bytes", 1023: "1023 bytes", 1024: "1.0 KiB", 14540: "14.2 KiB", 3 << 20: "3.0 MiB"} {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestImportMailManySmallAttachments imports a message with more small
// attachments (each under 64 KiB, so each counted whole) than one write of
// the vault holds: it is stored, in several writes, and every attachment
// reads back.
func TestImportMailManySmallAttachments(t *testing.T) {
	e, c := newMailEnv(t)
	m := parseSample(t, "plain-utf8.eml")
	n := vault.MaxWrite/(60<<10) + 20
	for i := range n {
		m.Attachments = append(m.Attachments, MailAttachment{Name: fmt.Sprintf("screenshot-%d.png", i), Type: "image/png",
			Data: bytes.Repeat([]byte{byte(i), byte(i >> 8), 7, 9}, 60<<10/4)})
	}
	got, err := e.s.ImportMail(c.Code, m, "")
	if err != nil {
		t.Fatalf("%d attachments of 60 KiB: %v", n, err)
	}
	if parts := auditCount(t, e.v, "mail.part"); parts < 2 {
		t.Errorf("the attachments went in %d writes before the message, want at least 2", parts)
	}
	s := e.reopen(t)
	if len(got.Attachments) != n {
		t.Fatalf("%d attachments listed, want %d", len(got.Attachments), n)
	}
	for i, ref := range got.Attachments {
		_, data, err := s.Attachment(c.Code, ref.ID)
		if err != nil || !bytes.Equal(data, m.Attachments[i].Data) {
			t.Errorf("%s: %d bytes, %v; want attachment %d back", ref.ID, len(data), err, i)
		}
	}
}
