package app

import (
	"cmp"
	"math"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// SearchDoc is one searchable text: a case's own fields, a party, a note,
// an evidence item or a message.
type SearchDoc struct {
	CaseID string
	// Kind is "case", "party", "note", "evidence" or "message".
	Kind string
	// ItemID is the party, note, evidence or message ID; empty for the
	// case itself.
	ItemID string
	Text   string
}

// Hit is a document a search found. The index keeps no text: Snippet
// makes the excerpt to show from the document's text, read back from where
// it is kept.
type Hit struct {
	CaseID, Kind, ItemID string
}

// SnippetLen is the longest snippet, in characters, "…" included.
const SnippetLen = 160

// SearchIndex is an in-memory inverted index over case documents. Every
// word of a query must appear in a document for it to match, accents and
// case aside (see Fold and Tokens); the last word may be the start of a
// word, for search as you type.
//
// Any number of goroutines may search while one adds or removes.
//
// Memory: each document costs a fixed 20 bytes, its item ID copied into
// shared blocks, and 4 bytes per distinct word in each of its posting
// lists; each distinct word costs its map entry and 4 bytes in the sorted
// word list. The text itself is not kept: a committee's years of mail
// would all be held in memory. Removed documents are dropped from the
// postings once they make up a quarter of the index.
type SearchIndex struct {
	mu sync.RWMutex

	docs  []docEntry
	items textArena // item IDs

	cases    []string          // case number → case ID
	caseNo   map[string]uint32 // case ID → case number
	caseDocs [][]uint32        // case number → its live docs
	kinds    []string          // kind number → kind

	words    []string          // word number → word
	wordNo   map[string]uint32 // word → word number
	postings [][]uint32        // word number → docs holding it, ascending

	dead    int    // removed docs still in the postings
	wordBuf []byte // scratch for scanWordsBuf, under mu

	// sorted lists every word number in the order of its word, for
	// prefix search. Words added since it was sorted wait in pending;
	// searchers merge them in under sortMu.
	sortMu  sync.Mutex
	sorted  []uint32
	pending []uint32
	resort  bool // sorted must be rebuilt (words were renumbered)
}

// docEntry is one document. It holds no pointers, so the garbage
// collector need not scan the docs.
type docEntry struct {
	caseNo uint32
	item   arenaRef
	kind   uint16
	dead   bool
}

// NewSearchIndex returns an empty index.
func NewSearchIndex() *SearchIndex {
	return &SearchIndex{caseNo: make(map[string]uint32), wordNo: make(map[string]uint32)}
}

// Add indexes doc. Documents of a case may be added at any time; a case is
// changed by RemoveCase and adding its documents again.
func (x *SearchIndex) Add(doc SearchDoc) {
	x.mu.Lock()
	defer x.mu.Unlock()

	cn, ok := x.caseNo[doc.CaseID]
	if !ok {
		cn = uint32(len(x.cases))
		x.cases = append(x.cases, doc.CaseID)
		x.caseDocs = append(x.caseDocs, nil)
		x.caseNo[doc.CaseID] = cn
	}
	kind := slices.Index(x.kinds, doc.Kind)
	if kind < 0 {
		kind = len(x.kinds)
		x.kinds = append(x.kinds, doc.Kind)
	}
	dn := uint32(len(x.docs))
	x.docs = append(x.docs, docEntry{caseNo: cn, item: x.items.add(doc.ItemID), kind: uint16(kind)})
	x.caseDocs[cn] = append(x.caseDocs[cn], dn)

	x.wordBuf = scanWordsBuf(doc.Text, x.wordBuf, func(w []byte, _, _ int) bool {
		wn, ok := x.wordNo[string(w)]
		if !ok {
			wn = uint32(len(x.words))
			word := string(w)
			x.words = append(x.words, word)
			x.wordNo[word] = wn
			x.postings = append(x.postings, nil)
			x.pending = append(x.pending, wn)
		}
		p := x.postings[wn]
		if len(p) == 0 || p[len(p)-1] != dn {
			x.postings[wn] = append(p, dn)
		}
		return true
	})
}

// RemoveCase removes every document of the case.
func (x *SearchIndex) RemoveCase(caseID string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	cn, ok := x.caseNo[caseID]
	if !ok {
		return
	}
	for _, dn := range x.caseDocs[cn] {
		x.docs[dn].dead = true
	}
	x.dead += len(x.caseDocs[cn])
	x.caseDocs[cn] = nil
	if x.dead >= 64 && x.dead >= len(x.docs)/4 {
		x.compact()
	}
}

// Len returns the number of documents in the index.
func (x *SearchIndex) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.docs) - x.dead
}

// compact drops the removed documents: it renumbers the live ones, keeping
// their order, filters the postings, forgets words no document holds any
// more and copies the item IDs into fresh blocks.
func (x *SearchIndex) compact() {
	const gone = math.MaxUint32
	renum := make([]uint32, len(x.docs))
	var items textArena
	live := 0
	for dn, d := range x.docs {
		if d.dead {
			renum[dn] = gone
			continue
		}
		renum[dn] = uint32(live)
		d.item = items.addBytes(x.items.bytes(d.item))
		x.docs[live] = d
		live++
	}
	x.docs = slices.Clip(x.docs[:live])
	x.items = items
	x.dead = 0

	words := x.words[:0]
	postings := x.postings[:0]
	clear(x.wordNo)
	for wn, p := range x.postings {
		q := p[:0]
		for _, dn := range p {
			if renum[dn] != gone {
				q = append(q, renum[dn])
			}
		}
		if len(q) == 0 {
			continue
		}
		x.wordNo[x.words[wn]] = uint32(len(words))
		words = append(words, x.words[wn])
		postings = append(postings, slices.Clip(q))
	}
	clear(x.words[len(words):])
	clear(x.postings[len(postings):])
	x.words, x.postings = slices.Clip(words), slices.Clip(postings)

	// Forget the cases left without documents.
	caseRenum := make([]uint32, len(x.cases))
	kept := 0
	for cn, ds := range x.caseDocs {
		if len(ds) == 0 {
			delete(x.caseNo, x.cases[cn])
			continue
		}
		for i, dn := range ds {
			ds[i] = renum[dn]
		}
		caseRenum[cn] = uint32(kept)
		x.caseNo[x.cases[cn]] = uint32(kept)
		x.cases[kept], x.caseDocs[kept] = x.cases[cn], ds
		kept++
	}
	clear(x.cases[kept:])
	clear(x.caseDocs[kept:])
	x.cases, x.caseDocs = slices.Clip(x.cases[:kept]), slices.Clip(x.caseDocs[:kept])
	for i := range x.docs {
		x.docs[i].caseNo = caseRenum[x.docs[i].caseNo]
	}
	x.pending = nil
	x.resort = true
}

// Search returns the documents holding every word of query, at most limit
// of them (all when limit ≤ 0). Every word must match a word of the
// document exactly, except the last, which may be the start of one.
//
// Hits are grouped by case. Cases with more matching documents come
// first; between cases with as many, the one whose latest matching
// document was added last comes first. Within a case, the documents added
// last come first.
func (x *SearchIndex) Search(query string, limit int) []Hit {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.hits(x.match(query), limit, false)
}

// SearchCases returns the cases holding a document with every word of
// query, at most limit of them (all when limit ≤ 0), in Search's order,
// each as its first hit there.
func (x *SearchIndex) SearchCases(query string, limit int) []Hit {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.hits(x.match(query), limit, true)
}

// match returns the live docs holding every word of query, ascending.
// The caller holds x.mu.
func (x *SearchIndex) match(query string) []uint32 {
	terms := Tokens(query)
	if len(terms) == 0 {
		return nil
	}
	exact, prefix := terms[:len(terms)-1], terms[len(terms)-1]

	// The exact words, rarest first.
	lists := make([][]uint32, 0, len(terms))
	for _, t := range exact {
		wn, ok := x.wordNo[t]
		if !ok {
			return nil
		}
		lists = append(lists, x.postings[wn])
	}
	slices.SortFunc(lists, func(a, b []uint32) int { return cmp.Compare(len(a), len(b)) })

	var docs []uint32
	if wn, ok := x.wordNo[prefix]; ok && x.prefixLen(prefix) == 1 {
		lists = append(lists, x.postings[wn])
		slices.SortFunc(lists, func(a, b []uint32) int { return cmp.Compare(len(a), len(b)) })
		docs = intersect(lists)
	} else {
		lo, hi := x.prefixRange(prefix)
		if lo == hi {
			return nil
		}
		var cand []uint32
		if len(lists) > 0 {
			cand = intersect(lists)
			if len(cand) == 0 {
				return nil
			}
		}
		docs = x.withPrefix(cand, lo, hi)
	}
	return slices.DeleteFunc(docs, func(dn uint32) bool { return x.docs[dn].dead })
}

// intersect returns the docs in every list; lists are sorted by length.
func intersect(lists [][]uint32) []uint32 {
	out := slices.Clone(lists[0])
	for _, l := range lists[1:] {
		if len(out) == 0 {
			break
		}
		out = intersectInto(out, l)
	}
	return out
}

// intersectInto keeps in a (short) the elements also in b (long).
func intersectInto(a, b []uint32) []uint32 {
	out := a[:0]
	j := 0
	for _, v := range a {
		// Gallop: b is usually much longer.
		step := 1
		for j+step < len(b) && b[j+step] < v {
			j += step
			step *= 2
		}
		k, found := slices.BinarySearch(b[j:min(j+step+1, len(b))], v)
		j += k
		if found {
			out = append(out, v)
		}
		if j >= len(b) {
			break
		}
	}
	return out
}

// withPrefix returns the docs that hold a word of sorted[lo:hi], among
// cand (or among all docs when cand is nil), ascending.
func (x *SearchIndex) withPrefix(cand []uint32, lo, hi int) []uint32 {
	seen := make([]uint64, (len(x.docs)+63)/64)
	for _, wn := range x.sorted[lo:hi] {
		for _, dn := range x.postings[wn] {
			seen[dn/64] |= 1 << (dn % 64)
		}
	}
	if cand != nil {
		return slices.DeleteFunc(cand, func(dn uint32) bool { return seen[dn/64]&(1<<(dn%64)) == 0 })
	}
	var out []uint32
	for i, w := range seen {
		for w != 0 {
			b := uint32(bits.TrailingZeros64(w))
			out = append(out, uint32(i)*64+b)
			w &= w - 1
		}
	}
	return out
}

// prefixLen returns how many words start with prefix.
func (x *SearchIndex) prefixLen(prefix string) int {
	lo, hi := x.prefixRange(prefix)
	return hi - lo
}

// prefixRange returns the range of sorted holding the words that start
// with prefix. The caller holds x.mu for reading.
func (x *SearchIndex) prefixRange(prefix string) (lo, hi int) {
	x.sortMu.Lock()
	defer x.sortMu.Unlock()
	x.sortWords()
	lo, _ = slices.BinarySearchFunc(x.sorted, prefix, func(wn uint32, p string) int { return strings.Compare(x.words[wn], p) })
	hi = lo
	for hi < len(x.sorted) && strings.HasPrefix(x.words[x.sorted[hi]], prefix) {
		hi++
		if hi-lo == 8 { // many words: binary-search the end
			end, _ := slices.BinarySearchFunc(x.sorted[hi:], prefix, func(wn uint32, p string) int {
				if strings.HasPrefix(x.words[wn], p) {
					return -1
				}
				return strings.Compare(x.words[wn], p)
			})
			hi += end
			break
		}
	}
	return lo, hi
}

// sortWords brings x.sorted up to date. The caller holds x.sortMu and
// x.mu (for reading at least).
func (x *SearchIndex) sortWords() {
	byWord := func(a, b uint32) int { return strings.Compare(x.words[a], x.words[b]) }
	if x.resort {
		x.sorted = make([]uint32, len(x.words))
		for i := range x.sorted {
			x.sorted[i] = uint32(i)
		}
		slices.SortFunc(x.sorted, byWord)
		x.pending, x.resort = nil, false
		return
	}
	if len(x.pending) == 0 {
		return
	}
	slices.SortFunc(x.pending, byWord)
	merged := make([]uint32, 0, len(x.sorted)+len(x.pending))
	i, j := 0, 0
	for i < len(x.sorted) && j < len(x.pending) {
		if byWord(x.sorted[i], x.pending[j]) <= 0 {
			merged = append(merged, x.sorted[i])
			i++
		} else {
			merged = append(merged, x.pending[j])
			j++
		}
	}
	merged = append(merged, x.sorted[i:]...)
	merged = append(merged, x.pending[j:]...)
	x.sorted, x.pending = merged, nil
}

// hits ranks the matching docs (ascending): at most limit of them, or
// with perCase the first of each of at most limit cases.
func (x *SearchIndex) hits(docs []uint32, limit int, perCase bool) []Hit {
	if len(docs) == 0 {
		return nil
	}
	if limit <= 0 || limit > len(docs) {
		limit = len(docs)
	}
	// Per case: how many of its docs match, and the latest.
	type tally struct{ count, latest uint32 }
	tallies := make([]tally, len(x.cases))
	var matched []uint32 // case numbers
	for _, dn := range docs {
		cn := x.docs[dn].caseNo
		if tallies[cn].count == 0 {
			matched = append(matched, cn)
		}
		tallies[cn].count++
		tallies[cn].latest = dn
	}
	slices.SortFunc(matched, func(a, b uint32) int {
		ta, tb := tallies[a], tallies[b]
		if ta.count != tb.count {
			return cmp.Compare(tb.count, ta.count)
		}
		return cmp.Compare(tb.latest, ta.latest)
	})
	if perCase {
		out := make([]Hit, 0, min(limit, len(matched)))
		for _, cn := range matched[:min(limit, len(matched))] {
			d := x.docs[tallies[cn].latest]
			out = append(out, Hit{CaseID: x.cases[cn], Kind: x.kinds[d.kind], ItemID: string(x.items.bytes(d.item))})
		}
		return out
	}
	// The cases that fill the limit, and their docs, latest first.
	rank := make(map[uint32]int)
	for n := 0; n < limit; {
		cn := matched[len(rank)]
		rank[cn] = len(rank)
		n += int(tallies[cn].count)
	}
	chosen := make([][]uint32, len(rank))
	for i := len(docs) - 1; i >= 0; i-- {
		if r, ok := rank[x.docs[docs[i]].caseNo]; ok {
			chosen[r] = append(chosen[r], docs[i])
		}
	}
	out := make([]Hit, 0, limit)
	for _, ds := range chosen {
		for _, dn := range ds[:min(len(ds), limit-len(out))] {
			d := x.docs[dn]
			out = append(out, Hit{CaseID: x.cases[d.caseNo], Kind: x.kinds[d.kind], ItemID: string(x.items.bytes(d.item))})
		}
	}
	return out
}

// Snippet returns an excerpt of a found document's text, on one line and
// at most SnippetLen characters, around the first word that matches a
// word of query as Search matches it.
func Snippet(text, query string) string {
	terms := Tokens(query)
	if len(terms) == 0 {
		return snippet(text, nil, "")
	}
	return snippet(text, terms[:len(terms)-1], terms[len(terms)-1])
}

// snippet returns an excerpt of text around the first word that is one of
// exact or starts with prefix.
func snippet(text string, exact []string, prefix string) string {
	start, end := 0, 0
	scanWords(text, func(w []byte, s, e int) bool {
		if strings.HasPrefix(string(w), prefix) || slices.Contains(exact, string(w)) {
			start, end = s, e
			return false
		}
		return true
	})
	runes := []rune(text)
	// Rune positions of the match.
	ms := utf8.RuneCountInString(text[:start])
	me := ms + utf8.RuneCountInString(text[start:end])
	if len(runes) <= SnippetLen {
		return oneLine(text)
	}
	const before = 50
	room := SnippetLen - 2 // for an ellipsis at either end
	from := max(0, ms-before)
	if from > 0 { // start at a word
		for i := from; i < ms; i++ {
			if unicode.IsSpace(runes[i-1]) {
				from = i
				break
			}
		}
	}
	to := min(len(runes), from+room)
	if to < len(runes) { // end at a word, unless the match needs the room
		for i := to; i > me; i-- {
			if unicode.IsSpace(runes[i]) {
				to = i
				break
			}
		}
	}
	s := oneLine(string(runes[from:to]))
	if from > 0 {
		s = "…" + s
	}
	if to < len(runes) {
		s += "…"
	}
	return s
}

// oneLine turns every run of spaces and line breaks into one space and
// trims the ends.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// textArena keeps short texts end to end in large blocks: no per-text
// header or allocation, nothing for the garbage collector to scan.
type textArena struct {
	blocks [][]byte
}

// arenaBlock is the size of a block; longer texts get a block of their
// own.
const arenaBlock = 64 << 10

// arenaRef locates a text in an arena.
type arenaRef struct {
	block, off, n uint32
}

func (a *textArena) add(text string) arenaRef {
	b, ref := a.alloc(len(text))
	_ = append(b, text...)
	return ref
}

func (a *textArena) addBytes(p []byte) arenaRef {
	b, ref := a.alloc(len(p))
	_ = append(b, p...)
	return ref
}

// alloc reserves n bytes and returns an empty slice over them to append
// to, and their place.
func (a *textArena) alloc(n int) ([]byte, arenaRef) {
	k := len(a.blocks) - 1
	if k < 0 || cap(a.blocks[k])-len(a.blocks[k]) < n {
		a.blocks = append(a.blocks, make([]byte, 0, max(arenaBlock, n)))
		k++
	}
	blk := a.blocks[k]
	off := len(blk)
	a.blocks[k] = blk[:off+n]
	return blk[off:off], arenaRef{block: uint32(k), off: uint32(off), n: uint32(n)}
}

func (a *textArena) bytes(r arenaRef) []byte {
	return a.blocks[r.block][r.off : r.off+r.n : r.off+r.n]
}
