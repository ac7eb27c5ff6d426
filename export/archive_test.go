package export

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"casebook/app"
	"casebook/assets"
)

var berlin = func() *time.Location {
	l, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	return l
}()

func ptr[T any](v T) *T { return &v }

func TestLetters(t *testing.T) {
	for i, want := range map[int]string{0: "A", 1: "B", 25: "Z", 26: "AA", 27: "AB", 51: "AZ", 52: "BA", 701: "ZZ", 702: "AAA"} {
		if got := letters(i); got != want {
			t.Errorf("letters(%d) = %q, want %q", i, got, want)
		}
	}
}

func TestMergeContiguous(t *testing.T) {
	tests := []struct {
		counts []int
		k      int
		zeroOK []int
		want   [][]int // parts of each group; nil for a partition under k
	}{
		{[]int{5, 6, 7}, 5, nil, [][]int{{0}, {1}, {2}}},
		{[]int{2, 10, 3}, 5, nil, [][]int{{0, 1, 2}}},
		{[]int{1, 2, 1}, 5, nil, nil},
		{[]int{0, 0, 9}, 5, nil, [][]int{{0, 1, 2}}},
		{[]int{9, 3, 0}, 5, []int{2}, [][]int{{0, 1}, {2}}},
		{[]int{3, 9, 0}, 5, []int{2}, [][]int{{0, 1}, {2}}},
		{[]int{9, 9, 0}, 5, []int{2}, [][]int{{0}, {1}, {2}}},
		{[]int{7, 0, 6, 9}, 5, nil, [][]int{{0}, {1, 2}, {3}}},
		{[]int{4, 4}, 3, nil, [][]int{{0}, {1}}},
	}
	for _, tt := range tests {
		got := mergeContiguous(tt.counts, tt.k, tt.zeroOK...)
		var parts [][]int
		for _, g := range got {
			parts = append(parts, g.parts)
		}
		if tt.want == nil {
			if got != nil {
				t.Errorf("mergeContiguous(%v, %d) = %v, want nil", tt.counts, tt.k, parts)
			}
			continue
		}
		check := func() {
			for _, g := range got {
				n := 0
				for _, i := range g.parts {
					n += tt.counts[i]
				}
				if n != g.n {
					t.Errorf("%v: group %v counts %d, its parts %d", tt.counts, g.parts, g.n, n)
				}
				if g.n < tt.k && !(g.n == 0 && len(g.parts) == 1 && slices.Contains(tt.zeroOK, g.parts[0])) {
					t.Errorf("%v k=%d: group %v has %d", tt.counts, tt.k, g.parts, g.n)
				}
			}
		}
		check()
		if !slices.EqualFunc(parts, tt.want, slices.Equal) {
			t.Errorf("mergeContiguous(%v, %d, %v) = %v, want %v", tt.counts, tt.k, tt.zeroOK, parts, tt.want)
		}
	}
}

func TestMergeBucket(t *testing.T) {
	tests := []struct {
		counts    []int
		prefer    []int
		wantAlone []int
		wantParts []int
	}{
		{[]int{9, 6, 5}, nil, []int{0, 1, 2}, nil},
		{[]int{9, 6, 2, 0}, nil, []int{0}, []int{1, 2}},
		{[]int{9, 6, 2, 0}, []int{3, 0}, []int{1}, []int{0, 2}},
		{[]int{9, 6, 5, 0}, nil, []int{0, 1, 2}, nil},
		{[]int{20, 1, 1, 1, 1, 1}, nil, []int{0}, []int{1, 2, 3, 4, 5}},
		{[]int{12, 0, 0}, nil, nil, []int{0}},
		{[]int{0, 3, 0, 4}, nil, nil, []int{1, 3}},
	}
	for _, tt := range tests {
		alone, bucket, ok := mergeBucket(tt.counts, 5, tt.prefer)
		if !ok || !slices.Equal(alone, tt.wantAlone) || !slices.Equal(bucket.parts, tt.wantParts) {
			t.Errorf("mergeBucket(%v, 5, %v) = %v, %v, %v; want %v, %v", tt.counts, tt.prefer, alone, bucket.parts, ok, tt.wantAlone, tt.wantParts)
		}
		if len(bucket.parts) > 0 && bucket.n < 5 {
			t.Errorf("mergeBucket(%v): bucket of %d", tt.counts, bucket.n)
		}
	}
	if _, _, ok := mergeBucket([]int{1, 2, 1}, 5, nil); ok {
		t.Error("a partition of 4 cases was not refused at k=5")
	}
}

// archiveCase is a closed case in Berlin with a reporter, a reported
// person and a witness, decided with a warning.
func archiveCase() *app.Case {
	rec := time.Date(2026, time.March, 31, 23, 30, 0, 0, time.UTC) // 1 April in Berlin
	return &app.Case{
		ID: "c1", Code: "amber-heron-42", Received: rec, Channel: app.ChannelEmail,
		Summary: "Insults in the forum", Description: "Zoë Brandt insulted me", Category: app.CategoryPersonalAttack,
		ReporterKind: app.ReporterIdentified, Stage: app.StageClosed, Outcome: app.OutcomeWarning,
		AcknowledgedAt: rec.Add(47 * time.Hour), DecidedAt: rec.Add(20*24*time.Hour + 23*time.Hour), ClosedAt: rec.Add(50 * 24 * time.Hour),
		Parties: []*app.Party{
			{ID: "p1", Role: app.RoleReporter, Name: "Łukasz Wójcik", Contact: "lukasz@example.net"},
			{ID: "p2", Role: app.RoleReported, Name: "Zoë Brandt", Handle: "@zoeb"},
			{ID: "p3", Role: app.RoleWitness, Name: "Søren Kjær"},
		},
		Evidence:       []*app.Evidence{{ID: "e4", URL: "https://forum.example.org/t/1", Note: "the thread"}},
		ArchiveSummary: "Łukasz reported insults by Zoë Brandt (@zoeb) in https://forum.example.org/t/1; Søren saw them.",
	}
}

func TestAnonymizeCase(t *testing.T) {
	tests := []struct {
		name   string
		change func(c *app.Case)
		check  func(t *testing.T, r ArchiveRecord)
	}{
		{"a closed case", func(*app.Case) {}, func(t *testing.T, r ArchiveRecord) {
			want := ArchiveRecord{
				ArchiveID: "0123456789abcdef", Year: 2026, Quarter: 2, Channel: app.ChannelEmail,
				Category: ptr(app.CategoryPersonalAttack), Reporter: app.ReporterIdentified,
				Parties: []ArchiveParty{{"Reporter A", app.RoleReporter}, {"Reported person B", app.RoleReported}, {"Witness C", app.RoleWitness}},
				Status:  "closed", Stage: app.StageClosed, Outcome: ptr(app.OutcomeWarning), Action: GroupAction,
				DaysToAcknowledge: ptr(1), DaysToResolve: ptr(20), DaysToClose: ptr(50),
				Summary: "[Reporter A] reported insults by [Reported person B] ([removed]) in [removed]; [Witness C] saw them.",
			}
			r.reported = nil
			if g, _ := json.Marshal(r); !bytes.Equal(g, must(json.Marshal(want))) {
				t.Errorf("got  %s\nwant %s", g, must(json.Marshal(want)))
			}
		}},
		{"an open case", func(c *app.Case) {
			c.Stage, c.Outcome, c.Category, c.DecidedAt, c.ClosedAt, c.AcknowledgedAt = app.StageGathering, "", "", time.Time{}, time.Time{}, time.Time{}
			c.ArchiveSummary = ""
		}, func(t *testing.T, r ArchiveRecord) {
			if r.Status != "open" || r.Outcome != nil || r.Action != GroupUndecided || r.Category != nil ||
				r.DaysToAcknowledge != nil || r.DaysToResolve != nil || r.DaysToClose != nil || r.Summary != "" {
				t.Errorf("got %+v", r)
			}
		}},
		{"under appeal", func(c *app.Case) {
			c.Stage, c.ClosedAt = app.StageReview, time.Time{}
			c.Appeals = []*app.Appeal{{At: c.Received.Add(60 * 24 * time.Hour), Text: "Zoë appeals"}}
		}, func(t *testing.T, r ArchiveRecord) {
			if !r.Appealed || r.Outcome != nil || r.Action != GroupUndecided || r.Status != "open" {
				t.Errorf("got appealed %v, outcome %v, action %s, status %s", r.Appealed, r.Outcome, r.Action, r.Status)
			}
		}},
		{"no action taken", func(c *app.Case) { c.Outcome = app.OutcomeMediatedAgreement }, func(t *testing.T, r ArchiveRecord) {
			if r.Action != GroupNoAction || *r.Outcome != app.OutcomeMediatedAgreement {
				t.Errorf("got %s, %v", r.Action, *r.Outcome)
			}
		}},
		{"an anonymous reporter and many people", func(c *app.Case) {
			c.ReporterKind = app.ReporterAnonymous
			c.Parties[0] = &app.Party{ID: "p1", Role: app.RoleReporter, Anonymous: true, Pseudonym: "Nightjar", Contact: "nj@relay.example.com"}
			for i := range 30 {
				c.Parties = append(c.Parties, &app.Party{ID: "q" + strconv.Itoa(i), Role: app.RoleOther, Name: "Person Numbered" + strconv.Itoa(i)})
			}
			c.ArchiveSummary = "Nightjar (nj@relay.example.com) wrote in."
		}, func(t *testing.T, r ArchiveRecord) {
			if r.Reporter != app.ReporterAnonymous || r.Parties[0].Pseudonym != "Reporter A" || r.Parties[28].Pseudonym != "Other person AC" {
				t.Errorf("got %s, %v", r.Reporter, r.Parties)
			}
			if r.Summary != "[Reporter A] ([removed]) wrote in." {
				t.Errorf("summary: got %q", r.Summary)
			}
		}},
		{"a category this version does not know", func(c *app.Case) { c.Category = "rudeness" }, func(t *testing.T, r ArchiveRecord) {
			if r.Category != nil {
				t.Errorf("got category %q, want none", *r.Category)
			}
		}},
		{"a decision before receipt", func(c *app.Case) { c.DecidedAt = c.Received.Add(-time.Hour) }, func(t *testing.T, r ArchiveRecord) {
			if *r.DaysToResolve != 0 {
				t.Errorf("got %d days, want 0", *r.DaysToResolve)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := archiveCase()
			tt.change(c)
			before := must(json.Marshal(c))
			r := AnonymizeCase(c, "0123456789abcdef", berlin, nil)
			if !bytes.Equal(before, must(json.Marshal(c))) {
				t.Error("AnonymizeCase changed the case")
			}
			tt.check(t, r)
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// randomCases makes n cases over the years 2020 to 2026 with random
// categories, outcomes, reporters and times: a shape for the k rule to
// be tried on.
func randomCases(rng *rand.Rand, n int, years int) []*app.Case {
	var out []*app.Case
	start := time.Date(2027-years, 1, 1, 0, 0, 0, 0, time.UTC)
	span := time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC).Sub(start)
	kinds := []app.ReporterKind{app.ReporterIdentified, app.ReporterIdentified, app.ReporterAnonymous, app.ReporterNone}
	for i := range n {
		rec := start.Add(time.Duration(rng.Int64N(int64(span))))
		c := &app.Case{ID: fmt.Sprintf("c%05d", i), Code: fmt.Sprintf("code-%05d", i), Received: rec,
			Channel: app.Channels[rng.IntN(len(app.Channels))], ReporterKind: kinds[rng.IntN(len(kinds))], Stage: app.StageGathering}
		if rng.IntN(5) > 0 {
			c.Category = app.Categories[rng.IntN(len(app.Categories))]
		}
		c.Parties = append(c.Parties, &app.Party{ID: "p1", Role: app.RoleReported, Name: fmt.Sprintf("Person %d", rng.IntN(n/2+1))})
		if rng.IntN(3) > 0 {
			c.AcknowledgedAt = rec.Add(time.Duration(rng.IntN(100)) * time.Hour)
		}
		if rng.IntN(4) > 0 {
			c.Stage = app.StageClosed
			c.Outcome = app.Outcomes[rng.IntN(len(app.Outcomes))]
			c.DecidedAt = rec.Add(time.Duration(rng.IntN(90*24)) * time.Hour)
			c.ClosedAt = c.DecidedAt.Add(24 * time.Hour)
		}
		out = append(out, c)
	}
	return out
}

// checkK checks the k rule on every table and chart of r: every figure
// shown counts or rests on at least k cases; nothing is lost by merging.
func checkK(t *testing.T, r *TransparencyReport, recs []ArchiveRecord) {
	t.Helper()
	k := r.K
	zeroOK := map[string]bool{"Not decided yet": true, "No reporter": true}
	tables := map[string]StatTable{"overview": r.Overview, "outcomes": r.Outcomes, "categories": r.Categories,
		"anonymous": r.Anonymous, "times": r.Times, "expunged": r.Expunged}
	for name, tb := range tables {
		for _, row := range tb.Rows {
			col := 1
			for _, c := range row.Cells {
				header := ""
				if col < len(tb.Columns) {
					header = tb.Columns[col]
				}
				col += max(c.Span, 1)
				switch {
				case c.Suppressed:
					if c.Text != dash {
						t.Errorf("%s %s: a suppressed cell shows %q", name, row.Label, c.Text)
					}
				case c.Count && c.N == 0 && zeroOK[header] && c.Span == 1:
				case c.Count && (c.N < k || c.Basis < k):
					t.Errorf("%s %s %s: shows %d cases (basis %d), under k=%d", name, row.Label, header, c.N, c.Basis, k)
				case !c.Count && c.Basis > 0 && c.Basis < k:
					t.Errorf("%s %s %s: %s rests on %d cases, under k=%d", name, row.Label, header, c.Text, c.Basis, k)
				case !c.Count && c.Basis == 0 && c.Text != "" && strings.ContainsAny(c.Text, "0123456789"):
					t.Errorf("%s %s %s: a figure %q without a basis", name, row.Label, header, c.Text)
				}
			}
		}
	}
	for _, ch := range []Chart{r.OutcomeChart, r.CategoryChart, r.AnonymousChart, r.TimesChart} {
		for _, s := range ch.Series {
			if len(s.Values) != len(ch.Groups) || len(s.Basis) != len(ch.Groups) {
				t.Fatalf("chart %q series %q: %d values for %d groups", ch.Title, s.Name, len(s.Values), len(ch.Groups))
			}
			for i, v := range s.Values {
				if v != 0 && s.Basis[i] < k {
					t.Errorf("chart %q %s %s: a bar of %v rests on %d cases, under k=%d", ch.Title, s.Name, ch.Groups[i], v, s.Basis[i], k)
				}
			}
		}
	}
	// Merging loses no case: the periods add up to all the reports, and
	// each finer table adds up to the coarser one.
	total := 0
	for _, row := range r.Overview.Rows {
		total += row.Cells[0].N
		outcomes := 0
		for _, c := range row.Cells[2:] {
			outcomes += c.N
		}
		if outcomes != row.Cells[0].N {
			t.Errorf("overview %s: outcome cells add up to %d of %d reports", row.Label, outcomes, row.Cells[0].N)
		}
		fine := 0
		for _, f := range r.Outcomes.Rows {
			if f.Label == row.Label {
				fine += f.Cells[1].N
			}
		}
		if fine != row.Cells[0].N {
			t.Errorf("outcomes %s: add up to %d of %d reports", row.Label, fine, row.Cells[0].N)
		}
	}
	if r.Enough && total != len(recs) {
		t.Errorf("the periods hold %d reports of %d", total, len(recs))
	}
	cats := 0
	for _, row := range r.Categories.Rows {
		cats += row.Cells[1].N
	}
	if r.Enough && cats != len(recs) {
		t.Errorf("the categories hold %d reports of %d", cats, len(recs))
	}
}

func TestKRule(t *testing.T) {
	gen := time.Date(2026, 12, 31, 12, 0, 0, 0, time.UTC)
	for _, n := range []int{0, 2, 4, 5, 7, 12, 30, 80, 300, 2000} {
		for _, years := range []int{1, 3, 7} {
			for _, k := range []int{3, 5, 10} {
				t.Run(fmt.Sprintf("n=%d,years=%d,k=%d", n, years, k), func(t *testing.T) {
					rng := rand.New(rand.NewPCG(uint64(n), uint64(years*100+k)))
					cases := randomCases(rng, n, years)
					var exp []app.ExpungedCount
					for range rng.IntN(8) {
						exp = append(exp, app.ExpungedCount{Year: 2018 + rng.IntN(8), Quarter: 1 + rng.IntN(4), Outcome: app.OutcomeWarning, Cases: rng.IntN(6)})
					}
					a, err := BuildArchive(ArchiveInput{Cases: cases, Expunged: exp, Location: time.UTC}, ArchiveOptions{K: k, Seed: ptr(uint64(1)), Generated: gen})
					if err != nil {
						t.Fatal(err)
					}
					if a.Report.Enough != (n >= k) {
						t.Errorf("Enough is %v for %d reports at k=%d", a.Report.Enough, n, k)
					}
					checkK(t, a.Report, a.Records)
				})
			}
		}
	}
}

// TestKRuleTiny shows the merges on a small, known case book: a year
// under k joins the next, two quarters under k join a third, small
// categories go to "Other and merged categories", a small outcome group
// spans two columns, and a period whose reports share one category is
// not broken down.
func TestKRuleTiny(t *testing.T) {
	at := func(y int, m time.Month) time.Time { return time.Date(y, m, 10, 12, 0, 0, 0, time.UTC) }
	var cases []*app.Case
	add := func(n int, rec time.Time, cat app.Category, o app.Outcome) {
		for range n {
			c := &app.Case{ID: fmt.Sprintf("c%03d", len(cases)), Received: rec, Channel: app.ChannelForm, Category: cat,
				ReporterKind: app.ReporterIdentified, Stage: app.StageClosed, Outcome: o, DecidedAt: rec.Add(72 * time.Hour)}
			cases = append(cases, c)
		}
	}
	add(2, at(2023, time.May), app.CategoryThreat, app.OutcomeWarning)
	add(6, at(2024, time.February), app.CategoryHarassment, app.OutcomeWarning)
	add(3, at(2024, time.May), app.CategoryHarassment, app.OutcomeNoViolation)
	add(7, at(2025, time.January), app.CategoryHarassment, app.OutcomeWarning)
	add(5, at(2025, time.February), app.CategoryDiscrimination, app.OutcomeApology)
	add(2, at(2025, time.April), app.CategoryPrivacy, app.OutcomePermanentBan)
	add(2, at(2025, time.May), app.CategoryDisruption, app.OutcomeNoViolation)
	add(5, at(2025, time.October), app.CategoryHarassment, app.OutcomeNoViolation)
	add(4, at(2025, time.November), app.CategoryOther, app.OutcomeOutOfScope)
	a, err := BuildArchive(ArchiveInput{Cases: cases}, ArchiveOptions{K: 5, Seed: ptr(uint64(9))})
	if err != nil {
		t.Fatal(err)
	}
	r := a.Report
	checkK(t, r, a.Records)
	rows := func(tb StatTable) []string {
		var out []string
		for _, row := range tb.Rows {
			line := row.Label + ":"
			for _, c := range row.Cells {
				line += " " + c.Text
				if c.Span > 1 {
					line += fmt.Sprintf("(×%d)", c.Span)
				}
			}
			out = append(out, line)
		}
		return out
	}
	tests := []struct {
		name string
		got  []string
		want []string
	}{
		{"overview", rows(r.Overview), []string{"2023–2024: 11 – 11(×2) 0", "2025: 25 – 14 11 0"}},
		{"outcomes", rows(r.Outcomes), []string{
			"2023–2024: Action taken or no action (not broken down) 11",
			"2025: Correction or private warning 7", "2025: Other actions (merged) 7",
			"2025: No action (not broken down) 11"}},
		{"categories", rows(r.Categories), []string{
			"2023–2024: All categories (not broken down) 11",
			"2025 Q1: Harassment 7", "2025 Q1: Discrimination 5",
			"2025 Q2–Q4: Harassment 5", "2025 Q2–Q4: Other and merged categories 8"}},
		{"category chart", r.CategoryChart.Groups, []string{"2023–2024", "2025 Q1", "2025 Q2–Q4"}},
	}
	for _, tt := range tests {
		if !slices.Equal(tt.got, tt.want) {
			t.Errorf("%s:\ngot  %q\nwant %q", tt.name, tt.got, tt.want)
		}
	}
	if len(r.Notes) < 4 {
		t.Errorf("the report does not say what it merged: %q", r.Notes)
	}
	if r.Span != "2023 to 2025" {
		t.Errorf("span: got %q", r.Span)
	}

	// The first and last quarters with reports are not named as such:
	// they could hold fewer than k.
	cases = nil
	add(6, at(2026, time.August), app.CategoryHarassment, app.OutcomeWarning)
	add(7, at(2026, time.November), app.CategoryHarassment, app.OutcomeWarning)
	a, err = BuildArchive(ArchiveInput{Cases: cases}, ArchiveOptions{K: 5, Seed: ptr(uint64(9))})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := a.Report.CategoryChart.Groups, []string{"2026 Q1–Q3", "2026 Q4"}; !slices.Equal(got, want) {
		t.Errorf("quarters at the ends: got %q, want %q", got, want)
	}
	if a.Report.Span != "2026" {
		t.Errorf("span: got %q", a.Report.Span)
	}
}

func TestArchiveRefusesBadOptions(t *testing.T) {
	for _, tc := range []struct {
		in   ArchiveInput
		opts ArchiveOptions
	}{
		{ArchiveInput{}, ArchiveOptions{K: 2}},
		{ArchiveInput{}, ArchiveOptions{K: -1}},
		{ArchiveInput{From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}, ArchiveOptions{}},
	} {
		if _, err := BuildArchive(tc.in, tc.opts); !errors.Is(err, app.ErrInvalid) {
			t.Errorf("BuildArchive(k=%d, %v to %v): got %v, want ErrInvalid", tc.opts.K, tc.in.From, tc.in.Until, err)
		}
	}
}

func TestArchivePeriod(t *testing.T) {
	cases := randomCases(rand.New(rand.NewPCG(1, 2)), 200, 4)
	from, until := time.Date(2025, 1, 1, 0, 0, 0, 0, berlin), time.Date(2026, 1, 1, 0, 0, 0, 0, berlin)
	exp := []app.ExpungedCount{{Year: 2024, Quarter: 4, Cases: 9}, {Year: 2025, Quarter: 1, Cases: 3}, {Year: 2025, Quarter: 4, Cases: 4}, {Year: 2026, Quarter: 1, Cases: 50}}
	a, err := BuildArchive(ArchiveInput{Cases: cases, Expunged: exp, Location: berlin, From: from, Until: until}, ArchiveOptions{Seed: ptr(uint64(3))})
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, c := range cases {
		if !c.Received.Before(from) && c.Received.Before(until) {
			want++
		}
	}
	if len(a.Records) != want || want == 0 {
		t.Errorf("got %d records, want %d", len(a.Records), want)
	}
	for _, r := range a.Records {
		if r.Year != 2025 {
			t.Errorf("a record of %d Q%d", r.Year, r.Quarter)
		}
	}
	if a.Manifest.Counts.Expunged != 7 || a.Manifest.ReceivedFrom != "2025-01-01" || a.Manifest.ReceivedBefore != "2026-01-01" {
		t.Errorf("manifest: got %d expunged, from %q before %q", a.Manifest.Counts.Expunged, a.Manifest.ReceivedFrom, a.Manifest.ReceivedBefore)
	}
	if len(a.Report.Expunged.Rows) != 1 || a.Report.Expunged.Rows[0].Cells[0].N != 7 {
		t.Errorf("expunged table: got %+v", a.Report.Expunged.Rows)
	}
}

// archiveSchema compiles the published record schema.
func archiveSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(assets.ArchiveSchema))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	const url = "https://casebook.example/schemas/archive-record.schema.json"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(url)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestArchiveSchema validates every record of a demo archive against the
// published schema, and keeps the schema's lists in step with Go's.
func TestArchiveSchema(t *testing.T) {
	sch := archiveSchema(t)
	d := app.Demo(app.DemoOptions{Cases: 300, Seed: 11, Now: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)})
	a, err := BuildArchive(ArchiveInput{Cases: d.Cases}, ArchiveOptions{Seed: ptr(uint64(2))})
	if err != nil {
		t.Fatal(err)
	}
	var jl bytes.Buffer
	if err := writeJSONL(&jl, a.Records); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(jl.String(), "\n"), "\n")
	if len(lines) != len(d.Cases) {
		t.Fatalf("got %d lines for %d cases", len(lines), len(d.Cases))
	}
	for i, line := range lines {
		v, err := jsonschema.UnmarshalJSON(strings.NewReader(line))
		if err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if err := sch.Validate(v); err != nil {
			t.Fatalf("line %d does not fit the schema: %v\n%s", i+1, err, line)
		}
	}
	// A record that breaks the schema is caught: the test can fail.
	for _, bad := range []string{
		strings.Replace(lines[0], `"quarter":`, `"quarter":5,"x":`, 1),
		strings.Replace(lines[0], `"archive_id":"`, `"archive_id":"Z`, 1),
		strings.Replace(lines[0], `"reporter":"`, `"name":"Zoë Brandt","reporter":"`, 1),
	} {
		v, err := jsonschema.UnmarshalJSON(strings.NewReader(bad))
		if err == nil && sch.Validate(v) == nil {
			t.Errorf("the schema accepts %s", bad)
		}
	}
	var schema map[string]any
	if err := json.Unmarshal(assets.ArchiveSchema, &schema); err != nil {
		t.Fatal(err)
	}
	props := schema["properties"].(map[string]any)
	enum := func(field string) []string {
		var out []string
		for _, v := range props[field].(map[string]any)["enum"].([]any) {
			if s, ok := v.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	strs := func(xs ...[]string) []string { return slices.Concat(xs...) }
	asStrings := func(n int, f func(int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = f(i)
		}
		return out
	}
	for field, want := range map[string][]string{
		"channel":  asStrings(len(app.Channels), func(i int) string { return string(app.Channels[i]) }),
		"category": asStrings(len(app.Categories), func(i int) string { return string(app.Categories[i]) }),
		"stage":    asStrings(len(app.Stages), func(i int) string { return string(app.Stages[i]) }),
		"outcome":  asStrings(len(app.Outcomes), func(i int) string { return string(app.Outcomes[i]) }),
		"action":   strs(groupOrder),
	} {
		if got := enum(field); !slices.Equal(got, want) {
			t.Errorf("%s: the schema says %q, Go %q", field, got, want)
		}
	}
	// Every field of a record is in the schema, and the other way.
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
		t.Fatal(err)
	}
	if got, want := slices.Sorted(maps.Keys(props)), slices.Sorted(maps.Keys(rec)); !slices.Equal(got, want) {
		t.Errorf("schema fields %q, record fields %q", got, want)
	}
	// The CSV has a column per field, the parties flattened.
	rows, err := csv.NewReader(bytes.NewReader(must(archiveFile(t, a, FileCSV)))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(d.Cases)+1 || !slices.Equal(rows[0], CSVColumns) {
		t.Errorf("CSV: got %d rows, header %q", len(rows), rows[0])
	}
	for _, f := range slices.Sorted(maps.Keys(rec)) {
		if !slices.Contains(CSVColumns, f) {
			t.Errorf("CSV has no column %s", f)
		}
	}
}

// archiveFile lays out the archive and returns one of its files.
func archiveFile(t *testing.T, a *Archive, name string) ([]byte, error) {
	t.Helper()
	files, err := a.Files(PDFOptions{})
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if f.Name == name {
			return f.Data, nil
		}
	}
	return nil, fmt.Errorf("no file %s", name)
}

func TestSpreadsheetSafe(t *testing.T) {
	for in, want := range map[string]string{"": "", "plain": "plain", "=SUM(A1)": "'=SUM(A1)", "+1": "'+1", "-x": "'-x", "@x": "'@x", "a=b": "a=b"} {
		if got := spreadsheetSafe(in); got != want {
			t.Errorf("spreadsheetSafe(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestArchiveDeterministic: the same cases and seed give the same bytes in
// every file; another seed gives other IDs; no seed, random ones.
func TestArchiveDeterministic(t *testing.T) {
	d := app.Demo(app.DemoOptions{Cases: 120, Seed: 4, Now: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)})
	gen := time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC)
	build := func(seed *uint64, cases []*app.Case) []ArchiveFile {
		a, err := BuildArchive(ArchiveInput{Cases: cases, Location: berlin}, ArchiveOptions{Seed: seed, Generated: gen, Program: "test"})
		if err != nil {
			t.Fatal(err)
		}
		files, err := a.Files(PDFOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return files
	}
	first := build(ptr(uint64(42)), d.Cases)
	shuffled := slices.Clone(d.Cases)
	rand.New(rand.NewPCG(1, 1)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	for _, again := range [][]ArchiveFile{build(ptr(uint64(42)), d.Cases), build(ptr(uint64(42)), shuffled)} {
		for i, f := range first {
			if f.Name != again[i].Name || !bytes.Equal(f.Data, again[i].Data) {
				t.Errorf("%s differs between two exports with the same seed", f.Name)
			}
		}
	}
	ids := func(files []ArchiveFile) []string {
		var out []string
		for line := range strings.SplitSeq(strings.TrimSpace(string(files[0].Data)), "\n") {
			var r ArchiveRecord
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatal(err)
			}
			out = append(out, r.ArchiveID)
		}
		slices.Sort(out)
		return out
	}
	a, b, c, e := ids(first), ids(build(ptr(uint64(43)), d.Cases)), ids(build(nil, d.Cases)), ids(build(nil, d.Cases))
	if slices.Equal(a, b) || slices.Equal(c, e) || len(slices.Compact(slices.Clone(c))) != len(d.Cases) {
		t.Error("archive IDs do not change with the seed, or are not random without one, or repeat")
	}
	for _, k := range d.Cases {
		for _, id := range a {
			if strings.Contains(id, k.Code) || strings.Contains(id, k.ID) {
				t.Fatalf("archive ID %s shows the case's code name or ID", id)
			}
		}
	}
}

func TestWriteArchive(t *testing.T) {
	d := app.Demo(app.DemoOptions{Cases: 40, Seed: 4, Now: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)})
	a, err := BuildArchive(ArchiveInput{Cases: d.Cases}, ArchiveOptions{Seed: ptr(uint64(1))})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{FileCSV, FileRecords, FileManifest, FileSchema, FileReport}
	t.Run("a new directory", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "archive")
		if err := WriteArchive(dir, a, PDFOptions{}); err != nil {
			t.Fatal(err)
		}
		if got := dirNames(t, dir); !slices.Equal(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
		if got := dirNames(t, filepath.Dir(dir)); !slices.Equal(got, []string{"archive"}) {
			t.Errorf("beside the archive: %q", got)
		}
		var m Manifest
		if err := json.Unmarshal(must(os.ReadFile(filepath.Join(dir, FileManifest))), &m); err != nil {
			t.Fatal(err)
		}
		for _, f := range m.Files {
			b := must(os.ReadFile(filepath.Join(dir, f.Name)))
			if len(b) != f.Bytes || fmt.Sprintf("%x", sha256.Sum256(b)) != f.SHA256 {
				t.Errorf("%s does not match the manifest", f.Name)
			}
		}
		if !bytes.Equal(must(os.ReadFile(filepath.Join(dir, FileSchema))), assets.ArchiveSchema) {
			t.Error("schema.json is not the published schema")
		}
	})
	t.Run("an empty directory", func(t *testing.T) {
		dir := t.TempDir()
		if err := WriteArchive(dir, a, PDFOptions{}); err != nil {
			t.Fatal(err)
		}
		if got := dirNames(t, dir); !slices.Equal(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("a directory with files", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("keep"), 0o600)
		if err := WriteArchive(dir, a, PDFOptions{}); !errors.Is(err, ErrDirNotEmpty) {
			t.Fatalf("got %v, want ErrDirNotEmpty", err)
		}
		if err := CheckArchiveDir(dir); !errors.Is(err, ErrDirNotEmpty) {
			t.Errorf("CheckArchiveDir: got %v, want ErrDirNotEmpty", err)
		}
		if err := CheckArchiveDir(filepath.Join(dir, "new")); err != nil {
			t.Errorf("CheckArchiveDir of a new directory: %v", err)
		}
		if got := dirNames(t, dir); !slices.Equal(got, []string{"notes.txt"}) {
			t.Errorf("got %q", got)
		}
	})
	t.Run("a file", func(t *testing.T) {
		f := filepath.Join(t.TempDir(), "file")
		os.WriteFile(f, []byte("x"), 0o600)
		if err := WriteArchive(f, a, PDFOptions{}); !errors.Is(err, ErrNotDir) {
			t.Fatalf("got %v, want ErrNotDir", err)
		}
	})
	t.Run("a failure half-way leaves nothing", func(t *testing.T) {
		for _, existing := range []bool{false, true} {
			parent := t.TempDir()
			dir := filepath.Join(parent, "archive")
			if existing {
				os.Mkdir(dir, 0o700)
			}
			calls := 0
			archiveWriteFile = func(path string, perm os.FileMode, write func(io.Writer) error) error {
				if calls++; calls == 3 {
					return fmt.Errorf("write %s: %w", filepath.Base(path), errBoom)
				}
				return WriteFile(path, perm, write)
			}
			err := WriteArchive(dir, a, PDFOptions{})
			archiveWriteFile = WriteFile
			if !errors.Is(err, errBoom) {
				t.Fatalf("got %v, want the write's error", err)
			}
			wantNames := []string(nil)
			if existing {
				wantNames = []string{"archive"}
				if got := dirNames(t, dir); len(got) != 0 {
					t.Errorf("the empty directory now holds %q", got)
				}
			}
			if got := dirNames(t, parent); !slices.Equal(got, wantNames) {
				t.Errorf("got %q, want %q", got, wantNames)
			}
		}
	})
}

var errBoom = errors.New("boom")

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

// pdfLayoutText extracts a PDF's text keeping its layout, so that a
// table's row reads as one line.
func pdfLayoutText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) is not installed; skipping text extraction")
	}
	f := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// TestTransparencyReportPDF reads the report back: its headings, what it
// says about k and its merges, and every row of its tables as the model
// has it.
func TestTransparencyReportPDF(t *testing.T) {
	cases := randomCases(rand.New(rand.NewPCG(3, 4)), 400, 3)
	exp := []app.ExpungedCount{{Year: 2024, Quarter: 2, Cases: 6}, {Year: 2025, Quarter: 1, Cases: 2}}
	from := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	a, err := BuildArchive(ArchiveInput{Cases: cases, Expunged: exp, From: from}, ArchiveOptions{Seed: ptr(uint64(1)), Generated: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteTransparencyReport(&b, a.Report, PDFOptions{}); err != nil {
		t.Fatal(err)
	}
	text := pdfLayoutText(t, b.Bytes())
	flatText := flat(text)
	for _, want := range []string{"transparency report", "Made 31 December 2026, of reports received from 1 January 2024.",
		"How to read this report", "Reports, people named and outcomes", "Outcomes", "Reports by category",
		"Anonymous reports", "Time to acknowledge and to resolve", "Expunged cases", "Page 1 of"} {
		if !strings.Contains(flatText, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	for _, n := range a.Report.Notes {
		if !strings.Contains(flatText, flat(n)) {
			t.Errorf("the report lacks the note %q", n)
		}
	}
	lines := strings.Split(text, "\n")
	for name, tb := range map[string]StatTable{"overview": a.Report.Overview, "anonymous": a.Report.Anonymous,
		"times": a.Report.Times, "expunged": a.Report.Expunged} {
		if len(tb.Rows) == 0 {
			t.Errorf("%s: no rows", name)
		}
		for _, row := range tb.Rows {
			parts := []string{regexp.QuoteMeta(row.Label)}
			for _, c := range row.Cells {
				parts = append(parts, regexp.QuoteMeta(c.Text))
			}
			re := regexp.MustCompile(`^\s*` + strings.Join(parts, `\s+`) + `\s*$`)
			if !slices.ContainsFunc(lines, re.MatchString) {
				t.Errorf("%s: no line reads %q", name, strings.Join(parts, " "))
			}
		}
	}
	// Too few reports: no figures at all.
	few, err := BuildArchive(ArchiveInput{Cases: cases[:4]}, ArchiveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b.Reset()
	if err := WriteTransparencyReport(&b, few.Report, PDFOptions{}); err != nil {
		t.Fatal(err)
	}
	text = flat(pdfLayoutText(t, b.Bytes()))
	if !strings.Contains(text, "fewer than 5 reports") || strings.Contains(text, "Reports by category") {
		t.Errorf("a report of 4 cases: %s", text)
	}
}

// TestArchiveDocs keeps docs/archive.md in step with the format: every
// field of a record, column of the CSV and field of the manifest is
// described.
func TestArchiveDocs(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "archive.md"))
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(assets.ArchiveSchema, &schema); err != nil {
		t.Fatal(err)
	}
	var names []string
	for f := range schema["properties"].(map[string]any) {
		names = append(names, f)
	}
	names = append(names, CSVColumns...)
	for _, v := range []any{Manifest{}, ManifestCounts{}} {
		b, _ := json.Marshal(v)
		var m map[string]any
		json.Unmarshal(b, &m)
		for f := range m {
			names = append(names, f)
		}
	}
	for _, c := range app.Categories {
		names = append(names, string(c))
	}
	names = append(names, FileRecords, FileCSV, FileSchema, FileReport, FileManifest)
	for _, n := range names {
		if !bytes.Contains(doc, []byte("`"+n+"`")) {
			t.Errorf("docs/archive.md does not describe `%s`", n)
		}
	}
	for _, s := range []string{fmt.Sprintf("k = %d", DefaultK), fmt.Sprintf("never below %d", MinK), ArchiveFormat, fmt.Sprintf("version `%d`", ArchiveFormatVersion)} {
		if !bytes.Contains(doc, []byte(s)) {
			t.Errorf("docs/archive.md does not say %q", s)
		}
	}
}
