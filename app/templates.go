package app

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Letters to the parties: the acknowledgement, a request for information,
// outreach, the status update and the outcome letter, filled from the
// case. They are a starting point the member edits; text in [square
// brackets] is for the member to replace.
//
// A letter holds only what its reader may see, and that is a short list:
// the reader's own name (or an anonymous reporter's pseudonym) and
// address, the case's code name, dates, the committee's name and
// contact, the name of the member writing, the outcome once decided (for
// the reporter and the reported person), and, in the acknowledgement to
// the reporter alone, the members who will see the report. Nothing else
// of the case goes in: not its summary or description (which may name the
// reporter), no note, evidence or message, and no other party's name or
// contact. What happened is for the member to describe, in a bracketed
// placeholder. A party who does not know of the case yet gets no letter
// but the outreach that tells them.

// TemplateKind names a letter template.
type TemplateKind string

// The letter templates.
const (
	// KindAcknowledgement tells the reporter the report arrived and who
	// will see it.
	KindAcknowledgement TemplateKind = "acknowledgement"
	// KindRequestInfo asks a party for more information.
	KindRequestInfo TemplateKind = "request-info"
	// KindOutreach asks a reported person or a witness for their
	// perspective; it is how they learn of the case.
	KindOutreach TemplateKind = "outreach"
	// KindStatusUpdate carries a party's weekly status update (the PDF).
	KindStatusUpdate TemplateKind = "status-update"
	// KindOutcome tells a party the outcome.
	KindOutcome TemplateKind = "outcome"
)

// TemplateKinds lists every template, in the order a case needs them.
var TemplateKinds = []TemplateKind{KindAcknowledgement, KindRequestInfo, KindOutreach, KindStatusUpdate, KindOutcome}

var templateTitles = map[TemplateKind]string{
	KindAcknowledgement: "Acknowledgement",
	KindRequestInfo:     "Request for information",
	KindOutreach:        "Outreach",
	KindStatusUpdate:    "Status update",
	KindOutcome:         "Outcome letter",
}

// Title is the template's name for the committee.
func (k TemplateKind) Title() string {
	if t, ok := templateTitles[k]; ok {
		return t
	}
	return string(k)
}

// Step is the step of the process that sending a letter of this kind
// takes: acknowledge, request-info, contact, status-update or inform.
func (k TemplateKind) Step() Action {
	return map[TemplateKind]Action{
		KindAcknowledgement: ActAcknowledge,
		KindRequestInfo:     ActRequestInfo,
		KindOutreach:        ActContact,
		KindStatusUpdate:    ActStatusUpdate,
		KindOutcome:         ActInform,
	}[k]
}

// ParseTemplateKind reads a template's name.
func ParseTemplateKind(s string) (TemplateKind, error) {
	k := TemplateKind(strings.ToLower(strings.TrimSpace(s)))
	if !slices.Contains(TemplateKinds, k) {
		names := make([]string, len(TemplateKinds))
		for i, x := range TemplateKinds {
			names[i] = string(x)
		}
		return "", fmt.Errorf("%w: unknown letter %q; letters are %s", ErrInvalid, s, strings.Join(names, ", "))
	}
	return k, nil
}

// ErrNoAddress means a party's contact holds no e-mail address, so no
// e-mail can be drafted to them. Errors that wrap it name the party by ID
// and role only.
var ErrNoAddress = errors.New("no e-mail address to write to")

// Letter is a letter to one party, filled from a template.
type Letter struct {
	Kind    TemplateKind `json:"kind"`
	PartyID string       `json:"party_id"`
	// To is the party's e-mail address, from their contact; empty when
	// the contact holds none. ToName is how the header names them: their
	// name, never an anonymous reporter's.
	To     string `json:"to,omitempty"`
	ToName string `json:"to_name,omitempty"`
	// From is the e-mail address of the member writing, when the roster
	// has one; FromName their name.
	From     string `json:"from,omitempty"`
	FromName string `json:"from_name,omitempty"`
	Subject  string `json:"subject"`
	Body     string `json:"body"`
}

// Template fills the letter of the given kind to the party partyID of c,
// from the case and ctx (the member writing, the roster, the settings,
// and now). It refuses, with an error matching ErrInvalid that says why,
// a letter the party may not get: an acknowledgement to anyone but the
// reporter, outreach to the reporter, an outcome letter before the
// decision, or any letter but outreach to a party who does not know of
// the case yet.
func Template(kind TemplateKind, c *Case, partyID string, ctx Context) (*Letter, error) {
	p := c.Party(partyID)
	if p == nil {
		return nil, fmt.Errorf("%w: the case has no party %q", ErrInvalid, partyID)
	}
	who := fmt.Sprintf("%s (%s)", p.ID, p.Role)
	reporter := p.Role == RoleReporter
	switch kind {
	case KindAcknowledgement:
		if !reporter {
			return nil, fmt.Errorf("%w: an acknowledgement goes to the reporter, and %s is not", ErrInvalid, who)
		}
	case KindOutreach:
		if reporter {
			return nil, fmt.Errorf("%w: outreach goes to the people the report concerns, not to the reporter; write a request for information instead", ErrInvalid)
		}
	case KindRequestInfo, KindStatusUpdate, KindOutcome:
		if !p.KnowsOfCase(c) {
			first := "outreach"
			if reporter {
				first = "the acknowledgement"
			}
			return nil, fmt.Errorf("%w: %s does not know of the case yet; send %s first", ErrInvalid, who, first)
		}
		if kind == KindOutcome && c.Outcome == "" {
			return nil, fmt.Errorf("%w: the case has no outcome yet; the outcome letter follows the decision", ErrInvalid)
		}
	default:
		if _, err := ParseTemplateKind(string(kind)); err != nil {
			return nil, err
		}
	}
	w := letterWriter{c: c, p: p, ctx: ctx, loc: ctx.Config.Location()}
	l := &Letter{Kind: kind, PartyID: p.ID}
	if addrs := ContactAddresses(p.Contact); len(addrs) > 0 {
		l.To = addrs[0]
		if !p.Anonymous {
			l.ToName = p.Name
		}
	}
	if m := ctx.Roster.Member(ctx.Member); m != nil {
		l.FromName = m.Name
		if addrs := ContactAddresses(m.Contact); len(addrs) > 0 {
			l.From = addrs[0]
		}
	}
	l.Subject, l.Body = w.write(kind)
	return l, nil
}

// Templates lists the letters the party partyID of c may get now, in the
// order of TemplateKinds.
func Templates(c *Case, partyID string, ctx Context) []TemplateKind {
	var out []TemplateKind
	for _, k := range TemplateKinds {
		if _, err := Template(k, c, partyID, ctx); err == nil {
			out = append(out, k)
		}
	}
	return out
}

// letterWriter writes one letter.
type letterWriter struct {
	c   *Case
	p   *Party
	ctx Context
	loc *time.Location
	b   strings.Builder
}

// para adds a paragraph.
func (w *letterWriter) para(s string) {
	if w.b.Len() > 0 {
		w.b.WriteString("\n\n")
	}
	w.b.WriteString(s)
}

// date writes a day as "Monday 9 November 2026", in the committee's zone.
func (w *letterWriter) date(t time.Time) string { return t.In(w.loc).Format("Monday 2 January 2006") }

// within is the day n days from now.
func (w *letterWriter) within(n int) string { return w.date(w.ctx.Config.addDays(w.ctx.Now, n)) }

func (w *letterWriter) committee() string { return w.ctx.Config.Committee() }

// Committee capitalized, to begin a sentence or a signature.
func (w *letterWriter) Committee() string {
	s := w.committee()
	if strings.HasPrefix(s, "the ") {
		return "The " + s[4:]
	}
	return s
}

func (w *letterWriter) ref() string { return " (reference " + w.c.Code + ")" }

// greeting addresses the party by the name they gave, or an anonymous
// reporter by their pseudonym; never by a contact.
func (w *letterWriter) greeting() string {
	p := w.p
	switch {
	case p.Anonymous && p.Pseudonym != "":
		return "Dear " + p.Pseudonym + ","
	case p.Anonymous:
		return "Hello,"
	case p.Name != "":
		return "Dear " + p.Name + ","
	case p.Handle != "":
		return "Dear " + p.Handle + ","
	}
	return "Hello,"
}

func (w *letterWriter) updates() string {
	return "While the matter is open, you will hear from us at least every " + strconv.Itoa(w.ctx.Config.UpdateEveryDays) + " days."
}

// closing is the way to reach the committee and the signature.
func (w *letterWriter) closing() {
	if contact := strings.TrimSpace(w.ctx.Config.CommitteeContact); contact != "" {
		w.para("You can reach the whole committee at " + contact + ". Please keep the reference " + w.c.Code + " in the subject of your messages.")
	} else {
		w.para("Reply to this message to reach the committee, and please keep the reference " + w.c.Code + " in the subject.")
	}
	sign := "Kind regards,\n"
	if m := w.ctx.Roster.Member(w.ctx.Member); m != nil && m.Name != "" {
		sign += m.Name + "\nfor " + w.committee()
	} else {
		sign += w.Committee()
	}
	w.para(sign)
}

// write returns the subject and body of a letter of kind k.
func (w *letterWriter) write(k TemplateKind) (subject, body string) {
	reporter := w.p.Role == RoleReporter
	w.para(w.greeting())
	switch k {
	case KindAcknowledgement:
		subject = "We received your report" + w.ref()
		w.para("Thank you for writing to " + w.committee() + ". We received your report on " + w.date(w.c.Received) + ", and we take it seriously.")
		if w.c.RecordOnly {
			w.para("As you asked, we will keep it for the record only, and take no action on it unless you ask us to.")
		} else {
			w.para("The committee will look at it at its next weekly meeting, on " + w.date(w.ctx.Config.NextMeeting(w.ctx.Now)) +
				", and decide how to take it forward. Nothing will be decided before the people involved have been heard.")
		}
		if readers := w.ctx.Roster.Readers(w.c); len(readers) > 0 {
			names := make([]string, len(readers))
			for i, m := range readers {
				names[i] = m.Name
			}
			w.para("These members of the committee will see your report: " + joinAnd(names) +
				". Members with a conflict of interest do not see it. If you have concerns about any of them seeing it, please tell us.")
		}
		if w.p.Anonymous {
			w.para("We will not share your name or how to reach you with anyone outside the committee.")
		} else {
			w.para("We will not tell the person the report is about who made it.")
		}
		if !w.c.RecordOnly {
			w.para(w.updates())
		}
	case KindRequestInfo:
		if reporter {
			subject = "A question about your report" + w.ref()
			w.para("Thank you for your report. To understand the matter fully, the committee would like to know more:")
		} else {
			subject = "A question from " + w.committee() + w.ref()
			w.para("Thank you for your help so far. To understand the matter fully, the committee would like to know more:")
		}
		w.para("[Write your questions here.]")
		w.para("If you can, please reply by " + w.within(7) + ". If you would rather talk than write, say so and we will find a time.")
	case KindOutreach:
		subject = "A request for your perspective" + w.ref()
		if w.p.Role == RoleReported {
			w.para("I am writing on behalf of " + w.committee() + ". A report was made to the committee about " +
				"[describe the conduct concerned in neutral words, without saying who reported it], and the committee is looking into it.")
			w.para("Before anything is decided, we would like to hear your perspective: what happened, in your own words. " +
				"No decision has been made, and none will be made before you have been heard. " +
				"If you would rather talk than write, say so and we will find a time.")
			w.para("If you can, please reply by " + w.within(14) + ". Please keep this matter confidential, " +
				"and do not contact others about it; if you have concerns, write to us.")
		} else {
			w.para("I am writing on behalf of " + w.committee() + ". The committee is looking into a matter you may be able to help with: " +
				"[describe the events in neutral words, without saying who reported them].")
			w.para("We would be grateful to hear what you saw or know, in your own words. " +
				"If you would rather talk than write, say so and we will find a time. " +
				"Please tell us if there is anything you would not want us to share.")
			w.para("If you can, please reply by " + w.within(14) + ". Please keep this matter confidential.")
		}
	case KindStatusUpdate:
		what := "the matter you are involved in"
		if reporter {
			what = "the report you made"
		}
		subject = "Update from " + w.committee() + w.ref()
		w.para("Attached is the committee's regular update on " + what + ", as of " + w.date(w.ctx.Now) +
			". It says where the matter stands, what has happened since our last update, and what happens next.")
		w.para("You will hear from us again by " + w.within(w.ctx.Config.UpdateEveryDays) + ".")
	case KindOutcome:
		subject = "The committee's decision" + w.ref()
		switch w.p.Role {
		case RoleReporter:
			w.para("The committee has reached a decision on your report: " + w.c.Outcome.Title() + ".")
			w.para("[Explain the decision, and what it means for you.]")
			w.para("If you believe the decision is wrong, you may appeal by replying to this message and saying why.")
		case RoleReported:
			w.para("The committee has reached a decision on the matter it wrote to you about: " + w.c.Outcome.Title() + ".")
			w.para("[Explain the decision, and what it asks of you, if anything, and from when.]")
			w.para("If you believe the decision is wrong, you may appeal by replying to this message and saying why.")
		default:
			w.para("The committee has concluded its work on the matter you helped with. Thank you for your time and your account.")
			w.para("[Add anything the committee wants this person to know.]")
		}
	}
	w.closing()
	return subject, w.b.String() + "\n"
}
