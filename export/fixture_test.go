package export

import (
	"strings"
	"time"

	"casebook/app"
)

// Canaries: texts a reader must not see. Each is unique so that a search
// for it is meaningful.
const (
	canaryAnonName       = "Zoë Brandt"             // the anonymous reporter's real name
	canaryAnonPseudonym  = "Nightjar"               // their pseudonym: never to the reported person
	canaryAnonContact    = "zoe.hidden@example.org" // their contact: in no party's update
	canaryReportedMail   = "dmitri@example.org"
	canaryWitnessMail    = "maria@example.org"
	canaryOtherMail      = "xiaoming@example.org"
	canaryReporterStmt   = "Canaryreporterstatement about the sprint"
	canaryNote           = "Canarycommitteenote on credibility"
	canaryEvidence       = "Canarycommitteeevidence screenshot"
	canaryDecision       = "Canarycommitteedecision draft"
	canaryEventText      = "Canaryeventtext member remark"
	canaryDraft          = "Canarydraftmessage not sent"
	canaryBeforeLastSent = "Canaryoldnews before the last update"
)

// Texts shared with one reader.
const (
	sharedWitnessToP2  = "Witness account, shared with the reported person"
	sharedOutToP2      = "Please send us your account of the sprint evening"
	sharedToP2Mention  = "We spoke with Nightjar and with zoe.hidden@example.org about it"
	sharedP2ToP1       = "My own account of the sprint evening, from p2"
	sharedNoteToP3     = "Thank you for your account; we may ask a follow-up question"
	sharedEvidenceToP1 = "Chat log you sent, received in full"
	sharedDecisionToP4 = "Mediation offered to the working group"
)

var (
	t0  = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	day = 24 * time.Hour
)

func vis(ids ...string) app.Visibility { return app.Visibility{SharedWith: ids} }

// fixture is a case in the gathering stage with one anonymous reporter
// (p1), one reported person (p2), a witness (p3) and another party (p4),
// and items of every kind, some committee only and some shared.
func fixture() (*app.Case, []*app.Message) {
	c := &app.Case{
		ID: "c1", Code: "AMBER-FOX", Received: t0, Channel: app.ChannelForm,
		Summary: "Comments during the sprint", Description: "Repeated remarks in the sprint chat",
		ReporterKind: app.ReporterAnonymous, Stage: app.StageGathering, AcknowledgedAt: t0.Add(day),
		ConflictsChecked: true, Responder: "m1",
		Parties: []*app.Party{
			{ID: "p1", Role: app.RoleReporter, Anonymous: true, Name: canaryAnonName, Pseudonym: canaryAnonPseudonym, Contact: canaryAnonContact, Outreach: app.Responded},
			{ID: "p2", Role: app.RoleReported, Name: "Дмитрий Соколов", Contact: canaryReportedMail, Outreach: app.Contacted, ContactedAt: t0.Add(8 * day)},
			{ID: "p3", Role: app.RoleWitness, Name: "Μαρία Γεωργίου", Contact: canaryWitnessMail, Outreach: app.Responded, ContactedAt: t0.Add(8 * day)},
			{ID: "p4", Role: app.RoleOther, Name: "王小明", Contact: canaryOtherMail, Outreach: app.Contacted, ContactedAt: t0.Add(8 * day)},
		},
		Notes: []*app.Note{
			{ID: "n1", At: t0.Add(9 * day), Author: "m1", Text: canaryNote},
			{ID: "n2", At: t0.Add(10 * day), Author: "m1", Text: sharedNoteToP3, Visibility: vis("p3")},
		},
		Evidence: []*app.Evidence{
			{ID: "e1", At: t0.Add(2 * day), Note: canaryEvidence, Corroboration: app.Unverified},
			{ID: "e2", At: t0.Add(9 * day), Note: sharedEvidenceToP1, Corroboration: app.Corroborated, Visibility: vis("p1")},
		},
		Decisions: []*app.Decision{
			{ID: "d1", At: t0.Add(11 * day), Text: canaryDecision},
			{ID: "d2", At: t0.Add(11 * day), Text: sharedDecisionToP4, Visibility: vis("p4")},
		},
		Votes: []*app.Vote{{ID: "v1", Proposal: app.OutcomeWarning, OpenedAt: t0.Add(11 * day),
			Ballots: map[string]app.Choice{"m1": app.For, "m2": app.Against}}},
		History: []*app.Event{
			{At: t0, Action: app.ActReceive, To: app.StageReceived},
			{At: t0.Add(day), Member: "m1", Action: app.ActAcknowledge, From: app.StageReceived, To: app.StageAcknowledged},
			{At: t0.Add(7 * day), Member: "m1", Action: app.ActTriage, From: app.StageAcknowledged, To: app.StageGathering},
			{At: t0.Add(8 * day), Member: "m1", Action: app.ActContact, Party: "p2", Text: canaryEventText},
		},
	}
	msgs := []*app.Message{
		{ID: "x1", At: t0, PartyID: "p1", Direction: app.In, Text: canaryReporterStmt},
		{ID: "x2", At: t0.Add(9 * day), PartyID: "p3", Direction: app.In, Text: sharedWitnessToP2, Visibility: vis("p2")},
		{ID: "x3", At: t0.Add(8 * day), PartyID: "p2", Direction: app.Out, Subject: "Your account", Text: sharedOutToP2, Visibility: vis("p2")},
		{ID: "x4", At: t0.Add(9 * day), PartyID: "p2", Direction: app.Out, Text: sharedToP2Mention, Visibility: vis("p2")},
		{ID: "x5", At: t0.Add(10 * day), PartyID: "p2", Direction: app.In, Text: sharedP2ToP1, Visibility: vis("p1", "p2")},
		{ID: "x6", At: t0.Add(10 * day), PartyID: "p2", Direction: app.Out, Text: canaryDraft, Visibility: vis("p2"), Pending: true},
	}
	return c, msgs
}

var asOf = t0.Add(14 * day)

func testConfig() app.Config {
	cfg := app.DefaultConfig()
	cfg.TimeZone = "UTC"
	return cfg
}

func testRoster() *app.Roster {
	return &app.Roster{Members: []*app.Member{
		{ID: "m1", Name: "Ada Committee", Active: true},
		{ID: "m2", Name: "Bo Committee", Active: true},
	}}
}

// allCanaries are withheld from every party's update.
var allCanaries = []string{canaryAnonName, canaryAnonContact, canaryReportedMail, canaryWitnessMail,
	canaryOtherMail, canaryReporterStmt, canaryNote, canaryEvidence, canaryDecision, canaryEventText,
	canaryDraft, "Ada Committee", "Bo Committee"}

// updateText flattens an update into the text a reader would see.
func updateText(u *PartyUpdate) string {
	var b strings.Builder
	for _, s := range []string{u.Code, u.Greeting, u.Intro, u.Stage, u.Next, u.Reach} {
		b.WriteString(s + "\n")
	}
	for _, e := range u.Happened {
		b.WriteString(e.Text + "\n")
	}
	return b.String()
}
