package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"casebook/app"
	"casebook/export"
)

// runIn runs a command with text on standard input.
func (e *caseEnv) runIn(stdin string, args ...string) run {
	e.t.Helper()
	var out, errb strings.Builder
	env := Env{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string { return map[string]string{"CASEBOOK_PASSPHRASE": goodPass}[k] },
		Now:    func() time.Time { return e.now },
	}
	code := Run(append([]string{"--vault", e.dir}, args...), env)
	return run{code: code, stdout: out.String(), stderr: errb.String()}
}

func exampleFile() string { return filepath.Join("..", "..", "testdata", "intake", "example.json") }

func TestCaseCategory(t *testing.T) {
	e := newCaseEnv(t)
	code := strings.TrimSpace(e.ok("case", "new", "--from", exampleFile()))
	if got := e.show(code).Category; got != app.CategoryPersonalAttack {
		t.Errorf("from the intake: got %q, want %q", got, app.CategoryPersonalAttack)
	}
	other := strings.TrimSpace(e.ok("case", "new", "--from", exampleFile(), "--category", "Harassment"))
	if got := e.show(other).Category; got != app.CategoryHarassment {
		t.Errorf("--category: got %q, want it to replace the intake's", got)
	}
	tests := []struct {
		args   []string
		code   int
		stdout string
		stderr string
		want   app.Category
	}{
		{[]string{"case", "category", code, "threat"}, ExitOK, "category set to Threats or violence", "", app.CategoryThreat},
		{[]string{"case", "category", code, "rudeness"}, ExitUsage, "", "Unknown category \"rudeness\"; categories are harassment, discrimination", app.CategoryThreat},
		{[]string{"case", "category", code}, ExitUsage, "", "needs the case's CODE and a CATEGORY", app.CategoryThreat},
		{[]string{"case", "category", "no-such-case-00", "threat"}, ExitError, "", "No such case", app.CategoryThreat},
		{[]string{"case", "category", code, "none"}, ExitOK, "category cleared", "", ""},
		{[]string{"case", "new", "--from", exampleFile(), "--category", "rudeness"}, ExitUsage, "", "Unknown category", ""},
	}
	for _, tt := range tests {
		r := e.run(tt.args...)
		if r.code != tt.code || !strings.Contains(r.stdout, tt.stdout) || !strings.Contains(r.stderr, tt.stderr) {
			t.Errorf("casebook %s: got exit %d, %q, %q; want %d, %q, %q", strings.Join(tt.args, " "), r.code, r.stdout, r.stderr, tt.code, tt.stdout, tt.stderr)
		}
		if got := e.show(code).Category; got != tt.want {
			t.Errorf("casebook %s: category %q, want %q", strings.Join(tt.args, " "), got, tt.want)
		}
	}
	e.ok("case", "category", code, "privacy")
	if got := e.ok("case", "show", code); !strings.Contains(got, "Category: Doxxing or privacy violations.") {
		t.Errorf("case show does not say the category:\n%s", got)
	}
}

func TestCaseArchiveSummary(t *testing.T) {
	e := newCaseEnv(t)
	code := strings.TrimSpace(e.ok("case", "new", "--from", exampleFile()))
	const text = "Björn Castellanos’s replies to ZOE BRANDT were hostile; ana lívia moreau (ana.moreau@example.org) reported it. Amara Nwosu heard them."
	r := e.runIn(text, "case", "archive-summary", code)
	if r.code != ExitOK {
		t.Fatalf("from standard input: exit %d, %q", r.code, r.stderr)
	}
	// The preview shows it as the archive will.
	want := "[Reported person B]’s replies to [Witness C] were hostile; [Reporter A] ([removed]) reported it. [removed] heard them."
	if !strings.Contains(r.stdout, "In the archive it reads:") || !strings.Contains(r.stdout, want) {
		t.Errorf("got %q, want the scrubbed summary %q", r.stdout, want)
	}
	if got := e.show(code).ArchiveSummary; got != text {
		t.Errorf("stored %q, want the text as written", got)
	}
	if got := e.ok("case", "show", code); !strings.Contains(got, "Archive summary: Björn") {
		t.Errorf("case show does not show the archive summary:\n%s", got)
	}
	e.ok("case", "archive-summary", code, "--text", "A neutral text.")
	if got := e.show(code).ArchiveSummary; got != "A neutral text." {
		t.Errorf("--text: got %q", got)
	}
	for _, tc := range []struct {
		args   []string
		stdin  string
		code   int
		stderr string
	}{
		{[]string{"case", "archive-summary", code}, "   \n", ExitError, "An archive summary needs text; use --clear to remove one. Nothing was changed."},
		{[]string{"case", "archive-summary", code, "--text", strings.Repeat("x", app.MaxArchiveSummary+1)}, "", ExitError, "at most 2,000 characters"},
		{[]string{"case", "archive-summary", code, "--clear", "--text", "x"}, "", ExitUsage, "--clear alone"},
		{[]string{"case", "archive-summary", code, "--text", "x", "--text-file", "-"}, "", ExitUsage, "not both"},
	} {
		r := e.runIn(tc.stdin, tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.stderr) {
			t.Errorf("casebook %s: got exit %d %q, want %d %q", strings.Join(tc.args, " ")[:min(60, len(strings.Join(tc.args, " ")))], r.code, r.stderr, tc.code, tc.stderr)
		}
		if got := e.show(code).ArchiveSummary; got != "A neutral text." {
			t.Errorf("a refused summary changed it to %q", got)
		}
	}
	if got := e.ok("case", "archive-summary", code, "--clear"); !strings.Contains(got, "removed") {
		t.Errorf("--clear: got %q", got)
	}
	if got := e.show(code).ArchiveSummary; got != "" {
		t.Errorf("after --clear: got %q", got)
	}
}

// archiveEnv is a vault with the example reports, with categories and
// archive summaries naming their people, and 30 demo cases.
func archiveEnv(t *testing.T) *caseEnv {
	t.Helper()
	e := newCaseEnv(t)
	e.ok("demo", "--cases", "30")
	for _, f := range []string{"example.json", "anonymous.json", "record-only.json"} {
		code := strings.TrimSpace(e.ok("case", "new", "--from", filepath.Join("..", "..", "testdata", "intake", f)))
		e.ok("case", "category", code, "harassment")
		e.ok("case", "archive-summary", code, "--text",
			"Ana Lívia Moreau and zoë brandt wrote about Björn Castellanos and @mentor_kowalczyk; see https://issues.example.org/1234 or call +44 20 7946 0958.")
	}
	return e
}

func TestExportArchive(t *testing.T) {
	e := archiveEnv(t)
	dir := filepath.Join(t.TempDir(), "archive")
	got := e.ok("export", "archive", "--out", dir, "--seed", "7")
	if !strings.Contains(got, "Wrote the archive of 33 cases to "+dir) {
		t.Errorf("got %q", got)
	}
	if !regexp.MustCompile(`\d+ closed cases? (has|have) no archive summary and \d+ cases? no category`).MatchString(got) {
		t.Errorf("the command does not say what is missing: %q", got)
	}
	names := filesIn(t, dir)
	slices.Sort(names)
	if want := []string{"cases.csv", "cases.jsonl", "manifest.json", "schema.json", "summary.pdf"}; !slices.Equal(names, want) {
		t.Fatalf("got files %q, want %q", names, want)
	}
	var all bytes.Buffer
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	all.WriteString(pdfToText(t, filepath.Join(dir, "summary.pdf")))
	text := app.Fold(all.String())
	for _, name := range []string{"Moreau", "Castellanos", "Brandt", "mentor_kowalczyk", "issues.example.org", "7946", "relay-7f3a", "Amara"} {
		if strings.Contains(text, app.Fold(name)) {
			t.Errorf("the archive holds %q", name)
		}
	}
	if !strings.Contains(text, "[reporter a] and [witness c] wrote about [reported person b]") {
		t.Errorf("the scrubbed summary is not in the archive")
	}
	if !strings.Contains(pdfToText(t, filepath.Join(dir, "summary.pdf")), "transparency report") {
		t.Error("summary.pdf is not the transparency report")
	}
	var m export.Manifest
	if err := json.Unmarshal(must(os.ReadFile(filepath.Join(dir, "manifest.json"))), &m); err != nil {
		t.Fatal(err)
	}
	if m.Counts.Cases != 33 || m.K != 5 || m.ProgramVersion != Version || m.ArchiveIDs != "seeded" || m.Generated != "2026-11-02" {
		t.Errorf("manifest: got %+v", m)
	}

	// The same seed on the same day gives the same bytes.
	again := filepath.Join(t.TempDir(), "again")
	e.ok("export", "archive", "--out", again, "--seed", "7")
	sameFiles(t, snapshotRel(t, dir), snapshotRel(t, again))

	// The export is in the audit log.
	if got := e.ok("audit"); !strings.Contains(got, "export.archive") {
		t.Errorf("the audit log does not record the export:\n%s", got)
	}

	// --from and --to bound the days received.
	part := filepath.Join(t.TempDir(), "part")
	e.ok("export", "archive", "--out", part, "--from", "2026-11-02", "--to", "2026-11-10", "--k", "3")
	if err := json.Unmarshal(must(os.ReadFile(filepath.Join(part, "manifest.json"))), &m); err != nil {
		t.Fatal(err)
	}
	if m.Counts.Cases != 3 || m.K != 3 || m.ReceivedFrom != "2026-11-02" || m.ReceivedBefore != "2026-11-11" || m.ArchiveIDs != "random" {
		t.Errorf("a period: got %+v", m)
	}
}

func TestExportArchiveRefusals(t *testing.T) {
	e := newCaseEnv(t)
	e.ok("demo", "--cases", "10")
	full := t.TempDir()
	os.WriteFile(filepath.Join(full, "keep.txt"), []byte("mine"), 0o600)
	file := filepath.Join(t.TempDir(), "file.txt")
	os.WriteFile(file, []byte("mine"), 0o600)
	for _, tc := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"export", "archive"}, ExitUsage, "Name the directory to write the archive to with --out."},
		{[]string{"export", "archive", "--out", full}, ExitError, "the directory is not empty. Name a new or empty directory for the archive; nothing was written."},
		{[]string{"export", "archive", "--out", file}, ExitError, "not a directory. Name a new or empty directory"},
		{[]string{"export", "archive", "--out", t.TempDir(), "--k", "2"}, ExitUsage, "--k must be at least 3"},
		{[]string{"export", "archive", "--out", t.TempDir(), "--from", "2026-12-01", "--to", "2026-01-01"}, ExitUsage, "--from must not come after --to"},
		{[]string{"export", "archive", "--out", t.TempDir(), "--from", "last year"}, ExitUsage, "is not a date"},
		{[]string{"export", "archive", "--out", t.TempDir(), "--seed", "x"}, ExitUsage, "Invalid argument"},
	} {
		r := e.run(tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.stderr) {
			t.Errorf("casebook %s: got exit %d %q, want %d %q", strings.Join(tc.args, " "), r.code, r.stderr, tc.code, tc.stderr)
		}
	}
	if got := filesIn(t, full); !slices.Equal(got, []string{"keep.txt"}) {
		t.Errorf("a refused export changed the directory: %q", got)
	}
	if b, _ := os.ReadFile(file); string(b) != "mine" {
		t.Error("a refused export changed the file")
	}
}

// snapshotRel hashes the files under dir by their names in it.
func snapshotRel(t *testing.T, dir string) map[string][32]byte {
	out := map[string][32]byte{}
	for p, h := range snapshot(t, dir) {
		out[filepath.Base(p)] = h
	}
	return out
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 2000: "2,000", 1234567: "1,234,567", -1500: "-1,500"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestVersion keeps Version and FyneApp.toml in step.
func TestVersion(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "FyneApp.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `Version = "`+Version+`"`) {
		t.Errorf("FyneApp.toml does not give version %s", Version)
	}
}

// TestArchiveShutOutMember: a member shut out of a case may not export
// the archive (it would leave the case out, and what it scrubs from the
// others would tell them who is in it), and the archive summary's preview
// takes out only the names of cases they may see.
func TestArchiveShutOutMember(t *testing.T) {
	e := newCaseEnv(t) // Amara Nwosu uses the vault
	about := filepath.Join(t.TempDir(), "about-amara.json")
	if err := os.WriteFile(about, []byte(`{"received": "2026-11-01", "channel": "email", "summary": "A report about a member",
		"reporter": {"name": "Quinn Harlow", "contact": "quinn@example.org"},
		"people": [{"name": "Amara Nwosu", "role": "reported", "committee_member": true}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := e.run("case", "new", "--from", about); r.code != ExitOK || !strings.Contains(r.stderr, "Send it to the committee now: casebook bundle export") {
		t.Errorf("filing a report about oneself: exit %d, %q; want the case filed and a word on sending it", r.code, r.stderr)
	}
	code := strings.TrimSpace(e.ok("case", "new", "--from", filepath.Join("..", "..", "testdata", "intake", "record-only.json")))
	got := e.ok("case", "archive-summary", code, "--text", "Siobhán Ngata and Quinn Harlow were there.")
	if !strings.Contains(got, "[Reporter A] and Quinn Harlow were there.") {
		t.Errorf("the preview: got %q, want the name of a case Amara may see taken out, and no other", got)
	}
	dir := filepath.Join(t.TempDir(), "archive")
	r := e.run("export", "archive", "--out", dir)
	if r.code != ExitError || !strings.Contains(r.stderr, "You are shut out of some cases") {
		t.Errorf("export archive by a member shut out of a case: exit %d, %q", r.code, r.stderr)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the refused export left %s: %v", dir, err)
	}
}
