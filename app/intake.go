package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"casebook/assets"
)

// The intake is the JSON a report arrives as, for
// `casebook case new --from FILE.json` and the desktop form. Its published
// schema is assets/intake.schema.json; docs/intake.md describes it in
// words. ParseIntake checks a document against the schema, decodes it and
// then checks what the schema cannot say; Validate makes the second kind
// of check on an Intake a form has filled. Problems never quote what the
// report says, only where and what is wrong.

// ErrInvalid means input was refused as a whole because something in it is
// wrong. Errors that wrap it, such as *InvalidError, say what.
var ErrInvalid = errors.New("invalid input")

// MaxIntakeBytes is the largest intake document ParseIntake reads: 1 MiB.
const MaxIntakeBytes = 1 << 20

// Length limits of the intake's text fields, in Unicode characters. The
// schema says the same; a test keeps the two in step.
const (
	maxReceivedLen    = 64
	maxSummaryLen     = 500
	maxDescriptionLen = 100_000
	maxWhenWhereLen   = 1000
	maxPriorLen       = 20_000
	maxNameLen        = 200 // names, pseudonyms, handles
	maxContactLen     = 500
	maxRelationLen    = 1000
	maxMemberIDLen    = 100
	maxURLLen         = 2048
	maxNoteLen        = 5000
	maxPeople         = 100
	maxEvidence       = 200
)

// The years a report can have been received in.
const minReceivedYear, maxReceivedYear = 1900, 9999

// Problem is one thing wrong with an input.
type Problem struct {
	// Path names the field, like "people[1].role" or "reporter.name";
	// it is empty when the problem is with the input as a whole.
	Path string `json:"path"`
	// Message says what is wrong, in plain words, without quoting the
	// input.
	Message string `json:"message"`
}

// String returns "path: message", or the message alone for the whole
// input.
func (p Problem) String() string {
	if p.Path == "" {
		return p.Message
	}
	return p.Path + ": " + p.Message
}

// InvalidError is input refused whole, with every problem found in it.
// errors.Is(err, ErrInvalid) holds for it.
type InvalidError struct {
	// What names what was checked, such as "intake"; "input" when empty.
	What     string
	Problems []Problem
}

// maxListedProblems bounds how many problems Error spells out.
const maxListedProblems = 20

// Error lists the problems: "intake has 2 problems: people[0].role: must
// be one of reported, witness, other; summary: required".
func (e *InvalidError) Error() string {
	what := orDefault(e.What, "input")
	var b strings.Builder
	switch n := len(e.Problems); n {
	case 0:
		return what + " is invalid"
	case 1:
		fmt.Fprintf(&b, "%s has 1 problem: ", what)
	default:
		fmt.Fprintf(&b, "%s has %d problems: ", what, n)
	}
	for i, p := range e.Problems {
		if i == maxListedProblems {
			fmt.Fprintf(&b, "; and %d more", len(e.Problems)-i)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// Is reports whether target is ErrInvalid.
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

// orDefault returns s, or def when s is empty.
func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Intake is a report as it arrives, before it becomes a Case.
type Intake struct {
	// Received is when the report reached the committee.
	Received      time.Time        `json:"-"`
	Channel       Channel          `json:"channel"`
	Summary       string           `json:"summary"`
	Category      Category         `json:"category,omitempty"`
	Description   string           `json:"description,omitempty"`
	When          string           `json:"when,omitempty"`
	Where         string           `json:"where,omitempty"`
	Reporter      *IntakeReporter  `json:"reporter,omitempty"` // nil: no reporter
	People        []IntakePerson   `json:"people,omitempty"`
	Evidence      []IntakeEvidence `json:"evidence,omitempty"`
	PriorAttempts string           `json:"prior_attempts,omitempty"`
	Ongoing       bool             `json:"ongoing,omitempty"`
	RecordOnly    bool             `json:"record_only,omitempty"`
	Urgent        bool             `json:"urgent,omitempty"`
}

// IntakeReporter is who reports: identified by name, or anonymous.
type IntakeReporter struct {
	Anonymous bool `json:"anonymous,omitempty"`
	// Name is an identified reporter's name; an anonymous reporter has
	// none.
	Name string `json:"name,omitempty"`
	// Pseudonym is what to call an anonymous reporter.
	Pseudonym    string `json:"pseudonym,omitempty"`
	Contact      string `json:"contact,omitempty"`
	Relationship string `json:"relationship,omitempty"`
}

// IntakePerson is someone involved besides the reporter.
type IntakePerson struct {
	Name    string `json:"name,omitempty"`
	Handle  string `json:"handle,omitempty"`
	Contact string `json:"contact,omitempty"`
	// Role is RoleReported, RoleWitness or RoleOther.
	Role Role `json:"role"`
	// CommitteeMember flags a sitting member of the committee.
	CommitteeMember bool   `json:"committee_member,omitempty"`
	MemberID        string `json:"member_id,omitempty"`
}

// IntakeEvidence is a link, or a note saying what the evidence is.
type IntakeEvidence struct {
	URL  string `json:"url,omitempty"`
	Note string `json:"note,omitempty"`
}

// intakeDoc is the intake with received as the text it arrives as.
type intakeDoc struct {
	Received string `json:"received,omitempty"`
	*plainIntake
}

// plainIntake is Intake without its methods, to embed in intakeDoc.
type plainIntake Intake

// MarshalJSON writes the intake in the format ParseIntake reads, with
// received as an RFC 3339 timestamp.
func (in Intake) MarshalJSON() ([]byte, error) {
	d := intakeDoc{plainIntake: (*plainIntake)(&in)}
	if !in.Received.IsZero() {
		d.Received = in.Received.Format(time.RFC3339Nano)
	}
	return json.Marshal(d)
}

// ReporterKind tells whether the intake has an identified reporter, an
// anonymous one or none.
func (in *Intake) ReporterKind() ReporterKind {
	switch {
	case in.Reporter == nil:
		return ReporterNone
	case in.Reporter.Anonymous:
		return ReporterAnonymous
	}
	return ReporterIdentified
}

// ParseIntake reads an intake document of at most MaxIntakeBytes, checks
// it against the published schema and the rules the schema cannot say,
// and returns it with surrounding spaces trimmed from its text. A plain
// date in "received" means 00:00 that day in loc (UTC when loc is nil); a
// timestamp keeps its instant and is expressed in loc. Bad input gives an
// *InvalidError that lists every problem found.
func ParseIntake(r io.Reader, loc *time.Location) (*Intake, error) {
	if loc == nil {
		loc = time.UTC
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxIntakeBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading the intake: %w", err)
	}
	invalid := func(ps ...Problem) error { return &InvalidError{What: "intake", Problems: ps} }
	if len(data) > MaxIntakeBytes {
		return nil, invalid(Problem{Message: "is larger than 1 MiB; shorten the description or link to long material as evidence"})
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF")) // editors on Windows write a byte order mark
	if !utf8.Valid(data) {
		// encoding/json would replace the bad bytes, and a name saved in
		// another encoding would silently become "Zo\uFFFD".
		return nil, invalid(Problem{Message: "is not UTF-8 text (" + jsonPosition(data, firstInvalidUTF8(data)+1) + "); save the file as UTF-8"})
	}
	doc, p := decodeJSON(data)
	if p != nil {
		return nil, invalid(*p)
	}

	var typed, others []Problem
	if err := intakeSchema().schema.Validate(doc); err != nil {
		var verr *jsonschema.ValidationError
		if !errors.As(err, &verr) {
			return nil, fmt.Errorf("checking the intake: %w", err)
		}
		typed, others = schemaProblems(doc, verr)
	}

	// The schema has said what is wrong with types, so decode as best
	// we can: a value of the wrong type is left at its zero value. Drop
	// unknown fields first, as encoding/json would take "Summary" for
	// "summary"; the schema has named them.
	dropUnknownFields(doc)
	known, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("checking the intake: %w", err)
	}
	in := &Intake{}
	d := intakeDoc{plainIntake: (*plainIntake)(in)}
	if err := json.Unmarshal(known, &d); err != nil && len(typed)+len(others) == 0 {
		return nil, invalid(Problem{Message: "could not be read: " + plainJSONError(err)})
	}
	var decoded []Problem
	if d.Received != "" {
		if t, ok := parseReceived(d.Received, loc); ok {
			in.Received = t
		} else {
			decoded = append(decoded, Problem{"received", msgReceived})
		}
	}

	if ps := mergeProblems(typed, decoded, in.Validate(), others); len(ps) > 0 {
		return nil, invalid(ps...)
	}
	in.trim()
	return in, nil
}

const msgReceived = "must be a date like 2026-11-02 or an RFC 3339 timestamp like 2026-11-02T14:30:00+01:00"

// parseReceived reads a date, meaning its first moment in loc, or an RFC
// 3339 timestamp.
func parseReceived(s string, loc *time.Location) (time.Time, bool) {
	if len(s) == len(time.DateOnly) {
		t, err := time.ParseInLocation(time.DateOnly, s, loc)
		return t, err == nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, false
	}
	return t.In(loc), true
}

// decodeJSON reads one JSON value, keeping numbers exact as the schema
// library wants. A syntax error is a problem saying where it is.
func decodeJSON(data []byte) (any, *Problem) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &Problem{Message: "is empty; expected a JSON object"}
	}
	if off := tooDeep(data, maxIntakeDepth); off >= 0 {
		return nil, &Problem{Message: fmt.Sprintf("is not an intake: %s: arrays and objects nest more than %d levels deep", jsonPosition(data, off+1), maxIntakeDepth)}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		off := len(data) // io.ErrUnexpectedEOF: the text ended early
		if serr, ok := errors.AsType[*json.SyntaxError](err); ok {
			off = int(serr.Offset)
		}
		return nil, &Problem{Message: "is not valid JSON: " + jsonPosition(data, off) + ": " + plainJSONError(err)}
	}
	rest := dec.InputOffset()
	for rest < int64(len(data)) && strings.IndexByte(" \t\r\n", data[rest]) >= 0 {
		rest++
	}
	if rest < int64(len(data)) {
		return nil, &Problem{Message: "is not valid JSON: " + jsonPosition(data, int(rest)+1) + ": more text after the end of the object"}
	}
	if p := duplicateField(data); p != nil {
		return nil, p
	}
	return doc, nil
}

// maxIntakeDepth bounds how deeply an intake's arrays and objects nest.
// An intake needs three levels (the document, people, a person); checking
// a value nested thousands of levels deep costs the schema library time
// and memory that grow with the square of the depth.
const maxIntakeDepth = 32

// tooDeep returns the offset of the first '[' or '{' in data, outside
// strings, that opens a level deeper than limit; or -1.
func tooDeep(data []byte, limit int) int {
	depth, inString, escaped := 0, false, false
	for i, c := range data {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			if depth++; depth > limit {
				return i
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return -1
}

// duplicateField finds the first field given twice in one object of a
// JSON text known to be valid. encoding/json keeps the last of the two
// silently, while a person or another program reading the file may see
// the first: the intake would not be what it seems.
func duplicateField(data []byte) *Problem {
	type frame struct {
		keys  map[string]bool // nil for an array
		path  string
		index int    // the next element, in an array
		key   string // the field whose value comes next, in an object
		inKey bool   // whether key is set
	}
	var stack []*frame
	child := func() string {
		if len(stack) == 0 {
			return ""
		}
		f := stack[len(stack)-1]
		if f.keys == nil {
			return fmt.Sprintf("%s[%d]", f.path, f.index)
		}
		if f.path == "" {
			return f.key
		}
		return f.path + "." + f.key
	}
	// done moves past a value in the enclosing array or object.
	done := func() {
		if len(stack) > 0 {
			f := stack[len(stack)-1]
			f.index++
			f.key, f.inKey = "", false
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		top := (*frame)(nil)
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch tok := tok.(type) {
		case json.Delim:
			switch tok {
			case '{':
				stack = append(stack, &frame{keys: map[string]bool{}, path: child()})
			case '[':
				stack = append(stack, &frame{path: child()})
			default:
				stack = stack[:len(stack)-1]
				done()
			}
		case string:
			if top != nil && top.keys != nil && !top.inKey {
				top.key, top.inKey = tok, true
				if top.keys[tok] {
					return &Problem{Path: child(), Message: "is given twice; give each field once"}
				}
				top.keys[tok] = true
				continue
			}
			done()
		default:
			done()
		}
	}
}

// firstInvalidUTF8 returns the index of the first byte of data that is
// not part of valid UTF-8.
func firstInvalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(data)
}

// dropUnknownFields removes from an intake document the fields the
// format does not have, at every level.
func dropUnknownFields(doc any) {
	keep := func(v any, fields []string) {
		if m, ok := v.(map[string]any); ok {
			maps.DeleteFunc(m, func(k string, _ any) bool { return !slices.Contains(fields, k) })
		}
	}
	each := func(v any, fields []string) {
		if list, ok := v.([]any); ok {
			for _, item := range list {
				keep(item, fields)
			}
		}
	}
	sch := intakeSchema()
	keep(doc, sch.fields[""])
	if top, ok := doc.(map[string]any); ok {
		keep(top["reporter"], sch.fields["reporter"])
		each(top["people"], sch.fields["person"])
		each(top["evidence"], sch.fields["evidence"])
	}
}

// jsonPosition names the line and column of the byte before offset, counting
// from 1 and in characters.
func jsonPosition(data []byte, off int) string {
	off = min(max(off, 1), len(data))
	before := data[:off-1]
	line := bytes.Count(before, []byte("\n")) + 1
	start := bytes.LastIndexByte(before, '\n') + 1
	col := utf8.RuneCount(data[start:off])
	return fmt.Sprintf("line %d, column %d", line, col)
}

// plainJSONError words an encoding/json error for people.
func plainJSONError(err error) string {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "the text ends before the JSON does"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// trim removes surrounding spaces from every text of the intake, and
// makes empty lists nil.
func (in *Intake) trim() {
	t := strings.TrimSpace
	in.Summary, in.Description, in.When, in.Where, in.PriorAttempts =
		t(in.Summary), t(in.Description), t(in.When), t(in.Where), t(in.PriorAttempts)
	if r := in.Reporter; r != nil {
		r.Name, r.Pseudonym, r.Contact, r.Relationship = t(r.Name), t(r.Pseudonym), t(r.Contact), t(r.Relationship)
	}
	for i := range in.People {
		p := &in.People[i]
		p.Name, p.Handle, p.Contact, p.MemberID = t(p.Name), t(p.Handle), t(p.Contact), t(p.MemberID)
	}
	for i := range in.Evidence {
		e := &in.Evidence[i]
		e.URL, e.Note = t(e.URL), t(e.Note)
	}
	if len(in.People) == 0 {
		in.People = nil
	}
	if len(in.Evidence) == 0 {
		in.Evidence = nil
	}
}

// Messages the semantic checks and the schema mapping share, so that the
// same rule reads the same from either.
const (
	msgRequired   = "required"
	msgLeaveOut   = "must be left out"
	msgNotBlank   = "must not be blank"
	msgOneLine    = "must be one line, without control characters"
	msgNoControl  = "must not contain control characters"
	msgNoBidi     = "must not contain text-direction controls (U+202A to U+202E, U+2066 to U+2069), which can make it read as other text"
	msgURL        = "must be a web link starting with http:// or https://"
	msgAnonName   = "must be left out for an anonymous reporter: a name defeats anonymity (a pseudonym may say what to call them)"
	msgIdentName  = "required for an identified reporter (set anonymous to true for an anonymous one)"
	msgPseudonym  = "only for an anonymous reporter"
	msgPersonName = "required when there is no handle"
	msgMemberID   = "only for a committee member: set committee_member to true"
	msgNote       = "required when there is no url"
)

func msgTooLong(got, limit int) string {
	return fmt.Sprintf("is too long: %s characters, at most %s", thousands(got), thousands(limit))
}

func msgTooMany(got, limit int) string {
	return fmt.Sprintf("has %s entries, at most %s", thousands(got), thousands(limit))
}

func msgOneOf[T ~string](values []T) string {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = string(v)
	}
	return "must be one of " + strings.Join(s, ", ")
}

// thousands writes n with commas between groups of three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 || len(s) <= 3 {
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// personRoles are the roles a person other than the reporter can have.
var personRoles = []Role{RoleReported, RoleWitness, RoleOther}

// Validate lists what is wrong with the intake by the rules of the intake
// format: what is required, allowed values, lengths, and the rules across
// fields, such as that an anonymous reporter has no name. It checks an
// Intake however it was filled, by ParseIntake or by a form; it returns
// nil when there is nothing wrong.
func (in *Intake) Validate() []Problem {
	var c intakeChecker
	switch y := in.Received.Year(); {
	case in.Received.IsZero():
		c.add("received", msgRequired)
	case y < minReceivedYear || y > maxReceivedYear:
		c.add("received", fmt.Sprintf("must be in the years %d to %d", minReceivedYear, maxReceivedYear))
	}
	switch {
	case in.Channel == "":
		c.add("channel", msgRequired)
	case !slices.Contains(Channels, in.Channel):
		c.add("channel", msgOneOf(Channels))
	}
	if isBlank(in.Summary) {
		c.add("summary", msgRequired)
	}
	c.text("summary", in.Summary, maxSummaryLen)
	if in.Category != "" && !in.Category.Valid() {
		c.add("category", msgOneOf(Categories))
	}
	c.text("description", in.Description, maxDescriptionLen)
	c.text("when", in.When, maxWhenWhereLen)
	c.text("where", in.Where, maxWhenWhereLen)
	c.text("prior_attempts", in.PriorAttempts, maxPriorLen)

	if r := in.Reporter; r != nil {
		if r.Anonymous {
			if r.Name != "" {
				c.add("reporter.name", msgAnonName)
			}
		} else {
			if isBlank(r.Name) {
				c.add("reporter.name", msgIdentName)
			}
			if r.Pseudonym != "" {
				c.add("reporter.pseudonym", msgPseudonym)
			}
		}
		c.line("reporter.name", r.Name, maxNameLen)
		c.line("reporter.pseudonym", r.Pseudonym, maxNameLen)
		c.line("reporter.contact", r.Contact, maxContactLen)
		c.text("reporter.relationship", r.Relationship, maxRelationLen)
	}

	if len(in.People) > maxPeople {
		c.add("people", msgTooMany(len(in.People), maxPeople))
	}
	for i, p := range in.People {
		at := "people[" + strconv.Itoa(i) + "]."
		if isBlank(p.Name) && isBlank(p.Handle) {
			c.add(at+"name", msgPersonName)
		}
		switch {
		case p.Role == "":
			c.add(at+"role", msgRequired)
		case p.Role == RoleReporter:
			c.add(at+"role", msgOneOf(personRoles)+" (the reporter goes under reporter)")
		case !slices.Contains(personRoles, p.Role):
			c.add(at+"role", msgOneOf(personRoles))
		}
		switch {
		case p.MemberID != "" && !p.CommitteeMember:
			c.add(at+"member_id", msgMemberID)
		case p.MemberID != "" && isBlank(p.MemberID):
			c.add(at+"member_id", msgNotBlank)
		}
		c.line(at+"name", p.Name, maxNameLen)
		c.line(at+"handle", p.Handle, maxNameLen)
		c.line(at+"contact", p.Contact, maxContactLen)
		c.line(at+"member_id", p.MemberID, maxMemberIDLen)
	}

	if len(in.Evidence) > maxEvidence {
		c.add("evidence", msgTooMany(len(in.Evidence), maxEvidence))
	}
	for i, e := range in.Evidence {
		at := "evidence[" + strconv.Itoa(i) + "]."
		switch {
		case e.URL == "" && isBlank(e.Note):
			c.add(at+"note", msgNote)
		case e.URL != "" && !isWebLink(e.URL):
			c.add(at+"url", msgURL)
		}
		if n := utf8.RuneCountInString(e.URL); n > maxURLLen {
			c.add(at+"url", msgTooLong(n, maxURLLen))
		}
		c.text(at+"note", e.Note, maxNoteLen)
	}
	return c.problems
}

// intakeChecker collects problems.
type intakeChecker struct{ problems []Problem }

func (c *intakeChecker) add(path, msg string) { c.problems = append(c.problems, Problem{path, msg}) }

// text checks a free text: its length, and no control characters but
// tabs and line breaks.
func (c *intakeChecker) text(path, s string, limit int) {
	if n := utf8.RuneCountInString(s); n > limit {
		c.add(path, msgTooLong(n, limit))
	}
	if strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r'
	}) {
		c.add(path, msgNoControl)
	}
}

// line checks a one-line text: its length, and no control characters,
// line breaks included, but for the spaces around it, which are trimmed.
func (c *intakeChecker) line(path, s string, limit int) {
	if n := utf8.RuneCountInString(s); n > limit {
		c.add(path, msgTooLong(n, limit))
	}
	if strings.ContainsFunc(strings.TrimSpace(s), unicode.IsControl) {
		c.add(path, msgOneLine)
	} else if strings.ContainsFunc(s, IsBidiControl) {
		c.add(path, msgNoBidi)
	}
}

// IsBidiControl reports whether r is one of the characters that override
// or embed the direction of text (U+202A to U+202E) or isolate it (U+2066
// to U+2069). In a name or a file name they can make it show as another
// ("Robin\u202Enimda" shows as "Robinadmin"). The marks U+200E and U+200F,
// which real right-to-left text uses, are not among them.
func IsBidiControl(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069
}

func isBlank(s string) bool { return strings.TrimSpace(s) == "" }

// isWebLink reports whether s is an absolute http or https URL with a
// host and no spaces.
func isWebLink(s string) bool {
	if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.Hostname() != ""
}

// NewCase makes the case an intake reports, at stage received: the
// reporter first (if any), then the people in order, as parties with IDs
// "p1", "p2", …, then the evidence, unverified and committee only, with
// IDs that continue the count ("e4", …). Nobody has been contacted yet.
// A person flagged as a committee member keeps the flag and the member
// ID, if given; matching them to the roster is the caller's business.
// Texts are trimmed of surrounding spaces. NewCase does not check the
// intake: call Validate first.
func (in *Intake) NewCase(id, code string, now time.Time) *Case {
	t := strings.TrimSpace
	c := &Case{
		ID:            id,
		Code:          code,
		Received:      in.Received,
		Channel:       in.Channel,
		Summary:       t(in.Summary),
		Category:      in.Category,
		Description:   t(in.Description),
		When:          t(in.When),
		Where:         t(in.Where),
		PriorAttempts: t(in.PriorAttempts),
		Ongoing:       in.Ongoing,
		RecordOnly:    in.RecordOnly,
		Urgent:        in.Urgent,
		ReporterKind:  in.ReporterKind(),
		Parties:       []*Party{},
		Stage:         StageReceived,
		History:       []*Event{{At: now, Action: ActReceive, To: StageReceived}},
	}
	if r := in.Reporter; r != nil {
		p := &Party{
			ID:           c.nextID("p"),
			Role:         RoleReporter,
			Contact:      t(r.Contact),
			Relationship: t(r.Relationship),
			Outreach:     NotContacted,
		}
		if r.Anonymous {
			p.Anonymous, p.Pseudonym = true, t(r.Pseudonym)
		} else {
			p.Name = t(r.Name)
		}
		c.Parties = append(c.Parties, p)
	}
	for _, ip := range in.People {
		p := &Party{
			ID:       c.nextID("p"),
			Role:     ip.Role,
			Name:     t(ip.Name),
			Handle:   t(ip.Handle),
			Contact:  t(ip.Contact),
			Outreach: NotContacted,
		}
		if ip.CommitteeMember {
			p.CommitteeMember, p.MemberID = true, t(ip.MemberID)
		}
		c.Parties = append(c.Parties, p)
	}
	for _, ie := range in.Evidence {
		c.Evidence = append(c.Evidence, &Evidence{
			ID:            c.nextID("e"),
			At:            now,
			URL:           t(ie.URL),
			Note:          t(ie.Note),
			Corroboration: Unverified,
		})
	}
	return c
}

// The schema, compiled once.

const intakeSchemaURL = "https://casebook.example/schemas/intake.schema.json"

type compiledSchema struct {
	schema *jsonschema.Schema
	doc    any // the schema as JSON, to look up the fields an object has
	// fields lists the fields of the document ("") and of its parts
	// ("reporter", "person", "evidence").
	fields map[string][]string
}

var intakeSchema = sync.OnceValue(func() compiledSchema {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(assets.IntakeSchema))
	if err != nil {
		panic("app: the embedded intake schema is not JSON: " + err.Error())
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(intakeSchemaURL, doc); err != nil {
		panic("app: adding the intake schema: " + err.Error())
	}
	sch, err := c.Compile(intakeSchemaURL)
	if err != nil {
		panic("app: compiling the intake schema: " + err.Error())
	}
	cs := compiledSchema{schema: sch, doc: doc, fields: map[string][]string{}}
	cs.fields[""] = cs.knownFields(intakeSchemaURL + "#")
	for _, part := range []string{"reporter", "person", "evidence"} {
		cs.fields[part] = cs.knownFields(intakeSchemaURL + "#/$defs/" + part)
	}
	return cs
})

// schemaProblems turns the schema library's tree of errors into
// problems: typed are values of the wrong type, under which nothing else
// can be checked; others are the rest.
func schemaProblems(doc any, root *jsonschema.ValidationError) (typed, others []Problem) {
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		at := readablePath(doc, e.InstanceLocation)
		add := func(msg string) { others = append(others, Problem{at, msg}) }
		switch k := e.ErrorKind.(type) {
		case *kind.Schema, *kind.Group, *kind.Reference, *kind.AllOf:
			// Wrappers: the causes say what is wrong.
		case *kind.Type:
			typed = append(typed, Problem{at, typeMessage(at, k.Want)})
		case *kind.Required:
			for _, name := range k.Missing {
				others = append(others, Problem{readablePath(doc, append(slices.Clip(e.InstanceLocation), name)), msgRequired})
			}
		case *kind.AdditionalProperties:
			known := intakeSchema().knownFields(e.SchemaURL)
			for _, name := range k.Properties {
				if !isFieldName(name) {
					// The name may be anything, even a sentence of
					// the report: do not repeat it.
					add("has a field whose name is not one of the format's")
					continue
				}
				msg := "unknown field"
				if s := suggest(name, known); s != "" {
					msg += "; did you mean " + s + "?"
				}
				others = append(others, Problem{readablePath(doc, append(slices.Clip(e.InstanceLocation), name)), msg})
			}
		case *kind.Enum:
			add("must be one of " + joinValues(k.Want))
		case *kind.Const:
			add("must be " + joinValues([]any{k.Want}))
		case *kind.MaxLength:
			if k.Want == 0 {
				add(msgLeaveOut)
			} else {
				add(msgTooLong(k.Got, k.Want))
			}
		case *kind.MinLength:
			add(fmt.Sprintf("is too short: %d characters, at least %d", k.Got, k.Want))
		case *kind.MaxItems:
			add(msgTooMany(k.Got, k.Want))
		case *kind.Pattern:
			add(patternMessage(k.Want))
		case *kind.FalseSchema:
			add("not allowed")
		default:
			// Not used by the intake schema; say no more than that the
			// value does not fit, as the library's words may quote it.
			if len(e.Causes) == 0 {
				add("does not fit the intake format")
			}
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(root)
	return typed, others
}

// typeMessage says what type a value must be.
func typeMessage(path string, want []string) string {
	if path == "" {
		return "must be a JSON object"
	}
	names := map[string]string{
		"object": "an object", "array": "a list (JSON array)", "string": "a string",
		"boolean": "true or false", "null": "null", "integer": "a whole number", "number": "a number",
	}
	ws := make([]string, 0, len(want))
	for _, w := range want {
		if w != "null" {
			ws = append(ws, orDefault(names[w], w))
		}
	}
	if slices.Contains(want, "null") {
		ws = append(ws, "null")
	}
	return "must be " + strings.Join(ws, " or ")
}

// joinValues lists allowed values as they are written in JSON, strings
// without quotes.
func joinValues(vs []any) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		if str, ok := v.(string); ok {
			s[i] = str
		} else {
			b, _ := json.Marshal(v)
			s[i] = string(b)
		}
	}
	return strings.Join(s, ", ")
}

// patternMessage words the schema's patterns.
func patternMessage(pattern string) string {
	switch {
	case pattern == `\S`:
		return msgNotBlank
	case pattern == `^\s*$`:
		return msgLeaveOut
	case strings.Contains(pattern, "[Hh][Tt][Tt][Pp]"):
		return msgURL
	case strings.HasPrefix(pattern, "^[0-9]{4}-"):
		return msgReceived
	}
	return "does not have the expected form"
}

// knownFields lists the properties the schema object at schemaURL
// declares.
func (cs compiledSchema) knownFields(schemaURL string) []string {
	_, frag, _ := strings.Cut(schemaURL, "#")
	var node any = cs.doc
	for tok := range strings.SplitSeq(strings.TrimPrefix(frag, "/"), "/") {
		if tok == "" {
			continue
		}
		if t, err := url.PathUnescape(tok); err == nil {
			tok = t
		}
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := node.(map[string]any)
		if !ok {
			return nil
		}
		node = m[tok]
	}
	m, _ := node.(map[string]any)
	props, _ := m["properties"].(map[string]any)
	names := make([]string, 0, len(props))
	for name := range props {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// suggest returns the known field that name most likely misspells, or "".
func suggest(name string, known []string) string {
	if len(name) > 64 {
		return ""
	}
	norm := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r == '-' || r == ' ' {
				return '_'
			}
			return unicode.ToLower(r)
		}, s)
	}
	best, bestD := "", 3
	for _, k := range known {
		if norm(name) == k {
			return k
		}
		if d := editDistance(norm(name), k); d < bestD && d <= max(1, len(k)/3) {
			best, bestD = k, d
		}
	}
	return best
}

// editDistance is the optimal string alignment distance between a and b,
// in bytes: insertions, deletions, substitutions and swaps of neighbours
// ("nmae" is one from "name").
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// readablePath writes a JSON location as people[1].role: indexes of
// arrays in brackets, names after dots, and names that are not simple
// words quoted.
func readablePath(doc any, loc []string) string {
	var b strings.Builder
	node := doc
	for _, tok := range loc {
		if arr, ok := node.([]any); ok {
			b.WriteString("[" + tok + "]")
			if i, err := strconv.Atoi(tok); err == nil && i >= 0 && i < len(arr) {
				node = arr[i]
			} else {
				node = nil
			}
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		if isFieldName(tok) {
			b.WriteString(tok)
		} else {
			if len(tok) > 40 {
				tok = strings.ToValidUTF8(tok[:40], "") + "…"
			}
			b.WriteString(strconv.Quote(tok))
		}
		if m, ok := node.(map[string]any); ok {
			node = m[tok]
		} else {
			node = nil
		}
	}
	return b.String()
}

// isFieldName reports whether s can stand unquoted in a path.
func isFieldName(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '_':
		case i > 0 && (r >= '0' && r <= '9' || r == '-'):
		default:
			return false
		}
	}
	return true
}

// mergeProblems puts the problems found by each check into one list, one
// account per field: a value of the wrong type hides what was found
// within it; a field the decoding could not read hides the checks of its
// value; the semantic checks speak for a field before the schema does,
// as they know the context. The list is sorted by field, in the order of
// the format.
func mergeProblems(typed, decoded, semantic, schema []Problem) []Problem {
	out := slices.Clone(typed)
	under := func(path string) bool {
		for _, p := range typed {
			if pathWithin(path, p.Path) {
				return true
			}
		}
		return false
	}
	has := func(ps []Problem, path string) bool {
		return slices.ContainsFunc(ps, func(p Problem) bool { return p.Path == path })
	}
	for _, p := range decoded {
		if !under(p.Path) {
			out = append(out, p)
		}
	}
	for _, p := range semantic {
		if !under(p.Path) && !has(decoded, p.Path) {
			out = append(out, p)
		}
	}
	for _, p := range schema {
		if !under(p.Path) && !has(out, p.Path) {
			out = append(out, p)
		}
	}
	slices.SortStableFunc(out, func(a, b Problem) int { return comparePaths(a.Path, b.Path) })
	return slices.Compact(out)
}

// pathWithin reports whether path is at or below parent.
func pathWithin(path, parent string) bool {
	if parent == "" || path == parent {
		return true
	}
	return strings.HasPrefix(path, parent) && (path[len(parent)] == '.' || path[len(parent)] == '[')
}

// fieldOrder is the order of the format's fields, for sorting problems.
var fieldOrder = []string{
	"received", "channel", "summary", "category", "description", "when", "where",
	"reporter", "anonymous", "name", "pseudonym", "handle", "contact", "relationship",
	"role", "committee_member", "member_id",
	"people", "evidence", "url", "note",
	"prior_attempts", "ongoing", "record_only", "urgent",
}

// comparePaths orders paths field by field: known fields in the format's
// order, then other names alphabetically; indexes by number.
func comparePaths(a, b string) int {
	as, bs := splitPath(a), splitPath(b)
	for i := range min(len(as), len(bs)) {
		if c := compareSegments(as[i], bs[i]); c != 0 {
			return c
		}
	}
	return len(as) - len(bs)
}

func compareSegments(a, b string) int {
	ai, aerr := strconv.Atoi(a)
	bi, berr := strconv.Atoi(b)
	if aerr == nil && berr == nil {
		return ai - bi
	}
	rank := func(s string) int {
		if i := slices.Index(fieldOrder, s); i >= 0 {
			return i
		}
		return len(fieldOrder)
	}
	if c := rank(a) - rank(b); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// splitPath cuts a readable path into its names and indexes.
func splitPath(p string) []string {
	var segs []string
	for p != "" {
		switch p[0] {
		case '.':
			p = p[1:]
		case '[':
			end := strings.IndexByte(p, ']')
			if end < 0 {
				return append(segs, p)
			}
			segs, p = append(segs, p[1:end]), p[end+1:]
		case '"':
			q, err := strconv.QuotedPrefix(p)
			if err != nil {
				return append(segs, p)
			}
			name, _ := strconv.Unquote(q)
			segs, p = append(segs, name), p[len(q):]
		default:
			end := strings.IndexAny(p, ".[")
			if end < 0 {
				end = len(p)
			}
			segs, p = append(segs, p[:end]), p[end:]
		}
	}
	return segs
}
