package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"casebook/app"
)

// bundlePair is Amara's vault and Henrik's, each knowing the other's keys.
// Their rosters list the same people in other orders.
type bundlePair struct {
	amara, henrik *caseEnv
	dir           string // where bundles are written
}

func newBundlePair(t *testing.T) *bundlePair {
	t.Helper()
	p := &bundlePair{amara: newCaseEnv(t), dir: t.TempDir()}
	dir, _ := initVault(t)
	p.henrik = &caseEnv{t: t, dir: dir, now: p.amara.now}
	p.henrik.ok("member", "add", "Henrik Lund", "--me")
	p.henrik.ok("member", "add", "Tomás Okafor")
	p.henrik.ok("member", "add", "Amara Nwosu")

	amaraLine := p.amara.ok("key")
	henrikLine := p.henrik.ok("key")
	for _, line := range []string{amaraLine, henrikLine} {
		if !strings.HasPrefix(line, "casebook-key1 age1") || strings.Count(line, "\n") != 1 {
			t.Fatalf("casebook key: got %q, want one key line", line)
		}
	}
	if !strings.HasSuffix(amaraLine, " Amara Nwosu\n") {
		t.Errorf("Amara's key line: got %q, want her name at the end", amaraLine)
	}
	if out := p.amara.ok("member", "key", "Henrik Lund", strings.TrimSpace(henrikLine)); !strings.Contains(out, "fingerprint") {
		t.Errorf("member key: got %q", out)
	}
	// The line may also come as several arguments, as an unquoted paste.
	p.henrik.ok(append([]string{"member", "key", "Amara Nwosu"}, strings.Fields(amaraLine)...)...)
	return p
}

func (p *bundlePair) path(name string) string { return filepath.Join(p.dir, name) }

// state is what a refused command must leave as it was.
func (e *caseEnv) state() string {
	e.t.Helper()
	return e.ok("case", "list", "--json") + e.ok("member", "list", "--json") + e.ok("bundle", "conflicts", "--json") + e.ok("audit", "--json")
}

func TestBundleCommands(t *testing.T) {
	p := newBundlePair(t)
	a, h := p.amara, p.henrik
	code := strings.TrimSpace(a.ok("case", "new", "--from", filepath.Join("..", "..", "testdata", "intake", "example.json")))
	a.ok("case", "note", code, "--text", "Amara's first note")

	// Refused recipients: nothing is written.
	r := a.run("bundle", "export", code, "--to", "Henrik Lund", "--to", "Tomás Okafor", "--out", p.path("x.casebook"))
	if r.code != ExitError || !strings.Contains(r.stderr, "Tomás Okafor has no keys yet") || !strings.Contains(r.stderr, "nothing was written") {
		t.Errorf("export to a member without keys: got exit %d %q", r.code, r.stderr)
	}
	a.ok("member", "conflict", code, "Henrik Lund", "--kind", "hard", "--reason", "a friend of the reported person")
	r = a.run("bundle", "export", code, "--to", "Henrik Lund", "--out", p.path("x.casebook"))
	if r.code != ExitError || !strings.Contains(r.stderr, "Henrik Lund has a conflict of interest on "+code) {
		t.Errorf("export to a conflicted member: got exit %d %q", r.code, r.stderr)
	}
	if strings.Contains(r.stderr, "friend") {
		t.Errorf("the refusal quotes the conflict's reason: %q", r.stderr)
	}
	if entries, _ := os.ReadDir(p.dir); len(entries) != 0 {
		t.Fatalf("refused exports left files: %v", entries)
	}

	// A case Henrik may receive.
	code2 := strings.TrimSpace(a.ok("case", "new", "--from", filepath.Join("..", "..", "testdata", "intake", "example.json")))
	out := a.ok("bundle", "export", code2, "--to", "henrik lund", "--out", p.path("one.casebook"))
	if !strings.Contains(out, "1 case for Henrik Lund") {
		t.Errorf("export: got %q", out)
	}
	if fi, err := os.Stat(p.path("one.casebook")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("bundle file: %v, %v; want it readable by its owner only", fi, err)
	}
	bundle, _ := os.ReadFile(p.path("one.casebook"))

	// Damaged, cut short, not a bundle: refused, nothing changed.
	before := h.state()
	flipped := append([]byte(nil), bundle...)
	flipped[len(flipped)-100] ^= 0x40
	short := bundle[:len(bundle)-50]
	for _, tc := range []struct {
		name, file string
		data       []byte
		code       int
		want       string
	}{
		{"flipped", "flipped.casebook", flipped, ExitIntegrity, "damaged or was altered"},
		{"short", "short.casebook", short, ExitIntegrity, "incomplete"},
		{"not a bundle", "notes.txt", []byte("meeting notes\n"), ExitError, "not a Casebook bundle"},
	} {
		if err := os.WriteFile(p.path(tc.file), tc.data, 0o600); err != nil {
			t.Fatal(err)
		}
		r := h.run("bundle", "import", p.path(tc.file))
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, "othing was changed") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("%s: got exit %d %q, want %d and one sentence saying %q and that nothing changed", tc.name, r.code, r.stderr, tc.code, tc.want)
		}
	}
	if after := h.state(); after != before {
		t.Errorf("refused imports changed the vault")
	}
	// Not for this vault.
	mei := newCaseEnv(t)
	if r := mei.run("bundle", "import", p.path("one.casebook")); r.code != ExitError || !strings.Contains(r.stderr, "not addressed to you") {
		t.Errorf("import by someone else: got exit %d %q", r.code, r.stderr)
	}

	out = h.ok("bundle", "import", p.path("one.casebook"))
	if !strings.Contains(out, "from Amara Nwosu") || !strings.Contains(out, code2+"  added") {
		t.Errorf("import: got %q", out)
	}
	if out := h.ok("bundle", "import", p.path("one.casebook")); !strings.Contains(out, "unchanged") {
		t.Errorf("second import: got %q", out)
	}
	var shown struct {
		Evidence []app.Evidence `json:"evidence"`
	}
	if err := json.Unmarshal([]byte(h.ok("case", "show", code2, "--json")), &shown); err != nil || len(shown.Evidence) == 0 {
		t.Fatalf("case show in Henrik's vault: %v", err)
	}
	ev := shown.Evidence[0].ID

	// Both corroborate the same evidence differently: a conflict.
	a.ok("case", "corroborate", code2, ev, "--status", "corroborated", "--how", "seen by Amara")
	h.ok("case", "corroborate", code2, ev, "--status", "not-corroborated", "--how", "the link is dead")
	h.ok("case", "note", code2, "--text", "Henrik's note")
	h.ok("bundle", "export", code2, "--to", "Amara Nwosu", "--out", p.path("back.casebook"))
	out = a.ok("bundle", "import", p.path("back.casebook"))
	if !strings.Contains(out, "2 conflicts to settle") || !strings.Contains(out, "bundle conflicts") {
		t.Errorf("import with conflicts: got %q", out)
	}
	if due := a.ok("due"); !strings.Contains(due, "Settle 2 merge conflicts") {
		t.Errorf("due: got %q, want the conflicts to settle", due)
	}
	listed := a.ok("bundle", "conflicts")
	for _, want := range []string{code2 + " c1", "evidence " + ev, `yours:  "seen by Amara"`, `theirs: "the link is dead"`, "from Henrik Lund"} {
		if !strings.Contains(listed, want) {
			t.Errorf("conflicts: got\n%s\nwant %q", listed, want)
		}
	}
	var conflicts []app.MergeConflict
	if err := json.Unmarshal([]byte(a.ok("bundle", "conflicts", code2, "--json")), &conflicts); err != nil || len(conflicts) != 2 {
		t.Fatalf("conflicts --json: got %v, %v", conflicts, err)
	}
	if r := a.run("bundle", "resolve", code2, "c1", "--keep", "both"); r.code != ExitUsage {
		t.Errorf("resolve --keep both: got exit %d %q", r.code, r.stderr)
	}
	for _, x := range conflicts {
		keep := "theirs"
		if x.What == "evidence "+ev+": corroboration" {
			keep = "mine"
		}
		a.ok("bundle", "resolve", code2, x.ID, "--keep", keep)
	}
	if got := a.ok("bundle", "conflicts"); !strings.Contains(got, "No merge conflicts") {
		t.Errorf("conflicts after settling: got %q", got)
	}
	var settled struct {
		Evidence []app.Evidence `json:"evidence"`
		Notes    []app.Note     `json:"notes"`
	}
	if err := json.Unmarshal([]byte(a.ok("case", "show", code2, "--json")), &settled); err != nil {
		t.Fatal(err)
	}
	if e := settled.Evidence[0]; e.Corroboration != app.Corroborated || e.How != "the link is dead" || len(settled.Notes) != 1 {
		t.Errorf("settled: got %+v and %d notes, want corroborated (mine), how from theirs, and Henrik's note", e, len(settled.Notes))
	}
	if audit := a.ok("audit"); !strings.Contains(audit, "bundle.import") || !strings.Contains(audit, "bundle.resolve") {
		t.Errorf("audit: got %q", audit)
	}
}

func TestExpungeCommand(t *testing.T) {
	e := newCaseEnv(t)
	code := strings.TrimSpace(e.ok("case", "new", "--from", filepath.Join("..", "..", "testdata", "intake", "example.json")))
	keep := strings.TrimSpace(e.ok("case", "new", "--from", filepath.Join("..", "..", "testdata", "intake", "example.json")))
	for _, s := range [][]string{{"check-conflicts"}, {"acknowledge"}, {"close-out-of-scope", "--text", "not ours"}, {"close", "--text", "told by phone"}} {
		e.ok(append([]string{"case", "step", code}, s...)...)
	}
	if got := e.ok("expunge"); !strings.Contains(got, "No closed case") {
		t.Errorf("expunge before the date: got %q", got)
	}
	e.now = e.now.AddDate(1, 1, 0)
	if due := e.ok("due"); !strings.Contains(due, "Expunge the case") {
		t.Errorf("due: got %q", due)
	}
	if got := e.ok("expunge", "--dry-run"); !strings.Contains(got, "Would expunge 1 case") || !strings.Contains(got, code) {
		t.Errorf("expunge --dry-run: got %q", got)
	}
	if r := e.run("expunge", "--as-of", e.now.AddDate(0, 0, 3).Format(time.DateOnly)); r.code != ExitError || !strings.Contains(r.stderr, "cannot be expunged before its date") {
		t.Errorf("expunge --as-of a later day: got exit %d %q", r.code, r.stderr)
	}
	if got := e.ok("case", "list"); !strings.Contains(got, code) {
		t.Fatalf("the dry run or the refusal removed the case")
	}
	if got := e.ok("expunge"); !strings.Contains(got, "Expunged 1 case") || !strings.Contains(got, code) {
		t.Errorf("expunge: got %q", got)
	}
	list := e.ok("case", "list")
	if strings.Contains(list, code) || !strings.Contains(list, keep) {
		t.Errorf("case list after expunge: got %q", list)
	}
	if r := e.run("case", "show", code); r.code != ExitError {
		t.Errorf("case show of an expunged case: got exit %d", r.code)
	}
	if audit := e.ok("audit"); !strings.Contains(audit, "case.expunge") || !strings.Contains(audit, "namespace.destroy") {
		t.Errorf("audit: got %q", audit)
	}
	if got := e.ok("check"); got == "" {
		t.Errorf("check after expunge printed nothing")
	}
}
