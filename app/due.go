package app

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// DueKind says what kind of work a due item is.
type DueKind string

// Kinds of due work, from the most pressing kind to the least.
const (
	DueDanger       DueKind = "danger-check"
	DueUrgentReport DueKind = "urgent-report"
	DueConflicts    DueKind = "conflict-check"
	DueAcknowledge  DueKind = "acknowledge"
	DueTriage       DueKind = "triage"
	DueBrigade      DueKind = "brigading"
	DueOutreach     DueKind = "outreach"
	DueReview       DueKind = "review"
	DueVote         DueKind = "vote"
	DueDecision     DueKind = "decision"
	DueStatus       DueKind = "status-update"
	DueInform       DueKind = "inform"
	DueFollowUp     DueKind = "follow-up"
	DueExpunge      DueKind = "expunge"
	// DueMergeConflicts is a case with merge conflicts from a bundle to
	// settle (see Store.MergeConflicts).
	DueMergeConflicts DueKind = "merge-conflicts"
	// DueSendOn is a report no other member holds, on a laptop whose
	// member is shut out of it: they must send it to members who may act
	// on it (see Store.Due).
	DueSendOn DueKind = "send-on"
)

var dueRank = map[DueKind]int{}

func init() {
	for i, k := range []DueKind{DueDanger, DueSendOn, DueUrgentReport, DueConflicts, DueAcknowledge, DueTriage,
		DueBrigade, DueOutreach, DueReview, DueVote, DueDecision, DueStatus, DueInform, DueFollowUp, DueMergeConflicts, DueExpunge} {
		dueRank[k] = i
	}
}

// DueItem is one thing the committee must do, and by when.
type DueItem struct {
	Kind DueKind `json:"kind"`
	// CaseID and Code name the case; Related lists other cases a
	// brigading flag links.
	CaseID  string    `json:"case_id"`
	Code    string    `json:"code"`
	Related []string  `json:"related,omitempty"`
	PartyID string    `json:"party_id,omitempty"`
	Due     time.Time `json:"due"`
	// Text says what to do, in a sentence that names no one.
	Text string `json:"text"`
	// Action is the step that settles the item, where there is one.
	Action Action `json:"action,omitempty"`
	// Overdue is set when Due is before the start of the as-of day.
	Overdue bool `json:"overdue"`
}

// DueHorizon is how far ahead the due list looks.
const DueHorizon = 7 * 24 * time.Hour

// Due lists everything that needs doing as of asOf: overdue work and work
// due within the next week, most urgent first. flags are the current
// brigading flags, which go to the next meeting.
func Due(cases []*Case, flags []BrigadeFlag, ctx Context, asOf time.Time) []DueItem {
	cfg := ctx.Config
	dayStart := cfg.StartOfDay(asOf)
	horizon := cfg.StartOfDay(cfg.addDays(asOf, 8)) // through the end of the seventh day ahead
	items := make([]DueItem, 0, len(cases))
	add := func(c *Case, kind DueKind, due time.Time, party string, action Action, text string) {
		if !due.Before(horizon) {
			return
		}
		items = append(items, DueItem{Kind: kind, CaseID: c.ID, Code: c.Code, PartyID: party, Due: due,
			Text: text, Action: action, Overdue: due.Before(dayStart)})
	}
	byCode := make(map[string]*Case, len(cases))
	for _, c := range cases {
		byCode[c.Code] = c
		dueForCase(c, ctx, asOf, add)
	}
	for _, f := range flags {
		var open []string
		for _, code := range f.Cases {
			if c := byCode[code]; c != nil && !c.Closed() {
				open = append(open, code)
			}
		}
		if len(open) < 2 {
			continue
		}
		first := byCode[open[0]]
		for _, code := range open[1:] {
			if c := byCode[code]; c.Received.Before(first.Received) {
				first = c
			}
		}
		// A flag is for the meeting to discuss: the first meeting after the
		// earliest report, or the next one if that has passed.
		due := cfg.NextMeeting(first.Received)
		if due.Before(dayStart) {
			due = cfg.NextMeeting(dayStart)
		}
		related := slices.DeleteFunc(slices.Clone(open), func(code string) bool { return code == first.Code })
		items = append(items, DueItem{Kind: DueBrigade, CaseID: first.ID, Code: first.Code, Related: related,
			Due: due, Overdue: due.Before(dayStart),
			Text: fmt.Sprintf("Review %d linked reports together at the meeting: possible brigading", len(open))})
	}
	sortDue(items)
	return items
}

// sortDue puts due items in their order. The order is total (no two items
// share case, kind and party), so an unstable sort gives one answer, and
// faster than a stable one.
func sortDue(items []DueItem) {
	// Compared one key at a time: the due time nearly always decides, and
	// cmp.Or would work out every comparison first.
	slices.SortFunc(items, func(a, b DueItem) int {
		if c := a.Due.Compare(b.Due); c != 0 {
			return c
		}
		if a.Kind != b.Kind {
			return cmp.Compare(dueRank[a.Kind], dueRank[b.Kind])
		}
		return cmp.Or(cmp.Compare(a.Code, b.Code), cmp.Compare(a.PartyID, b.PartyID), cmp.Compare(a.Action, b.Action))
	})
}

// dueForCase adds the work one case needs.
func dueForCase(c *Case, ctx Context, asOf time.Time, add func(*Case, DueKind, time.Time, string, Action, string)) {
	cfg := ctx.Config
	hours := func(n int) time.Duration { return time.Duration(n) * time.Hour }
	if c.Closed() {
		if !c.ExpungeOn.IsZero() {
			add(c, DueExpunge, c.ExpungeOn, "", "", "Expunge the case: its retention period has ended")
		}
		return
	}
	if c.Urgent && c.DangerCheckedAt.IsZero() && c.UrgentActionAt.IsZero() {
		add(c, DueDanger, c.Received, "", ActCheckDanger, "Check whether anyone is in danger and take protective action if needed")
	}
	if !c.UrgentActionAt.IsZero() && c.UrgentReportedAt.IsZero() {
		add(c, DueUrgentReport, c.UrgentActionAt.Add(hours(cfg.UrgentReportWithinHours)), "", ActReportUrgent,
			"Report the urgent action taken to the whole group")
	}
	entered := c.EnteredStageAt()
	switch c.Stage {
	case StageReceived:
		ackDue := c.Received.Add(hours(cfg.AckWithinHours))
		if !c.ConflictsChecked {
			add(c, DueConflicts, ackDue, "", ActCheckConflicts, "Check conflicts of interest before anyone acts on the report")
		}
		if r := c.Reporter(); r != nil && r.Contact != "" {
			add(c, DueAcknowledge, ackDue, r.ID, ActAcknowledge, "Acknowledge the reporter and say who will see the report")
		} else {
			add(c, DueAcknowledge, ackDue, "", ActSkipAcknowledge, "Note that the reporter cannot be acknowledged, and move on")
		}
	case StageAcknowledged:
		add(c, DueTriage, cfg.NextMeeting(entered), "", ActTriage, "Triage the new report at the weekly meeting and assign a responder")
	case StageGathering:
		unheard := c.unheard()
		for _, p := range unheard {
			if p.Outreach == NotContacted {
				add(c, DueOutreach, cfg.addDays(entered, 7), p.ID, ActContact, "Contact "+p.ID+" ("+string(p.Role)+") for their perspective")
			}
		}
		waiting := len(unheard) > 0
		var lastContact time.Time
		for _, p := range unheard {
			waiting = waiting && p.Outreach == Contacted
			if p.ContactedAt.After(lastContact) {
				lastContact = p.ContactedAt
			}
		}
		switch {
		case len(unheard) == 0:
			add(c, DueReview, cfg.NextMeeting(lastHeard(c, entered)), "", ActStartReview, "Every party has been heard: start the review")
		case waiting:
			// Everyone was contacted; some have not answered in two weeks.
			add(c, DueReview, cfg.addDays(lastContact, 14), "", ActStartReview,
				"Chase the parties who have not answered, or start the review without them")
		}
	case StageReview:
		add(c, DueReview, cfg.NextMeeting(entered), "", ActConcludeReview, "Review the case and conclude the review")
	case StageResolution:
		if v := c.OpenVote(); v != nil {
			me := ctx.Member
			if _, voted := v.Ballots[me]; me != "" && !voted && !c.Excluded(me) {
				add(c, DueVote, cfg.addDays(v.OpenedAt, 7), "", ActVote, "Cast your vote on the proposed outcome")
			}
			add(c, DueDecision, cfg.NextMeeting(v.OpenedAt.Add(time.Hour)), "", ActCloseVote, "Close the vote at the meeting")
		} else if c.Proposed != "" {
			add(c, DueDecision, cfg.NextMeeting(entered), "", ActDecide, "Ask the affected parties for feedback, then make the decision final")
		} else {
			add(c, DueDecision, cfg.NextMeeting(entered), "", ActOpenVote, "Decide on a resolution: a vote, or an agreement every party consents to")
		}
	case StageInforming:
		untold := false
		for _, p := range c.Parties {
			if p.Contact != "" && p.KnowsOfCase(c) && p.InformedAt.IsZero() {
				untold = true
				add(c, DueInform, cfg.addDays(entered, 7), p.ID, ActInform, "Tell "+p.ID+" ("+string(p.Role)+") the outcome")
			}
		}
		if !untold {
			add(c, DueFollowUp, cfg.NextMeeting(entered), "", ActScheduleFollowUp, "Every party has been told: set a follow-up date or close the case")
		}
	case StageFollowUp:
		add(c, DueFollowUp, c.FollowUpOn, "", ActClose, "Follow up on the outcome, then close the case")
	}
	for _, u := range c.UpdatesOwed(cfg) {
		add(c, DueStatus, u.Due, u.PartyID, ActStatusUpdate, "Send "+u.PartyID+" ("+string(c.Party(u.PartyID).Role)+") a weekly status update")
	}
}

// lastHeard is when the last party responded, or since when the case has
// been waiting.
func lastHeard(c *Case, since time.Time) time.Time {
	t := since
	for _, e := range c.History {
		if (e.Action == ActResponded || e.Action == ActDeclinedToRespond) && e.At.After(t) {
			t = e.At
		}
	}
	return t
}

// EnteredStageAt is when the case entered its current stage.
func (c *Case) EnteredStageAt() time.Time {
	for i := len(c.History) - 1; i >= 0; i-- {
		e := c.History[i]
		if e.To == c.Stage && e.From != c.Stage {
			return e.At
		}
	}
	return c.Received
}

// UpdateOwed is a status update a party is owed.
type UpdateOwed struct {
	PartyID string
	Due     time.Time
}

// updatesStages are the stages in which parties are owed weekly updates:
// while the matter is being worked on, before the outcome is told.
var updatesStages = []Stage{StageReceived, StageAcknowledged, StageGathering, StageReview, StageResolution}

// UpdatesOwed lists the status updates the case owes, each with its due
// time, whether or not that time has come. A case owes updates once it is
// older than Config.UpdatesAfterDays, every Config.UpdateEveryDays, to
// each party who knows of it and can be reached: the reporter from the
// acknowledgement on, the others once contacted.
func (c *Case) UpdatesOwed(cfg Config) []UpdateOwed {
	if !slices.Contains(updatesStages, c.Stage) {
		return nil
	}
	first := cfg.addDays(c.Received, cfg.UpdatesAfterDays)
	var out []UpdateOwed
	for _, p := range c.Parties {
		if p.Contact == "" || !p.KnowsOfCase(c) {
			continue
		}
		var due time.Time
		if !p.LastUpdateAt.IsZero() {
			due = cfg.addDays(p.LastUpdateAt, cfg.UpdateEveryDays)
		} else {
			since := p.ContactedAt
			if p.Role == RoleReporter {
				since = c.AcknowledgedAt
			}
			due = cfg.addDays(since, cfg.UpdateEveryDays)
		}
		if due.Before(first) {
			due = first
		}
		out = append(out, UpdateOwed{PartyID: p.ID, Due: due})
	}
	return out
}
