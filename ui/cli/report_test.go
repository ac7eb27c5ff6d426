package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func pdfToText(t *testing.T, path string) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) is not installed")
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// filesIn lists a directory's entries, hidden ones (such as a partial
// file) included.
func filesIn(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func TestReportCommands(t *testing.T) {
	e := newCaseEnv(t)
	code := strings.TrimSpace(e.ok("case", "new", "--from", filepath.Join("..", "..", "testdata", "intake", "example.json")))
	e.ok("case", "step", code, "check-conflicts")
	e.ok("case", "step", code, "acknowledge")
	out := t.TempDir()

	// Not yet owed: the case is younger than two weeks.
	if got := e.ok("report", "updates", "--out", out); !strings.Contains(got, "No status update is owed") {
		t.Fatalf("got %q", got)
	}
	e.now = e.now.Add(15 * 24 * time.Hour)

	got := e.ok("report", "updates", "--dry-run", "--out", out)
	if !strings.Contains(got, code+"-p1.pdf") || !strings.Contains(got, "none recorded") {
		t.Fatalf("dry run: got %q", got)
	}
	got = e.ok("report", "updates", "--out", out, "--reach", "coc@example.net")
	if !strings.Contains(got, "1 of 1 written and recorded as sent") {
		t.Fatalf("got %q", got)
	}
	text := pdfToText(t, filepath.Join(out, code+"-p1.pdf"))
	for _, w := range []string{"Dear Ana Lívia Moreau", "Your report has been received", "coc@example.net"} {
		if !strings.Contains(text, w) {
			t.Errorf("the reporter's update lacks %q: %s", w, text)
		}
	}
	var shown struct {
		Parties []struct {
			ID           string    `json:"id"`
			LastUpdateAt time.Time `json:"last_update_at"`
		} `json:"parties"`
	}
	if err := json.Unmarshal([]byte(e.ok("case", "show", code, "--json")), &shown); err != nil {
		t.Fatal(err)
	}
	if !shown.Parties[0].LastUpdateAt.Equal(e.now) {
		t.Errorf("p1's last update %v, want it recorded at %v", shown.Parties[0].LastUpdateAt, e.now)
	}
	if got := e.ok("report", "updates", "--out", out); !strings.Contains(got, "No status update is owed") {
		t.Errorf("after sending: got %q", got)
	}

	// On request, for the reported person, who is owed nothing.
	p2 := filepath.Join(out, "p2.pdf")
	e.ok("report", "update", code, "--party", "p2", "--out", p2)
	text = pdfToText(t, p2)
	if !strings.Contains(text, "Dear Björn Castellanos") || !strings.Contains(text, "A report was made") {
		t.Errorf("the reported person's update: %s", text)
	}
	for _, a := range []string{"Ana", "Moreau", "ana.moreau@example.org", "bjorn@example.org", "sarcastic", "Zoë", "reporter"} {
		if strings.Contains(text, a) {
			t.Errorf("the reported person's update holds %q", a)
		}
	}

	e.ok("report", "case", code, "--out", filepath.Join(out, "case.pdf"))
	if text := pdfToText(t, filepath.Join(out, "case.pdf")); !strings.Contains(text, "CONFIDENTIAL") || !strings.Contains(text, "ana.moreau@example.org") {
		t.Errorf("case summary: %s", text)
	}
	e.ok("report", "agenda", "--out", filepath.Join(out, "agenda.pdf"))
	if text := pdfToText(t, filepath.Join(out, "agenda.pdf")); !strings.Contains(text, "Meeting agenda") || !strings.Contains(text, code) {
		t.Errorf("agenda: %s", text)
	}
}

func TestReportErrorsLeaveNoFile(t *testing.T) {
	e := newCaseEnv(t)
	code := strings.TrimSpace(e.ok("case", "new", "--from", filepath.Join("..", "..", "testdata", "intake", "example.json")))
	out := t.TempDir()
	// A path that is a directory cannot be written, even by root.
	taken := filepath.Join(out, "taken.pdf")
	if err := os.Mkdir(taken, 0o700); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"path is a directory", []string{"report", "agenda", "--out", taken}, "is a directory; name a file"},
		{"unknown party", []string{"report", "update", code, "--party", "p9", "--out", filepath.Join(out, "x.pdf")}, "no such party in the case: p9; nothing was written"},
		{"unknown case", []string{"report", "case", "nosuch-case-00", "--out", filepath.Join(out, "x.pdf")}, "No such case"},
		{"missing directory", []string{"report", "case", code, "--out", filepath.Join(out, "no", "x.pdf")}, "nothing was changed"},
		{"no --out", []string{"report", "agenda"}, "--out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.run(tt.args...)
			if r.code == ExitOK || !strings.Contains(strings.ToLower(r.stderr), strings.ToLower(tt.want)) {
				t.Errorf("got exit %d, stderr %q; want an error saying %q", r.code, r.stderr, tt.want)
			}
			if names := filesIn(t, out); len(names) != 1 || names[0] != "taken.pdf" {
				t.Errorf("left behind %v", names)
			}
		})
	}
}

func TestReportUnwritableDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root can write anywhere")
	}
	e := newCaseEnv(t)
	code := strings.TrimSpace(e.ok("case", "new", "--from", filepath.Join("..", "..", "testdata", "intake", "example.json")))
	out := t.TempDir()
	if err := os.Chmod(out, 0o500); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(out, 0o700)
	r := e.run("report", "case", code, "--out", filepath.Join(out, "x.pdf"))
	if r.code == ExitOK || !strings.Contains(r.stderr, "Permission denied") {
		t.Errorf("got exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestInitWritesRecoverySheet(t *testing.T) {
	base := t.TempDir()
	sheet := filepath.Join(base, "recovery.pdf")
	dir := filepath.Join(base, "vault")
	r := execute(t, run{args: []string{"--vault", dir, "init", "--recovery-sheet", sheet}, env: map[string]string{"CASEBOOK_PASSPHRASE": goodPass}})
	if r.code != ExitOK {
		t.Fatalf("init: exit %d, stderr %q", r.code, r.stderr)
	}
	code := codePattern.FindString(r.stdout)
	if text := pdfToText(t, sheet); code == "" || !strings.Contains(text, code) {
		t.Errorf("the sheet %q lacks the printed code %q", text, code)
	}
	if fi, err := os.Stat(sheet); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("sheet: %v, mode %v; want 0600", err, fi.Mode().Perm())
	}

	// A sheet that cannot be written is refused before any vault is made.
	dir2 := filepath.Join(base, "vault2")
	r = execute(t, run{args: []string{"--vault", dir2, "init", "--recovery-sheet", filepath.Join(base, "no", "x.pdf")}, env: map[string]string{"CASEBOOK_PASSPHRASE": goodPass}})
	if r.code == ExitOK || !strings.Contains(r.stderr, "nothing was changed") {
		t.Errorf("got exit %d, stderr %q", r.code, r.stderr)
	}
	if _, err := os.Stat(dir2); err == nil {
		t.Error("a vault was made although the sheet could not be written")
	}
}

// TestReportUpdateSaysWhatItWithheld: a text shared with the reported
// person that names the reporter by a given name alone is withheld whole,
// and the command says so.
func TestReportUpdateSaysWhatItWithheld(t *testing.T) {
	e := newCaseEnv(t)
	code := strings.TrimSpace(e.ok("case", "new", "--from", filepath.Join("..", "..", "testdata", "intake", "example.json")))
	e.ok("case", "note", code, "--text", "Ana will not attend the meeting.", "--share-with", "p2")
	out := filepath.Join(t.TempDir(), "update.pdf")
	got := e.ok("report", "update", code, "--party", "p2", "--out", out)
	if !strings.Contains(got, code+" p2: 1 shared text is given as [withheld]") {
		t.Errorf("report update: got %q, want it to say that a shared text was withheld", got)
	}
	if text := pdfToText(t, out); strings.Contains(text, "attend") || !strings.Contains(text, "A note shared with you: [withheld]") {
		t.Errorf("the update:\n%s", text)
	}
}
