package app

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// Canaries: texts of the case that no letter may hold. Each is unique, so
// that finding it means a leak.
const (
	tcAnonName      = "Quilla Hiddenname" // the anonymous reporter's real name
	tcAnonPseudonym = "Nightjar"
	tcAnonHandle    = "qhidden"
	tcAnonContact   = "relay-canary@example.org"
	tcReportedName  = "Riley Reported"
	tcReportedMail  = "riley@example.org"
	tcWitnessName   = "Wren Witness"
	tcWitnessMail   = "wren@example.org"
	tcOtherName     = "Olu Other"
	tcSummary       = "Canarysummary of the report"
	tcDescription   = "Canarydescription naming Quilla"
	tcWhen          = "Canarywhen evening"
	tcWhere         = "Canarywhere chat room"
	tcPrior         = "Canaryprior attempts"
	tcNote          = "Canarynote on credibility"
	tcEvidence      = "Canaryevidence screenshot"
	tcDecision      = "Canarydecision text"
	tcEvent         = "Canaryevent remark"
	tcConflict      = "Canaryconflict reason"
	tcConflicted    = "Cato Conflicted"
	tcFormer        = "Fern Former"
	tcAssessment    = "Canaryassessment risk"
)

// letterCase is a case at the resolution stage with an anonymous
// reporter (p1), a reported person (p2), a witness (p3) and another party
// without a contact (p4), and the roster of letterContext.
func letterCase() *Case {
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	return &Case{
		ID: "c1", Code: "amber-heron-42", Received: t0, Channel: ChannelEmail,
		Summary: tcSummary, Description: tcDescription, When: tcWhen, Where: tcWhere, PriorAttempts: tcPrior,
		ReporterKind: ReporterAnonymous, Stage: StageResolution, AcknowledgedAt: t0.Add(24 * time.Hour), ConflictsChecked: true,
		Assessment: Assessment{Risk: tcAssessment},
		Parties: []*Party{
			{ID: "p1", Role: RoleReporter, Anonymous: true, Name: tcAnonName, Pseudonym: tcAnonPseudonym, Handle: tcAnonHandle, Contact: tcAnonContact, Outreach: NotContacted},
			{ID: "p2", Role: RoleReported, Name: tcReportedName, Contact: "Riley <" + tcReportedMail + ">", Outreach: Contacted, ContactedAt: t0.Add(8 * 24 * time.Hour)},
			{ID: "p3", Role: RoleWitness, Name: tcWitnessName, Contact: tcWitnessMail, Outreach: Responded, ContactedAt: t0.Add(8 * 24 * time.Hour)},
			{ID: "p4", Role: RoleOther, Name: tcOtherName, Outreach: NotContacted},
		},
		Notes:     []*Note{{ID: "n1", Text: tcNote}},
		Evidence:  []*Evidence{{ID: "e1", Note: tcEvidence}},
		Decisions: []*Decision{{ID: "d1", Text: tcDecision}},
		Conflicts: []*Conflict{{MemberID: "m3", Kind: HardConflict, Reason: tcConflict}},
		History:   []*Event{{At: t0, Action: ActReceive, To: StageReceived, Text: tcEvent}},
	}
}

func letterContext() Context {
	cfg := DefaultConfig()
	cfg.TimeZone = "Europe/Berlin"
	return Context{
		Now:    time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC), // a Monday
		Member: "m1",
		Config: cfg,
		Roster: &Roster{Me: "m1", Members: []*Member{
			{ID: "m1", Name: "Amara Nwosu", Contact: "Amara <amara@committee.example.org>", Active: true},
			{ID: "m2", Name: "Henrik Lund", Active: true},
			{ID: "m3", Name: tcConflicted, Active: true},
			{ID: "m4", Name: tcFormer, Active: false},
		}},
	}
}

// caseCanaries are in no letter to anyone.
var caseCanaries = []string{tcAnonName, tcAnonContact, tcSummary, tcDescription, tcWhen, tcWhere, tcPrior, tcNote,
	tcEvidence, tcDecision, tcEvent, tcConflict, tcConflicted, tcFormer, tcAssessment, "Canary"}

// partyCanaries are what identifies each party; a letter to one party
// holds no other party's.
var partyCanaries = map[string][]string{
	"p1": {tcAnonName, tcAnonPseudonym, tcAnonHandle, tcAnonContact},
	"p2": {tcReportedName, tcReportedMail},
	"p3": {tcWitnessName, tcWitnessMail},
	"p4": {tcOtherName},
}

func letterText(l *Letter) string { return l.Subject + "\n" + l.Body }

// Every letter the case allows, to every party, holds only what its reader
// may see.
func TestLettersHoldOnlyWhatTheirReaderMaySee(t *testing.T) {
	c, ctx := letterCase(), letterContext()
	c.Outcome = OutcomeWarning
	c.AcknowledgedAt = c.Received.Add(time.Hour)
	written := 0
	for _, p := range c.Parties {
		for _, k := range TemplateKinds {
			l, err := Template(k, c, p.ID, ctx)
			if err != nil {
				if !errors.Is(err, ErrInvalid) {
					t.Errorf("%s to %s: %v, want ErrInvalid", k, p.ID, err)
				}
				continue
			}
			written++
			text := letterText(l)
			forbidden := slices.Clone(caseCanaries)
			for id, cs := range partyCanaries {
				if id != p.ID {
					forbidden = append(forbidden, cs...)
				}
			}
			if p.Role == RoleReported {
				forbidden = append(forbidden, "reporter", "anonymous", "Anonymous")
			}
			for _, f := range forbidden {
				if strings.Contains(strings.ToLower(text), strings.ToLower(f)) {
					t.Errorf("%s to %s holds %q:\n%s", k, p.ID, f, text)
				}
			}
			if l.Kind != k || l.PartyID != p.ID {
				t.Errorf("%s to %s: got kind %s, party %s", k, p.ID, l.Kind, l.PartyID)
			}
			if !strings.Contains(l.Subject, c.Code) || !strings.HasSuffix(l.Body, "for the Code of Conduct committee\n") {
				t.Errorf("%s to %s: subject %q lacks the reference, or the signature is missing:\n%s", k, p.ID, l.Subject, l.Body)
			}
			if l.From != "amara@committee.example.org" || l.FromName != "Amara Nwosu" {
				t.Errorf("%s to %s: from %q <%s>", k, p.ID, l.FromName, l.From)
			}
		}
	}
	if written < 10 {
		t.Errorf("only %d letters were written; the test checks too little", written)
	}
}

// A letter is addressed to its party's own address: an anonymous
// reporter's without their name, another party's with it.
func TestLetterAddresses(t *testing.T) {
	c, ctx := letterCase(), letterContext()
	tests := []struct {
		kind          TemplateKind
		party         string
		to, toName    string
		greeting      string
		withoutGreets string
	}{
		{KindAcknowledgement, "p1", tcAnonContact, "", "Dear Nightjar,", tcAnonName},
		{KindOutreach, "p2", tcReportedMail, tcReportedName, "Dear " + tcReportedName + ",", ""},
		{KindRequestInfo, "p3", tcWitnessMail, tcWitnessName, "Dear " + tcWitnessName + ",", ""},
		{KindOutreach, "p4", "", "", "Dear " + tcOtherName + ",", ""},
	}
	for _, tt := range tests {
		l, err := Template(tt.kind, c, tt.party, ctx)
		if err != nil {
			t.Fatalf("%s to %s: %v", tt.kind, tt.party, err)
		}
		if l.To != tt.to || l.ToName != tt.toName {
			t.Errorf("%s to %s: got To %q <%s>, want %q <%s>", tt.kind, tt.party, l.ToName, l.To, tt.toName, tt.to)
		}
		if !strings.HasPrefix(l.Body, tt.greeting+"\n\n") {
			t.Errorf("%s to %s: body starts %q, want %q", tt.kind, tt.party, l.Body[:min(40, len(l.Body))], tt.greeting)
		}
		if strings.Contains(l.Body, tcAnonContact) {
			t.Errorf("%s to %s: the anonymous reporter's contact is in the body", tt.kind, tt.party)
		}
	}
}

// The acknowledgement names the members who will see the report — only
// active members without a conflict — and the next meeting.
func TestAcknowledgementNamesReadersAndMeeting(t *testing.T) {
	c, ctx := letterCase(), letterContext()
	l, err := Template(KindAcknowledgement, c, "p1", ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{
		"We received your report (reference amber-heron-42)",
		"We received your report on Monday 2 November 2026",
		"These members of the committee will see your report: Amara Nwosu and Henrik Lund.",
		"on Wednesday 2 December 2026", // the next meeting
		"We will not share your name or how to reach you",
		"at least every 7 days",
	} {
		if !strings.Contains(letterText(l), w) {
			t.Errorf("the acknowledgement lacks %q:\n%s", w, letterText(l))
		}
	}
	c.RecordOnly = true
	c.Parties[0].Anonymous = false
	c.Parties[0].Name = "Robin Named"
	l, _ = Template(KindAcknowledgement, c, "p1", ctx)
	for _, w := range []string{"Dear Robin Named,", "for the record only", "We will not tell the person the report is about who made it."} {
		if !strings.Contains(l.Body, w) {
			t.Errorf("the record-only acknowledgement lacks %q:\n%s", w, l.Body)
		}
	}
	if l.ToName != "Robin Named" {
		t.Errorf("an identified reporter's To name: got %q", l.ToName)
	}
}

// The committee's name and shared contact come from the settings.
func TestLettersUseTheCommitteeSettings(t *testing.T) {
	c, ctx := letterCase(), letterContext()
	ctx.Config.CommitteeName = "the Community Working Group"
	ctx.Config.CommitteeContact = "cwg@example.org"
	ctx.Member = "" // no member: the committee signs
	ctx.Roster.Me = ""
	l, err := Template(KindOutreach, c, "p2", ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"on behalf of the Community Working Group", "reach the whole committee at cwg@example.org",
		"Kind regards,\nThe Community Working Group\n", "please reply by Monday 14 December 2026"} {
		if !strings.Contains(l.Body, w) {
			t.Errorf("lacks %q:\n%s", w, l.Body)
		}
	}
	if l.From != "" || l.FromName != "" {
		t.Errorf("From without a member: %q <%s>", l.FromName, l.From)
	}
}

// A reported person's letters never name an identified reporter either.
func TestLettersToReportedNeverNameIdentifiedReporter(t *testing.T) {
	c, ctx := letterCase(), letterContext()
	c.Outcome = OutcomeApology
	r := c.Parties[0]
	r.Anonymous, r.Pseudonym, r.Name, r.Contact = false, "", "Robin Named", "robin@example.org"
	for _, k := range []TemplateKind{KindOutreach, KindRequestInfo, KindStatusUpdate, KindOutcome} {
		l, err := Template(k, c, "p2", ctx)
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		for _, f := range []string{"Robin", "robin@example.org", tcAnonHandle, "reporter"} {
			if strings.Contains(letterText(l), f) {
				t.Errorf("%s to the reported person holds %q", k, f)
			}
		}
	}
	l, _ := Template(KindOutcome, c, "p2", ctx)
	if !strings.Contains(l.Body, "Apology") || !strings.Contains(l.Body, "appeal") {
		t.Errorf("the outcome letter to the reported person:\n%s", l.Body)
	}
	l, _ = Template(KindOutcome, c, "p3", ctx)
	if strings.Contains(l.Body, "Apology") {
		t.Errorf("the outcome letter to a witness tells the outcome:\n%s", l.Body)
	}
}

func TestTemplateRefusals(t *testing.T) {
	tests := []struct {
		name  string
		kind  TemplateKind
		party string
		edit  func(c *Case)
		words string
	}{
		{"acknowledge a witness", KindAcknowledgement, "p3", nil, "goes to the reporter"},
		{"outreach to the reporter", KindOutreach, "p1", nil, "not to the reporter"},
		{"outcome before the decision", KindOutcome, "p3", nil, "no outcome yet"},
		{"update to a party not contacted", KindStatusUpdate, "p4", nil, "p4 (other) does not know of the case yet; send outreach first"},
		{"question to an unacknowledged reporter", KindRequestInfo, "p1", func(c *Case) { c.AcknowledgedAt = time.Time{} }, "send the acknowledgement first"},
		{"no such party", KindOutreach, "p9", nil, `no party "p9"`},
		{"no such letter", "invitation", "p2", nil, "unknown letter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := letterCase()
			if tt.edit != nil {
				tt.edit(c)
			}
			l, err := Template(tt.kind, c, tt.party, letterContext())
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.words) {
				t.Fatalf("got %v, %v; want ErrInvalid saying %q", l, err, tt.words)
			}
			for _, cs := range partyCanaries {
				for _, s := range cs {
					if strings.Contains(err.Error(), s) {
						t.Errorf("the error names %q", s)
					}
				}
			}
		})
	}
}

func TestTemplatesForEachParty(t *testing.T) {
	c, ctx := letterCase(), letterContext()
	want := map[string][]TemplateKind{
		"p1": {KindAcknowledgement, KindRequestInfo, KindStatusUpdate},
		"p2": {KindRequestInfo, KindOutreach, KindStatusUpdate},
		"p3": {KindRequestInfo, KindOutreach, KindStatusUpdate},
		"p4": {KindOutreach},
	}
	for id, w := range want {
		if got := Templates(c, id, ctx); !slices.Equal(got, w) {
			t.Errorf("Templates(%s) = %v, want %v", id, got, w)
		}
	}
	for _, k := range TemplateKinds {
		if k.Title() == string(k) || k.Step() == "" {
			t.Errorf("%s has no title or step", k)
		}
		if got, err := ParseTemplateKind(" " + strings.ToUpper(string(k)) + " "); got != k || err != nil {
			t.Errorf("ParseTemplateKind(%s) = %v, %v", k, got, err)
		}
	}
}
