package app

import (
	"slices"
	"strings"
	"testing"
)

func TestChecklistSaysWhyAnActionWaits(t *testing.T) {
	e := newStoreEnv(t)
	c := e.newCase(t, testIntake(e.clock.Now()))
	ctx := e.s.Context()
	list := c.Checklist(ctx)
	state := map[Action]ActionState{}
	for _, st := range list {
		state[st.Action] = st
	}
	// Allowed is exactly the ready part of the checklist.
	var ready []Action
	for _, st := range list {
		if st.Ready {
			ready = append(ready, st.Action)
		}
	}
	if allowed := c.Allowed(ctx); !slices.Equal(ready, allowed) {
		t.Errorf("ready %v, allowed %v", ready, allowed)
	}
	if st, ok := state[ActCheckDanger]; !ok || st.Ready || st.Why != "the report is not marked urgent" {
		t.Errorf("check-danger: %+v", st)
	}
	if st := state[ActCheckConflicts]; !st.Ready || st.Why != "" {
		t.Errorf("check-conflicts: %+v", st)
	}
	if st := state[ActAcknowledge]; st.Ready || !strings.Contains(st.Why, "conflicts of interest first") {
		t.Errorf("acknowledge: %+v", st)
	}
	if _, ok := state[ActClose]; ok {
		t.Error("close is offered at the received stage")
	}
	// The reason is the one Apply gives.
	err := c.Apply(Step{Action: ActCheckDanger}, ctx)
	if err == nil || !strings.Contains(err.Error(), state[ActCheckDanger].Why) {
		t.Errorf("Apply: %v", err)
	}
}

func TestChecklistOfAnExcludedMember(t *testing.T) {
	e := newStoreEnv(t)
	c := e.newCase(t, testIntake(e.clock.Now()))
	ctx := e.s.Context()
	c.Conflicts = append(c.Conflicts, &Conflict{MemberID: ctx.Member, Kind: HardConflict})
	for _, st := range c.Checklist(ctx) {
		if st.Ready || !strings.Contains(st.Why, "conflict of interest") {
			t.Fatalf("%s: %+v", st.Action, st)
		}
	}
}

func TestActionFields(t *testing.T) {
	for _, tc := range []struct {
		a    Action
		want []StepField
		text bool
	}{
		{ActTriage, []StepField{FieldAssessment, FieldResponder, FieldText}, false},
		{ActVote, []StepField{FieldMember, FieldChoice, FieldText}, false},
		{ActAcknowledge, []StepField{FieldText}, false},
		{ActCloseOutOfScope, []StepField{FieldText}, true},
		{ActScheduleFollowUp, []StepField{FieldDate, FieldText}, false},
	} {
		if got := tc.a.Fields(); !slices.Equal(got, tc.want) {
			t.Errorf("%s.Fields() = %v, want %v", tc.a, got, tc.want)
		}
		if _, req := tc.a.TextLabel(); req != tc.text {
			t.Errorf("%s text required = %v", tc.a, req)
		}
	}
	if got := ActDeclinedToRespond.Title(); got != "Declined to respond" {
		t.Errorf("Title = %q", got)
	}
	// Every action that takes a party, member or responder says so in its
	// help, so the command line and the window agree.
	for _, a := range Actions() {
		for _, f := range a.Fields() {
			flag := "--" + string(f)
			if f == FieldText || f == FieldAssessment {
				continue
			}
			if a == ActVote && f == FieldMember {
				continue
			}
			if !strings.Contains(a.Help(), flag) {
				t.Errorf("%s takes %s but its help does not mention %s", a, f, flag)
			}
		}
	}
}
