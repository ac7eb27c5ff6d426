package app

import "slices"

// ActionState is an action the case's stage offers: whether it can be
// taken now and, when not, why.
type ActionState struct {
	Action Action
	Ready  bool
	// Why says why the action cannot be taken now; empty when Ready.
	Why string
}

// Checklist lists the actions the case's current stage offers, in the
// order they are offered, each ready or with the reason it is not. It is
// the stage's checklist; Allowed is its ready part.
func (c *Case) Checklist(ctx Context) []ActionState {
	var out []ActionState
	var blocked string
	if ctx.Member != "" && c.Excluded(ctx.Member) {
		blocked = "you have a conflict of interest on this case"
	} else if m := ctx.Roster.Member(ctx.Member); m != nil && !m.Active {
		blocked = "you are no longer an active member of the committee"
	}
	for _, a := range actionOrder {
		d := actions[a]
		if !slices.Contains(d.stages, c.Stage) {
			continue
		}
		why := blocked
		if why == "" && d.ready != nil {
			why = d.ready(c, ctx)
		}
		out = append(out, ActionState{Action: a, Ready: why == "", Why: why})
	}
	return out
}

// StepField is a detail a step takes besides its action.
type StepField string

// The details of a step; see Step.
const (
	FieldParty      StepField = "party"
	FieldMember     StepField = "member"
	FieldResponder  StepField = "responder"
	FieldOutcome    StepField = "outcome"
	FieldChoice     StepField = "choice"
	FieldKind       StepField = "kind"
	FieldText       StepField = "text"
	FieldDate       StepField = "date"
	FieldAssessment StepField = "assessment"
)

// stepFields are the details each action takes, beyond the free text
// every step may carry.
var stepFields = map[Action][]StepField{
	ActDeclareConflict:   {FieldMember, FieldKind},
	ActTriage:            {FieldAssessment, FieldResponder},
	ActContact:           {FieldParty},
	ActResponded:         {FieldParty},
	ActDeclinedToRespond: {FieldParty},
	ActRequestFeedback:   {FieldParty},
	ActConsent:           {FieldParty},
	ActOpenVote:          {FieldOutcome},
	ActVote:              {FieldMember, FieldChoice},
	ActRecordAgreement:   {FieldOutcome},
	ActInform:            {FieldParty},
	ActScheduleFollowUp:  {FieldDate},
	ActAssign:            {FieldResponder},
	ActStatusUpdate:      {FieldParty},
}

// textRequired are the actions whose text is required: a reason, what
// was done, findings.
var textRequired = map[Action]string{
	ActUrgentAction:    "What was done",
	ActCloseOutOfScope: "Reason",
	ActDeclineBadFaith: "Reason",
	ActConcludeReview:  "Findings",
	ActAppeal:          "The appeal, in short",
}

// Fields lists the details the action takes, ending with FieldText,
// which every step may carry.
func (a Action) Fields() []StepField {
	return append(slices.Clone(stepFields[a]), FieldText)
}

// TextLabel names the action's free text: what it is for, and whether it
// is required.
func (a Action) TextLabel() (label string, required bool) {
	if l, ok := textRequired[a]; ok {
		return l, true
	}
	return "Note (optional)", false
}

// Title is the action's name for people: its name with spaces.
func (a Action) Title() string {
	b := []byte(a)
	for i, ch := range b {
		if ch == '-' {
			b[i] = ' '
		}
	}
	if len(b) > 0 && b[0] >= 'a' && b[0] <= 'z' {
		b[0] -= 'a' - 'A'
	}
	return string(b)
}
