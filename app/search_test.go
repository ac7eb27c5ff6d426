package app

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
	"unsafe"

	"casebook/vault"
)

// synthWords is the vocabulary of synthetic texts.
var synthWords = strings.Fields(`the a and of to in that it was for on with as at by from this
	be have not are but or his her they we you she he them their our your there when where
	which who what about after before again during while into over under between through
	meeting chat channel forum thread post message reply comment event conference meetup
	talk speaker session hallway party dinner hotel venue stage booth sprint workshop
	repeatedly publicly privately later earlier yesterday morning evening weekend online
	said wrote posted sent asked told shouted laughed mocked ignored interrupted followed
	threatened insulted joked complained apologized refused promised reported noticed saw
	heard felt remembered explained described mentioned shared deleted edited blocked
	uncomfortable unwelcome hostile aggressive rude offensive personal inappropriate
	repeated unwanted private public serious minor first second third last other several
	remark joke comments photo picture screenshot link video recording email phone number
	address name accent appearance gender religion age background work code review patch
	issue ticket release module maintainer contributor newcomer mentor organizer volunteer
	committee member moderator admin team group community project board council people
	friend colleague stranger attendee participant witness report complaint incident
	behavior conduct policy rule warning ban suspension apology mediation outcome
	because although however therefore also still even only just very quite rather
	again once twice many few some any every each all both either neither nothing
	something anything everything someone anyone everyone nobody somebody everybody`)

// synthNames are synthetic first names with diacritics and other scripts.
var synthNames = []string{"Zoë", "Łukasz", "Søren", "François", "Núñez", "Ærin", "Đuro",
	"Женя", "Дмитрий", "Ёлка", "Ελένη", "Νίκος", "Αθηνά", "Renée", "Björn", "Çağla"}

// synthText returns about n characters of words, with a name now and then.
func synthText(r *rand.Rand, n int) string {
	var b strings.Builder
	for b.Len() < n {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		if r.IntN(25) == 0 {
			b.WriteString(synthNames[r.IntN(len(synthNames))])
			if r.IntN(3) == 0 {
				b.WriteString("'s")
			}
			continue
		}
		b.WriteString(synthWords[r.IntN(len(synthWords))])
		if r.IntN(12) == 0 {
			b.WriteByte('.')
		}
	}
	return b.String()
}

// synthDocs returns the documents of n cases: the case itself and about
// ten messages of 300 to 600 characters each.
func synthDocs(n int) []SearchDoc {
	r := rand.New(rand.NewPCG(1, 2))
	docs := make([]SearchDoc, 0, n*11)
	for c := range n {
		id := fmt.Sprintf("case-%05d", c)
		docs = append(docs, SearchDoc{CaseID: id, Kind: "case", Text: fmt.Sprintf("CASE-%05d\n", c) + synthText(r, 200)})
		for m := range 8 + r.IntN(5) {
			docs = append(docs, SearchDoc{CaseID: id, Kind: "message", ItemID: fmt.Sprintf("m%d", m+1), Text: synthText(r, 300+r.IntN(300))})
		}
	}
	return docs
}

func buildSearchIndex(docs []SearchDoc) *SearchIndex {
	x := NewSearchIndex()
	for _, d := range docs {
		x.Add(d)
	}
	return x
}

// hitKeys names hits as case/item.
func hitKeys(hits []Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.CaseID+"/"+h.ItemID)
	}
	return out
}

func TestSearch(t *testing.T) {
	x := buildSearchIndex([]SearchDoc{
		{CaseID: "c1", Kind: "case", Text: "Harassment at the spring meetup"},
		{CaseID: "c1", Kind: "party", ItemID: "p2", Text: "Zoë Müller @zmuller"},
		{CaseID: "c1", Kind: "message", ItemID: "m1", Text: "Женя wrote that Zoë's remarks were hostile"},
		{CaseID: "c2", Kind: "case", Text: "Unwanted private messages"},
		{CaseID: "c2", Kind: "message", ItemID: "m1", Text: "Η Ελένη reported the private messages"},
		{CaseID: "c2", Kind: "note", ItemID: "n1", Text: "Ask Søren about the harassment report"},
		{CaseID: "c3", Kind: "evidence", ItemID: "e1", Text: "Screenshot of the 東京 meetup chat"},
	})
	tests := []struct {
		query string
		want  []string
	}{
		{"", nil},
		{"  ,, ", nil},
		{"zoe", []string{"c1/m1", "c1/p2"}},
		{"ZOË", []string{"c1/m1", "c1/p2"}},
		{"zoë's", []string{"c1/m1", "c1/p2"}},
		{"ЖЕНЯ", []string{"c1/m1"}},
		{"жен", []string{"c1/m1"}},
		{"ελενη", []string{"c2/m1"}},
		{"ΕΛΈΝΗ", []string{"c2/m1"}},
		{"soren", []string{"c2/n1"}},
		{"东京", nil}, // another ideograph
		{"東京", []string{"c3/e1"}},
		{"harass", []string{"c2/n1", "c1/"}},  // prefix, last token
		{"harass report", nil},                // only the last token is a prefix
		{"harassment rep", []string{"c2/n1"}}, // AND, then prefix
		{"private messages", []string{"c2/m1", "c2/"}},
		{"private zoe", nil},
		{"meetup", []string{"c3/e1", "c1/"}},
		{"zzz", nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got := hitKeys(x.Search(tt.query, 0))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Search(%q) = %q, want %q", tt.query, got, tt.want)
			}
		})
	}
}

func TestSearchHitFields(t *testing.T) {
	x := buildSearchIndex([]SearchDoc{{CaseID: "c1", Kind: "note", ItemID: "n7", Text: "Call Renée on Monday"}})
	got := x.Search("renee", 10)
	want := []Hit{{CaseID: "c1", Kind: "note", ItemID: "n7"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v, want %#v", got, want)
	}
	if got, want := Snippet("Call Renée\n on Monday", "renee"), "Call Renée on Monday"; got != want {
		t.Errorf("Snippet = %q, want %q", got, want)
	}
}

func TestSearchRanking(t *testing.T) {
	x := buildSearchIndex([]SearchDoc{
		{CaseID: "old", Kind: "message", ItemID: "m1", Text: "venue"},
		{CaseID: "two", Kind: "message", ItemID: "m1", Text: "venue"},
		{CaseID: "two", Kind: "message", ItemID: "m2", Text: "venue"},
		{CaseID: "new", Kind: "message", ItemID: "m1", Text: "venue"},
		{CaseID: "old", Kind: "message", ItemID: "m2", Text: "something else"},
	})
	want := []string{"two/m2", "two/m1", "new/m1", "old/m1"}
	if got := hitKeys(x.Search("venue", 0)); !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := hitKeys(x.Search("venue", 3)); !reflect.DeepEqual(got, want[:3]) {
		t.Errorf("limit 3: got %q, want %q", got, want[:3])
	}
	if got := hitKeys(x.Search("venue", 1)); !reflect.DeepEqual(got, want[:1]) {
		t.Errorf("limit 1: got %q, want %q", got, want[:1])
	}
	// By case: each case once, as its first hit, in the same order.
	for _, tt := range []struct {
		limit int
		want  []string
	}{
		{0, []string{"two/m2", "new/m1", "old/m1"}},
		{2, []string{"two/m2", "new/m1"}},
		{5, []string{"two/m2", "new/m1", "old/m1"}},
	} {
		if got := hitKeys(x.SearchCases("venue", tt.limit)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SearchCases limit %d: got %q, want %q", tt.limit, got, tt.want)
		}
	}
	if got := x.SearchCases("nothing", 0); got != nil {
		t.Errorf("SearchCases of an absent word: %q", hitKeys(got))
	}
}

func TestSearchPrefixes(t *testing.T) {
	x := NewSearchIndex()
	for i := range 30 {
		x.Add(SearchDoc{CaseID: fmt.Sprintf("c%02d", i), Kind: "case", Text: fmt.Sprintf("word%02d", i)})
	}
	x.Add(SearchDoc{CaseID: "other", Kind: "case", Text: "wore words"})
	if got := len(x.Search("word", 0)); got != 31 {
		t.Errorf("Search(word) found %d, want 31", got)
	}
	if got := len(x.Search("word1", 0)); got != 10 {
		t.Errorf("Search(word1) found %d, want 10", got)
	}
	if got := len(x.Search("wor", 0)); got != 31 {
		t.Errorf("Search(wor) found %d, want 31", got)
	}
	// Words added after a search are found by their start too.
	x.Add(SearchDoc{CaseID: "late", Kind: "note", ItemID: "n1", Text: "wordy Ωmega"})
	if got, want := hitKeys(x.Search("wordy", 0)), []string{"late/n1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Search(wordy) = %q, want %q", got, want)
	}
	if got, want := hitKeys(x.Search("ωme", 0)), []string{"late/n1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Search(ωme) = %q, want %q", got, want)
	}
}

func TestSearchRemoveCase(t *testing.T) {
	x := buildSearchIndex([]SearchDoc{
		{CaseID: "c1", Kind: "case", Text: "Dinner incident with Νίκος"},
		{CaseID: "c1", Kind: "message", ItemID: "m1", Text: "About the dinner"},
		{CaseID: "c2", Kind: "case", Text: "Dinner remarks"},
	})
	x.RemoveCase("c1")
	x.RemoveCase("unknown")
	if got, want := hitKeys(x.Search("dinner", 0)), []string{"c2/"}; !reflect.DeepEqual(got, want) {
		t.Errorf("after removal: got %q, want %q", got, want)
	}
	if got := x.Search("nikos", 0); got != nil {
		t.Errorf("after removal: got %q, want nothing", hitKeys(got))
	}
	if got := x.Len(); got != 1 {
		t.Errorf("Len() = %d, want 1", got)
	}
	// The store edits a case by removing and adding its documents.
	x.Add(SearchDoc{CaseID: "c1", Kind: "case", Text: "Dinner incident with Νίκος, edited"})
	if got, want := hitKeys(x.Search("dinner", 0)), []string{"c1/", "c2/"}; !reflect.DeepEqual(got, want) {
		t.Errorf("after adding again: got %q, want %q", got, want)
	}
}

func TestSearchCompaction(t *testing.T) {
	docs := synthDocs(300)
	x := buildSearchIndex(docs)
	// Remove and re-add two thirds of the cases, so the index compacts.
	edited := make(map[string]bool)
	for c := 0; c < 300; c += 3 {
		id := fmt.Sprintf("case-%05d", c)
		x.RemoveCase(id)
		x.RemoveCase(fmt.Sprintf("case-%05d", c+1))
		edited[id] = true
	}
	for _, d := range docs {
		if edited[d.CaseID] {
			d.Text += " zzedited"
			x.Add(d)
		}
	}
	if got, want := x.Len(), 0; got == want {
		t.Fatal("index is empty")
	}
	hits := x.Search("zzedited", 0)
	n := 0
	for _, d := range docs {
		if edited[d.CaseID] {
			n++
		}
	}
	if len(hits) != n {
		t.Errorf("got %d hits for the edited docs, want %d", len(hits), n)
	}
	// The hits are exactly the edited docs: each item ID still belongs to
	// its own case after the renumbering.
	var wantKeys []string
	for _, d := range docs {
		if edited[d.CaseID] {
			wantKeys = append(wantKeys, d.CaseID+"/"+d.ItemID)
		}
	}
	gotKeys := hitKeys(hits)
	slices.Sort(gotKeys)
	slices.Sort(wantKeys)
	if !slices.Equal(gotKeys, wantKeys) {
		t.Errorf("hits after compaction differ from the edited docs: %d against %d", len(gotKeys), len(wantKeys))
	}
	// The removed cases are gone, the untouched ones are still there.
	for c := 0; c < 300; c++ {
		got := x.Search(fmt.Sprintf("CASE-%05d", c), 0)
		wantHits := 1
		if c%3 == 1 {
			wantHits = 0
		}
		if len(got) != wantHits {
			t.Errorf("case %d: got %d hits, want %d", c, len(got), wantHits)
		}
	}
}

func TestSnippet(t *testing.T) {
	long := strings.Repeat("lorem ipsum dolor sit amet ", 10) + "then ZOË Müller\nwrote to us " + strings.Repeat("consectetur adipiscing elit ", 10)
	x := buildSearchIndex([]SearchDoc{
		{CaseID: "c1", Kind: "message", ItemID: "m1", Text: long},
		{CaseID: "c2", Kind: "message", ItemID: "m1", Text: "Müller\n\n  replied   on Monday"},
		{CaseID: "c3", Kind: "message", ItemID: "m1", Text: "Zoë " + strings.Repeat("x", 300)},
	})
	if hits := x.Search("zoe mul", 0); len(hits) != 1 || hits[0].CaseID != "c1" {
		t.Fatalf("got %v, want the one hit in c1", hits)
	}
	s := Snippet(long, "zoe mul")
	if !strings.Contains(s, "then ZOË Müller wrote to us") {
		t.Errorf("snippet %q lacks the original text of the match", s)
	}
	if n := utf8.RuneCountInString(s); n > SnippetLen {
		t.Errorf("snippet has %d characters, want at most %d", n, SnippetLen)
	}
	if !strings.HasPrefix(s, "…lorem") && !strings.HasPrefix(s, "…ipsum") && !strings.HasPrefix(s, "…dolor") &&
		!strings.HasPrefix(s, "…sit") && !strings.HasPrefix(s, "…amet") {
		t.Errorf("snippet %q does not start at a word after an ellipsis", s)
	}
	if !strings.HasSuffix(s, "…") || strings.HasSuffix(s, " …") {
		t.Errorf("snippet %q does not end at a word with an ellipsis", s)
	}
	if got := Snippet("Müller\n\n  replied   on Monday", "muller"); got != "Müller replied on Monday" {
		t.Errorf("got %q, want the short text on one line", got)
	}
	if got := Snippet("Zoë "+strings.Repeat("x", 300), "zoe"); utf8.RuneCountInString(got) > SnippetLen || !strings.HasPrefix(got, "Zoë x") {
		t.Errorf("got snippet %q for a text with a very long word", got)
	}
	if got := Snippet("Nothing to match here", ""); got != "Nothing to match here" {
		t.Errorf("got snippet %q for an empty query", got)
	}
}

func TestSearchConcurrent(t *testing.T) {
	docs := synthDocs(200)
	x := buildSearchIndex(docs[:len(docs)/2])
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			queries := []string{"zoe", "meeting ch", "жен", "the", "ελεν", "s"}
			for i := range 200 {
				x.Search(queries[(i+g)%len(queries)], 20)
			}
		})
	}
	wg.Go(func() {
		for i, d := range docs[len(docs)/2:] {
			x.Add(d)
			if i%97 == 0 {
				x.RemoveCase(d.CaseID)
			}
		}
	})
	wg.Wait()
	if x.Len() == 0 {
		t.Error("index is empty")
	}
}

func TestDocEntrySize(t *testing.T) {
	if got := unsafe.Sizeof(docEntry{}); got > 24 {
		t.Errorf("docEntry takes %d bytes, want at most 24", got)
	}
}

// heapMB returns the live heap in MiB after a collection.
func heapMB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc) / (1 << 20)
}

func BenchmarkBuildIndex(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("cases=%d", n), func(b *testing.B) {
			docs := synthDocs(n)
			textBytes := 0
			for _, d := range docs {
				textBytes += len(d.Text)
			}
			var x *SearchIndex
			before := heapMB()
			for b.Loop() {
				x = buildSearchIndex(docs)
			}
			b.StopTimer()
			x.Search("zoe", 1) // sort the words, as the first search does
			b.ReportMetric(heapMB()-before, "heap-MB")
			b.ReportMetric(float64(textBytes)/(1<<20), "text-MB")
			b.ReportMetric(float64(len(docs)), "docs")
			runtime.KeepAlive(x)
			runtime.KeepAlive(docs)
		})
	}
}

func BenchmarkSearchIndex(b *testing.B) {
	queries := []struct{ name, q string }{
		{"rare-name", "zoe"},
		{"cyrillic-prefix", "жен"},
		{"two-words", "hostile meeting"},
		{"three-words-prefix", "the speaker int"},
		{"common-word", "the"},
		{"one-letter-prefix", "s"},
	}
	for _, n := range []int{1000, 10000} {
		x := buildSearchIndex(synthDocs(n))
		x.Search("warm up", 1)
		for _, q := range queries {
			b.Run(fmt.Sprintf("cases=%d/%s", n, q.name), func(b *testing.B) {
				var hits []Hit
				for b.Loop() {
					hits = x.Search(q.q, 50)
				}
				b.ReportMetric(float64(len(hits)), "hits")
			})
		}
	}
}

// TestWarmSearch builds the index in the background, as the desktop does
// after unlocking, while searches run; and a warm-up cut short by a lock
// gives searches an error, not a panic or an empty answer.
func TestWarmSearch(t *testing.T) {
	e := newStoreEnv(t)
	c := e.newCase(t, testIntake(e.clock.Now()))
	var wg sync.WaitGroup
	wg.Go(e.s.WarmSearch)
	hits, err := e.s.Search("heated release", 10)
	wg.Wait()
	if err != nil || len(hits) == 0 || hits[0].Code != c.Code {
		t.Fatalf("search during the warm-up: %+v, %v", hits, err)
	}

	s := e.reopen(t)
	if err := e.v.Lock(); err != nil {
		t.Fatal(err)
	}
	s.WarmSearch()
	if _, err := s.Search("heated", 10); !errors.Is(err, vault.ErrLocked) {
		t.Fatalf("search after a warm-up on a locked vault: %v, want ErrLocked", err)
	}
}

// pausingStorage stops the first Scan of messages until the test lets it
// go on, so that a test can change cases while the index is being built.
type pausingStorage struct {
	*vault.Vault
	once             sync.Once
	started, proceed chan struct{}
}

func (p *pausingStorage) Scan(ns, prefix string, fn func(string, []byte) error) error {
	p.once.Do(func() {
		close(p.started)
		<-p.proceed
	})
	return p.Vault.Scan(ns, prefix, fn)
}

// TestBuildIndexLetsTheStoreWork changes cases while the index is being
// built: the store answers meanwhile (the build holds no lock while it
// reads), and the changes are found once it is built.
func TestBuildIndexLetsTheStoreWork(t *testing.T) {
	e := newStoreEnv(t)
	a := e.newCase(t, testIntake(e.clock.Now()))
	e.reopen(t)
	p := &pausingStorage{Vault: e.v, started: make(chan struct{}), proceed: make(chan struct{})}
	s, err := OpenStore(p, e.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(s.WarmSearch)
	<-p.started

	if got := len(s.List("")); got != 1 {
		t.Fatalf("listed %d cases during the build, want 1", got)
	}
	if _, err := s.AddNote(a.Code, "zephyrine agreement reached", Visibility{}); err != nil {
		t.Fatal(err)
	}
	in := testIntake(e.clock.Now())
	in.Summary = "Quasar channel spam"
	b, err := s.NewCase(in)
	if err != nil {
		t.Fatal(err)
	}
	close(p.proceed)
	wg.Wait()

	for query, code := range map[string]string{"zephyrine": a.Code, "quasar": b.Code, "heated": a.Code} {
		hits, err := s.Search(query, 10)
		if err != nil || len(hits) == 0 || hits[0].Code != code {
			t.Errorf("Search(%q) = %+v, %v; want case %s", query, hits, err, code)
		}
	}
}
