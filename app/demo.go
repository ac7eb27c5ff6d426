package app

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Demo data: a synthetic committee and its cases, for newcomers,
// screenshots, tests and benchmarks. Every person here is invented.

var demoMembers = []struct{ name, contact string }{
	{"Amara Nwosu", "amara@committee.example.org"},
	{"Henrik Lund", "henrik@committee.example.org"},
	{"Mei Tanaka", "mei@committee.example.org"},
	{"Rafael Ortega", "rafael@committee.example.org"},
	{"Tuulikki Virtanen", "tuulikki@committee.example.org"},
}

type demoPerson struct{ name, handle, contact string }

var demoPeople = []demoPerson{
	{"Zoë Brandt", "@zoeb", "zoe.brandt@example.org"},
	{"Łukasz Wójcik", "@lwojcik", "lukasz.w@example.net"},
	{"Søren Kjær", "@skjaer", "soren@example.com"},
	{"Aoife Ní Bhriain", "@aoifenb", "aoife.nb@example.org"},
	{"Nguyễn Thị Mai", "@maint", "mai.nguyen@example.net"},
	{"José Álvarez", "@jalvarez", "jose.alvarez@example.org"},
	{"François Lefèvre", "@flefevre", "f.lefevre@example.com"},
	{"Ayşe Yılmaz", "@ayseyil", "ayse.y@example.org"},
	{"Дмитрий Соколов", "@dsokolov", "d.sokolov@example.net"},
	{"Елена Кузнецова", "@ekuz", "elena.k@example.org"},
	{"Αλέξανδρος Παπαδόπουλος", "@alexpap", "alex.p@example.com"},
	{"Μαρία Γεωργίου", "@mgeorgiou", "maria.g@example.org"},
	{"Chidi Okafor", "@chidio", "chidi@example.net"},
	{"Priya Raman", "@priyar", "priya.r@example.org"},
	{"Kenji Watanabe", "@kwatanabe", "kenji.w@example.com"},
	{"Ingrid Håland", "@ihaland", "ingrid.h@example.org"},
	{"Mateus Conceição", "@mconceicao", "mateus.c@example.net"},
	{"Björk Sigurðardóttir", "@bjorks", "bjork.s@example.org"},
	{"Oluwaseun Adeyemi", "@seun", "seun.a@example.com"},
	{"Małgorzata Zielińska", "@gosiaz", "m.zielinska@example.org"},
	{"Ярослава Петренко", "@yarap", "yara.p@example.net"},
	{"Νίκος Αθανασίου", "@nathan", "nikos.a@example.org"},
	{"Camila Ruiz", "@camiruiz", "camila.r@example.com"},
	{"Tomáš Dvořák", "@tdvorak", "tomas.d@example.org"},
}

var demoReports = []struct {
	summary, description, where string
	category                    Category
}{
	{"Repeated hostile comments in the issue queue",
		"Over three weeks the reported person left dismissive and insulting comments on my patches, calling them worthless and telling me to quit contributing.",
		"issue queue", CategoryPersonalAttack},
	{"Unwelcome private messages after a meetup",
		"After the regional meetup I received a series of private messages commenting on my appearance and asking me out, even after I said I was not interested.",
		"direct messages", CategorySexualAttention},
	{"Slurs in a community chat channel",
		"During a discussion about release planning the reported person used an ethnic slur and then mocked people who objected.",
		"community chat", CategoryDiscrimination},
	{"Dismissive remarks during code review",
		"In code reviews the reported person repeatedly says that people from my country cannot write proper code.",
		"code review", CategoryDiscrimination},
	{"Threat to publish personal information",
		"The reported person threatened in a public thread to post my home address after a disagreement about a module's maintainership.",
		"forum thread", CategoryPrivacy},
	{"Harassment at a contribution sprint",
		"At the sprint table the reported person kept interrupting and mocking a first-time contributor until she left the room.",
		"contribution sprint", CategoryHarassment},
	{"Sexualised jokes in a session",
		"A speaker made several sexualised jokes during a conference session and laughed off complaints in the Q&A.",
		"conference session", CategorySexualAttention},
	{"Deliberate misgendering",
		"The reported person keeps using the wrong pronouns for a contributor in meetings and in writing, after being corrected many times.",
		"meetings and issue comments", CategoryHarassment},
	{"Spam and insults in the marketplace channel",
		"Several posts advertising services followed by insults to the people who flagged them as spam.",
		"marketplace channel", CategoryDisruption},
	{"Exclusion from a working group",
		"I was removed from the working group's chat without explanation after raising concerns about its decisions.",
		"working group chat", CategoryOther},
}

// demoArchiveSummaries are archive summaries of closed cases, as a member
// might write them: %s is the kind of report, and %[2]s the reported
// person's name, which a careful member would leave out and the archive
// scrubs.
var demoArchiveSummaries = []string{
	"A contributor reported %s. The committee heard everyone involved and recorded its decision.",
	"Report of %s. Both sides were heard; the committee discussed it at two meetings before deciding.",
	"%s, reported by a community member. The committee spoke with %[2]s and with a witness.",
	"A report of %s. %[2]s's replies were taken into account; the reporter was told the outcome.",
}

// demoDetails are sentences added to reports, so that no two large-demo
// reports read alike by accident.
var demoDetails = []string{
	"It started shortly after the last release.",
	"Two other contributors stopped posting in that channel because of it.",
	"I tried to talk to them privately first, but they ignored me.",
	"A moderator hid one of the comments, but more followed the next day.",
	"I have screenshots of most of the messages.",
	"It happened again at the online sprint on Friday.",
	"Several people reacted to the messages with laughing emoji.",
	"I am not the only one; a friend had the same experience last year.",
	"I would prefer that my name is not shared with the person.",
	"The messages were later deleted, but people saw them.",
	"It has made me reconsider whether to keep maintaining my module.",
	"I reported it to the channel admins, who told me to contact you.",
	"The comments were made in a public issue that many people follow.",
	"This has been going on for about two months.",
	"A mentor who was present can confirm what was said.",
	"I felt unsafe going to the next meetup.",
	"The person apologised in public but continued in private messages.",
	"Some of it was in a language I had to translate first.",
	"I do not want anyone banned; I want it to stop.",
	"Please let me know what else you need from me.",
	"The same account has been warned by the forum moderators before.",
	"It happened during a video call that was recorded.",
	"I only noticed later how many people had seen it.",
	"I am writing on behalf of a newer contributor who asked me to.",
}

var demoCommitteeNotes = []string{
	"Checked the public thread; the comments are still visible and match the report.",
	"The responder spoke with the reporter by phone; notes kept here.",
	"Similar behaviour was mentioned informally last year; no report was filed then.",
	"The reported person has been a maintainer for several years.",
	"Agreed at the meeting to hear the witness before deciding anything.",
}

var demoMessages = []string{
	"Thank you for getting in touch. We have received your report and will discuss it at our next meeting.",
	"Could you tell us roughly when this started, and whether anyone else saw it?",
	"I have attached the links I mentioned. It has happened again since I wrote.",
	"We would like to hear your side of what happened in the thread. You can reply in writing or we can arrange a call.",
	"I did not mean any harm and I am willing to talk about it.",
	"I saw part of the conversation and can confirm the comments were made.",
	"Your report is still being worked on. We are hearing the people involved and expect to reach a decision soon.",
	"I am worried this will continue. Is there anything you can do in the meantime?",
	"Thank you for your patience. The committee has reached a decision and we would like to explain it.",
	"I appreciate the update and I accept the outcome.",
}

// DemoOptions choose what Demo makes.
type DemoOptions struct {
	Cases int
	Seed  uint64
	Now   time.Time
	// Config supplies deadlines and the time zone; zero means DefaultConfig.
	Config Config
	// Messages is the number of messages per case, about; zero means a few
	// for small demos and ten for large ones.
	Messages int
	// HistoryDays is how far back, at most, the closed cases were
	// received, in days (their last four months aside); zero means 600 or
	// a third of Cases, whichever is more: about nine years for ten
	// thousand cases. The benchmarks give both sizes the same history, so
	// that ten times the cases is ten times as many in the same years.
	HistoryDays int
}

// DemoData is a synthetic committee and its cases.
type DemoData struct {
	Roster   *Roster
	Cases    []*Case
	Messages map[string][]*Message // by case ID
}

// Demo makes realistic synthetic cases across every stage and outcome:
// international names with diacritics and in Cyrillic and Greek, anonymous
// reports, one brigading cluster, one report about a committee member. Each
// case is taken through the real process, so it is in a state the process
// can reach.
func Demo(opts DemoOptions) *DemoData {
	if opts.Cases <= 0 {
		opts.Cases = 30
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.Config.AckWithinHours == 0 {
		opts.Config = DefaultConfig()
	}
	if opts.HistoryDays <= 0 {
		opts.HistoryDays = max(600, opts.Cases/3) // ten thousand cases: about nine years
	}
	if opts.Messages <= 0 {
		opts.Messages = 4
		if opts.Cases >= 100 {
			opts.Messages = 10
		}
	}
	rng := rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15))
	d := &DemoData{Roster: &Roster{}, Messages: map[string][]*Message{}}
	for _, m := range demoMembers {
		d.Roster.Add(m.name, m.contact)
	}
	d.Roster.Me = d.Roster.Members[0].ID
	g := &demoGen{opts: opts, rng: rng, data: d, codes: map[string]bool{},
		extra: rand.New(rand.NewPCG(opts.Seed^0x5bd1e995, opts.Seed))}

	// The special cases first, so that even a small demo has them.
	n := opts.Cases
	if n >= 8 {
		g.brigade(4)
		g.aboutMember()
		n -= 5
	}
	targets := []Stage{StageReceived, StageAcknowledged, StageGathering, StageReview, StageResolution,
		StageInforming, StageFollowUp, StageClosed, StageClosed, StageClosed, StageClosed}
	decided := 0 // cases past the decision cycle through every outcome
	for i := 0; i < n; i++ {
		target := targets[i%len(targets)]
		// A large demo is years of history: most of it closed, with about
		// as many open cases as a busy committee has at once.
		if opts.Cases >= 100 && i%20 != 0 {
			target = StageClosed
		}
		var outcome Outcome
		if target.Index() >= StageInforming.Index() {
			outcome = Outcomes[decided%len(Outcomes)]
			decided++
		}
		g.ordinary(target, outcome)
	}
	return d
}

type demoGen struct {
	opts  DemoOptions
	rng   *rand.Rand
	extra *rand.Rand // for what demo cases gained later: categories, archive summaries
	data  *DemoData
	codes map[string]bool
}

func (g *demoGen) pick(n int) int { return g.rng.IntN(n) }

// person picks someone. Large demos combine given names and surnames of
// the same script, so that reports about one person stay few, as in life.
func (g *demoGen) person() demoPerson {
	a := demoPeople[g.pick(len(demoPeople))]
	if g.opts.Cases < 100 {
		return a
	}
	b := demoPeople[g.pick(len(demoPeople))]
	for scriptOf(b.name) != scriptOf(a.name) {
		b = demoPeople[g.pick(len(demoPeople))]
	}
	given := strings.Fields(a.name)[0]
	family := strings.Fields(b.name)
	n := g.pick(1000)
	return demoPerson{
		name:    given + " " + family[len(family)-1],
		handle:  fmt.Sprintf("%s%d", a.handle, n),
		contact: fmt.Sprintf("%s.%d@example.org", strings.TrimPrefix(a.handle, "@"), n),
	}
}

// scriptOf tells Latin, Cyrillic and Greek names apart by their first
// letter.
func scriptOf(name string) string {
	r, _ := utf8.DecodeRuneInString(name)
	switch {
	case unicode.Is(unicode.Cyrillic, r):
		return "cyrillic"
	case unicode.Is(unicode.Greek, r):
		return "greek"
	}
	return "latin"
}

// newCase starts a case received at the given time.
func (g *demoGen) newCase(received time.Time, reporter *Party, reported demoPerson) *Case {
	var code string
	for code == "" || g.codes[code] {
		code = fmt.Sprintf("%s-%s-%d", codeAdjectives[g.pick(len(codeAdjectives))], codeNouns[g.pick(len(codeNouns))], 10+g.pick(90))
	}
	g.codes[code] = true
	r := demoReports[g.pick(len(demoReports))]
	c := &Case{
		ID: fmt.Sprintf("%016x", g.rng.Uint64()), Code: code, Received: received,
		Channel: Channels[g.pick(len(Channels))], Summary: r.summary, Description: r.description,
		Where: r.where, When: "over the past weeks", Stage: StageReceived,
		ReporterKind: ReporterNone,
	}
	if reporter != nil {
		reporter.ID = c.nextID("p")
		reporter.Role = RoleReporter
		reporter.Outreach = NotContacted
		c.Parties = append(c.Parties, reporter)
		c.ReporterKind = ReporterIdentified
		if reporter.Anonymous {
			c.ReporterKind = ReporterAnonymous
		}
	}
	c.Parties = append(c.Parties, &Party{ID: c.nextID("p"), Role: RoleReported, Name: reported.name,
		Handle: reported.handle, Contact: reported.contact, Outreach: NotContacted})
	if g.pick(2) == 0 {
		w := g.person()
		p := &Party{ID: c.nextID("p"), Role: RoleWitness, Name: w.name, Handle: w.handle, Outreach: NotContacted}
		if g.pick(3) > 0 {
			p.Contact = w.contact
		}
		c.Parties = append(c.Parties, p)
	}
	if g.pick(3) == 0 {
		c.Evidence = append(c.Evidence, &Evidence{ID: c.nextID("e"), At: received,
			URL: fmt.Sprintf("https://forum.example.org/t/%d", 1000+g.pick(9000)), Note: "the thread in question", Corroboration: Unverified})
	}
	for range 1 + g.pick(3) {
		c.Description += " " + demoDetails[g.pick(len(demoDetails))]
	}
	c.History = []*Event{{At: received, Action: ActReceive, To: StageReceived}}
	g.data.Cases = append(g.data.Cases, c)
	return c
}

func (g *demoGen) identified() *Party {
	p := g.person()
	return &Party{Name: p.name, Handle: p.handle, Contact: p.contact, Relationship: "contributor"}
}

func (g *demoGen) anonymous(withContact bool) *Party {
	p := &Party{Anonymous: true, Pseudonym: fmt.Sprintf("Anonymous %c", 'A'+rune(g.pick(26)))}
	if withContact {
		p.Contact = fmt.Sprintf("anon-%04x@relay.example.com", g.pick(1<<16))
	}
	return p
}

// ordinary makes one case and walks it to the target stage.
func (g *demoGen) ordinary(target Stage, outcome Outcome) {
	days := map[Stage]int{StageReceived: 1, StageAcknowledged: 4, StageGathering: 16, StageReview: 25,
		StageResolution: 35, StageInforming: 45, StageFollowUp: 70, StageClosed: 120}[target]
	if target == StageClosed {
		days += g.pick(g.opts.HistoryDays)
	}
	received := g.opts.Now.Add(-time.Duration(days)*24*time.Hour - time.Duration(g.pick(20))*time.Hour)
	var reporter *Party
	switch g.pick(6) {
	case 0:
		reporter = g.anonymous(true)
	case 1:
		reporter = g.anonymous(false)
	default:
		reporter = g.identified()
	}
	c := g.newCase(received, reporter, g.person())
	c.Urgent = g.pick(12) == 0
	g.walk(c, target, outcome)
	g.archive(c)
}

// archive gives a case past triage its category, and a closed case its
// archive summary, from a random source of its own so that the cases
// themselves are as they were before demo cases had these.
func (g *demoGen) archive(c *Case) {
	if c.Stage.Index() < StageGathering.Index() && c.Outcome == "" {
		return
	}
	for _, r := range demoReports {
		if r.summary == c.Summary && g.extra.IntN(10) > 0 {
			c.Category = r.category
		}
	}
	if !c.Closed() || g.extra.IntN(4) == 0 {
		return
	}
	kind := strings.ToLower(c.Summary[:1]) + c.Summary[1:]
	reported := c.PartiesWithRole(RoleReported)[0].Name
	t := demoArchiveSummaries[g.extra.IntN(len(demoArchiveSummaries))]
	if !strings.Contains(t, "%[2]s") {
		c.ArchiveSummary = fmt.Sprintf(t, kind)
	} else {
		c.ArchiveSummary = fmt.Sprintf(t, kind, reported)
	}
	if strings.HasPrefix(t, "%s") {
		c.ArchiveSummary = strings.ToUpper(c.ArchiveSummary[:1]) + c.ArchiveSummary[1:]
	}
}

// brigade makes a cluster of near-identical anonymous reports about one
// person within a few days.
func (g *demoGen) brigade(n int) {
	target := demoPerson{"Quentin Fairweather", "@qfair", "quentin.f@example.org"}
	base := g.opts.Now.Add(-6 * 24 * time.Hour)
	for i := 0; i < n; i++ {
		t := target
		if i%2 == 1 {
			t.handle = strings.ToUpper(t.handle[1:]) // the same handle, written differently
		}
		c := g.newCase(base.Add(time.Duration(i*20)*time.Hour), g.anonymous(i%2 == 0), t)
		c.Summary = "Toxic behaviour by a maintainer in the issue queue"
		c.Description = "This maintainer is toxic and abusive to everyone in the issue queue and must be removed from the project immediately."
		if i == 2 {
			c.Description += " Please act now."
		}
		g.walk(c, []Stage{StageReceived, StageAcknowledged}[i%2], "")
	}
}

// aboutMember makes a report about a sitting committee member, who is
// excluded from it automatically.
func (g *demoGen) aboutMember() {
	m := g.data.Roster.Members[2]
	c := g.newCase(g.opts.Now.Add(-9*24*time.Hour), g.identified(), demoPerson{m.Name, "@" + strings.ToLower(strings.Fields(m.Name)[0]), m.Contact})
	p := c.PartiesWithRole(RoleReported)[0]
	p.CommitteeMember, p.MemberID = true, m.ID
	excludeReportedMembers(c, c.Received)
	g.walk(c, StageGathering, "")
}

// walk takes c through the process to the target stage, one step every
// day or two, adding correspondence and notes on the way.
func (g *demoGen) walk(c *Case, target Stage, outcome Outcome) {
	t := c.Received
	ctx := func() Context {
		return Context{Now: t, Member: g.data.Roster.Me, Roster: g.data.Roster, Config: g.opts.Config}
	}
	step := func(s Step) {
		t = t.Add(time.Duration(12+g.pick(36)) * time.Hour)
		if t.After(g.opts.Now) {
			t = g.opts.Now
		}
		if err := c.Apply(s, ctx()); err != nil {
			panic(fmt.Sprintf("demo: %s at %s: %v", s.Action, c.Stage, err)) // a bug in the generator
		}
	}
	msg := func(p *Party, dir Direction, text string) {
		m := &Message{ID: c.nextID("msg"), At: t, PartyID: p.ID, Direction: dir, Channel: ChannelEmail, Text: text}
		if dir == Out || p.Role == RoleReporter {
			m.Visibility = Visibility{SharedWith: []string{p.ID}}
		}
		g.data.Messages[c.ID] = append(g.data.Messages[c.ID], m)
	}
	responder := func() string {
		for _, m := range g.data.Roster.Readers(c) {
			if g.pick(2) == 0 || m.ID != g.data.Roster.Me {
				return m.ID
			}
		}
		return ""
	}
	reached := func(s Stage) bool { return c.Stage.Index() >= s.Index() }
	defer func() { g.fill(c, t) }()

	if target == StageReceived {
		return
	}
	if c.Urgent {
		step(Step{Action: ActUrgentAction, Text: "Temporarily muted the account in chat while the committee looks into it."})
		step(Step{Action: ActReportUrgent})
	}
	step(Step{Action: ActCheckConflicts})
	if r := c.Reporter(); r != nil && r.Contact != "" {
		step(Step{Action: ActAcknowledge})
		msg(r, Out, demoMessages[0])
	} else {
		step(Step{Action: ActSkipAcknowledge})
	}
	if reached(target) {
		return
	}
	short := map[Outcome]Action{OutcomeOutOfScope: ActCloseOutOfScope, OutcomeRecordOnly: ActCloseRecordOnly, OutcomeBadFaith: ActDeclineBadFaith}
	if a, ok := short[outcome]; ok && target.Index() >= StageInforming.Index() {
		step(Step{Action: a, Text: "Discussed at the weekly meeting."})
	} else {
		step(Step{Action: ActTriage, Responder: responder(), Assessment: Assessment{Scope: "in scope", Impact: "moderate", Risk: "low"}})
		if reached(target) {
			return
		}
		for _, p := range c.Parties {
			if p.Role == RoleReporter {
				continue
			}
			step(Step{Action: ActContact, Party: p.ID})
			if p.Contact != "" {
				msg(p, Out, demoMessages[3])
			}
			if g.pick(5) == 0 {
				step(Step{Action: ActDeclinedToRespond, Party: p.ID})
			} else {
				step(Step{Action: ActResponded, Party: p.ID})
				msg(p, In, demoMessages[4+g.pick(2)])
			}
		}
		step(Step{Action: ActStartReview})
		if reached(target) {
			return
		}
		step(Step{Action: ActConcludeReview, Text: "The perspectives agree on what happened."})
		if reached(target) {
			return
		}
		for _, p := range c.Parties {
			if (p.Role == RoleReporter || p.Role == RoleReported) && p.Contact != "" {
				step(Step{Action: ActRequestFeedback, Party: p.ID})
			}
		}
		if outcome == OutcomeResolvedByParties || outcome == OutcomeMediatedAgreement {
			for _, p := range c.Parties {
				step(Step{Action: ActConsent, Party: p.ID})
			}
			step(Step{Action: ActRecordAgreement, Outcome: outcome})
		} else {
			if outcome == "" || short[outcome] != "" {
				outcome = OutcomeNoViolation
			}
			step(Step{Action: ActOpenVote, Outcome: outcome})
			for _, m := range g.data.Roster.Readers(c)[:3] {
				step(Step{Action: ActVote, Member: m.ID, Choice: For})
			}
			step(Step{Action: ActCloseVote})
		}
		if reached(target) {
			return
		}
		step(Step{Action: ActDecide})
	}
	if reached(target) {
		return
	}
	for _, p := range c.Parties {
		if p.Contact != "" && p.KnowsOfCase(c) {
			step(Step{Action: ActInform, Party: p.ID})
			msg(p, Out, demoMessages[8])
		}
	}
	if target == StageFollowUp || g.pick(2) == 0 {
		step(Step{Action: ActScheduleFollowUp})
		if target == StageFollowUp {
			c.FollowUpOn = g.opts.Config.StartOfDay(g.opts.Now.Add(time.Duration(g.pick(10)) * 24 * time.Hour))
			return
		}
		step(Step{Action: ActClose, Text: "Followed up; no further problems reported."})
	} else {
		step(Step{Action: ActClose})
	}
}

// fill adds notes, status updates and more correspondence up to the
// wanted number of messages, at times within the case's life so far.
func (g *demoGen) fill(c *Case, last time.Time) {
	// Correspondence goes only to and from parties who know of the case,
	// after they learned of it.
	var known []*Party
	from := last
	for _, p := range c.Parties {
		if p.KnowsOfCase(c) {
			known = append(known, p)
			since := p.ContactedAt
			if p.Role == RoleReporter {
				since = c.AcknowledgedAt
			}
			if since.Before(from) {
				from = since
			}
		}
	}
	span := last.Sub(from)
	at := func() time.Time {
		if span <= 0 {
			return last
		}
		return from.Add(time.Duration(g.rng.Int64N(int64(span))))
	}
	if g.pick(2) == 0 {
		c.Notes = append(c.Notes, &Note{ID: c.nextID("n"), At: last, Author: g.data.Roster.Me,
			Text: demoCommitteeNotes[g.pick(len(demoCommitteeNotes))]})
	}
	// Weekly updates sent so far, mostly on time; the latest sometimes not.
	cfg := g.opts.Config
	if owed := c.UpdatesOwed(cfg); len(owed) > 0 {
		for _, u := range owed {
			p := c.Party(u.PartyID)
			for due := u.Due; due.Before(g.opts.Now.Add(-3 * 24 * time.Hour)); due = cfg.addDays(due, cfg.UpdateEveryDays) {
				if g.pick(4) == 0 {
					break
				}
				p.LastUpdateAt = due
				g.data.Messages[c.ID] = append(g.data.Messages[c.ID], &Message{ID: c.nextID("msg"), At: due, PartyID: p.ID,
					Direction: Out, Channel: ChannelEmail, Text: demoMessages[6], StatusUpdate: true,
					Visibility: Visibility{SharedWith: []string{p.ID}}})
			}
		}
	}
	for len(g.data.Messages[c.ID]) < g.opts.Messages && len(known) > 0 {
		p := known[g.pick(len(known))]
		dir := Direction([]string{"in", "out"}[g.pick(2)])
		m := &Message{ID: c.nextID("msg"), At: at(), PartyID: p.ID, Direction: dir, Channel: ChannelEmail,
			Text: demoMessages[g.pick(len(demoMessages))]}
		if dir == Out {
			m.Visibility = Visibility{SharedWith: []string{p.ID}}
		}
		g.data.Messages[c.ID] = append(g.data.Messages[c.ID], m)
	}
}

// AddDemo adds synthetic cases made by Demo to the store, and returns how
// many cases and messages it added. An empty roster gets the demo's
// synthetic committee; otherwise the cases name the roster's members.
func (s *Store) AddDemo(opts DemoOptions) (cases, messages int, err error) {
	d := Demo(opts)
	if len(s.Roster().Members) == 0 {
		if err := s.UpdateRoster(func(r *Roster) error { *r = *d.Roster; return nil }); err != nil {
			return 0, 0, err
		}
	} else {
		d.useRoster(s.Roster())
	}
	if _, err := s.Import(d.Cases, d.Messages); err != nil {
		return 0, 0, err
	}
	for _, m := range d.Messages {
		messages += len(m)
	}
	// Written all at once, the cases lie in tables Badger would compact in
	// the background of the next unlock, holding memory while it does. A
	// vault filled over years has settled; settle this one now. The cases
	// are in either way: should compacting fail (a full disk), Badger
	// compacts later, and the next change says what is wrong.
	_ = s.st.Compact()
	return len(d.Cases), messages, nil
}

// useRoster points the demo's member IDs at the existing roster, so
// that responders and votes name real members of this vault's roster.
func (d *DemoData) useRoster(r *Roster) {
	active := r.Active()
	if len(active) == 0 {
		return
	}
	ids := map[string]string{}
	for i, m := range d.Roster.Members {
		ids[m.ID] = active[i%len(active)].ID
	}
	for _, k := range d.Cases {
		if k.Responder != "" {
			k.Responder = ids[k.Responder]
		}
		for _, x := range k.Conflicts {
			x.MemberID = ids[x.MemberID]
		}
		for _, p := range k.Parties {
			if p.MemberID != "" {
				// The party is that member: their name, not the
				// demo member's, so that a report about a member names
				// the one it shuts out.
				p.MemberID = ids[p.MemberID]
				if m := r.Member(p.MemberID); m != nil {
					p.Name, p.Contact = m.Name, m.Contact
				}
			}
		}
		for _, v := range k.Votes {
			b := map[string]Choice{}
			for m, ch := range v.Ballots {
				b[ids[m]] = ch
			}
			v.Ballots = b
		}
		for _, e := range k.History {
			if e.Member != "" {
				e.Member = ids[e.Member]
			}
		}
	}
}
