package export

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"casebook/app"
)

func TestPartyUpdateLeakRules(t *testing.T) {
	tests := []struct {
		party  string
		want   []string
		absent []string
	}{
		{"p1", []string{"Dear " + canaryAnonPseudonym, sharedP2ToP1, sharedEvidenceToP1, "began hearing"},
			[]string{sharedWitnessToP2, sharedOutToP2, sharedNoteToP3, sharedDecisionToP4}},
		{"p2", []string{"Dear Дмитрий Соколов", "A report was made", sharedWitnessToP2, sharedOutToP2, sharedP2ToP1,
			"We spoke with " + Withheld + " and with " + Withheld},
			[]string{canaryAnonPseudonym, "reporter", "anonymous", "Anonymous", sharedNoteToP3, sharedEvidenceToP1, sharedDecisionToP4}},
		{"p3", []string{"Dear Μαρία Γεωργίου", sharedNoteToP3},
			[]string{sharedWitnessToP2, sharedP2ToP1, sharedEvidenceToP1, sharedDecisionToP4, sharedOutToP2}},
		{"p4", []string{"Dear 王小明", sharedDecisionToP4},
			[]string{sharedWitnessToP2, sharedP2ToP1, sharedNoteToP3, sharedEvidenceToP1}},
	}
	for _, tt := range tests {
		t.Run(tt.party, func(t *testing.T) {
			c, msgs := fixture()
			u, err := BuildPartyUpdate(c, msgs, tt.party, testConfig(), UpdateOptions{}, asOf)
			if err != nil {
				t.Fatal(err)
			}
			text := updateText(u)
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("update for %s: %q missing; got:\n%s", tt.party, w, text)
				}
			}
			for _, a := range append(tt.absent, allCanaries...) {
				if strings.Contains(strings.ToLower(text), strings.ToLower(a)) {
					t.Errorf("update for %s holds withheld %q; got:\n%s", tt.party, a, text)
				}
			}
		})
	}
}

// An identified reporter's name and handle reach no reported person, even
// in a text a member shared with them by mistake; other parties may see
// the name.
func TestPartyUpdateRedactsIdentifiedReporterForReported(t *testing.T) {
	c, _ := fixture()
	r := c.Party("p1")
	r.Anonymous, r.Pseudonym, r.Handle = false, "", "@zoeb"
	msgs := []*app.Message{{ID: "x1", At: t0.Add(9 * day), PartyID: "p2", Direction: app.Out,
		Text: "ZOË BRANDT (@ZoeB) told us", Visibility: vis("p1", "p2")}}
	u, err := BuildPartyUpdate(c, msgs, "p2", testConfig(), UpdateOptions{}, asOf)
	if err != nil {
		t.Fatal(err)
	}
	got := updateText(u)
	if !strings.Contains(got, Withheld+" ("+Withheld+") told us") {
		t.Errorf("got %q, want the name and handle withheld", got)
	}
	u, _ = BuildPartyUpdate(c, msgs, "p1", testConfig(), UpdateOptions{}, asOf)
	if got := updateText(u); !strings.Contains(got, "ZOË BRANDT") {
		t.Errorf("got %q, want the reporter to see their own name", got)
	}
}

func TestPartyUpdateOnlySinceLastUpdate(t *testing.T) {
	c, msgs := fixture()
	c.Party("p2").LastUpdateAt = t0.Add(9*day + time.Hour)
	msgs = append(msgs, &app.Message{ID: "x9", At: t0.Add(3 * day), PartyID: "p2", Direction: app.Out,
		Text: canaryBeforeLastSent, Visibility: vis("p2")})
	u, err := BuildPartyUpdate(c, msgs, "p2", testConfig(), UpdateOptions{Reach: "coc@example.net"}, asOf)
	if err != nil {
		t.Fatal(err)
	}
	text := updateText(u)
	for _, a := range []string{canaryBeforeLastSent, sharedOutToP2, sharedWitnessToP2} {
		if strings.Contains(text, a) {
			t.Errorf("update holds %q from before the last update", a)
		}
	}
	if !strings.Contains(text, sharedP2ToP1) || !strings.Contains(text, "coc@example.net") {
		t.Errorf("got:\n%s\nwant the later statement and the committee's address", text)
	}
	if want := asOf.AddDate(0, 0, 7); !u.NextUpdate.Equal(want) {
		t.Errorf("next update %v, want %v", u.NextUpdate, want)
	}
	for i := 1; i < len(u.Happened); i++ {
		if u.Happened[i].At.Before(u.Happened[i-1].At) {
			t.Errorf("entries out of order: %v", u.Happened)
		}
	}
}

func TestPartyUpdateUnknownParty(t *testing.T) {
	c, msgs := fixture()
	if _, err := BuildPartyUpdate(c, msgs, "p9", testConfig(), UpdateOptions{}, asOf); !errors.Is(err, ErrNoParty) {
		t.Errorf("got %v, want ErrNoParty", err)
	}
}

// The reported person hears of a report, never of a reporter, at every
// stage.
func TestPartyUpdateStageWordsForReported(t *testing.T) {
	for _, st := range app.Stages {
		c, _ := fixture()
		c.Stage = st
		u, err := BuildPartyUpdate(c, nil, "p2", testConfig(), UpdateOptions{}, asOf)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.ToLower(updateText(u))
		for _, w := range []string{"reporter", "anonymous", "your report"} {
			if strings.Contains(text, w) {
				t.Errorf("stage %s: update for the reported person says %q: %s", st, w, text)
			}
		}
		if u.Stage == "" || u.Next == "" {
			t.Errorf("stage %s: empty stage or next words", st)
		}
	}
}

// TestRedactorCases takes a reporter's name and contacts out of texts
// written every way a member might write them (every person invented):
// inline where the name or contact stands whole, and the whole text where
// only a word of it, or another spelling, does.
func TestRedactorCases(t *testing.T) {
	reporter := app.Identity{Name: "Zoë Brandt", Handle: "@zoeb", Contact: "zoe.brandt@example.org, Signal +49 170 5550100 / 030 1234567"}
	anon := app.Identity{Contact: "Nightjar <nj-7f3a@relay.example.com>"}
	r := newRedactor([]app.Identity{reporter, anon, {Name: " "}, {Name: "Z"}})
	tests := []struct{ name, in, want string }{
		{"the name", "Zoë Brandt said", Withheld + " said"},
		{"in any case", "zoë brandt and ZOË BRANDT", Withheld + " and " + Withheld},
		{"no name", "no name here", "no name here"},
		{"a longer word", "Zoë Brandtt", Withheld},
		{"across a line break", "Zoë\nBrandt called", Withheld},
		{"without accents", "Zoe Brandt called", Withheld},
		{"one word of the name", "Zoë will not be there", Withheld},
		{"the family name, possessive", "Brandt's idea", Withheld},
		{"an invisible character inside", "Zo\u200dë and Bran\u00addt", Withheld},
		{"the handle without its @", "zoeb posted it", Withheld},
		{"an address from the contact", "write to ZOE.BRANDT@example.org", "write to " + Withheld},
		{"a phone number written otherwise", "call 0170 555 01 00 today", "call " + Withheld + " today"},
		{"a phone number with more digits after it", "call 0170 5550100 - 14 times", "call " + Withheld + " times"},
		{"the second number of a contact", "or 030 1234567", "or " + Withheld},
		{"another phone number", "call 040 7654321 today", "call 040 7654321 today"},
		{"an anonymous reporter's address", "mail nj-7f3a@relay.example.com today", "mail " + Withheld + " today"},
		{"an anonymous reporter's address, its local part", "nj-7f3a wrote", Withheld},
		{"a zero-width space inside the given name", "Zo\u200bë called", Withheld},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.Replace(tt.in); got != tt.want {
				t.Errorf("Replace(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	// A word that only contains a short secret is left whole, and so is
	// an address that only shares the domain of a contact.
	for _, tt := range []struct {
		id app.Identity
		in string
	}{
		{app.Identity{Handle: "@max"}, "maximum effort"},
		{app.Identity{Handle: "@he"}, "the text was withheld"},
		{app.Identity{Contact: "zoe (at) gmail.com"}, "write to bob@gmail.com"},
		{app.Identity{Contact: "@nightowl on chat.example.org"}, "write to bob@chat.example.org"},
	} {
		if got := newRedactor([]app.Identity{tt.id}).Replace(tt.in); got != tt.in {
			t.Errorf("%+v: Replace(%q) = %q, want it unchanged", tt.id, tt.in, got)
		}
	}
	// A handle or a link in a contact is withheld on its own, in every
	// party's update when the reporter is anonymous; so is each phone
	// number of a contact, but not the halves of one written with a slash.
	owl := newRedactor([]app.Identity{{Contact: "@nightowl on chat.example.org, social.example/@nightowl, 089/1234567; 0170 5550100 / 030 7654321; 0171 2223334 / 040/9876543"}})
	for in, want := range map[string]string{
		"reply to @nightowl please":         "reply to " + Withheld + " please",
		"nightowl wrote":                    Withheld + " wrote",
		"see social.example/@nightowl":      "see " + Withheld,
		"call +49 89 1234567":               "call " + Withheld,
		"call 0170 5550100 or 030 7654321.": "call " + Withheld + " or " + Withheld + ".",
		"call 0171 2223334 or 040 9876543.": "call " + Withheld + " or " + Withheld + ".",
	} {
		if got := owl.Replace(in); got != want {
			t.Errorf("Replace(%q) = %q, want %q", in, got, want)
		}
	}
	// A given name that is an ordinary word withholds the whole text: a
	// blank where "will" was would name the reporter.
	if got := newRedactor([]app.Identity{{Name: "Will Brandt"}}).Replace("The committee will decide"); got != Withheld {
		t.Errorf("a given name that is an ordinary word: got %q, want the whole text withheld", got)
	}
	// A secret that contains the placeholder must not loop.
	if got := newRedactor([]app.Identity{{Pseudonym: Withheld}}).Replace("a " + Withheld); !strings.Contains(got, Withheld) {
		t.Errorf("got %q", got)
	}
}

func TestCaseSummaryHoldsEverything(t *testing.T) {
	c, msgs := fixture()
	s := BuildCaseSummary(c, msgs, testRoster(), testConfig(), asOf)
	var b strings.Builder
	for _, f := range append(s.Facts, s.Parties...) {
		b.WriteString(f.Label + " " + f.Value + "\n")
	}
	for _, l := range [][]Entry{s.Timeline, s.Evidence, s.Decisions, s.Votes} {
		for _, e := range l {
			b.WriteString(e.Text + "\n")
		}
	}
	text := b.String()
	for _, w := range []string{canaryAnonName, canaryAnonContact, canaryReporterStmt, canaryNote, canaryEvidence,
		canaryDecision, canaryEventText, "Draft, not sent", "Ada Committee for", "Bo Committee against",
		"1 for, 1 against", "committee only", "shared with p2 Дмитрий Соколов"} {
		if !strings.Contains(text, w) {
			t.Errorf("summary lacks %q:\n%s", w, text)
		}
	}
	if s.Code != "AMBER-FOX" || !s.Generated.Equal(asOf) {
		t.Errorf("got code %q generated %v", s.Code, s.Generated)
	}
}

func TestAgendaSortsItemsAndNamesNoOne(t *testing.T) {
	due := []app.DueItem{
		{Kind: app.DueTriage, Code: "A", Text: "Triage"},
		{Kind: app.DueDecision, Code: "B", Text: "Decide"},
		{Kind: app.DueStatus, Code: "C", PartyID: "p2", Text: "Send p2 (reported) a weekly status update"},
	}
	flags := []app.BrigadeFlag{{Cases: []string{"A", "D"}, Reasons: []string{"3 reports about the same person within 2 days"}, Person: canaryAnonName}}
	a := BuildAgenda(due, flags, nil, testConfig(), asOf)
	if len(a.Triage) != 1 || len(a.Decisions) != 1 || len(a.Due) != 3 || len(a.Brigading) != 1 {
		t.Fatalf("got %d triage, %d decisions, %d due, %d flags; want 1, 1, 3, 1", len(a.Triage), len(a.Decisions), len(a.Due), len(a.Brigading))
	}
	if a.Brigading[0].Code != "A, D" || strings.Contains(a.Brigading[0].Text, canaryAnonName) {
		t.Errorf("got flag %+v", a.Brigading[0])
	}
	if a.Meeting.Before(asOf) || a.Meeting.Weekday() != time.Wednesday {
		t.Errorf("meeting %v, want the next Wednesday", a.Meeting)
	}
}

// TestAgendaLeavesOutCasesAMemberIsShutOutOf: the agenda may be seen by
// a member with a conflict, so it leaves out each case a member is shut
// out of and every flag that links one (its line in the due list too),
// and counts the cases. A report only the preparer holds, and may not see,
// is their own to send on, and no business of the meeting's.
func TestAgendaLeavesOutCasesAMemberIsShutOutOf(t *testing.T) {
	due := []app.DueItem{
		{Kind: app.DueTriage, Code: "A", Text: "Triage"},
		{Kind: app.DueDanger, Code: "B", Text: "Check whether anyone is in danger"},
		{Kind: app.DueDecision, Code: "C", Text: "Decide"},
		{Kind: app.DueBrigade, Code: "D", Related: []string{"B"}, Text: "Review 2 linked reports together"},
		{Kind: app.DueStatus, Code: "E", PartyID: "p2", Text: "Send p2 (reported) a weekly status update"},
		// The preparer's own to-do, on a case only they hold.
		{Kind: app.DueSendOn, Code: "F", Text: "Send the report to members who may see it"},
	}
	flags := []app.BrigadeFlag{
		{Cases: []string{"B", "D"}, Reasons: []string{"2 reports about the same person within a day"}},
		{Cases: []string{"C", "E"}, Reasons: []string{"2 reports with much the same text"}},
	}
	a := BuildAgenda(due, flags, map[string]bool{"B": true}, testConfig(), asOf)
	var codes []string
	for _, l := range [][]AgendaItem{a.Triage, a.Decisions, a.Due, a.Brigading} {
		for _, it := range l {
			codes = append(codes, it.Code)
			if strings.Contains(it.Text, "danger") || strings.Contains(it.Text, "same person") {
				t.Errorf("the agenda says %q", it.Text)
			}
		}
	}
	if want := []string{"A", "C", "A", "C", "E", "C, E"}; !slices.Equal(codes, want) {
		t.Errorf("codes on the agenda: got %v, want %v", codes, want)
	}
	if a.Apart != 1 {
		t.Errorf("left out: got %d cases, want 1 (B)", a.Apart)
	}
	var b bytes.Buffer
	if err := WriteAgenda(&b, a, PDFOptions{}); err != nil {
		t.Fatal(err)
	}
	if text := flat(pdfText(t, b.Bytes())); !strings.Contains(text, "1 case is left out of this agenda") || strings.Contains(text, "danger") {
		t.Errorf("the agenda PDF:\n%s", text)
	}
}

func TestParallelRunsEveryIndexOnce(t *testing.T) {
	var seen [100]int32
	errs := Parallel(len(seen), func(i int) error {
		seen[i]++
		if i == 7 {
			return ErrNoParty
		}
		return nil
	})
	for i, n := range seen {
		if n != 1 {
			t.Errorf("index %d ran %d times", i, n)
		}
		if (errs[i] != nil) != (i == 7) {
			t.Errorf("index %d: error %v", i, errs[i])
		}
	}
}

// An anonymous reporter's contact is withheld even from their own update,
// so that no export holds it.
func TestAnonymousContactWithheldFromEveryone(t *testing.T) {
	c, _ := fixture()
	msgs := []*app.Message{{ID: "x1", At: t0.Add(9 * day), PartyID: "p1", Direction: app.Out,
		Text: "We will write to " + canaryAnonContact + " weekly", Visibility: vis("p1", "p3")}}
	for _, party := range []string{"p1", "p3"} {
		u, err := BuildPartyUpdate(c, msgs, party, testConfig(), UpdateOptions{}, asOf)
		if err != nil {
			t.Fatal(err)
		}
		if got := updateText(u); strings.Contains(got, canaryAnonContact) || !strings.Contains(got, "write to "+Withheld+" weekly") {
			t.Errorf("update for %s: got %q, want the contact withheld", party, got)
		}
	}
}

// The committee's summary lists an imported message's attachments and
// says when the message had defects; a party's update does not.
func TestAttachmentsInCaseSummaryOnly(t *testing.T) {
	c, msgs := fixture()
	msgs = append(msgs, &app.Message{ID: "x7", At: t0.Add(12 * day), PartyID: "p3", Direction: app.In, Channel: app.ChannelEmail,
		Text: "See the log", Visibility: vis("p3"), Defects: []string{"Malformed Base64"},
		Attachments: []app.AttachmentRef{{ID: "a8", Name: "chat-log.txt", Type: "text/plain", Size: 2048}}})
	s := BuildCaseSummary(c, msgs, testRoster(), testConfig(), asOf)
	found := false
	for _, e := range s.Timeline {
		if strings.Contains(e.Text, "See the log Attachments: a8 chat-log.txt (2.0 KiB). The message had a defect when imported") {
			found = true
		}
	}
	if !found {
		t.Errorf("the summary's timeline lacks the attachment: %+v", s.Timeline)
	}
	u, err := BuildPartyUpdate(c, msgs, "p3", testConfig(), UpdateOptions{}, asOf)
	if err != nil {
		t.Fatal(err)
	}
	if text := updateText(u); !strings.Contains(text, "See the log") || strings.Contains(text, "chat-log") {
		t.Errorf("the update: %s", text)
	}
}
