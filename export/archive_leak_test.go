package export

import (
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"casebook/app"
	"casebook/internal/benchvault"
	"casebook/vault"
)

// The leak test: a vault full of (invented) names, in every form a
// member might type them into an archive summary, exported; not one of
// them may be found in any file of the archive, the PDF's text included,
// searched without regard to case or accents. The same search over an
// archive made without scrubbing finds every one, so the search would
// see a name that got through.

func TestMain(m *testing.M) {
	vault.UseLowCostKDFForTesting()
	code := m.Run()
	benchvault.Cleanup()
	os.Exit(code)
}

// leakCase is a report of the synthetic vault: who is in it, and the
// archive summary a careless member wrote for it.
type leakCase struct {
	intake  app.Intake
	summary string
}

var leakAt = time.Date(2026, time.March, 3, 10, 0, 0, 0, time.UTC)

// leakRoster is the synthetic committee; m1 uses the vault.
var leakRoster = []struct{ name, contact string }{
	{"Henrike Aalto", "henrike@committee.example.org"},
	{"Oskar Þórsson", "+354 555 0142"},
	{"Mei-Lin Tsai", "meilin.tsai@committee.example.org"},
}

var leakCases = []leakCase{
	{app.Intake{Channel: app.ChannelEmail, Summary: "Hostile messages",
		Reporter: &app.IntakeReporter{Name: "Zoë Brandt", Contact: "zoe.brandt@example.org"},
		People: []app.IntakePerson{
			{Name: "Łukasz Wójcik", Handle: "@lwojcik", Contact: "+48 601 234 567", Role: app.RoleReported},
			{Name: "Søren Kjær", Handle: "skjaer", Role: app.RoleWitness},
		}},
		"Zoë Brandt reported that łukasz wójcik's messages (from @lwojcik, +48 601 234 567) targeted her; SØREN\nKJÆR saw it.\n" +
			"Henrike Aalto and oskar þórsson heard both. Ingrid   Håland’s earlier note was consulted. " +
			"See https://forum.example.org/t/77 or write to zoe.brandt@example.org. Skjaer agreed; ZOE BRANDT thanked him."},
	{app.Intake{Channel: app.ChannelForm, Summary: "Threats",
		Reporter: &app.IntakeReporter{Anonymous: true, Pseudonym: "Nightjar", Contact: "nightjar-7f3a@relay.example.com"},
		People: []app.IntakePerson{
			{Name: "Дмитрий Соколов", Handle: "@dsokolov", Role: app.RoleReported},
			{Name: "Αλέξανδρος Παπαδόπουλος", Role: app.RoleWitness},
		}},
		"Nightjar reported Дмитрия Соколова (@dsokolov) for threats; Αλέξανδρου Παπαδόπουλου confirmed.\n" +
			"Dmitry Sokolov's server 198.51.100.23 and 2001:db8::42 logged it. mei-lin tsai took notes; " +
			"nightjar-7f3a@relay.example.com is the relay. ΑΛΈΞΑΝΔΡΟΣ agreed with Дмитрий."},
	{app.Intake{Channel: app.ChannelChat, Summary: "Messages in two languages",
		Reporter: &app.IntakeReporter{Name: "王小明", Contact: "wang.xm@example.cn"},
		People: []app.IntakePerson{
			{Name: "김민준", Handle: "minjun_k", Role: app.RoleReported},
			{Name: "Nguyễn Thị Mai", Role: app.RoleOther},
		}},
		"王小明报告了김민준의 메시지. 小明 and Nguyễn Thị Mai (nguyen thi mai) met; minjun_k apologised. " +
			"Contact wang.xm@example.cn or phone (030) 1234-5678. 김민준은 sorry."},
	{app.Intake{Channel: app.ChannelInPerson, Summary: "At the sprint",
		Reporter: &app.IntakeReporter{Name: "Björk Sigurðardóttir", Contact: "IP 203.0.113.77"},
		People: []app.IntakePerson{
			{Name: "Pieter van Dalen", Contact: "https://social.example/@pvd", Role: app.RoleReported},
		}},
		"Björk\nSigurðardóttir and Bjoerk's friend said Pieter van   Dalen posted at social.example/@pvd from 203.0.113.77. " +
			"Zoe Brandt knew; dalen's reply came later. pieter apologised to björk."},
	// A report about a member (m1): the archive is exported by another
	// member (m2), since m1 may not export it, and its people are
	// scrubbed.
	{app.Intake{Channel: app.ChannelEmail, Summary: "About a member",
		Reporter: &app.IntakeReporter{Name: "Ingrid Håland", Contact: "ingrid.h@example.org"},
		People: []app.IntakePerson{
			{Name: "Henrike Aalto", Role: app.RoleReported, CommitteeMember: true, MemberID: "m1"},
		}}, ""},
}

// leakNeedles are what must not appear, each as the summaries write it
// somewhere, so that the unscrubbed archive holds every one.
var leakNeedles = []string{
	// names, whole and word by word, in other cases and spellings
	"Zoë Brandt", "Zoe", "Brandt", "Łukasz Wójcik", "Lukasz", "Wójcik", "Søren Kjær", "Søren", "Kjær",
	"Henrike Aalto", "Henrike", "Aalto", "Oskar Þórsson", "Oskar", "Þórsson", "Ingrid Håland", "Ingrid", "Håland",
	"Mei-Lin Tsai", "Tsai", "Nightjar",
	"Дмитрий", "Дмитрия", "Соколова", "Αλέξανδρου", "Παπαδόπουλου", "Αλέξανδρος", "Dmitry", "Sokolov",
	"王小明", "小明", "김민준", "Nguyễn Thị Mai", "Nguyen", "Mai",
	"Björk Sigurðardóttir", "Björk", "Sigurðardóttir", "Bjoerk", "Pieter van Dalen", "Pieter", "Dalen",
	// handles and contacts
	"lwojcik", "dsokolov", "skjaer", "minjun_k", "pvd",
	"zoe.brandt@example.org", "nightjar-7f3a@relay.example.com", "wang.xm@example.cn",
	"https://forum.example.org/t/77", "forum.example.org", "social.example/@pvd",
	"198.51.100.23", "2001:db8::42", "203.0.113.77",
}

// leakPhones are phone numbers, found whatever separates their digits.
var leakPhones = []string{"+48 601 234 567", "(030) 1234-5678"}

// leakVault fills a real vault with the leak cases, 40 demo cases and
// some expunged counts, and returns its store.
func leakVault(t *testing.T) *app.Store {
	t.Helper()
	v, _, err := vault.Create(filepath.Join(t.TempDir(), "vault"), []byte("correct horse battery staple, for tests only"),
		vault.Options{Actor: "test", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Lock() })
	now := time.Date(2026, time.November, 30, 9, 0, 0, 0, time.UTC)
	s, err := app.OpenStore(v, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	err = s.UpdateRoster(func(r *app.Roster) error {
		for _, m := range leakRoster {
			if _, err := r.Add(m.name, m.contact); err != nil {
				return err
			}
		}
		r.Me = "m1"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	d := app.Demo(app.DemoOptions{Cases: 40, Seed: 8, Now: now})
	if _, err := s.Import(d.Cases, d.Messages); err != nil {
		t.Fatal(err)
	}
	for i, lc := range leakCases {
		in := lc.intake
		in.Received = leakAt.AddDate(0, 0, 7*i)
		c, err := s.NewCase(&in)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if lc.summary == "" {
			continue
		}
		if _, err := s.SetCategory(c.Code, app.CategoryHarassment); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetArchiveSummary(c.Code, lc.summary); err != nil {
			t.Fatal(err)
		}
	}
	// The member shut out of the report about them may not export the
	// archive: another does.
	if _, err := BuildArchiveFrom(s, time.Time{}, time.Time{}, ArchiveOptions{}); !errors.Is(err, ErrArchiveShutOut) {
		t.Fatalf("the archive exported by a member shut out of a case: got %v, want ErrArchiveShutOut", err)
	}
	// Nor may a vault that does not say which member uses it.
	if err := s.UpdateRoster(func(r *app.Roster) error { r.Me = ""; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := BuildArchiveFrom(s, time.Time{}, time.Time{}, ArchiveOptions{}); !errors.Is(err, ErrArchiveNoMe) {
		t.Fatalf("the archive exported from a vault naming no member: got %v, want ErrArchiveNoMe", err)
	}
	if err := s.UpdateRoster(func(r *app.Roster) error { r.Me = "m2"; return nil }); err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Time{leakAt, leakAt, leakAt.AddDate(-1, 0, 0)} {
		if err := s.AddExpunged(at, app.CategoryThreat, app.OutcomeWarning); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// archiveText is the text of every file of an archive written to dir,
// the PDF's as pdftotext extracts it.
func archiveText(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, name := range []string{FileRecords, FileCSV, FileSchema, FileReport, FileManifest} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if name == FileReport {
			out[name+" (text)"] = pdfText(t, b)
		}
		out[name] = string(b)
	}
	return out
}

// findName reports whether text holds needle, ignoring case and accents:
// word for word for names (a word of Hangul may have a particle after it),
// and as a folded substring for addresses, links and numbers.
func findName(text, needle string) bool {
	if strings.ContainsAny(needle, "@/:.") && !strings.Contains(needle, " ") {
		return strings.Contains(app.Fold(text), app.Fold(needle))
	}
	words, want := app.Tokens(text), app.Tokens(needle)
	for i := 0; i+len(want) <= len(words); i++ {
		ok := true
		for j, w := range want {
			if words[i+j] != w && !(isInfixScript(w) && strings.Contains(words[i+j], w)) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// findPhone reports whether text holds the digits of phone, whatever
// separates them.
func findPhone(text, phone string) bool {
	var digits []string
	for _, r := range phone {
		if r >= '0' && r <= '9' {
			digits = append(digits, string(r))
		}
	}
	return regexp.MustCompile(strings.Join(digits, `[\s\-.()/+]*`)).MatchString(text)
}

func TestArchiveLeaksNoName(t *testing.T) {
	s := leakVault(t)
	gen := time.Date(2026, time.November, 30, 9, 0, 0, 0, time.UTC)
	search := func(t *testing.T, opts ArchiveOptions) (found []string, files map[string]string) {
		a, err := BuildArchiveFrom(s, time.Time{}, time.Time{}, opts)
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(t.TempDir(), "archive")
		if err := WriteArchive(dir, a, PDFOptions{}); err != nil {
			t.Fatal(err)
		}
		files = archiveText(t, dir)
		for _, n := range leakNeedles {
			for name, text := range files {
				if findName(text, n) {
					found = append(found, n+" in "+name)
				}
			}
		}
		for _, p := range leakPhones {
			for name, text := range files {
				if findPhone(text, p) {
					found = append(found, p+" in "+name)
				}
			}
		}
		return found, files
	}

	t.Run("scrubbed", func(t *testing.T) {
		found, files := search(t, ArchiveOptions{Seed: ptr(uint64(5)), Generated: gen})
		for _, f := range found {
			t.Errorf("found %s", f)
		}
		// The archive is not empty: the cases are there, as pseudonyms.
		recs := files[FileRecords]
		for _, want := range []string{"[Reporter A] reported that [Reported person B]", "[Witness C] saw it", `"reporter":"anonymous"`} {
			if !strings.Contains(recs, want) {
				t.Errorf("the archive lacks %q", want)
			}
		}
		if n := strings.Count(recs, "\n"); n != 45 {
			t.Errorf("got %d records, want 45", n)
		}
	})
	t.Run("unscrubbed, the search finds every one", func(t *testing.T) {
		found, _ := search(t, ArchiveOptions{Seed: ptr(uint64(5)), Generated: gen, unscrubbed: true})
		seen := map[string]bool{}
		for _, f := range found {
			seen[strings.Split(f, " in ")[0]] = true
		}
		for _, n := range append(leakNeedles, leakPhones...) {
			if !seen[n] {
				t.Errorf("the search did not find %q in the unscrubbed archive", n)
			}
		}
	})
}
