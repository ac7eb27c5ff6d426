package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"casebook/internal/benchvault"
	"casebook/vault"
)

// TestMain makes vaults cheap to create: the tests of this package open
// many.
func TestMain(m *testing.M) {
	vault.UseLowCostKDFForTesting()
	code := m.Run()
	benchvault.Cleanup()
	os.Exit(code)
}

const testPassphrase = "correct horse battery staple, for tests only"

var codePattern = regexp.MustCompile(`^[a-z]+-[a-z]+-[0-9]{2}$`)

// testClock is a clock the test sets; the store reads it from any
// goroutine.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// storeEnv is a store over a real vault in a temporary directory.
type storeEnv struct {
	dir   string
	v     *vault.Vault
	s     *Store
	clock *testClock
}

func vaultOptions() vault.Options {
	return vault.Options{Actor: "test", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// newStoreEnv creates a vault and opens a store on it, with the Berlin
// configuration and the four-member test roster, m1 using the vault.
func newStoreEnv(t *testing.T) *storeEnv {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "vault")
	v, _, err := vault.Create(dir, []byte(testPassphrase), vaultOptions())
	if err != nil {
		t.Fatalf("vault.Create: %v", err)
	}
	e := &storeEnv{dir: dir, v: v, clock: &testClock{t: wall(berlin, 2026, time.November, 2, 10, 0)}}
	t.Cleanup(func() { e.v.Lock() })
	if e.s, err = OpenStore(v, e.clock.Now); err != nil {
		t.Fatalf("OpenStore: %v", err)
	}
	if err := e.s.SetConfig(testConfig()); err != nil {
		t.Fatalf("SetConfig: %v", err)
	}
	roster := testRoster(t)
	if err := e.s.UpdateRoster(func(r *Roster) error { *r = *roster; return nil }); err != nil {
		t.Fatalf("UpdateRoster: %v", err)
	}
	return e
}

// reopen locks the vault, unlocks it again and opens a new store on it.
func (e *storeEnv) reopen(t *testing.T) *Store {
	t.Helper()
	if err := e.v.Lock(); err != nil {
		t.Fatalf("Lock: %v", err)
	}
	v, err := vault.Open(e.dir, []byte(testPassphrase), vaultOptions())
	if err != nil {
		t.Fatalf("vault.Open: %v", err)
	}
	e.v = v
	if e.s, err = OpenStore(v, e.clock.Now); err != nil {
		t.Fatalf("OpenStore after reopening: %v", err)
	}
	return e.s
}

// rawCase is the case's record as the vault holds it.
func (e *storeEnv) rawCase(t *testing.T, id string) []byte {
	t.Helper()
	b, err := e.v.Get("case."+id, "case")
	if err != nil {
		t.Fatalf("vault Get case.%s/case: %v", id, err)
	}
	return b
}

// testIntake is a report with a reporter and a reported person who can be
// reached, and a witness who cannot.
func testIntake(received time.Time) *Intake {
	return &Intake{
		Received:    received,
		Channel:     ChannelForm,
		Summary:     "Insults in the forum after a heated release discussion",
		Description: "Several posts called the reporter names after the release vote.",
		Reporter:    &IntakeReporter{Name: "Robin Reporter", Contact: "robin@example.org"},
		People: []IntakePerson{
			{Name: "Riley Reported", Contact: "riley@example.org", Role: RoleReported},
			{Name: "Wren Witness", Role: RoleWitness},
		},
	}
}

func (e *storeEnv) newCase(t *testing.T, in *Intake) *Case {
	t.Helper()
	c, err := e.s.NewCase(in)
	if err != nil {
		t.Fatalf("NewCase: %v", err)
	}
	return c
}

func TestOpenStoreNew(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "vault")
	v, _, err := vault.Create(dir, []byte(testPassphrase), vaultOptions())
	if err != nil {
		t.Fatalf("vault.Create: %v", err)
	}
	defer v.Lock()
	s, err := OpenStore(v, nil)
	if err != nil {
		t.Fatalf("OpenStore: %v", err)
	}
	if got := s.List(""); len(got) != 0 {
		t.Errorf("List: got %d cases, want none", len(got))
	}
	if got := s.Due(time.Now()); len(got) != 0 {
		t.Errorf("Due: got %d items, want none", len(got))
	}
	if got := s.Roster(); len(got.Members) != 0 || got.Me != "" {
		t.Errorf("Roster: got %+v, want an empty roster", got)
	}
	if got, want := mustJSON(t, s.Config()), mustJSON(t, DefaultConfig()); got != want {
		t.Errorf("Config: got %s, want the defaults %s", got, want)
	}
	if _, err := s.Case("amber-heron-42"); !errors.Is(err, ErrNoCase) {
		t.Errorf("Case of a new vault: got %v, want ErrNoCase", err)
	}
}

func TestRosterAndConfigPersisted(t *testing.T) {
	e := newStoreEnv(t)
	err := e.s.UpdateRoster(func(r *Roster) error {
		if _, err := r.Add("Emery Invented", "emery@committee.example"); err != nil {
			return err
		}
		r.Member("m3").Active = false
		r.Me = "m2"
		return nil
	})
	if err != nil {
		t.Fatalf("UpdateRoster: %v", err)
	}
	want := mustJSON(t, e.s.Roster())

	// A failing change leaves the roster as it was.
	if err := e.s.UpdateRoster(func(r *Roster) error {
		r.Members = nil
		return errors.New("changed my mind")
	}); err == nil {
		t.Errorf("UpdateRoster with a failing fn: got nil, want its error")
	}
	if err := e.s.UpdateRoster(func(r *Roster) error { r.Me = "m9"; return nil }); !errors.Is(err, ErrInvalid) {
		t.Errorf("UpdateRoster with Me off the roster: got %v, want ErrInvalid", err)
	}
	if err := e.s.UpdateRoster(func(r *Roster) error { _, err := r.Add("alex example", ""); return err }); !errors.Is(err, ErrInvalid) {
		t.Errorf("UpdateRoster adding a duplicate: got %v, want ErrInvalid", err)
	}
	if got := mustJSON(t, e.s.Roster()); got != want {
		t.Errorf("roster after refused changes: got %s, want %s", got, want)
	}
	bad := testConfig()
	bad.MeetingTime = "noon"
	var inv *InvalidError
	if err := e.s.SetConfig(bad); !errors.As(err, &inv) || len(inv.Problems) != 1 || inv.Problems[0].Path != "meeting_time" {
		t.Errorf("SetConfig with a bad meeting time: got %v, want an *InvalidError about meeting_time", err)
	}

	s := e.reopen(t)
	if got := mustJSON(t, s.Roster()); got != want {
		t.Errorf("roster after reopening: got %s, want %s", got, want)
	}
	if got := s.Context().Member; got != "m2" {
		t.Errorf("Context().Member after reopening: got %q, want m2", got)
	}
	if got := s.Config(); got.TimeZone != "Europe/Berlin" || got.MeetingTime != "18:00" {
		t.Errorf("config after reopening: got zone %q meeting %q, want Europe/Berlin 18:00", got.TimeZone, got.MeetingTime)
	}
	// The roster a caller gets is a copy.
	s.Roster().Members[0].Name = "Changed"
	if got := s.Roster().Members[0].Name; got != "Alex Example" {
		t.Errorf("changing a returned roster changed the store's: got %q, want Alex Example", got)
	}
}

func exampleIntake(t *testing.T) *Intake {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "testdata", "intake", "example.json"))
	if errors.Is(err, os.ErrNotExist) {
		t.Logf("no testdata/intake/example.json; using a built intake")
		in := testIntake(wall(berlin, 2026, time.November, 2, 0, 0))
		in.People = append(in.People, IntakePerson{Name: "Tomás Example", Role: RoleOther, CommitteeMember: true, MemberID: "m3"})
		return in
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	in, err := ParseIntake(f, berlin)
	if err != nil {
		t.Fatalf("ParseIntake(example.json): %v", err)
	}
	return in
}

func TestNewCaseFromIntake(t *testing.T) {
	e := newStoreEnv(t)
	// The example's committee member is Tomás Okafor, m3.
	if err := e.s.UpdateRoster(func(r *Roster) error { r.Member("m3").Name = "Tomás Okafor"; return nil }); err != nil {
		t.Fatal(err)
	}
	in := exampleIntake(t)
	c := e.newCase(t, in)
	if !codePattern.MatchString(c.Code) || len(c.ID) != 16 {
		t.Errorf("code and ID: got %q %q, want a code like amber-heron-42 and 16 hex digits", c.Code, c.ID)
	}
	if c.Stage != StageReceived || !c.Received.Equal(in.Received) || c.Summary != in.Summary {
		t.Errorf("case: got stage %s received %v summary %q, want received %v as the intake says", c.Stage, c.Received, c.Summary, in.Received)
	}
	if len(c.History) != 1 || c.History[0].Action != ActReceive || !c.History[0].At.Equal(e.clock.Now()) {
		t.Errorf("history: got %s, want one receive event at %v", mustJSON(t, c.History), e.clock.Now())
	}
	wantParties := 1 + len(in.People)
	if len(c.Parties) != wantParties || c.Reporter() == nil || c.Reporter().ID != "p1" {
		t.Errorf("parties: got %d with reporter %v, want %d with p1 the reporter", len(c.Parties), c.Reporter(), wantParties)
	}
	for _, p := range c.Parties {
		if p.Outreach != NotContacted {
			t.Errorf("%s outreach: got %q, want %q", p.ID, p.Outreach, NotContacted)
		}
	}
	if len(c.Evidence) != len(in.Evidence) {
		t.Errorf("evidence: got %d, want %d", len(c.Evidence), len(in.Evidence))
	}
	// A committee member who is not the reported person stays in.
	for _, m := range []string{"m1", "m2", "m3", "m4"} {
		if c.Excluded(m) {
			t.Errorf("Excluded(%s): got true, want false", m)
		}
	}
	got, err := e.s.Case(strings.ToUpper(c.Code))
	if err != nil {
		t.Fatalf("Case(%q): %v", strings.ToUpper(c.Code), err)
	}
	if mustJSON(t, got) != mustJSON(t, c) {
		t.Errorf("Case: got %s, want %s", mustJSON(t, got), mustJSON(t, c))
	}
	// What NewCase returns is a copy.
	c.Summary = "changed by the caller"
	if got, _ := e.s.Case(c.Code); got.Summary == c.Summary {
		t.Errorf("changing the returned case changed the store's")
	}

	// Invalid intake: refused whole, nothing stored.
	bad := testIntake(time.Time{})
	bad.Summary = " "
	_, err = e.s.NewCase(bad)
	var inv *InvalidError
	if !errors.As(err, &inv) || !errors.Is(err, ErrInvalid) || len(inv.Problems) < 2 {
		t.Errorf("NewCase(invalid): got %v, want an *InvalidError with received and summary", err)
	}
	if n := len(e.s.List("")); n != 1 {
		t.Errorf("cases after a refused intake: got %d, want 1", n)
	}
	s := e.reopen(t)
	got, err = s.Case(c.Code)
	if err != nil {
		t.Fatalf("Case after reopening: %v", err)
	}
	if got.Summary != in.Summary || len(got.Parties) != wantParties {
		t.Errorf("after reopening: got summary %q and %d parties, want %q and %d", got.Summary, len(got.Parties), in.Summary, wantParties)
	}
}

// TestReportedCommitteeMemberExcluded: a report about a sitting member
// shuts that member out at once, whether the intake names their member ID
// (in any case) or only flags them and gives their name (in any case, with
// or without accents); an intake that flags a member Casebook cannot find
// on the roster is refused, and nothing is filed.
func TestReportedCommitteeMemberExcluded(t *testing.T) {
	tests := []struct {
		name      string
		person    IntakePerson
		excluded  string // member ID, or ""
		wantParty string // the party's MemberID
		problem   string // the path of the problem that refuses the intake
	}{
		{"by member ID", IntakePerson{Name: "Blair S.", Role: RoleReported, CommitteeMember: true, MemberID: "m2"}, "m2", "m2", ""},
		{"by member ID in capitals", IntakePerson{Name: "Blair S.", Role: RoleReported, CommitteeMember: true, MemberID: "M2"}, "m2", "m2", ""},
		{"by name as the member ID", IntakePerson{Name: "B.", Role: RoleReported, CommitteeMember: true, MemberID: "Blair Sample"}, "m2", "m2", ""},
		{"by name", IntakePerson{Name: "blair sample", Role: RoleReported, CommitteeMember: true}, "m2", "m2", ""},
		{"by name, spaced otherwise", IntakePerson{Name: "  BLAIR   Sampl\u00e9 ", Role: RoleReported, CommitteeMember: true}, "m2", "m2", ""},
		{"a witness who is a member", IntakePerson{Name: "Casey Placeholder", Role: RoleWitness, CommitteeMember: true, MemberID: "m3"}, "", "m3", ""},
		{"an unknown member ID", IntakePerson{Name: "Blair Sample", Role: RoleReported, CommitteeMember: true, MemberID: "m9"}, "", "", "member_id"},
		{"another member's ID", IntakePerson{Name: "Blair Sample", Role: RoleReported, CommitteeMember: true, MemberID: "m3"}, "", "", "member_id"},
		{"a name with more to it", IntakePerson{Name: "Blair Sample (treasurer)", Role: RoleReported, CommitteeMember: true}, "", "", "name"},
		{"flagged but not on the roster", IntakePerson{Name: "Someone Unknown", Role: RoleReported, CommitteeMember: true}, "", "", "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newStoreEnv(t)
			in := testIntake(wall(berlin, 2026, time.November, 1, 20, 0))
			in.People = append(in.People, tt.person)
			if tt.problem != "" {
				_, err := e.s.NewCase(in)
				var invalid *InvalidError
				want := fmt.Sprintf("people[%d].%s", len(in.People)-1, tt.problem)
				if !errors.As(err, &invalid) || len(invalid.Problems) != 1 || invalid.Problems[0].Path != want {
					t.Fatalf("NewCase: got %v, want one problem at %s", err, want)
				}
				if got := e.s.List(""); len(got) != 0 {
					t.Errorf("a refused intake filed %d cases", len(got))
				}
				if in.People[len(in.People)-1] != tt.person {
					t.Errorf("NewCase changed the caller's intake")
				}
				return
			}
			c := e.newCase(t, in)
			p := c.Parties[len(c.Parties)-1]
			if !p.CommitteeMember || p.MemberID != tt.wantParty {
				t.Errorf("party: got committee_member %v member_id %q, want true %q", p.CommitteeMember, p.MemberID, tt.wantParty)
			}
			var got []string
			for _, k := range c.Conflicts {
				got = append(got, k.MemberID)
				if !k.Automatic || k.Kind != HardConflict {
					t.Errorf("conflict: got %+v, want an automatic hard conflict", *k)
				}
			}
			var want []string
			if tt.excluded != "" {
				want = []string{tt.excluded}
			}
			if !slices.Equal(got, want) {
				t.Errorf("excluded members: got %v, want %v", got, want)
			}
			for _, m := range e.s.Roster().Readers(c) {
				if m.ID == tt.excluded {
					t.Errorf("Readers: got %s, want the reported member left out", m.ID)
				}
			}
		})
	}
}

func TestStepPersisted(t *testing.T) {
	e := newStoreEnv(t)
	c := e.newCase(t, testIntake(wall(berlin, 2026, time.November, 1, 20, 0)))
	for _, s := range []Step{{Action: ActCheckConflicts}, {Action: ActAcknowledge}, {Action: ActTriage, Responder: "m2"}} {
		e.clock.Advance(time.Hour)
		if _, err := e.s.Step(c.Code, s); err != nil {
			t.Fatalf("Step(%s): %v", s.Action, err)
		}
	}
	before, _ := e.s.Case(c.Code)
	if before.Stage != StageGathering || before.Responder != "m2" || len(before.History) != 4 {
		t.Fatalf("got stage %s responder %q with %d events, want gathering m2 with 4", before.Stage, before.Responder, len(before.History))
	}
	if h := before.History[3]; h.Member != "m1" || !h.At.Equal(e.clock.Now()) {
		t.Errorf("event: got member %q at %v, want m1 at %v", h.Member, h.At, e.clock.Now())
	}
	s := e.reopen(t)
	after, err := s.Case(c.Code)
	if err != nil {
		t.Fatalf("Case after reopening: %v", err)
	}
	if got, want := mustJSON(t, after), mustJSON(t, before); got != want {
		t.Errorf("after reopening:\n got %s\nwant %s", got, want)
	}
}

func TestRefusedStepChangesNothing(t *testing.T) {
	e := newStoreEnv(t)
	c := e.newCase(t, testIntake(wall(berlin, 2026, time.November, 1, 20, 0)))
	if _, err := e.s.DeclareConflict(c.Code, "m4", HardConflict, "a close friend"); err != nil {
		t.Fatalf("DeclareConflict: %v", err)
	}
	tests := []struct {
		name string
		me   string
		step Step
	}{
		{"not ready", "m1", Step{Action: ActAcknowledge}},
		{"wrong stage", "m1", Step{Action: ActTriage, Responder: "m2"}},
		{"bad details", "m1", Step{Action: ActDeclareConflict, Member: "m9", Kind: SoftConflict}},
		{"no such action", "m1", Step{Action: "teleport"}},
		{"acting member excluded", "m4", Step{Action: ActCheckConflicts}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := e.s.UpdateRoster(func(r *Roster) error { r.Me = tt.me; return nil }); err != nil {
				t.Fatal(err)
			}
			raw := e.rawCase(t, c.ID)
			cur := &Case{} // read raw: an excluded member may not read it through the store
			if err := json.Unmarshal(raw, cur); err != nil {
				t.Fatal(err)
			}
			e.clock.Advance(time.Minute)
			got, err := e.s.Step(c.Code, tt.step)
			want := ErrNotAllowed
			if cur.Excluded(tt.me) {
				want = ErrExcluded // the store refuses before the process is asked
			}
			if !errors.Is(err, want) || got != nil {
				t.Errorf("Step(%s): got %v, %v; want nil, %v", tt.step.Action, got, err, want)
			}
			var na *NotAllowedError
			if errors.As(err, &na) {
				if want := cur.Allowed(e.s.Context()); !slices.Equal(na.Allowed, want) {
					t.Errorf("allowed: got [%s], want [%s]", actionNames(na.Allowed), actionNames(want))
				}
			}
			if after := e.rawCase(t, c.ID); !bytes.Equal(after, raw) {
				t.Errorf("the vault's case changed:\n got %s\nwant %s", after, raw)
			}
			now := &Case{}
			if err := json.Unmarshal(e.rawCase(t, c.ID), now); err != nil {
				t.Fatal(err)
			}
			if mustJSON(t, now) != mustJSON(t, cur) {
				t.Errorf("the store's case changed:\n got %s\nwant %s", mustJSON(t, now), mustJSON(t, cur))
			}
		})
	}
	if _, err := e.s.Step("no-such-case-00", Step{Action: ActCheckConflicts}); !errors.Is(err, ErrNoCase) {
		t.Errorf("Step on an unknown case: got %v, want ErrNoCase", err)
	}
}

func TestCorrespondence(t *testing.T) {
	e := newStoreEnv(t)
	c := e.newCase(t, testIntake(wall(berlin, 2026, time.November, 1, 20, 0)))
	ev, err := e.s.AddEvidence(c.Code, "https://forum.example.org/t/42", "", Visibility{})
	if err != nil {
		t.Fatalf("AddEvidence: %v", err)
	}
	if ev.Corroboration != Unverified || ev.ID == "" || !ev.Visibility.CommitteeOnly() {
		t.Errorf("evidence: got %+v, want unverified, committee only, with an ID", *ev)
	}
	k, err := e.s.AddCheck(c.Code, "the post was edited after the vote", "forum history")
	if err != nil {
		t.Fatalf("AddCheck: %v", err)
	}
	if k.Status != Unverified || k.ID == "" {
		t.Errorf("check: got %+v, want unverified with an ID", *k)
	}
	shared := Visibility{SharedWith: []string{"p1"}}
	tests := []struct {
		name string
		op   func() error
		want error // nil, ErrInvalid or ErrNoCase
	}{
		{"note", func() error { _, err := e.s.AddNote(c.Code, "Called the reporter", Visibility{}); return err }, nil},
		{"note shared with the reporter", func() error { _, err := e.s.AddNote(c.Code, "Summary for the reporter", shared); return err }, nil},
		{"note shared with an unknown party", func() error {
			_, err := e.s.AddNote(c.Code, "x", Visibility{SharedWith: []string{"p1", "p9"}})
			return err
		}, ErrInvalid},
		{"blank note", func() error { _, err := e.s.AddNote(c.Code, " \n", Visibility{}); return err }, ErrInvalid},
		{"message in", func() error {
			_, err := e.s.AddMessage(c.Code, Message{PartyID: "p1", Direction: In, Channel: ChannelEmail, Text: "More links attached"})
			return err
		}, nil},
		{"message out, shared", func() error {
			_, err := e.s.AddMessage(c.Code, Message{PartyID: "p2", Direction: Out, Text: "We received a report", Visibility: Visibility{SharedWith: []string{"p2"}}})
			return err
		}, nil},
		{"message from an unknown party", func() error {
			_, err := e.s.AddMessage(c.Code, Message{PartyID: "p9", Direction: In, Text: "hello"})
			return err
		}, ErrInvalid},
		{"message with no direction", func() error {
			_, err := e.s.AddMessage(c.Code, Message{PartyID: "p1", Direction: "sideways", Text: "hello"})
			return err
		}, ErrInvalid},
		{"empty message", func() error { _, err := e.s.AddMessage(c.Code, Message{PartyID: "p1", Direction: In}); return err }, ErrInvalid},
		{"message shared with an unknown party", func() error {
			_, err := e.s.AddMessage(c.Code, Message{PartyID: "p1", Direction: Out, Text: "x", Visibility: Visibility{SharedWith: []string{"p7"}}})
			return err
		}, ErrInvalid},
		{"evidence note", func() error { _, err := e.s.AddEvidence(c.Code, "", "screenshot sent by mail", shared); return err }, nil},
		{"empty evidence", func() error { _, err := e.s.AddEvidence(c.Code, " ", " ", Visibility{}); return err }, ErrInvalid},
		{"evidence shared with an unknown party", func() error {
			_, err := e.s.AddEvidence(c.Code, "https://example.org", "", Visibility{SharedWith: []string{"p4"}})
			return err
		}, ErrInvalid},
		{"corroborate", func() error {
			_, err := e.s.Corroborate(c.Code, ev.ID, Corroborated, "seen in the forum's history")
			return err
		}, nil},
		{"corroborate unknown evidence", func() error { _, err := e.s.Corroborate(c.Code, "e99", Corroborated, ""); return err }, ErrInvalid},
		{"corroborate with a bad status", func() error { _, err := e.s.Corroborate(c.Code, ev.ID, "probably", ""); return err }, ErrInvalid},
		{"blank check", func() error { _, err := e.s.AddCheck(c.Code, "  ", "x"); return err }, ErrInvalid},
		{"resolve a check", func() error {
			_, err := e.s.ResolveCheck(c.Code, k.ID, NotCorroborated, "history was purged")
			return err
		}, nil},
		{"resolve an unknown check", func() error { _, err := e.s.ResolveCheck(c.Code, "k99", Corroborated, ""); return err }, ErrInvalid},
		{"note on an unknown case", func() error { _, err := e.s.AddNote("no-such-case-00", "x", Visibility{}); return err }, ErrNoCase},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := e.rawCase(t, c.ID)
			msgs, _ := e.s.Messages(c.Code)
			err := tt.op()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				if bytes.Equal(e.rawCase(t, c.ID), raw) {
					t.Errorf("the vault's case did not change")
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
			if after := e.rawCase(t, c.ID); !bytes.Equal(after, raw) {
				t.Errorf("a refused change altered the vault's case:\n got %s\nwant %s", after, raw)
			}
			if after, _ := e.s.Messages(c.Code); len(after) != len(msgs) {
				t.Errorf("messages: got %d, want %d", len(after), len(msgs))
			}
		})
	}

	s := e.reopen(t)
	got, _ := s.Case(c.Code)
	if len(got.Notes) != 2 || len(got.Evidence) != 2 || len(got.Worksheet) != 1 {
		t.Fatalf("after reopening: got %d notes %d evidence %d checks, want 2 2 1", len(got.Notes), len(got.Evidence), len(got.Worksheet))
	}
	if got.Notes[0].Author != "m1" || !got.Notes[0].Visibility.CommitteeOnly() || !got.Notes[1].Visibility.VisibleTo("p1") {
		t.Errorf("notes: got %s, want by m1, the first committee only, the second shared with p1", mustJSON(t, got.Notes))
	}
	if ev := got.Evidence[0]; ev.Corroboration != Corroborated || ev.How != "seen in the forum's history" {
		t.Errorf("evidence: got %+v, want corroborated with how", *ev)
	}
	if k := got.Worksheet[0]; k.Status != NotCorroborated || k.Result != "history was purged" {
		t.Errorf("check: got %+v, want not-corroborated with the result", *k)
	}
	msgs, err := s.Messages(c.Code)
	if err != nil || len(msgs) != 2 {
		t.Fatalf("messages after reopening: got %d, %v; want 2", len(msgs), err)
	}
	if msgs[0].PartyID != "p1" || msgs[0].Direction != In || msgs[1].PartyID != "p2" || !msgs[1].Visibility.VisibleTo("p2") {
		t.Errorf("messages: got %s, want p1 in, then p2 out shared with p2", mustJSON(t, msgs))
	}
	ids := map[string]bool{}
	for _, id := range []string{got.Notes[0].ID, got.Notes[1].ID, got.Evidence[0].ID, got.Evidence[1].ID, got.Worksheet[0].ID, msgs[0].ID, msgs[1].ID, "p1", "p2", "p3"} {
		if ids[id] {
			t.Errorf("item ID %q used twice", id)
		}
		ids[id] = true
	}
}

// TestResolveCheckRejectsUnknownStatus: a worksheet line takes the same
// statuses as evidence; anything else is refused and changes nothing.
func TestResolveCheckRejectsUnknownStatus(t *testing.T) {
	e := newStoreEnv(t)
	c := e.newCase(t, testIntake(wall(berlin, 2026, time.November, 1, 20, 0)))
	k, err := e.s.AddCheck(c.Code, "the account existed in October", "public profile")
	if err != nil {
		t.Fatal(err)
	}
	raw := e.rawCase(t, c.ID)
	if _, err := e.s.ResolveCheck(c.Code, k.ID, "definitely", ""); !errors.Is(err, ErrInvalid) {
		t.Errorf("ResolveCheck with status %q: got %v, want ErrInvalid", "definitely", err)
	}
	if after := e.rawCase(t, c.ID); !bytes.Equal(after, raw) {
		t.Errorf("the vault's case changed: got %s, want %s", after, raw)
	}
}

func TestMessagesOrder(t *testing.T) {
	e := newStoreEnv(t)
	c := e.newCase(t, testIntake(wall(berlin, 2026, time.November, 1, 20, 0)))
	base := wall(berlin, 2026, time.November, 2, 9, 0)
	for i, off := range []int{3, 1, 2} { // recorded out of order
		at := base.Add(time.Duration(off) * time.Hour)
		if _, err := e.s.AddMessage(c.Code, Message{At: at, PartyID: "p1", Direction: In, Text: fmt.Sprintf("message %d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	e.clock.Advance(24 * time.Hour)
	if _, err := e.s.AddMessage(c.Code, Message{PartyID: "p2", Direction: Out, Text: "now"}); err != nil {
		t.Fatal(err)
	}
	msgs, err := e.s.Messages(c.Code)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range msgs {
		got = append(got, m.Text)
	}
	if want := []string{"message 1", "message 2", "message 0", "now"}; !slices.Equal(got, want) {
		t.Errorf("order: got %q, want %q", got, want)
	}
	if !msgs[3].At.Equal(e.clock.Now()) {
		t.Errorf("a message without a time: got %v, want now %v", msgs[3].At, e.clock.Now())
	}
}

// TestMessagesSameTimeKeepOrder: messages recorded with the same time
// (a mail thread imported at minute precision, or a frozen clock) come
// back in the order they were recorded, also past the ninth.
func TestMessagesSameTimeKeepOrder(t *testing.T) {
	e := newStoreEnv(t)
	c := e.newCase(t, testIntake(wall(berlin, 2026, time.November, 1, 20, 0)))
	at := wall(berlin, 2026, time.November, 2, 9, 0)
	var want []string
	for i := range 12 {
		text := fmt.Sprintf("part %02d", i)
		if _, err := e.s.AddMessage(c.Code, Message{At: at, PartyID: "p1", Direction: In, Text: text}); err != nil {
			t.Fatal(err)
		}
		want = append(want, text)
	}
	msgs, err := e.s.Messages(c.Code)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range msgs {
		got = append(got, m.Text)
	}
	if !slices.Equal(got, want) {
		t.Errorf("order: got %q, want %q", got, want)
	}
}

func TestStoreSearch(t *testing.T) {
	e := newStoreEnv(t)
	c := e.newCase(t, testIntake(wall(berlin, 2026, time.November, 1, 20, 0)))
	other := e.newCase(t, testIntake(wall(berlin, 2026, time.November, 1, 21, 0)))
	if _, err := e.s.AddMessage(c.Code, Message{PartyID: "p1", Direction: In, Subject: "About the sprint", Text: "The stroopwafel incident in the sprint room"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.AddNote(other.Code, "Follow the quokka thread on the mailing list", Visibility{}); err != nil {
		t.Fatal(err)
	}
	type hit struct{ code, kind string }
	find := func(q string) (hits []hit, snippets []string) {
		t.Helper()
		res, err := e.s.Search(q, 20)
		if err != nil {
			t.Fatalf("Search(%q): %v", q, err)
		}
		for _, r := range res {
			hits = append(hits, hit{r.Code, r.Kind})
			snippets = append(snippets, r.Snippet)
		}
		return hits, snippets
	}
	search := func(q string) []hit { t.Helper(); h, _ := find(q); return h }
	// Snippets are read back from where each text is kept: a message
	// from the vault, a note from the case.
	snippets := func(q string) []string { t.Helper(); _, s := find(q); return s }
	for q, want := range map[string][]string{
		"stroopwafel": {"About the sprint The stroopwafel incident in the sprint room"},
		"quokka":      {"Follow the quokka thread on the mailing list"},
		"unicorn":     nil,
	} {
		if got := snippets(q); !slices.Equal(got, want) {
			t.Errorf("snippets for %q: got %q, want %q", q, got, want)
		}
	}
	// SearchCases gives each case once, as its first place, and leaves the
	// snippet to SearchSnippet, which reads it back the same way.
	if _, err := e.s.AddMessage(c.Code, Message{PartyID: "p1", Direction: In, Text: "Another word on the stroopwafel"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.AddEvidence(other.Code, "https://forum.example.org/t/stroopwafel", "a thread", Visibility{}); err != nil {
		t.Fatal(err)
	}
	found, err := e.s.SearchCases("stroopwafel", 10)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		c.Code:     "Another word on the stroopwafel",
		other.Code: "https://forum.example.org/t/stroopwafel a thread",
	}
	if len(found) != len(want) {
		t.Fatalf("SearchCases: got %+v, want one result for each of %v", found, want)
	}
	for _, r := range found {
		if r.Snippet != "" {
			t.Errorf("SearchCases made a snippet for %s: %q", r.Code, r.Snippet)
		}
		got, err := e.s.SearchSnippet(r, "stroopwafel")
		if err != nil || !strings.HasSuffix(got, want[r.Code]) {
			t.Errorf("SearchSnippet(%+v) = %q, %v; want it to end %q", r, got, err, want[r.Code])
		}
	}
	if got, err := e.s.SearchSnippet(SearchResult{Code: c.Code, Kind: "message", ItemID: "msg999"}, "stroopwafel"); got != "" || err != nil {
		t.Errorf("SearchSnippet of a message not there: %q, %v", got, err)
	}
	if got, _ := e.s.SearchCases("stroopwafel", 1); len(got) != 1 {
		t.Errorf("SearchCases with limit 1: %d results", len(got))
	}
	tests := []struct {
		query string
		want  []hit
	}{
		{"stroopwafel", []hit{{c.Code, "message"}, {c.Code, "message"}, {other.Code, "evidence"}}},
		{"STROOPWAFEL sprint", []hit{{c.Code, "message"}}},
		{"stroopw", []hit{{c.Code, "message"}, {c.Code, "message"}, {other.Code, "evidence"}}},
		{"quokka", []hit{{other.Code, "note"}}},
		{"unicorn", nil},
	}
	for _, tt := range tests {
		if got := search(tt.query); !slices.Equal(got, tt.want) {
			t.Errorf("Search(%q): got %v, want %v", tt.query, got, tt.want)
		}
	}
	// The index is built now; later additions must be found too.
	if _, err := e.s.AddMessage(other.Code, Message{PartyID: "p2", Direction: Out, Text: "They mentioned a narwhal emoji"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.AddNote(c.Code, "Ask about the axolotl sticker", Visibility{}); err != nil {
		t.Fatal(err)
	}
	third := e.newCase(t, &Intake{Received: wall(berlin, 2026, time.November, 2, 8, 0), Channel: ChannelChat, Summary: "Capybara spam in chat"})
	for _, tt := range []struct {
		query string
		want  []hit
	}{
		{"narwhal", []hit{{other.Code, "message"}}},
		{"axolotl", []hit{{c.Code, "note"}}},
		{"capybara", []hit{{third.Code, "case"}}},
		{"stroopwafel", []hit{{c.Code, "message"}, {c.Code, "message"}, {other.Code, "evidence"}}}, // still there after the case changed
		{"quokka", []hit{{other.Code, "note"}}},
	} {
		if got := search(tt.query); !slices.Equal(got, tt.want) {
			t.Errorf("after the index was built, Search(%q): got %v, want %v", tt.query, got, tt.want)
		}
	}
}

func TestStoreList(t *testing.T) {
	e := newStoreEnv(t)
	older := e.newCase(t, testIntake(wall(berlin, 2026, time.October, 30, 9, 0)))
	newer := e.newCase(t, testIntake(wall(berlin, 2026, time.November, 1, 9, 0)))
	middle := e.newCase(t, testIntake(wall(berlin, 2026, time.October, 31, 9, 0)))
	for _, s := range []Step{{Action: ActCheckConflicts}, {Action: ActAcknowledge}} {
		if _, err := e.s.Step(middle.Code, s); err != nil {
			t.Fatal(err)
		}
	}
	codes := func(ss []Summary) []string {
		var out []string
		for _, s := range ss {
			out = append(out, s.Code)
		}
		return out
	}
	tests := []struct {
		stage Stage
		want  []string
	}{
		{"", []string{newer.Code, middle.Code, older.Code}},
		{StageReceived, []string{newer.Code, older.Code}},
		{StageAcknowledged, []string{middle.Code}},
		{StageClosed, nil},
	}
	for _, tt := range tests {
		if got := codes(e.s.List(tt.stage)); !slices.Equal(got, tt.want) {
			t.Errorf("List(%q): got %v, want %v", tt.stage, got, tt.want)
		}
	}
	all := e.s.List("")
	if s := all[0]; s.Stage != StageReceived || s.NextAction != ActCheckConflicts || !s.NextDue.Equal(newer.Received.Add(72*time.Hour)) {
		t.Errorf("summary of a new case: got stage %s next %s due %v, want received, check-conflicts, due %v",
			s.Stage, s.NextAction, s.NextDue, newer.Received.Add(72*time.Hour))
	}
	if s := all[1]; s.NextAction != ActTriage || !s.NextDue.Equal(wall(berlin, 2026, time.November, 4, 18, 0)) {
		t.Errorf("summary of an acknowledged case: got next %s due %v, want triage at the meeting on 4 November", s.NextAction, s.NextDue)
	}
	// Cases received at the same moment come in the order of their codes.
	twin := e.newCase(t, testIntake(older.Received))
	want := []string{newer.Code, middle.Code, min(older.Code, twin.Code), max(older.Code, twin.Code)}
	if got := codes(e.s.List("")); !slices.Equal(got, want) {
		t.Errorf("List with two cases received at once: got %v, want %v", got, want)
	}
}

func TestStoreDue(t *testing.T) {
	e := newStoreEnv(t)
	c := e.newCase(t, testIntake(wall(berlin, 2026, time.November, 1, 20, 0)))
	items := e.s.Due(e.clock.Now())
	if got := kinds(items); !slices.Equal(got, []DueKind{DueConflicts, DueAcknowledge}) {
		t.Fatalf("Due: got %v, want conflict-check and acknowledge", got)
	}
	if items[1].Code != c.Code || items[1].PartyID != "p1" || !items[1].Due.Equal(c.Received.Add(72*time.Hour)) {
		t.Errorf("acknowledge item: got %+v, want for p1 of %s due %v", items[1], c.Code, c.Received.Add(72*time.Hour))
	}
	// Walk to a vote: the member using the vault owes a ballot.
	steps := []Step{{Action: ActCheckConflicts}, {Action: ActAcknowledge}, {Action: ActTriage, Responder: "m2"},
		{Action: ActResponded, Party: "p2"}, {Action: ActStartReview, Text: "the witness cannot be reached"},
		{Action: ActConcludeReview}, {Action: ActOpenVote, Outcome: OutcomeWarning}}
	for _, s := range steps {
		e.clock.Advance(time.Hour)
		if _, err := e.s.Step(c.Code, s); err != nil {
			t.Fatalf("Step(%s): %v", s.Action, err)
		}
	}
	if got := findDue(e.s.Due(e.clock.Now()), DueVote, ""); len(got) != 1 {
		t.Errorf("vote items for m1: got %d, want 1", len(got))
	}
	if _, err := e.s.Step(c.Code, Step{Action: ActVote, Choice: For}); err != nil {
		t.Fatal(err)
	}
	if got := findDue(e.s.Due(e.clock.Now()), DueVote, ""); len(got) != 0 {
		t.Errorf("vote items after m1 voted: got %d, want none", len(got))
	}
}

func importCases(n int, received time.Time) ([]*Case, map[string][]*Message) {
	cases := make([]*Case, n)
	msgs := map[string][]*Message{}
	for i := range cases {
		c := newTestCase(received.Add(time.Duration(i) * time.Hour))
		c.ID = fmt.Sprintf("%016x", 0xfeed0000+i)
		c.Code = ""
		c.Summary = fmt.Sprintf("Imported report number %d", i)
		c.Seq = 5
		cases[i] = c
		msgs[c.ID] = []*Message{
			{ID: "msg4", At: c.Received, PartyID: "p1", Direction: In, Text: fmt.Sprintf("original report %d", i)},
			{ID: "msg5", At: c.Received.Add(time.Hour), PartyID: "p1", Direction: Out, Text: "acknowledgement"},
		}
	}
	return cases, msgs
}

func TestImport(t *testing.T) {
	e := newStoreEnv(t)
	existing := e.newCase(t, testIntake(wall(berlin, 2026, time.November, 1, 20, 0)))
	cases, msgs := importCases(45, wall(berlin, 2026, time.September, 1, 9, 0)) // three writes
	cases[0].Code = existing.Code                                               // taken: gets a new one
	cases[1].Code = "quiet-lark-17"
	codes, err := e.s.Import(cases, msgs)
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	check := func(s *Store) {
		t.Helper()
		list := s.List("")
		if len(list) != 46 {
			t.Fatalf("List: got %d cases, want 46", len(list))
		}
		seen := map[string]bool{}
		for _, sum := range list {
			if seen[sum.Code] {
				t.Errorf("code %q used twice", sum.Code)
			}
			seen[sum.Code] = true
			if !codePattern.MatchString(sum.Code) {
				t.Errorf("code %q does not match %s", sum.Code, codePattern)
			}
		}
		c1, err := s.Case("quiet-lark-17")
		if err != nil || c1.ID != cases[1].ID {
			t.Errorf("Case(quiet-lark-17): got %v, %v; want the imported case %s", c1, err, cases[1].ID)
		}
		if got, _ := s.Case(existing.Code); got == nil || got.ID != existing.ID {
			t.Errorf("the existing case's code now names another case")
		}
		for _, i := range []int{0, 19, 20, 44} {
			c, err := s.Case(codes[i])
			if err != nil {
				t.Errorf("Case(%q): %v", codes[i], err)
				continue
			}
			if c.Summary != fmt.Sprintf("Imported report number %d", i) {
				t.Errorf("case %d: got summary %q", i, c.Summary)
			}
			ms, err := s.Messages(c.Code)
			if err != nil || len(ms) != 2 || ms[0].Text != fmt.Sprintf("original report %d", i) {
				t.Errorf("messages of case %d: got %d, %v", i, len(ms), err)
			}
		}
		res, err := s.Search("original report", 100)
		if err != nil || len(res) != 45 {
			t.Errorf("Search(original report): got %d results, %v; want 45", len(res), err)
		}
	}
	if codes[0] == existing.Code || codes[1] != "quiet-lark-17" {
		t.Errorf("import codes: got %q and %q; want a new one for the taken code, and quiet-lark-17 kept", codes[0], codes[1])
	}
	check(e.s)
	check(e.reopen(t))
}

// TestImportKeepsCopies: the store holds its own copies, as it promises;
// a caller changing what it imported changes nothing stored.
func TestImportKeepsCopies(t *testing.T) {
	e := newStoreEnv(t)
	cases, msgs := importCases(2, wall(berlin, 2026, time.September, 1, 9, 0))
	codes, err := e.s.Import(cases, msgs)
	if err != nil {
		t.Fatal(err)
	}
	cases[0].Summary = "changed by the caller after the import"
	cases[0].Stage = StageClosed
	got, err := e.s.Case(codes[0])
	if err != nil {
		t.Fatal(err)
	}
	if got.Summary != "Imported report number 0" || got.Stage != StageReceived {
		t.Errorf("stored case after the caller changed its own: got %q at %s, want the imported summary at received", got.Summary, got.Stage)
	}
}

// TestImportCodesUsable: whatever code an imported case brings, it ends
// with a code of the usual form by which it can be found.
func TestImportCodesUsable(t *testing.T) {
	e := newStoreEnv(t)
	cases, msgs := importCases(3, wall(berlin, 2026, time.September, 1, 9, 0))
	cases[0].Code = "Amber-Heron-42"
	cases[1].Code = "case 2019/7"
	cases[2].Code = "amber-heron-42"
	if _, err := e.s.Import(cases, msgs); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, sum := range e.s.List("") {
		if !codePattern.MatchString(sum.Code) {
			t.Errorf("code %q does not match %s", sum.Code, codePattern)
		}
		if seen[strings.ToLower(sum.Code)] {
			t.Errorf("code %q used twice, ignoring case", sum.Code)
		}
		seen[strings.ToLower(sum.Code)] = true
		if c, err := e.s.Case(sum.Code); err != nil || c.ID != sum.ID {
			t.Errorf("Case(%q): got %v; want the listed case %s", sum.Code, err, sum.ID)
		}
	}
}

func TestCodeNames(t *testing.T) {
	e := newStoreEnv(t)
	seen := map[string]bool{}
	for i := range 40 {
		c := e.newCase(t, testIntake(wall(berlin, 2026, time.October, 1, 9, 0).Add(time.Duration(i)*time.Hour)))
		if !codePattern.MatchString(c.Code) {
			t.Errorf("code %q does not match %s", c.Code, codePattern)
		}
		if seen[c.Code] {
			t.Errorf("code %q given twice", c.Code)
		}
		seen[c.Code] = true
	}
	// Taken codes are never given again.
	taken := map[string]bool{}
	for range 2000 {
		code := NewCodeName(func(c string) bool { return taken[c] })
		if taken[code] || !codePattern.MatchString(code) {
			t.Fatalf("NewCodeName: got %q, taken %v", code, taken[code])
		}
		taken[code] = true
	}
	s := e.reopen(t)
	for code := range seen {
		if _, err := s.Case(code); err != nil {
			t.Errorf("Case(%q) after reopening: %v", code, err)
		}
	}
}

// TestStoreConcurrent reads while another goroutine writes; run it with
// -race.
func TestStoreConcurrent(t *testing.T) {
	e := newStoreEnv(t)
	c := e.newCase(t, testIntake(wall(berlin, 2026, time.November, 1, 20, 0)))
	for _, s := range []Step{{Action: ActCheckConflicts}, {Action: ActAcknowledge}, {Action: ActTriage, Responder: "m2"}} {
		if _, err := e.s.Step(c.Code, s); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.s.Search("warmup", 1); err != nil { // build the index so that writes update it
		t.Fatal(err)
	}
	stop := make(chan struct{})
	errs := make(chan error, 100)
	var wg sync.WaitGroup
	for r := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				var err error
				switch (r + i) % 7 {
				case 0:
					if len(e.s.List("")) == 0 {
						err = errors.New("List: no cases")
					}
				case 1:
					e.s.Due(e.clock.Now())
				case 2:
					var got *Case
					if got, err = e.s.Case(c.Code); err == nil && got.Code != c.Code {
						err = fmt.Errorf("Case: got %q", got.Code)
					}
				case 3:
					_, err = e.s.Messages(c.Code)
				case 4:
					_, err = e.s.Search("update number", 10)
				case 5:
					_ = e.s.Roster().Readers(c)
					_ = e.s.Context()
				case 6:
					_ = e.s.Brigading()
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := range 30 {
		e.clock.Advance(time.Minute)
		var err error
		switch i % 4 {
		case 0:
			_, err = e.s.AddMessage(c.Code, Message{PartyID: "p1", Direction: Out, Text: fmt.Sprintf("update number %d", i)})
		case 1:
			_, err = e.s.AddNote(c.Code, fmt.Sprintf("note number %d", i), Visibility{})
		case 2:
			_, err = e.s.Step(c.Code, Step{Action: ActStatusUpdate, Party: "p1"})
		case 3:
			_, err = e.s.NewCase(testIntake(e.clock.Now()))
		}
		if err != nil {
			t.Errorf("write %d: %v", i, err)
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("reader: %v", err)
	}
	msgs, err := e.s.Messages(c.Code)
	if err != nil || len(msgs) != 8 {
		t.Errorf("messages: got %d, %v; want 8", len(msgs), err)
	}
	res, err := e.s.Search("update number", 100)
	if err != nil || len(res) != 8 {
		t.Errorf("Search(update number): got %d, %v; want 8 messages", len(res), err)
	}
}

// TestShutOut lists the cases another member is shut out of, and no
// other.
func TestShutOut(t *testing.T) {
	e := newStoreEnv(t)
	in := testIntake(wall(berlin, 2026, time.November, 1, 20, 0))
	in.People = append(in.People, IntakePerson{Name: "Blair Sample", Role: RoleReported, CommitteeMember: true})
	about := e.newCase(t, in)
	other := e.newCase(t, testIntake(wall(berlin, 2026, time.November, 1, 21, 0)))
	if got := e.s.ShutOut(); len(got) != 1 || !got[about.Code] || got[other.Code] {
		t.Errorf("ShutOut: got %v, want only %s", got, about.Code)
	}
	// A member who has left is at no meeting.
	if err := e.s.UpdateRoster(func(r *Roster) error { r.Member("m2").Active = false; return nil }); err != nil {
		t.Fatal(err)
	}
	if got := e.s.ShutOut(); len(got) != 0 {
		t.Errorf("ShutOut after the member left: got %v, want none", got)
	}
}

// TestNoMeFailsClosed: a vault that does not say which member uses it
// shows no case from which a member is shut out, as that member may be
// the one using it, and says why when asked for one.
func TestNoMeFailsClosed(t *testing.T) {
	e := newStoreEnv(t)
	in := testIntake(wall(berlin, 2026, time.November, 1, 20, 0))
	in.People = append(in.People, IntakePerson{Name: "Blair Sample", Role: RoleReported, CommitteeMember: true})
	about := e.newCase(t, in)
	other := e.newCase(t, testIntake(wall(berlin, 2026, time.November, 1, 21, 0)))
	if err := e.s.UpdateRoster(func(r *Roster) error { r.Me = ""; return nil }); err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, sum := range e.s.List("") {
		codes = append(codes, sum.Code)
	}
	if !slices.Equal(codes, []string{other.Code}) {
		t.Errorf("List with no member set: got %v, want only %s", codes, other.Code)
	}
	if _, err := e.s.Case(about.Code); !errors.Is(err, ErrNoMe) {
		t.Errorf("Case(%s) with no member set: got %v, want ErrNoMe", about.Code, err)
	}
	if _, err := e.s.Case(other.Code); err != nil {
		t.Errorf("Case(%s), which nobody is shut out of: %v", other.Code, err)
	}
}

// TestWholeCaseBookAndVisibleIdentities: a member shut out of a case is
// told so, and the identities of what they may see leave that case's
// people out.
func TestWholeCaseBookAndVisibleIdentities(t *testing.T) {
	e := newStoreEnv(t) // m1 uses the vault
	if err := e.s.WholeCaseBook(); err != nil {
		t.Errorf("an empty vault: WholeCaseBook: %v", err)
	}
	in := testIntake(wall(berlin, 2026, time.November, 1, 20, 0))
	in.Reporter.Name = "Quinn Harlow"
	in.People = append(in.People, IntakePerson{Name: "Alex Example", Role: RoleReported, CommitteeMember: true, MemberID: "m1"})
	e.newCase(t, in)
	if err := e.s.WholeCaseBook(); !errors.Is(err, ErrShutOut) {
		t.Errorf("a report about the member: WholeCaseBook: got %v, want ErrShutOut", err)
	}
	has := func(ids []Identity) bool {
		return slices.ContainsFunc(ids, func(id Identity) bool { return id.Name == "Quinn Harlow" })
	}
	if !has(e.s.Identities()) || has(e.s.VisibleIdentities()) {
		t.Errorf("Quinn Harlow: in Identities %v, in VisibleIdentities %v; want only the first", has(e.s.Identities()), has(e.s.VisibleIdentities()))
	}
	// A vault that does not say who uses it cannot tell.
	if err := e.s.UpdateRoster(func(r *Roster) error { r.Me = ""; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := e.s.WholeCaseBook(); !errors.Is(err, ErrNoMe) {
		t.Errorf("no member set: WholeCaseBook: got %v, want ErrNoMe", err)
	}
	if _, err := e.s.ImportBundle(strings.NewReader("")); err == nil {
		t.Error("ImportBundle with no member set: got nil")
	}
}

// TestDemoOnARosterNamesItsMembers: demo data added to a vault with a
// roster makes its committee-member parties the roster's members, by name
// as well as by ID, so that a report about a member names the member it
// shuts out.
func TestDemoOnARosterNamesItsMembers(t *testing.T) {
	e := newStoreEnv(t)
	if _, _, err := e.s.AddDemo(DemoOptions{Cases: 30, Seed: 3, Now: e.clock.Now(), Config: testConfig()}); err != nil {
		t.Fatal(err)
	}
	r := e.s.Roster()
	found := 0
	if err := e.s.ViewCases(func(cases []*Case) error {
		for _, c := range cases {
			for _, p := range c.Parties {
				if p.MemberID == "" {
					continue
				}
				found++
				if m := r.Member(p.MemberID); m == nil || p.Name != m.Name {
					t.Errorf("%s %s: member %s named %q, want the roster's name", c.Code, p.ID, p.MemberID, p.Name)
				}
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if found == 0 {
		t.Fatal("the demo has no committee-member party")
	}
}
