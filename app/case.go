package app

import (
	"slices"
	"strconv"
	"time"
)

// Channel is how a report reached the committee.
type Channel string

// The channels a report can come by.
const (
	ChannelForm     Channel = "form"
	ChannelEmail    Channel = "email"
	ChannelChat     Channel = "chat"
	ChannelInPerson Channel = "in-person"
	ChannelOther    Channel = "other"
)

// Channels lists every channel, in the order forms show them.
var Channels = []Channel{ChannelForm, ChannelEmail, ChannelChat, ChannelInPerson, ChannelOther}

// Role is a party's part in a case.
type Role string

// The roles a party can have.
const (
	RoleReporter Role = "reporter"
	RoleReported Role = "reported"
	RoleWitness  Role = "witness"
	RoleOther    Role = "other"
)

// ReporterKind tells whether the reporter is known.
type ReporterKind string

// The kinds of reporter.
const (
	ReporterIdentified ReporterKind = "identified"
	ReporterAnonymous  ReporterKind = "anonymous"
	ReporterNone       ReporterKind = "none" // e.g. a report the committee raised itself
)

// Outreach is where the committee stands with one party.
type Outreach string

// Outreach states, in the order they usually happen.
const (
	NotContacted Outreach = "not-contacted"
	Contacted    Outreach = "contacted"
	Responded    Outreach = "responded"
	Declined     Outreach = "declined" // declined to respond
)

// Party is a person involved in a case: the reporter, a reported person, a
// witness or someone else.
type Party struct {
	// ID is stable within the case ("p1", "p2", …); exports and commands
	// name parties by it.
	ID   string `json:"id"`
	Role Role   `json:"role"`
	Name string `json:"name,omitempty"`
	// Pseudonym is how an anonymous reporter is called.
	Pseudonym    string `json:"pseudonym,omitempty"`
	Anonymous    bool   `json:"anonymous,omitempty"`
	Handle       string `json:"handle,omitempty"`
	Contact      string `json:"contact,omitempty"`
	Relationship string `json:"relationship,omitempty"`
	// CommitteeMember marks a sitting member of the committee; MemberID
	// names them in the roster when known.
	CommitteeMember bool   `json:"committee_member,omitempty"`
	MemberID        string `json:"member_id,omitempty"`

	Outreach    Outreach  `json:"outreach"`
	ContactedAt time.Time `json:"contacted_at,omitzero"`
	// Consent records agreement to mediation or to a settlement.
	Consent bool `json:"consent,omitempty"`
	// FeedbackAskedAt records when the party was asked for feedback on a
	// proposed resolution.
	FeedbackAskedAt time.Time `json:"feedback_asked_at,omitzero"`
	// InformedAt records when the party was told the outcome.
	InformedAt time.Time `json:"informed_at,omitzero"`
	// LastUpdateAt is when the party was last sent a status update.
	LastUpdateAt time.Time `json:"last_update_at,omitzero"`
}

// DisplayName is the name to show the committee: the name, or the
// pseudonym of an anonymous reporter, or the handle.
func (p *Party) DisplayName() string {
	switch {
	case p.Anonymous && p.Pseudonym != "":
		return p.Pseudonym
	case p.Anonymous:
		return "Anonymous reporter"
	case p.Name != "":
		return p.Name
	case p.Handle != "":
		return p.Handle
	}
	return "Unnamed " + string(p.Role)
}

// KnowsOfCase reports whether the party knows the committee is handling
// the matter: the reporter once acknowledged, the others once contacted.
func (p *Party) KnowsOfCase(c *Case) bool {
	if p.Role == RoleReporter {
		return !c.AcknowledgedAt.IsZero()
	}
	return p.Outreach != NotContacted
}

// Visibility says who may see an item. The zero value is committee only.
type Visibility struct {
	// SharedWith lists the parties (by ID) who may see the item besides
	// the committee.
	SharedWith []string `json:"shared_with,omitempty"`
}

// CommitteeOnly reports whether only the committee may see the item.
func (v Visibility) CommitteeOnly() bool { return len(v.SharedWith) == 0 }

// VisibleTo reports whether party may see the item.
func (v Visibility) VisibleTo(partyID string) bool { return slices.Contains(v.SharedWith, partyID) }

// Direction is whether a message came in or went out.
type Direction string

// Message directions.
const (
	In  Direction = "in"
	Out Direction = "out"
)

// Message is one piece of correspondence with a party.
type Message struct {
	ID         string     `json:"id"`
	At         time.Time  `json:"at"`
	PartyID    string     `json:"party_id"`
	Direction  Direction  `json:"direction"`
	Channel    Channel    `json:"channel,omitempty"`
	Subject    string     `json:"subject,omitempty"`
	Text       string     `json:"text"`
	Visibility Visibility `json:"visibility"`
	// Pending marks an outgoing draft not yet marked as sent.
	Pending bool `json:"pending,omitempty"`
	// StatusUpdate marks an outgoing weekly status update.
	StatusUpdate bool `json:"status_update,omitempty"`

	// The fields below are set for e-mail: imported (see Store.ImportMail)
	// or drafted (see Store.AddDraft).

	// Kind is the template a draft was made from.
	Kind TemplateKind `json:"kind,omitempty"`
	// DraftedAt is when a draft was made; At becomes the time it was
	// marked as sent.
	DraftedAt time.Time `json:"drafted_at,omitzero"`
	// MessageID is the e-mail's Message-ID, without angle brackets.
	MessageID string `json:"message_id,omitempty"`
	// Digest is the SHA-256 of an imported message file, which
	// recognizes a message imported twice when it has no Message-ID.
	Digest string `json:"digest,omitempty"`
	// From and To are the e-mail's sender and recipients as written.
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// Defects lists what was wrong with an imported message and was
	// worked around; a message with defects may be missing a part.
	Defects []string `json:"defects,omitempty"`
	// Attachments are the files an imported message carried, kept
	// sealed in the vault beside it (see Store.Attachment).
	Attachments []AttachmentRef `json:"attachments,omitempty"`
}

// AttachmentRef describes an attachment kept in the vault.
type AttachmentRef struct {
	// ID is stable within the case ("a7"); commands name attachments by it.
	ID   string `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
	Size int64  `json:"size"`
	// Inline marks a file shown in the message's body.
	Inline bool `json:"inline,omitempty"`
}

// Note is an internal note of the committee.
type Note struct {
	ID         string     `json:"id"`
	At         time.Time  `json:"at"`
	Author     string     `json:"author,omitempty"` // member ID
	Text       string     `json:"text"`
	Visibility Visibility `json:"visibility"`
}

// Corroboration is how far an evidence item or claim has been verified.
type Corroboration string

// Corroboration states.
const (
	Unverified      Corroboration = "unverified"
	Corroborated    Corroboration = "corroborated"
	NotCorroborated Corroboration = "not-corroborated"
)

// Evidence is a link, file or observation supporting a report.
type Evidence struct {
	ID            string        `json:"id"`
	At            time.Time     `json:"at"`
	URL           string        `json:"url,omitempty"`
	Note          string        `json:"note,omitempty"`
	Corroboration Corroboration `json:"corroboration"`
	// How says how it was corroborated, or why it could not be.
	How        string     `json:"how,omitempty"`
	Visibility Visibility `json:"visibility"`
}

// Check is one line of the corroboration worksheet kept for an anonymous
// report: something that could be verified, and what came of it.
type Check struct {
	ID     string        `json:"id"`
	What   string        `json:"what"`   // the claim or link to verify
	Source string        `json:"source"` // a public link, or a person to ask
	Status Corroboration `json:"status"`
	Result string        `json:"result,omitempty"`
}

// Choice is a member's vote.
type Choice string

// Vote choices.
const (
	For     Choice = "for"
	Against Choice = "against"
	Abstain Choice = "abstain"
)

// Vote is a committee vote on a proposed outcome.
type Vote struct {
	ID       string            `json:"id"`
	Proposal Outcome           `json:"proposal"`
	Text     string            `json:"text,omitempty"`
	OpenedAt time.Time         `json:"opened_at"`
	Ballots  map[string]Choice `json:"ballots"` // member ID → choice
	ClosedAt time.Time         `json:"closed_at,omitzero"`
	Adopted  bool              `json:"adopted,omitempty"`
}

// Open reports whether the vote is still taking ballots.
func (v *Vote) Open() bool { return v.ClosedAt.IsZero() }

// Tally counts the ballots.
func (v *Vote) Tally() (forN, against, abstain int) {
	for _, c := range v.Ballots {
		switch c {
		case For:
			forN++
		case Against:
			against++
		case Abstain:
			abstain++
		}
	}
	return
}

// Decision is a recorded decision of the committee.
type Decision struct {
	ID         string     `json:"id"`
	At         time.Time  `json:"at"`
	Outcome    Outcome    `json:"outcome,omitempty"`
	Text       string     `json:"text"`
	VoteID     string     `json:"vote_id,omitempty"`
	Visibility Visibility `json:"visibility"`
}

// ConflictKind is how strongly a member is conflicted on a case.
type ConflictKind string

// Conflict kinds.
const (
	// HardConflict shuts the member out of the case.
	HardConflict ConflictKind = "hard"
	// SoftConflict is declared and recorded; the member stays in.
	SoftConflict ConflictKind = "soft"
)

// Conflict is a member's declared conflict of interest on one case.
type Conflict struct {
	MemberID string       `json:"member_id"`
	Kind     ConflictKind `json:"kind"`
	Reason   string       `json:"reason,omitempty"`
	At       time.Time    `json:"at"`
	// Automatic marks the exclusion of a member the report is about.
	Automatic bool `json:"automatic,omitempty"`
}

// Event is one entry of a case's history: an action taken.
type Event struct {
	At     time.Time `json:"at"`
	Member string    `json:"member,omitempty"` // member ID
	Action Action    `json:"action"`
	Party  string    `json:"party,omitempty"`
	Text   string    `json:"text,omitempty"`
	// From and To are the stages before and after.
	From Stage `json:"from,omitempty"`
	To   Stage `json:"to,omitempty"`
}

// Assessment is the triage record: scope, impact and risk.
type Assessment struct {
	Scope  string `json:"scope,omitempty"`
	Impact string `json:"impact,omitempty"`
	Risk   string `json:"risk,omitempty"`
}

// Appeal is an appeal against the outcome.
type Appeal struct {
	At   time.Time `json:"at"`
	Text string    `json:"text"`
}

// Case is one report and everything the committee does with it.
// Correspondence is stored beside it (see Store), not in it.
type Case struct {
	// ID is a random internal identifier; Code is the name people use.
	ID   string `json:"id"`
	Code string `json:"code"`

	Received      time.Time    `json:"received"`
	Channel       Channel      `json:"channel"`
	Summary       string       `json:"summary"`
	Description   string       `json:"description,omitempty"`
	When          string       `json:"when,omitempty"`
	Where         string       `json:"where,omitempty"`
	PriorAttempts string       `json:"prior_attempts,omitempty"`
	Ongoing       bool         `json:"ongoing,omitempty"`
	RecordOnly    bool         `json:"record_only,omitempty"`
	Urgent        bool         `json:"urgent,omitempty"`
	ReporterKind  ReporterKind `json:"reporter_kind"`
	// Category is the kind of behaviour reported; empty until set.
	Category Category `json:"category,omitempty"`

	Parties   []*Party    `json:"parties"`
	Evidence  []*Evidence `json:"evidence,omitempty"`
	Notes     []*Note     `json:"notes,omitempty"`
	Worksheet []*Check    `json:"worksheet,omitempty"`
	Conflicts []*Conflict `json:"conflicts,omitempty"`
	Decisions []*Decision `json:"decisions,omitempty"`
	Votes     []*Vote     `json:"votes,omitempty"`
	History   []*Event    `json:"history"`

	Stage            Stage `json:"stage"`
	ConflictsChecked bool  `json:"conflicts_checked,omitempty"`
	// DangerCheckedAt is when the committee decided no urgent protective
	// action was needed.
	DangerCheckedAt time.Time  `json:"danger_checked_at,omitzero"`
	AcknowledgedAt  time.Time  `json:"acknowledged_at,omitzero"`
	Responder       string     `json:"responder,omitempty"` // member ID
	Assessment      Assessment `json:"assessment,omitzero"`
	// UrgentActionAt is when protective action was taken; it must be
	// reported to the group within a day (UrgentReportedAt).
	UrgentActionAt   time.Time `json:"urgent_action_at,omitzero"`
	UrgentReportedAt time.Time `json:"urgent_reported_at,omitzero"`
	ReviewReason     string    `json:"review_reason,omitempty"`
	// Proposed is the outcome adopted by a vote or agreed by the parties,
	// waiting for the decision to be final.
	Proposed   Outcome   `json:"proposed,omitempty"`
	Outcome    Outcome   `json:"outcome,omitempty"`
	DecidedAt  time.Time `json:"decided_at,omitzero"`
	FollowUpOn time.Time `json:"follow_up_on,omitzero"`
	ClosedAt   time.Time `json:"closed_at,omitzero"`
	ExpungeOn  time.Time `json:"expunge_on,omitzero"`
	Appeals    []*Appeal `json:"appeals,omitempty"`
	// ArchiveSummary is a neutral summary a member writes for the archive.
	ArchiveSummary string `json:"archive_summary,omitempty"`

	// Seq counts the case's items, to give each a short stable ID.
	Seq int `json:"seq"`
}

// hasEmptyItem reports whether any of the case's lists holds an empty
// (null) item, which no version writes and nothing that reads a case
// expects.
func (c *Case) hasEmptyItem() bool {
	return slices.Contains(c.Parties, nil) || slices.Contains(c.Evidence, nil) ||
		slices.Contains(c.Notes, nil) || slices.Contains(c.Worksheet, nil) ||
		slices.Contains(c.Conflicts, nil) || slices.Contains(c.Decisions, nil) ||
		slices.Contains(c.Votes, nil) || slices.Contains(c.History, nil) ||
		slices.Contains(c.Appeals, nil)
}

// dropEmptyItems removes empty (null) items from the case's lists. No
// version writes one, but a bundle imported before they were refused could
// have left one in a vault, and every reader of a case expects none; an
// empty item holds nothing, so nothing is lost.
func (c *Case) dropEmptyItems() {
	c.Parties = withoutNil(c.Parties)
	c.Evidence = withoutNil(c.Evidence)
	c.Notes = withoutNil(c.Notes)
	c.Worksheet = withoutNil(c.Worksheet)
	c.Conflicts = withoutNil(c.Conflicts)
	c.Decisions = withoutNil(c.Decisions)
	c.Votes = withoutNil(c.Votes)
	c.History = withoutNil(c.History)
	c.Appeals = withoutNil(c.Appeals)
}

func withoutNil[T any](s []*T) []*T {
	return slices.DeleteFunc(s, func(p *T) bool { return p == nil })
}

// Party returns the party with the given ID, or nil.
func (c *Case) Party(id string) *Party {
	for _, p := range c.Parties {
		if p.ID == id {
			return p
		}
	}
	return nil
}

// Reporter returns the reporter party, or nil when there is none.
func (c *Case) Reporter() *Party {
	for _, p := range c.Parties {
		if p.Role == RoleReporter {
			return p
		}
	}
	return nil
}

// PartiesWithRole returns the parties with role r.
func (c *Case) PartiesWithRole(r Role) []*Party {
	var out []*Party
	for _, p := range c.Parties {
		if p.Role == r {
			out = append(out, p)
		}
	}
	return out
}

// Closed reports whether the case is closed.
func (c *Case) Closed() bool { return c.Stage == StageClosed }

// Excluded reports whether member is shut out of the case by a hard
// conflict.
func (c *Case) Excluded(memberID string) bool {
	for _, k := range c.Conflicts {
		if k.MemberID == memberID && k.Kind == HardConflict {
			return true
		}
	}
	return false
}

// OpenVote returns the vote still taking ballots, or nil.
func (c *Case) OpenVote() *Vote {
	for _, v := range c.Votes {
		if v.Open() {
			return v
		}
	}
	return nil
}

func (c *Case) nextID(prefix string) string {
	c.Seq++
	return prefix + strconv.Itoa(c.Seq)
}
