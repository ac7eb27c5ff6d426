package export

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"mvdan.cc/xurls/v2"

	"casebook/app"
)

// The reader models below decide what a reader may see. They are built by
// pure functions from the case, its messages, the roster and the config;
// the PDF code lays a model out and decides nothing. Every leak rule of
// DESIGN.md lives in these builders and is tested on the models directly.

// ErrNoParty means a case has no party with the given ID.
var ErrNoParty = errors.New("no such party in the case")

// Entry is one dated line of a document.
type Entry struct {
	At   time.Time
	Text string
}

// PartyUpdate is a weekly status update addressed to one party. It holds
// only what that party may see: items explicitly shared with them, and
// the case's stage in words fit for their role. It never holds any
// party's contact, another party's name, or anything committee only; for
// the reported person it never holds the reporter's name, pseudonym,
// handle or contact, nor says whether the reporter is known.
type PartyUpdate struct {
	Code string
	// AsOf is the date of the update; Since is the previous update (zero
	// when this is the first).
	AsOf, Since time.Time
	// Greeting is how the party is addressed; Intro says what the update
	// is about.
	Greeting, Intro string
	// Stage says where the matter stands, in words for this party.
	Stage string
	// Happened lists what happened since the last update that the party
	// may see, oldest first.
	Happened []Entry
	// Next says what happens next; NextUpdate is when the party will hear
	// from the committee next.
	Next       string
	NextUpdate time.Time
	// Reach says how to reach the committee.
	Reach string
	// Withheld counts the shared texts given as "[withheld]" whole, as they
	// name the reporter otherwise than whole (see redactor): the member is
	// told, to write them again.
	Withheld int
}

// UpdateOptions are the committee's words that go into every update.
type UpdateOptions struct {
	// Reach says how to reach the committee, e.g. its shared address. It
	// must not name a member's private contact.
	Reach string
}

// DefaultReach is said when UpdateOptions.Reach is empty.
const DefaultReach = "Reply to the message this update came with; it reaches the whole Code of Conduct committee."

// BuildPartyUpdate builds the status update for the party partyID of c as
// of asOf, from the case's messages msgs.
func BuildPartyUpdate(c *app.Case, msgs []*app.Message, partyID string, cfg app.Config, opts UpdateOptions, asOf time.Time) (*PartyUpdate, error) {
	p := c.Party(partyID)
	if p == nil {
		return nil, fmt.Errorf("%w: %s", ErrNoParty, partyID)
	}
	loc := cfg.Location()
	u := &PartyUpdate{
		Code:     c.Code,
		AsOf:     asOf.In(loc),
		Since:    p.LastUpdateAt,
		Greeting: greeting(p),
		Intro:    introWords(p),
		Stage:    stageWords(c, p),
		Next:     nextWords(c, p),
		Reach:    opts.Reach,
	}
	if u.Reach == "" {
		u.Reach = DefaultReach
	}
	every := cfg.UpdateEveryDays
	if every <= 0 {
		every = 7
	}
	u.NextUpdate = asOf.In(loc).AddDate(0, 0, every)
	red := redactorFor(c, p)
	since := p.LastUpdateAt
	in := func(at time.Time) bool { return at.After(since) && !at.After(asOf) }
	// add adds what happened: the words of the update, and then the text
	// a member wrote, with the secrets taken out of it.
	add := func(at time.Time, words string, text ...string) {
		body := strings.TrimSpace(strings.Join(text, ""))
		if body != "" {
			if body = red.Replace(body); body == Withheld {
				u.Withheld++
			}
		}
		if line := strings.TrimSpace(words + body); line != "" {
			u.Happened = append(u.Happened, Entry{At: at.In(loc), Text: line})
		}
	}
	for _, e := range c.History {
		if e.From != e.To && e.To != "" && in(e.At) {
			if w := stageEvent(e.To, p); w != "" {
				add(e.At, w)
			}
		}
	}
	for _, m := range msgs {
		if m.Pending || !m.Visibility.VisibleTo(p.ID) || !in(m.At) {
			continue
		}
		switch {
		case m.Direction == app.Out && m.PartyID == p.ID:
			add(m.At, "The committee wrote to you: ", joinSubject(m))
		case m.Direction == app.In && m.PartyID == p.ID:
			add(m.At, "You wrote to the committee: ", joinSubject(m))
		default:
			// Another party's correspondence, shared with this party. It
			// is shown without saying whose it is.
			add(m.At, "Shared with you: ", joinSubject(m))
		}
	}
	for _, n := range c.Notes {
		if n.Visibility.VisibleTo(p.ID) && in(n.At) {
			add(n.At, "A note shared with you: ", n.Text)
		}
	}
	for _, ev := range c.Evidence {
		if ev.Visibility.VisibleTo(p.ID) && in(ev.At) {
			add(ev.At, "Evidence shared with you: ", strings.TrimSpace(ev.Note+" "+ev.URL))
		}
	}
	for _, d := range c.Decisions {
		if d.Visibility.VisibleTo(p.ID) && in(d.At) {
			add(d.At, "A decision shared with you: ", d.Text)
		}
	}
	slices.SortStableFunc(u.Happened, func(a, b Entry) int { return a.At.Compare(b.At) })
	return u, nil
}

func joinSubject(m *app.Message) string {
	if m.Subject == "" {
		return m.Text
	}
	return m.Subject + " — " + m.Text
}

// greeting addresses the party by the name they gave, or by the
// pseudonym an anonymous reporter chose; never by a contact.
func greeting(p *app.Party) string {
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

// introWords says what the update is about. Only the reporter hears of
// "your report"; everyone else hears that a report was made.
func introWords(p *app.Party) string {
	if p.Role == app.RoleReporter {
		return "This is the Code of Conduct committee's regular update on the report you made. The matter is being worked on."
	}
	return "This is the Code of Conduct committee's regular update on a matter you are involved in. A report was made to the committee, and the matter is being worked on."
}

// stageWords says where the matter stands, in words for the party. The
// reported person hears of "a report" and never of who made it.
func stageWords(c *app.Case, p *app.Party) string {
	reporter := p.Role == app.RoleReporter
	switch c.Stage {
	case app.StageReceived, app.StageAcknowledged:
		if reporter {
			return "Your report has been received. The committee will look at it at its next weekly meeting."
		}
		return "A report was made to the committee, and the committee is looking into it."
	case app.StageGathering:
		if reporter {
			return "The committee is working on your report and is hearing the people involved."
		}
		return "The committee is working on the matter and is hearing the people involved, so that everyone is heard before anything is decided."
	case app.StageReview:
		return "The committee has heard the people involved and is now reviewing what it learned."
	case app.StageResolution:
		return "The committee is deciding how the matter should be resolved."
	case app.StageInforming, app.StageFollowUp:
		return "The committee has reached a decision and is telling the people involved."
	case app.StageClosed:
		return "The committee has closed the matter."
	}
	return "The committee is working on the matter."
}

// stageEvent is the line for a move into stage s, or "" when the move is
// not for the party to hear of.
func stageEvent(s app.Stage, p *app.Party) string {
	switch s {
	case app.StageAcknowledged:
		if p.Role == app.RoleReporter {
			return "The committee confirmed it received your report."
		}
	case app.StageGathering:
		return "The committee began hearing the people involved."
	case app.StageReview:
		return "The committee began its review."
	case app.StageResolution:
		return "The committee began deciding on a resolution."
	case app.StageInforming:
		return "The committee reached a decision."
	}
	return ""
}

// nextWords says what happens next.
func nextWords(c *app.Case, p *app.Party) string {
	switch c.Stage {
	case app.StageReceived, app.StageAcknowledged:
		return "The committee will decide at its weekly meeting how to take the matter forward."
	case app.StageGathering:
		if p.Outreach == app.Contacted {
			return "The committee would like to hear from you; please reply when you can. It will hear everyone involved before reviewing the matter."
		}
		return "The committee will finish hearing the people involved, then review the matter."
	case app.StageReview:
		return "When the review is done, the committee will decide on a resolution."
	case app.StageResolution:
		return "The committee will make its decision and tell each person involved what concerns them."
	}
	return "The committee will tell you what concerns you."
}

// redactorFor withholds what must never reach party p even when a member
// shared a text that holds it: the contact of an anonymous reporter for
// everyone (the reporter too, so that no export holds it), and the
// reporter's name, pseudonym, handle and contact for a reported person.
// It is a second line of defence; the first is that only items shared
// with p are read at all.
func redactorFor(c *app.Case, p *app.Party) *redactor {
	var ids []app.Identity
	for _, q := range c.Parties {
		switch {
		case q.Role != app.RoleReporter:
		case p.Role == app.RoleReported:
			ids = append(ids, app.Identity{Name: q.Name, Pseudonym: q.Pseudonym, Handle: q.Handle, Contact: q.Contact})
		case q.Anonymous:
			ids = append(ids, app.Identity{Contact: q.Contact})
		}
	}
	return newRedactor(ids)
}

// Withheld replaces a withheld name or contact in a text.
const Withheld = "[withheld]"

// A redactor takes identities out of a text:
//   - each name, pseudonym, handle and contact whole, and each e-mail
//     address and URL a contact holds, in any case, where it stands as
//     words of its own ("max" is not taken out of "maximum");
//   - each phone number a contact holds, however it is written: a number
//     whose digits hold the last seven of one is withheld, so that "+49
//     170 5550100" and "0170 555 01 00" are one number;
//   - and when the identity shows only otherwise, as the archive's
//     Scrubber finds names (a given name alone, without its accents,
//     split across lines), the whole text: taking out one word would tell
//     the reader which ordinary word ("Will", "Rose") is the name.
type redactor struct {
	secrets []string // lower case, longest first
	phones  []string // the last seven digits of each phone number
	names   *Scrubber
}

func newRedactor(ids []app.Identity) *redactor {
	r := &redactor{}
	var secrets []string
	for _, id := range ids {
		contact := foldWidth(id.Contact)
		secrets = append(secrets, id.Name, id.Pseudonym, id.Handle, id.Contact)
		secrets = append(secrets, contactParts(contact)...)
		for _, part := range phoneParts(contact) {
			replacePhones(part, func(digits string) (string, bool) {
				r.phones = append(r.phones, digits[len(digits)-minPhoneDigits:])
				return "", false
			})
		}
	}
	seen := map[string]bool{}
	for _, s := range secrets {
		if s = strings.ToLower(foldWidth(strings.TrimSpace(s))); len([]rune(s)) >= 2 && !seen[s] {
			seen[s] = true
			r.secrets = append(r.secrets, s)
		}
	}
	// Longest first, so that a name is not half-replaced by a shorter one.
	slices.SortStableFunc(r.secrets, func(a, b string) int { return len(b) - len(a) })
	if len(ids) > 0 {
		r.names = newKnownScrubber(ids)
	}
	return r
}

// contactParts returns what a contact holds that names its owner on its
// own: each e-mail address, each handle (with and without its @), and
// each link with a path ("social.example/@nightowl"), but no bare domain,
// which others' addresses share.
func contactParts(contact string) []string {
	parts := emailRE.FindAllString(contact, -1)
	rest := emailRE.ReplaceAllString(contact, " ")
	for _, h := range handleRE.FindAllString(rest, -1) {
		parts = append(parts, h, strings.TrimPrefix(h, "@"))
	}
	for _, u := range xurls.Relaxed().FindAllString(rest, -1) {
		if strings.Contains(strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://"), "/") {
			parts = append(parts, u)
		}
	}
	return parts
}

// phoneParts returns the parts of a contact that may each hold a phone
// number: each part between commas and semicolons, whole, and each piece
// of it between slashes, as a slash may part two numbers ("0170 5550100 /
// 030 1234567") or sit inside one ("089/1234567"). A piece too short to
// be a number adds nothing.
func phoneParts(contact string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(contact, func(r rune) bool { return r == ',' || r == ';' }) {
		out = append(out, part)
		if pieces := strings.Split(part, "/"); len(pieces) > 1 {
			out = append(out, pieces...)
		}
	}
	return out
}

// Replace returns s without the secrets: each replaced by Withheld, or
// all of s, when only the word by word matching finds one.
func (r *redactor) Replace(s string) string {
	for _, sec := range r.secrets {
		var b strings.Builder
		rest := s
		for {
			i, n := indexFoldWord(rest, sec)
			if i < 0 {
				break
			}
			b.WriteString(rest[:i])
			b.WriteString(Withheld)
			rest = rest[i+n:]
		}
		b.WriteString(rest)
		s = b.String()
	}
	if len(r.phones) > 0 {
		s, _ = replacePhones(s, func(digits string) (string, bool) {
			return Withheld, slices.ContainsFunc(r.phones, func(tail string) bool { return strings.Contains(digits, tail) })
		})
	}
	if r.names != nil {
		if _, n := r.names.Scrub(s, nil); n > 0 {
			return Withheld
		}
	}
	return s
}

// indexFoldWord is indexFold for a match that stands as words of its own:
// no letter or digit just before it or just after it.
func indexFoldWord(s, needle string) (at, n int) {
	for off := 0; off < len(s); {
		i, k := indexFold(s[off:], needle)
		if i < 0 {
			return -1, 0
		}
		i += off
		before, _ := utf8.DecodeLastRuneInString(s[:i])
		after, _ := utf8.DecodeRuneInString(s[i+k:])
		if !isWordChar(before) && !isWordChar(after) {
			return i, k
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		off = i + size
	}
	return -1, 0
}

// isWordChar reports whether r is a letter or a digit (utf8.RuneError,
// for the start or end of a text, is neither).
func isWordChar(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// indexFold finds lower-case needle in s ignoring case and width (each
// rune of s folded by app.FoldWidth, as needle is), returning the byte
// offset and length of the match in s. Case mapping can change a rune's length, so it walks s
// rune by rune.
func indexFold(s, needle string) (at, n int) {
	nr := []rune(needle)
	for i := range s {
		j, k := i, 0
		for k < len(nr) && j < len(s) {
			r, size := utf8.DecodeRuneInString(s[j:])
			r = app.FoldWidth(r)
			if r != nr[k] && unicode.ToLower(r) != nr[k] && !strings.EqualFold(string(r), string(nr[k])) {
				break
			}
			j += size
			k++
		}
		if k == len(nr) {
			return i, j - i
		}
	}
	return -1, 0
}

// CaseSummary is the committee's whole view of one case. It is
// confidential and for the committee only.
type CaseSummary struct {
	Code      string
	Generated time.Time
	Stage     string
	Received  time.Time
	Channel   string
	Summary   string
	// Facts are labelled lines: description, when, where, and so on.
	Facts     []Fact
	Parties   []Fact
	Timeline  []Entry
	Evidence  []Entry
	Decisions []Entry
	Votes     []Entry
}

// Fact is a labelled value.
type Fact struct {
	Label, Value string
}

// visibilityWords says who may see an item.
func visibilityWords(c *app.Case, v app.Visibility) string {
	if v.CommitteeOnly() {
		return "committee only"
	}
	names := make([]string, len(v.SharedWith))
	for i, id := range v.SharedWith {
		names[i] = id
		if p := c.Party(id); p != nil {
			names[i] = id + " " + p.DisplayName()
		}
	}
	return "shared with " + strings.Join(names, ", ")
}

func memberName(r *app.Roster, id string) string {
	if m := r.Member(id); m != nil && m.Name != "" {
		return m.Name
	}
	return id
}

// BuildCaseSummary builds the committee's summary of c as of asOf.
func BuildCaseSummary(c *app.Case, msgs []*app.Message, roster *app.Roster, cfg app.Config, asOf time.Time) *CaseSummary {
	loc := cfg.Location()
	s := &CaseSummary{
		Code: c.Code, Generated: asOf.In(loc), Received: c.Received.In(loc),
		Stage: c.Stage.Title(), Channel: string(c.Channel), Summary: c.Summary,
	}
	if c.Outcome != "" {
		s.Stage += " — " + c.Outcome.Title()
	}
	fact := func(dst *[]Fact, label, value string) {
		if value = strings.TrimSpace(value); value != "" {
			*dst = append(*dst, Fact{label, value})
		}
	}
	fact(&s.Facts, "Description", c.Description)
	fact(&s.Facts, "When", c.When)
	fact(&s.Facts, "Where", c.Where)
	fact(&s.Facts, "Earlier attempts", c.PriorAttempts)
	fact(&s.Facts, "Reporter", string(c.ReporterKind))
	if c.Responder != "" {
		fact(&s.Facts, "Responder", memberName(roster, c.Responder))
	}
	for _, k := range c.Conflicts {
		fact(&s.Facts, "Conflict", fmt.Sprintf("%s: %s %s", memberName(roster, k.MemberID), k.Kind, k.Reason))
	}
	for _, p := range c.Parties {
		v := p.DisplayName()
		if p.Anonymous && p.Name != "" {
			v += " (name: " + p.Name + ")"
		}
		if p.Handle != "" && p.Handle != v {
			v += ", " + p.Handle
		}
		if p.Contact != "" {
			v += ", " + p.Contact
		}
		v += "; " + string(p.Outreach)
		fact(&s.Parties, fmt.Sprintf("%s %s", p.ID, p.Role), v)
	}
	at := func(t time.Time) time.Time { return t.In(loc) }
	for _, e := range c.History {
		t := string(e.Action)
		if e.Member != "" {
			t += " by " + memberName(roster, e.Member)
		}
		if e.Party != "" {
			t += " (" + e.Party + ")"
		}
		if e.Text != "" {
			t += ": " + e.Text
		}
		s.Timeline = append(s.Timeline, Entry{at(e.At), t})
	}
	for _, m := range msgs {
		dir := "from"
		if m.Direction == app.Out {
			dir = "to"
		}
		t := fmt.Sprintf("Message %s %s [%s]: %s", dir, m.PartyID, visibilityWords(c, m.Visibility), joinSubject(m))
		if m.Pending {
			t = "Draft, not sent. " + t
		}
		if len(m.Attachments) > 0 {
			names := make([]string, len(m.Attachments))
			for i, a := range m.Attachments {
				names[i] = fmt.Sprintf("%s %s (%s)", a.ID, a.Name, app.FormatSize(a.Size))
			}
			t += " Attachments: " + strings.Join(names, ", ") + "."
		}
		if n := len(m.Defects); n == 1 {
			t += " The message had a defect when imported; part of it may be missing."
		} else if n > 1 {
			t += fmt.Sprintf(" The message had %d defects when imported; part of it may be missing.", n)
		}
		s.Timeline = append(s.Timeline, Entry{at(m.At), t})
	}
	for _, n := range c.Notes {
		s.Timeline = append(s.Timeline, Entry{at(n.At), fmt.Sprintf("Note by %s [%s]: %s", memberName(roster, n.Author), visibilityWords(c, n.Visibility), n.Text)})
	}
	slices.SortStableFunc(s.Timeline, func(a, b Entry) int { return a.At.Compare(b.At) })
	for _, ev := range c.Evidence {
		t := fmt.Sprintf("%s %s — %s [%s]", ev.ID, strings.TrimSpace(ev.Note+" "+ev.URL), ev.Corroboration, visibilityWords(c, ev.Visibility))
		if ev.How != "" {
			t += ": " + ev.How
		}
		s.Evidence = append(s.Evidence, Entry{at(ev.At), t})
	}
	for _, d := range c.Decisions {
		t := d.Text
		if d.Outcome != "" {
			t = d.Outcome.Title() + ": " + t
		}
		s.Decisions = append(s.Decisions, Entry{at(d.At), t + " [" + visibilityWords(c, d.Visibility) + "]"})
	}
	for _, v := range c.Votes {
		f, a, ab := v.Tally()
		state := "open"
		if !v.Open() {
			state = "not adopted"
			if v.Adopted {
				state = "adopted"
			}
		}
		t := fmt.Sprintf("Vote on %s (%s): %d for, %d against, %d abstaining", v.Proposal.Title(), state, f, a, ab)
		ids := slices.Sorted(maps.Keys(v.Ballots))
		var ballots []string
		for _, id := range ids {
			ballots = append(ballots, memberName(roster, id)+" "+string(v.Ballots[id]))
		}
		if len(ballots) > 0 {
			t += " — " + strings.Join(ballots, ", ")
		}
		s.Votes = append(s.Votes, Entry{at(v.OpenedAt), t})
	}
	return s
}

// Agenda is the weekly meeting's agenda. It names cases by code and
// people by nobody: a member with a conflict may see the agenda.
type Agenda struct {
	Meeting time.Time
	AsOf    time.Time
	// Triage lists new reports to triage; Decisions, cases waiting for a
	// decision; Due, the whole due list; Brigading, the flags.
	Triage, Decisions, Due, Brigading []AgendaItem
	// Apart is how many cases with something due, or in a flag, were left
	// out because a member is shut out of them.
	Apart int
}

// AgendaItem is one line of the agenda.
type AgendaItem struct {
	Code    string
	Due     time.Time
	Overdue bool
	Text    string
}

// BuildAgenda builds the agenda of the next meeting as of asOf from the
// due list and the brigading flags. It leaves out the cases in shutOut
// (Store.ShutOut), from which a member is shut out, and every flag that
// links one of them, and says only how many cases it left out: a member
// with a conflict may see the agenda, and its lines about a case (an
// urgent report, reports linked about one person) would tell them of the
// case they must not know. It leaves out the preparer's reports to send on
// (app.DueSendOn) as well: only they hold those, and may not see them.
func BuildAgenda(due []app.DueItem, flags []app.BrigadeFlag, shutOut map[string]bool, cfg app.Config, asOf time.Time) *Agenda {
	loc := cfg.Location()
	a := &Agenda{Meeting: cfg.NextMeeting(asOf).In(loc), AsOf: asOf.In(loc)}
	apart := map[string]bool{}
	for _, d := range due {
		if d.Kind == app.DueSendOn {
			continue // the preparer's own, on a case they are shut out of
		}
		if shutOut[d.Code] {
			apart[d.Code] = true
			continue
		}
		if slices.ContainsFunc(d.Related, func(code string) bool { return shutOut[code] }) {
			continue // a flag's line, left out with the flag
		}
		it := AgendaItem{Code: d.Code, Due: d.Due.In(loc), Overdue: d.Overdue, Text: d.Text}
		switch d.Kind {
		case app.DueTriage:
			a.Triage = append(a.Triage, it)
		case app.DueDecision, app.DueVote:
			a.Decisions = append(a.Decisions, it)
		}
		a.Due = append(a.Due, it)
	}
	for _, f := range flags {
		if slices.ContainsFunc(f.Cases, func(code string) bool { return shutOut[code] }) {
			for _, code := range f.Cases {
				if shutOut[code] {
					apart[code] = true
				}
			}
			continue
		}
		// Reasons are sentences about reports, not people; the flag's
		// Person is left out on purpose.
		a.Brigading = append(a.Brigading, AgendaItem{Code: strings.Join(f.Cases, ", "), Text: strings.Join(f.Reasons, " ")})
	}
	a.Apart = len(apart)
	return a
}

// RecoverySheet is the one page that holds a vault's recovery code.
type RecoverySheet struct {
	Code string
	Made time.Time
}
