package app

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseCategory(t *testing.T) {
	tests := []struct {
		in   string
		want Category
		err  bool
	}{
		{"harassment", CategoryHarassment, false},
		{" Personal-Attack ", CategoryPersonalAttack, false},
		{"THREAT", CategoryThreat, false},
		{"rudeness", "", true},
		{"", "", true},
	}
	for _, tt := range tests {
		got, err := ParseCategory(tt.in)
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("ParseCategory(%q): got %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.err)
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseCategory(%q): got %v, want ErrInvalid", tt.in, err)
		}
	}
	for _, c := range Categories {
		if c.Title() == string(c) || c.Title() == "" {
			t.Errorf("category %s has no title", c)
		}
	}
	if got := Category("").Title(); got != "Not categorized" {
		t.Errorf("the empty category's title: got %q", got)
	}
}

func TestYearQuarter(t *testing.T) {
	tests := []struct {
		at      time.Time
		year, q int
	}{
		{wall(berlin, 2026, time.January, 1, 0, 0), 2026, 1},
		{wall(berlin, 2026, time.March, 31, 23, 59), 2026, 1},
		{wall(berlin, 2026, time.April, 1, 0, 0), 2026, 2},
		{time.Date(2026, time.March, 31, 23, 30, 0, 0, time.UTC), 2026, 2}, // 01:30 on 1 April in Berlin
		{wall(berlin, 2026, time.September, 30, 12, 0), 2026, 3},
		{wall(berlin, 2026, time.December, 31, 23, 59), 2026, 4},
		{time.Date(2026, time.December, 31, 23, 30, 0, 0, time.UTC), 2027, 1},
	}
	for _, tt := range tests {
		if y, q := YearQuarter(tt.at, berlin); y != tt.year || q != tt.q {
			t.Errorf("YearQuarter(%v): got %d Q%d, want %d Q%d", tt.at, y, q, tt.year, tt.q)
		}
	}
}

func TestSetCategory(t *testing.T) {
	e := newStoreEnv(t)
	c := e.newCase(t, testIntake(wall(berlin, 2026, time.November, 1, 20, 0)))
	tests := []struct {
		name string
		code string
		cat  Category
		want error
	}{
		{"a category", c.Code, CategoryHarassment, nil},
		{"another, by a code in capitals", strings.ToUpper(c.Code), CategoryThreat, nil},
		{"an unknown category", c.Code, "rudeness", ErrInvalid},
		{"an unknown case", "no-such-case-00", CategoryOther, ErrNoCase},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := e.s.Case(c.Code)
			got, err := e.s.SetCategory(tt.code, tt.cat)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("got error %v, want %v", err, tt.want)
			}
			after, _ := e.s.Case(c.Code)
			if err != nil {
				if after.Category != before.Category || len(after.History) != len(before.History) {
					t.Fatal("a refused change changed the case")
				}
				if strings.Contains(err.Error(), "rudeness") {
					t.Errorf("the error repeats the input: %v", err)
				}
				return
			}
			if got.Category != tt.cat || after.Category != tt.cat {
				t.Errorf("got category %q (stored %q), want %q", got.Category, after.Category, tt.cat)
			}
			last := after.History[len(after.History)-1]
			if last.Action != ActSetCategory || last.Text != tt.cat.Title() || last.Member != "m1" || last.From != after.Stage || last.To != after.Stage {
				t.Errorf("history: got %+v", *last)
			}
		})
	}
	if _, err := e.s.SetCategory(c.Code, ""); err != nil {
		t.Fatalf("clearing: %v", err)
	}
	if k, _ := e.s.Case(c.Code); k.Category != "" || k.History[len(k.History)-1].Text != "cleared" {
		t.Errorf("cleared: got %q, history %+v", k.Category, *k.History[len(k.History)-1])
	}
	if _, err := e.s.SetCategory(c.Code, CategoryDisruption); err != nil {
		t.Fatal(err)
	}
	if k, _ := e.reopen(t).Case(c.Code); k.Category != CategoryDisruption {
		t.Errorf("after reopening: got %q, want %q", k.Category, CategoryDisruption)
	}
	// Every change is in the audit log, as a write of the case's record.
	entries, err := e.v.Audit()
	if err != nil {
		t.Fatal(err)
	}
	updates := 0
	for _, a := range entries {
		if a.Kind == "update" && a.Record == "case."+c.ID+"/case" {
			updates++
		}
	}
	if updates != 4 {
		t.Errorf("got %d audit entries updating the case, want 4", updates)
	}
}

func TestSetArchiveSummary(t *testing.T) {
	e := newStoreEnv(t)
	c := e.newCase(t, testIntake(wall(berlin, 2026, time.November, 1, 20, 0)))
	const text = "A contributor was insulted in the forum; the committee issued a warning."
	tests := []struct {
		name string
		text string
		want error
		kept string // the summary after
	}{
		{"a summary", "  " + text + "\n", nil, text},
		{"two paragraphs", "First.\n\n\tSecond.", nil, "First.\n\n\tSecond."},
		{"the longest", strings.Repeat("é", MaxArchiveSummary), nil, strings.Repeat("é", MaxArchiveSummary)},
		{"too long", strings.Repeat("é", MaxArchiveSummary+1), ErrInvalid, strings.Repeat("é", MaxArchiveSummary)},
		{"a control character", "Bell \a here", ErrInvalid, strings.Repeat("é", MaxArchiveSummary)},
		{"not UTF-8", "Zo\xeb", ErrInvalid, strings.Repeat("é", MaxArchiveSummary)},
		{"cleared", "   ", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.s.SetArchiveSummary(c.Code, tt.text)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("got error %v, want %v", err, tt.want)
			}
			k, _ := e.s.Case(c.Code)
			if k.ArchiveSummary != tt.kept {
				t.Errorf("got summary of %d characters, want %d", len([]rune(k.ArchiveSummary)), len([]rune(tt.kept)))
			}
			if err == nil {
				last := k.History[len(k.History)-1]
				if last.Action != ActSetArchiveSummary || (last.Text != "written" && last.Text != "cleared") {
					t.Errorf("history: got %+v; it must say that the summary changed, not what it says", *last)
				}
			}
		})
	}
	if _, err := e.s.SetArchiveSummary(c.Code, text); err != nil {
		t.Fatal(err)
	}
	if k, _ := e.reopen(t).Case(c.Code); k.ArchiveSummary != text {
		t.Errorf("after reopening: got %q", k.ArchiveSummary)
	}
	if _, err := e.s.SetArchiveSummary("no-such-case-00", text); !errors.Is(err, ErrNoCase) {
		t.Errorf("unknown case: got %v, want ErrNoCase", err)
	}
}

// A member shut out of a case can neither set its category or summary nor
// see it among the cases; its people are still known for scrubbing.
func TestArchiveRespectsExclusion(t *testing.T) {
	e := newStoreEnv(t)
	visible := e.newCase(t, testIntake(wall(berlin, 2026, time.November, 1, 20, 0)))
	in := testIntake(wall(berlin, 2026, time.November, 1, 21, 0))
	in.People = append(in.People, IntakePerson{Name: "Alex Example", Handle: "@alexex", Role: RoleReported, CommitteeMember: true, MemberID: "m1"})
	in.Reporter.Name = "Hidden Reporterperson"
	hidden := e.newCase(t, in)

	if _, err := e.s.SetCategory(hidden.Code, CategoryThreat); !errors.Is(err, ErrExcluded) {
		t.Errorf("SetCategory: got %v, want ErrExcluded", err)
	}
	if _, err := e.s.SetArchiveSummary(hidden.Code, "text"); !errors.Is(err, ErrExcluded) {
		t.Errorf("SetArchiveSummary: got %v, want ErrExcluded", err)
	}
	var codes []string
	for _, k := range e.s.List("") {
		codes = append(codes, k.Code)
	}
	if !slices.Equal(codes, []string{visible.Code}) {
		t.Errorf("List: got %v, want only %s", codes, visible.Code)
	}
	var viewed []*Case
	e.s.ViewCases(func(cases []*Case) error { viewed = cases; return nil })
	if len(viewed) != 1 || viewed[0].Code != visible.Code {
		t.Errorf("ViewCases: got %d cases, want only %s", len(viewed), visible.Code)
	}
	// A change stores a new copy: the case viewed stays as it was.
	if _, err := e.s.SetCategory(visible.Code, CategoryOther); err != nil {
		t.Fatal(err)
	}
	if viewed[0].Category != "" {
		t.Error("a change altered the case ViewCases gave")
	}
	ids := e.s.Identities()
	has := func(f func(Identity) bool) bool { return slices.ContainsFunc(ids, f) }
	if !has(func(i Identity) bool { return i.Name == "Hidden Reporterperson" }) || !has(func(i Identity) bool { return i.Handle == "@alexex" }) {
		t.Error("Identities leaves out the people of a case the member is shut out of")
	}
	if !has(func(i Identity) bool { return i.Name == "Dana Fictional" && i.Contact == "dana@committee.example" }) {
		t.Error("Identities leaves out the roster")
	}
	if !slices.Equal(ids, e.s.Identities()) {
		t.Error("Identities is not in a stable order")
	}
}

func TestExpungedCounts(t *testing.T) {
	e := newStoreEnv(t)
	if got, err := e.s.Expunged(); err != nil || len(got) != 0 {
		t.Fatalf("a new vault: got %v, %v; want no counts", got, err)
	}
	adds := []struct {
		at  time.Time
		cat Category
		out Outcome
	}{
		{wall(berlin, 2025, time.May, 3, 10, 0), CategoryHarassment, OutcomeWarning},
		{wall(berlin, 2025, time.June, 30, 10, 0), CategoryHarassment, OutcomeWarning},
		{time.Date(2025, time.March, 31, 23, 0, 0, 0, time.UTC), "", OutcomeNoViolation}, // 1 April in Berlin
		{wall(berlin, 2024, time.December, 1, 10, 0), CategoryThreat, ""},
	}
	for _, a := range adds {
		if err := e.s.AddExpunged(a.at, a.cat, a.out); err != nil {
			t.Fatalf("AddExpunged: %v", err)
		}
	}
	want := []ExpungedCount{
		{Year: 2024, Quarter: 4, Category: CategoryThreat, Cases: 1},
		{Year: 2025, Quarter: 2, Outcome: OutcomeNoViolation, Cases: 1},
		{Year: 2025, Quarter: 2, Category: CategoryHarassment, Outcome: OutcomeWarning, Cases: 2},
	}
	got, err := e.reopen(t).Expunged()
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("got %+v, %v; want %+v", got, err, want)
	}
	for _, bad := range []struct {
		at  time.Time
		cat Category
		out Outcome
	}{{time.Time{}, "", ""}, {adds[0].at, "rudeness", ""}, {adds[0].at, "", "pardon"}} {
		if err := e.s.AddExpunged(bad.at, bad.cat, bad.out); !errors.Is(err, ErrInvalid) {
			t.Errorf("AddExpunged(%v, %q, %q): got %v, want ErrInvalid", bad.at, bad.cat, bad.out, err)
		}
	}
	if got, _ := e.s.Expunged(); !slices.Equal(got, want) {
		t.Errorf("a refused count changed the counts: got %+v", got)
	}
}

// The demo's cases carry categories and archive summaries, as a
// committee's would, so that the archive has something to show.
func TestDemoCategoriesAndSummaries(t *testing.T) {
	now := wall(berlin, 2026, time.November, 30, 9, 0)
	d := Demo(DemoOptions{Cases: 200, Seed: 5, Now: now})
	categorized, closed, summarized := 0, 0, 0
	for _, c := range d.Cases {
		early := c.Stage.Index() < StageGathering.Index() && c.Outcome == ""
		if early && (c.Category != "" || c.ArchiveSummary != "") {
			t.Errorf("%s at %s has a category or an archive summary before triage", c.Code, c.Stage)
		}
		if c.Category != "" {
			categorized++
			if !c.Category.Valid() {
				t.Errorf("%s: category %q", c.Code, c.Category)
			}
		}
		if c.Closed() {
			closed++
		}
		if c.ArchiveSummary != "" {
			summarized++
			if !c.Closed() {
				t.Errorf("%s is open and has an archive summary", c.Code)
			}
		}
	}
	if categorized < len(d.Cases)/2 || summarized < closed/2 {
		t.Errorf("got %d of %d cases categorized and %d of %d closed ones summarized; want most", categorized, len(d.Cases), summarized, closed)
	}
	again := Demo(DemoOptions{Cases: 200, Seed: 5, Now: now})
	for i, c := range d.Cases {
		if c.Category != again.Cases[i].Category || c.ArchiveSummary != again.Cases[i].ArchiveSummary {
			t.Fatalf("the same seed gave another demo at case %d", i)
		}
	}
}

func TestRecordExport(t *testing.T) {
	e := newStoreEnv(t)
	if err := e.s.RecordExport("archive"); err != nil {
		t.Fatal(err)
	}
	entries, err := e.v.Audit()
	if err != nil {
		t.Fatal(err)
	}
	last := entries[len(entries)-1]
	if last.Kind != "export.archive" || last.Record != "" || last.Actor != "Alex Example" {
		t.Errorf("got %+v, want an export.archive entry by the member using the vault", last)
	}
}
