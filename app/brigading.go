package app

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"math/bits"
	"net/mail"
	"slices"
	"strings"
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
// leading @) or contact e-mail addresses (case-insensitive) match, or
// through a chain of such matches. Two signals are looked for:
//
//   - a cluster: at least cfg.MinReports reports within cfg.Window, more
//     than cfg.AnonymousShare of them anonymous;
//   - near-duplicates: two reports, however far apart in time, whose
//     summary and description share word 3-shingles with a Jaccard
//     similarity of at least cfg.Similarity.
//
// Flags that share a case are merged into one. Flags come in the order of
// their earliest report. Zero or negative Window, MinReports and
// Similarity take the defaults; MinReports is at least 2.
func DetectBrigading(cases []*Case, cfg BrigadeConfig) []BrigadeFlag {
	def := DefaultBrigadeConfig()
	if cfg.Window <= 0 {
		cfg.Window = def.Window
	}
	if cfg.MinReports <= 0 {
		cfg.MinReports = def.MinReports
	}
	cfg.MinReports = max(cfg.MinReports, 2)
	if cfg.Similarity <= 0 {
		cfg.Similarity = def.Similarity
	}

	d := detector{cases: cases, cfg: cfg, shingles: make([][]uint64, len(cases)), shingled: make([]bool, len(cases))}
	for _, g := range personGroups(cases) {
		slices.SortFunc(g, func(a, b mention) int {
			return cmp.Or(cases[a.c].Received.Compare(cases[b.c].Received), cmp.Compare(cases[a.c].Code, cases[b.c].Code))
		})
		group := make([]int, len(g))
		for i, m := range g {
			group[i] = m.c
		}
		person := g[0].p.DisplayName()
		d.clusters(group, person)
		d.duplicates(group, person)
	}
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
func personGroups(cases []*Case) [][]mention {
	var nodes []mention
	var parent []int
	find := func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	owner := make(map[string]int)
	var keys []string
	for ci, c := range cases {
		for _, p := range c.Parties {
			if p.Role != RoleReported {
				continue
			}
			n := len(nodes)
			nodes = append(nodes, mention{ci, p})
			parent = append(parent, n)
			keys = personKeys(keys[:0], p)
			for _, k := range keys {
				o, ok := owner[k]
				if !ok {
					owner[k] = n
					continue
				}
				if a, b := find(o), find(n); a != b {
					parent[max(a, b)] = min(a, b) // the root is the earliest node
				}
			}
		}
	}
	index := make(map[int]int) // root node → group
	var groups [][]mention
	for n, m := range nodes {
		r := find(n)
		gi, ok := index[r]
		if !ok {
			gi = len(groups)
			index[r] = gi
			groups = append(groups, nil)
		}
		if g := groups[gi]; len(g) == 0 || g[len(g)-1].c != m.c {
			groups[gi] = append(g, m)
		}
	}
	return slices.DeleteFunc(groups, func(g []mention) bool { return len(g) < 2 })
}

// personKeys appends the keys that identify a reported party: its folded
// name, its handle and its contact address.
func personKeys(keys []string, p *Party) []string {
	if words := Tokens(p.Name); len(words) > 0 {
		slices.Sort(words)
		keys = append(keys, "n:"+strings.Join(words, " "))
	}
	if k := handleKey(p.Handle); k != "" {
		keys = append(keys, k)
	}
	if k := handleKey(p.Contact); k != "" {
		keys = append(keys, k)
	}
	return keys
}

// handleKey normalizes a handle or contact: an e-mail address (possibly
// with a display name or "mailto:"), a handle with or without its @, or a
// telephone number. Anything else gives "".
func handleKey(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if a, err := mail.ParseAddress(strings.TrimPrefix(s, "mailto:")); err == nil {
		return "e:" + strings.ToLower(a.Address)
	}
	if h := strings.TrimLeft(s, "@"); h != "" && !strings.ContainsAny(h, " \t@") {
		if phone := phoneDigits(h); phone != "" {
			return "t:" + phone
		}
		return "h:" + strings.ToLower(h)
	}
	if phone := phoneDigits(s); phone != "" {
		return "t:" + phone
	}
	return ""
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
	cfg      BrigadeConfig
	shingles [][]uint64 // per case, sorted, computed on demand
	shingled []bool
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
		for j+1 < n && d.cases[group[j+1]].Received.Sub(d.cases[group[i]].Received) <= d.cfg.Window {
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
		sx := d.shingleSet(group[x])
		if len(sx) < minDuplicateShingles {
			continue
		}
		for y := x + 1; y < len(group); y++ {
			sy := d.shingleSet(group[y])
			if len(sy) < minDuplicateShingles {
				continue
			}
			// Jaccard is at most the ratio of the sizes.
			if float64(min(len(sx), len(sy))) < d.cfg.Similarity*float64(max(len(sx), len(sy))) {
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

// shingleSet returns the sorted hashes of the word 3-shingles of the
// case's summary and description.
func (d *detector) shingleSet(ci int) []uint64 {
	if d.shingled[ci] {
		return d.shingles[ci]
	}
	c := d.cases[ci]
	d.shingles[ci] = shingles(c.Summary + "\n" + c.Description)
	d.shingled[ci] = true
	return d.shingles[ci]
}

// shingles returns the sorted, distinct hashes of the word 3-shingles of
// the folded text.
func shingles(text string) []uint64 {
	var out []uint64
	var h1, h2 uint64
	n := 0
	scanWords(text, func(w []byte, _, _ int) bool {
		h3 := uint64(14695981039346656037) // FNV-1a
		for _, c := range w {
			h3 ^= uint64(c)
			h3 *= 1099511628211
		}
		if n++; n >= 3 {
			out = append(out, mix64(h1^bits.RotateLeft64(h2, 21)^bits.RotateLeft64(h3, 42)))
		}
		h1, h2 = h2, h3
		return true
	})
	slices.Sort(out)
	return slices.Compact(out)
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
