package app

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
)

// The three-way merge of a case that arrives in a bundle with the case as
// this vault holds it. A case is its namespace's records: "case" (the Case
// as JSON), "msg.<id>" (messages as JSON) and any other records, such as
// "att.<id>" attachments, which are merged whole. The merge compares three
// versions of each record: the base (the version both sides held last,
// see handoff.go), mine (this vault's) and theirs (the bundle's), all in
// this vault's terms (item and member IDs translated first):
//
//   - changed on one side only: that side's version is taken;
//   - changed alike on both sides: kept;
//   - changed differently on both sides: the objects are merged field by
//     field, lists of items with IDs item by item, other lists as sets;
//     where the same field still differs, it is a conflict: mine is kept
//     and the conflict is stored for the member to settle.
//
// Nothing is overwritten silently: every place where theirs was not taken
// although it changed is a conflict.

// syncKeyPre starts the records of a case's namespace that are this
// vault's own bookkeeping: they never travel in a bundle.
const syncKeyPre = "sync."

// jsonRecord reports whether a record is merged field by field: the case
// and its messages. Other records are merged whole.
func jsonRecord(key string) bool { return key == caseKey || strings.HasPrefix(key, msgKeyPre) }

var itemIDPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,63}$`)

// validItemID accepts the short IDs of items: "p2", "msg17", "a3".
func validItemID(id string) bool { return itemIDPattern.MatchString(id) }

// itemPrefix is the letters of a short ID before its number: "msg" of
// "msg17".
func itemPrefix(id string) string {
	p := strings.TrimRight(id, "0123456789")
	if p == "" {
		return "x"
	}
	return p
}

// absentT marks a field, item or record that does not exist on one side;
// JSON null is nil.
type absentT struct{}

var absent any = absentT{}

// seg is one step into a record: a field of an object (Key) or the item
// with an ID in a list (ID).
type seg struct {
	Key string `json:"key,omitempty"`
	ID  string `json:"id,omitempty"`
}

// fieldPath names a place in a case: a record, and a path inside it
// (empty for the whole record).
type fieldPath struct {
	Record string `json:"record"`
	Path   []seg  `json:"path,omitempty"`
}

// String is the path as "parties[p2].outreach" (in the case record) or
// "msg.msg4:text".
func (p fieldPath) String() string {
	var b strings.Builder
	if p.Record != caseKey {
		b.WriteString(p.Record)
		if len(p.Path) > 0 {
			b.WriteByte(':')
		}
	}
	for i, s := range p.Path {
		if s.ID != "" {
			b.WriteString("[" + s.ID + "]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.Key)
	}
	if b.Len() == 0 {
		return p.Record
	}
	return b.String()
}

func (p fieldPath) equal(o fieldPath) bool {
	return p.Record == o.Record && slices.Equal(p.Path, o.Path)
}

// opaque is the value of a record merged whole.
type opaque struct {
	Size   int
	SHA256 string
	Value  []byte // nil when only the digest is known
}

// rawConflict is a place where both sides changed differently.
type rawConflict struct {
	At                 fieldPath
	Base, Mine, Theirs any
}

// merger runs one merge and collects its conflicts.
type merger struct {
	conflicts []rawConflict
	taken     int // places where theirs was taken
}

func decodeValue(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// canon is the canonical JSON of a decoded value (object keys sorted);
// absent is null.
func canon(v any) []byte {
	if v == absent {
		return []byte("null")
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // decoded JSON always encodes
	}
	return b
}

func same(a, b any) bool {
	if a == absent && b == absent {
		return true
	}
	return bytes.Equal(canon(a), canon(b))
}

func with(path []seg, s seg) []seg { return append(slices.Clip(path), s) }

// merge merges one JSON value at path in record.
func (m *merger) merge(record string, path []seg, base, mine, theirs any) any {
	switch {
	case same(mine, theirs):
		return mine
	case same(base, mine):
		m.taken++
		return theirs
	case same(base, theirs):
		return mine
	}
	if mo, ok := mine.(map[string]any); ok {
		if to, ok := theirs.(map[string]any); ok {
			bo, _ := base.(map[string]any)
			return m.mergeObject(record, path, bo, mo, to)
		}
	}
	if ml, ok := mine.([]any); ok {
		if tl, ok := theirs.([]any); ok {
			bl, _ := base.([]any)
			if isItemList(bl) && isItemList(ml) && isItemList(tl) {
				return m.mergeItems(record, path, bl, ml, tl)
			}
			return mergeSet(bl, ml, tl)
		}
	}
	m.conflicts = append(m.conflicts, rawConflict{At: fieldPath{Record: record, Path: path}, Base: base, Mine: mine, Theirs: theirs})
	return mine
}

func (m *merger) mergeObject(record string, path []seg, base, mine, theirs map[string]any) any {
	keys := map[string]bool{}
	for _, o := range []map[string]any{base, mine, theirs} {
		for k := range o {
			keys[k] = true
		}
	}
	out := make(map[string]any, len(keys))
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		v := m.merge(record, with(path, seg{Key: k}), field(base, k), field(mine, k), field(theirs, k))
		if v != absent {
			out[k] = v
		}
	}
	return out
}

func field(o map[string]any, k string) any {
	if v, ok := o[k]; ok {
		return v
	}
	return absent
}

// itemID returns the ID of a list element that is an item.
func itemID(v any) (string, bool) {
	o, ok := v.(map[string]any)
	if !ok {
		return "", false
	}
	id, ok := o["id"].(string)
	return id, ok && id != ""
}

// isItemList reports whether every element of l is an object with an ID.
func isItemList(l []any) bool {
	for _, v := range l {
		if _, ok := itemID(v); !ok {
			return false
		}
	}
	return true
}

func indexItems(l []any) map[string]any {
	out := make(map[string]any, len(l))
	for _, v := range l {
		id, _ := itemID(v)
		out[id] = v
	}
	return out
}

func lookup(idx map[string]any, id string) any {
	if v, ok := idx[id]; ok {
		return v
	}
	return absent
}

// mergeItems merges lists of items by ID: mine's order, then the items
// only theirs has.
func (m *merger) mergeItems(record string, path []seg, base, mine, theirs []any) any {
	bi, mi, ti := indexItems(base), indexItems(mine), indexItems(theirs)
	out := make([]any, 0, len(mine)+len(theirs))
	for _, v := range mine {
		id, _ := itemID(v)
		if r := m.merge(record, with(path, seg{ID: id}), lookup(bi, id), v, lookup(ti, id)); r != absent {
			out = append(out, r)
		}
	}
	for _, v := range theirs {
		id, _ := itemID(v)
		if _, ok := mi[id]; ok {
			continue
		}
		if r := m.merge(record, with(path, seg{ID: id}), lookup(bi, id), absent, v); r != absent {
			out = append(out, r)
		}
	}
	return out
}

// mergeSet merges lists without IDs (a case's history, its conflicts of
// interest, a visibility's parties) as sets: an element either side
// removed goes, an element either side added comes, and nothing
// conflicts. Lists of timed entries (objects with "at") are put in time
// order.
func mergeSet(base, mine, theirs []any) any {
	set := func(l []any) map[string]bool {
		s := make(map[string]bool, len(l))
		for _, v := range l {
			s[string(canon(v))] = true
		}
		return s
	}
	bs, ms, ts := set(base), set(mine), set(theirs)
	out := make([]any, 0, len(mine)+len(theirs))
	for _, v := range mine {
		if k := canon(v); bs[string(k)] && !ts[string(k)] {
			continue // theirs removed it
		}
		out = append(out, v)
	}
	for _, v := range theirs {
		k := string(canon(v))
		if ms[k] || bs[k] {
			continue // mine has it, or removed it
		}
		ms[k] = true
		out = append(out, v)
	}
	if times, ok := entryTimes(out); ok {
		order := make([]int, len(out))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, b int) int { return times[a].Compare(times[b]) })
		sorted := make([]any, len(out))
		for i, j := range order {
			sorted[i] = out[j]
		}
		out = sorted
	}
	return out
}

// entryTimes returns the "at" time of each element, if every element is
// an object with one.
func entryTimes(l []any) ([]time.Time, bool) {
	times := make([]time.Time, len(l))
	for i, v := range l {
		o, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		s, ok := o["at"].(string)
		if !ok {
			return nil, false
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, false
		}
		times[i] = t
	}
	return times, len(l) > 1
}

// record is one record of a case's namespace as the merge sees it.
type record struct {
	raw []byte // nil when only the digest is known (a large base record)
	sum [32]byte
	doc any // the decoded JSON of a JSON record with raw bytes, else nil
}

func newRecord(key string, raw []byte) *record {
	r := &record{raw: raw, sum: sha256.Sum256(raw)}
	if jsonRecord(key) {
		if doc, err := decodeValue(raw); err == nil {
			if _, ok := doc.(map[string]any); ok {
				r.doc = doc
			}
		}
	}
	return r
}

func sameRecord(a, b *record) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.sum == b.sum
}

func (r *record) opaque() any {
	if r == nil {
		return absent
	}
	return opaque{Size: len(r.raw), SHA256: hex.EncodeToString(r.sum[:]), Value: r.raw}
}

// mergeRecords merges the records of a case other than the case record
// itself. It returns the merged set.
func (m *merger) mergeRecords(base, mine, theirs map[string]*record) map[string]*record {
	keys := map[string]bool{}
	for _, set := range []map[string]*record{base, mine, theirs} {
		for k := range set {
			if k != caseKey {
				keys[k] = true
			}
		}
	}
	out := make(map[string]*record, len(keys))
	for k := range keys {
		b, mi, t := base[k], mine[k], theirs[k]
		var r *record
		switch {
		case sameRecord(mi, t):
			r = mi
		case sameRecord(b, mi):
			m.taken++
			r = t
		case sameRecord(b, t):
			r = mi
		case mi != nil && t != nil && mi.doc != nil && t.doc != nil && (b == nil || b.doc != nil):
			var bdoc any = absent
			if b != nil {
				bdoc = b.doc
			}
			merged := m.merge(k, nil, bdoc, mi.doc, t.doc)
			r = mi
			if !same(merged, mi.doc) {
				r = newRecord(k, canon(merged))
			}
		default:
			m.conflicts = append(m.conflicts, rawConflict{At: fieldPath{Record: k}, Base: b.opaque(), Mine: mi.opaque(), Theirs: t.opaque()})
			r = mi
		}
		if r != nil {
			out[k] = r
		}
	}
	return out
}

// collectItems adds to ids the short ID of every item in a case's records:
// the elements with an "id" of every list of items in JSON records, and
// the ID in every record key of the form "kind.<id>".
func collectItems(records map[string]*record, ids map[string]bool) {
	for k, r := range records {
		if i := strings.IndexByte(k, '.'); i > 0 && k != caseKey && validItemID(k[i+1:]) {
			ids[k[i+1:]] = true
		}
		if r != nil && r.doc != nil {
			collectDocItems(r.doc, ids)
		}
	}
}

func collectDocItems(v any, ids map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for _, c := range x {
			collectDocItems(c, ids)
		}
	case []any:
		if len(x) > 0 && isItemList(x) {
			for _, e := range x {
				if id, _ := itemID(e); validItemID(id) {
					ids[id] = true
				}
			}
		}
		for _, c := range x {
			collectDocItems(c, ids)
		}
	}
}

// Fields that refer to items and to members. A new field that refers to
// either must be added here, or a bundle will not translate it.
var (
	itemRefFields   = map[string]bool{"id": true, "party_id": true, "party": true, "vote_id": true}
	itemListFields  = map[string]bool{"shared_with": true}
	memberRefFields = map[string]bool{"author": true, "member": true, "member_id": true, "responder": true}
	memberMapFields = map[string]bool{"ballots": true}
)

// translation rewrites the item and member IDs of an incoming case into
// this vault's.
type translation struct {
	items   map[string]string
	members map[string]string
}

func (t *translation) empty() bool { return len(t.items) == 0 && len(t.members) == 0 }

// doc rewrites a decoded JSON value in place and returns it.
func (t *translation) doc(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			switch s, isString := c.(string); {
			case isString && itemRefFields[k]:
				if to, ok := t.items[s]; ok {
					x[k] = to
				}
			case isString && memberRefFields[k]:
				if to, ok := t.members[s]; ok {
					x[k] = to
				}
			case itemListFields[k]:
				if l, ok := c.([]any); ok {
					for i, e := range l {
						if s, ok := e.(string); ok {
							if to, ok := t.items[s]; ok {
								l[i] = to
							}
						}
					}
				}
			case memberMapFields[k]:
				if o, ok := c.(map[string]any); ok {
					renamed := make(map[string]any, len(o))
					for mk, mv := range o {
						if to, ok := t.members[mk]; ok {
							mk = to
						}
						renamed[mk] = mv
					}
					x[k] = renamed
				}
			default:
				t.doc(c)
			}
		}
	case []any:
		for _, c := range x {
			t.doc(c)
		}
	}
	return v
}

// key rewrites the item ID in a record key.
func (t *translation) key(k string) string {
	if i := strings.IndexByte(k, '.'); i > 0 && k != caseKey {
		if to, ok := t.items[k[i+1:]]; ok {
			return k[:i+1] + to
		}
	}
	return k
}

// records translates a set of records.
func (t *translation) records(in map[string]*record) map[string]*record {
	if t.empty() {
		return in
	}
	out := make(map[string]*record, len(in))
	for k, r := range in {
		nk := t.key(k)
		if r.doc != nil {
			before := canon(r.doc)
			doc := t.doc(r.doc)
			if after := canon(doc); !bytes.Equal(before, after) {
				r = newRecord(nk, after)
			}
		}
		out[nk] = r
	}
	return out
}

// seqOf reads a case record's "seq".
func seqOf(doc any) int {
	o, _ := doc.(map[string]any)
	n, _ := o["seq"].(json.Number)
	i, err := n.Int64()
	if err != nil || i < 0 {
		return 0
	}
	return int(i)
}

func maxSeq(vals ...int) int { return slices.MaxFunc(vals, cmp.Compare[int]) }
