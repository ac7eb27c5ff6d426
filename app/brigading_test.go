package app

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

var brigadeStart = time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC)

// reportAbout makes a case about one reported party, received days after
// brigadeStart.
func reportAbout(code string, days float64, kind ReporterKind, reported Party, text string) *Case {
	reported.ID, reported.Role = "p2", RoleReported
	return &Case{
		ID:           "id-" + code,
		Code:         code,
		Received:     brigadeStart.Add(time.Duration(days * float64(24*time.Hour))),
		ReporterKind: kind,
		Summary:      "Report " + code,
		Description:  text,
		Parties: []*Party{
			{ID: "p1", Role: RoleReporter, Anonymous: kind == ReporterAnonymous, Name: "Reporter " + code},
			&reported,
		},
	}
}

// randomText returns n words drawn from synthWords with a fixed seed:
// texts with different seeds share few 3-shingles.
func randomText(seed uint64, n int) string {
	r := rand.New(rand.NewPCG(seed, 7))
	w := make([]string, n)
	for i := range w {
		w[i] = synthWords[r.IntN(len(synthWords))]
	}
	return strings.Join(w, " ")
}

const dupText = "During the online meetup on Thursday the reported person repeatedly interrupted " +
	"the speaker, posted insulting remarks about her accent in the public chat and later " +
	"sent several private messages asking where she lives and whether she would be alone " +
	"at the conference hotel next month."

const dupEdited = "During the online meetup last Thursday the reported person repeatedly interrupted " +
	"the speaker, posted insulting remarks about her accent in the public chat and then " +
	"sent several private messages asking where she lives and whether she would be alone " +
	"at the conference hotel next month."

func TestDetectBrigading(t *testing.T) {
	jdoe := func(h, contact string) Party { return Party{Handle: h, Contact: contact} }
	named := func(n string) Party { return Party{Name: n} }
	dupSim := jaccard(shingles("Report A", dupText), shingles("Report B", dupEdited))

	tests := []struct {
		name  string
		cfg   BrigadeConfig // zero: the defaults
		cases []*Case
		want  []BrigadeFlag
	}{
		{
			name: "anonymous cluster about one handle written differently",
			cases: []*Case{
				reportAbout("AMBER-FOX", 0, ReporterAnonymous, jdoe("@jdoe", ""), randomText(1, 40)),
				reportAbout("BRAVE-OWL", 1.5, ReporterAnonymous, jdoe("JDoe", ""), randomText(2, 40)),
				reportAbout("CALM-ELK", 3, ReporterAnonymous, jdoe("jdoe", "jdoe@example.org"), randomText(3, 40)),
				reportAbout("DARK-YAK", 6.2, ReporterAnonymous, jdoe("", "Jane Doe <JDoe@Example.org>"), randomText(4, 40)),
				reportAbout("EASY-APE", 2, ReporterAnonymous, jdoe("@jdoe2", ""), randomText(5, 40)),
			},
			want: []BrigadeFlag{{
				Cases:   []string{"AMBER-FOX", "BRAVE-OWL", "CALM-ELK", "DARK-YAK"},
				Reasons: []string{"4 reports about the same person within 7 days, 4 of them anonymous"},
				Person:  "@jdoe",
			}},
		},
		{
			name: "identified reports spread over a year",
			cases: []*Case{
				reportAbout("A", 0, ReporterIdentified, named("Kim Sato"), randomText(1, 40)),
				reportAbout("B", 90, ReporterIdentified, named("Kim Sato"), randomText(2, 40)),
				reportAbout("C", 200, ReporterIdentified, named("Kim Sato"), randomText(3, 40)),
				reportAbout("D", 360, ReporterIdentified, named("Kim Sato"), randomText(4, 40)),
			},
		},
		{
			name: "anonymous reports spread over a year",
			cases: []*Case{
				reportAbout("A", 0, ReporterAnonymous, named("Kim Sato"), randomText(1, 40)),
				reportAbout("B", 20, ReporterAnonymous, named("Kim Sato"), randomText(2, 40)),
				reportAbout("C", 40, ReporterAnonymous, named("Kim Sato"), randomText(3, 40)),
				reportAbout("D", 60, ReporterAnonymous, named("Kim Sato"), randomText(4, 40)),
			},
		},
		{
			name: "three reports in the window, mostly identified",
			cases: []*Case{
				reportAbout("A", 0, ReporterIdentified, named("Kim Sato"), randomText(1, 40)),
				reportAbout("B", 2, ReporterAnonymous, named("Kim Sato"), randomText(2, 40)),
				reportAbout("C", 4, ReporterIdentified, named("Kim Sato"), randomText(3, 40)),
			},
		},
		{
			name: "half anonymous is not mostly anonymous",
			cfg:  BrigadeConfig{MinReports: 4},
			cases: []*Case{
				reportAbout("A", 0, ReporterIdentified, named("Kim Sato"), randomText(1, 40)),
				reportAbout("B", 1, ReporterAnonymous, named("Kim Sato"), randomText(2, 40)),
				reportAbout("C", 2, ReporterAnonymous, named("Kim Sato"), randomText(3, 40)),
				reportAbout("D", 3, ReporterNone, named("Kim Sato"), randomText(4, 40)),
			},
		},
		{
			name: "two of three anonymous, name folded and reordered",
			cases: []*Case{
				reportAbout("A", 0, ReporterAnonymous, named("Zoë Müller"), randomText(1, 40)),
				reportAbout("B", 0.5, ReporterIdentified, named("zoe muller"), randomText(2, 40)),
				reportAbout("C", 0.9, ReporterAnonymous, named("MÜLLER, Zoe"), randomText(3, 40)),
			},
			want: []BrigadeFlag{{
				Cases:   []string{"A", "B", "C"},
				Reasons: []string{"3 reports about the same person within a day, 2 of them anonymous"},
				Person:  "Zoë Müller",
			}},
		},
		{
			name: "a mostly anonymous run inside a longer window",
			cases: []*Case{
				reportAbout("A", 0, ReporterIdentified, named("Kim Sato"), randomText(1, 40)),
				reportAbout("B", 1, ReporterIdentified, named("Kim Sato"), randomText(2, 40)),
				reportAbout("C", 5, ReporterAnonymous, named("Kim Sato"), randomText(3, 40)),
				reportAbout("D", 6, ReporterAnonymous, named("Kim Sato"), randomText(4, 40)),
				reportAbout("E", 7, ReporterIdentified, named("Kim Sato"), randomText(5, 40)),
				reportAbout("F", 8, ReporterAnonymous, named("Kim Sato"), randomText(6, 40)),
			},
			want: []BrigadeFlag{{
				Cases:   []string{"B", "C", "D", "E", "F"},
				Reasons: []string{"5 reports about the same person within 7 days, 3 of them anonymous"},
				Person:  "Kim Sato",
			}},
		},
		{
			name: "near-duplicate texts with small edits",
			cases: []*Case{
				reportAbout("A", 0, ReporterIdentified, jdoe("@kims", ""), dupText),
				reportAbout("B", 40, ReporterIdentified, jdoe("KIMS", ""), dupEdited),
			},
			want: []BrigadeFlag{{
				Cases:   []string{"A", "B"},
				Reasons: []string{fmt.Sprintf("the texts of A and B are near-duplicates (similarity %.2f)", dupSim)},
				Person:  "@kims",
			}},
		},
		{
			// Copied texts come in a burst: reports further apart than
			// four windows (56 days) are not compared.
			name: "near-duplicate texts months apart",
			cases: []*Case{
				reportAbout("A", 0, ReporterIdentified, jdoe("@kims", ""), dupText),
				reportAbout("B", 120, ReporterIdentified, jdoe("KIMS", ""), dupEdited),
			},
		},
		{
			name: "near-duplicate texts about different people",
			cases: []*Case{
				reportAbout("A", 0, ReporterAnonymous, named("Kim Sato"), dupText),
				reportAbout("B", 1, ReporterAnonymous, named("Kim Satō-Berg"), dupEdited),
			},
		},
		{
			name: "unrelated texts about the same person",
			cases: []*Case{
				reportAbout("A", 0, ReporterAnonymous, named("Kim Sato"), dupText),
				reportAbout("B", 1, ReporterAnonymous, named("Kim Sato"), randomText(9, 60)),
			},
		},
		{
			name: "identical short summaries are not near-duplicates",
			cases: []*Case{
				{Code: "A", Received: brigadeStart, Summary: "Harassment in the chat", Parties: []*Party{{Role: RoleReported, Name: "Kim Sato"}}},
				{Code: "B", Received: brigadeStart, Summary: "Harassment in the chat", Parties: []*Party{{Role: RoleReported, Name: "Kim Sato"}}},
			},
		},
		{
			name: "similar names of different people are not linked",
			cases: []*Case{
				reportAbout("A", 0, ReporterAnonymous, named("Jon Smith"), randomText(1, 40)),
				reportAbout("B", 1, ReporterAnonymous, named("John Smith"), randomText(2, 40)),
				reportAbout("C", 2, ReporterAnonymous, named("Jon Smyth"), randomText(3, 40)),
				reportAbout("D", 3, ReporterAnonymous, named("Jon Smith"), randomText(4, 40)),
			},
		},
		{
			name: "a reporter or witness of the same name is not the reported person",
			cases: []*Case{
				reportAbout("A", 0, ReporterAnonymous, named("Kim Sato"), randomText(1, 40)),
				reportAbout("B", 1, ReporterAnonymous, named("Kim Sato"), randomText(2, 40)),
				{Code: "C", Received: brigadeStart.Add(48 * time.Hour), ReporterKind: ReporterAnonymous,
					Parties: []*Party{{Role: RoleWitness, Name: "Kim Sato"}, {Role: RoleReported, Name: "Lee Park"}}},
			},
		},
		{
			name: "a cluster and a near-duplicate sharing a case merge",
			cases: []*Case{
				reportAbout("A", 0, ReporterAnonymous, named("Kim Sato"), dupText),
				reportAbout("B", 1, ReporterAnonymous, named("Kim Sato"), randomText(2, 40)),
				reportAbout("C", 2, ReporterAnonymous, named("Kim Sato"), randomText(3, 40)),
				reportAbout("D", 50, ReporterIdentified, named("Kim Sato"), dupEdited),
			},
			want: []BrigadeFlag{{
				Cases: []string{"A", "B", "C", "D"},
				Reasons: []string{
					"3 reports about the same person within 2 days, 3 of them anonymous",
					fmt.Sprintf("the texts of A and D are near-duplicates (similarity %.2f)", dupSim),
				},
				Person: "Kim Sato",
			}},
		},
		{
			name: "flags in the order of their earliest report",
			cases: []*Case{
				reportAbout("Z1", 30, ReporterAnonymous, named("Kim Sato"), randomText(1, 40)),
				reportAbout("Z2", 31, ReporterAnonymous, named("Kim Sato"), randomText(2, 40)),
				reportAbout("Z3", 32, ReporterAnonymous, named("Kim Sato"), randomText(3, 40)),
				reportAbout("Y1", 0, ReporterAnonymous, named("Lee Park"), randomText(4, 40)),
				reportAbout("Y2", 1, ReporterAnonymous, named("Lee Park"), randomText(5, 40)),
				reportAbout("Y3", 2, ReporterAnonymous, named("Lee Park"), randomText(6, 40)),
			},
			want: []BrigadeFlag{
				{Cases: []string{"Y1", "Y2", "Y3"}, Reasons: []string{"3 reports about the same person within 2 days, 3 of them anonymous"}, Person: "Lee Park"},
				{Cases: []string{"Z1", "Z2", "Z3"}, Reasons: []string{"3 reports about the same person within 2 days, 3 of them anonymous"}, Person: "Kim Sato"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DetectBrigading(tt.cases, tt.cfg)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestDetectBrigadingSimilarityRange(t *testing.T) {
	cases := []*Case{
		reportAbout("A", 0, ReporterIdentified, Party{Name: "Kim Sato"}, dupText),
		reportAbout("B", 50, ReporterIdentified, Party{Name: "Kim Sato"}, dupEdited),
		reportAbout("C", 100, ReporterIdentified, Party{Name: "Kim Sato"}, dupText+" She left the meetup."),
	}
	flags := DetectBrigading(cases, BrigadeConfig{})
	if len(flags) != 1 || len(flags[0].Reasons) != 1 {
		t.Fatalf("got %#v, want one flag with one reason", flags)
	}
	if r := flags[0].Reasons[0]; !strings.HasPrefix(r, "the texts of A, B and C are near-duplicates (similarity 0.") || !strings.Contains(r, " to ") {
		t.Errorf("got reason %q, want A, B and C with a range of similarities", r)
	}
}

func TestHandleKey(t *testing.T) {
	tests := []struct {
		in   string
		want personKey
	}{
		{"", personKey{}},
		{"@JDoe", personKey{'h', "jdoe"}},
		{" jdoe ", personKey{'h', "jdoe"}},
		{"@Zoë_M", personKey{'h', "zoë_m"}},
		{"JDoe@Example.org", personKey{'e', "jdoe@example.org"}},
		{"mailto:jdoe@example.org", personKey{'e', "jdoe@example.org"}},
		{"Jane Doe <jdoe@example.org>", personKey{'e', "jdoe@example.org"}},
		{"+1 (555) 010-9999", personKey{'t', "15550109999"}},
		{"ask at the front desk", personKey{}},
	}
	for _, tt := range tests {
		if got := handleKey(tt.in); got != tt.want {
			t.Errorf("handleKey(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestJaccard(t *testing.T) {
	a := shingles("one two three four five")
	if len(a) != 3 {
		t.Fatalf("got %d shingles, want 3", len(a))
	}
	if got := jaccard(a, a); got != 1 {
		t.Errorf("jaccard(a, a) = %v, want 1", got)
	}
	b := shingles("ONE two three four six")
	if got := jaccard(a, b); got != 0.5 { // 2 shared of 4
		t.Errorf("jaccard(a, b) = %v, want 0.5", got)
	}
	if got := jaccard(nil, nil); got != 0 {
		t.Errorf("jaccard(nil, nil) = %v, want 0", got)
	}
}

func TestSortHashes(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	for _, n := range []int{0, 1, 15, 16, 17, 60, 500, 1024, 1025, 3000} {
		a := make([]uint64, n)
		for i := range a {
			a[i] = r.Uint64()
			if i%7 == 3 {
				a[i] = a[i-1] // repeats
			}
		}
		if n > 10 {
			a[0], a[1] = 0, math.MaxUint64
		}
		want := slices.Clone(a)
		slices.Sort(want)
		sortHashes(a)
		if !slices.Equal(a, want) {
			t.Errorf("n=%d: sortHashes did not sort", n)
		}
	}
}

// TestPrefixesMeet checks the prefix filter against the Jaccard
// similarity it stands for: it may pass pairs below the threshold, never
// drop one above.
func TestPrefixesMeet(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	for range 2000 {
		base := randomText(r.Uint64(), 5+r.IntN(60))
		words := strings.Fields(base)
		for range r.IntN(6) { // a few edits
			words[r.IntN(len(words))] = synthWords[r.IntN(len(synthWords))]
		}
		if r.IntN(2) == 0 {
			words = append(words, strings.Fields(randomText(r.Uint64(), r.IntN(20)))...)
		}
		other := strings.Join(words, " ")
		a, b := shingles(base), shingles(other)
		for _, th := range []float64{0.3, 0.5, 0.6, 0.8, 0.95, 1} {
			if jaccard(a, b) >= th && !prefixesMeet(a, b, th) {
				t.Fatalf("prefix filter dropped a pair with similarity %v ≥ %v", jaccard(a, b), th)
			}
		}
	}
}

// FuzzShingles checks that shingles are sorted and distinct, that a text
// is fully alike itself, and that case and accents do not matter.
func FuzzShingles(f *testing.F) {
	f.Add("the quick brown fox jumps over the lazy dog")
	f.Add("Zoë wrote to Łukasz and Ελένη")
	f.Add("\u0741'S 0 0")
	f.Add("0'\u0741S 0")
	f.Add("0 0'Š")
	f.Add("拋\u0741'S 00")
	f.Fuzz(func(t *testing.T, s string) {
		a := shingles(s)
		for i := 1; i < len(a); i++ {
			if a[i-1] >= a[i] {
				t.Fatalf("shingles(%q) not sorted and distinct", s)
			}
		}
		if len(a) > 0 && jaccard(a, a) != 1 {
			t.Fatalf("jaccard of %q with itself is not 1", s)
		}
		if b := shingles(Fold(s)); jaccard(a, b) != 1 && len(a) > 0 {
			t.Fatalf("shingles(%q) differ from those of its folded form", s)
		}
	})
}

// brigadeCorpus makes n synthetic cases about n/10 people, over two
// years, a third of them anonymous, with a near-duplicate now and then.
func brigadeCorpus(n int) []*Case {
	r := rand.New(rand.NewPCG(42, 42))
	people := max(n/10, 1)
	cases := make([]*Case, n)
	last := make(map[int]*Case) // person → latest case about them
	for i := range cases {
		p := r.IntN(people)
		kind := ReporterIdentified
		if r.IntN(3) == 0 {
			kind = ReporterAnonymous
		}
		var reported Party
		switch p % 3 {
		case 0:
			reported = Party{Name: fmt.Sprintf("Person %d Example", p)}
		case 1:
			reported = Party{Handle: fmt.Sprintf("@user%d", p)}
		default:
			reported = Party{Name: fmt.Sprintf("Person %d Example", p), Contact: fmt.Sprintf("user%d@example.org", p)}
		}
		text := randomText(uint64(i), 40+r.IntN(40))
		if prev := last[p]; prev != nil && i%50 == 0 {
			text = prev.Description + " again"
		}
		cases[i] = reportAbout(fmt.Sprintf("CASE-%05d", i), r.Float64()*730, kind, reported, text)
		last[p] = cases[i]
	}
	return cases
}

func BenchmarkDetectBrigading(b *testing.B) {
	cases := brigadeCorpus(10000)
	var flags []BrigadeFlag
	for b.Loop() {
		flags = DetectBrigading(cases, DefaultBrigadeConfig())
	}
	b.ReportMetric(float64(len(flags)), "flags")
}

// TestBrigadeMemo runs the detection as a store does, keeping what it
// worked out case by case and group by group between runs, over a case
// book that changes (cases replaced by changed copies, removed and added,
// the thresholds changed), and checks each run against a fresh one:
// nothing kept of a case may outlive it.
func TestBrigadeMemo(t *testing.T) {
	kim, lee := Party{Name: "Kim Sato"}, Party{Name: "Lee Park", Handle: "@leep"}
	a := reportAbout("A", 0, ReporterAnonymous, kim, dupText)
	b := reportAbout("B", 1, ReporterAnonymous, kim, dupEdited)
	c := reportAbout("C", 2, ReporterAnonymous, kim, dupText+" She left the meetup.")
	d := reportAbout("D", 3, ReporterIdentified, lee, "Lee Park shouted at a volunteer.")
	d2 := reportAbout("D2", 3.5, ReporterAnonymous, lee, "Lee Park shouted at a volunteer again.")
	// X names both Kim and Lee, so that the flags of their two groups
	// merge; then Kim's group changes and Lee's does not.
	x := reportAbout("X", 3.2, ReporterAnonymous, kim, "Both of them were rude to me at the meetup.")
	x.Parties = append(x.Parties, &Party{ID: "p3", Role: RoleReported, Name: lee.Name, Handle: lee.Handle})
	// Y1 to Y3 each name Kim and Ada: two groups of the same cases, both
	// starting in Y1.
	var ys []*Case
	for i := range 3 {
		y := reportAbout(fmt.Sprintf("Y%d", i+1), float64(i), ReporterAnonymous, kim, randomText(uint64(10+i), 20))
		y.Parties = append(y.Parties, &Party{ID: "p3", Role: RoleReported, Name: "Ada Quill"})
		ys = append(ys, y)
	}
	strict := BrigadeConfig{MinReports: 4, Similarity: 0.9}
	steps := []struct {
		name  string
		cases []*Case
		cfg   BrigadeConfig
	}{
		{"a cluster and near-duplicates about Kim", []*Case{a, b, c, d}, BrigadeConfig{}},
		{"B now names Lee by handle", []*Case{a, reportAbout("B", 1, ReporterAnonymous, Party{Name: "L. Park", Handle: "leep"}, dupEdited), c, d}, BrigadeConfig{}},
		{"C's text rewritten", []*Case{a, b, reportAbout("C", 2, ReporterAnonymous, kim, "Something else entirely happened at a later meetup in the park."), d}, BrigadeConfig{}},
		{"A gone, E about Kim", []*Case{b, c, d, reportAbout("E", 4, ReporterIdentified, kim, dupText)}, BrigadeConfig{}},
		{"back to the start", []*Case{a, b, c, d}, BrigadeConfig{}},
		{"a second report about Lee, Kim's group as it was", []*Case{a, b, c, d, d2}, BrigadeConfig{}},
		{"X names both", []*Case{a, b, c, d, d2, x}, BrigadeConfig{}},
		{"C changed, Lee's group as it was", []*Case{a, b, reportAbout("C", 2, ReporterAnonymous, kim, dupEdited), d, d2, x}, BrigadeConfig{}},
		{"stricter thresholds", []*Case{a, b, c, d, d2}, strict},
		{"the default thresholds again", []*Case{a, b, c, d, d2}, BrigadeConfig{}},
		{"reports each naming Kim and Ada", ys, BrigadeConfig{}},
		{"the same reports again", ys, BrigadeConfig{}},
		{"nothing left", nil, BrigadeConfig{}},
	}
	memo := &brigadeMemo{}
	for _, st := range steps {
		got := detectBrigading(st.cases, st.cfg, memo)
		if want := DetectBrigading(st.cases, st.cfg); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: with what was kept got %#v\nfresh %#v", st.name, got, want)
		}
		if len(memo.reported) != len(st.cases) {
			t.Errorf("%s: %d cases kept, want the %d given", st.name, len(memo.reported), len(st.cases))
		}
		for kept := range memo.sets {
			if !slices.Contains(st.cases, kept) {
				t.Errorf("%s: the shingles of %s outlived it", st.name, kept.Code)
			}
		}
		for _, g := range memo.groups {
			for _, kept := range g.members {
				if !slices.Contains(st.cases, kept) {
					t.Errorf("%s: the flags of a group with %s outlived it", st.name, kept.Code)
				}
			}
		}
	}
}

// TestBrigadeMemoRandom changes a case book at random, step by step (cases
// added anywhere, removed, replaced by changed copies, some naming two
// people; the thresholds changed now and then), and checks each run with
// what was kept against a fresh one.
func TestBrigadeMemoRandom(t *testing.T) {
	people := []Party{
		{Name: "Kim Sato"}, {Name: "Lee Park", Handle: "@leep"}, {Name: "L. Park", Handle: "leep"},
		{Name: "Ada Quill", Contact: "ada@example.org"}, {Name: "Quill Ada"}, {Name: "Bo Reed", Contact: "+1 555 0100 200"},
	}
	texts := []string{dupText, dupEdited, dupText + " Again.", randomText(1, 30), randomText(2, 30), "Short."}
	configs := []BrigadeConfig{{}, {MinReports: 2, Similarity: 0.5}, {Window: 3 * 24 * time.Hour}}
	for trial := range 40 {
		r := rand.New(rand.NewPCG(uint64(trial), 99))
		serial := 0
		newCase := func() *Case {
			serial++
			kind := ReporterIdentified
			if r.IntN(3) > 0 {
				kind = ReporterAnonymous
			}
			c := reportAbout(fmt.Sprintf("C%03d", serial), r.Float64()*30, kind, people[r.IntN(len(people))], texts[r.IntN(len(texts))])
			if r.IntN(4) == 0 { // a second person reported in the same case
				second := people[r.IntN(len(people))]
				second.ID, second.Role = "p3", RoleReported
				c.Parties = append(c.Parties, &second)
			}
			return c
		}
		var cases []*Case
		cfg := configs[0]
		memo := &brigadeMemo{}
		for step := range 30 {
			switch op := r.IntN(10); {
			case op < 4 || len(cases) == 0:
				i := r.IntN(len(cases) + 1)
				cases = slices.Insert(cases, i, newCase())
			case op < 6:
				i := r.IntN(len(cases))
				cases = slices.Delete(cases, i, i+1)
			case op < 8:
				i := r.IntN(len(cases))
				changed := *cases[i]
				changed.Description = texts[r.IntN(len(texts))]
				cases[i] = &changed
			case op < 9: // a copy with the same inputs, as after a note
				i := r.IntN(len(cases))
				old := cases[i]
				cases[i] = sameInputsCopy(old)
				memo.carry(old, cases[i])
			default:
				cfg = configs[r.IntN(len(configs))]
			}
			got := detectBrigading(cases, cfg, memo)
			if want := DetectBrigading(cases, cfg); !reflect.DeepEqual(got, want) {
				t.Fatalf("trial %d, step %d: with what was kept got %#v\nfresh %#v", trial, step, got, want)
			}
		}
	}
}

// sameInputsCopy returns a copy of c as the store makes one after a note:
// a new *Case, with new parties, whose inputs to the detection are alike.
func sameInputsCopy(c *Case) *Case {
	d := *c
	d.Notes = append(slices.Clone(c.Notes), &Note{ID: fmt.Sprintf("n%d", len(c.Notes)+1), Text: "Read again."})
	d.Parties = make([]*Party, len(c.Parties))
	for i, p := range c.Parties {
		q := *p
		d.Parties[i] = &q
	}
	return &d
}

// TestBrigadeMemoCarry: what the memo kept of a case is carried over to a
// copy with the same inputs, as the store makes after a note, so that the
// next run works out neither the case nor its groups again, finds what a
// fresh run finds, and holds nothing of the old copy.
func TestBrigadeMemoCarry(t *testing.T) {
	kim, lee := Party{Name: "Kim Sato"}, Party{Name: "Lee Park"}
	y := reportAbout("Y", 0.5, ReporterAnonymous, kim, dupText)
	y.Parties = append(y.Parties, &Party{ID: "p3", Role: RoleReported, Name: lee.Name})
	cases := []*Case{
		reportAbout("A", 0, ReporterAnonymous, kim, dupText),
		reportAbout("B", 1, ReporterAnonymous, kim, dupEdited),
		y,
		reportAbout("D", 3, ReporterAnonymous, lee, dupText),
		reportAbout("E", 4, ReporterAnonymous, lee, dupEdited),
	}
	memo := &brigadeMemo{}
	detectBrigading(cases, BrigadeConfig{}, memo)
	for k, g := range memo.groups {
		for i := range g.raw {
			g.raw[i].reason += " (kept for " + k.p.Name + ")"
		}
	}
	var olds []*Case
	for _, i := range []int{0, 2} { // A starts Kim's group; Y is in both
		olds = append(olds, cases[i])
		cases[i] = sameInputsCopy(cases[i])
		memo.carry(olds[len(olds)-1], cases[i])
	}
	for _, old := range olds {
		_, r := memo.reported[old]
		_, set := memo.sets[old]
		if r || set {
			t.Errorf("the memo still keeps %s's old copy", old.Code)
		}
		for k, g := range memo.groups {
			if k.c == old || slices.Contains(g.members, old) {
				t.Errorf("a group kept still names %s's old copy", old.Code)
			}
		}
	}
	got := detectBrigading(cases, BrigadeConfig{}, memo)
	var reasons []string
	for _, f := range got {
		reasons = append(reasons, f.Reasons...)
	}
	for _, who := range []string{"Kim Sato", "Lee Park"} {
		if !slices.ContainsFunc(reasons, func(r string) bool { return strings.HasSuffix(r, "(kept for "+who+")") }) {
			t.Errorf("%s's group was worked out again after notes: %q", who, reasons)
		}
	}
	for k, g := range memo.groups {
		for i := range g.raw {
			g.raw[i].reason = strings.TrimSuffix(g.raw[i].reason, " (kept for "+k.p.Name+")")
		}
	}
	if got, want := detectBrigading(cases, BrigadeConfig{}, memo), DetectBrigading(cases, BrigadeConfig{}); !reflect.DeepEqual(got, want) {
		t.Errorf("after carrying: got %#v\nfresh %#v", got, want)
	}
}

// TestBrigadeMemoReusesGroups: a group of the same cases as in the run
// before is not worked out again (its kept flags are what the next run
// shows), and one whose cases changed is.
func TestBrigadeMemoReusesGroups(t *testing.T) {
	kim, lee := Party{Name: "Kim Sato"}, Party{Name: "Lee Park"}
	cases := []*Case{
		reportAbout("A", 0, ReporterAnonymous, kim, dupText),
		reportAbout("B", 1, ReporterAnonymous, kim, dupEdited),
		reportAbout("C", 2, ReporterAnonymous, kim, dupText),
		reportAbout("D", 3, ReporterAnonymous, lee, dupText),
		reportAbout("E", 4, ReporterAnonymous, lee, dupText),
		reportAbout("F", 5, ReporterAnonymous, lee, dupText),
	}
	memo := &brigadeMemo{}
	detectBrigading(cases, BrigadeConfig{}, memo)
	if len(memo.groups) != 2 {
		t.Fatalf("%d groups kept, want 2", len(memo.groups))
	}
	for k, g := range memo.groups {
		for i := range g.raw {
			g.raw[i].reason = "kept: " + k.c.Code
		}
	}
	// Lee's group changes; Kim's does not.
	cases[5] = reportAbout("F", 5, ReporterAnonymous, lee, dupEdited)
	var reasons []string
	for _, f := range detectBrigading(cases, BrigadeConfig{}, memo) {
		reasons = append(reasons, f.Reasons...)
	}
	if !slices.Contains(reasons, "kept: A") {
		t.Errorf("Kim's unchanged group was worked out again: %q", reasons)
	}
	if slices.Contains(reasons, "kept: D") {
		t.Errorf("Lee's changed group was not worked out again: %q", reasons)
	}
}

// TestBrigadeMemoRenumbersKeys: when most of the numbered keys name no
// case kept, the numbers are dealt afresh, and the next run still finds
// what a fresh one does.
func TestBrigadeMemoRenumbersKeys(t *testing.T) {
	many := make([]*Case, 0, 1200)
	for i := range cap(many) {
		many = append(many, reportAbout(fmt.Sprintf("M%04d", i), float64(i), ReporterAnonymous,
			Party{Name: fmt.Sprintf("Person %d", i), Contact: fmt.Sprintf("person%d@example.org", i)}, randomText(uint64(i), 20)))
	}
	kim := Party{Name: "Kim Sato"}
	few := []*Case{
		reportAbout("A", 0, ReporterAnonymous, kim, dupText),
		reportAbout("B", 1, ReporterAnonymous, kim, dupEdited),
		reportAbout("C", 2, ReporterAnonymous, kim, dupText),
	}
	memo := &brigadeMemo{}
	detectBrigading(append(slices.Clone(few), many...), BrigadeConfig{}, memo)
	before := len(memo.ids)
	got := detectBrigading(few, BrigadeConfig{}, memo)
	if len(memo.ids) >= before {
		t.Errorf("%d keys numbered after the run over %d cases, %d before: not dealt afresh", len(memo.ids), len(few), before)
	}
	if want := DetectBrigading(few, BrigadeConfig{}); !reflect.DeepEqual(got, want) {
		t.Errorf("with keys dealt afresh got %#v\nfresh %#v", got, want)
	}
	if got, want := detectBrigading(few, BrigadeConfig{}, memo), DetectBrigading(few, BrigadeConfig{}); !reflect.DeepEqual(got, want) {
		t.Errorf("the run after got %#v\nfresh %#v", got, want)
	}
}

// TestSameBrigadeInputs: every field the detector reads makes two cases
// differ; the others do not.
func TestSameBrigadeInputs(t *testing.T) {
	base := func() *Case {
		c := reportAbout("A", 0, ReporterAnonymous, Party{Name: "Kim Sato", Handle: "@kim", Contact: "kim@example.org"}, dupText)
		c.Stage = StageAcknowledged
		return c
	}
	tests := []struct {
		name   string
		change func(c *Case)
		same   bool
	}{
		{"nothing", func(c *Case) {}, true},
		{"the stage", func(c *Case) { c.Stage = StageGathering }, true},
		{"a note", func(c *Case) { c.Notes = append(c.Notes, &Note{ID: "n1", Text: "seen"}) }, true},
		{"the responder", func(c *Case) { c.Responder = "m2" }, true},
		{"the history", func(c *Case) { c.History = append(c.History, &Event{Action: ActResponded}) }, true},
		{"a party's relationship", func(c *Case) { c.Parties[1].Relationship = "colleague" }, true},
		{"the ID", func(c *Case) { c.ID = "other" }, false},
		{"the code", func(c *Case) { c.Code = "B" }, false},
		{"received", func(c *Case) { c.Received = c.Received.Add(time.Minute) }, false},
		{"the reporter's kind", func(c *Case) { c.ReporterKind = ReporterIdentified }, false},
		{"the summary", func(c *Case) { c.Summary += "!" }, false},
		{"the description", func(c *Case) { c.Description += "!" }, false},
		{"a party added", func(c *Case) { c.Parties = append(c.Parties, &Party{ID: "p3", Role: RoleWitness}) }, false},
		{"a party's role", func(c *Case) { c.Parties[1].Role = RoleWitness }, false},
		{"a party's name", func(c *Case) { c.Parties[1].Name = "Kim Satō" }, false},
		{"a party's handle", func(c *Case) { c.Parties[1].Handle = "@kims" }, false},
		{"a party's contact", func(c *Case) { c.Parties[1].Contact = "k@example.org" }, false},
		{"a party's pseudonym", func(c *Case) { c.Parties[0].Pseudonym = "Owl" }, false},
		{"a party made anonymous", func(c *Case) { c.Parties[1].Anonymous = true }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := base(), base()
			tt.change(b)
			if got := sameBrigadeInputs(a, b); got != tt.same {
				t.Errorf("sameBrigadeInputs after changing %s: got %v, want %v", tt.name, got, tt.same)
			}
		})
	}
}

// TestStoreKeepsFlagsAcrossOtherChanges: the store works the brigading
// flags out again after a change to what they come from (a new report, a
// conflict of interest that hides a case), not after a note; and what it
// shows then is what a fresh detection finds.
func TestStoreKeepsFlagsAcrossOtherChanges(t *testing.T) {
	e := newStoreEnv(t)
	c := e.newCase(t, testIntake(e.clock.Now()))
	fresh := func() []BrigadeFlag {
		e.s.mu.RLock()
		defer e.s.mu.RUnlock()
		return DetectBrigading(e.s.allLocked(), e.s.config.BrigadeConfig())
	}
	steps := []struct {
		name   string
		change func()
		again  bool
	}{
		{"a note", func() {
			if _, err := e.s.AddNote(c.Code, "Read the report again.", Visibility{}); err != nil {
				t.Fatal(err)
			}
		}, false},
		{"a message", func() {
			if _, err := e.s.AddMessage(c.Code, Message{PartyID: "p1", Direction: In, Text: "Thank you."}); err != nil {
				t.Fatal(err)
			}
		}, false},
		{"a second report about the same person", func() { e.newCase(t, testIntake(e.clock.Now())) }, true},
		{"a hard conflict that hides the first case", func() {
			if _, err := e.s.DeclareConflict(c.Code, e.s.Roster().Me, HardConflict, "a friend of the reporter"); err != nil {
				t.Fatal(err)
			}
		}, true},
	}
	for _, st := range steps {
		e.s.Due(e.clock.Now())
		st.change()
		if again := !e.s.flagsCached(); again != st.again {
			t.Errorf("after %s: flags to be worked out again %v, want %v", st.name, again, st.again)
		}
		if got, want := e.s.Brigading(), fresh(); !reflect.DeepEqual(got, want) {
			t.Errorf("after %s: the store shows %#v, a fresh detection %#v", st.name, got, want)
		}
	}
}
