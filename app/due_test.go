package app

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// findDue returns the items of a kind for a party ("" for none).
func findDue(items []DueItem, kind DueKind, party string) []DueItem {
	var out []DueItem
	for _, it := range items {
		if it.Kind == kind && it.PartyID == party {
			out = append(out, it)
		}
	}
	return out
}

// oneDue returns the one item of a kind for a party, failing the test
// unless there is exactly one.
func oneDue(t *testing.T, items []DueItem, kind DueKind, party string) DueItem {
	t.Helper()
	got := findDue(items, kind, party)
	if len(got) != 1 {
		t.Fatalf("%s items for %q: got %d, want 1; the list: %s", kind, party, len(got), describeDue(items))
	}
	return got[0]
}

func noDue(t *testing.T, items []DueItem, kind DueKind) {
	t.Helper()
	for _, it := range items {
		if it.Kind == kind {
			t.Errorf("got a %s item (party %q, due %v), want none", kind, it.PartyID, it.Due)
		}
	}
}

func describeDue(items []DueItem) string {
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = fmt.Sprintf("%s/%s/%s@%s overdue=%v", it.Code, it.Kind, it.PartyID, it.Due.Format(time.RFC3339), it.Overdue)
	}
	return "[" + strings.Join(parts, "; ") + "]"
}

func kinds(items []DueItem) []DueKind {
	out := make([]DueKind, len(items))
	for i, it := range items {
		out[i] = it.Kind
	}
	return out
}

func TestDueNewReport(t *testing.T) {
	ackDue := wall(berlin, 2026, time.May, 7, 9, 0) // 72 hours after Monday 09:00
	tests := []struct {
		name        string
		edit        func(w *walker)
		asOf        time.Time
		want        []DueKind
		ackAction   Action
		ackParty    string
		ackOverdue  bool
		dangerLate  bool
		checkUrgent func(t *testing.T, items []DueItem)
	}{
		{name: "the same day", asOf: wall(berlin, 2026, time.May, 4, 12, 0),
			want: []DueKind{DueDanger, DueConflicts, DueAcknowledge}, ackAction: ActAcknowledge, ackParty: "p1"},
		{name: "the evening of the deadline", asOf: wall(berlin, 2026, time.May, 7, 20, 0),
			want: []DueKind{DueDanger, DueConflicts, DueAcknowledge}, ackAction: ActAcknowledge, ackParty: "p1", dangerLate: true},
		{name: "the day after the deadline", asOf: wall(berlin, 2026, time.May, 8, 8, 0),
			want: []DueKind{DueDanger, DueConflicts, DueAcknowledge}, ackAction: ActAcknowledge, ackParty: "p1", ackOverdue: true, dangerLate: true},
		{name: "not urgent", edit: func(w *walker) { w.c.Urgent = false }, asOf: wall(berlin, 2026, time.May, 4, 12, 0),
			want: []DueKind{DueConflicts, DueAcknowledge}, ackAction: ActAcknowledge, ackParty: "p1"},
		{name: "danger checked", edit: func(w *walker) { w.do(Step{Action: ActCheckDanger}) }, asOf: wall(berlin, 2026, time.May, 4, 12, 0),
			want: []DueKind{DueConflicts, DueAcknowledge}, ackAction: ActAcknowledge, ackParty: "p1"},
		{name: "conflicts checked", edit: func(w *walker) { w.do(Step{Action: ActCheckDanger}, Step{Action: ActCheckConflicts}) },
			asOf: wall(berlin, 2026, time.May, 4, 12, 0), want: []DueKind{DueAcknowledge}, ackAction: ActAcknowledge, ackParty: "p1"},
		{name: "reporter cannot be reached", edit: func(w *walker) { w.c.Party("p1").Contact = "" }, asOf: wall(berlin, 2026, time.May, 4, 12, 0),
			want: []DueKind{DueDanger, DueConflicts, DueAcknowledge}, ackAction: ActSkipAcknowledge, ackParty: ""},
		{name: "urgent action taken", edit: func(w *walker) {
			w.doAt(wall(berlin, 2026, time.May, 4, 10, 0), Step{Action: ActUrgentAction, Text: "muted"})
		},
			asOf: wall(berlin, 2026, time.May, 5, 9, 0), want: []DueKind{DueUrgentReport, DueConflicts, DueAcknowledge}, ackAction: ActAcknowledge, ackParty: "p1",
			checkUrgent: func(t *testing.T, items []DueItem) {
				it := oneDue(t, items, DueUrgentReport, "")
				wantTime(t, "urgent report due", it.Due, wall(berlin, 2026, time.May, 5, 10, 0))
				if it.Overdue || it.Action != ActReportUrgent {
					t.Errorf("urgent report: got overdue %v action %s, want false %s", it.Overdue, it.Action, ActReportUrgent)
				}
			}},
		{name: "urgent action not reported for two days", edit: func(w *walker) {
			w.doAt(wall(berlin, 2026, time.May, 4, 10, 0), Step{Action: ActUrgentAction, Text: "muted"})
		}, asOf: wall(berlin, 2026, time.May, 6, 9, 0), want: []DueKind{DueUrgentReport, DueConflicts, DueAcknowledge}, ackAction: ActAcknowledge, ackParty: "p1",
			checkUrgent: func(t *testing.T, items []DueItem) {
				if it := oneDue(t, items, DueUrgentReport, ""); !it.Overdue {
					t.Errorf("urgent report a day late: got overdue false, want true")
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWalker(t)
			w.c.Urgent = true
			if tt.edit != nil {
				tt.edit(w)
			}
			items := Due([]*Case{w.c}, nil, w.ctx, tt.asOf)
			if got := kinds(items); !slices.Equal(got, tt.want) {
				t.Fatalf("kinds: got %v, want %v; %s", got, tt.want, describeDue(items))
			}
			ack := oneDue(t, items, DueAcknowledge, tt.ackParty)
			wantTime(t, "acknowledgement due", ack.Due, ackDue)
			if got := ack.Due.Sub(w.c.Received); got != 72*time.Hour {
				t.Errorf("acknowledgement due after: got %v, want 72h", got)
			}
			if ack.Action != tt.ackAction || ack.Overdue != tt.ackOverdue {
				t.Errorf("acknowledgement: got action %s overdue %v, want %s %v", ack.Action, ack.Overdue, tt.ackAction, tt.ackOverdue)
			}
			if ack.CaseID != w.c.ID || ack.Code != w.c.Code {
				t.Errorf("acknowledgement names case %s %s, want %s %s", ack.CaseID, ack.Code, w.c.ID, w.c.Code)
			}
			if slices.Contains(tt.want, DueConflicts) {
				k := oneDue(t, items, DueConflicts, "")
				wantTime(t, "conflict check due", k.Due, ackDue)
				if k.Action != ActCheckConflicts {
					t.Errorf("conflict check action: got %s, want %s", k.Action, ActCheckConflicts)
				}
			}
			if slices.Contains(tt.want, DueDanger) {
				d := oneDue(t, items, DueDanger, "")
				wantTime(t, "danger check due", d.Due, w.c.Received)
				if d.Overdue != tt.dangerLate || d.Action != ActCheckDanger {
					t.Errorf("danger check: got overdue %v action %s, want %v %s", d.Overdue, d.Action, tt.dangerLate, ActCheckDanger)
				}
			}
			if tt.checkUrgent != nil {
				tt.checkUrgent(t, items)
			}
			for _, it := range items {
				for _, p := range w.c.Parties {
					if strings.Contains(it.Text, p.Name) || (p.Contact != "" && strings.Contains(it.Text, p.Contact)) {
						t.Errorf("item text %q names a party", it.Text)
					}
				}
			}
		})
	}
}

func TestDueTriageAtNextMeeting(t *testing.T) {
	tests := []struct {
		acked, want time.Time
	}{
		{wall(berlin, 2026, time.May, 4, 10, 0), wall(berlin, 2026, time.May, 6, 18, 0)},   // Monday → Wednesday
		{wall(berlin, 2026, time.May, 6, 17, 59), wall(berlin, 2026, time.May, 6, 18, 0)},  // just before the meeting
		{wall(berlin, 2026, time.May, 6, 18, 0), wall(berlin, 2026, time.May, 6, 18, 0)},   // at the meeting
		{wall(berlin, 2026, time.May, 6, 18, 1), wall(berlin, 2026, time.May, 13, 18, 0)},  // just after
		{wall(berlin, 2026, time.May, 9, 23, 59), wall(berlin, 2026, time.May, 13, 18, 0)}, // Saturday night
	}
	for _, tt := range tests {
		t.Run(tt.acked.Format("Mon 15:04"), func(t *testing.T) {
			w := newWalker(t)
			w.c.Received = tt.acked.Add(-2 * time.Hour)
			w.c.History[0].At = w.c.Received
			w.doAt(tt.acked, Step{Action: ActCheckConflicts}, Step{Action: ActAcknowledge})
			items := Due([]*Case{w.c}, nil, w.ctx, tt.acked)
			it := oneDue(t, items, DueTriage, "")
			wantTime(t, "triage due", it.Due, tt.want)
			if it.Action != ActTriage || it.Overdue {
				t.Errorf("triage: got action %s overdue %v, want %s false", it.Action, it.Overdue, ActTriage)
			}
			noDue(t, items, DueAcknowledge)
		})
	}
}

func TestDueGathering(t *testing.T) {
	triaged := wall(berlin, 2026, time.May, 6, 19, 0)
	setup := func(t *testing.T) *walker {
		w := newWalker(t).to(StageAcknowledged)
		w.doAt(triaged, Step{Action: ActTriage, Responder: "m2"})
		return w
	}
	outreachDue := wall(berlin, 2026, time.May, 13, 19, 0)

	t.Run("nobody contacted", func(t *testing.T) {
		w := setup(t)
		items := Due([]*Case{w.c}, nil, w.ctx, triaged)
		for _, p := range []string{"p2", "p3"} {
			it := oneDue(t, items, DueOutreach, p)
			wantTime(t, "outreach to "+p, it.Due, outreachDue)
			if it.Action != ActContact {
				t.Errorf("outreach action: got %s, want %s", it.Action, ActContact)
			}
		}
		if got := findDue(items, DueOutreach, "p1"); len(got) != 0 {
			t.Errorf("outreach to the reporter: got %d items, want none", len(got))
		}
		if it := oneDue(t, items, DueOutreach, "p2"); it.Overdue {
			t.Errorf("outreach on the day of triage: got overdue, want not")
		}
		late := Due([]*Case{w.c}, nil, w.ctx, outreachDue.AddDate(0, 0, 1))
		if it := oneDue(t, late, DueOutreach, "p2"); !it.Overdue {
			t.Errorf("outreach the day after its due date: got not overdue, want overdue")
		}
	})
	t.Run("one contacted", func(t *testing.T) {
		w := setup(t)
		w.doAt(triaged.Add(time.Hour), Step{Action: ActContact, Party: "p2"})
		items := Due([]*Case{w.c}, nil, w.ctx, triaged.Add(time.Hour))
		if got := findDue(items, DueOutreach, "p2"); len(got) != 0 {
			t.Errorf("outreach to contacted p2: got %d items, want none", len(got))
		}
		oneDue(t, items, DueOutreach, "p3")
		noDue(t, items, DueReview)
	})
	t.Run("everyone heard", func(t *testing.T) {
		w := setup(t)
		lastHeard := wall(berlin, 2026, time.May, 14, 10, 0) // Thursday
		w.doAt(triaged.Add(time.Hour), Step{Action: ActContact, Party: "p2"}, Step{Action: ActContact, Party: "p3"},
			Step{Action: ActResponded, Party: "p3"})
		w.doAt(lastHeard, Step{Action: ActDeclinedToRespond, Party: "p2"})
		items := Due([]*Case{w.c}, nil, w.ctx, lastHeard)
		noDue(t, items, DueOutreach)
		it := oneDue(t, items, DueReview, "")
		wantTime(t, "review due", it.Due, wall(berlin, 2026, time.May, 20, 18, 0))
		if it.Action != ActStartReview {
			t.Errorf("review action: got %s, want %s", it.Action, ActStartReview)
		}
	})
}

// updatesCase is a case acknowledged on Monday 4 May 10:00, triaged the
// next day, the reported person contacted on Wednesday at noon.
func updatesCase(t *testing.T) *walker {
	w := newWalker(t)
	w.doAt(wall(berlin, 2026, time.May, 4, 10, 0), Step{Action: ActCheckConflicts}, Step{Action: ActAcknowledge})
	w.doAt(wall(berlin, 2026, time.May, 5, 10, 0), Step{Action: ActTriage, Responder: "m2"})
	w.doAt(wall(berlin, 2026, time.May, 6, 12, 0), Step{Action: ActContact, Party: "p2"})
	return w
}

func TestUpdatesOwed(t *testing.T) {
	twoWeeks := wall(berlin, 2026, time.May, 18, 9, 0) // 14 days after receipt
	tests := []struct {
		name string
		edit func(w *walker)
		want map[string]time.Time
	}{
		{"first updates when the case is 14 days old", nil, map[string]time.Time{"p1": twoWeeks, "p2": twoWeeks}},
		{"a week after the last update", func(w *walker) {
			w.doAt(wall(berlin, 2026, time.May, 18, 11, 0), Step{Action: ActStatusUpdate, Party: "p1"})
		}, map[string]time.Time{"p1": wall(berlin, 2026, time.May, 25, 11, 0), "p2": twoWeeks}},
		{"a party contacted late", func(w *walker) {
			p := w.c.Party("p2")
			p.ContactedAt = wall(berlin, 2026, time.May, 20, 12, 0)
		}, map[string]time.Time{"p1": twoWeeks, "p2": wall(berlin, 2026, time.May, 27, 12, 0)}},
		{"a contacted party without contact details", func(w *walker) {
			w.doAt(wall(berlin, 2026, time.May, 7, 12, 0), Step{Action: ActContact, Party: "p3"})
		}, map[string]time.Time{"p1": twoWeeks, "p2": twoWeeks}},
		{"the reported person not contacted", func(w *walker) {
			p := w.c.Party("p2")
			p.Outreach, p.ContactedAt = NotContacted, time.Time{}
		}, map[string]time.Time{"p1": twoWeeks}},
		{"the reporter not acknowledged", func(w *walker) { w.c.AcknowledgedAt = time.Time{} }, map[string]time.Time{"p2": twoWeeks}},
		{"the outcome decided", func(w *walker) { w.c.Stage = StageInforming }, nil},
		{"following up", func(w *walker) { w.c.Stage = StageFollowUp }, nil},
		{"closed", func(w *walker) { w.c.Stage = StageClosed }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := updatesCase(t)
			if tt.edit != nil {
				tt.edit(w)
			}
			got := map[string]time.Time{}
			for _, u := range w.c.UpdatesOwed(w.ctx.Config) {
				if _, dup := got[u.PartyID]; dup {
					t.Errorf("two updates owed to %s", u.PartyID)
				}
				got[u.PartyID] = u.Due
				if u.Due.Before(wall(berlin, 2026, time.May, 18, 9, 0)) {
					t.Errorf("update to %s due %v, before the case is 14 days old", u.PartyID, u.Due)
				}
			}
			if len(got) != len(tt.want) {
				t.Errorf("updates owed: got %v, want %v", got, tt.want)
			}
			for p, want := range tt.want {
				if g, ok := got[p]; !ok || !g.Equal(want) {
					t.Errorf("update to %s: got %v (owed %v), want %v", p, g, ok, want)
				}
			}
		})
	}
}

func TestDueStatusUpdates(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(w *walker)
		asOf    time.Time
		want    map[string]bool // party → overdue
		wantDue time.Time
	}{
		{name: "ten days old: nothing within the week", asOf: wall(berlin, 2026, time.May, 10, 12, 0)},
		{name: "a week ahead", asOf: wall(berlin, 2026, time.May, 11, 0, 0), want: map[string]bool{"p1": false, "p2": false},
			wantDue: wall(berlin, 2026, time.May, 18, 9, 0)},
		{name: "on the day", asOf: wall(berlin, 2026, time.May, 18, 23, 0), want: map[string]bool{"p1": false, "p2": false},
			wantDue: wall(berlin, 2026, time.May, 18, 9, 0)},
		{name: "overdue", asOf: wall(berlin, 2026, time.May, 19, 0, 0), want: map[string]bool{"p1": true, "p2": true},
			wantDue: wall(berlin, 2026, time.May, 18, 9, 0)},
		{name: "sent", edit: func(w *walker) {
			w.doAt(wall(berlin, 2026, time.May, 18, 11, 0), Step{Action: ActStatusUpdate, Party: "p1"}, Step{Action: ActStatusUpdate, Party: "p2"})
		}, asOf: wall(berlin, 2026, time.May, 26, 8, 0), want: map[string]bool{"p1": true, "p2": true}, wantDue: wall(berlin, 2026, time.May, 25, 11, 0)},
		{name: "outcome decided", edit: func(w *walker) {
			w.c.Stage, w.c.Outcome, w.c.Proposed = StageInforming, OutcomeWarning, OutcomeWarning
		}, asOf: wall(berlin, 2026, time.June, 30, 8, 0)},
		{name: "closed", edit: func(w *walker) { w.c.Stage = StageClosed }, asOf: wall(berlin, 2026, time.June, 30, 8, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := updatesCase(t)
			if tt.edit != nil {
				tt.edit(w)
			}
			items := Due([]*Case{w.c}, nil, w.ctx, tt.asOf)
			got := map[string]bool{}
			for _, it := range findDueKind(items, DueStatus) {
				got[it.PartyID] = it.Overdue
				wantTime(t, "update to "+it.PartyID+" due", it.Due, tt.wantDue)
				if it.Action != ActStatusUpdate {
					t.Errorf("action: got %s, want %s", it.Action, ActStatusUpdate)
				}
			}
			if len(findDueKind(items, DueStatus)) != len(got) || !reflect.DeepEqual(got, orEmpty(tt.want)) {
				t.Errorf("status items (party → overdue): got %v, want %v; %s", got, tt.want, describeDue(items))
			}
		})
	}
}

func findDueKind(items []DueItem, kind DueKind) []DueItem {
	var out []DueItem
	for _, it := range items {
		if it.Kind == kind {
			out = append(out, it)
		}
	}
	return out
}

func orEmpty(m map[string]bool) map[string]bool {
	if m == nil {
		return map[string]bool{}
	}
	return m
}

func TestDueVote(t *testing.T) {
	opened := wall(berlin, 2026, time.June, 1, 10, 0) // Monday
	tests := []struct {
		name     string
		edit     func(w *walker)
		member   string
		wantVote bool
	}{
		{name: "not voted yet", member: "m1", wantVote: true},
		{name: "voted", edit: func(w *walker) { w.doAt(opened.Add(time.Hour), Step{Action: ActVote, Choice: Against}) }, member: "m1"},
		{name: "another member voted", edit: func(w *walker) { w.doAt(opened.Add(time.Hour), Step{Action: ActVote, Member: "m2", Choice: For}) }, member: "m1", wantVote: true},
		{name: "excluded", edit: func(w *walker) {
			w.doAt(opened.Add(time.Hour), Step{Action: ActDeclareConflict, Member: "m1", Kind: HardConflict, Text: "a relative"})
		}, member: "m1"},
		{name: "nobody uses the vault", member: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWalker(t).to(StageResolution)
			w.doAt(opened, Step{Action: ActOpenVote, Outcome: OutcomeApology})
			if tt.edit != nil {
				tt.edit(w)
			}
			w.ctx.Member = tt.member
			items := Due([]*Case{w.c}, nil, w.ctx, opened.Add(2*time.Hour))
			votes := findDue(items, DueVote, "")
			if tt.wantVote {
				if len(votes) != 1 {
					t.Fatalf("vote items: got %d, want 1; %s", len(votes), describeDue(items))
				}
				wantTime(t, "vote due", votes[0].Due, opened.AddDate(0, 0, 7))
				if votes[0].Action != ActVote {
					t.Errorf("vote action: got %s, want %s", votes[0].Action, ActVote)
				}
			} else if len(votes) != 0 {
				t.Errorf("vote items: got %d, want none", len(votes))
			}
			d := oneDue(t, items, DueDecision, "")
			wantTime(t, "close the vote", d.Due, wall(berlin, 2026, time.June, 3, 18, 0))
			if d.Action != ActCloseVote {
				t.Errorf("decision action: got %s, want %s", d.Action, ActCloseVote)
			}
		})
	}
	t.Run("no vote yet", func(t *testing.T) {
		w := newWalker(t).to(StageResolution)
		d := oneDue(t, Due([]*Case{w.c}, nil, w.ctx, w.ctx.Now), DueDecision, "")
		if d.Action != ActOpenVote {
			t.Errorf("decision action: got %s, want %s", d.Action, ActOpenVote)
		}
	})
	t.Run("adopted", func(t *testing.T) {
		w := newWalker(t).to(StageResolution)
		w.do(Step{Action: ActOpenVote, Outcome: OutcomeApology}, Step{Action: ActVote, Choice: For}, Step{Action: ActCloseVote})
		items := Due([]*Case{w.c}, nil, w.ctx, w.ctx.Now)
		noDue(t, items, DueVote)
		if d := oneDue(t, items, DueDecision, ""); d.Action != ActDecide {
			t.Errorf("decision action: got %s, want %s", d.Action, ActDecide)
		}
	})
}

func TestDueInformFollowUpExpunge(t *testing.T) {
	t.Run("inform", func(t *testing.T) {
		w := newWalker(t).to(StageInforming)
		decided := w.ctx.Now
		items := Due([]*Case{w.c}, nil, w.ctx, decided)
		for _, p := range []string{"p1", "p2"} {
			it := oneDue(t, items, DueInform, p)
			wantTime(t, "inform "+p, it.Due, decided.In(berlin).AddDate(0, 0, 7))
		}
		if got := findDue(items, DueInform, "p3"); len(got) != 0 {
			t.Errorf("inform the witness without contact: got %d items, want none", len(got))
		}
		noDue(t, items, DueStatus)
	})
	t.Run("follow-up", func(t *testing.T) {
		w := newWalker(t).to(StageFollowUp)
		on := w.c.FollowUpOn
		if on.IsZero() {
			t.Fatal("no follow-up date")
		}
		for _, tc := range []struct {
			asOf    time.Time
			present bool
			overdue bool
		}{
			{on.AddDate(0, 0, -9), false, false},
			{on.AddDate(0, 0, -7), true, false},
			{on.Add(23 * time.Hour), true, false},
			{on.AddDate(0, 0, 1), true, true},
		} {
			items := Due([]*Case{w.c}, nil, w.ctx, tc.asOf)
			got := findDue(items, DueFollowUp, "")
			if len(got) != b2i(tc.present) {
				t.Errorf("as of %v: got %d follow-up items, want %d", tc.asOf, len(got), b2i(tc.present))
				continue
			}
			if tc.present {
				wantTime(t, "follow-up due", got[0].Due, on)
				if got[0].Overdue != tc.overdue || got[0].Action != ActClose {
					t.Errorf("as of %v: got overdue %v action %s, want %v %s", tc.asOf, got[0].Overdue, got[0].Action, tc.overdue, ActClose)
				}
			}
		}
	})
	t.Run("expunge", func(t *testing.T) {
		w := newWalker(t).to(StageClosed)
		on := w.c.ExpungeOn
		for _, tc := range []struct {
			asOf    time.Time
			present bool
			overdue bool
		}{
			{w.c.ClosedAt, false, false},
			{on.AddDate(0, 0, -3), true, false},
			{on, true, false},
			{on.AddDate(0, 1, 0), true, true},
		} {
			items := Due([]*Case{w.c}, nil, w.ctx, tc.asOf)
			if len(items) != b2i(tc.present) {
				t.Errorf("as of %v: got %s, want %d expunge item", tc.asOf, describeDue(items), b2i(tc.present))
				continue
			}
			if tc.present && (items[0].Kind != DueExpunge || items[0].Overdue != tc.overdue || !items[0].Due.Equal(on)) {
				t.Errorf("as of %v: got %s, want expunge due %v overdue %v", tc.asOf, describeDue(items), on, tc.overdue)
			}
		}
	})
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestDueBrigading(t *testing.T) {
	mk := func(code string, closed bool) *Case {
		c := newTestCase(caseReceived)
		c.ID, c.Code = "id-"+code, code
		c.ConflictsChecked, c.AcknowledgedAt, c.Stage = true, caseReceived, StageAcknowledged
		c.History = append(c.History, &Event{At: caseReceived, Action: ActAcknowledge, From: StageReceived, To: StageAcknowledged})
		if closed {
			c.Stage, c.Outcome, c.ClosedAt = StageClosed, OutcomeBadFaith, caseReceived
		}
		return c
	}
	cases := []*Case{mk("amber-heron-11", false), mk("brisk-otter-22", false), mk("calm-raven-33", false), mk("deep-wren-44", true)}
	ctx := newWalker(t).ctx
	tests := []struct {
		name        string
		flag        []string
		asOf        time.Time
		wantCase    string
		wantRelated []string
		wantDue     time.Time
	}{
		{"three open", []string{"amber-heron-11", "brisk-otter-22", "calm-raven-33"}, wall(berlin, 2026, time.May, 5, 9, 0),
			"amber-heron-11", []string{"brisk-otter-22", "calm-raven-33"}, wall(berlin, 2026, time.May, 6, 18, 0)},
		{"a closed one left out", []string{"brisk-otter-22", "calm-raven-33", "deep-wren-44"}, wall(berlin, 2026, time.May, 5, 9, 0),
			"brisk-otter-22", []string{"calm-raven-33"}, wall(berlin, 2026, time.May, 6, 18, 0)},
		{"weeks later: the next meeting", []string{"amber-heron-11", "brisk-otter-22"}, wall(berlin, 2026, time.May, 21, 9, 0),
			"amber-heron-11", []string{"brisk-otter-22"}, wall(berlin, 2026, time.May, 27, 18, 0)},
		{"only one open", []string{"amber-heron-11", "deep-wren-44"}, wall(berlin, 2026, time.May, 5, 9, 0), "", nil, time.Time{}},
		{"unknown codes", []string{"amber-heron-11", "gone-case-99"}, wall(berlin, 2026, time.May, 5, 9, 0), "", nil, time.Time{}},
		{"one case", []string{"amber-heron-11"}, wall(berlin, 2026, time.May, 5, 9, 0), "", nil, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			flags := []BrigadeFlag{{Cases: tt.flag, Reasons: []string{"several reports in two days"}, Person: "Riley Reported"}}
			items := findDueKind(Due(cases, flags, ctx, tt.asOf), DueBrigade)
			if tt.wantCase == "" {
				if len(items) != 0 {
					t.Errorf("brigading items: got %s, want none", describeDue(items))
				}
				return
			}
			if len(items) != 1 {
				t.Fatalf("brigading items: got %s, want 1", describeDue(items))
			}
			it := items[0]
			if it.Code != tt.wantCase || it.CaseID != "id-"+tt.wantCase || !slices.Equal(it.Related, tt.wantRelated) {
				t.Errorf("item: got %s related %v, want %s related %v", it.Code, it.Related, tt.wantCase, tt.wantRelated)
			}
			wantTime(t, "brigading due", it.Due, tt.wantDue)
			if it.Overdue {
				t.Errorf("brigading item overdue: got true, want false (it goes to the next meeting)")
			}
			if strings.Contains(it.Text, "Riley") {
				t.Errorf("item text %q names the reported person", it.Text)
			}
		})
	}
}

// TestDueOrder: the most urgent first, then by kind.
func TestDueOrder(t *testing.T) {
	a := newWalker(t) // received: danger, conflicts, acknowledge
	a.c.Urgent = true
	b := newWalker(t).to(StageGathering) // outreach and, later, updates
	b.c.ID, b.c.Code = "c0ffee0000000002", "brisk-otter-22"
	c := newWalker(t).to(StageResolution)
	c.c.ID, c.c.Code = "c0ffee0000000003", "calm-raven-33"
	c.do(Step{Action: ActOpenVote, Outcome: OutcomeApology})
	d := newWalker(t).to(StageClosed)
	d.c.ID, d.c.Code = "c0ffee0000000004", "deep-wren-44"
	cases := []*Case{d.c, c.c, b.c, a.c}
	flags := []BrigadeFlag{{Cases: []string{a.c.Code, b.c.Code}}}
	for _, asOf := range []time.Time{caseReceived, caseReceived.AddDate(0, 0, 10), caseReceived.AddDate(0, 0, 30), caseReceived.AddDate(3, 0, 0)} {
		items := Due(cases, flags, a.ctx, asOf)
		if len(items) == 0 {
			t.Fatalf("as of %v: no items", asOf)
		}
		for i := 1; i < len(items); i++ {
			p, q := items[i-1], items[i]
			if q.Due.Before(p.Due) || (q.Due.Equal(p.Due) && dueRank[q.Kind] < dueRank[p.Kind]) {
				t.Errorf("as of %v: %s/%s due %v comes before %s/%s due %v", asOf, p.Code, p.Kind, p.Due, q.Code, q.Kind, q.Due)
			}
		}
	}
	items := Due([]*Case{a.c}, nil, a.ctx, caseReceived)
	if got, want := kinds(items), []DueKind{DueDanger, DueConflicts, DueAcknowledge}; !slices.Equal(got, want) {
		t.Errorf("kinds: got %v, want %v", got, want)
	}
}

// TestDueAcrossZones: a deadline in hours is real time, so it moves on the
// wall clock across a daylight-saving change; the weekly meeting and the
// weekly updates keep their wall-clock time.
func TestDueAcrossZones(t *testing.T) {
	tests := []struct {
		name                   string
		loc                    *time.Location
		received, wantAck      time.Time
		acked, wantMeeting     time.Time
		lastUpdate, wantUpdate time.Time
	}{
		{"Berlin, clocks go back", berlin,
			wall(berlin, 2026, time.October, 24, 10, 0), wall(berlin, 2026, time.October, 27, 9, 0),
			wall(berlin, 2026, time.October, 24, 12, 0), wall(berlin, 2026, time.October, 28, 18, 0),
			wall(berlin, 2026, time.October, 22, 10, 0), wall(berlin, 2026, time.October, 29, 10, 0)},
		{"Berlin, before the change", berlin,
			wall(berlin, 2026, time.October, 20, 10, 0), wall(berlin, 2026, time.October, 23, 10, 0),
			wall(berlin, 2026, time.October, 20, 12, 0), wall(berlin, 2026, time.October, 21, 18, 0),
			wall(berlin, 2026, time.October, 12, 10, 0), wall(berlin, 2026, time.October, 19, 10, 0)},
		{"Berlin, clocks go forward", berlin,
			wall(berlin, 2026, time.March, 28, 10, 0), wall(berlin, 2026, time.March, 31, 11, 0),
			wall(berlin, 2026, time.March, 28, 12, 0), wall(berlin, 2026, time.April, 1, 18, 0),
			wall(berlin, 2026, time.March, 26, 10, 0), wall(berlin, 2026, time.April, 2, 10, 0)},
		{"New York, clocks go back", newYork,
			wall(newYork, 2026, time.October, 31, 10, 0), wall(newYork, 2026, time.November, 3, 9, 0),
			wall(newYork, 2026, time.October, 31, 12, 0), wall(newYork, 2026, time.November, 4, 18, 0),
			wall(newYork, 2026, time.October, 29, 10, 0), wall(newYork, 2026, time.November, 5, 10, 0)},
		{"New York, clocks go forward", newYork,
			wall(newYork, 2026, time.March, 7, 10, 0), wall(newYork, 2026, time.March, 10, 11, 0),
			wall(newYork, 2026, time.March, 7, 12, 0), wall(newYork, 2026, time.March, 11, 18, 0),
			wall(newYork, 2026, time.March, 5, 10, 0), wall(newYork, 2026, time.March, 12, 10, 0)},
		{"Tokyo, no daylight saving", tokyo,
			wall(tokyo, 2026, time.October, 24, 10, 0), wall(tokyo, 2026, time.October, 27, 10, 0),
			wall(tokyo, 2026, time.October, 24, 12, 0), wall(tokyo, 2026, time.October, 28, 18, 0),
			wall(tokyo, 2026, time.October, 22, 10, 0), wall(tokyo, 2026, time.October, 29, 10, 0)},
		{"Auckland, clocks go forward", auckland,
			wall(auckland, 2026, time.September, 26, 10, 0), wall(auckland, 2026, time.September, 29, 11, 0),
			wall(auckland, 2026, time.September, 26, 12, 0), wall(auckland, 2026, time.September, 30, 18, 0),
			wall(auckland, 2026, time.September, 24, 10, 0), wall(auckland, 2026, time.October, 1, 10, 0)},
		{"Auckland, clocks go back", auckland,
			wall(auckland, 2026, time.April, 4, 10, 0), wall(auckland, 2026, time.April, 7, 9, 0),
			wall(auckland, 2026, time.April, 4, 12, 0), wall(auckland, 2026, time.April, 8, 18, 0),
			wall(auckland, 2026, time.April, 2, 10, 0), wall(auckland, 2026, time.April, 9, 10, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := newWalker(t).ctx
			ctx.Config.TimeZone = tt.loc.String()

			// The acknowledgement: 72 hours of real time.
			c := newTestCase(tt.received)
			ack := oneDue(t, Due([]*Case{c}, nil, ctx, tt.received.UTC()), DueAcknowledge, "p1")
			wantTime(t, "acknowledgement due", ack.Due, tt.wantAck)
			if got := ack.Due.Sub(tt.received); got != 72*time.Hour {
				t.Errorf("acknowledgement due after: got %v, want 72h", got)
			}
			if ack.Due.In(tt.loc).Format("15:04") != tt.wantAck.Format("15:04") {
				t.Errorf("acknowledgement wall clock: got %s, want %s", ack.Due.In(tt.loc).Format("15:04"), tt.wantAck.Format("15:04"))
			}

			// Triage at the next meeting, 18:00 on the wall clock.
			w := &walker{t: t, c: newTestCase(tt.acked.Add(-time.Hour)), ctx: ctx}
			w.doAt(tt.acked, Step{Action: ActCheckConflicts}, Step{Action: ActAcknowledge})
			tr := oneDue(t, Due([]*Case{w.c}, nil, ctx, tt.acked), DueTriage, "")
			wantTime(t, "triage due", tr.Due, tt.wantMeeting)
			if got := tr.Due.In(tt.loc).Format("Mon 15:04"); got != "Wed 18:00" {
				t.Errorf("meeting on the wall clock: got %s, want Wed 18:00", got)
			}

			// A weekly update keeps the wall-clock time of the last.
			u := newTestCase(tt.lastUpdate.AddDate(0, -1, 0))
			u.ConflictsChecked, u.AcknowledgedAt, u.Stage, u.Responder = true, u.Received.Add(time.Hour), StageGathering, "m2"
			u.History = append(u.History, &Event{At: u.AcknowledgedAt, Action: ActTriage, From: StageAcknowledged, To: StageGathering})
			u.Party("p1").LastUpdateAt = tt.lastUpdate
			st := oneDue(t, Due([]*Case{u}, nil, ctx, tt.lastUpdate), DueStatus, "p1")
			wantTime(t, "next update due", st.Due, tt.wantUpdate)
		})
	}
}

// TestDueNearMidnight: overdue means due before the start of the as-of
// day in the committee's zone, whatever zone the as-of time is given in.
func TestDueNearMidnight(t *testing.T) {
	for _, loc := range []*time.Location{berlin, newYork, tokyo, auckland} {
		t.Run(loc.String(), func(t *testing.T) {
			ctx := newWalker(t).ctx
			ctx.Config.TimeZone = loc.String()
			c := newTestCase(wall(loc, 2026, time.May, 4, 23, 30))
			due := wall(loc, 2026, time.May, 7, 23, 30)
			for _, tc := range []struct {
				asOf    time.Time
				overdue bool
			}{
				{wall(loc, 2026, time.May, 7, 0, 0), false},
				{wall(loc, 2026, time.May, 7, 23, 45), false},
				{wall(loc, 2026, time.May, 7, 23, 59), false},
				{wall(loc, 2026, time.May, 8, 0, 0), true},
				{wall(loc, 2026, time.May, 8, 0, 30), true},
			} {
				for _, asOf := range []time.Time{tc.asOf, tc.asOf.UTC(), tc.asOf.In(tokyo), tc.asOf.In(newYork)} {
					ack := oneDue(t, Due([]*Case{c}, nil, ctx, asOf), DueAcknowledge, "p1")
					wantTime(t, "acknowledgement due", ack.Due, due)
					if ack.Overdue != tc.overdue {
						t.Errorf("as of %v (%s there): got overdue %v, want %v", asOf, tc.asOf.Format("Jan 2 15:04"), ack.Overdue, tc.overdue)
					}
				}
			}
		})
	}
}

// TestDueClockBackAndForth steps the as-of date back and forth across
// deadlines, including to before the last update: no item appears twice,
// none is lost, and the list depends on the date alone.
func TestDueClockBackAndForth(t *testing.T) {
	a := newWalker(t)
	a.c.Urgent = true
	b := updatesCase(t)
	b.c.ID, b.c.Code = "c0ffee0000000002", "brisk-otter-22"
	b.doAt(wall(berlin, 2026, time.May, 25, 10, 0), Step{Action: ActStatusUpdate, Party: "p1"})
	c := newWalker(t).to(StageResolution)
	c.c.ID, c.c.Code = "c0ffee0000000003", "calm-raven-33"
	c.do(Step{Action: ActOpenVote, Outcome: OutcomeApology}, Step{Action: ActVote, Member: "m2", Choice: For})
	d := newWalker(t).to(StageFollowUp)
	d.c.ID, d.c.Code = "c0ffee0000000004", "deep-wren-44"
	e := newWalker(t).to(StageClosed)
	e.c.ID, e.c.Code = "c0ffee0000000005", "early-fox-55"
	cases := []*Case{a.c, b.c, c.c, d.c, e.c}
	flags := []BrigadeFlag{{Cases: []string{a.c.Code, b.c.Code}}}
	ctx := a.ctx

	base := caseReceived
	var steps []time.Time
	for _, off := range []time.Duration{0, 20 * 24, 3 * 24, 40 * 24, 24, 13 * 24, 14 * 24, 14*24 - 1, 21*24 + 1, 60 * 24, -5 * 24, 400 * 24, 2 * 24, 1200 * 24, 72, 71, 73} {
		steps = append(steps, base.Add(off*time.Hour))
	}
	type key struct {
		caseID string
		kind   DueKind
		party  string
	}
	seen := map[time.Time]map[key]bool{}
	for _, asOf := range steps {
		items := Due(cases, flags, ctx, asOf)
		if again := Due(cases, flags, ctx, asOf); !reflect.DeepEqual(items, again) {
			t.Errorf("as of %v: two calls disagree", asOf)
		}
		count := map[key]int{}
		for _, it := range items {
			k := key{it.CaseID, it.Kind, it.PartyID}
			count[k]++
			if count[k] > 1 {
				t.Errorf("as of %v: %s %s for %q listed %d times", asOf, it.Code, it.Kind, it.PartyID, count[k])
			}
		}
		keys := map[key]bool{}
		for k := range count {
			keys[k] = true
		}
		seen[asOf] = keys
		// Every update owed by the end of the horizon is listed.
		horizon := ctx.Config.StartOfDay(asOf.In(berlin).AddDate(0, 0, 8))
		for _, cs := range cases {
			for _, u := range cs.UpdatesOwed(ctx.Config) {
				if u.Due.Before(horizon) && !keys[key{cs.ID, DueStatus, u.PartyID}] {
					t.Errorf("as of %v: update to %s of %s due %v is missing", asOf, u.PartyID, cs.Code, u.Due)
				}
			}
		}
	}
	// Nothing listed at an earlier date is gone at a later one: the
	// cases did not change.
	for _, t1 := range steps {
		for _, t2 := range steps {
			if !t1.Before(t2) {
				continue
			}
			for k := range seen[t1] {
				if !seen[t2][k] {
					t.Errorf("%s %s for %q listed as of %v but lost as of %v", k.caseID, k.kind, k.party, t1, t2)
				}
			}
		}
	}
}

func TestEnteredStageAt(t *testing.T) {
	w := newWalker(t)
	if got := w.c.EnteredStageAt(); !got.Equal(caseReceived) {
		t.Errorf("fresh case: got %v, want receipt %v", got, caseReceived)
	}
	w.to(StageGathering)
	entered := w.ctx.Now
	w.do(Step{Action: ActContact, Party: "p2"}, Step{Action: ActStatusUpdate, Party: "p1"})
	if got := w.c.EnteredStageAt(); !got.Equal(entered) {
		t.Errorf("after steps within the stage: got %v, want the triage at %v", got, entered)
	}
}
