package export

import (
	"cmp"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"slices"
	"strings"
	"time"

	"casebook/app"
)

// The anonymized archive: one record per case with nothing that
// identifies anyone, and the transparency report made from the records
// (see stats.go). BuildArchive is pure: it reads the cases and writes
// nothing; WriteArchive (archivefiles.go) lays the archive out as files.
//
// The rules, which docs/archive.md states for readers of the archive:
//   - People become role pseudonyms within each case ("Reporter A",
//     "Reported person B", "Witness C"): no names, handles or contacts.
//   - Each case gets a fresh random archive ID, not its code name and not
//     a sequence; a new export gives new IDs.
//   - Dates become a year and quarter (in the committee's time zone);
//     durations become whole days, rounded down.
//   - Free text is left out, except the archive summary a member writes,
//     scrubbed by a Scrubber of every identity the vault knows and every
//     contact detail; the case's own people become their pseudonyms.
//   - Evidence, correspondence, notes, decisions' texts and votes are
//     left out.

// ArchiveFormat names the archive's file format; ArchiveFormatVersion is
// its version, raised when a field changes meaning or goes away.
const (
	ArchiveFormat        = "casebook-archive"
	ArchiveFormatVersion = 1
)

// The k of the transparency report: every number in it counts at least k
// cases.
const (
	DefaultK = 5
	MinK     = 3
)

// ArchiveInput is what an archive is made from.
type ArchiveInput struct {
	// Cases are the cases to archive; those received outside [From,
	// Until) are left out.
	Cases []*app.Case
	// Identities are every name, pseudonym, handle and contact the vault
	// knows (app.Store.Identities), to scrub from the summaries. The
	// people of Cases are scrubbed whether or not they are here.
	Identities []app.Identity
	// Expunged are the counts of expunged cases; those received in a
	// quarter that does not overlap [From, Until) are left out.
	Expunged []app.ExpungedCount
	// Location is the committee's time zone, in which quarters are
	// counted; nil means UTC.
	Location *time.Location
	// From and Until bound the dates received; zero means no bound.
	From, Until time.Time
}

// ArchiveOptions tune an archive.
type ArchiveOptions struct {
	// K is the smallest group the report shows; 0 means DefaultK. Below
	// MinK is refused.
	K int
	// Seed, when set, makes the archive IDs (and so every file) the same
	// each time, for tests and to reproduce an export; otherwise they
	// come from crypto/rand.
	Seed *uint64
	// Generated is when the archive is made (zero: now); only its day is
	// shown.
	Generated time.Time
	// Program is the version of Casebook that makes it.
	Program string
	// unscrubbed leaves the summaries as written. Tests use it to show
	// that their search for names would find any that got through.
	unscrubbed bool
}

// ArchiveParty is one person of a case, by role only.
type ArchiveParty struct {
	// Pseudonym is the role and a letter, unique within the case:
	// "Reporter A", "Reported person B", "Witness C", "Other person D".
	Pseudonym string   `json:"pseudonym"`
	Role      app.Role `json:"role"`
}

// Outcome groups, as the transparency report counts outcomes.
const (
	GroupAction    = "action-taken"
	GroupNoAction  = "no-action"
	GroupUndecided = "undecided"
)

// ArchiveRecord is one case in the archive. docs/archive.md describes
// each field; assets/archive.schema.json is its schema.
type ArchiveRecord struct {
	ArchiveID  string           `json:"archive_id"`
	Year       int              `json:"year"`
	Quarter    int              `json:"quarter"`
	Channel    app.Channel      `json:"channel"`
	Category   *app.Category    `json:"category"`
	Reporter   app.ReporterKind `json:"reporter"`
	Parties    []ArchiveParty   `json:"parties"`
	Urgent     bool             `json:"urgent"`
	RecordOnly bool             `json:"record_only"`
	Status     string           `json:"status"` // "open" or "closed"
	Stage      app.Stage        `json:"stage"`
	Outcome    *app.Outcome     `json:"outcome"`
	Action     string           `json:"action"` // GroupAction, GroupNoAction or GroupUndecided
	Appealed   bool             `json:"appealed"`
	// Days from receipt to the acknowledgement, the final decision and
	// the closing; nil when it has not happened.
	DaysToAcknowledge *int   `json:"days_to_acknowledge"`
	DaysToResolve     *int   `json:"days_to_resolve"`
	DaysToClose       *int   `json:"days_to_close"`
	Summary           string `json:"summary"`

	// reported is a key per reported person, to count the people named
	// in the report; it never leaves the package.
	reported []string
}

// Archive is an archive ready to be written.
type Archive struct {
	Records  []ArchiveRecord
	Report   *TransparencyReport
	Manifest Manifest
}

// BuildArchive makes the archive of the cases in, with the transparency
// report and the manifest (without its file hashes, which WriteArchive
// adds). It reads and writes nothing else.
func BuildArchive(in ArchiveInput, opts ArchiveOptions) (*Archive, error) {
	if opts.K == 0 {
		opts.K = DefaultK
	}
	if opts.Generated.IsZero() {
		opts.Generated = time.Now()
	}
	if opts.K < MinK {
		return nil, fmt.Errorf("%w: k must be at least %d", app.ErrInvalid, MinK)
	}
	if !in.From.IsZero() && !in.Until.IsZero() && !in.From.Before(in.Until) {
		return nil, fmt.Errorf("%w: the start of the period must come before its end", app.ErrInvalid)
	}
	loc := in.Location
	if loc == nil {
		loc = time.UTC
	}
	var cases []*app.Case
	for _, c := range in.Cases {
		if (in.From.IsZero() || !c.Received.Before(in.From)) && (in.Until.IsZero() || c.Received.Before(in.Until)) {
			cases = append(cases, c)
		}
	}
	// IDs are drawn in the order received, so that a seed gives the same
	// IDs for the same cases whatever order they come in.
	slices.SortFunc(cases, func(a, b *app.Case) int {
		return cmp.Or(a.Received.Compare(b.Received), cmp.Compare(a.ID, b.ID))
	})
	ids := slices.Clone(in.Identities)
	for _, c := range cases {
		for _, p := range c.Parties {
			ids = append(ids, app.Identity{Name: p.Name, Pseudonym: p.Pseudonym, Handle: p.Handle, Contact: p.Contact})
		}
	}
	scrub := NewScrubber(ids)
	next := idSource(opts.Seed)
	seen := map[string]bool{}
	a := &Archive{Records: make([]ArchiveRecord, 0, len(cases))}
	removed := 0
	for _, c := range cases {
		id := next()
		for seen[id] {
			id = next()
		}
		seen[id] = true
		r, n := anonymize(c, id, loc, scrub, opts.unscrubbed)
		a.Records = append(a.Records, r)
		removed += n
	}
	slices.SortFunc(a.Records, func(x, y ArchiveRecord) int {
		return cmp.Or(cmp.Compare(x.Year, y.Year), cmp.Compare(x.Quarter, y.Quarter), cmp.Compare(x.ArchiveID, y.ArchiveID))
	})
	expunged := expungedIn(in.Expunged, in.From, in.Until, loc)
	a.Report = buildReport(a.Records, expunged, reportRange{in.From, in.Until, loc}, opts)
	a.Manifest = buildManifest(a, expunged, removed, in, opts)
	return a, nil
}

// idSource returns a function giving fresh archive IDs: 16 hexadecimal
// digits from crypto/rand, or from a ChaCha8 stream when seeded.
func idSource(seed *uint64) func() string {
	read := func(b []byte) { rand.Read(b) }
	if seed != nil {
		var key [32]byte
		binary.LittleEndian.PutUint64(key[:], *seed)
		copy(key[8:], "casebook archive ids")
		r := mrand.NewChaCha8(key)
		read = func(b []byte) { r.Read(b) }
	}
	return func() string {
		var b [8]byte
		read(b[:])
		return hex.EncodeToString(b[:])
	}
}

// AnonymizeCase makes the archive record of c under the archive ID id,
// with quarters in loc and the archive summary scrubbed by s (nil: a
// scrubber that knows only the case's own people).
func AnonymizeCase(c *app.Case, id string, loc *time.Location, s *Scrubber) ArchiveRecord {
	if s == nil {
		var ids []app.Identity
		for _, p := range c.Parties {
			ids = append(ids, app.Identity{Name: p.Name, Pseudonym: p.Pseudonym, Handle: p.Handle, Contact: p.Contact})
		}
		s = NewScrubber(ids)
	}
	r, _ := anonymize(c, id, loc, s, false)
	return r
}

// roleLabels are the words of the role pseudonyms.
var roleLabels = map[app.Role]string{
	app.RoleReporter: "Reporter",
	app.RoleReported: "Reported person",
	app.RoleWitness:  "Witness",
	app.RoleOther:    "Other person",
}

// anonymize makes the record of c and counts what scrubbing removed.
func anonymize(c *app.Case, id string, loc *time.Location, s *Scrubber, raw bool) (ArchiveRecord, int) {
	if loc == nil {
		loc = time.UTC
	}
	y, q := app.YearQuarter(c.Received, loc)
	r := ArchiveRecord{
		ArchiveID:  id,
		Year:       y,
		Quarter:    q,
		Channel:    c.Channel,
		Reporter:   c.ReporterKind,
		Parties:    make([]ArchiveParty, 0, len(c.Parties)),
		Urgent:     c.Urgent,
		RecordOnly: c.RecordOnly,
		Status:     "open",
		Stage:      c.Stage,
		Action:     GroupUndecided,
		Appealed:   len(c.Appeals) > 0,
	}
	if c.Category.Valid() {
		cat := c.Category
		r.Category = &cat
	}
	if c.Closed() {
		r.Status = "closed"
	}
	people := make([]app.Identity, len(c.Parties))
	markers := make([]string, len(c.Parties))
	for i, p := range c.Parties {
		label := roleLabels[p.Role]
		if label == "" {
			label = roleLabels[app.RoleOther]
		}
		ap := ArchiveParty{Pseudonym: label + " " + letters(i), Role: p.Role}
		if roleLabels[p.Role] == "" {
			ap.Role = app.RoleOther
		}
		r.Parties = append(r.Parties, ap)
		people[i] = app.Identity{Name: p.Name, Pseudonym: p.Pseudonym, Handle: p.Handle, Contact: p.Contact}
		markers[i] = "[" + ap.Pseudonym + "]"
		if p.Role == app.RoleReported {
			r.reported = append(r.reported, personKey(p))
		}
	}
	// An outcome counts once it is final; a case under appeal is
	// undecided again.
	if c.Outcome != "" && c.Stage.Index() >= app.StageInforming.Index() {
		o := c.Outcome
		r.Outcome = &o
		r.Action = GroupNoAction
		if o.Upholds() {
			r.Action = GroupAction
		}
		r.DaysToResolve = wholeDays(c.Received, c.DecidedAt)
	}
	r.DaysToAcknowledge = wholeDays(c.Received, c.AcknowledgedAt)
	if c.Closed() {
		r.DaysToClose = wholeDays(c.Received, c.ClosedAt)
	}
	n := 0
	switch {
	case raw:
		r.Summary = c.ArchiveSummary
	case c.ArchiveSummary != "":
		r.Summary, n = s.Scrub(c.ArchiveSummary, s.MarkersFor(people, markers))
	}
	return r, n
}

// personKey tells reported people apart across cases, to count the
// people named: the folded name, else the handle, else the contact; ""
// for someone unnamed, who counts on their own.
func personKey(p *app.Party) string {
	for _, s := range []string{p.Name, strings.TrimLeft(p.Handle, "@"), p.Contact} {
		if t := app.Tokens(s); len(t) > 0 {
			return strings.Join(t, " ")
		}
	}
	return ""
}

// letters numbers a party within its case: A … Z, then AA, AB, ….
func letters(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

// wholeDays is the number of whole days from a to b, or nil when b is
// zero; never negative.
func wholeDays(a, b time.Time) *int {
	if b.IsZero() {
		return nil
	}
	d := max(int(b.Sub(a)/(24*time.Hour)), 0)
	return &d
}

// expungedIn keeps the counts of quarters that overlap [from, until).
func expungedIn(counts []app.ExpungedCount, from, until time.Time, loc *time.Location) []app.ExpungedCount {
	var out []app.ExpungedCount
	for _, e := range counts {
		start := time.Date(e.Year, time.Month(3*(e.Quarter-1)+1), 1, 0, 0, 0, 0, loc)
		end := start.AddDate(0, 3, 0)
		if (from.IsZero() || end.After(from)) && (until.IsZero() || start.Before(until)) && e.Cases > 0 {
			out = append(out, e)
		}
	}
	return out
}

// ArchiveSource is what an archive needs of the case book; *app.Store
// has it.
type ArchiveSource interface {
	ViewCases(fn func([]*app.Case) error) error
	Identities() []app.Identity
	Expunged() ([]app.ExpungedCount, error)
	Config() app.Config
	WholeCaseBook() error
}

// ErrArchiveShutOut means the member is shut out of some cases, so the
// archive is not theirs to export: it would leave those cases out of the
// committee's records, and what its scrubbing takes out of the others
// would tell the member who is in them.
var ErrArchiveShutOut = errors.New("you are shut out of some cases, so the archive, which covers every case, is for a member shut out of none to export")

// ErrArchiveNoMe means the vault does not say which member uses it and
// some case shuts a member out: whether that is its member, and so whether
// the archive is theirs to export (ErrArchiveShutOut), cannot be told.
var ErrArchiveNoMe = errors.New("this vault does not say which member uses it, and some case shuts a member out, so the archive, which covers every case, cannot be exported from it until it does")

// BuildArchiveFrom builds the archive of the cases received in [from,
// until) (zero: not bounded) in the case book, scrubbed of every identity
// the vault knows, with the counts of expunged cases. It refuses a member
// shut out of any case (ErrArchiveShutOut), and a vault that does not say
// which member uses it where a case shuts one out (ErrArchiveNoMe). The archive keeps nothing of the cases it was built
// from.
func BuildArchiveFrom(src ArchiveSource, from, until time.Time, opts ArchiveOptions) (*Archive, error) {
	if err := src.WholeCaseBook(); errors.Is(err, app.ErrShutOut) {
		return nil, ErrArchiveShutOut
	} else if errors.Is(err, app.ErrNoMe) {
		return nil, ErrArchiveNoMe
	} else if err != nil {
		return nil, err
	}
	exp, err := src.Expunged()
	if err != nil {
		return nil, err
	}
	in := ArchiveInput{Identities: src.Identities(), Expunged: exp, Location: src.Config().Location(), From: from, Until: until}
	var a *Archive
	err = src.ViewCases(func(cases []*app.Case) error {
		in.Cases = cases
		a, err = BuildArchive(in, opts)
		return err
	})
	return a, err
}
