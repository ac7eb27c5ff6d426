package app

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// Tests for findings of a review: the rules a committee relies on that an
// earlier version broke.

func TestConflictedBallotDoesNotCount(t *testing.T) {
	w := newWalker(t).to(StageResolution)
	w.do(Step{Action: ActOpenVote, Outcome: OutcomeWarning},
		Step{Action: ActVote, Member: "m3", Choice: For},
		Step{Action: ActDeclareConflict, Member: "m3", Kind: HardConflict, Text: "related to a party"},
		Step{Action: ActVote, Member: "m2", Choice: Against},
		Step{Action: ActVote, Member: "m1", Choice: For},
		Step{Action: ActCloseVote})
	v := w.c.Votes[len(w.c.Votes)-1]
	if f, a, _ := v.Tally(); v.Adopted || f != 1 || a != 1 {
		t.Fatalf("vote: got %d for, %d against, adopted %v; want 1–1, not adopted", f, a, v.Adopted)
	}
}

func TestDecideWaitsForOpenVote(t *testing.T) {
	w := newWalker(t).to(StageResolution)
	w.do(Step{Action: ActRequestFeedback, Party: "p1"}, Step{Action: ActRequestFeedback, Party: "p2"},
		Step{Action: ActOpenVote, Outcome: OutcomeWarning}, Step{Action: ActVote, Choice: For}, Step{Action: ActCloseVote},
		Step{Action: ActOpenVote, Outcome: OutcomePermanentBan})
	na := assertRefused(t, w.c, Step{Action: ActDecide}, w.ctx)
	if na.Reason != "a vote is still open; close it first" {
		t.Fatalf("reason: got %q", na.Reason)
	}
}

func TestDueKeepsStalledCasesVisible(t *testing.T) {
	cfg := testConfig()
	t.Run("gathering with a party who never answers", func(t *testing.T) {
		w := newWalker(t).to(StageGathering)
		w.do(Step{Action: ActContact, Party: "p2"}, Step{Action: ActContact, Party: "p3"}, Step{Action: ActResponded, Party: "p3"})
		items := Due([]*Case{w.c}, nil, w.ctx, w.ctx.Now.Add(20*24*time.Hour))
		if len(findDueKind(items, DueReview)) != 1 {
			t.Fatalf("due after 20 days of silence: got %s, want one item to chase or start the review", describeDue(items))
		}
	})
	t.Run("informing with every party told", func(t *testing.T) {
		w := newWalker(t).to(StageInforming)
		w.do(Step{Action: ActInform, Party: "p1"}, Step{Action: ActInform, Party: "p2"})
		items := Due([]*Case{w.c}, nil, w.ctx, cfg.addDays(w.ctx.Now, 30))
		got := findDueKind(items, DueFollowUp)
		if len(got) != 1 || got[0].Action != ActScheduleFollowUp {
			t.Fatalf("due: got %s, want a follow-up or close item", describeDue(items))
		}
	})
}

func TestExcludedMemberSeesNothing(t *testing.T) {
	e := newStoreEnv(t)
	c := e.newCase(t, testIntake(wall(berlin, 2026, time.November, 1, 20, 0)))
	other := e.newCase(t, testIntake(wall(berlin, 2026, time.November, 2, 20, 0)))
	// Build the index, then touch the case to hide so that it ranks first.
	if res, err := e.s.Search("insults", 0); err != nil || len(res) != 2 {
		t.Fatalf("search before: got %d results, %v", len(res), err)
	}
	if _, err := e.s.AddNote(c.Code, "more insults reported", Visibility{}); err != nil {
		t.Fatal(err)
	}
	if res, _ := e.s.Search("insults", 1); len(res) != 1 || res[0].Code != c.Code {
		t.Fatalf("setting up: got %+v, want %s ranked first", res, c.Code)
	}
	if _, err := e.s.DeclareConflict(c.Code, "m2", HardConflict, "a close friend"); err != nil {
		t.Fatal(err)
	}
	if err := e.s.UpdateRoster(func(r *Roster) error { r.Me = "m2"; return nil }); err != nil {
		t.Fatal(err)
	}
	writes := map[string]func() error{
		"note": func() error { _, err := e.s.AddNote(c.Code, "x", Visibility{}); return err },
		"message": func() error {
			_, err := e.s.AddMessage(c.Code, Message{PartyID: "p1", Direction: In, Text: "x"})
			return err
		},
		"evidence": func() error { _, err := e.s.AddEvidence(c.Code, "", "x", Visibility{}); return err },
		"check":    func() error { _, err := e.s.AddCheck(c.Code, "x", ""); return err },
		"read":     func() error { _, err := e.s.Case(c.Code); return err },
		"messages": func() error { _, err := e.s.Messages(c.Code); return err },
	}
	for name, f := range writes {
		if err := f(); !errors.Is(err, ErrExcluded) {
			t.Errorf("%s: got %v, want ErrExcluded", name, err)
		}
	}
	for _, s := range e.s.List("") {
		if s.ID == c.ID {
			t.Errorf("List shows the case the member is shut out of")
		}
	}
	// Only that it must be sent on (no other member has it), in a
	// sentence of nothing from the case.
	sendOn := 0
	for _, it := range e.s.Due(wall(berlin, 2026, time.November, 3, 9, 0)) {
		if it.CaseID != c.ID {
			continue
		}
		if it.Kind != DueSendOn || it.PartyID != "" || it.Action != "" || len(it.Related) > 0 || strings.Contains(it.Text, "insult") {
			t.Errorf("Due shows work on the case the member is shut out of: %s", it.Text)
		}
		sendOn++
	}
	if sendOn != 1 {
		t.Errorf("Due lists the case to send on %d times, want once", sendOn)
	}
	if _, err := e.s.Case(other.Code); err != nil {
		t.Errorf("the other case: %v", err)
	}
	// Both cases match; the hidden one must neither show nor take the
	// only place a limit of one leaves.
	res, err := e.s.Search("insults", 1)
	if err != nil || len(res) != 1 || res[0].Code != other.Code {
		t.Fatalf("search with limit 1: got %+v, %v; want only %s", res, err, other.Code)
	}
}

func TestImportNeverReplacesACase(t *testing.T) {
	e := newStoreEnv(t)
	cases, msgs := importCases(2, wall(berlin, 2026, time.September, 1, 9, 0))
	if _, err := e.s.Import(cases, msgs); err != nil {
		t.Fatal(err)
	}
	codes, err := e.s.Import(cases, msgs) // the same IDs again
	if err != nil {
		t.Fatal(err)
	}
	if got := len(e.s.List("")); got != 4 {
		t.Fatalf("after importing the same cases twice: got %d cases, want 4", got)
	}
	for _, code := range codes {
		if ms, err := e.s.Messages(code); err != nil || len(ms) != 2 {
			t.Errorf("messages of %s: got %d, %v; want 2", code, len(ms), err)
		}
	}
}
