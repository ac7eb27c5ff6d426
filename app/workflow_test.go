package app

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the committee's zones must load on every machine
)

// Helpers shared by the tests of the workflow, the due list, the members
// and the configuration. Every person here is made up.

// zone loads a time zone or panics: the zones used are built in.
func zone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

var (
	berlin   = zone("Europe/Berlin")
	newYork  = zone("America/New_York")
	tokyo    = zone("Asia/Tokyo")
	auckland = zone("Pacific/Auckland")
)

// wall is a wall-clock time in l.
func wall(l *time.Location, y int, mo time.Month, d, h, mi int) time.Time {
	return time.Date(y, mo, d, h, mi, 0, 0, l)
}

// testConfig is the default configuration of a committee in Berlin.
func testConfig() Config {
	cfg := DefaultConfig()
	cfg.TimeZone = "Europe/Berlin"
	return cfg
}

// testRoster is a committee of four: m1 uses the vault, m2 is usually
// the responder.
func testRoster(t testing.TB) *Roster {
	t.Helper()
	r := &Roster{}
	for _, name := range []string{"Alex Example", "Blair Sample", "Casey Placeholder", "Dana Fictional"} {
		if _, err := r.Add(name, strings.ToLower(strings.Fields(name)[0])+"@committee.example"); err != nil {
			t.Fatalf("Add(%q): %v", name, err)
		}
	}
	r.Me = "m1"
	return r
}

// caseReceived is a Monday morning in Berlin.
var caseReceived = wall(berlin, 2026, time.May, 4, 9, 0)

// newTestCase is a fresh report: a reporter and a reported person who can
// both be reached, and a witness who cannot.
func newTestCase(received time.Time) *Case {
	return &Case{
		ID:           "c0ffee0000000001",
		Code:         "amber-heron-42",
		Received:     received,
		Channel:      ChannelEmail,
		Summary:      "Repeated hostile replies in the issue queue",
		ReporterKind: ReporterIdentified,
		Parties: []*Party{
			{ID: "p1", Role: RoleReporter, Name: "Robin Reporter", Contact: "robin@example.org", Outreach: NotContacted},
			{ID: "p2", Role: RoleReported, Name: "Riley Reported", Contact: "riley@example.org", Outreach: NotContacted},
			{ID: "p3", Role: RoleWitness, Name: "Wren Witness", Outreach: NotContacted},
		},
		Stage:   StageReceived,
		History: []*Event{{At: received, Action: ActReceive, To: StageReceived}},
		Seq:     3,
	}
}

// walker drives a test case through the process.
type walker struct {
	t   testing.TB
	c   *Case
	ctx Context
}

func newWalker(t testing.TB) *walker {
	t.Helper()
	return &walker{t: t, c: newTestCase(caseReceived),
		ctx: Context{Now: caseReceived, Member: "m1", Roster: testRoster(t), Config: testConfig()}}
}

// do takes steps an hour apart, failing the test if one is refused.
func (w *walker) do(steps ...Step) *walker {
	w.t.Helper()
	for _, s := range steps {
		w.ctx.Now = w.ctx.Now.Add(time.Hour)
		if err := w.c.Apply(s, w.ctx); err != nil {
			w.t.Fatalf("setting up: %s: %v", s.Action, err)
		}
	}
	return w
}

// doAt takes steps at the time given.
func (w *walker) doAt(at time.Time, steps ...Step) *walker {
	w.t.Helper()
	w.ctx.Now = at
	for _, s := range steps {
		if err := w.c.Apply(s, w.ctx); err != nil {
			w.t.Fatalf("setting up: %s at %v: %v", s.Action, at, err)
		}
	}
	return w
}

// votePath is the usual way through the process: everyone heard, a vote
// for a warning, everyone told, a follow-up, closed.
var votePath = []struct {
	stage Stage // the stage the steps reach
	steps []Step
}{
	{StageAcknowledged, []Step{{Action: ActCheckConflicts}, {Action: ActAcknowledge}}},
	{StageGathering, []Step{{Action: ActTriage, Responder: "m2", Assessment: Assessment{Scope: "in scope", Impact: "moderate", Risk: "low"}}}},
	{StageReview, []Step{{Action: ActContact, Party: "p2"}, {Action: ActResponded, Party: "p2"},
		{Action: ActContact, Party: "p3"}, {Action: ActResponded, Party: "p3"}, {Action: ActStartReview}}},
	{StageResolution, []Step{{Action: ActConcludeReview, Text: "the replies broke the code"}}},
	{StageInforming, []Step{{Action: ActRequestFeedback, Party: "p1"}, {Action: ActRequestFeedback, Party: "p2"},
		{Action: ActOpenVote, Outcome: OutcomeWarning}, {Action: ActVote, Member: "m1", Choice: For},
		{Action: ActVote, Member: "m2", Choice: For}, {Action: ActVote, Member: "m3", Choice: Against},
		{Action: ActCloseVote}, {Action: ActDecide}}},
	{StageFollowUp, []Step{{Action: ActInform, Party: "p1"}, {Action: ActInform, Party: "p2"}, {Action: ActScheduleFollowUp}}},
	{StageClosed, []Step{{Action: ActClose}}},
}

// to walks the case along votePath until it reaches target.
func (w *walker) to(target Stage) *walker {
	w.t.Helper()
	for _, p := range votePath {
		if w.c.Stage == target {
			break
		}
		w.do(p.steps...)
		if w.c.Stage != p.stage {
			w.t.Fatalf("setting up: got stage %s, want %s", w.c.Stage, p.stage)
		}
	}
	if w.c.Stage != target {
		w.t.Fatalf("setting up: got stage %s, want %s", w.c.Stage, target)
	}
	return w
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return string(b)
}

func actionNames(as []Action) string {
	names := make([]string, len(as))
	for i, a := range as {
		names[i] = string(a)
	}
	return strings.Join(names, ", ")
}

// assertRefused applies s and checks that it is refused as the workflow
// promises: ErrNotAllowed, the allowed actions of the moment named, no
// name of a person in the message, and the case unchanged.
func assertRefused(t *testing.T, c *Case, s Step, ctx Context) *NotAllowedError {
	t.Helper()
	before := mustJSON(t, c)
	err := c.Apply(s, ctx)
	if !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("Apply(%s): got %v, want an error matching ErrNotAllowed", s.Action, err)
	}
	var na *NotAllowedError
	if !errors.As(err, &na) {
		t.Fatalf("Apply(%s): got %T, want a *NotAllowedError", s.Action, err)
	}
	if na.Action != s.Action {
		t.Errorf("error's action: got %q, want %q", na.Action, s.Action)
	}
	if na.Reason == "" {
		t.Errorf("error gives no reason: %v", err)
	}
	want := c.Allowed(ctx)
	if !slices.Equal(na.Allowed, want) {
		t.Errorf("error's allowed actions: got [%s], want [%s] (c.Allowed)", actionNames(na.Allowed), actionNames(want))
	}
	msg := err.Error()
	wantNext := "allowed next: none"
	if len(want) > 0 {
		wantNext = "allowed next: " + actionNames(want)
	}
	if !strings.Contains(msg, wantNext) {
		t.Errorf("message: got %q, want it to contain %q", msg, wantNext)
	}
	if !strings.Contains(msg, string(s.Action)) {
		t.Errorf("message: got %q, want it to name the refused action %q", msg, s.Action)
	}
	for _, p := range c.Parties {
		for _, secret := range []string{p.Name, p.Contact} {
			if secret != "" && strings.Contains(msg, secret) {
				t.Errorf("message %q names a party's %q; it must name parties by ID only", msg, secret)
			}
		}
	}
	if after := mustJSON(t, c); after != before {
		t.Errorf("a refused %s changed the case:\n got %s\nwant %s", s.Action, after, before)
	}
	return na
}

// Setup shortcuts for the table.
func atStage(s Stage) func(*walker) { return func(w *walker) { w.to(s) } }

func atStageThen(s Stage, steps ...Step) func(*walker) {
	return func(w *walker) { w.to(s).do(steps...) }
}

func noContact(id string) func(*Case) { return func(c *Case) { c.Party(id).Contact = "" } }

type actionTest struct {
	name  string
	setup func(w *walker) // from a fresh case; nil: the fresh case
	step  Step
	// refuse says the step must be refused; reason, if set, is a
	// fragment the reason must contain.
	refuse bool
	reason string
	// For an allowed step: the stage after, and the other changes.
	stage Stage
	check func(t *testing.T, c *Case, now time.Time)
}

func wantTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}

func actionTests() []actionTest {
	assess := Assessment{Scope: "in scope", Impact: "moderate", Risk: "low"}
	openVote := Step{Action: ActOpenVote, Outcome: OutcomeWarning, Text: "a private warning"}
	feedback := []Step{{Action: ActRequestFeedback, Party: "p1"}, {Action: ActRequestFeedback, Party: "p2"}}
	adopted := append(slices.Clone(feedback), openVote, Step{Action: ActVote, Member: "m1", Choice: For},
		Step{Action: ActVote, Member: "m2", Choice: For}, Step{Action: ActCloseVote})
	hard := func(m string) Step {
		return Step{Action: ActDeclareConflict, Member: m, Kind: HardConflict, Text: "works with the reported person"}
	}
	soft := func(m string) Step {
		return Step{Action: ActDeclareConflict, Member: m, Kind: SoftConflict, Text: "met the reporter once"}
	}
	retire := func(m string) func(*walker) {
		return func(w *walker) { w.ctx.Roster.Member(m).Active = false }
	}
	seq := func(fs ...func(*walker)) func(*walker) {
		return func(w *walker) {
			for _, f := range fs {
				f(w)
			}
		}
	}
	edit := func(f func(*Case)) func(*walker) { return func(w *walker) { f(w.c) } }
	then := func(steps ...Step) func(*walker) { return func(w *walker) { w.do(steps...) } }
	urgent := func(c *Case) { c.Urgent = true }

	return []actionTest{
		// check-danger
		{name: "urgent report", setup: edit(urgent), step: Step{Action: ActCheckDanger, Text: "no threat in the messages"}, stage: StageReceived,
			check: func(t *testing.T, c *Case, now time.Time) { wantTime(t, "DangerCheckedAt", c.DangerCheckedAt, now) }},
		{name: "report not urgent", step: Step{Action: ActCheckDanger}, refuse: true, reason: "not marked urgent"},
		{name: "already checked", setup: seq(edit(urgent), then(Step{Action: ActCheckDanger})), step: Step{Action: ActCheckDanger}, refuse: true, reason: "already done"},
		{name: "urgent action taken instead", setup: seq(edit(urgent), then(Step{Action: ActUrgentAction, Text: "muted in chat"})),
			step: Step{Action: ActCheckDanger}, refuse: true, reason: "already done"},
		{name: "closed case", setup: seq(edit(urgent), atStage(StageClosed)), step: Step{Action: ActCheckDanger}, refuse: true, reason: "Closed"},

		// urgent-action
		{name: "with what was done", step: Step{Action: ActUrgentAction, Text: "muted the account in chat"}, stage: StageReceived,
			check: func(t *testing.T, c *Case, now time.Time) {
				wantTime(t, "UrgentActionAt", c.UrgentActionAt, now)
				wantTime(t, "UrgentReportedAt", c.UrgentReportedAt, time.Time{})
			}},
		{name: "again after reporting the first", setup: then(Step{Action: ActUrgentAction, Text: "muted"}, Step{Action: ActReportUrgent}),
			step: Step{Action: ActUrgentAction, Text: "suspended the account"}, stage: StageReceived,
			check: func(t *testing.T, c *Case, now time.Time) {
				wantTime(t, "UrgentActionAt", c.UrgentActionAt, now)
				wantTime(t, "UrgentReportedAt (a new action must be reported again)", c.UrgentReportedAt, time.Time{})
			}},
		{name: "without saying what", step: Step{Action: ActUrgentAction, Text: "  \n"}, refuse: true, reason: "--text"},
		{name: "closed case", setup: atStage(StageClosed), step: Step{Action: ActUrgentAction, Text: "muted"}, refuse: true},

		// report-urgent-action
		{name: "after urgent action", setup: then(Step{Action: ActUrgentAction, Text: "muted"}), step: Step{Action: ActReportUrgent}, stage: StageReceived,
			check: func(t *testing.T, c *Case, now time.Time) { wantTime(t, "UrgentReportedAt", c.UrgentReportedAt, now) }},
		{name: "nothing to report", step: Step{Action: ActReportUrgent}, refuse: true, reason: "no urgent action"},
		{name: "already reported", setup: then(Step{Action: ActUrgentAction, Text: "muted"}, Step{Action: ActReportUrgent}),
			step: Step{Action: ActReportUrgent}, refuse: true},

		// check-conflicts
		{name: "fresh report", step: Step{Action: ActCheckConflicts}, stage: StageReceived,
			check: func(t *testing.T, c *Case, _ time.Time) {
				if !c.ConflictsChecked {
					t.Errorf("ConflictsChecked: got false, want true")
				}
			}},
		{name: "already checked", setup: then(Step{Action: ActCheckConflicts}), step: Step{Action: ActCheckConflicts}, refuse: true, reason: "already checked"},
		{name: "after the acknowledgement", setup: atStage(StageAcknowledged), step: Step{Action: ActCheckConflicts}, refuse: true},

		// declare-conflict
		{name: "soft", step: soft("m3"), stage: StageReceived,
			check: func(t *testing.T, c *Case, now time.Time) {
				if len(c.Conflicts) != 1 {
					t.Fatalf("conflicts: got %d, want 1", len(c.Conflicts))
				}
				k := c.Conflicts[0]
				if k.MemberID != "m3" || k.Kind != SoftConflict || k.Reason != "met the reporter once" || !k.At.Equal(now) || k.Automatic {
					t.Errorf("conflict: got %+v, want m3 soft with the reason, at %v, not automatic", *k, now)
				}
				if c.Excluded("m3") {
					t.Errorf("Excluded(m3) with a soft conflict: got true, want false")
				}
			}},
		{name: "hard on the responder", setup: atStage(StageGathering), step: hard("m2"), stage: StageGathering,
			check: func(t *testing.T, c *Case, _ time.Time) {
				if c.Responder != "" {
					t.Errorf("Responder: got %q, want none", c.Responder)
				}
				if !c.Excluded("m2") {
					t.Errorf("Excluded(m2): got false, want true")
				}
			}},
		{name: "hard on another member", setup: atStage(StageGathering), step: hard("m3"), stage: StageGathering,
			check: func(t *testing.T, c *Case, _ time.Time) {
				if c.Responder != "m2" {
					t.Errorf("Responder: got %q, want m2", c.Responder)
				}
				if !c.Excluded("m3") {
					t.Errorf("Excluded(m3): got false, want true")
				}
			}},
		{name: "no member", step: Step{Action: ActDeclareConflict, Kind: HardConflict}, refuse: true, reason: "name a member"},
		{name: "unknown member", step: hard("m9"), refuse: true, reason: "name a member"},
		{name: "unknown kind", step: Step{Action: ActDeclareConflict, Member: "m3", Kind: "maybe"}, refuse: true, reason: "hard"},
		{name: "declared twice", setup: then(soft("m3")), step: soft("m3"), refuse: true, reason: "already declared"},
		{name: "closed case", setup: atStage(StageClosed), step: hard("m3"), refuse: true},

		// acknowledge
		{name: "after the conflict check", setup: then(Step{Action: ActCheckConflicts}), step: Step{Action: ActAcknowledge}, stage: StageAcknowledged,
			check: func(t *testing.T, c *Case, now time.Time) { wantTime(t, "AcknowledgedAt", c.AcknowledgedAt, now) }},
		{name: "before the conflict check", step: Step{Action: ActAcknowledge}, refuse: true, reason: "check conflicts"},
		{name: "reporter cannot be reached", setup: seq(edit(noContact("p1")), then(Step{Action: ActCheckConflicts})),
			step: Step{Action: ActAcknowledge}, refuse: true, reason: "skip-acknowledgement"},
		{name: "twice", setup: atStage(StageAcknowledged), step: Step{Action: ActAcknowledge}, refuse: true},

		// skip-acknowledgement
		{name: "reporter without contact", setup: seq(edit(noContact("p1")), then(Step{Action: ActCheckConflicts})),
			step: Step{Action: ActSkipAcknowledge}, stage: StageAcknowledged,
			check: func(t *testing.T, c *Case, _ time.Time) { wantTime(t, "AcknowledgedAt", c.AcknowledgedAt, time.Time{}) }},
		{name: "no reporter", setup: seq(edit(func(c *Case) { c.Parties, c.ReporterKind = c.Parties[1:], ReporterNone }), then(Step{Action: ActCheckConflicts})),
			step: Step{Action: ActSkipAcknowledge}, stage: StageAcknowledged},
		{name: "reporter can be reached", setup: then(Step{Action: ActCheckConflicts}), step: Step{Action: ActSkipAcknowledge}, refuse: true, reason: "must be acknowledged"},
		{name: "before the conflict check", setup: edit(noContact("p1")), step: Step{Action: ActSkipAcknowledge}, refuse: true, reason: "check conflicts"},

		// request-info
		{name: "while hearing the parties", setup: atStage(StageGathering), step: Step{Action: ActRequestInfo, Text: "asked for links"}, stage: StageGathering},
		{name: "reporter cannot be reached", setup: seq(then(Step{Action: ActCheckConflicts}), edit(noContact("p1"))),
			step: Step{Action: ActRequestInfo}, refuse: true, reason: "cannot be reached"},
		{name: "at resolution", setup: atStage(StageResolution), step: Step{Action: ActRequestInfo}, refuse: true},

		// triage
		{name: "assigns a responder", setup: atStage(StageAcknowledged), step: Step{Action: ActTriage, Responder: "m2", Assessment: assess}, stage: StageGathering,
			check: func(t *testing.T, c *Case, _ time.Time) {
				if c.Responder != "m2" || c.Assessment != assess {
					t.Errorf("responder and assessment: got %q %+v, want m2 %+v", c.Responder, c.Assessment, assess)
				}
			}},
		{name: "soft-conflicted responder", setup: seq(then(soft("m3")), atStage(StageAcknowledged)), step: Step{Action: ActTriage, Responder: "m3"}, stage: StageGathering,
			check: func(t *testing.T, c *Case, _ time.Time) {
				if c.Responder != "m3" {
					t.Errorf("Responder: got %q, want m3", c.Responder)
				}
			}},
		{name: "no responder", setup: atStage(StageAcknowledged), step: Step{Action: ActTriage}, refuse: true, reason: "--responder"},
		{name: "unknown responder", setup: atStage(StageAcknowledged), step: Step{Action: ActTriage, Responder: "m9"}, refuse: true, reason: "not a member"},
		{name: "former member", setup: seq(atStage(StageAcknowledged), retire("m3")), step: Step{Action: ActTriage, Responder: "m3"}, refuse: true, reason: "is no longer active"},
		{name: "hard-conflicted responder", setup: seq(then(hard("m4")), atStage(StageAcknowledged)), step: Step{Action: ActTriage, Responder: "m4"}, refuse: true, reason: "conflict of interest"},
		{name: "before the acknowledgement", step: Step{Action: ActTriage, Responder: "m2"}, refuse: true},

		// close-out-of-scope
		{name: "with a reason", setup: atStage(StageAcknowledged), step: Step{Action: ActCloseOutOfScope, Text: "a private dispute elsewhere"}, stage: StageInforming,
			check: decidedCheck(OutcomeOutOfScope)},
		{name: "without a reason", setup: atStage(StageAcknowledged), step: Step{Action: ActCloseOutOfScope}, refuse: true, reason: "reason"},
		{name: "after triage", setup: atStage(StageGathering), step: Step{Action: ActCloseOutOfScope, Text: "x"}, refuse: true},

		// close-record-only
		{name: "as the reporter asked", setup: atStage(StageAcknowledged), step: Step{Action: ActCloseRecordOnly}, stage: StageInforming,
			check: decidedCheck(OutcomeRecordOnly)},
		{name: "before the acknowledgement", step: Step{Action: ActCloseRecordOnly}, refuse: true},
		{name: "after triage", setup: atStage(StageGathering), step: Step{Action: ActCloseRecordOnly}, refuse: true},

		// decline-bad-faith
		{name: "while hearing the parties", setup: atStage(StageGathering), step: Step{Action: ActDeclineBadFaith, Text: "part of a harassment campaign"}, stage: StageInforming,
			check: decidedCheck(OutcomeBadFaith)},
		{name: "without a reason", setup: atStage(StageGathering), step: Step{Action: ActDeclineBadFaith}, refuse: true, reason: "reason"},
		{name: "at resolution", setup: atStage(StageResolution), step: Step{Action: ActDeclineBadFaith, Text: "x"}, refuse: true},

		// contact
		{name: "the reported person", setup: atStage(StageGathering), step: Step{Action: ActContact, Party: "p2"}, stage: StageGathering,
			check: func(t *testing.T, c *Case, now time.Time) {
				p := c.Party("p2")
				if p.Outreach != Contacted {
					t.Errorf("outreach: got %s, want %s", p.Outreach, Contacted)
				}
				wantTime(t, "ContactedAt", p.ContactedAt, now)
			}},
		{name: "no party", setup: atStage(StageGathering), step: Step{Action: ActContact}, refuse: true, reason: "--party"},
		{name: "unknown party", setup: atStage(StageGathering), step: Step{Action: ActContact, Party: "p9"}, refuse: true, reason: "no party"},
		{name: "twice", setup: atStageThen(StageGathering, Step{Action: ActContact, Party: "p2"}), step: Step{Action: ActContact, Party: "p2"}, refuse: true, reason: "already contacted"},
		{name: "before triage", setup: atStage(StageAcknowledged), step: Step{Action: ActContact, Party: "p2"}, refuse: true},

		// responded
		{name: "without being contacted", setup: atStage(StageGathering), step: Step{Action: ActResponded, Party: "p2"}, stage: StageGathering,
			check: func(t *testing.T, c *Case, now time.Time) {
				p := c.Party("p2")
				if p.Outreach != Responded {
					t.Errorf("outreach: got %s, want %s", p.Outreach, Responded)
				}
				wantTime(t, "ContactedAt", p.ContactedAt, now)
			}},
		{name: "after being contacted", setup: atStageThen(StageGathering, Step{Action: ActContact, Party: "p2"}), step: Step{Action: ActResponded, Party: "p2"}, stage: StageGathering,
			check: func(t *testing.T, c *Case, now time.Time) {
				wantTime(t, "ContactedAt (kept from the contact)", c.Party("p2").ContactedAt, now.Add(-time.Hour))
			}},
		{name: "twice", setup: atStageThen(StageGathering, Step{Action: ActResponded, Party: "p2"}), step: Step{Action: ActResponded, Party: "p2"}, refuse: true, reason: "already responded"},
		{name: "at resolution", setup: atStage(StageResolution), step: Step{Action: ActResponded, Party: "p2"}, refuse: true},

		// declined-to-respond
		{name: "after being contacted", setup: atStageThen(StageGathering, Step{Action: ActContact, Party: "p2"}), step: Step{Action: ActDeclinedToRespond, Party: "p2"}, stage: StageGathering,
			check: func(t *testing.T, c *Case, _ time.Time) {
				if got := c.Party("p2").Outreach; got != Declined {
					t.Errorf("outreach: got %s, want %s", got, Declined)
				}
			}},
		{name: "never contacted", setup: atStage(StageGathering), step: Step{Action: ActDeclinedToRespond, Party: "p3"}, refuse: true, reason: "contacted"},
		{name: "already responded", setup: atStageThen(StageGathering, Step{Action: ActResponded, Party: "p2"}), step: Step{Action: ActDeclinedToRespond, Party: "p2"}, refuse: true},

		// start-review
		{name: "everyone heard", setup: atStageThen(StageGathering, Step{Action: ActResponded, Party: "p2"}, Step{Action: ActContact, Party: "p3"}, Step{Action: ActDeclinedToRespond, Party: "p3"}),
			step: Step{Action: ActStartReview}, stage: StageReview,
			check: func(t *testing.T, c *Case, _ time.Time) {
				if c.ReviewReason != "" {
					t.Errorf("ReviewReason: got %q, want none", c.ReviewReason)
				}
			}},
		{name: "a party unheard, with the reason", setup: atStageThen(StageGathering, Step{Action: ActResponded, Party: "p2"}),
			step: Step{Action: ActStartReview, Text: "the witness cannot be reached"}, stage: StageReview,
			check: func(t *testing.T, c *Case, _ time.Time) {
				if c.ReviewReason != "the witness cannot be reached" {
					t.Errorf("ReviewReason: got %q, want the reason given", c.ReviewReason)
				}
			}},
		{name: "a party unheard, no reason", setup: atStageThen(StageGathering, Step{Action: ActResponded, Party: "p2"}),
			step: Step{Action: ActStartReview}, refuse: true, reason: "p3 (witness) has not been heard"},
		{name: "nobody heard", setup: atStage(StageGathering), step: Step{Action: ActStartReview}, refuse: true, reason: "p2 (reported) and p3 (witness) have not been heard"},
		{name: "before triage", setup: atStage(StageAcknowledged), step: Step{Action: ActStartReview, Text: "x"}, refuse: true},

		// conclude-review
		{name: "in review", setup: atStage(StageReview), step: Step{Action: ActConcludeReview, Text: "findings"}, stage: StageResolution},
		{name: "while hearing the parties", setup: atStage(StageGathering), step: Step{Action: ActConcludeReview}, refuse: true},

		// request-feedback
		{name: "from the reporter", setup: atStage(StageResolution), step: Step{Action: ActRequestFeedback, Party: "p1"}, stage: StageResolution,
			check: func(t *testing.T, c *Case, now time.Time) {
				wantTime(t, "FeedbackAskedAt", c.Party("p1").FeedbackAskedAt, now)
			}},
		{name: "party without contact", setup: atStage(StageResolution), step: Step{Action: ActRequestFeedback, Party: "p3"}, refuse: true, reason: "cannot be reached"},
		{name: "no party", setup: atStage(StageResolution), step: Step{Action: ActRequestFeedback}, refuse: true},
		{name: "in review", setup: atStage(StageReview), step: Step{Action: ActRequestFeedback, Party: "p1"}, refuse: true},

		// consent
		{name: "the witness", setup: atStage(StageResolution), step: Step{Action: ActConsent, Party: "p3"}, stage: StageResolution,
			check: func(t *testing.T, c *Case, _ time.Time) {
				if !c.Party("p3").Consent {
					t.Errorf("Consent: got false, want true")
				}
			}},
		{name: "twice", setup: atStageThen(StageResolution, Step{Action: ActConsent, Party: "p3"}), step: Step{Action: ActConsent, Party: "p3"}, refuse: true, reason: "already recorded"},
		{name: "in review", setup: atStage(StageReview), step: Step{Action: ActConsent, Party: "p3"}, refuse: true},

		// open-vote
		{name: "on a warning", setup: atStage(StageResolution), step: openVote, stage: StageResolution,
			check: func(t *testing.T, c *Case, now time.Time) {
				v := c.OpenVote()
				if v == nil || len(c.Votes) != 1 {
					t.Fatalf("votes: got %d, open %v; want one open vote", len(c.Votes), v != nil)
				}
				if v.ID == "" || v.Proposal != OutcomeWarning || v.Text != "a private warning" || !v.OpenedAt.Equal(now) || v.Ballots == nil || len(v.Ballots) != 0 {
					t.Errorf("vote: got %+v, want an empty vote on a warning opened at %v", *v, now)
				}
			}},
		{name: "no outcome", setup: atStage(StageResolution), step: Step{Action: ActOpenVote}, refuse: true, reason: "outcome"},
		{name: "unknown outcome", setup: atStage(StageResolution), step: Step{Action: ActOpenVote, Outcome: "public-shaming"}, refuse: true},
		{name: "a vote already open", setup: atStageThen(StageResolution, openVote), step: openVote, refuse: true, reason: "already open"},
		{name: "in review", setup: atStage(StageReview), step: openVote, refuse: true},

		// vote
		{name: "the acting member by default", setup: atStageThen(StageResolution, openVote), step: Step{Action: ActVote, Choice: For}, stage: StageResolution,
			check: func(t *testing.T, c *Case, _ time.Time) {
				if got := c.OpenVote().Ballots; len(got) != 1 || got["m1"] != For {
					t.Errorf("ballots: got %v, want m1: for", got)
				}
			}},
		{name: "another member", setup: atStageThen(StageResolution, openVote), step: Step{Action: ActVote, Member: "m2", Choice: Against}, stage: StageResolution,
			check: func(t *testing.T, c *Case, _ time.Time) {
				if got := c.OpenVote().Ballots; len(got) != 1 || got["m2"] != Against {
					t.Errorf("ballots: got %v, want m2: against", got)
				}
			}},
		{name: "soft-conflicted member", setup: atStageThen(StageResolution, soft("m3"), openVote), step: Step{Action: ActVote, Member: "m3", Choice: Abstain}, stage: StageResolution,
			check: func(t *testing.T, c *Case, _ time.Time) {
				if got := c.OpenVote().Ballots["m3"]; got != Abstain {
					t.Errorf("m3's ballot: got %q, want abstain", got)
				}
			}},
		{name: "no vote open", setup: atStage(StageResolution), step: Step{Action: ActVote, Choice: For}, refuse: true, reason: "no vote is open"},
		{name: "no choice", setup: atStageThen(StageResolution, openVote), step: Step{Action: ActVote, Choice: "maybe"}, refuse: true, reason: "for, against or abstain"},
		{name: "unknown member", setup: atStageThen(StageResolution, openVote), step: Step{Action: ActVote, Member: "m9", Choice: For}, refuse: true, reason: "name a member"},
		{name: "hard-conflicted member", setup: atStageThen(StageResolution, hard("m4"), openVote), step: Step{Action: ActVote, Member: "m4", Choice: For}, refuse: true, reason: "conflict of interest"},

		// close-vote
		{name: "adopted", setup: atStageThen(StageResolution, openVote, Step{Action: ActVote, Member: "m1", Choice: For},
			Step{Action: ActVote, Member: "m2", Choice: For}, Step{Action: ActVote, Member: "m3", Choice: Against}),
			step: Step{Action: ActCloseVote}, stage: StageResolution, check: voteClosedCheck(true)},
		{name: "tie", setup: atStageThen(StageResolution, openVote, Step{Action: ActVote, Member: "m1", Choice: For},
			Step{Action: ActVote, Member: "m2", Choice: Against}),
			step: Step{Action: ActCloseVote}, stage: StageResolution, check: voteClosedCheck(false)},
		{name: "nobody voted", setup: atStageThen(StageResolution, openVote), step: Step{Action: ActCloseVote}, refuse: true, reason: "nobody has voted"},
		{name: "no vote open", setup: atStage(StageResolution), step: Step{Action: ActCloseVote}, refuse: true, reason: "no vote is open"},

		// record-agreement
		{name: "every party consented", setup: atStageThen(StageResolution, Step{Action: ActConsent, Party: "p1"}, Step{Action: ActConsent, Party: "p2"}, Step{Action: ActConsent, Party: "p3"}),
			step: Step{Action: ActRecordAgreement, Outcome: OutcomeMediatedAgreement, Text: "both apologised"}, stage: StageResolution,
			check: func(t *testing.T, c *Case, now time.Time) {
				if c.Proposed != OutcomeMediatedAgreement {
					t.Errorf("Proposed: got %q, want %q", c.Proposed, OutcomeMediatedAgreement)
				}
				if c.Outcome != "" {
					t.Errorf("Outcome before the decision: got %q, want none", c.Outcome)
				}
				d := c.Decisions[len(c.Decisions)-1]
				if d.Outcome != OutcomeMediatedAgreement || !d.At.Equal(now) || !strings.Contains(d.Text, "both apologised") {
					t.Errorf("decision: got %+v, want the mediated agreement at %v with the text", *d, now)
				}
			}},
		{name: "a party has not consented", setup: atStageThen(StageResolution, Step{Action: ActConsent, Party: "p1"}, Step{Action: ActConsent, Party: "p2"}),
			step: Step{Action: ActRecordAgreement, Outcome: OutcomeResolvedByParties}, refuse: true, reason: "p3 (witness) has not"},
		{name: "not an agreement's outcome", setup: atStageThen(StageResolution, Step{Action: ActConsent, Party: "p1"}, Step{Action: ActConsent, Party: "p2"}, Step{Action: ActConsent, Party: "p3"}),
			step: Step{Action: ActRecordAgreement, Outcome: OutcomeWarning}, refuse: true, reason: "resolved-by-parties"},

		// decide
		{name: "adopted and feedback asked", setup: atStageThen(StageResolution, adopted...), step: Step{Action: ActDecide}, stage: StageInforming,
			check: func(t *testing.T, c *Case, now time.Time) {
				if c.Outcome != OutcomeWarning {
					t.Errorf("Outcome: got %q, want %q", c.Outcome, OutcomeWarning)
				}
				wantTime(t, "DecidedAt", c.DecidedAt, now)
			}},
		{name: "feedback not asked, with the reason", setup: atStageThen(StageResolution, adopted[2:]...),
			step: Step{Action: ActDecide, Text: "the reporter asked not to be contacted again"}, stage: StageInforming},
		{name: "reported person without contact need not be asked", setup: seq(atStage(StageResolution), edit(noContact("p2")),
			then(append([]Step{feedback[0]}, adopted[2:]...)...)), step: Step{Action: ActDecide}, stage: StageInforming},
		{name: "feedback not asked", setup: atStageThen(StageResolution, adopted[2:]...), step: Step{Action: ActDecide}, refuse: true,
			reason: "p1 (reporter) and p2 (reported) have not been asked for feedback"},
		{name: "feedback asked of one", setup: atStageThen(StageResolution, adopted[1:]...), step: Step{Action: ActDecide}, refuse: true,
			reason: "p1 (reporter) has not been asked"},
		{name: "nothing adopted or agreed", setup: atStageThen(StageResolution, feedback...), step: Step{Action: ActDecide, Text: "x"}, refuse: true, reason: "no outcome has been adopted"},
		{name: "the vote tied", setup: atStageThen(StageResolution, append(slices.Clone(feedback), openVote, Step{Action: ActVote, Member: "m1", Choice: For},
			Step{Action: ActVote, Member: "m2", Choice: Against}, Step{Action: ActCloseVote})...), step: Step{Action: ActDecide}, refuse: true, reason: "no outcome has been adopted"},
		{name: "a vote still open", setup: atStageThen(StageResolution, append(slices.Clone(feedback), openVote, Step{Action: ActVote, Member: "m1", Choice: For})...),
			step: Step{Action: ActDecide}, refuse: true},

		// inform
		{name: "the reporter", setup: atStage(StageInforming), step: Step{Action: ActInform, Party: "p1"}, stage: StageInforming,
			check: func(t *testing.T, c *Case, now time.Time) { wantTime(t, "InformedAt", c.Party("p1").InformedAt, now) }},
		{name: "twice", setup: atStageThen(StageInforming, Step{Action: ActInform, Party: "p1"}), step: Step{Action: ActInform, Party: "p1"}, refuse: true, reason: "already told"},
		{name: "before the decision", setup: atStage(StageResolution), step: Step{Action: ActInform, Party: "p1"}, refuse: true},

		// schedule-follow-up
		{name: "default date", setup: atStageThen(StageInforming, Step{Action: ActInform, Party: "p1"}, Step{Action: ActInform, Party: "p2"}),
			step: Step{Action: ActScheduleFollowUp}, stage: StageFollowUp,
			check: func(t *testing.T, c *Case, now time.Time) {
				l := now.In(berlin)
				wantTime(t, "FollowUpOn", c.FollowUpOn, time.Date(l.Year(), l.Month(), l.Day()+30, 0, 0, 0, 0, berlin))
			}},
		{name: "given date", setup: atStageThen(StageInforming, Step{Action: ActInform, Party: "p1"}, Step{Action: ActInform, Party: "p2"}),
			step: Step{Action: ActScheduleFollowUp, Date: wall(berlin, 2026, time.September, 1, 0, 0)}, stage: StageFollowUp,
			check: func(t *testing.T, c *Case, _ time.Time) {
				wantTime(t, "FollowUpOn", c.FollowUpOn, wall(berlin, 2026, time.September, 1, 0, 0))
			}},
		{name: "a party untold, with the reason", setup: atStageThen(StageInforming, Step{Action: ActInform, Party: "p1"}),
			step: Step{Action: ActScheduleFollowUp, Text: "p2 left the community"}, stage: StageFollowUp},
		{name: "a party untold", setup: atStageThen(StageInforming, Step{Action: ActInform, Party: "p1"}), step: Step{Action: ActScheduleFollowUp},
			refuse: true, reason: "p2 (reported) has not been told"},

		// close
		{name: "after the follow-up", setup: atStage(StageFollowUp), step: Step{Action: ActClose}, stage: StageClosed,
			check: func(t *testing.T, c *Case, now time.Time) {
				wantTime(t, "ClosedAt", c.ClosedAt, now)
				l := now.In(berlin) // a warning is a sanction: 36 months
				wantTime(t, "ExpungeOn", c.ExpungeOn, time.Date(l.Year()+3, l.Month(), l.Day(), 0, 0, 0, 0, berlin))
			}},
		{name: "everyone told", setup: atStageThen(StageInforming, Step{Action: ActInform, Party: "p1"}, Step{Action: ActInform, Party: "p2"}),
			step: Step{Action: ActClose}, stage: StageClosed},
		{name: "a party untold", setup: atStageThen(StageInforming, Step{Action: ActInform, Party: "p2"}), step: Step{Action: ActClose},
			refuse: true, reason: "p1 (reporter) has not been told"},
		{name: "at resolution", setup: atStage(StageResolution), step: Step{Action: ActClose, Text: "x"}, refuse: true},

		// appeal
		{name: "a closed case", setup: atStage(StageClosed), step: Step{Action: ActAppeal, Text: "new evidence"}, stage: StageReview,
			check: func(t *testing.T, c *Case, now time.Time) {
				if len(c.Appeals) != 1 || c.Appeals[0].Text != "new evidence" || !c.Appeals[0].At.Equal(now) {
					t.Errorf("appeals: got %d, want one at %v with the text", len(c.Appeals), now)
				}
				for what, tm := range map[string]time.Time{"ClosedAt": c.ClosedAt, "ExpungeOn": c.ExpungeOn, "FollowUpOn": c.FollowUpOn} {
					wantTime(t, what, tm, time.Time{})
				}
				if c.Proposed != "" {
					t.Errorf("Proposed: got %q, want none", c.Proposed)
				}
			}},
		{name: "during the follow-up", setup: atStage(StageFollowUp), step: Step{Action: ActAppeal, Text: "new evidence"}, stage: StageReview},
		{name: "without a summary", setup: atStage(StageClosed), step: Step{Action: ActAppeal}, refuse: true, reason: "summarise"},
		{name: "before the follow-up", setup: atStage(StageInforming), step: Step{Action: ActAppeal, Text: "x"}, refuse: true},

		// assign
		{name: "another responder", setup: atStage(StageGathering), step: Step{Action: ActAssign, Responder: "m3"}, stage: StageGathering,
			check: func(t *testing.T, c *Case, _ time.Time) {
				if c.Responder != "m3" {
					t.Errorf("Responder: got %q, want m3", c.Responder)
				}
			}},
		{name: "hard-conflicted responder", setup: atStageThen(StageGathering, hard("m4")), step: Step{Action: ActAssign, Responder: "m4"}, refuse: true, reason: "conflict of interest"},
		{name: "former member", setup: seq(atStage(StageGathering), retire("m3")), step: Step{Action: ActAssign, Responder: "m3"}, refuse: true},
		{name: "no responder", setup: atStage(StageGathering), step: Step{Action: ActAssign}, refuse: true},
		{name: "before triage", setup: atStage(StageAcknowledged), step: Step{Action: ActAssign, Responder: "m3"}, refuse: true},

		// status-update
		{name: "to the reporter", setup: atStage(StageGathering), step: Step{Action: ActStatusUpdate, Party: "p1"}, stage: StageGathering,
			check: func(t *testing.T, c *Case, now time.Time) {
				wantTime(t, "LastUpdateAt", c.Party("p1").LastUpdateAt, now)
			}},
		{name: "party without contact", setup: atStage(StageGathering), step: Step{Action: ActStatusUpdate, Party: "p3"}, refuse: true, reason: "cannot be reached"},
		{name: "unknown party", setup: atStage(StageGathering), step: Step{Action: ActStatusUpdate, Party: "p9"}, refuse: true},
		{name: "closed case", setup: atStage(StageClosed), step: Step{Action: ActStatusUpdate, Party: "p1"}, refuse: true},
	}
}

func decidedCheck(o Outcome) func(*testing.T, *Case, time.Time) {
	return func(t *testing.T, c *Case, now time.Time) {
		t.Helper()
		if c.Outcome != o || c.Proposed != o {
			t.Errorf("outcome and proposal: got %q and %q, want %q", c.Outcome, c.Proposed, o)
		}
		wantTime(t, "DecidedAt", c.DecidedAt, now)
		if len(c.Decisions) != 1 || c.Decisions[0].Outcome != o || !c.Decisions[0].At.Equal(now) {
			t.Errorf("decisions: got %d, want one for %q at %v", len(c.Decisions), o, now)
		}
	}
}

func voteClosedCheck(adopted bool) func(*testing.T, *Case, time.Time) {
	return func(t *testing.T, c *Case, now time.Time) {
		t.Helper()
		if c.OpenVote() != nil {
			t.Fatalf("a vote is still open")
		}
		v := c.Votes[len(c.Votes)-1]
		wantTime(t, "ClosedAt", v.ClosedAt, now)
		if v.Adopted != adopted {
			t.Errorf("Adopted: got %v, want %v", v.Adopted, adopted)
		}
		wantProposed, wantDecision := Outcome(""), Outcome("")
		if adopted {
			wantProposed, wantDecision = v.Proposal, v.Proposal
		}
		if c.Proposed != wantProposed {
			t.Errorf("Proposed: got %q, want %q", c.Proposed, wantProposed)
		}
		d := c.Decisions[len(c.Decisions)-1]
		if d.VoteID != v.ID || d.Outcome != wantDecision || !d.At.Equal(now) {
			t.Errorf("decision: got %+v, want vote %s with outcome %q at %v", *d, v.ID, wantDecision, now)
		}
	}
}

// TestActions applies every action at least once where it is allowed and
// once where it is refused.
func TestActions(t *testing.T) {
	tests := actionTests()
	allowed, refused := map[Action]bool{}, map[Action]bool{}
	for _, tt := range tests {
		if tt.refuse {
			refused[tt.step.Action] = true
		} else {
			allowed[tt.step.Action] = true
		}
		t.Run(string(tt.step.Action)+"/"+tt.name, func(t *testing.T) {
			w := newWalker(t)
			if tt.setup != nil {
				tt.setup(w)
			}
			w.ctx.Now = w.ctx.Now.Add(time.Hour)
			if tt.refuse {
				na := assertRefused(t, w.c, tt.step, w.ctx)
				if tt.reason != "" && !strings.Contains(na.Reason, tt.reason) {
					t.Errorf("reason: got %q, want it to contain %q", na.Reason, tt.reason)
				}
				return
			}
			from, nHist := w.c.Stage, len(w.c.History)
			if !slices.Contains(w.c.Allowed(w.ctx), tt.step.Action) {
				t.Errorf("Allowed: got [%s], want it to offer %s", actionNames(w.c.Allowed(w.ctx)), tt.step.Action)
			}
			if err := w.c.Apply(tt.step, w.ctx); err != nil {
				t.Fatalf("Apply: got %v, want the step allowed", err)
			}
			if w.c.Stage != tt.stage {
				t.Errorf("stage: got %s, want %s", w.c.Stage, tt.stage)
			}
			if len(w.c.History) != nHist+1 {
				t.Fatalf("history: got %d events, want %d", len(w.c.History), nHist+1)
			}
			e := w.c.History[nHist]
			want := Event{At: w.ctx.Now, Member: "m1", Action: tt.step.Action, Party: tt.step.Party, Text: strings.TrimSpace(tt.step.Text), From: from, To: tt.stage}
			if !e.At.Equal(want.At) || e.Member != want.Member || e.Action != want.Action || e.Party != want.Party || e.Text != want.Text || e.From != want.From || e.To != want.To {
				t.Errorf("event: got %+v, want %+v", *e, want)
			}
			if tt.check != nil {
				tt.check(t, w.c, w.ctx.Now)
			}
		})
	}
	for _, a := range Actions() {
		if !allowed[a] {
			t.Errorf("no test applies %s where it is allowed", a)
		}
		if !refused[a] {
			t.Errorf("no test has %s refused", a)
		}
	}
}

func TestUnknownActionRefused(t *testing.T) {
	w := newWalker(t)
	assertRefused(t, w.c, Step{Action: "teleport"}, w.ctx)
	if _, err := ParseAction("teleport"); !errors.Is(err, ErrInvalid) {
		t.Errorf("ParseAction(teleport): got %v, want ErrInvalid", err)
	}
	for _, a := range Actions() {
		if got, err := ParseAction(" " + strings.ToUpper(string(a)) + " "); err != nil || got != a {
			t.Errorf("ParseAction(%q): got %q, %v; want %q", a, got, err, a)
		}
		if a.Help() == "" {
			t.Errorf("%s has no help", a)
		}
	}
}

// TestAllowedMatchesApply checks, at every stage of the vote path,
// that an action Allowed offers is not refused for the state of the case
// (only, at most, for the details of the step).
func TestAllowedMatchesApply(t *testing.T) {
	for _, stage := range Stages {
		t.Run(string(stage), func(t *testing.T) {
			w := newWalker(t).to(stage)
			allowed := w.c.Allowed(w.ctx)
			for _, a := range Actions() {
				c := clone(w.c)
				err := c.Apply(Step{Action: a}, w.ctx)
				var na *NotAllowedError
				if err != nil && !errors.As(err, &na) {
					t.Fatalf("%s: got %v, want nil or a *NotAllowedError", a, err)
				}
				// Without the details, a step may be refused; it is
				// refused for the stage only when Allowed leaves it out.
				stageRefusal := na != nil && strings.Contains(na.Reason, "the case is at the stage")
				if slices.Contains(allowed, a) && stageRefusal {
					t.Errorf("%s: offered by Allowed but refused: %s", a, na.Reason)
				}
				if !slices.Contains(allowed, a) && err == nil {
					t.Errorf("%s: not offered by Allowed but applied", a)
				}
			}
		})
	}
}

func TestWalkVotePath(t *testing.T) {
	w := newWalker(t).to(StageClosed)
	c := w.c
	var stages []Stage
	for _, e := range c.History {
		if len(stages) == 0 || stages[len(stages)-1] != e.To {
			stages = append(stages, e.To)
		}
	}
	if !slices.Equal(stages, Stages) {
		t.Errorf("stages walked: got %v, want %v", stages, Stages)
	}
	if c.Outcome != OutcomeWarning || !c.Closed() {
		t.Errorf("got outcome %q closed %v, want %q closed", c.Outcome, c.Closed(), OutcomeWarning)
	}
	if got := c.Allowed(w.ctx); !slices.Equal(got, []Action{ActAppeal}) {
		t.Errorf("allowed on a closed case: got [%s], want [appeal]", actionNames(got))
	}
	l := c.ClosedAt.In(berlin)
	wantTime(t, "ExpungeOn", c.ExpungeOn, time.Date(l.Year()+3, l.Month(), l.Day(), 0, 0, 0, 0, berlin))
}

func TestWalkAgreementPath(t *testing.T) {
	w := newWalker(t).to(StageResolution)
	w.do(Step{Action: ActConsent, Party: "p1"}, Step{Action: ActConsent, Party: "p2"})
	// The witness has not consented yet.
	assertRefused(t, w.c, Step{Action: ActRecordAgreement, Outcome: OutcomeResolvedByParties}, w.ctx)
	w.do(Step{Action: ActConsent, Party: "p3"},
		Step{Action: ActRecordAgreement, Outcome: OutcomeResolvedByParties, Text: "they talked it through"})
	if w.c.Proposed != OutcomeResolvedByParties || len(w.c.Votes) != 0 {
		t.Errorf("got proposed %q with %d votes, want %q without a vote", w.c.Proposed, len(w.c.Votes), OutcomeResolvedByParties)
	}
	w.do(Step{Action: ActRequestFeedback, Party: "p1"}, Step{Action: ActRequestFeedback, Party: "p2"}, Step{Action: ActDecide})
	w.do(Step{Action: ActInform, Party: "p1"}, Step{Action: ActInform, Party: "p2"}, Step{Action: ActClose})
	c := w.c
	if c.Stage != StageClosed || c.Outcome != OutcomeResolvedByParties {
		t.Fatalf("got stage %s outcome %q, want closed %q", c.Stage, c.Outcome, OutcomeResolvedByParties)
	}
	l := c.ClosedAt.In(berlin) // resolved by the parties upholds nothing: 12 months
	wantTime(t, "ExpungeOn", c.ExpungeOn, time.Date(l.Year()+1, l.Month(), l.Day(), 0, 0, 0, 0, berlin))
}

// TestShortPaths closes cases without hearing everyone. A reported person
// who was never contacted does not know of the case and must not be
// required to be told.
func TestShortPaths(t *testing.T) {
	tests := []struct {
		name    string
		at      Stage
		before  []Step
		step    Step
		outcome Outcome
		untold  []string // parties that must be told before closing
	}{
		{"out of scope", StageAcknowledged, nil, Step{Action: ActCloseOutOfScope, Text: "happened on a private server"}, OutcomeOutOfScope, []string{"p1"}},
		{"record only", StageAcknowledged, nil, Step{Action: ActCloseRecordOnly}, OutcomeRecordOnly, []string{"p1"}},
		{"bad faith", StageGathering, []Step{{Action: ActContact, Party: "p2"}}, Step{Action: ActDeclineBadFaith, Text: "retaliation for a ban"}, OutcomeBadFaith, []string{"p1", "p2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWalker(t).to(tt.at)
			w.do(tt.before...)
			w.do(tt.step)
			if w.c.Stage != StageInforming || w.c.Outcome != tt.outcome {
				t.Fatalf("got stage %s outcome %q, want informing %q", w.c.Stage, w.c.Outcome, tt.outcome)
			}
			for i, id := range tt.untold {
				w.ctx.Now = w.ctx.Now.Add(time.Hour)
				na := assertRefused(t, w.c, Step{Action: ActClose}, w.ctx)
				if !strings.Contains(na.Reason, id) {
					t.Errorf("reason: got %q, want it to name %s", na.Reason, id)
				}
				w.do(Step{Action: ActInform, Party: tt.untold[i]})
			}
			w.do(Step{Action: ActClose})
			if !w.c.Closed() {
				t.Fatalf("got stage %s, want closed", w.c.Stage)
			}
			l := w.c.ClosedAt.In(berlin)
			wantTime(t, "ExpungeOn", w.c.ExpungeOn, time.Date(l.Year()+1, l.Month(), l.Day(), 0, 0, 0, 0, berlin))
			if w.c.Party("p3").InformedAt != (time.Time{}) {
				t.Errorf("the witness without contact was recorded as told")
			}
		})
	}
}

// TestAppealReopens takes a closed case back to review and through a
// second decision.
func TestAppealReopens(t *testing.T) {
	w := newWalker(t).to(StageClosed)
	w.do(Step{Action: ActAppeal, Text: "the reported person says the links were misread"})
	if w.c.Stage != StageReview || w.c.Closed() {
		t.Fatalf("got stage %s, want review", w.c.Stage)
	}
	if got := w.c.EnteredStageAt(); !got.Equal(w.ctx.Now) {
		t.Errorf("EnteredStageAt: got %v, want the appeal at %v", got, w.ctx.Now)
	}
	w.do(Step{Action: ActConcludeReview},
		Step{Action: ActOpenVote, Outcome: OutcomeNoViolation},
		Step{Action: ActVote, Member: "m1", Choice: For}, Step{Action: ActVote, Member: "m2", Choice: For},
		Step{Action: ActCloseVote}, Step{Action: ActDecide, Text: "feedback was asked during the appeal hearing"})
	if w.c.Outcome != OutcomeNoViolation || w.c.Stage != StageInforming {
		t.Fatalf("got outcome %q at %s, want %q at informing", w.c.Outcome, w.c.Stage, OutcomeNoViolation)
	}
	if len(w.c.Votes) != 2 || len(w.c.Appeals) != 1 {
		t.Errorf("got %d votes and %d appeals, want 2 and 1", len(w.c.Votes), len(w.c.Appeals))
	}
}

// TestAppealOutcomeMustBeTold: after an appeal changes the outcome, the
// parties told the first outcome have not been told the new one. The
// workflow must not let the case close, nor the due list forget them.
func TestAppealOutcomeMustBeTold(t *testing.T) {
	w := newWalker(t).to(StageClosed)
	w.do(Step{Action: ActAppeal, Text: "new evidence"}, Step{Action: ActConcludeReview},
		Step{Action: ActOpenVote, Outcome: OutcomeNoViolation},
		Step{Action: ActVote, Member: "m1", Choice: For}, Step{Action: ActCloseVote},
		Step{Action: ActDecide, Text: "asked at the hearing"})
	w.ctx.Now = w.ctx.Now.Add(time.Hour)
	if err := clone(w.c).Apply(Step{Action: ActClose}, w.ctx); err == nil {
		t.Errorf("close right after the appeal's decision: got allowed, want refused until p1 and p2 are told the new outcome")
	}
	if err := clone(w.c).Apply(Step{Action: ActInform, Party: "p1"}, w.ctx); err != nil {
		t.Errorf("inform p1 of the new outcome: got %v, want allowed", err)
	}
	var informs int
	for _, it := range Due([]*Case{w.c}, nil, w.ctx, w.ctx.Now) {
		if it.Kind == DueInform {
			informs++
		}
	}
	if informs != 2 {
		t.Errorf("inform items after the appeal's decision: got %d, want 2 (p1 and p2)", informs)
	}
}

// TestExpungeDate: 12 months after closing for an outcome that upholds
// nothing, 36 for a sanction, at the start of the day in the committee's
// zone, whatever zone the clock reports in.
func TestExpungeDate(t *testing.T) {
	tests := []struct {
		outcome Outcome
		closed  time.Time
		want    time.Time
	}{
		{OutcomeNoViolation, wall(berlin, 2026, time.June, 10, 0, 30), wall(berlin, 2027, time.June, 10, 0, 0)},
		{OutcomeNoViolation, time.Date(2026, time.June, 9, 22, 30, 0, 0, time.UTC), wall(berlin, 2027, time.June, 10, 0, 0)}, // 00:30 in Berlin
		{OutcomeRecordOnly, wall(berlin, 2026, time.March, 28, 23, 30), wall(berlin, 2027, time.March, 28, 0, 0)},
		{OutcomeMediatedAgreement, wall(berlin, 2026, time.October, 24, 10, 0), wall(berlin, 2027, time.October, 24, 0, 0)},
		{OutcomeWarning, wall(berlin, 2026, time.June, 10, 0, 30), wall(berlin, 2029, time.June, 10, 0, 0)},
		{OutcomePermanentBan, time.Date(2026, time.December, 31, 23, 30, 0, 0, time.UTC), wall(berlin, 2030, time.January, 1, 0, 0)},
		{OutcomeTemporarySuspend, wall(berlin, 2026, time.July, 1, 12, 0), wall(berlin, 2029, time.July, 1, 0, 0)},
	}
	for _, tt := range tests {
		t.Run(string(tt.outcome)+"/"+tt.closed.Format(time.RFC3339), func(t *testing.T) {
			w := newWalker(t)
			w.c.Stage, w.c.Outcome, w.c.Proposed = StageFollowUp, tt.outcome, tt.outcome
			w.doAt(tt.closed, Step{Action: ActClose})
			wantTime(t, "ExpungeOn", w.c.ExpungeOn, tt.want)
		})
	}
}

func TestVoteTally(t *testing.T) {
	tests := []struct {
		name    string
		ballots map[string]Choice
		adopted bool
	}{
		{"majority for", map[string]Choice{"m1": For, "m2": For, "m3": Against}, true},
		{"tie", map[string]Choice{"m1": For, "m2": Against}, false},
		{"tie with abstention", map[string]Choice{"m1": For, "m2": Against, "m3": Abstain}, false},
		{"one for, the rest abstain", map[string]Choice{"m1": For, "m2": Abstain, "m3": Abstain}, true},
		{"all abstain", map[string]Choice{"m1": Abstain, "m2": Abstain}, false},
		{"majority against", map[string]Choice{"m1": Against, "m2": Against, "m3": For}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWalker(t).to(StageResolution)
			w.do(Step{Action: ActOpenVote, Outcome: OutcomeApology})
			for _, m := range []string{"m1", "m2", "m3"} {
				if ch, ok := tt.ballots[m]; ok {
					w.do(Step{Action: ActVote, Member: m, Choice: ch})
				}
			}
			w.do(Step{Action: ActCloseVote})
			voteClosedCheck(tt.adopted)(t, w.c, w.ctx.Now)
		})
	}
}

// TestVoteChangesBallot: voting again replaces a member's ballot, so a
// member counts once.
func TestVoteChangesBallot(t *testing.T) {
	w := newWalker(t).to(StageResolution)
	w.do(Step{Action: ActOpenVote, Outcome: OutcomeApology}, Step{Action: ActVote, Choice: For}, Step{Action: ActVote, Choice: Against})
	if f, a, n := w.c.OpenVote().Tally(); f != 0 || a != 1 || n != 0 {
		t.Errorf("tally: got %d for %d against %d abstaining, want 0 1 0", f, a, n)
	}
}

// TestFormerMemberCannotVote: a member who left the committee may not
// see the case (Readers) and must not vote on it.
func TestFormerMemberCannotVote(t *testing.T) {
	w := newWalker(t).to(StageResolution)
	w.do(Step{Action: ActOpenVote, Outcome: OutcomeWarning})
	w.ctx.Roster.Member("m3").Active = false
	w.ctx.Now = w.ctx.Now.Add(time.Hour)
	before := mustJSON(t, w.c)
	err := w.c.Apply(Step{Action: ActVote, Member: "m3", Choice: For}, w.ctx)
	if !errors.Is(err, ErrNotAllowed) {
		t.Errorf("vote by former member m3: got %v, want ErrNotAllowed", err)
	}
	if after := mustJSON(t, w.c); after != before {
		t.Errorf("the former member's ballot was counted: got ballots %v, want none", w.c.OpenVote().Ballots)
	}
}

// TestConflictedMemberShutOut: a member with a hard conflict, using the
// vault, can take no step and is offered none.
func TestConflictedMemberShutOut(t *testing.T) {
	for _, stage := range Stages {
		t.Run(string(stage), func(t *testing.T) {
			w := newWalker(t).do(Step{Action: ActDeclareConflict, Member: "m4", Kind: HardConflict, Text: "a friend"}).to(stage)
			w.ctx.Member = "m4"
			w.ctx.Now = w.ctx.Now.Add(time.Hour)
			if got := w.c.Allowed(w.ctx); len(got) != 0 {
				t.Errorf("Allowed for m4: got [%s], want none", actionNames(got))
			}
			for _, a := range Actions() {
				s := Step{Action: a, Party: "p2", Member: "m4", Responder: "m2", Outcome: OutcomeWarning,
					Choice: For, Kind: SoftConflict, Text: "because", Date: w.ctx.Now.AddDate(0, 1, 0)}
				na := assertRefused(t, w.c, s, w.ctx)
				if !strings.Contains(na.Reason, "conflict of interest") {
					t.Errorf("%s: reason %q, want it to say conflict of interest", a, na.Reason)
				}
			}
			// Another member still has the actions of the stage.
			w.ctx.Member = "m1"
			if stage != StageClosed && len(w.c.Allowed(w.ctx)) == 0 {
				t.Errorf("Allowed for m1: got none, want the stage's actions")
			}
		})
	}
}

// TestSoftConflictDoesNotExclude: a soft conflict is recorded, and the
// member acts as anyone else.
func TestSoftConflictDoesNotExclude(t *testing.T) {
	w := newWalker(t).do(Step{Action: ActDeclareConflict, Member: "m3", Kind: SoftConflict, Text: "same meetup"}).to(StageResolution)
	if w.c.Excluded("m3") {
		t.Fatalf("Excluded(m3): got true, want false")
	}
	m1 := w.c.Allowed(w.ctx)
	w.ctx.Member = "m3"
	if got := w.c.Allowed(w.ctx); !slices.Equal(got, m1) {
		t.Errorf("Allowed for m3: got [%s], want as for m1 [%s]", actionNames(got), actionNames(m1))
	}
	w.do(Step{Action: ActAssign, Responder: "m3"}, Step{Action: ActOpenVote, Outcome: OutcomeApology}, Step{Action: ActVote, Choice: For})
	if w.c.Responder != "m3" || w.c.OpenVote().Ballots["m3"] != For {
		t.Errorf("got responder %q ballots %v, want m3 responding and voting", w.c.Responder, w.c.OpenVote().Ballots)
	}
	readers := w.ctx.Roster.Readers(w.c)
	if !slices.ContainsFunc(readers, func(m *Member) bool { return m.ID == "m3" }) {
		t.Errorf("Readers: m3 missing; a soft conflict must not hide the case")
	}
}

// TestHardConflictOnResponder: the responder who declares a hard conflict
// is taken off the case and can be replaced, not by themselves.
func TestHardConflictOnResponder(t *testing.T) {
	w := newWalker(t).to(StageGathering)
	w.do(Step{Action: ActDeclareConflict, Member: "m2", Kind: HardConflict, Text: "related"})
	if w.c.Responder != "" {
		t.Fatalf("Responder: got %q, want none", w.c.Responder)
	}
	w.ctx.Now = w.ctx.Now.Add(time.Hour)
	assertRefused(t, w.c, Step{Action: ActAssign, Responder: "m2"}, w.ctx)
	w.do(Step{Action: ActAssign, Responder: "m3"})
	if w.c.Responder != "m3" {
		t.Errorf("Responder: got %q, want m3", w.c.Responder)
	}
}

func TestExcludeReportedMembers(t *testing.T) {
	now := wall(berlin, 2026, time.May, 4, 9, 0)
	tests := []struct {
		name     string
		edit     func(c *Case)
		excluded []string
	}{
		{"reported member", func(c *Case) { c.Party("p2").MemberID, c.Party("p2").CommitteeMember = "m4", true }, []string{"m4"}},
		{"two reported members", func(c *Case) {
			c.Party("p2").MemberID = "m4"
			c.Parties = append(c.Parties, &Party{ID: "p4", Role: RoleReported, MemberID: "m3", CommitteeMember: true})
		}, []string{"m3", "m4"}},
		{"witness who is a member stays", func(c *Case) { c.Party("p3").MemberID = "m3" }, nil},
		{"reporter who is a member stays", func(c *Case) { c.Party("p1").MemberID = "m2" }, nil},
		{"reported non-member", func(*Case) {}, nil},
		{"already excluded by hand", func(c *Case) {
			c.Party("p2").MemberID = "m4"
			c.Conflicts = []*Conflict{{MemberID: "m4", Kind: HardConflict, Reason: "declared"}}
		}, []string{"m4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestCase(now)
			tt.edit(c)
			manual := len(c.Conflicts)
			excludeReportedMembers(c, now)
			excludeReportedMembers(c, now.Add(time.Hour)) // twice: no duplicate
			var got []string
			for _, m := range []string{"m1", "m2", "m3", "m4"} {
				if c.Excluded(m) {
					got = append(got, m)
				}
			}
			if !slices.Equal(got, tt.excluded) {
				t.Errorf("excluded: got %v, want %v", got, tt.excluded)
			}
			if want := max(manual, len(tt.excluded)); len(c.Conflicts) != want {
				t.Errorf("conflicts: got %d, want %d", len(c.Conflicts), want)
			}
			for _, k := range c.Conflicts[manual:] {
				if !k.Automatic || k.Kind != HardConflict || !k.At.Equal(now) {
					t.Errorf("automatic conflict: got %+v, want hard, automatic, at %v", *k, now)
				}
			}
		})
	}
}

func TestParseStageAndOutcome(t *testing.T) {
	for _, s := range Stages {
		if got, err := ParseStage(" " + strings.ToUpper(string(s))); err != nil || got != s {
			t.Errorf("ParseStage(%q): got %q, %v; want %q", s, got, err, s)
		}
		if s.Title() == string(s) {
			t.Errorf("stage %s has no title", s)
		}
	}
	for _, o := range Outcomes {
		if got, err := ParseOutcome(string(o)); err != nil || got != o {
			t.Errorf("ParseOutcome(%q): got %q, %v; want %q", o, got, err, o)
		}
	}
	if _, err := ParseStage("limbo"); !errors.Is(err, ErrInvalid) {
		t.Errorf("ParseStage(limbo): got %v, want ErrInvalid", err)
	}
	if _, err := ParseOutcome("public-shaming"); !errors.Is(err, ErrInvalid) {
		t.Errorf("ParseOutcome(public-shaming): got %v, want ErrInvalid", err)
	}
}
