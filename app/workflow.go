package app

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Stage is where a case stands in the committee's process.
type Stage string

// The stages, in order.
const (
	StageReceived     Stage = "received"
	StageAcknowledged Stage = "acknowledged" // waiting for triage at the weekly meeting
	StageGathering    Stage = "gathering"    // hearing every party
	StageReview       Stage = "review"
	StageResolution   Stage = "resolution"
	StageInforming    Stage = "informing" // telling each party the outcome
	StageFollowUp     Stage = "follow-up"
	StageClosed       Stage = "closed"
)

// Stages lists every stage in process order.
var Stages = []Stage{StageReceived, StageAcknowledged, StageGathering, StageReview,
	StageResolution, StageInforming, StageFollowUp, StageClosed}

var stageTitles = map[Stage]string{
	StageReceived:     "Received",
	StageAcknowledged: "Waiting for triage",
	StageGathering:    "Hearing the parties",
	StageReview:       "Review",
	StageResolution:   "Resolution",
	StageInforming:    "Telling the parties",
	StageFollowUp:     "Follow-up",
	StageClosed:       "Closed",
}

// Title is the stage's name for the committee.
func (s Stage) Title() string {
	if t, ok := stageTitles[s]; ok {
		return t
	}
	return string(s)
}

// Index is the stage's position in Stages, or -1.
func (s Stage) Index() int { return slices.Index(Stages, s) }

// ParseStage reads a stage name.
func ParseStage(s string) (Stage, error) {
	st := Stage(strings.ToLower(strings.TrimSpace(s)))
	if st.Index() < 0 {
		return "", fmt.Errorf("%w: unknown stage %q; stages are %s", ErrInvalid, s, joinStages(Stages))
	}
	return st, nil
}

func joinStages(ss []Stage) string {
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

// Outcome is how a case ended.
type Outcome string

// The outcomes a case can have.
const (
	OutcomeNoViolation       Outcome = "no-violation"
	OutcomeOutOfScope        Outcome = "out-of-scope"
	OutcomeBadFaith          Outcome = "bad-faith"
	OutcomeRecordOnly        Outcome = "record-only"
	OutcomeResolvedByParties Outcome = "resolved-by-parties"
	OutcomeMediatedAgreement Outcome = "mediated-agreement"
	OutcomeWarning           Outcome = "warning" // correction or private warning
	OutcomeApology           Outcome = "apology"
	OutcomeLimitedActivities Outcome = "limited-activities"
	OutcomeTemporarySuspend  Outcome = "temporary-suspension"
	OutcomeRemovedFromRole   Outcome = "removal-from-leadership"
	OutcomePermanentBan      Outcome = "permanent-ban"
	OutcomeEscalated         Outcome = "escalated"
)

// Outcomes lists every outcome.
var Outcomes = []Outcome{OutcomeNoViolation, OutcomeOutOfScope, OutcomeBadFaith, OutcomeRecordOnly,
	OutcomeResolvedByParties, OutcomeMediatedAgreement, OutcomeWarning, OutcomeApology,
	OutcomeLimitedActivities, OutcomeTemporarySuspend, OutcomeRemovedFromRole, OutcomePermanentBan,
	OutcomeEscalated}

var outcomeTitles = map[Outcome]string{
	OutcomeNoViolation:       "No violation found",
	OutcomeOutOfScope:        "Out of scope",
	OutcomeBadFaith:          "Declined: made in bad faith",
	OutcomeRecordOnly:        "Kept for the record only",
	OutcomeResolvedByParties: "Resolved by the parties",
	OutcomeMediatedAgreement: "Mediated agreement",
	OutcomeWarning:           "Correction or private warning",
	OutcomeApology:           "Apology",
	OutcomeLimitedActivities: "Limited activities",
	OutcomeTemporarySuspend:  "Temporary suspension",
	OutcomeRemovedFromRole:   "Removal from a leadership role",
	OutcomePermanentBan:      "Permanent ban",
	OutcomeEscalated:         "Escalated to another body",
}

// Title is the outcome in words.
func (o Outcome) Title() string {
	if t, ok := outcomeTitles[o]; ok {
		return t
	}
	return string(o)
}

// Upholds reports whether the outcome acted on the report, which keeps
// the case longer before it is expunged.
func (o Outcome) Upholds() bool {
	switch o {
	case OutcomeWarning, OutcomeApology, OutcomeLimitedActivities, OutcomeTemporarySuspend,
		OutcomeRemovedFromRole, OutcomePermanentBan, OutcomeEscalated:
		return true
	}
	return false
}

// ParseOutcome reads an outcome name.
func ParseOutcome(s string) (Outcome, error) {
	o := Outcome(strings.ToLower(strings.TrimSpace(s)))
	if !slices.Contains(Outcomes, o) {
		names := make([]string, len(Outcomes))
		for i, x := range Outcomes {
			names[i] = string(x)
		}
		return "", fmt.Errorf("%w: unknown outcome %q; outcomes are %s", ErrInvalid, s, strings.Join(names, ", "))
	}
	return o, nil
}

// Action is a step a member takes on a case.
type Action string

// The actions of the process. Receive is recorded when a case is filed.
const (
	ActReceive           Action = "receive"
	ActCheckDanger       Action = "check-danger"
	ActUrgentAction      Action = "urgent-action"
	ActReportUrgent      Action = "report-urgent-action"
	ActCheckConflicts    Action = "check-conflicts"
	ActDeclareConflict   Action = "declare-conflict"
	ActAcknowledge       Action = "acknowledge"
	ActSkipAcknowledge   Action = "skip-acknowledgement"
	ActRequestInfo       Action = "request-info"
	ActTriage            Action = "triage"
	ActCloseOutOfScope   Action = "close-out-of-scope"
	ActCloseRecordOnly   Action = "close-record-only"
	ActDeclineBadFaith   Action = "decline-bad-faith"
	ActContact           Action = "contact"
	ActResponded         Action = "responded"
	ActDeclinedToRespond Action = "declined-to-respond"
	ActStartReview       Action = "start-review"
	ActConcludeReview    Action = "conclude-review"
	ActRequestFeedback   Action = "request-feedback"
	ActConsent           Action = "consent"
	ActOpenVote          Action = "open-vote"
	ActVote              Action = "vote"
	ActCloseVote         Action = "close-vote"
	ActRecordAgreement   Action = "record-agreement"
	ActDecide            Action = "decide"
	ActInform            Action = "inform"
	ActScheduleFollowUp  Action = "schedule-follow-up"
	ActClose             Action = "close"
	ActAppeal            Action = "appeal"
	ActAssign            Action = "assign"
	ActStatusUpdate      Action = "status-update"
)

// Step is one action with its details. Which fields an action needs is
// said by its Help.
type Step struct {
	Action     Action
	Party      string       // party ID
	Member     string       // member ID: who votes, who declares a conflict
	Responder  string       // member ID, for triage and assign
	Outcome    Outcome      // for open-vote and record-agreement
	Choice     Choice       // for vote
	Kind       ConflictKind // for declare-conflict
	Text       string       // a reason, a summary, what was done
	Date       time.Time    // for schedule-follow-up
	Assessment Assessment   // for triage
}

// Context is what the process needs to know besides the case.
type Context struct {
	Now    time.Time
	Member string // the acting member's ID
	Roster *Roster
	Config Config
}

// ErrNotAllowed means an action cannot be taken now. It is wrapped in a
// *NotAllowedError that says why and names the allowed actions.
var ErrNotAllowed = errors.New("action not allowed now")

// NotAllowedError explains a refused action.
type NotAllowedError struct {
	Action  Action
	Reason  string
	Allowed []Action
}

func (e *NotAllowedError) Error() string {
	next := "none"
	if len(e.Allowed) > 0 {
		names := make([]string, len(e.Allowed))
		for i, a := range e.Allowed {
			names[i] = string(a)
		}
		next = strings.Join(names, ", ")
	}
	return fmt.Sprintf("cannot %s now: %s; allowed next: %s", e.Action, e.Reason, next)
}

// Is makes a *NotAllowedError match ErrNotAllowed.
func (e *NotAllowedError) Is(target error) bool { return target == ErrNotAllowed }

// actionDef describes one action: where it may happen, when it is ready,
// what it needs, and what it does.
type actionDef struct {
	help   string
	stages []Stage
	// ready says why the case is not ready for the action ("" when ready).
	ready func(c *Case, ctx Context) string
	// check says what is wrong with the step's details ("" when fine).
	check func(c *Case, s Step, ctx Context) string
	apply func(c *Case, s Step, ctx Context)
}

var openStages = []Stage{StageReceived, StageAcknowledged, StageGathering, StageReview,
	StageResolution, StageInforming, StageFollowUp}

// actionOrder is the order in which allowed actions are offered.
var actionOrder = []Action{
	ActCheckDanger, ActUrgentAction, ActReportUrgent, ActCheckConflicts, ActAcknowledge,
	ActSkipAcknowledge, ActTriage, ActCloseOutOfScope, ActCloseRecordOnly, ActDeclineBadFaith,
	ActContact, ActResponded, ActDeclinedToRespond, ActStartReview, ActConcludeReview,
	ActRequestFeedback, ActConsent, ActOpenVote, ActVote, ActCloseVote, ActRecordAgreement,
	ActDecide, ActInform, ActScheduleFollowUp, ActClose, ActAppeal, ActRequestInfo, ActAssign,
	ActDeclareConflict, ActStatusUpdate,
}

var actions map[Action]actionDef

func init() {
	actions = map[Action]actionDef{
		ActCheckDanger: {
			help:   "for a report marked urgent: record that nobody needs protective action now (--text: why)",
			stages: openStages,
			ready: func(c *Case, _ Context) string {
				if !c.Urgent {
					return "the report is not marked urgent"
				}
				if !c.DangerCheckedAt.IsZero() || !c.UrgentActionAt.IsZero() {
					return "the danger check is already done"
				}
				return ""
			},
			apply: func(c *Case, _ Step, ctx Context) { c.DangerCheckedAt = ctx.Now },
		},
		ActUrgentAction: {
			help:   "record urgent protective action taken (--text: what was done); report it to the group within a day",
			stages: openStages,
			check:  needText("say what was done"),
			apply: func(c *Case, _ Step, ctx Context) {
				c.UrgentActionAt, c.UrgentReportedAt = ctx.Now, time.Time{}
			},
		},
		ActReportUrgent: {
			help:   "record that urgent action was reported to the whole group",
			stages: openStages,
			ready: func(c *Case, _ Context) string {
				if c.UrgentActionAt.IsZero() || !c.UrgentReportedAt.IsZero() {
					return "no urgent action is waiting to be reported"
				}
				return ""
			},
			apply: func(c *Case, _ Step, ctx Context) { c.UrgentReportedAt = ctx.Now },
		},
		ActCheckConflicts: {
			help:   "confirm every member has declared their conflicts of interest",
			stages: []Stage{StageReceived},
			ready: func(c *Case, _ Context) string {
				if c.ConflictsChecked {
					return "conflicts of interest are already checked"
				}
				return ""
			},
			apply: func(c *Case, _ Step, _ Context) { c.ConflictsChecked = true },
		},
		ActDeclareConflict: {
			help:   "declare a member's conflict of interest (--member, --kind hard|soft, --text: reason)",
			stages: openStages,
			check: func(c *Case, s Step, ctx Context) string {
				if s.Member == "" || ctx.Roster.Member(s.Member) == nil {
					return "name a member of the committee"
				}
				if s.Kind != HardConflict && s.Kind != SoftConflict {
					return "say whether the conflict is hard (shut out of the case) or soft (declared)"
				}
				for _, k := range c.Conflicts {
					if k.MemberID == s.Member && k.Kind == s.Kind {
						return "that conflict is already declared"
					}
				}
				return ""
			},
			apply: func(c *Case, s Step, ctx Context) {
				c.Conflicts = append(c.Conflicts, &Conflict{MemberID: s.Member, Kind: s.Kind, Reason: s.Text, At: ctx.Now})
				if s.Kind == HardConflict {
					if c.Responder == s.Member {
						c.Responder = ""
					}
					if v := c.OpenVote(); v != nil {
						delete(v.Ballots, s.Member) // a conflicted member's ballot does not count
					}
				}
			},
		},
		ActAcknowledge: {
			help:   "record that the reporter was told the report arrived and who will see it",
			stages: []Stage{StageReceived},
			ready: func(c *Case, _ Context) string {
				if !c.ConflictsChecked {
					return "check conflicts of interest first, so the reporter can be told who will see the report"
				}
				if r := c.Reporter(); r == nil || r.Contact == "" {
					return "the reporter cannot be reached; use skip-acknowledgement"
				}
				return ""
			},
			apply: func(c *Case, _ Step, ctx Context) {
				c.AcknowledgedAt = ctx.Now
				c.Stage = StageAcknowledged
			},
		},
		ActSkipAcknowledge: {
			help:   "move on without an acknowledgement when the reporter cannot be reached",
			stages: []Stage{StageReceived},
			ready: func(c *Case, _ Context) string {
				if !c.ConflictsChecked {
					return "check conflicts of interest first"
				}
				if r := c.Reporter(); r != nil && r.Contact != "" {
					return "the reporter can be reached and must be acknowledged"
				}
				return ""
			},
			apply: func(c *Case, _ Step, _ Context) { c.Stage = StageAcknowledged },
		},
		ActRequestInfo: {
			help:   "record a request to the reporter for more information",
			stages: []Stage{StageReceived, StageAcknowledged, StageGathering, StageReview},
			ready: func(c *Case, _ Context) string {
				if r := c.Reporter(); r == nil || r.Contact == "" {
					return "the reporter cannot be reached"
				}
				return ""
			},
			apply: func(*Case, Step, Context) {},
		},
		ActTriage: {
			help:   "at the weekly meeting: assess scope, impact and risk, and assign a responder (--responder)",
			stages: []Stage{StageAcknowledged},
			check:  checkResponder,
			apply: func(c *Case, s Step, _ Context) {
				c.Responder = s.Responder
				c.Assessment = s.Assessment
				c.Stage = StageGathering
			},
		},
		ActCloseOutOfScope: {
			help:   "close as out of scope of the Code of Conduct (--text: reason)",
			stages: []Stage{StageAcknowledged},
			check:  needText("give the reason"),
			apply:  decideNow(OutcomeOutOfScope),
		},
		ActCloseRecordOnly: {
			help:   "keep the report for the record only, as the reporter asked",
			stages: []Stage{StageAcknowledged},
			apply:  decideNow(OutcomeRecordOnly),
		},
		ActDeclineBadFaith: {
			help:   "decline a report made in bad faith or to harass (--text: reason)",
			stages: []Stage{StageAcknowledged, StageGathering, StageReview},
			check:  needText("give the reason for declining"),
			apply:  decideNow(OutcomeBadFaith),
		},
		ActContact: {
			help:   "record that a party was contacted for their perspective (--party)",
			stages: []Stage{StageGathering},
			check: partyCheck(func(p *Party) string {
				if p.Outreach != NotContacted {
					return "that party was already contacted"
				}
				return ""
			}),
			apply: func(c *Case, s Step, ctx Context) {
				p := c.Party(s.Party)
				p.Outreach, p.ContactedAt = Contacted, ctx.Now
			},
		},
		ActResponded: {
			help:   "record that a party gave their perspective (--party)",
			stages: []Stage{StageGathering, StageReview},
			check: partyCheck(func(p *Party) string {
				if p.Outreach == Responded {
					return "that party has already responded"
				}
				return ""
			}),
			apply: func(c *Case, s Step, ctx Context) {
				p := c.Party(s.Party)
				if p.ContactedAt.IsZero() {
					p.ContactedAt = ctx.Now
				}
				p.Outreach = Responded
			},
		},
		ActDeclinedToRespond: {
			help:   "record that a party declined to respond (--party)",
			stages: []Stage{StageGathering},
			check: partyCheck(func(p *Party) string {
				if p.Outreach != Contacted {
					return "only a contacted party who has not responded can decline"
				}
				return ""
			}),
			apply: func(c *Case, s Step, _ Context) { c.Party(s.Party).Outreach = Declined },
		},
		ActStartReview: {
			help:   "review the case once every party has been heard (or --text: why not)",
			stages: []Stage{StageGathering},
			check: func(c *Case, s Step, _ Context) string {
				if unheard := c.unheard(); len(unheard) > 0 && strings.TrimSpace(s.Text) == "" {
					return fmt.Sprintf("%s not been heard; hear them or give the reason to go on without them", describeParties(unheard))
				}
				return ""
			},
			apply: func(c *Case, s Step, _ Context) {
				c.ReviewReason = s.Text
				c.Stage = StageReview
			},
		},
		ActConcludeReview: {
			help:   "conclude the review and move to a resolution (--text: findings)",
			stages: []Stage{StageReview},
			apply:  func(c *Case, _ Step, _ Context) { c.Stage = StageResolution },
		},
		ActRequestFeedback: {
			help:   "record asking a party for feedback on the proposed resolution before acting (--party)",
			stages: []Stage{StageResolution},
			check: partyCheck(func(p *Party) string {
				if p.Contact == "" {
					return "that party cannot be reached"
				}
				return ""
			}),
			apply: func(c *Case, s Step, ctx Context) { c.Party(s.Party).FeedbackAskedAt = ctx.Now },
		},
		ActConsent: {
			help:   "record a party's consent to mediation or an agreement (--party)",
			stages: []Stage{StageResolution},
			check: partyCheck(func(p *Party) string {
				if p.Consent {
					return "that party's consent is already recorded"
				}
				return ""
			}),
			apply: func(c *Case, s Step, _ Context) { c.Party(s.Party).Consent = true },
		},
		ActOpenVote: {
			help:   "open a committee vote on a proposed outcome (--outcome)",
			stages: []Stage{StageResolution},
			ready: func(c *Case, _ Context) string {
				if c.OpenVote() != nil {
					return "a vote is already open"
				}
				return ""
			},
			check: func(_ *Case, s Step, _ Context) string {
				if !slices.Contains(Outcomes, s.Outcome) {
					return "name the proposed outcome"
				}
				return ""
			},
			apply: func(c *Case, s Step, ctx Context) {
				c.Votes = append(c.Votes, &Vote{ID: c.nextID("v"), Proposal: s.Outcome, Text: s.Text,
					OpenedAt: ctx.Now, Ballots: map[string]Choice{}})
			},
		},
		ActVote: {
			help:   "cast a member's vote (--member, default you; --choice for|against|abstain)",
			stages: []Stage{StageResolution},
			ready: func(c *Case, _ Context) string {
				if c.OpenVote() == nil {
					return "no vote is open"
				}
				return ""
			},
			check: func(c *Case, s Step, ctx Context) string {
				m := s.Member
				if m == "" {
					m = ctx.Member
				}
				if m == "" || ctx.Roster.Member(m) == nil {
					return "name a member of the committee"
				}
				if !ctx.Roster.Member(m).Active {
					return "that member is no longer on the committee and cannot vote"
				}
				if c.Excluded(m) {
					return "that member has a conflict of interest on this case and cannot vote"
				}
				if s.Choice != For && s.Choice != Against && s.Choice != Abstain {
					return "choose for, against or abstain"
				}
				return ""
			},
			apply: func(c *Case, s Step, ctx Context) {
				m := s.Member
				if m == "" {
					m = ctx.Member
				}
				c.OpenVote().Ballots[m] = s.Choice
			},
		},
		ActCloseVote: {
			help:   "close the open vote and count it: adopted when more members are for than against",
			stages: []Stage{StageResolution},
			ready: func(c *Case, _ Context) string {
				v := c.OpenVote()
				if v == nil {
					return "no vote is open"
				}
				if len(v.Ballots) == 0 {
					return "nobody has voted yet"
				}
				return ""
			},
			apply: func(c *Case, s Step, ctx Context) {
				v := c.OpenVote()
				// Only ballots of active members without a conflict count.
				for m := range v.Ballots {
					if mem := ctx.Roster.Member(m); c.Excluded(m) || (mem != nil && !mem.Active) {
						delete(v.Ballots, m)
					}
				}
				v.ClosedAt = ctx.Now
				f, a, n := v.Tally()
				v.Adopted = f > a
				text := fmt.Sprintf("Vote on %q: %d for, %d against, %d abstaining — %s.",
					v.Proposal.Title(), f, a, n, map[bool]string{true: "adopted", false: "not adopted"}[v.Adopted])
				c.Decisions = append(c.Decisions, &Decision{ID: c.nextID("d"), At: ctx.Now, Text: text, VoteID: v.ID,
					Outcome: map[bool]Outcome{true: v.Proposal}[v.Adopted]})
				if v.Adopted {
					c.Proposed = v.Proposal
				}
			},
		},
		ActRecordAgreement: {
			help:   "record an agreement or mediation every party consented to (--outcome resolved-by-parties|mediated-agreement)",
			stages: []Stage{StageResolution},
			check: func(c *Case, s Step, _ Context) string {
				if s.Outcome != OutcomeResolvedByParties && s.Outcome != OutcomeMediatedAgreement {
					return "an agreement's outcome is resolved-by-parties or mediated-agreement"
				}
				var missing []*Party
				for _, p := range c.Parties {
					if !p.Consent {
						missing = append(missing, p)
					}
				}
				if len(missing) > 0 {
					return fmt.Sprintf("every party must consent, and %s not", describeParties(missing))
				}
				return ""
			},
			apply: func(c *Case, s Step, ctx Context) {
				c.Proposed = s.Outcome
				c.Decisions = append(c.Decisions, &Decision{ID: c.nextID("d"), At: ctx.Now, Outcome: s.Outcome,
					Text: strings.TrimSpace("Agreement: " + s.Outcome.Title() + ". " + s.Text)})
			},
		},
		ActDecide: {
			help:   "make the adopted or agreed outcome final, after asking the affected parties for feedback (or --text: why not)",
			stages: []Stage{StageResolution},
			ready: func(c *Case, _ Context) string {
				if c.Proposed == "" {
					return "no outcome has been adopted by a vote or agreed by the parties yet"
				}
				if c.OpenVote() != nil {
					return "a vote is still open; close it first"
				}
				return ""
			},
			check: func(c *Case, s Step, _ Context) string {
				var unasked []*Party
				for _, p := range c.Parties {
					if (p.Role == RoleReporter || p.Role == RoleReported) && p.Contact != "" && p.KnowsOfCase(c) && p.FeedbackAskedAt.IsZero() {
						unasked = append(unasked, p)
					}
				}
				if len(unasked) > 0 && strings.TrimSpace(s.Text) == "" {
					return fmt.Sprintf("%s not been asked for feedback; ask them or give the reason", describeParties(unasked))
				}
				return ""
			},
			apply: func(c *Case, _ Step, ctx Context) {
				c.Outcome, c.DecidedAt = c.Proposed, ctx.Now
				c.Stage = StageInforming
			},
		},
		ActInform: {
			help:   "record that a party was told the outcome (--party)",
			stages: []Stage{StageInforming},
			check: partyCheck(func(p *Party) string {
				if !p.InformedAt.IsZero() {
					return "that party was already told"
				}
				return ""
			}),
			apply: func(c *Case, s Step, ctx Context) { c.Party(s.Party).InformedAt = ctx.Now },
		},
		ActScheduleFollowUp: {
			help:   "set a follow-up date (--date, default in 30 days) once every party has been told",
			stages: []Stage{StageInforming},
			check:  checkInformed,
			apply: func(c *Case, s Step, ctx Context) {
				on := s.Date
				if on.IsZero() {
					on = ctx.Config.StartOfDay(ctx.Config.addDays(ctx.Now, ctx.Config.FollowUpDays))
				}
				c.FollowUpOn = on
				c.Stage = StageFollowUp
			},
		},
		ActClose: {
			help:   "close the case once every party has been told (or --text: why not); sets its expunge date",
			stages: []Stage{StageInforming, StageFollowUp},
			check: func(c *Case, s Step, ctx Context) string {
				if c.Stage == StageInforming {
					return checkInformed(c, s, ctx)
				}
				return ""
			},
			apply: func(c *Case, _ Step, ctx Context) {
				c.ClosedAt = ctx.Now
				months := ctx.Config.ExpungeMonths
				if c.Outcome.Upholds() {
					months = ctx.Config.ExpungeMonthsSanction
				}
				c.ExpungeOn = ctx.Config.StartOfDay(ctx.Now.In(ctx.Config.Location()).AddDate(0, months, 0))
				c.Stage = StageClosed
			},
		},
		ActAppeal: {
			help:   "record an appeal against the outcome (--text); the case returns to review",
			stages: []Stage{StageFollowUp, StageClosed},
			check:  needText("summarise the appeal"),
			apply: func(c *Case, s Step, ctx Context) {
				c.Appeals = append(c.Appeals, &Appeal{At: ctx.Now, Text: s.Text})
				c.ClosedAt, c.ExpungeOn, c.FollowUpOn, c.Proposed = time.Time{}, time.Time{}, time.Time{}, ""
				// The new decision must be asked about, agreed and told afresh.
				for _, p := range c.Parties {
					p.InformedAt, p.FeedbackAskedAt, p.Consent = time.Time{}, time.Time{}, false
				}
				c.Stage = StageReview
			},
		},
		ActAssign: {
			help:   "hand the case to another responder (--responder)",
			stages: []Stage{StageGathering, StageReview, StageResolution, StageInforming, StageFollowUp},
			check:  checkResponder,
			apply:  func(c *Case, s Step, _ Context) { c.Responder = s.Responder },
		},
		ActStatusUpdate: {
			help:   "record that a party was sent a status update (--party)",
			stages: openStages,
			check: func(c *Case, s Step, ctx Context) string {
				return partyCheck(func(p *Party) string {
					if p.Contact == "" {
						return "that party cannot be reached"
					}
					if !p.KnowsOfCase(c) {
						return "that party does not know of the case yet"
					}
					return ""
				})(c, s, ctx)
			},
			apply: func(c *Case, s Step, ctx Context) { c.Party(s.Party).LastUpdateAt = ctx.Now },
		},
	}
}

func needText(what string) func(*Case, Step, Context) string {
	return func(_ *Case, s Step, _ Context) string {
		if strings.TrimSpace(s.Text) == "" {
			return what + " (--text)"
		}
		return ""
	}
}

func partyCheck(extra func(p *Party) string) func(*Case, Step, Context) string {
	return func(c *Case, s Step, _ Context) string {
		if s.Party == "" {
			return "name the party (--party)"
		}
		p := c.Party(s.Party)
		if p == nil {
			return fmt.Sprintf("the case has no party %q", s.Party)
		}
		return extra(p)
	}
}

func checkResponder(c *Case, s Step, ctx Context) string {
	if s.Responder == "" {
		return "name the responder (--responder)"
	}
	m := ctx.Roster.Member(s.Responder)
	switch {
	case m == nil:
		return fmt.Sprintf("%q is not a member of the committee", s.Responder)
	case !m.Active:
		return fmt.Sprintf("member %s is no longer active", m.ID)
	case c.Excluded(m.ID):
		return fmt.Sprintf("member %s has a conflict of interest on this case", m.ID)
	}
	return ""
}

func checkInformed(c *Case, s Step, _ Context) string {
	var untold []*Party
	for _, p := range c.Parties {
		if p.Contact != "" && p.KnowsOfCase(c) && p.InformedAt.IsZero() {
			untold = append(untold, p)
		}
	}
	if len(untold) > 0 && strings.TrimSpace(s.Text) == "" {
		return fmt.Sprintf("%s not been told the outcome; tell them or give the reason", describeParties(untold))
	}
	return ""
}

func decideNow(o Outcome) func(*Case, Step, Context) {
	return func(c *Case, s Step, ctx Context) {
		c.Outcome, c.Proposed, c.DecidedAt = o, o, ctx.Now
		c.Decisions = append(c.Decisions, &Decision{ID: c.nextID("d"), At: ctx.Now, Outcome: o,
			Text: strings.TrimSpace(o.Title() + ". " + s.Text)})
		c.Stage = StageInforming
	}
}

// unheard lists the parties other than the reporter who have neither
// responded nor declined.
func (c *Case) unheard() []*Party {
	var out []*Party
	for _, p := range c.Parties {
		if p.Role != RoleReporter && p.Outreach != Responded && p.Outreach != Declined {
			out = append(out, p)
		}
	}
	return out
}

// describeParties names parties by ID and role, never by name, so that the
// sentence can appear in an error message: "p2 (reported) has", "p2
// (reported) and p3 (witness) have".
func describeParties(ps []*Party) string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = fmt.Sprintf("%s (%s)", p.ID, p.Role)
	}
	verb := " has"
	if len(ps) > 1 {
		verb = " have"
	}
	if len(names) > 1 {
		return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1] + verb
	}
	return names[0] + verb
}

// Help describes what an action does and what it needs.
func (a Action) Help() string {
	if d, ok := actions[a]; ok {
		return d.help
	}
	return ""
}

// ParseAction reads an action name.
func ParseAction(s string) (Action, error) {
	a := Action(strings.ToLower(strings.TrimSpace(s)))
	if _, ok := actions[a]; !ok {
		return "", fmt.Errorf("%w: unknown action %q", ErrInvalid, s)
	}
	return a, nil
}

// Actions lists every action a member can take, in the order they are
// offered.
func Actions() []Action { return slices.Clone(actionOrder) }

// Allowed lists the actions that can be taken on the case now, in the
// order they are offered.
func (c *Case) Allowed(ctx Context) []Action {
	if ctx.Member != "" && c.Excluded(ctx.Member) {
		return nil
	}
	if m := ctx.Roster.Member(ctx.Member); m != nil && !m.Active {
		return nil
	}
	var out []Action
	for _, a := range actionOrder {
		d := actions[a]
		if !slices.Contains(d.stages, c.Stage) {
			continue
		}
		if d.ready != nil && d.ready(c, ctx) != "" {
			continue
		}
		out = append(out, a)
	}
	return out
}

// Apply takes one step of the process on c, or refuses with a
// *NotAllowedError that says why and names the allowed actions. A refused
// step changes nothing.
func (c *Case) Apply(s Step, ctx Context) error {
	if ctx.Roster == nil {
		ctx.Roster = &Roster{}
	}
	refuse := func(reason string) error {
		return &NotAllowedError{Action: s.Action, Reason: reason, Allowed: c.Allowed(ctx)}
	}
	d, ok := actions[s.Action]
	if !ok {
		return refuse("there is no such action")
	}
	if ctx.Member != "" && c.Excluded(ctx.Member) {
		return refuse("you have a conflict of interest on this case")
	}
	if m := ctx.Roster.Member(ctx.Member); m != nil && !m.Active {
		return refuse("you are no longer an active member of the committee")
	}
	if !slices.Contains(d.stages, c.Stage) {
		return refuse(fmt.Sprintf("the case is at the stage %q", c.Stage.Title()))
	}
	if d.ready != nil {
		if why := d.ready(c, ctx); why != "" {
			return refuse(why)
		}
	}
	if d.check != nil {
		if why := d.check(c, s, ctx); why != "" {
			return refuse(why)
		}
	}
	from := c.Stage
	d.apply(c, s, ctx)
	c.History = append(c.History, &Event{At: ctx.Now, Member: ctx.Member, Action: s.Action,
		Party: s.Party, Text: strings.TrimSpace(s.Text), From: from, To: c.Stage})
	return nil
}
