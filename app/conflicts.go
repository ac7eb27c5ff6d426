package app

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"casebook/vault"
)

// Merge conflicts: the places where a bundle and this vault changed the
// same field of a case differently. This vault's version stays until the
// member settles each, keeping theirs or mine. A case's conflicts are kept
// in its own namespace (they hold its content, and go when it is
// expunged), and the committee's namespace counts them per case, for the
// due list.

const (
	conflictsKey      = syncKeyPre + "conflicts"
	mergeIndexKey     = "merge-conflicts"
	maxConflictValues = 200 // characters of a value shown in words
)

// ErrNoConflict means no pending merge conflict has the ID given.
var ErrNoConflict = errors.New("no such merge conflict")

// ErrConflictGone means a conflict can no longer be settled by taking
// theirs: the item it is about is gone from the case.
var ErrConflictGone = errors.New("the item this conflict is about is no longer in the case")

// Keep says which side a settled conflict keeps.
type Keep string

// The two ways to settle a conflict.
const (
	KeepMine   Keep = "mine"
	KeepTheirs Keep = "theirs"
)

// conflictValue is one side's value at a conflict, as stored.
type conflictValue struct {
	Absent bool            `json:"absent,omitempty"`
	JSON   json.RawMessage `json:"json,omitempty"`
	// A record merged whole: its bytes (when known), size and digest.
	Whole  bool   `json:"whole,omitempty"`
	Data   []byte `json:"data,omitempty"`
	Size   int    `json:"size,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
}

func toConflictValue(v any) conflictValue {
	switch x := v.(type) {
	case absentT:
		return conflictValue{Absent: true}
	case opaque:
		return conflictValue{Whole: true, Data: x.Value, Size: x.Size, SHA256: x.SHA256}
	}
	return conflictValue{JSON: canon(v)}
}

// storedConflict is one pending conflict.
type storedConflict struct {
	ID     string        `json:"id"`
	At     time.Time     `json:"at"`
	From   string        `json:"from"`   // the sender's member ID here
	Bundle string        `json:"bundle"` // the bundle's ID
	Where  fieldPath     `json:"where"`
	Base   conflictValue `json:"base"`
	Theirs conflictValue `json:"theirs"`
}

// storedConflicts are a case's pending conflicts.
type storedConflicts struct {
	Seq   int              `json:"seq"`
	Items []storedConflict `json:"items"`
}

// add keeps a new conflict; a newer one at the same place replaces the
// older.
func (sc *storedConflicts) add(f rawConflict, from, bundle string, now time.Time) {
	sc.Items = slices.DeleteFunc(sc.Items, func(x storedConflict) bool { return x.Where.equal(f.At) })
	sc.Seq++
	sc.Items = append(sc.Items, storedConflict{ID: "c" + strconv.Itoa(sc.Seq), At: now.UTC(), From: from, Bundle: bundle,
		Where: f.At, Base: toConflictValue(f.Base), Theirs: toConflictValue(f.Theirs)})
}

// mergeMark is a case's entry in the committee's count of conflicts.
type mergeMark struct {
	Count int       `json:"count"`
	Since time.Time `json:"since"`
}

func (s *Store) loadConflicts(caseID string) (*storedConflicts, error) {
	sc := &storedConflicts{}
	b, err := s.st.Get(caseNS(caseID), conflictsKey)
	if errors.Is(err, vault.ErrNotFound) {
		return sc, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s/%s: %w", caseNS(caseID), conflictsKey, err)
	}
	if json.Unmarshal(b, sc) != nil {
		return nil, &vault.CorruptError{Record: caseNS(caseID) + "/" + conflictsKey, Err: errors.New("unreadable record")}
	}
	return sc, nil
}

// saveConflictsTx writes a case's conflicts and the committee's count of
// them in tx.
func (s *Store) saveConflictsTx(tx *vault.Tx, caseID string, sc *storedConflicts) error {
	if len(sc.Items) == 0 {
		if err := tx.Delete(caseNS(caseID), conflictsKey); err != nil {
			return err
		}
	} else if err := putJSON(tx, caseNS(caseID), conflictsKey, sc); err != nil {
		return err
	}
	idx := maps.Clone(s.merges)
	if idx == nil {
		idx = map[string]mergeMark{}
	}
	setMark(idx, caseID, sc)
	return putJSON(tx, committeeNS, mergeIndexKey, idx)
}

func setMark(idx map[string]mergeMark, caseID string, sc *storedConflicts) {
	if len(sc.Items) == 0 {
		delete(idx, caseID)
		return
	}
	since := sc.Items[0].At
	for _, x := range sc.Items {
		if x.At.Before(since) {
			since = x.At
		}
	}
	idx[caseID] = mergeMark{Count: len(sc.Items), Since: since}
}

// noteConflictsLocked updates the in-memory count after a write.
func (s *Store) noteConflictsLocked(caseID string, sc *storedConflicts) {
	if s.merges == nil {
		s.merges = map[string]mergeMark{}
	}
	setMark(s.merges, caseID, sc)
}

// MergeConflict is a place where a bundle and this vault changed the same
// thing differently, waiting for the member to settle it.
type MergeConflict struct {
	// ID names the conflict within its case ("c3").
	ID   string `json:"id"`
	Code string `json:"code"`
	// Field is where, as a path ("parties[p2].outreach"); What says it in
	// words ("party p2 (witness): outreach").
	Field string `json:"field"`
	What  string `json:"what"`
	// Mine, Theirs and Was are the value here now, the bundle's, and the
	// one both sides had before, in words.
	Mine   string `json:"mine"`
	Theirs string `json:"theirs"`
	Was    string `json:"was"`
	// From names the member whose bundle it came in; At is when.
	From string    `json:"from"`
	At   time.Time `json:"at"`
}

// MergeConflicts lists the pending merge conflicts of the case named by
// code, or of every case the member may see when code is empty, oldest
// first.
func (s *Store) MergeConflicts(code string) ([]MergeConflict, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var cases []*Case
	if code != "" {
		c, err := s.lookup(code)
		if err != nil {
			return nil, err
		}
		if s.excludedLocked(c) {
			return nil, s.excludedErrLocked(c)
		}
		cases = append(cases, c)
	} else {
		for id := range s.merges {
			if c := s.cases[id]; c != nil && !s.excludedLocked(c) {
				cases = append(cases, c)
			}
		}
	}
	var out []MergeConflict
	for _, c := range cases {
		sc, err := s.loadConflicts(c.ID)
		if err != nil {
			return nil, err
		}
		for _, x := range sc.Items {
			mine, err := s.currentValue(c, x.Where)
			if err != nil {
				return nil, err
			}
			from := x.From
			if m := s.roster.Member(x.From); m != nil {
				from = m.Name
			}
			out = append(out, MergeConflict{ID: x.ID, Code: c.Code, Field: x.Where.String(), What: s.pathWords(c, x.Where),
				Mine: valueWords(mine), Theirs: valueWords(x.Theirs), Was: valueWords(x.Base),
				From: from, At: x.At})
		}
	}
	slices.SortStableFunc(out, func(a, b MergeConflict) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.Code, b.Code), cmp.Compare(len(a.ID), len(b.ID)), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// recordDoc reads one record of a case from the vault, as the merge sees
// it; nil when missing. (The case record in memory is lean: see leanCase.)
func (s *Store) recordDoc(c *Case, key string) (*record, error) {
	b, err := s.st.Get(caseNS(c.ID), key)
	if errors.Is(err, vault.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return newRecord(key, b), nil
}

// currentValue is the value at a conflict's place now.
func (s *Store) currentValue(c *Case, where fieldPath) (conflictValue, error) {
	r, err := s.recordDoc(c, where.Record)
	if err != nil {
		return conflictValue{}, err
	}
	if r == nil {
		return conflictValue{Absent: true}, nil
	}
	if r.doc == nil || len(where.Path) == 0 && !jsonRecord(where.Record) {
		return toConflictValue(r.opaque()), nil
	}
	return toConflictValue(getPath(r.doc, where.Path)), nil
}

// getPath returns the value at path in a decoded JSON value, or absent.
func getPath(v any, path []seg) any {
	for _, s := range path {
		switch {
		case s.ID != "":
			l, _ := v.([]any)
			v = absent
			for _, e := range l {
				if id, _ := itemID(e); id == s.ID {
					v = e
				}
			}
		default:
			o, ok := v.(map[string]any)
			if !ok {
				return absent
			}
			v = field(o, s.Key)
		}
		if v == absent {
			return absent
		}
	}
	return v
}

// setPath returns v with the value at path replaced by val (removed when
// val is absent). A missing object on the way is made; a missing item on
// the way is ErrConflictGone.
func setPath(v any, path []seg, val any) (any, error) {
	if len(path) == 0 {
		return val, nil
	}
	s := path[0]
	if s.ID != "" {
		l, _ := v.([]any)
		l = slices.Clone(l)
		for i, e := range l {
			if id, _ := itemID(e); id == s.ID {
				nv, err := setPath(e, path[1:], val)
				if err != nil {
					return nil, err
				}
				if nv == absent {
					return slices.Delete(l, i, i+1), nil
				}
				l[i] = nv
				return l, nil
			}
		}
		if len(path) > 1 {
			return nil, ErrConflictGone
		}
		if val == absent {
			return l, nil
		}
		return append(l, val), nil
	}
	o, _ := v.(map[string]any)
	o = maps.Clone(o)
	if o == nil {
		o = map[string]any{}
	}
	nv, err := setPath(field(o, s.Key), path[1:], val)
	if err != nil {
		return nil, err
	}
	if nv == absent {
		delete(o, s.Key)
	} else {
		o[s.Key] = nv
	}
	return o, nil
}

// ResolveConflict settles one merge conflict of the case named by code:
// KeepMine leaves the case as it is, KeepTheirs puts the bundle's value in
// its place. Either way the conflict is gone, and the audit log records
// it.
func (s *Store) ResolveConflict(code, conflictID string, keep Keep) error {
	if keep != KeepMine && keep != KeepTheirs {
		return fmt.Errorf("%w: keep mine or theirs", ErrInvalid)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.lookup(code)
	if err != nil {
		return err
	}
	if s.excludedLocked(c) {
		return s.excludedErrLocked(c)
	}
	sc, err := s.loadConflicts(c.ID)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(sc.Items, func(x storedConflict) bool { return strings.EqualFold(x.ID, strings.TrimSpace(conflictID)) })
	if i < 0 {
		return fmt.Errorf("%w: %s has no conflict %q", ErrNoConflict, c.Code, conflictID)
	}
	x := sc.Items[i]
	sc.Items = slices.Delete(sc.Items, i, i+1)
	ns := caseNS(c.ID)
	var newCase *Case
	var put []byte
	del, existed := false, false
	if keep == KeepTheirs {
		r, err := s.recordDoc(c, x.Where.Record)
		if err != nil {
			return err
		}
		existed = r != nil
		switch {
		case x.Theirs.Whole && x.Theirs.Absent, x.Theirs.Absent && len(x.Where.Path) == 0:
			del = true
		case x.Theirs.Whole:
			put = x.Theirs.Data
		default:
			tv, err := decodeValue(x.Theirs.JSON)
			if err != nil {
				return &vault.CorruptError{Record: ns + "/" + conflictsKey, Err: errors.New("unreadable record")}
			}
			if x.Theirs.Absent {
				tv = absent
			}
			var doc any = absent
			if r != nil && r.doc != nil {
				doc = r.doc
			}
			nd, err := setPath(doc, x.Where.Path, tv)
			if err != nil {
				return fmt.Errorf("%w: settle %s by keeping yours", err, x.ID)
			}
			if nd == absent {
				del = true
			} else {
				put = canon(nd)
			}
		}
		if x.Where.Record == caseKey {
			if del {
				return fmt.Errorf("%w: the case record itself", ErrConflictGone)
			}
			newCase = &Case{}
			if err := json.Unmarshal(put, newCase); err != nil || newCase.ID != c.ID {
				return fmt.Errorf("%w: their value no longer fits the case; settle %s by keeping yours", ErrConflictGone, x.ID)
			}
			newCase.Code = c.Code
			for _, v := range newCase.Votes {
				if v.Ballots == nil {
					v.Ballots = map[string]Choice{}
				}
			}
			if put, err = json.Marshal(newCase); err != nil {
				return err
			}
		}
	}
	err = s.st.Update(func(tx *vault.Tx) error {
		switch {
		case del:
			if err := tx.Delete(ns, x.Where.Record); err != nil {
				return err
			}
		case put != nil:
			if err := tx.Put(ns, x.Where.Record, put); err != nil {
				return err
			}
		}
		if err := s.saveConflictsTx(tx, c.ID, sc); err != nil {
			return err
		}
		tx.Record("bundle.resolve", fmt.Sprintf("%s %s: %s", ns, x.ID, keep))
		return nil
	})
	if err != nil {
		return err
	}
	s.noteConflictsLocked(c.ID, sc)
	if newCase != nil {
		s.cases[c.ID] = leanCase(newCase)
	}
	if put != nil || del {
		if strings.HasPrefix(x.Where.Record, msgKeyPre) {
			switch {
			case del && existed:
				s.msgs[c.ID]--
			case put != nil && !existed:
				s.msgs[c.ID]++
			}
		}
		s.changedLocked()
		s.reindexLocked(s.cases[c.ID], nil)
	}
	return nil
}

// dueConflictsLocked lists a due item for each case with conflicts to
// settle. The caller holds s.mu.
func (s *Store) dueConflictsLocked(asOf time.Time) []DueItem {
	var items []DueItem
	dayStart := s.config.StartOfDay(asOf)
	for id, mark := range s.merges {
		c := s.cases[id]
		if c == nil || s.excludedLocked(c) || mark.Count == 0 {
			continue
		}
		what := "1 merge conflict"
		if mark.Count > 1 {
			what = strconv.Itoa(mark.Count) + " merge conflicts"
		}
		items = append(items, DueItem{Kind: DueMergeConflicts, CaseID: c.ID, Code: c.Code, Due: mark.Since,
			Overdue: mark.Since.Before(dayStart),
			Text:    "Settle " + what + " from a bundle: keep yours or take theirs"})
	}
	return items
}

// Nouns for the lists of items of a case, and for record kinds.
var itemNouns = map[string]string{
	"parties": "party", "notes": "note", "evidence": "evidence", "worksheet": "worksheet line",
	"votes": "vote", "decisions": "decision", "attachments": "attachment",
	"msg": "message", "att": "attachment",
}

// pathWords says where a conflict is, for the member.
func (s *Store) pathWords(c *Case, where fieldPath) string {
	var parts []string
	if where.Record != caseKey {
		kind, id, _ := strings.Cut(where.Record, ".")
		if noun, ok := itemNouns[kind]; ok {
			parts = append(parts, noun+" "+id)
		} else {
			parts = append(parts, "record "+where.Record)
		}
	}
	for i, sg := range where.Path {
		switch {
		case sg.ID != "":
			continue
		case i+1 < len(where.Path) && where.Path[i+1].ID != "":
			id := where.Path[i+1].ID
			noun, ok := itemNouns[sg.Key]
			if !ok {
				noun = humanize(sg.Key)
			}
			w := noun + " " + id
			if sg.Key == "parties" && where.Record == caseKey {
				if p := c.Party(id); p != nil {
					w += " (" + string(p.Role) + ")"
				}
			}
			parts = append(parts, w)
		case i > 0 && where.Path[i-1].Key == "ballots":
			if m := s.roster.Member(sg.Key); m != nil {
				parts = append(parts, m.Name)
			} else {
				parts = append(parts, sg.Key)
			}
		default:
			parts = append(parts, humanize(sg.Key))
		}
	}
	if len(parts) == 0 {
		return "the whole case"
	}
	return strings.Join(parts, ": ")
}

func humanize(key string) string { return strings.ReplaceAll(key, "_", " ") }

// valueWords shows a value to the member: text quoted and cut short,
// times as dates, yes and no, a file by its size.
func valueWords(v conflictValue) string {
	switch {
	case v.Absent:
		return "(none)"
	case v.Whole:
		return fmt.Sprintf("a file of %s bytes", thousands(v.Size))
	}
	doc, err := decodeValue(v.JSON)
	if err != nil {
		return "(unreadable)"
	}
	return docWords(doc)
}

func docWords(doc any) string {
	switch x := doc.(type) {
	case nil:
		return "(empty)"
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case json.Number:
		return x.String()
	case string:
		if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
			if t.IsZero() {
				return "(not set)"
			}
			return t.Format("2006-01-02 15:04")
		}
		return strconv.Quote(oneLineShort(x))
	case []any:
		words := make([]string, len(x))
		for i, e := range x {
			words[i] = docWords(e)
		}
		if len(words) == 0 {
			return "(none)"
		}
		return oneLineShort(strings.Join(words, ", "))
	}
	var b bytes.Buffer
	json.Compact(&b, canon(doc))
	return oneLineShort(b.String())
}

// oneLineShort cuts text to maxConflictValues characters on one line.
func oneLineShort(s string) string {
	return shorten(strings.Join(strings.Fields(s), " "), maxConflictValues+1)
}
