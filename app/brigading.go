package app

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"math/bits"
	"net/mail"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
)

// BrigadeConfig sets when reports about one person look like brigading: a
// group of people, often anonymous, reporting someone in a coordinated way.
type BrigadeConfig struct {
	// Window is the span of time within which a cluster of reports counts.
	Window time.Duration
	// MinReports is the smallest cluster worth flagging.
	MinReports int
	// AnonymousShare: a cluster is flagged when more than this share of
	// its reports are anonymous (0.5 means "mostly anonymous").
	AnonymousShare float64
	// Similarity is the Jaccard similarity of the texts' word 3-shingles
	// from which two reports count as near-duplicates.
	Similarity float64
	// DuplicateSpan is how far apart two reports may arrive and still be
	// compared as near-duplicates: a campaign of copied texts comes in a
	// burst, and comparing each report with only its neighbours in time
	// keeps the cost in step with the number of reports. Zero means four
	// windows.
	DuplicateSpan time.Duration
}

// DefaultBrigadeConfig returns the thresholds a committee starts from:
// 3 or more reports within 14 days, mostly anonymous; texts 60% alike.
func DefaultBrigadeConfig() BrigadeConfig {
	return BrigadeConfig{Window: 14 * 24 * time.Hour, MinReports: 3, AnonymousShare: 0.5, Similarity: 0.6}
}

// BrigadeFlag is a group of linked reports the committee should review
// together. It is committee-only information.
type BrigadeFlag struct {
	// Cases are the codes of the linked cases, sorted.
	Cases []string
	// Reasons say, in plain sentences, why the cases were flagged.
	Reasons []string
	// Person is the reported person's display name as in the earliest
	// case; two names joined by "and" when one case links two people.
	Person string
}

// minDuplicateShingles is how many distinct word 3-shingles (about as
// many words) a text needs before it is compared: short texts such as
// "harassment in chat" are alike by chance.
const minDuplicateShingles = 8

// DetectBrigading finds groups of reports about the same person that look
// coordinated. Reported parties are the same person when their folded
// names (words in any order), handles (case-insensitive, without a
// leading @) or contacts (e-mail addresses, case-insensitive, or
// telephone numbers) match, or through a chain of such matches. Two
// signals are looked for:
//
//   - a cluster: at least cfg.MinReports reports within cfg.Window, more
//     than cfg.AnonymousShare of them anonymous;
//   - near-duplicates: two reports, however far apart in time, whose
//     summary and description share word 3-shingles with a Jaccard
//     similarity of at least cfg.Similarity.
//
// Flags that share a case are merged into one. Flags come in the order of
// their earliest report. A zero or negative field of cfg takes its
// default (see DefaultBrigadeConfig); MinReports is at least 2.
//
// DetectBrigading only reads the cases; with many, it reads their texts
// on every CPU.
func DetectBrigading(cases []*Case, cfg BrigadeConfig) []BrigadeFlag {
	return detectBrigading(cases, cfg, nil)
}

// sameBrigadeInputs reports whether DetectBrigading would see a and b
// alike: every field of a case it reads, and of its parties. A field the
// detector comes to read must be compared here too
// (TestSameBrigadeInputs lists them).
func sameBrigadeInputs(a, b *Case) bool {
	if a.ID != b.ID || a.Code != b.Code || !a.Received.Equal(b.Received) || a.ReporterKind != b.ReporterKind ||
		a.Summary != b.Summary || a.Description != b.Description || len(a.Parties) != len(b.Parties) {
		return false
	}
	for i, p := range a.Parties {
		q := b.Parties[i]
		if p.Role != q.Role || p.Name != q.Name || p.Handle != q.Handle || p.Contact != q.Contact ||
			p.Pseudonym != q.Pseudonym || p.Anonymous != q.Anonymous {
			return false
		}
	}
	return true
}

// brigadeMemo keeps, from one run of detectBrigading to the next, what it
// works out from each case alone (the keys naming its reported parties,
// the shingles of its report) and from each group of reports about one
// person (the flags it raised). A store runs it again after every change,
// and a changed case is a new *Case (cases are never changed in place), so
// the next run works out only that case, and only the groups whose cases
// are not the same *Cases as before. Each run drops the cases and groups
// it was not given. The zero value is ready to use; it is not safe for
// concurrent use.
type brigadeMemo struct {
	reported map[*Case][]reportedParty
	sets     map[*Case][]uint64
	// ids numbers every personKey seen, so that linking the reports
	// looks keys up in a slice rather than hashing their strings.
	ids map[personKey]int32
	// groups holds each group's flags by its first mention; cfg is the
	// configuration they were raised with.
	groups  map[mentionOf]groupMemo
	cfg     BrigadeConfig
	discard bool // keep nothing but key numbers: DetectBrigading alone
}

// reportedParty is a reported party of a case and the numbers (see
// brigadeMemo.ids) of the keys naming it.
type reportedParty struct {
	p    *Party
	keys []int32
}

// mentionOf is a reported party of a case, by identity.
type mentionOf struct {
	c *Case
	p *Party
}

// groupMemo is what one group of reports about a person gave.
type groupMemo struct {
	members []*Case   // the group's cases, in the order given
	raw     []rawFlag // its flags, cases as positions in members
}

// keyID returns the number of k, numbering it if it is new.
func (m *brigadeMemo) keyID(k personKey) int32 {
	id, ok := m.ids[k]
	if !ok {
		if m.ids == nil {
			m.ids = make(map[personKey]int32)
		}
		id = int32(len(m.ids))
		m.ids[k] = id
	}
	return id
}

// reportedOf returns the reported parties of c with their keys, from the
// memo when it has them.
func (m *brigadeMemo) reportedOf(c *Case) []reportedParty {
	if r, ok := m.reported[c]; ok {
		return r
	}
	var r []reportedParty
	var keys []personKey
	for _, p := range c.Parties {
		if p.Role == RoleReported {
			keys = personKeys(keys[:0], p)
			ids := make([]int32, len(keys))
			for i, k := range keys {
				ids[i] = m.keyID(k)
			}
			r = append(r, reportedParty{p, ids})
		}
	}
	if m.discard {
		return r
	}
	if m.reported == nil {
		m.reported = make(map[*Case][]reportedParty)
	}
	m.reported[c] = r
	return r
}

// keepOnly drops what the memo holds of cases not in cases. The numbers
// of keys are dealt afresh when most of them name no case kept.
func (m *brigadeMemo) keepOnly(cases []*Case) {
	reported := make(map[*Case][]reportedParty, len(m.reported))
	sets := make(map[*Case][]uint64, len(m.sets))
	keys := 0
	for _, c := range cases {
		if r, ok := m.reported[c]; ok {
			reported[c] = r
			for _, rp := range r {
				keys += len(rp.keys)
			}
		}
		if set, ok := m.sets[c]; ok {
			sets[c] = set
		}
	}
	m.reported, m.sets = reported, sets
	if len(m.ids) > 2*keys+1024 {
		m.ids, m.reported = nil, nil
	}
}

// carry moves what the memo holds of case old to c, a changed copy of it
// whose inputs to the detection are the same (sameBrigadeInputs: a note,
// a message or a step), so that the next run finds it kept rather than
// working out again the case and every group it is in.
func (m *brigadeMemo) carry(old, c *Case) {
	if old == c || len(old.Parties) != len(c.Parties) {
		return
	}
	// party is c's party in the place of old's party p, or nil.
	party := func(p *Party) *Party {
		if i := slices.Index(old.Parties, p); i >= 0 {
			return c.Parties[i]
		}
		return nil
	}
	if r, ok := m.reported[old]; ok {
		delete(m.reported, old)
		moved := make([]reportedParty, len(r))
		for i, rp := range r {
			if moved[i] = (reportedParty{party(rp.p), rp.keys}); moved[i].p == nil {
				moved = nil // not old's parties: work c out afresh
				break
			}
		}
		if moved != nil {
			m.reported[c] = moved
		}
	}
	if set, ok := m.sets[old]; ok {
		delete(m.sets, old)
		m.sets[c] = set
	}
	for first, gm := range m.groups {
		i := slices.Index(gm.members, old)
		if i < 0 {
			continue
		}
		gm.members[i] = c
		if first.c == old {
			delete(m.groups, first)
			if p := party(first.p); p != nil {
				m.groups[mentionOf{c, p}] = gm
			}
		}
	}
}

// groupFlags returns, from the last run, what the group with first
// mention first and cases (in input order) in gave, and its flags with
// their cases as indices into cases, if that group had the same cases
// then.
func (m *brigadeMemo) groupFlags(first mentionOf, in []int, cases []*Case) (groupMemo, []rawFlag, bool) {
	gm, ok := m.groups[first]
	if !ok || len(gm.members) != len(in) {
		return gm, nil, false
	}
	for i, ci := range in {
		if gm.members[i] != cases[ci] {
			return gm, nil, false
		}
	}
	raw := make([]rawFlag, len(gm.raw))
	for i, f := range gm.raw {
		idx := make([]int, len(f.cases))
		for j, pos := range f.cases {
			idx[j] = in[pos]
		}
		raw[i] = rawFlag{cases: idx, reason: f.reason, person: f.person}
	}
	return gm, raw, true
}

// newGroupMemo is what the group with cases (in input order) in gave, to
// keep for the next run: the flags raw it raised.
func newGroupMemo(in []int, cases []*Case, raw []rawFlag) groupMemo {
	gm := groupMemo{members: make([]*Case, len(in)), raw: make([]rawFlag, len(raw))}
	for i, ci := range in {
		gm.members[i] = cases[ci]
	}
	for i, f := range raw {
		pos := make([]int, len(f.cases))
		for j, ci := range f.cases {
			pos[j], _ = slices.BinarySearch(in, ci)
		}
		gm.raw[i] = rawFlag{cases: pos, reason: f.reason, person: f.person}
	}
	return gm
}

// detectBrigading is DetectBrigading, taking what it can from memo (nil:
// nothing kept) and leaving there what it worked out.
func detectBrigading(cases []*Case, cfg BrigadeConfig, memo *brigadeMemo) []BrigadeFlag {
	if memo == nil {
		memo = &brigadeMemo{discard: true}
	} else {
		defer memo.keepOnly(cases)
	}
	def := DefaultBrigadeConfig()
	if cfg.Window <= 0 {
		cfg.Window = def.Window
	}
	if cfg.MinReports <= 0 {
		cfg.MinReports = def.MinReports
	}
	cfg.MinReports = max(cfg.MinReports, 2)
	if cfg.AnonymousShare <= 0 {
		cfg.AnonymousShare = def.AnonymousShare
	}
	if cfg.Similarity <= 0 {
		cfg.Similarity = def.Similarity
	}
	if cfg.DuplicateSpan <= 0 {
		cfg.DuplicateSpan = 4 * cfg.Window
	}

	if memo.cfg != cfg {
		memo.groups, memo.cfg = nil, cfg
	}

	d := detector{cases: cases, cfg: cfg, sets: make([][]uint64, len(cases)), received: make([]int64, len(cases))}
	for i, c := range cases {
		d.received[i] = c.Received.UnixMilli()
	}
	// A group of the same cases as in the last run raises the same flags;
	// the others are worked out. Each group's flags are kept apart, so
	// that they are merged in the groups' order either way.
	groups := personGroups(cases, memo)
	kept := make(map[mentionOf]groupMemo, len(groups))
	firsts := make([]mentionOf, len(groups))
	ins := make([][]int, len(groups))
	raws := make([][]rawFlag, len(groups))
	var todo [][]mention
	var todoIdx []int
	for gi, g := range groups {
		firsts[gi] = mentionOf{cases[g[0].c], g[0].p}
		ins[gi] = make([]int, len(g))
		for i, m := range g {
			ins[gi][i] = m.c
		}
		if gm, raw, ok := memo.groupFlags(firsts[gi], ins[gi], cases); ok {
			raws[gi], kept[firsts[gi]] = raw, gm
			continue
		}
		todo = append(todo, g)
		todoIdx = append(todoIdx, gi)
	}
	d.shingleAll(todo, memo)
	for ti, g := range todo {
		gi := todoIdx[ti]
		slices.SortFunc(g, func(a, b mention) int {
			if c := cmp.Compare(d.received[a.c], d.received[b.c]); c != 0 {
				return c
			}
			return strings.Compare(cases[a.c].Code, cases[b.c].Code)
		})
		group := make([]int, len(g))
		for i, m := range g {
			group[i] = m.c
		}
		person := g[0].p.DisplayName()
		d.raw = nil
		d.clusters(group, person)
		d.duplicates(group, person)
		raws[gi] = d.raw
		if !memo.discard {
			kept[firsts[gi]] = newGroupMemo(ins[gi], cases, d.raw)
		}
	}
	if !memo.discard {
		memo.groups = kept
	}
	d.raw = slices.Concat(raws...)
	return d.merge()
}

// mention is a reported party in one case.
type mention struct {
	c int // index into the cases
	p *Party
}

// personGroups links the reported parties of all cases and returns, for
// each person reported in more than one case, the person's mentions, one
// per case, in input order.
func personGroups(cases []*Case, memo *brigadeMemo) [][]mention {
	var nodes []mention
	var parent []int
	find := func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	// owner is, per key number, the first node the key names, or -1.
	owner := slices.Repeat([]int32{-1}, len(memo.ids))
	for ci, c := range cases {
		for _, rp := range memo.reportedOf(c) {
			n := len(nodes)
			nodes = append(nodes, mention{ci, rp.p})
			parent = append(parent, n)
			for _, k := range rp.keys {
				for int(k) >= len(owner) {
					owner = append(owner, -1)
				}
				o := int(owner[k])
				if o < 0 {
					owner[k] = int32(n)
					continue
				}
				if a, b := find(o), find(n); a != b {
					parent[max(a, b)] = min(a, b) // the root is the earliest node
				}
			}
		}
	}
	// Group the nodes by root, skipping the people mentioned once.
	size := make([]int32, len(nodes)) // per root: its nodes
	for n := range nodes {
		parent[n] = find(n)
		size[parent[n]]++
	}
	group := size // per root: its group, reusing the memory
	var groups [][]mention
	for n, m := range nodes {
		r := parent[n]
		if r == n {
			if size[r] < 2 {
				group[r] = -1
				continue
			}
			groups = append(groups, make([]mention, 0, size[r]))
			group[r] = int32(len(groups) - 1)
		}
		if gi := group[r]; gi >= 0 {
			if g := groups[gi]; len(g) == 0 || g[len(g)-1].c != m.c {
				groups[gi] = append(g, m)
			}
		}
	}
	return slices.DeleteFunc(groups, func(g []mention) bool { return len(g) < 2 })
}

// personKey is one way of naming a person: a folded name ('n'), a handle
// ('h'), an e-mail address ('e') or a telephone number ('t').
type personKey struct {
	kind byte
	s    string
}

// personKeys appends the keys that identify a reported party: its folded
// name (words in any order), its handle and its contact.
func personKeys(keys []personKey, p *Party) []personKey {
	if words := Tokens(p.Name); len(words) > 0 {
		slices.Sort(words)
		keys = append(keys, personKey{'n', strings.Join(words, " ")})
	}
	if k := handleKey(p.Handle); k.kind != 0 {
		keys = append(keys, k)
	}
	if k := handleKey(p.Contact); k.kind != 0 {
		keys = append(keys, k)
	}
	return keys
}

// handleKey normalizes a handle or contact: an e-mail address (possibly
// with a display name or "mailto:"), a handle with or without its @, or a
// telephone number. Anything else gives the zero key.
func handleKey(s string) personKey {
	s = strings.TrimSpace(s)
	if s == "" {
		return personKey{}
	}
	if at := strings.LastIndexByte(s, '@'); at > 0 {
		if !strings.ContainsAny(s, " \t<>\"(:") && strings.IndexByte(s[:at], '@') < 0 && at < len(s)-1 {
			return personKey{'e', strings.ToLower(s)} // a plain address
		}
		if a, err := mail.ParseAddress(strings.TrimPrefix(s, "mailto:")); err == nil {
			return personKey{'e', strings.ToLower(a.Address)}
		}
	}
	if h := strings.TrimLeft(s, "@"); h != "" && !strings.ContainsAny(h, " \t@") {
		if phone := phoneDigits(h); phone != "" {
			return personKey{'t', phone}
		}
		return personKey{'h', strings.ToLower(h)}
	}
	if phone := phoneDigits(s); phone != "" {
		return personKey{'t', phone}
	}
	return personKey{}
}

// phoneDigits returns the digits of s if s looks like a telephone number.
func phoneDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case '0' <= r && r <= '9':
			b.WriteRune(r)
		case strings.ContainsRune("+-. ()/", r):
		default:
			return ""
		}
	}
	if b.Len() < 7 {
		return ""
	}
	return b.String()
}

// detector holds the state of one DetectBrigading run.
type detector struct {
	cases    []*Case
	received []int64 // per case: Received in Unix milliseconds
	cfg      BrigadeConfig
	sets     [][]uint64 // per case in a group: its shingles (see shingles)
	raw      []rawFlag
}

// rawFlag is one signal before flags sharing cases are merged.
type rawFlag struct {
	cases  []int
	reason string
	person string
}

// clusters flags runs of mostly anonymous reports within the window.
// group is sorted by time.
func (d *detector) clusters(group []int, person string) {
	n := len(group)
	if n < d.cfg.MinReports {
		return
	}
	anon := make([]int, n+1) // anon[i] counts the anonymous among the first i
	for i, ci := range group {
		anon[i+1] = anon[i]
		if d.cases[ci].ReporterKind == ReporterAnonymous {
			anon[i+1]++
		}
	}
	qualifies := func(i, k int) bool { // reports i..k inclusive
		count := k - i + 1
		return count >= d.cfg.MinReports && float64(anon[k+1]-anon[i]) > d.cfg.AnonymousShare*float64(count)
	}
	// For each first report, the longest qualifying run starting there;
	// overlapping runs are merged.
	from, to := -1, -1
	emit := func() {
		if from < 0 {
			return
		}
		first, last := d.cases[group[from]], d.cases[group[to]]
		count, a := to-from+1, anon[to+1]-anon[from]
		d.raw = append(d.raw, rawFlag{
			cases:  slices.Clone(group[from : to+1]),
			reason: fmt.Sprintf("%d reports about the same person within %s, %d of them anonymous", count, daysWithin(last.Received.Sub(first.Received)), a),
			person: person,
		})
	}
	j := 0
	for i := range n {
		for j+1 < n && time.Duration(d.received[group[j+1]]-d.received[group[i]])*time.Millisecond <= d.cfg.Window {
			j++
		}
		for k := j; k >= i+d.cfg.MinReports-1; k-- {
			if !qualifies(i, k) {
				continue
			}
			if from >= 0 && i <= to {
				to = max(to, k)
			} else {
				emit()
				from, to = i, k
			}
			break
		}
	}
	emit()
}

// daysWithin says a span in whole days, rounded up.
func daysWithin(span time.Duration) string {
	days := int(math.Ceil(span.Hours() / 24))
	if days <= 1 {
		return "a day"
	}
	return fmt.Sprintf("%d days", days)
}

// duplicates flags reports whose texts are near-duplicates. group is
// sorted by time.
func (d *detector) duplicates(group []int, person string) {
	type pair struct {
		a, b int // positions in group
		sim  float64
	}
	var pairs []pair
	for x := range group {
		sx := d.sets[group[x]]
		if len(sx) < minDuplicateShingles {
			continue
		}
		for y := x + 1; y < len(group); y++ {
			if d.received[group[y]]-d.received[group[x]] > d.cfg.DuplicateSpan.Milliseconds() {
				break // group is sorted by time
			}
			sy := d.sets[group[y]]
			if len(sy) < minDuplicateShingles {
				continue
			}
			if !prefixesMeet(sx, sy, d.cfg.Similarity) {
				continue
			}
			if sim := jaccard(sx, sy); sim >= d.cfg.Similarity {
				pairs = append(pairs, pair{x, y, sim})
			}
		}
	}
	if len(pairs) == 0 {
		return
	}
	// One reason per set of texts linked by near-duplicate pairs.
	parent := make([]int, len(group))
	for i := range parent {
		parent[i] = i
	}
	find := func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for _, p := range pairs {
		if a, b := find(p.a), find(p.b); a != b {
			parent[max(a, b)] = min(a, b)
		}
	}
	type component struct {
		members  []int
		lo, high float64
	}
	comps := make(map[int]*component)
	for _, p := range pairs {
		r := find(p.a)
		c := comps[r]
		if c == nil {
			c = &component{lo: p.sim, high: p.sim}
			comps[r] = c
		}
		c.lo, c.high = min(c.lo, p.sim), max(c.high, p.sim)
	}
	for x := range group {
		if c := comps[find(x)]; c != nil {
			c.members = append(c.members, x)
		}
	}
	for _, r := range slices.Sorted(maps.Keys(comps)) {
		c := comps[r]
		codes := make([]string, len(c.members))
		idx := make([]int, len(c.members))
		for i, m := range c.members {
			idx[i] = group[m]
			codes[i] = caseCode(d.cases[group[m]])
		}
		sim := fmt.Sprintf("similarity %.2f", c.lo)
		if fmt.Sprintf("%.2f", c.lo) != fmt.Sprintf("%.2f", c.high) {
			sim = fmt.Sprintf("similarity %.2f to %.2f", c.lo, c.high)
		}
		d.raw = append(d.raw, rawFlag{
			cases:  idx,
			reason: fmt.Sprintf("the texts of %s are near-duplicates (%s)", joinAnd(codes), sim),
			person: person,
		})
	}
}

// joinAnd joins words as a sentence does: "a", "a and b", "a, b and c".
func joinAnd(words []string) string {
	if len(words) <= 1 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// caseCode names a case for people: its code, or its ID without one.
func caseCode(c *Case) string {
	if c.Code != "" {
		return c.Code
	}
	return c.ID
}

// shingleAll computes the shingles of every case in a group, on every
// CPU when there are many.
func (d *detector) shingleAll(groups [][]mention, memo *brigadeMemo) {
	var todo []int
	seen := make([]bool, len(d.cases))
	for _, g := range groups {
		for _, m := range g {
			if seen[m.c] {
				continue
			}
			seen[m.c] = true
			if set, ok := memo.sets[d.cases[m.c]]; ok {
				d.sets[m.c] = set
			} else {
				todo = append(todo, m.c)
			}
		}
	}
	const perWorker = 2000 // cases; fewer are not worth a goroutine
	workers := max(1, min(runtime.GOMAXPROCS(0), len(todo)/perWorker))
	var wg sync.WaitGroup
	for w := range workers {
		part := todo[len(todo)*w/workers : len(todo)*(w+1)/workers]
		wg.Go(func() {
			size := 0
			for _, ci := range part {
				size += len(d.cases[ci].Summary) + len(d.cases[ci].Description)
			}
			pool := make([]uint64, 0, size/5) // about one shingle a word
			var buf []byte
			for _, ci := range part {
				off := len(pool)
				pool, buf = appendShingles(pool, buf, d.cases[ci].Summary, d.cases[ci].Description)
				d.sets[ci] = pool[off:len(pool):len(pool)]
			}
		})
	}
	wg.Wait()
	if memo.discard {
		return
	}
	if memo.sets == nil {
		memo.sets = make(map[*Case][]uint64, len(todo))
	}
	for _, ci := range todo {
		memo.sets[d.cases[ci]] = d.sets[ci]
	}
}

// shingles returns the sorted, distinct hashes of the word 3-shingles of
// the folded texts, read one after the other.
func shingles(texts ...string) []uint64 {
	set, _ := appendShingles(nil, nil, texts...)
	return set
}

// appendShingles appends the shingles of texts to dst, as shingles
// returns them. buf is scratch space for scanWordsBuf, returned for reuse.
func appendShingles(dst []uint64, buf []byte, texts ...string) ([]uint64, []byte) {
	start := len(dst)
	var h1, h2 uint64
	n := 0
	add := func(w []byte, _, _ int) bool {
		h3 := uint64(14695981039346656037) // FNV-1a
		for _, c := range w {
			h3 ^= uint64(c)
			h3 *= 1099511628211
		}
		if n++; n >= 3 {
			dst = append(dst, mix64(h1^bits.RotateLeft64(h2, 21)^bits.RotateLeft64(h3, 42)))
		}
		h1, h2 = h2, h3
		return true
	}
	for _, t := range texts {
		buf = scanWordsBuf(t, buf, add)
	}
	set := dst[start:]
	sortHashes(set)
	return dst[:start+len(slices.Compact(set))], buf
}

// sortHashes sorts a, whose values are spread evenly (they are hashes),
// in linear time: a counting sort on the top bits puts each value near
// its place, and insertion sort finishes.
func sortHashes(a []uint64) {
	const maxBits = 10
	n := len(a)
	if n < 16 || n > 1<<maxBits {
		slices.Sort(a)
		return
	}
	b := bits.Len(uint(n - 1)) // about one bucket per value
	shift := 64 - b
	var count [1<<maxBits + 1]int32
	for _, v := range a {
		count[v>>shift+1]++
	}
	for i := 1; i <= 1<<b; i++ {
		count[i] += count[i-1]
	}
	var stack [1 << maxBits]uint64
	tmp := stack[:n]
	for _, v := range a {
		tmp[count[v>>shift]] = v
		count[v>>shift]++
	}
	copy(a, tmp)
	for i := 1; i < n; i++ {
		v := a[i]
		j := i
		for ; j > 0 && a[j-1] > v; j-- {
			a[j] = a[j-1]
		}
		a[j] = v
	}
}

// mix64 is the splitmix64 finalizer, to spread the bits of a hash.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// prefixesMeet reports whether two sorted sets could have a Jaccard
// similarity of at least t, by the prefix filter of similarity joins:
// such sets share at least α = ⌈t/(1+t)·(|a|+|b|)⌉ elements, so they
// share one among the first |a|-α+1 of a and the first |b|-α+1 of b.
func prefixesMeet(a, b []uint64, t float64) bool {
	alpha := int(math.Ceil(t/(1+t)*float64(len(a)+len(b)) - 1e-9))
	if alpha > min(len(a), len(b)) {
		return false
	}
	a, b = a[:len(a)-alpha+1], b[:len(b)-alpha+1]
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			return true
		}
	}
	return false
}

// jaccard returns |a∩b| / |a∪b| of two sorted sets.
func jaccard(a, b []uint64) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 0
	}
	common := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			common++
			i++
			j++
		}
	}
	return float64(common) / float64(len(a)+len(b)-common)
}

// merge joins the raw flags that share a case and orders the result by
// the earliest report of each flag.
func (d *detector) merge() []BrigadeFlag {
	if len(d.raw) == 0 {
		return nil
	}
	parent := make([]int, len(d.raw))
	for i := range parent {
		parent[i] = i
	}
	find := func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	byCase := make(map[int]int) // case → first raw flag holding it
	for fi, f := range d.raw {
		for _, ci := range f.cases {
			if o, ok := byCase[ci]; ok {
				if a, b := find(o), find(fi); a != b {
					parent[max(a, b)] = min(a, b)
				}
			} else {
				byCase[ci] = fi
			}
		}
	}
	type merged struct {
		cases   []int
		reasons []string
		persons []string
	}
	groups := make(map[int]*merged)
	var order []int
	for fi, f := range d.raw {
		r := find(fi)
		m := groups[r]
		if m == nil {
			m = &merged{}
			groups[r] = m
			order = append(order, r)
		}
		m.cases = append(m.cases, f.cases...)
		if !slices.Contains(m.reasons, f.reason) {
			m.reasons = append(m.reasons, f.reason)
		}
		if !slices.Contains(m.persons, f.person) {
			m.persons = append(m.persons, f.person)
		}
	}
	type result struct {
		flag     BrigadeFlag
		earliest time.Time
	}
	results := make([]result, 0, len(order))
	for _, r := range order {
		m := groups[r]
		slices.Sort(m.cases)
		m.cases = slices.Compact(m.cases)
		codes := make([]string, len(m.cases))
		earliest := d.cases[m.cases[0]].Received
		for i, ci := range m.cases {
			codes[i] = caseCode(d.cases[ci])
			if t := d.cases[ci].Received; t.Before(earliest) {
				earliest = t
			}
		}
		slices.Sort(codes)
		results = append(results, result{
			flag:     BrigadeFlag{Cases: codes, Reasons: m.reasons, Person: joinAnd(m.persons)},
			earliest: earliest,
		})
	}
	slices.SortStableFunc(results, func(a, b result) int {
		return cmp.Or(a.earliest.Compare(b.earliest), slices.Compare(a.flag.Cases, b.flag.Cases))
	})
	flags := make([]BrigadeFlag, len(results))
	for i, r := range results {
		flags[i] = r.flag
	}
	return flags
}
