package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"casebook/app"
)

// caseEnv is a vault with a roster, driven through the command line with
// a fixed clock.
type caseEnv struct {
	t   *testing.T
	dir string
	now time.Time
}

func newCaseEnv(t *testing.T) *caseEnv {
	t.Helper()
	dir, _ := initVault(t)
	e := &caseEnv{t: t, dir: dir, now: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	e.ok("member", "add", "Amara Nwosu", "--me")
	e.ok("member", "add", "Henrik Lund")
	e.ok("member", "add", "Tomás Okafor")
	return e
}

func (e *caseEnv) run(args ...string) run {
	e.t.Helper()
	var out, errb strings.Builder
	env := Env{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string {
			return map[string]string{"CASEBOOK_PASSPHRASE": goodPass}[k]
		},
		Now: func() time.Time { return e.now },
	}
	code := Run(append([]string{"--vault", e.dir}, args...), env)
	return run{code: code, stdout: out.String(), stderr: errb.String()}
}

func (e *caseEnv) ok(args ...string) string {
	e.t.Helper()
	r := e.run(args...)
	if r.code != ExitOK {
		e.t.Fatalf("casebook %s: exit %d, stderr %q", strings.Join(args, " "), r.code, r.stderr)
	}
	return r.stdout
}

var codeNameRe = regexp.MustCompile(`^[a-z]+-[a-z]+-[0-9]{2}$`)

func TestCaseLifecycleThroughCommands(t *testing.T) {
	e := newCaseEnv(t)
	code := strings.TrimSpace(e.ok("case", "new", "--from", filepath.Join("..", "..", "testdata", "intake", "example.json")))
	if !codeNameRe.MatchString(code) {
		t.Fatalf("case new printed %q, want a code name", code)
	}

	var shown struct {
		Code    string       `json:"code"`
		Stage   app.Stage    `json:"stage"`
		Parties []*app.Party `json:"parties"`
		Allowed []app.Action `json:"allowed_actions"`
	}
	if err := json.Unmarshal([]byte(e.ok("case", "show", code, "--json")), &shown); err != nil {
		t.Fatal(err)
	}
	if shown.Code != code || shown.Stage != app.StageReceived || len(shown.Parties) == 0 || shown.Parties[0].ID != "p1" {
		t.Fatalf("case show --json: got %+v", shown)
	}

	// A refused step names the allowed ones and changes nothing.
	r := e.run("case", "step", code, "acknowledge")
	if r.code != ExitError || !strings.Contains(r.stderr, "check conflicts of interest first") || !strings.Contains(r.stderr, "allowed next:") {
		t.Fatalf("early acknowledge: got exit %d %q", r.code, r.stderr)
	}
	if got := e.ok("case", "step", code); !strings.Contains(got, "check-conflicts") || strings.Contains(got, "triage") {
		t.Fatalf("allowed steps: got %q", got)
	}

	steps := [][]string{
		{"check-conflicts"},
		{"acknowledge"},
		{"triage", "--responder", "henrik lund", "--scope", "in scope"},
	}
	for _, s := range steps {
		e.now = e.now.Add(24 * time.Hour)
		e.ok(append([]string{"case", "step", code}, s...)...)
	}
	// Hear every party other than the reporter.
	for _, p := range shown.Parties[1:] {
		e.ok("case", "step", code, "contact", "--party", p.ID)
		e.ok("case", "step", code, "responded", "--party", p.ID)
	}
	e.ok("case", "message", code, "--party", "p1", "--direction", "in", "--text", "Más detalles: the thread moved to a new place.")
	e.ok("case", "note", code, "--text", "Checked the thread.", "--share-with", "p1")
	for _, s := range [][]string{
		{"start-review"},
		{"conclude-review", "--text", "The accounts agree."},
		{"open-vote", "--outcome", "warning"},
		{"vote", "--choice", "for"},
		{"vote", "--member", "Tomás Okafor", "--choice", "for"},
		{"close-vote"},
		{"decide", "--text", "feedback not needed for a private warning"},
	} {
		e.now = e.now.Add(24 * time.Hour)
		e.ok(append([]string{"case", "step", code}, s...)...)
	}
	e.ok("case", "step", code, "close", "--text", "parties told by phone")
	var closed struct {
		Stage     app.Stage   `json:"stage"`
		Outcome   app.Outcome `json:"outcome"`
		ExpungeOn time.Time   `json:"expunge_on"`
	}
	if err := json.Unmarshal([]byte(e.ok("case", "show", code, "--json")), &closed); err != nil {
		t.Fatal(err)
	}
	if closed.Stage != app.StageClosed || closed.Outcome != app.OutcomeWarning || closed.ExpungeOn.IsZero() {
		t.Fatalf("after close: got %+v", closed)
	}

	// The text view shows the timeline with visibility marks.
	text := e.ok("case", "show", code)
	for _, want := range []string{"Closed", "Más detalles", "[shared with p1]", "Vote v"} {
		if !strings.Contains(text, want) {
			t.Errorf("case show: %q missing from\n%s", want, text)
		}
	}
	if got := e.ok("search", "detalles"); !strings.Contains(got, code) {
		t.Errorf("search: got %q, want the case", got)
	}
	if got := e.ok("case", "list", "--stage", "closed"); !strings.Contains(got, code) {
		t.Errorf("case list --stage closed: got %q", got)
	}
	if got := e.ok("case", "list", "--stage", "received"); strings.Contains(got, code) {
		t.Errorf("case list --stage received lists a closed case: %q", got)
	}
}

func TestCaseNewRefusesInvalidInput(t *testing.T) {
	e := newCaseEnv(t)
	r := e.run("case", "new", "--from", filepath.Join("..", "..", "testdata", "intake", "invalid.json"))
	if r.code != ExitError || !strings.Contains(r.stderr, "nothing was stored") {
		t.Fatalf("got exit %d %q", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if len(lines) < 3 {
		t.Fatalf("want every problem on its own line, got %q", r.stderr)
	}
	for _, l := range lines[1:] {
		if !strings.Contains(l, ":") {
			t.Errorf("problem line %q has no field path", l)
		}
	}
	if got := e.ok("case", "list", "--json"); strings.TrimSpace(got) != "[]" {
		t.Fatalf("an invalid report was stored: %s", got)
	}
}

func TestCaseNewFromStandardInput(t *testing.T) {
	e := newCaseEnv(t)
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "intake", "anonymous.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out, errb strings.Builder
	code := Run([]string{"--vault", e.dir, "case", "new", "--from", "-"}, Env{
		Stdin: strings.NewReader(string(b)), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string { return map[string]string{"CASEBOOK_PASSPHRASE": goodPass}[k] },
	})
	if code != ExitOK || !codeNameRe.MatchString(strings.TrimSpace(out.String())) {
		t.Fatalf("got exit %d, %q %q", code, out.String(), errb.String())
	}
}

func TestDueAndDemo(t *testing.T) {
	e := newCaseEnv(t)
	if got := e.ok("due"); !strings.Contains(got, "Nothing is due") {
		t.Fatalf("due on an empty vault: got %q", got)
	}
	if got := e.ok("demo", "--cases", "30"); !strings.Contains(got, "Added 30 synthetic cases") {
		t.Fatalf("demo: got %q", got)
	}
	var items []app.DueItem
	if err := json.Unmarshal([]byte(e.ok("due", "--json")), &items); err != nil {
		t.Fatal(err)
	}
	kinds := map[app.DueKind]bool{}
	for _, it := range items {
		kinds[it.Kind] = true
	}
	for _, k := range []app.DueKind{app.DueAcknowledge, app.DueTriage, app.DueBrigade} {
		if !kinds[k] {
			t.Errorf("demo due list lacks %s items: %v", k, kinds)
		}
	}
	var list []app.Summary
	if err := json.Unmarshal([]byte(e.ok("case", "list", "--json")), &list); err != nil {
		t.Fatal(err)
	}
	stages := map[app.Stage]bool{}
	for _, s := range list {
		stages[s.Stage] = true
	}
	if len(stages) != len(app.Stages) {
		t.Errorf("demo covers stages %v, want all %d", stages, len(app.Stages))
	}
	if r := e.run("due", "--as-of", "next tuesday"); r.code != ExitUsage {
		t.Errorf("due with a bad date: got exit %d %q, want %d", r.code, r.stderr, ExitUsage)
	}
	if r := e.run("demo", "--cases", "0"); r.code != ExitUsage {
		t.Errorf("demo --cases 0: got exit %d, want %d", r.code, ExitUsage)
	}
}

func TestMemberCommands(t *testing.T) {
	e := newCaseEnv(t)
	var r app.Roster
	if err := json.Unmarshal([]byte(e.ok("member", "list", "--json")), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Members) != 3 || r.Me != r.Members[0].ID {
		t.Fatalf("roster: got %+v", r)
	}
	if res := e.run("member", "add", "amara nwosu"); res.code != ExitError || !strings.Contains(res.stderr, "already has a member") {
		t.Fatalf("duplicate member: got exit %d %q", res.code, res.stderr)
	}
	if res := e.run("member", "me", "Tomás Okafor"); res.code != ExitError || !strings.Contains(res.stderr, "--change") {
		t.Fatalf("member me on a vault that has its member: got exit %d %q", res.code, res.stderr)
	}
	e.ok("member", "me", "Tomás Okafor", "--change")
	if res := e.run("member", "leave", "Tomás Okafor"); res.code != ExitError {
		t.Fatalf("the vault's own member leaving: got exit %d %q, want refused", res.code, res.stderr)
	}
	e.ok("member", "leave", "Henrik Lund")
	if got := e.ok("member", "list"); !strings.Contains(got, "former") || !strings.Contains(got, "uses this vault") {
		t.Fatalf("member list: got %q", got)
	}
	code := strings.TrimSpace(e.ok("case", "new", "--from", filepath.Join("..", "..", "testdata", "intake", "example.json")))
	e.ok("member", "conflict", code, "Tomás Okafor", "--kind", "hard", "--reason", "a close friend of a party")
	// Tomás uses this vault and is now shut out of the case.
	if res := e.run("case", "show", code); res.code != ExitError || !strings.Contains(res.stderr, "conflict of interest") {
		t.Fatalf("excluded member reading the case: got exit %d %q", res.code, res.stderr)
	}
	// No other member has it: the due list says to send it on, and how.
	due := e.ok("due")
	i := strings.Index(due, code)
	if line, _, _ := strings.Cut(due[max(i, 0):], "\n"); i < 0 || !strings.Contains(line, "no other member has it") || !strings.HasSuffix(strings.TrimSpace(line), "casebook bundle export "+code+" --to MEMBER… --out FILE") {
		t.Errorf("due for a case only this shut-out member holds: got %q", due)
	}
}

func TestSettings(t *testing.T) {
	e := newCaseEnv(t)
	for _, tc := range []struct {
		key, value string
		code       int
	}{
		{"time_zone", "Europe/Berlin", ExitOK},
		{"ack_within_hours", "48", ExitOK},
		{"meeting_time", "19:30", ExitOK},
		{"brigade.window_days", "21", ExitOK},
		{"time_zone", "Mars/Olympus", ExitError},
		{"ack_within_hours", "0", ExitError},
		{"ack_within_hours", "soon", ExitError},
		{"no_such_setting", "1", ExitError},
		{"brigade.nothing", "1", ExitError},
		{"brigade.time_zone", "Europe/Berlin", ExitError},
	} {
		r := e.run("settings", "set", tc.key, tc.value)
		if r.code != tc.code {
			t.Errorf("settings set %s %s: got exit %d %q, want %d", tc.key, tc.value, r.code, r.stderr, tc.code)
		}
	}
	var cfg app.Config
	if err := json.Unmarshal([]byte(e.ok("settings")), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.TimeZone != "Europe/Berlin" || cfg.AckWithinHours != 48 || cfg.MeetingTime != "19:30" || cfg.Brigade.WindowDays != 21 {
		t.Fatalf("settings after set: got %+v", cfg)
	}
}
