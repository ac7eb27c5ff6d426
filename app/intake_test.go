package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the tests load Europe/Berlin and America/New_York anywhere

	"casebook/assets"
)

// readIntake reads an example from testdata/intake.
func readIntake(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "intake", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// parseIntake parses s in UTC.
func parseIntake(s string) (*Intake, error) {
	return ParseIntake(strings.NewReader(s), time.UTC)
}

// problemsOf returns the problems of an *InvalidError, failing the test
// for any other outcome.
func problemsOf(t *testing.T, err error) []Problem {
	t.Helper()
	if err == nil {
		t.Fatal("got no error, want an invalid intake")
	}
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("got %v, want an error that is ErrInvalid", err)
	}
	var ie *InvalidError
	if !errors.As(err, &ie) {
		t.Fatalf("got %T, want *InvalidError", err)
	}
	if len(ie.Problems) == 0 {
		t.Fatal("got an InvalidError without problems")
	}
	return ie.Problems
}

func paths(ps []Problem) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Path
	}
	return out
}

// minimal is the smallest valid intake, as JSON values to change in tests.
func minimal() map[string]any {
	return map[string]any{"received": "2026-11-02", "channel": "email", "summary": "Hostile replies in the issue queue"}
}

func encode(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParseIntakeExamples(t *testing.T) {
	tests := []struct {
		file      string
		kind      ReporterKind
		people    int
		evidence  int
		recordOne bool
		received  string // in UTC
	}{
		{"example.json", ReporterIdentified, 3, 3, false, "2026-11-02T00:00:00Z"},
		{"anonymous.json", ReporterAnonymous, 1, 0, false, "2026-11-05T20:47:00Z"},
		{"record-only.json", ReporterIdentified, 0, 0, true, "2026-11-10T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			in, err := ParseIntake(bytes.NewReader(readIntake(t, tt.file)), time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			if got := in.ReporterKind(); got != tt.kind {
				t.Errorf("reporter kind: got %s, want %s", got, tt.kind)
			}
			if len(in.People) != tt.people || len(in.Evidence) != tt.evidence {
				t.Errorf("got %d people and %d evidence items, want %d and %d", len(in.People), len(in.Evidence), tt.people, tt.evidence)
			}
			if in.RecordOnly != tt.recordOne {
				t.Errorf("record_only: got %v, want %v", in.RecordOnly, tt.recordOne)
			}
			if got := in.Received.UTC().Format(time.RFC3339); got != tt.received {
				t.Errorf("received: got %s, want %s", got, tt.received)
			}
			if ps := in.Validate(); ps != nil {
				t.Errorf("a parsed intake fails Validate: %v", ps)
			}
		})
	}
}

func TestParseIntakeReporterForms(t *testing.T) {
	tests := []struct {
		name     string
		reporter any // nil: left out
		omit     bool
		want     ReporterKind
	}{
		{"left out", nil, true, ReporterNone},
		{"null", nil, false, ReporterNone},
		{"identified", map[string]any{"anonymous": false, "name": "Zoë Brandt"}, false, ReporterIdentified},
		{"identified without the flag", map[string]any{"name": "Zoë Brandt"}, false, ReporterIdentified},
		{"anonymous", map[string]any{"anonymous": true, "pseudonym": "Reporter A", "contact": "relay@example.org"}, false, ReporterAnonymous},
		{"anonymous, nothing else", map[string]any{"anonymous": true}, false, ReporterAnonymous},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := minimal()
			if !tt.omit {
				doc["reporter"] = tt.reporter
			}
			in, err := parseIntake(encode(t, doc))
			if err != nil {
				t.Fatal(err)
			}
			if got := in.ReporterKind(); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestParseIntakeProblems(t *testing.T) {
	long := func(n int) string { return strings.Repeat("é", n) }
	tests := []struct {
		name   string
		change func(doc map[string]any)
		want   []string // the paths of every problem, in order
	}{
		{"nothing", func(doc map[string]any) { clear(doc) }, []string{"received", "channel", "summary"}},
		{"blank summary", func(doc map[string]any) { doc["summary"] = " \t\n" }, []string{"summary"}},
		{"summary of another type", func(doc map[string]any) { doc["summary"] = 42 }, []string{"summary"}},
		{"unknown channel", func(doc map[string]any) { doc["channel"] = "fax" }, []string{"channel"}},
		{"unknown category", func(doc map[string]any) { doc["category"] = "rudeness" }, []string{"category"}},
		{"category of another type", func(doc map[string]any) { doc["category"] = 3 }, []string{"category"}},
		{"known category", func(doc map[string]any) { doc["category"] = "threat" }, nil},
		{"impossible date", func(doc map[string]any) { doc["received"] = "2026-02-30" }, []string{"received"}},
		{"date with a time but no zone", func(doc map[string]any) { doc["received"] = "2026-11-02T10:00:00" }, []string{"received"}},
		{"date in another form", func(doc map[string]any) { doc["received"] = "02/11/2026" }, []string{"received"}},
		{"year out of range", func(doc map[string]any) { doc["received"] = "0001-01-01" }, []string{"received"}},
		{"a year that a time zone pushes past 9999", func(doc map[string]any) { doc["received"] = "9999-12-31T23:59:59-23:59" }, []string{"received"}},
		{"identified reporter without a name", func(doc map[string]any) {
			doc["reporter"] = map[string]any{"contact": "ana@example.org"}
		}, []string{"reporter.name"}},
		{"identified reporter with a blank name and a pseudonym", func(doc map[string]any) {
			doc["reporter"] = map[string]any{"anonymous": false, "name": "  ", "pseudonym": "Reporter A"}
		}, []string{"reporter.name", "reporter.pseudonym"}},
		{"anonymous reporter with a name", func(doc map[string]any) {
			doc["reporter"] = map[string]any{"anonymous": true, "name": "Zoë Brandt"}
		}, []string{"reporter.name"}},
		{"reporter of another type", func(doc map[string]any) { doc["reporter"] = "Zoë Brandt" }, []string{"reporter"}},
		{"reporter flag of another type", func(doc map[string]any) {
			doc["reporter"] = map[string]any{"anonymous": "yes", "pseudonym": "Reporter A"}
		}, []string{"reporter.anonymous", "reporter.name", "reporter.pseudonym"}},
		{"people", func(doc map[string]any) {
			doc["people"] = []any{
				map[string]any{"name": "Kenji Haldorsen", "role": "reported"},
				map[string]any{"name": "Marta Øverby", "role": "bystander"},
				map[string]any{"contact": "someone@example.org", "role": "witness"},
				map[string]any{"handle": "priya_l", "role": "other", "member_id": "m2"},
				map[string]any{"handle": "noor"},
				map[string]any{"name": "Noor Abernathy", "role": "reporter"},
				"Lena Fischer",
				map[string]any{"name": "Lena Fischer", "role": "witness", "committee_member": true, "member_id": "m4"},
			}
		}, []string{"people[1].role", "people[2].name", "people[3].member_id", "people[4].role", "people[5].role", "people[6]"}},
		{"people of another type", func(doc map[string]any) { doc["people"] = map[string]any{"name": "Kenji Haldorsen"} }, []string{"people"}},
		{"evidence", func(doc map[string]any) {
			doc["evidence"] = []any{
				map[string]any{"url": "https://example.org/a"},
				map[string]any{"url": "ftp://files.example.org/log.txt"},
				map[string]any{"note": ""},
				map[string]any{},
				map[string]any{"url": "", "note": "A screenshot sent by e-mail"},
				map[string]any{"url": "https://example.org/a b"},
				map[string]any{"url": "https:///path-only"},
				map[string]any{"url": "example.org/no-scheme", "note": "From the chat"},
				map[string]any{"url": "HTTPS://EXAMPLE.ORG/loud"},
			}
		}, []string{"evidence[1].url", "evidence[2].note", "evidence[3].note", "evidence[5].url", "evidence[6].url", "evidence[7].url"}},
		{"too long", func(doc map[string]any) {
			doc["summary"] = long(maxSummaryLen + 1)
			doc["description"] = long(maxDescriptionLen + 1)
			doc["reporter"] = map[string]any{"name": long(maxNameLen + 1)}
		}, []string{"summary", "description", "reporter.name"}},
		{"longest allowed", func(doc map[string]any) {
			doc["summary"] = long(maxSummaryLen)
			doc["description"] = long(maxDescriptionLen)
		}, nil},
		{"too many people", func(doc map[string]any) {
			var ps []any
			for range maxPeople + 1 {
				ps = append(ps, map[string]any{"handle": "h", "role": "witness"})
			}
			doc["people"] = ps
		}, []string{"people"}},
		{"control characters", func(doc map[string]any) {
			doc["summary"] = "Bell \a rings"
			doc["description"] = "Two lines\r\nand a\ttab are fine"
			doc["reporter"] = map[string]any{"name": "Ana\nMoreau"}
		}, []string{"summary", "reporter.name"}},
		{"unknown fields", func(doc map[string]any) {
			doc["severity"] = "high"
			doc["Summary"] = "again"
			doc["reporter"] = map[string]any{"name": "Ana Moreau", "emial": "ana@example.org"}
			doc["people"] = []any{map[string]any{"handle": "x", "role": "witness", "age": 30}}
			doc["evidence"] = []any{map[string]any{"url": "https://example.org", "why it matters": "it shows the threat"}}
		}, []string{"reporter.emial", "people[0].age", "evidence[0]", "Summary", "severity"}},
		{"keys in another case", func(doc map[string]any) {
			doc["Summary"] = doc["summary"]
			delete(doc, "summary")
			doc["reporter"] = map[string]any{"Anonymous": true, "name": "Ana Moreau"}
		}, []string{"summary", "reporter.Anonymous", "Summary"}},
		{"only an unknown field", func(doc map[string]any) { clear(doc); doc["x"] = nil }, []string{"received", "channel", "summary", "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := minimal()
			tt.change(doc)
			in, err := parseIntake(encode(t, doc))
			if tt.want == nil {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				if in == nil {
					t.Fatal("got no intake")
				}
				return
			}
			ps := problemsOf(t, err)
			if got := paths(ps); !slices.Equal(got, tt.want) {
				t.Errorf("got problems at %q, want at %q\n%v", got, tt.want, err)
			}
			for _, p := range ps {
				if p.Message == "" {
					t.Errorf("problem at %q has no message", p.Path)
				}
			}
		})
	}
}

func TestParseIntakeInvalidExample(t *testing.T) {
	_, err := ParseIntake(bytes.NewReader(readIntake(t, "invalid.json")), time.UTC)
	ps := problemsOf(t, err)
	want := []Problem{
		{"received", msgReceived},
		{"channel", "must be one of form, email, chat, in-person, other"},
		{"summary", "required"},
		{"reporter.name", msgAnonName},
		{"people[1].role", "must be one of reported, witness, other"},
		{"people[2].name", msgPersonName},
		{"people[3].member_id", msgMemberID},
		{"evidence[0].url", msgURL},
		{"evidence[1].note", msgNote},
		{"ongoing", "must be true or false"},
		{"severity", "unknown field"},
	}
	if !slices.Equal(ps, want) {
		t.Errorf("got\n%v\nwant\n%v", ps, want)
	}
	if !strings.Contains(err.Error(), "defeats anonymity") {
		t.Errorf("the error does not say why a name is refused: %v", err)
	}
	for _, secret := range []string{"Élodie", "Kenji", "Øverby", "files.example.org", "fax", "bystander"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("the error quotes the input (%q): %v", secret, err)
		}
	}
}

func TestParseIntakeMessages(t *testing.T) {
	tests := []struct {
		name   string
		change func(doc map[string]any)
		want   Problem
	}{
		{"role", func(doc map[string]any) {
			doc["people"] = []any{map[string]any{"handle": "x", "role": "bystander"}}
		}, Problem{"people[0].role", "must be one of reported, witness, other"}},
		{"missing summary", func(doc map[string]any) { delete(doc, "summary") }, Problem{"summary", "required"}},
		{"type", func(doc map[string]any) { doc["urgent"] = "yes" }, Problem{"urgent", "must be true or false"}},
		{"list", func(doc map[string]any) { doc["evidence"] = "none" }, Problem{"evidence", "must be a list (JSON array)"}},
		{"object or null", func(doc map[string]any) { doc["reporter"] = 1 }, Problem{"reporter", "must be an object or null"}},
		{"length", func(doc map[string]any) { doc["description"] = strings.Repeat("x", 100_001) },
			Problem{"description", "is too long: 100,001 characters, at most 100,000"}},
		{"misspelt", func(doc map[string]any) { doc["prior-attempts"] = "asked him" },
			Problem{"prior-attempts", "unknown field; did you mean prior_attempts?"}},
		{"misspelt in reporter", func(doc map[string]any) { doc["reporter"] = map[string]any{"nmae": "Ana"} },
			Problem{"reporter.nmae", "unknown field; did you mean name?"}},
		{"a sentence as a field name", func(doc map[string]any) { doc["Zoë was threatened"] = true },
			Problem{"", "has a field whose name is not one of the format's"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := minimal()
			tt.change(doc)
			_, err := parseIntake(encode(t, doc))
			ps := problemsOf(t, err)
			if !slices.Contains(ps, tt.want) {
				t.Errorf("got %v, want it to contain %v", ps, tt.want)
			}
		})
	}
}

func TestParseIntakeMalformed(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "is empty; expected a JSON object"},
		{"spaces", " \n\t", "is empty; expected a JSON object"},
		{"trailing comma", "{\n  \"summary\": \"x\",\n}", "is not valid JSON: line 3, column 1: "},
		{"cut short", "{\n  \"summary\": \"Zoë", "is not valid JSON: line 2, column 17: the text ends before the JSON does"},
		{"single quotes", "{'summary': 'x'}", "is not valid JSON: line 1, column 2: "},
		{"second value", `{"summary": "x"} {"summary": "y"}`, "is not valid JSON: line 1, column 18: more text after the end of the object"},
		{"garbage after", "{}\n\nzzz", "is not valid JSON: line 3, column 1: more text after the end of the object"},
		{"not JSON at all", "Dear committee,", "is not valid JSON: line 1, column 1: "},
		{"Latin-1", "{\"received\": \"2026-11-02\",\n \"summary\": \"Zo\xeb Brandt\"}", "is not UTF-8 text (line 2, column 16); save the file as UTF-8"},
		{"nested too deep", `{"people": ` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`, "is not an intake: line 1, column 43: arrays and objects nest more than 32 levels deep"},
		{"a list", `[{"summary": "x"}]`, "must be a JSON object"},
		{"null", `null`, "must be a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseIntake(tt.in)
			ps := problemsOf(t, err)
			if len(ps) != 1 || ps[0].Path != "" || !strings.HasPrefix(ps[0].Message, tt.want) {
				t.Errorf("got %q, want one problem starting %q", ps, tt.want)
			}
		})
	}
}

func TestParseIntakeByteOrderMark(t *testing.T) {
	if _, err := ParseIntake(bytes.NewReader(append([]byte("\uFEFF"), readIntake(t, "example.json")...)), time.UTC); err != nil {
		t.Errorf("got %v, want a file with a byte order mark read", err)
	}
}

func TestParseIntakeSize(t *testing.T) {
	valid := encode(t, minimal())
	atLimit := valid + strings.Repeat(" ", MaxIntakeBytes-len(valid))
	if _, err := parseIntake(atLimit); err != nil {
		t.Errorf("exactly %d bytes: got %v, want it read", MaxIntakeBytes, err)
	}
	ps := problemsOf(t, func() error { _, err := parseIntake(atLimit + " "); return err }())
	if len(ps) != 1 || !strings.Contains(ps[0].Message, "larger than 1 MiB") {
		t.Errorf("one byte over: got %v, want one problem about the size", ps)
	}
	// A reader that never ends is not read to its end.
	_, err := ParseIntake(endless{}, time.UTC)
	if ps := problemsOf(t, err); !strings.Contains(ps[0].Message, "larger than 1 MiB") {
		t.Errorf("endless input: got %v", ps)
	}
}

type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

func TestParseIntakeReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	_, err := ParseIntake(failing{boom}, time.UTC)
	if !errors.Is(err, boom) || errors.Is(err, ErrInvalid) {
		t.Errorf("got %v, want the read error, not ErrInvalid", err)
	}
}

type failing struct{ err error }

func (f failing) Read([]byte) (int, error) { return 0, f.err }

func TestParseIntakeReceived(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		received string
		loc      *time.Location
		want     string // the instant, in UTC
		local    string // as the committee sees it
	}{
		// A date is that day's midnight where the committee is.
		{"2026-11-02", berlin, "2026-11-01T23:00:00Z", "2026-11-02T00:00:00+01:00"},
		{"2026-11-02", newYork, "2026-11-02T05:00:00Z", "2026-11-02T00:00:00-05:00"},
		{"2026-07-15", berlin, "2026-07-14T22:00:00Z", "2026-07-15T00:00:00+02:00"},
		{"2026-07-15", newYork, "2026-07-15T04:00:00Z", "2026-07-15T00:00:00-04:00"},
		{"2026-11-02", nil, "2026-11-02T00:00:00Z", "2026-11-02T00:00:00Z"},
		// A timestamp is the same instant wherever the committee is.
		{"2026-11-02T14:30:00+01:00", berlin, "2026-11-02T13:30:00Z", "2026-11-02T14:30:00+01:00"},
		{"2026-11-02T14:30:00+01:00", newYork, "2026-11-02T13:30:00Z", "2026-11-02T08:30:00-05:00"},
		{"2026-11-02T13:30:00Z", newYork, "2026-11-02T13:30:00Z", "2026-11-02T08:30:00-05:00"},
		{"2026-11-02T13:30:00.25Z", berlin, "2026-11-02T13:30:00.25Z", "2026-11-02T14:30:00.25+01:00"},
	}
	for _, tt := range tests {
		name := tt.received + " in " + "UTC"
		if tt.loc != nil {
			name = tt.received + " in " + tt.loc.String()
		}
		t.Run(name, func(t *testing.T) {
			doc := minimal()
			doc["received"] = tt.received
			in, err := ParseIntake(strings.NewReader(encode(t, doc)), tt.loc)
			if err != nil {
				t.Fatal(err)
			}
			if got := in.Received.UTC().Format(time.RFC3339Nano); got != tt.want {
				t.Errorf("instant: got %s, want %s", got, tt.want)
			}
			if got := in.Received.Format(time.RFC3339Nano); got != tt.local {
				t.Errorf("local: got %s, want %s", got, tt.local)
			}
		})
	}
}

func TestParseIntakeTrims(t *testing.T) {
	doc := minimal()
	doc["summary"] = "  Hostile replies \n"
	doc["reporter"] = map[string]any{"name": " Ana Moreau\t"}
	doc["evidence"] = []any{map[string]any{"note": " a screenshot "}}
	in, err := parseIntake(encode(t, doc))
	if err != nil {
		t.Fatal(err)
	}
	if in.Summary != "Hostile replies" || in.Reporter.Name != "Ana Moreau" || in.Evidence[0].Note != "a screenshot" {
		t.Errorf("got %q, %q, %q, want them trimmed", in.Summary, in.Reporter.Name, in.Evidence[0].Note)
	}
}

func TestIntakeValidateForm(t *testing.T) {
	// A form fills an Intake itself; Validate checks it without JSON.
	var in Intake
	if got, want := paths(in.Validate()), []string{"received", "channel", "summary"}; !slices.Equal(got, want) {
		t.Errorf("empty form: got %q, want %q", got, want)
	}
	in = Intake{
		Received: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC),
		Channel:  "fax",
		Summary:  "Hostile replies",
		Category: "rudeness",
		Reporter: &IntakeReporter{Anonymous: true, Name: "Zoë Brandt"},
		People:   []IntakePerson{{Name: "Björn Castellanos", Role: RoleReported}, {Handle: "x"}},
		Evidence: []IntakeEvidence{{URL: "javascript:alert(1)"}},
	}
	want := []Problem{
		{"channel", "must be one of form, email, chat, in-person, other"},
		{"category", "must be one of harassment, discrimination, personal-attack, sexual-attention, threat, privacy, disruption, other"},
		{"reporter.name", msgAnonName},
		{"people[1].role", "required"},
		{"evidence[0].url", msgURL},
	}
	if got := in.Validate(); !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestInvalidError(t *testing.T) {
	err := &InvalidError{What: "intake", Problems: []Problem{
		{"people[0].role", "must be one of reported, witness, other"},
		{"summary", "required"},
	}}
	if got, want := err.Error(), "intake has 2 problems: people[0].role: must be one of reported, witness, other; summary: required"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	one := &InvalidError{Problems: []Problem{{"", "is empty; expected a JSON object"}}}
	if got, want := one.Error(), "input has 1 problem: is empty; expected a JSON object"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	var wrapped error = &InvalidError{}
	if !errors.Is(wrapped, ErrInvalid) || errors.Is(wrapped, ErrNotAllowed) {
		t.Error("InvalidError must be ErrInvalid and nothing else")
	}
	many := &InvalidError{What: "intake"}
	for range 30 {
		many.Problems = append(many.Problems, Problem{"summary", "required"})
	}
	if msg := many.Error(); !strings.HasPrefix(msg, "intake has 30 problems: ") || !strings.HasSuffix(msg, "; and 10 more") {
		t.Errorf("got %q, want 20 problems listed and the rest counted", msg)
	}
}

func TestIntakeNewCase(t *testing.T) {
	in, err := ParseIntake(bytes.NewReader(readIntake(t, "example.json")), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 3, 9, 15, 0, 0, time.UTC)
	c := in.NewCase("c-0001", "BLUE-HERON", now)

	type party struct {
		ID       string
		Role     Role
		Name     string
		Member   bool
		MemberID string
	}
	var got []party
	for _, p := range c.Parties {
		got = append(got, party{p.ID, p.Role, p.Name, p.CommitteeMember, p.MemberID})
		if p.Outreach != NotContacted {
			t.Errorf("party %s: outreach %s, want %s", p.ID, p.Outreach, NotContacted)
		}
	}
	want := []party{
		{"p1", RoleReporter, "Ana Lívia Moreau", false, ""},
		{"p2", RoleReported, "Björn Castellanos", false, ""},
		{"p3", RoleWitness, "Zoë Brandt", false, ""},
		{"p4", RoleOther, "Tomás Okafor", true, "m3"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("parties: got %+v, want %+v", got, want)
	}
	var ev []string
	for _, e := range c.Evidence {
		ev = append(ev, e.ID)
		if e.Corroboration != Unverified || !e.At.Equal(now) || !e.Visibility.CommitteeOnly() {
			t.Errorf("evidence %s: got %s at %v, shared with %v; want unverified, at now, committee only", e.ID, e.Corroboration, e.At, e.Visibility.SharedWith)
		}
	}
	if want := []string{"e5", "e6", "e7"}; !slices.Equal(ev, want) {
		t.Errorf("evidence IDs: got %v, want %v", ev, want)
	}
	if c.ID != "c-0001" || c.Code != "BLUE-HERON" || c.Stage != StageReceived || c.ReporterKind != ReporterIdentified {
		t.Errorf("got ID %q, code %q, stage %s, reporter %s", c.ID, c.Code, c.Stage, c.ReporterKind)
	}
	if !c.Received.Equal(in.Received) || c.Channel != ChannelEmail || c.Summary != in.Summary || c.PriorAttempts != in.PriorAttempts || c.Category != CategoryPersonalAttack {
		t.Error("the case does not carry the intake's report")
	}
	wantHistory := []*Event{{At: now, Action: ActReceive, To: StageReceived}}
	if !reflect.DeepEqual(c.History, wantHistory) {
		t.Errorf("history: got %+v, want %+v", c.History, wantHistory)
	}
	if r := c.Reporter(); r == nil || r.ID != "p1" || r.Contact != "ana.moreau@example.org" || r.Anonymous {
		t.Errorf("reporter: got %+v", r)
	}
	if !c.AcknowledgedAt.IsZero() || c.Responder != "" || c.ConflictsChecked || len(c.Conflicts) != 0 || c.Outcome != "" {
		t.Error("NewCase set more of the workflow than the stage and history")
	}
	// The same intake gives the same IDs every time.
	if again := in.NewCase("c-0002", "RED-FOX", now); !reflect.DeepEqual(again.Parties, c.Parties) || !reflect.DeepEqual(again.Evidence, c.Evidence) {
		t.Error("IDs are not stable")
	}
}

func TestIntakeNewCaseAnonymousAndNone(t *testing.T) {
	now := time.Date(2026, 11, 6, 8, 0, 0, 0, time.UTC)
	in, err := ParseIntake(bytes.NewReader(readIntake(t, "anonymous.json")), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	c := in.NewCase("c-2", "GREY-OWL", now)
	r := c.Reporter()
	if r == nil || r.ID != "p1" || !r.Anonymous || r.Pseudonym != "Reporter A" || r.Name != "" || r.Contact != "relay-7f3a@example.org" {
		t.Errorf("reporter: got %+v", r)
	}
	if c.ReporterKind != ReporterAnonymous || !c.Urgent || !c.Ongoing {
		t.Errorf("got kind %s, urgent %v, ongoing %v", c.ReporterKind, c.Urgent, c.Ongoing)
	}
	if p := c.Party("p2"); p == nil || p.Role != RoleReported || p.Handle != "mentor_kowalczyk" {
		t.Errorf("p2: got %+v", p)
	}

	in.Reporter = nil
	c = in.NewCase("c-3", "RED-KITE", now)
	if c.ReporterKind != ReporterNone || c.Reporter() != nil || c.Parties[0].ID != "p1" || c.Parties[0].Role != RoleReported {
		t.Errorf("no reporter: got kind %s, parties %+v", c.ReporterKind, c.Parties)
	}

	in, err = ParseIntake(bytes.NewReader(readIntake(t, "record-only.json")), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if c := in.NewCase("c-4", "TEAL-DUCK", now); !c.RecordOnly || len(c.Parties) != 1 || c.Parties == nil {
		t.Errorf("record only: got %v, %d parties", c.RecordOnly, len(c.Parties))
	}
}

func TestIntakeMarshalRoundTrip(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"example.json", "anonymous.json", "record-only.json"} {
		t.Run(name, func(t *testing.T) {
			in, err := ParseIntake(bytes.NewReader(readIntake(t, name)), berlin)
			if err != nil {
				t.Fatal(err)
			}
			b, err := json.Marshal(in)
			if err != nil {
				t.Fatal(err)
			}
			again, err := ParseIntake(bytes.NewReader(b), berlin)
			if err != nil {
				t.Fatalf("%v\n%s", err, b)
			}
			assertSameIntake(t, again, in)
		})
	}
}

func assertSameIntake(t *testing.T, got, want *Intake) {
	t.Helper()
	if !got.Received.Equal(want.Received) {
		t.Errorf("received: got %v, want %v", got.Received, want.Received)
	}
	g, w := *got, *want
	g.Received, w.Received = time.Time{}, time.Time{}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("got %+v, want %+v", g, w)
	}
}

// TestIntakeSchemaLimits keeps the published schema and the Go checks in
// step.
func TestIntakeSchemaLimits(t *testing.T) {
	var schema map[string]any
	if err := json.Unmarshal(assets.IntakeSchema, &schema); err != nil {
		t.Fatal(err)
	}
	at := func(path ...string) map[string]any {
		node := schema
		for _, p := range path {
			next, ok := node[p].(map[string]any)
			if !ok {
				t.Fatalf("the schema has no %s", strings.Join(path, "/"))
			}
			node = next
		}
		return node
	}
	props := func(path ...string) map[string]any { return at(append(path, "properties")...) }
	limits := []struct {
		node map[string]any
		key  string
		want int
	}{
		{props()["received"].(map[string]any), "maxLength", maxReceivedLen},
		{props()["summary"].(map[string]any), "maxLength", maxSummaryLen},
		{props()["description"].(map[string]any), "maxLength", maxDescriptionLen},
		{props()["when"].(map[string]any), "maxLength", maxWhenWhereLen},
		{props()["where"].(map[string]any), "maxLength", maxWhenWhereLen},
		{props()["prior_attempts"].(map[string]any), "maxLength", maxPriorLen},
		{props()["people"].(map[string]any), "maxItems", maxPeople},
		{props()["evidence"].(map[string]any), "maxItems", maxEvidence},
		{props("$defs", "reporter")["name"].(map[string]any), "maxLength", maxNameLen},
		{props("$defs", "reporter")["pseudonym"].(map[string]any), "maxLength", maxNameLen},
		{props("$defs", "reporter")["contact"].(map[string]any), "maxLength", maxContactLen},
		{props("$defs", "reporter")["relationship"].(map[string]any), "maxLength", maxRelationLen},
		{props("$defs", "person")["name"].(map[string]any), "maxLength", maxNameLen},
		{props("$defs", "person")["handle"].(map[string]any), "maxLength", maxNameLen},
		{props("$defs", "person")["contact"].(map[string]any), "maxLength", maxContactLen},
		{props("$defs", "person")["member_id"].(map[string]any), "maxLength", maxMemberIDLen},
		{props("$defs", "evidence")["url"].(map[string]any), "maxLength", maxURLLen},
		{props("$defs", "evidence")["note"].(map[string]any), "maxLength", maxNoteLen},
	}
	for _, l := range limits {
		if got, _ := l.node[l.key].(float64); int(got) != l.want {
			t.Errorf("%s: schema says %v, Go says %d", l.key, l.node[l.key], l.want)
		}
	}
	enum := func(node any) []string {
		var out []string
		for _, v := range node.(map[string]any)["enum"].([]any) {
			out = append(out, v.(string))
		}
		return out
	}
	var channels []string
	for _, c := range Channels {
		channels = append(channels, string(c))
	}
	if got := enum(props()["channel"]); !slices.Equal(got, channels) {
		t.Errorf("channels: schema says %v, Go says %v", got, channels)
	}
	var roles []string
	for _, r := range personRoles {
		roles = append(roles, string(r))
	}
	if got := enum(props("$defs", "person")["role"]); !slices.Equal(got, roles) {
		t.Errorf("roles: schema says %v, Go says %v", got, roles)
	}
	var categories []string
	for _, c := range Categories {
		categories = append(categories, string(c))
	}
	if got := enum(props()["category"]); !slices.Equal(got, categories) {
		t.Errorf("categories: schema says %v, Go says %v", got, categories)
	}
	// Every field of the format is a field of Intake, and the other way.
	wantTop := []string{"category", "channel", "description", "evidence", "ongoing", "people", "prior_attempts", "received", "record_only", "reporter", "summary", "urgent", "when", "where"}
	if got := slices.Sorted(maps.Keys(props())); !slices.Equal(got, wantTop) {
		t.Errorf("top-level fields: got %v, want %v", got, wantTop)
	}
	b, err := json.Marshal(Intake{ // a value, not a pointer: received must still be written
		Received: time.Now(), Channel: ChannelEmail, Summary: "s", Category: CategoryOther, Description: "d", When: "w", Where: "w", PriorAttempts: "p",
		Reporter: &IntakeReporter{}, People: []IntakePerson{{}}, Evidence: []IntakeEvidence{{}}, Ongoing: true, RecordOnly: true, Urgent: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]any
	if err := json.Unmarshal(b, &top); err != nil {
		t.Fatal(err)
	}
	if got := slices.Sorted(maps.Keys(top)); !slices.Equal(got, wantTop) {
		t.Errorf("Intake marshals fields %v, want %v", got, wantTop)
	}
}

func TestReadablePaths(t *testing.T) {
	tests := []struct {
		a, b string
		less bool
	}{
		{"received", "summary", true},
		{"people[2].role", "people[10].name", true},
		{"people[1].name", "people[1].role", true},
		{"reporter.name", "people[0]", true},
		{"", "received", true},
		{"summary", "Summary", true},
		{`"a b".x`, "zzz", true},
	}
	for _, tt := range tests {
		if got := comparePaths(tt.a, tt.b) < 0; got != tt.less {
			t.Errorf("%q before %q: got %v, want %v", tt.a, tt.b, got, tt.less)
		}
	}
	if got, want := splitPath(`people[10]."a.b".c`), []string{"people", "10", "a.b", "c"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// FuzzParseIntake checks that no input makes ParseIntake panic, that a
// refusal always names its problems, and that what it accepts is a
// valid report that survives writing out and reading back.
func FuzzParseIntake(f *testing.F) {
	for _, name := range []string{"example.json", "anonymous.json", "record-only.json", "invalid.json"} {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "intake", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := ParseIntake(bytes.NewReader(data), time.UTC)
		if err != nil {
			var ie *InvalidError
			if !errors.As(err, &ie) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("got %T %v, want an *InvalidError", err, err)
			}
			if len(ie.Problems) == 0 {
				t.Fatal("an InvalidError without problems")
			}
			for _, p := range ie.Problems {
				if p.Message == "" {
					t.Fatalf("problem at %q without a message", p.Path)
				}
			}
			return
		}
		if strings.TrimSpace(in.Summary) == "" {
			t.Fatal("accepted an intake without a summary")
		}
		if ps := in.Validate(); ps != nil {
			t.Fatalf("accepted an intake that fails Validate: %v", ps)
		}
		c := in.NewCase("c", "CODE", time.Unix(0, 0))
		if c.Summary == "" || len(c.History) != 1 {
			t.Fatal("NewCase made a case without a summary or history")
		}
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseIntake(bytes.NewReader(b), time.UTC)
		if err != nil {
			t.Fatalf("writing out and reading back: %v\n%s", err, b)
		}
		assertSameIntake(t, again, in)
	})
}

// TestIntakeDocs keeps docs/intake.md in step with the examples and the
// messages.
func TestIntakeDocs(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "intake.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(doc, readIntake(t, "example.json")) {
		t.Error("docs/intake.md does not show testdata/intake/example.json as it is")
	}
	_, err = ParseIntake(bytes.NewReader(readIntake(t, "invalid.json")), time.UTC)
	if err == nil || !bytes.Contains(doc, []byte(err.Error()+"\n")) {
		t.Errorf("docs/intake.md does not show the problems of invalid.json as they are:\n%v", err)
	}
}
