package app

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"casebook/vault"
)

// Handing cases between members' vaults. PrepareBundle and
// Outgoing.Write make a bundle (see bundle.go for the file); ImportBundle
// reads one and merges its cases (see merge.go).
//
// Versions. Each time a case leaves or arrives in a bundle, this vault
// keeps that version of the case (its records, in this vault's terms) as
// a base, under its version digest, in the case's namespace: the newest
// maxBases of them. A bundle lists, for each case, the versions its sender
// holds; the receiver merges against the first of them it holds too, a
// version both sides had and so an ancestor of both. With none in common,
// everything that differs is a conflict.
//
// Items. Short item IDs ("p2", "msg7") are given by each vault from the
// case's Seq, so two vaults can give the same ID to different items. Each
// item also has an item UID: the first 16 bytes, in hex, of
// SHA-256("casebook item\n" ‖ signing key ‖ "\n" ‖ case ID ‖ "\n" ‖ short
// ID), with the signing key of the vault that first sent it. A bundle maps
// every item's short ID to its UID; the receiver keeps the UIDs of items
// that came from elsewhere. An arriving item whose UID this vault knows
// takes this vault's short ID for it; a new item keeps its short ID when
// it is free here, and otherwise gets a fresh one from Seq, with every
// reference to it rewritten (itemRefFields). So the same ID given to two
// items on two sides since the last exchange is told apart, and each vault
// keeps calling each item by one name however often the case travels.
//
// Members. Member IDs ("m2") are each vault's own. A bundle names the
// members its cases refer to, with their keys; the receiver maps each to
// its own roster by signing key, else by name, and refuses a bundle naming
// someone it does not have.

// Records of a case's namespace that hold this vault's bookkeeping for
// bundles (syncKeyPre), and of the committee's namespace.
const (
	basesKey       = syncKeyPre + "bases"
	baseKeyPre     = syncKeyPre + "base."
	itemsKey       = syncKeyPre + "items"
	tombstonesKey  = "expunged-cases"
	maxBases       = 16
	maxBaseValue   = 64 << 10
	casesPerUpdate = 10
	// heldKey records that another member holds the case: a bundle of it
	// was written (Outgoing.Written). A version received in a bundle says
	// so too (a kept base not Sent).
	heldKey = syncKeyPre + "held"
)

// ErrBundleStale means a bundle was not written because the case book
// changed, since it was prepared, in a way that forbids it; prepare it
// again.
var ErrBundleStale = errors.New("the bundle is out of date")

// ErrRecipient means a member named to receive a bundle may not or cannot
// receive it. It is wrapped in a *RecipientError naming each and why.
var ErrRecipient = errors.New("a member cannot receive the bundle")

// RecipientProblem says why one member cannot receive a bundle.
type RecipientProblem struct {
	// Member is the member's name as on the roster, or as given when no
	// member has it.
	Member string `json:"member"`
	// Reason completes a sentence that starts with the name: "has a
	// conflict of interest on amber-heron-42".
	Reason string `json:"reason"`
}

// RecipientError refuses a bundle for every recipient who may not or
// cannot receive it. Nothing is written. It matches ErrRecipient.
type RecipientError struct{ Problems []RecipientProblem }

func (e *RecipientError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Member + " " + p.Reason
	}
	return strings.Join(parts, "; ")
}

// Is makes a *RecipientError match ErrRecipient.
func (e *RecipientError) Is(target error) bool { return target == ErrRecipient }

// ErrUnknownMembers means a bundle's cases refer to committee members who
// are not on this vault's roster. It is wrapped in an
// *UnknownMembersError naming them.
var ErrUnknownMembers = errors.New("the bundle names committee members who are not on your roster")

// UnknownMembersError names the members a bundle refers to that the
// roster lacks.
type UnknownMembersError struct{ Names []string }

func (e *UnknownMembersError) Error() string {
	return ErrUnknownMembers.Error() + ": " + strings.Join(e.Names, ", ")
}

// Is makes an *UnknownMembersError match ErrUnknownMembers.
func (e *UnknownMembersError) Is(target error) bool { return target == ErrUnknownMembers }

// BundleOptions change how a bundle is made.
type BundleOptions struct {
	// AllowSoftConflicts lets a member who declared a soft conflict of
	// interest on one of the cases receive it. A hard conflict always
	// refuses.
	AllowSoftConflicts bool
}

// Outgoing is a bundle checked and made, ready to be written. Making it
// changed nothing in the vault (but for making this vault's keys the first
// time).
type Outgoing struct {
	// ID is the bundle's random identifier, in hex.
	ID string
	// Codes are the cases' code names; To, the recipients' names (the
	// sender is a recipient too, and not listed).
	Codes []string
	To    []string
	// Created is when the bundle was made.
	Created time.Time

	s       *Store
	content *bundleContent
	keys    []MemberKey
	toIDs   []string
	bases   []outBase
	opts    BundleOptions
}

// outBase is a case's version as sent, to keep as a base.
type outBase struct {
	caseID, version string
	records         []bundleRecord
}

func itemUID(signing ed25519.PublicKey, caseID, short string) string {
	h := sha256.New()
	h.Write([]byte("casebook item\n"))
	h.Write(signing)
	h.Write([]byte("\n" + caseID + "\n" + short))
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// baseRef is one kept version of a case.
type baseRef struct {
	Version string    `json:"version"`
	At      time.Time `json:"at"`
	// Parts is how many records beyond the first hold the version's
	// records (see storedBase).
	Parts int `json:"parts,omitempty"`
	// Sent marks a version kept as this vault sent it, before the bundle
	// was written; a version received (or kept before this field) has
	// none. See heldKey.
	Sent bool `json:"sent,omitempty"`
}

// storedBase is a kept version: every record, or for a large one only its
// digest. A long case's records do not fit one vault record (Badger keeps
// no value over 64 MiB, and here each value is in base64): the first
// basePartBytes or so of them are in the version's own record, and the
// rest in Parts more, under basePartKey.
type storedBase struct {
	Version string             `json:"version"`
	Records []storedBaseRecord `json:"records"`
	Parts   int                `json:"parts,omitempty"`
}

// basePartBytes is about the most JSON one record of a kept version
// holds; a part may exceed it by one record (at most maxBaseValue in
// base64).
var basePartBytes = 8 << 20

// basePartKey names part i (from 1) of a kept version.
func basePartKey(version string, i int) string {
	return fmt.Sprintf("%s%s.part%d", baseKeyPre, version, i)
}

// splitBase cuts a kept version's records into parts of about
// basePartBytes of JSON each; there is always at least one.
func splitBase(recs []storedBaseRecord) [][]storedBaseRecord {
	var parts [][]storedBaseRecord
	start, size := 0, 0
	for i, r := range recs {
		n := len(r.Key) + len(r.SHA256) + base64.StdEncoding.EncodedLen(len(r.Value)) + 40
		if i > start && size+n > basePartBytes {
			parts = append(parts, recs[start:i])
			start, size = i, 0
		}
		size += n
	}
	return append(parts, recs[start:])
}

type storedBaseRecord struct {
	Key    string `json:"key"`
	Value  []byte `json:"value,omitempty"`
	SHA256 string `json:"sha256"`
}

// caseRecords reads the records of a case's namespace that travel in a
// bundle, and this vault's bookkeeping records apart. The kept versions
// of the case (baseKeyPre) are not read: there may be 16, each as large
// as the case, and a merge needs one (loadBaseLocked reads it).
func (s *Store) caseRecords(caseID string) (records map[string][]byte, sync map[string][]byte, err error) {
	records, sync = map[string][]byte{}, map[string][]byte{}
	notBase := func(key string) bool { return !strings.HasPrefix(key, baseKeyPre) }
	err = s.st.ScanWhere(caseNS(caseID), "", notBase, func(key string, value []byte) error {
		if strings.HasPrefix(key, syncKeyPre) {
			sync[key] = value
		} else {
			records[key] = value
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("read case %s: %w", caseID, err)
	}
	if b, ok := records[caseKey]; ok {
		records[caseKey] = withoutEmptyItems(b)
	}
	return records, sync, nil
}

// withoutEmptyItems returns a case record without the empty (null) items a
// bundle imported before they were refused could have left in it (see
// dropEmptyItems), so that such a case still travels and merges. Any other
// record is returned as it is.
func withoutEmptyItems(b []byte) []byte {
	if !bytes.Contains(b, []byte("null")) {
		return b // the usual case, without decoding it
	}
	var c Case
	if json.Unmarshal(b, &c) != nil || !c.hasEmptyItem() {
		return b
	}
	c.dropEmptyItems()
	out, err := json.Marshal(&c)
	if err != nil {
		return b
	}
	return out
}

func decodeSync[T any](sync map[string][]byte, ns, key string, v *T) error {
	b, ok := sync[key]
	if !ok {
		return nil
	}
	return decodeRecord(b, ns, key, v)
}

// decodeRecord decodes record ns/key, read as b; unreadable, it is damage.
func decodeRecord[T any](b []byte, ns, key string, v *T) error {
	if err := json.Unmarshal(b, v); err != nil {
		return &vault.CorruptError{Record: ns + "/" + key, Err: errors.New("unreadable record")}
	}
	return nil
}

func sortedRecords(m map[string][]byte) []bundleRecord {
	out := make([]bundleRecord, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, bundleRecord{Key: k, Value: m[k]})
	}
	return out
}

func recordSet(rs []bundleRecord) map[string]*record {
	out := make(map[string]*record, len(rs))
	for _, r := range rs {
		out[r.Key] = newRecord(r.Key, r.Value)
	}
	return out
}

// memberRefs adds the member IDs a case's JSON refers to.
func memberRefs(v any, into map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			if s, ok := c.(string); ok && memberRefFields[k] && s != "" {
				into[s] = true
			} else if o, ok := c.(map[string]any); ok && memberMapFields[k] {
				for m := range o {
					into[m] = true
				}
			} else {
				memberRefs(c, into)
			}
		}
	case []any:
		for _, c := range x {
			memberRefs(c, into)
		}
	}
}

// PrepareBundle makes a bundle of the cases named by code for the members
// named in to (by ID or name), encrypted to them and to the member using
// this vault, and signed by them. It refuses, naming each member and why,
// a recipient who is not an active member, has no keys, or has a conflict
// of interest on any of the cases (a soft one only without
// opts.AllowSoftConflicts). A case this member is shut out of may be
// sent, so that a report about them, filed on their laptop, reaches the
// committee; Casebook shows them nothing of it. It writes nothing:
// Outgoing.Write does.
func (s *Store) PrepareBundle(codes, to []string, opts BundleOptions) (*Outgoing, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case len(codes) == 0:
		return nil, fmt.Errorf("%w: name at least one case to send", ErrInvalid)
	case len(to) == 0:
		return nil, fmt.Errorf("%w: name at least one member to send the cases to", ErrInvalid)
	}
	me := s.roster.Member(s.roster.Me)
	if me == nil {
		return nil, fmt.Errorf("%w: say which member uses this vault first (casebook member me)", ErrInvalid)
	}
	var cases []*Case
	for _, code := range codes {
		c, err := s.lookup(code)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(cases, c) {
			cases = append(cases, c)
		}
	}
	var problems []RecipientProblem
	var recipients []*Member
	for _, name := range to {
		m := s.roster.Find(name)
		if m == nil {
			problems = append(problems, RecipientProblem{Member: strings.TrimSpace(name), Reason: "is not on the roster"})
			continue
		}
		if m.ID == me.ID || slices.Contains(recipients, m) {
			continue
		}
		recipients = append(recipients, m)
		if !m.Active {
			problems = append(problems, RecipientProblem{Member: m.Name, Reason: "is no longer on the committee"})
			continue
		}
		if m.Key == nil {
			problems = append(problems, RecipientProblem{Member: m.Name, Reason: "has no keys yet; record their key line with 'casebook member key'"})
		}
		for _, c := range cases {
			if reason := s.conflictReasonLocked(m, c, opts); reason != "" {
				problems = append(problems, RecipientProblem{Member: m.Name, Reason: reason})
			}
		}
	}
	if len(problems) > 0 {
		return nil, &RecipientError{Problems: problems}
	}
	if len(recipients) == 0 {
		return nil, fmt.Errorf("%w: name at least one other member to send the cases to", ErrInvalid)
	}
	id, err := s.ensureIdentityLocked()
	if err != nil {
		return nil, err
	}
	defer id.wipe()
	myKey := id.public()
	if me.Key == nil || !me.Key.Equal(myKey) {
		// The sender's own entry gets the vault's key, as MyKey does, so
		// that the bundle is recognised if it comes back here.
		r := clone(&s.roster)
		r.Member(r.Me).Key = &myKey
		err := s.st.Update(func(tx *vault.Tx) error {
			tx.Record("member.key", r.Me)
			return putJSON(tx, committeeNS, rosterKey, r)
		})
		if err != nil {
			return nil, err
		}
		s.roster = *r
		me = s.roster.Member(s.roster.Me)
	}

	out := &Outgoing{s: s, Created: s.now().UTC().Truncate(time.Second), keys: []MemberKey{myKey}, opts: opts}
	idBytes := make([]byte, 16)
	if _, err := rand.Read(idBytes); err != nil {
		return nil, err
	}
	out.ID = hex.EncodeToString(idBytes)
	h := &bundleHeader{Format: bundleFormat, ID: out.ID, Created: out.Created,
		Sender:     bundlePeer{Name: me.Name, Age: myKey.Age, Signing: myKey.Signing},
		Recipients: []bundlePeer{{Name: me.Name, Age: myKey.Age, Signing: myKey.Signing}}}
	for _, m := range recipients {
		h.Recipients = append(h.Recipients, bundlePeer{Name: m.Name, Age: m.Key.Age, Signing: m.Key.Signing})
		out.keys = append(out.keys, *m.Key)
		out.To = append(out.To, m.Name)
		out.toIDs = append(out.toIDs, m.ID)
	}
	refs := map[string]bool{me.ID: true}
	payload := &bundlePayload{}
	pub := myKey.signingKey()
	for _, c := range cases {
		records, sync, err := s.caseRecords(c.ID)
		if err != nil {
			return nil, err
		}
		var bases []baseRef
		var stored map[string]string
		if err := decodeSync(sync, caseNS(c.ID), basesKey, &bases); err != nil {
			return nil, err
		}
		if err := decodeSync(sync, caseNS(c.ID), itemsKey, &stored); err != nil {
			return nil, err
		}
		rs := sortedRecords(records)
		set := recordSet(rs)
		version := recordsVersion(rs)
		meta := bundleCaseMeta{ID: c.ID, Version: version, Known: []string{version}, Items: map[string]string{}}
		for _, b := range bases {
			if b.Version != version && len(meta.Known) < maxBundleKnown {
				meta.Known = append(meta.Known, b.Version)
			}
		}
		items := map[string]bool{}
		collectItems(set, items)
		for short := range items {
			if u, ok := stored[short]; ok {
				meta.Items[short] = u
			} else {
				meta.Items[short] = itemUID(pub, c.ID, short)
			}
		}
		for _, r := range set {
			if r.doc != nil {
				memberRefs(r.doc, refs)
			}
		}
		payload.Cases = append(payload.Cases, bundleCase{Meta: meta, Records: rs})
		h.Cases = append(h.Cases, bundleCaseRef{ID: c.ID, Version: version})
		out.Codes = append(out.Codes, c.Code)
		out.bases = append(out.bases, outBase{caseID: c.ID, version: version, records: rs})
	}
	for _, mid := range slices.Sorted(maps.Keys(refs)) {
		m := s.roster.Member(mid)
		if m == nil {
			continue // an ID no roster entry has: left as it is
		}
		bm := bundleMember{ID: m.ID, Name: m.Name}
		if m.Key != nil {
			k := *m.Key
			bm.Key = &k
		}
		payload.Members = append(payload.Members, bm)
	}
	pb, err := payload.marshal()
	if err != nil {
		return nil, err
	}
	if len(pb) > maxBundlePayload {
		return nil, fmt.Errorf("%w: the cases are too large for one bundle (over 1 GiB); send fewer at a time", ErrInvalid)
	}
	sum := sha256.Sum256(pb)
	h.PayloadSize, h.PayloadSHA256 = int64(len(pb)), hex.EncodeToString(sum[:])
	hb, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	out.content = &bundleContent{Header: hb, Signature: ed25519.Sign(id.sign, signedMessage(hb)), Payload: pb}
	return out, nil
}

// Write records the bundle in the vault — each case's version as sent is
// kept as a base for later merges, and the audit log gets an entry for
// each case — and then writes the encrypted bundle to w. The audit entry
// comes first, so that the log never misses a bundle that left; if
// writing fails, the log says so too. Give w a file that appears only when
// complete, such as export.WriteFile makes.
func (o *Outgoing) Write(w io.Writer) error {
	if err := o.s.recordExport(o); err != nil {
		return err
	}
	if err := sealBundle(w, o.content, o.keys); err != nil {
		o.s.st.Update(func(tx *vault.Tx) error {
			tx.Record("bundle.export-failed", "bundle "+o.ID)
			return nil
		})
		return err
	}
	return nil
}

// conflictReasonLocked says why member m may not receive case c, a
// conflict of interest on it (a soft one only without
// opts.AllowSoftConflicts), or "" when they may. The caller holds s.mu.
func (s *Store) conflictReasonLocked(m *Member, c *Case, opts BundleOptions) string {
	for _, k := range c.Conflicts {
		if k.MemberID != m.ID || (k.Kind == SoftConflict && opts.AllowSoftConflicts) {
			continue
		}
		switch {
		case s.excludedLocked(c):
			// The sender may not learn who else is shut out of a case they
			// are shut out of, nor how.
			return "may not receive " + c.Code
		case k.Kind == SoftConflict:
			return "has declared a soft conflict of interest on " + c.Code + " (allow soft conflicts to send it anyway)"
		}
		return "has a conflict of interest on " + c.Code
	}
	return ""
}

// dueSendOnLocked lists an item for each open case the member using this
// vault is shut out of and that no other member holds: it has neither left
// this vault in a bundle nor come to it in one (it keeps no version as
// sent or received). Such a case is a report filed on this laptop about its
// member, or one they declared a conflict on before sending it: hidden
// from them, and known to nobody who may act on it. A bundle written counts
// as sending it on, whoever it was for: whether they imported it, or may
// act on it, this vault cannot know. A case whose records saying so cannot
// be read is listed too: a reminder too many is cheaper than a report
// nobody answers. The caller holds s.mu.
func (s *Store) dueSendOnLocked(asOf time.Time) []DueItem {
	dayStart := s.config.StartOfDay(asOf)
	var items []DueItem
	for _, c := range s.cases {
		if c.Closed() || !s.meShutOutLocked(c) || c.Received.After(asOf) {
			continue
		}
		if s.heldElsewhereLocked(c) {
			continue
		}
		items = append(items, DueItem{Kind: DueSendOn, CaseID: c.ID, Code: c.Code, Due: c.Received,
			Overdue: c.Received.Before(dayStart),
			Text:    "Send the report to members who may see it: you are shut out of it, and no other member has it"})
	}
	return items
}

// heldElsewhereLocked reports whether another member is known to hold c:
// a bundle of it was written, or a version of it came in one. A case
// whose records cannot be read is not known to be. The caller holds s.mu.
func (s *Store) heldElsewhereLocked(c *Case) bool {
	ns := caseNS(c.ID)
	if _, err := s.st.Get(ns, heldKey); err == nil {
		return true
	}
	var bases []baseRef
	if err := s.loadJSON(ns, basesKey, &bases); err != nil {
		return false
	}
	return slices.ContainsFunc(bases, func(b baseRef) bool { return !b.Sent })
}

// Written records that the bundle's file is complete and in place, so
// that another member holds each of its cases (see DueSendOn); call it
// once the file is, as export.WriteBundle does. Until then, a case the
// member is shut out of stays due to be sent: a bundle whose write failed
// after Write recorded it has reached nobody.
func (o *Outgoing) Written() error {
	s := o.s
	s.mu.Lock()
	defer s.mu.Unlock()
	for start := 0; start < len(o.bases); start += casesPerUpdate {
		chunk := o.bases[start:min(start+casesPerUpdate, len(o.bases))]
		err := s.st.Update(func(tx *vault.Tx) error {
			for _, b := range chunk {
				if s.cases[b.caseID] == nil {
					continue // expunged meanwhile: nothing of it is kept
				}
				if err := putJSON(tx, caseNS(b.caseID), heldKey, s.now().UTC()); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// recordExport keeps each case's version as sent and writes the audit
// entries, a few cases per write.
func (s *Store) recordExport(o *Outgoing) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	// What changed since the bundle was prepared may forbid it, by the
	// rules PrepareBundle applied: a case expunged (the bundle holds what
	// the vault destroyed), or a member it is for who may no longer
	// receive a case in it (a conflict declared meanwhile, say while the
	// save dialog was open, or the member gone from the committee).
	for _, b := range o.bases {
		c := s.cases[b.caseID]
		if c == nil {
			return fmt.Errorf("%w: a case in it was expunged since", ErrBundleStale)
		}
		for _, id := range o.toIDs {
			if m := s.roster.Member(id); m == nil || !m.Active || s.conflictReasonLocked(m, c, o.opts) != "" {
				return fmt.Errorf("%w: a member it is for may no longer receive a case in it", ErrBundleStale)
			}
		}
	}
	for start := 0; start < len(o.bases); start += casesPerUpdate {
		chunk := o.bases[start:min(start+casesPerUpdate, len(o.bases))]
		err := s.st.Update(func(tx *vault.Tx) error {
			if start == 0 {
				tx.Record("bundle.export", fmt.Sprintf("bundle %s: %d cases to %s", o.ID, len(o.bases), strings.Join(o.toIDs, ",")))
			}
			for _, b := range chunk {
				if err := keepBase(tx, b.caseID, b.version, b.records, s.now(), true); err != nil {
					return err
				}
				tx.Record("bundle.export", caseNS(b.caseID))
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// keepBase stores a version of a case as a base, newest first, and forgets
// the oldest beyond maxBases.
func keepBase(tx *vault.Tx, caseID, version string, records []bundleRecord, now time.Time, sent bool) error {
	ns := caseNS(caseID)
	var bases []baseRef
	if err := getJSONTx(tx, ns, basesKey, &bases); err != nil {
		return err
	}
	if len(bases) > 0 && bases[0].Version == version && (sent || !bases[0].Sent) {
		return nil
	}
	ref := baseRef{Version: version, At: now.UTC(), Sent: sent}
	if i := slices.IndexFunc(bases, func(b baseRef) bool { return b.Version == version }); i >= 0 {
		ref.Parts = bases[i].Parts       // kept already: only moved to the front
		ref.Sent = sent && bases[i].Sent // received once, it stays so
		bases = slices.Delete(bases, i, i+1)
	} else {
		recs := make([]storedBaseRecord, 0, len(records))
		for _, r := range records {
			sum := sha256.Sum256(r.Value)
			br := storedBaseRecord{Key: r.Key, SHA256: hex.EncodeToString(sum[:])}
			if len(r.Value) <= maxBaseValue {
				br.Value = r.Value
			}
			recs = append(recs, br)
		}
		parts := splitBase(recs)
		ref.Parts = len(parts) - 1
		if err := putJSON(tx, ns, baseKeyPre+version, storedBase{Version: version, Records: parts[0], Parts: ref.Parts}); err != nil {
			return err
		}
		for i, part := range parts[1:] {
			if err := putJSON(tx, ns, basePartKey(version, i+1), storedBase{Version: version, Records: part}); err != nil {
				return err
			}
		}
	}
	bases = append([]baseRef{ref}, bases...)
	for _, old := range bases[min(len(bases), maxBases):] {
		if err := tx.Delete(ns, baseKeyPre+old.Version); err != nil {
			return err
		}
		for i := range old.Parts {
			if err := tx.Delete(ns, basePartKey(old.Version, i+1)); err != nil {
				return err
			}
		}
	}
	return putJSON(tx, ns, basesKey, bases[:min(len(bases), maxBases)])
}

// loadBaseLocked returns a kept version's records (nil if it is not
// kept), read from the vault. Its head and parts are read one by one, so
// the caller holds s.mu, under which alone they are written.
func (s *Store) loadBaseLocked(caseID, version string) (map[string]*record, error) {
	ns := caseNS(caseID)
	read := func(key string, sb *storedBase) error {
		b, err := s.st.Get(ns, key)
		if errors.Is(err, vault.ErrNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read case %s: %w", caseID, err)
		}
		return decodeRecord(b, ns, key, sb)
	}
	var sb storedBase
	if err := read(baseKeyPre+version, &sb); err != nil {
		return nil, err
	}
	if sb.Version != version {
		return nil, nil
	}
	for i := range sb.Parts {
		key := basePartKey(version, i+1)
		var part storedBase
		if err := read(key, &part); err != nil {
			return nil, err
		}
		if part.Version != version {
			return nil, &vault.CorruptError{Record: caseNS(caseID) + "/" + key, Err: errors.New("a part of a kept version is missing")}
		}
		sb.Records = append(sb.Records, part.Records...)
	}
	out := make(map[string]*record, len(sb.Records))
	for _, r := range sb.Records {
		if r.Value != nil || r.SHA256 == hex.EncodeToString(sha256.New().Sum(nil)) {
			out[r.Key] = newRecord(r.Key, r.Value)
			continue
		}
		sum, err := hex.DecodeString(r.SHA256)
		if err != nil || len(sum) != sha256.Size {
			return nil, &vault.CorruptError{Record: caseNS(caseID) + "/" + baseKeyPre + version, Err: errors.New("unreadable record")}
		}
		rec := &record{}
		copy(rec.sum[:], sum)
		out[r.Key] = rec
	}
	return out, nil
}

// ImportStatus says what importing did with one case.
type ImportStatus string

// What importing can do with a case.
const (
	ImportAdded     ImportStatus = "added"     // new here
	ImportMerged    ImportStatus = "merged"    // changes taken, or conflicts to settle
	ImportUnchanged ImportStatus = "unchanged" // this vault had everything already
	ImportSkipped   ImportStatus = "skipped"   // not taken: see Reason
)

// ImportedCase is what importing did with one case of a bundle.
type ImportedCase struct {
	// Code is the case's code name here; empty for a case skipped
	// because you have a conflict of interest on it.
	Code   string       `json:"code,omitempty"`
	Status ImportStatus `json:"status"`
	// Taken counts the changes taken from the bundle; Renamed, the items
	// that got a new ID here; Conflicts, the places left to settle.
	Taken     int `json:"taken,omitempty"`
	Renamed   int `json:"renamed,omitempty"`
	Conflicts int `json:"conflicts,omitempty"`
	// Reason says why a case was skipped.
	Reason string `json:"reason,omitempty"`
}

// PartialImportError means an import stopped part-way, for instance on a
// full disk: the bundle's first Imported cases (those in the report) were
// written, each whole, and the others not. Importing the bundle again takes
// only what is still missing.
type PartialImportError struct {
	Imported, Total int
	// Begun is set when the case after those was too large for one write
	// and some of its messages were written before the import stopped.
	// Held says the case is one this vault holds: the messages written
	// are the case's own from then on. Otherwise the case is not in the
	// case book until an import of it is finished.
	Begun, Held bool
	// Reserved is set when that case is held here and the import stopped
	// after reserving the IDs of its new messages, before writing any:
	// the case shows nothing new.
	Reserved bool
	Err      error
}

func (e *PartialImportError) Error() string {
	return fmt.Sprintf("import stopped after %s: %v", e.Progress(), e.Err)
}

// Progress says how far the import got, as a phrase to follow "stopped
// after": "2 of the bundle's 5 cases, each of those whole", and, when the
// next was begun, what of it is in.
func (e *PartialImportError) Progress() string {
	var p string
	switch {
	case e.Imported == 0 && e.Begun && e.Held:
		return "some of the new messages of the bundle's first case, which are in that case now"
	case e.Imported == 0 && e.Begun:
		return "part of the bundle's first case, which is not in your vault until the import is finished"
	case e.Imported == 0 && e.Reserved:
		return "reserving the numbers of the new messages of the bundle's first case, none of which is in it yet"
	default:
		p = fmt.Sprintf("%d of the bundle's %d cases, each of those whole", e.Imported, e.Total)
	}
	switch {
	case e.Begun && e.Held:
		p += ", and some of the next case's new messages, which are in that case now"
	case e.Begun:
		p += ", and part of the next, which is not in your vault until the import is finished"
	case e.Reserved:
		p += ", and the numbers of the next case's new messages, none of which is in it yet"
	}
	return p
}

// Stopped names the case the import stopped in, to follow Progress: "that
// case" if the import had begun writing it, else "the next case".
func (e *PartialImportError) Stopped() string {
	if e.Begun || e.Reserved {
		return "that case"
	}
	return "the next case"
}

// Unwrap returns the cause.
func (e *PartialImportError) Unwrap() error { return e.Err }

// ImportReport is what importing a bundle did.
type ImportReport struct {
	// From is the sender's name on this roster; Created, when they made
	// the bundle.
	From    string         `json:"from"`
	Created time.Time      `json:"created"`
	Cases   []ImportedCase `json:"cases"`
}

// Conflicts counts the places left to settle.
func (r *ImportReport) Conflicts() int {
	n := 0
	for _, c := range r.Cases {
		n += c.Conflicts
	}
	return n
}

// ImportBundle reads a bundle and merges its cases into the case book.
// It refuses — with an error matching ErrNotBundle, ErrBundleVersion,
// ErrNotForYou, ErrBundleDamaged, ErrBundleTruncated, ErrUnsigned,
// ErrUnknownSigner, ErrBadSignature or ErrUnknownMembers, and nothing
// changed — a bundle that is not for this vault's member, not signed by an
// active member on the roster with the key the roster has for them, or
// altered in any byte. It then merges each case: a new case is added (with
// a new code name if its own is taken here), a case this vault has is
// merged with it (see merge.go), and where both sides changed the same
// field differently, this vault's version stays and a conflict is kept for
// the member to settle (MergeConflicts, ResolveConflict). A case this
// member has a hard conflict of interest on, or that was expunged here, is
// skipped. Each case is merged in one atomic write, or, when it is too
// large for one, in several (see applyPlanLocked); importing the same
// bundle again changes no case. The audit log records the import.
func (s *Store) ImportBundle(r io.Reader) (*ImportReport, error) {
	id, found, err := s.loadIdentity()
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("%w: this vault has no keys yet ('casebook key' makes them)", ErrNotForYou)
	}
	defer id.wipe()
	content, h, err := openBundle(r, id)
	if err != nil {
		return nil, err
	}
	myKey := id.public()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.roster.Me == "" {
		// Every case anyone is shut out of would be skipped as one of
		// ours, and lost to this vault.
		return nil, fmt.Errorf("%w: say which member uses this vault first (casebook member me)", ErrInvalid)
	}
	var sender *Member
	for _, m := range s.roster.Members {
		if m.Key != nil && m.Key.Signing == h.Sender.Signing {
			sender = m
		}
	}
	if sender == nil {
		return nil, ErrUnknownSigner
	}
	if !sender.Active {
		return nil, fmt.Errorf("%w: a former member (%s)", ErrUnknownSigner, sender.Name)
	}
	if err := content.verify(h); err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(h.Recipients, func(p bundlePeer) bool { return p.key().Equal(myKey) }) {
		return nil, fmt.Errorf("%w: its sender did not address it to you", ErrNotForYou)
	}
	p, err := parseBundlePayload(content.Payload)
	if err != nil {
		return nil, err
	}
	if len(p.Cases) != len(h.Cases) {
		return nil, fmt.Errorf("%w: its cases do not match its header", ErrBundleDamaged)
	}
	for i, c := range p.Cases {
		if c.Meta.ID != h.Cases[i].ID || c.Meta.Version != h.Cases[i].Version {
			return nil, fmt.Errorf("%w: its cases do not match its header", ErrBundleDamaged)
		}
	}
	members, err := s.memberMap(p.Members)
	if err != nil {
		return nil, err
	}
	tombstones, err := s.tombstones()
	if err != nil {
		return nil, err
	}
	in := &incoming{header: h, sender: sender, members: members, senderKey: h.Sender.key().signingKey(),
		myKey: myKey.signingKey(), tombstones: tombstones}
	// Check every case before writing any, so that a damaged one changes
	// nothing.
	plans := make([]*casePlan, len(p.Cases))
	for i, c := range p.Cases {
		if plans[i], err = s.planCaseLocked(in, c); err != nil {
			return nil, err
		}
	}
	rep := &ImportReport{From: sender.Name, Created: h.Created}
	first := true
	for i, plan := range plans {
		if err := s.applyPlanLocked(in, plan, first); err != nil {
			if !first || plan.wrote || plan.reserved {
				// The cases before this one are in, or some of its
				// messages, or their IDs: say so, not "nothing changed".
				return rep, &PartialImportError{Imported: i, Total: len(plans), Begun: plan.wrote,
					Held: (plan.wrote || plan.reserved) && !plan.isNew, Reserved: plan.reserved && !plan.wrote, Err: err}
			}
			return rep, err
		}
		first = first && !plan.wrote
		rep.Cases = append(rep.Cases, plan.result)
	}
	if first {
		err := s.st.Update(func(tx *vault.Tx) error {
			tx.Record("bundle.import", fmt.Sprintf("bundle %s from %s: nothing new", h.ID, sender.ID))
			return nil
		})
		if err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// incoming is what importing one bundle knows besides its cases.
type incoming struct {
	header           *bundleHeader
	sender           *Member
	members          map[string]string
	senderKey, myKey ed25519.PublicKey
	tombstones       map[string]bool
	codes            map[string]bool // code names given during this import
}

// memberMap maps the bundle's member IDs to this roster's, by signing key
// and then by name.
func (s *Store) memberMap(members []bundleMember) (map[string]string, error) {
	out := map[string]string{}
	var unknown []string
	for _, bm := range members {
		var local *Member
		if bm.Key != nil {
			for _, m := range s.roster.Members {
				if m.Key != nil && m.Key.Signing == bm.Key.Signing {
					local = m
				}
			}
		}
		if local == nil {
			local = s.roster.Find(bm.Name)
		}
		if local == nil {
			unknown = append(unknown, bm.Name)
			continue
		}
		out[bm.ID] = local.ID
	}
	if len(unknown) > 0 {
		return nil, &UnknownMembersError{Names: unknown}
	}
	return out, nil
}

// tombstones returns the IDs of the cases expunged from this vault.
func (s *Store) tombstones() (map[string]bool, error) {
	var ids []string
	if err := s.loadJSON(committeeNS, tombstonesKey, &ids); err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// casePlan is the merge of one case, worked out before anything is
// written.
type casePlan struct {
	result  ImportedCase
	caseID  string
	version string
	skip    bool
	// The new state: the case, and the records to put and delete.
	c       *Case
	put     map[string][]byte
	del     []string
	base    []bundleRecord // theirs, in this vault's terms, to keep as a base
	items   map[string]string
	newItem map[string]string // item UIDs to add to the stored ones
	found   []rawConflict
	isNew   bool
	wrote   bool // some of its records are written
	// reserved: the identities of its new items and the case's numbering
	// past their IDs are written (a case held here), maybe nothing else.
	reserved bool
	msgs     int // the case's messages after the merge
}

// planCaseLocked works out what importing one case does. The caller holds
// s.mu.
func (s *Store) planCaseLocked(in *incoming, bc bundleCase) (*casePlan, error) {
	plan := &casePlan{caseID: bc.Meta.ID, version: bc.Meta.Version}
	damaged := func(why string) (*casePlan, error) {
		return nil, fmt.Errorf("%w: %s", ErrBundleDamaged, why)
	}
	theirs := recordSet(bc.Records)
	tr := theirs[caseKey]
	if tr == nil || tr.doc == nil {
		return damaged("a case record is unreadable")
	}
	if in.tombstones[bc.Meta.ID] {
		// Named only to a member who may know the case: its code would
		// tell one shut out of it that it came back.
		code := ""
		var tc Case
		t := (&translation{members: in.members}).records(map[string]*record{caseKey: tr})
		if json.Unmarshal(t[caseKey].raw, &tc) == nil && !s.excludedLocked(&tc) {
			code = tc.Code
		}
		plan.skip, plan.result = true, ImportedCase{Code: code, Status: ImportSkipped, Reason: "it was expunged here"}
		return plan, nil
	}
	uids := map[string]bool{}
	for _, u := range bc.Meta.Items {
		if uids[u] {
			return damaged("two items share an identity")
		}
		uids[u] = true
	}
	theirs = (&translation{members: in.members}).records(theirs)
	var tc Case
	if err := json.Unmarshal(theirs[caseKey].raw, &tc); err != nil || tc.ID != bc.Meta.ID {
		return damaged("a case record is unreadable")
	}
	if tc.hasEmptyItem() {
		return damaged("a case record has an empty item")
	}
	local := s.cases[bc.Meta.ID]
	if (local != nil && s.excludedLocked(local)) || s.excludedLocked(&tc) {
		plan.skip, plan.result = true, ImportedCase{Status: ImportSkipped, Reason: "you have a conflict of interest on it"}
		return plan, nil
	}

	mine := map[string]*record{}
	var base map[string]*record
	stored := map[string]string{}
	if local != nil {
		records, sync, err := s.caseRecords(local.ID)
		if err != nil {
			return nil, err
		}
		for k, v := range records {
			mine[k] = newRecord(k, v)
		}
		var bases []baseRef
		if err := decodeSync(sync, caseNS(local.ID), basesKey, &bases); err != nil {
			return nil, err
		}
		if err := decodeSync(sync, caseNS(local.ID), itemsKey, &stored); err != nil {
			return nil, err
		}
		for _, v := range bc.Meta.Known {
			if slices.ContainsFunc(bases, func(b baseRef) bool { return b.Version == v }) {
				if base, err = s.loadBaseLocked(local.ID, v); err != nil {
					return nil, err
				}
				if base != nil {
					break
				}
			}
		}
	}

	// Give the incoming items this vault's short IDs.
	localItems, theirItems := map[string]bool{}, map[string]bool{}
	collectItems(mine, localItems)
	collectItems(base, localItems)
	collectItems(theirs, theirItems)
	uidOf := func(short string) string {
		if u, ok := stored[short]; ok {
			return u
		}
		return itemUID(in.myKey, bc.Meta.ID, short)
	}
	byUID := map[string]string{}
	used := map[string]bool{}
	for short := range localItems {
		byUID[uidOf(short)], used[short] = short, true
	}
	for short, u := range stored {
		if _, ok := byUID[u]; !ok {
			byUID[u] = short
		}
		used[short] = true
	}
	seq := maxSeq(seqOf(docOf(mine[caseKey])), seqOf(docOf(base[caseKey])), seqOf(theirs[caseKey].doc))
	items := map[string]string{}
	plan.newItem = map[string]string{}
	for _, short := range sortedItemIDs(theirItems) {
		u, ok := bc.Meta.Items[short]
		if !ok {
			u = itemUID(in.senderKey, bc.Meta.ID, short)
		}
		if l, ok := byUID[u]; ok {
			if l != short {
				items[short] = l
			}
			continue
		}
		l := short
		for used[l] {
			seq++
			l = itemPrefix(short) + fmt.Sprint(seq)
		}
		if l != short {
			items[short] = l
			plan.result.Renamed++
		}
		used[l], byUID[u] = true, l
		if u != itemUID(in.myKey, bc.Meta.ID, l) {
			plan.newItem[l] = u
		}
	}
	theirs = (&translation{items: items}).records(theirs)
	plan.base = make([]bundleRecord, 0, len(theirs))
	for _, k := range slices.Sorted(maps.Keys(theirs)) {
		plan.base = append(plan.base, bundleRecord{Key: k, Value: theirs[k].raw})
	}

	var caseDoc any
	var merged map[string]*record
	m := &merger{}
	if local == nil {
		plan.isNew = true
		caseDoc = theirs[caseKey].doc
		merged = theirs
	} else {
		mc, _ := docOf(mine[caseKey]).(map[string]any)
		if mc == nil {
			return nil, &vault.CorruptError{Record: caseNS(local.ID) + "/" + caseKey, Err: errors.New("unreadable record")}
		}
		// The code name is this vault's own; the item counter is the
		// highest of both and of the IDs just given.
		pin := func(d any) any {
			o, ok := d.(map[string]any)
			if !ok {
				return absent
			}
			o = maps.Clone(o)
			o["code"], o["seq"] = mc["code"], mc["seq"]
			return o
		}
		var bdoc any = absent
		if b := base[caseKey]; b != nil && b.doc != nil {
			bdoc = pin(b.doc)
		}
		caseDoc = m.merge(caseKey, nil, bdoc, mc, pin(theirs[caseKey].doc))
		merged = m.mergeRecords(base, mine, theirs)
	}
	o, _ := caseDoc.(map[string]any)
	o = maps.Clone(o)
	o["seq"] = json.Number(fmt.Sprint(seq))
	c := &Case{}
	if err := json.Unmarshal(canon(o), c); err != nil || c.ID != bc.Meta.ID {
		return damaged("a case cannot be merged")
	}
	if c.hasEmptyItem() {
		return damaged("a case record has an empty item")
	}
	for _, v := range c.Votes {
		if v.Ballots == nil {
			v.Ballots = map[string]Choice{}
		}
	}
	if plan.isNew {
		code := strings.ToLower(strings.TrimSpace(c.Code))
		taken := func(x string) bool { _, t := s.codes[x]; return t || in.codes[x] }
		if !codeNamePattern.MatchString(code) || taken(code) {
			code = NewCodeName(taken)
		}
		c.Code = code
		if in.codes == nil {
			in.codes = map[string]bool{}
		}
		in.codes[code] = true
	}
	plan.c = c
	plan.found = m.conflicts
	plan.items = items
	plan.put = map[string][]byte{}
	caseBytes, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	if mine[caseKey] == nil || !bytes.Equal(mine[caseKey].raw, caseBytes) {
		plan.put[caseKey] = caseBytes
	}
	for k, r := range merged {
		if k == caseKey {
			continue
		}
		if r.raw == nil {
			return damaged("a record cannot be merged")
		}
		if mr := mine[k]; mr == nil || mr.sum != r.sum {
			if !readableRecord(k, r.raw) {
				return damaged("a message record is unreadable")
			}
			plan.put[k] = r.raw
		}
	}
	for k := range mine {
		if _, ok := merged[k]; !ok && k != caseKey {
			plan.del = append(plan.del, k)
		}
	}
	for k := range merged {
		if strings.HasPrefix(k, msgKeyPre) {
			plan.msgs++
		}
	}
	slices.Sort(plan.del)
	plan.result.Code = c.Code
	plan.result.Taken = m.taken
	plan.result.Conflicts = len(m.conflicts)
	switch {
	case plan.isNew:
		plan.result.Status = ImportAdded
	case len(plan.put) > 0 || len(plan.del) > 0 || len(m.conflicts) > 0:
		plan.result.Status = ImportMerged
	default:
		plan.result.Status = ImportUnchanged
	}
	return plan, nil
}

// readableRecord reports whether a record a bundle brings can be read as
// what its key says it is: a message must read as a Message with the ID
// its key names, or the case's messages could not be read at all. Records
// of kinds this version does not read are kept as they are.
func readableRecord(key string, value []byte) bool {
	id, ok := strings.CutPrefix(key, msgKeyPre)
	if !ok {
		return true
	}
	var m Message
	return json.Unmarshal(value, &m) == nil && m.ID == id
}

func docOf(r *record) any {
	if r == nil || r.doc == nil {
		return absent
	}
	return r.doc
}

// sortedItemIDs orders short IDs by prefix and number: "p2" before "p10".
func sortedItemIDs(ids map[string]bool) []string {
	out := slices.Collect(maps.Keys(ids))
	slices.SortFunc(out, func(a, b string) int {
		if c := strings.Compare(itemPrefix(a), itemPrefix(b)); c != 0 {
			return c
		}
		if len(a) != len(b) {
			return len(a) - len(b)
		}
		return strings.Compare(a, b)
	})
	return out
}

// partBudget is the most one write of a case's messages holds when the
// case is too large to merge in one write: half of what the vault takes,
// for room to spare.
const partBudget = vault.MaxWrite / 2

// pendingKey marks the namespace of a case new to this vault whose import
// stopped part-way: it holds some of the case's messages and no case
// record yet. The case's last write deletes it; the next unlock destroys
// a namespace still marked (OpenStore).
const pendingKey = syncKeyPre + "pending"

// parts splits a merge too large for one write: the message and
// attachment records it puts, in groups of at most partBudget, to be
// written before the rest (see writeParts). Attachments sort before
// messages, so that a message written in a part has its attachments in.
func (p *casePlan) parts(ns string) [][]string {
	return writeParts(ns, p.put, 0, func(k string) bool {
		return strings.HasPrefix(k, attKeyPre) || strings.HasPrefix(k, msgKeyPre)
	})
}

// writeParts splits a change too large for one write: of the records in
// put, those early says may go first, in sorted groups of at most
// partBudget, to be written before the rest (rest is what the change
// writes besides put, as PutCost counts it). Each such record must be
// whole on its own. It returns nil when the whole change fits in one
// write.
func writeParts(ns string, put map[string][]byte, rest int, early func(key string) bool) [][]string {
	total := rest
	for k, v := range put {
		total += vault.PutCost(ns, k, len(v))
	}
	if total <= partBudget {
		return nil
	}
	var parts [][]string
	var cur []string
	size := 0
	for _, k := range slices.Sorted(maps.Keys(put)) {
		if !early(k) {
			continue
		}
		c := vault.PutCost(ns, k, len(put[k]))
		if len(cur) > 0 && size+c > partBudget {
			parts, cur, size = append(parts, cur), nil, 0
		}
		cur, size = append(cur, k), size+c
	}
	if len(cur) > 0 {
		parts = append(parts, cur)
	}
	return parts
}

// applyPlanLocked writes one case's merge in one atomic change and makes
// it current. The caller holds s.mu.
//
// A case too large for one write has its new and changed attachments and
// messages written first, in as many writes as they take (parts), and the
// rest in one. For a case new to this vault, nothing shows them until the
// case record, written last, is in; an import stopped between them leaves
// the namespace marked (pendingKey), and importing again writes only what
// is missing (fitLeftoversLocked). For a case this vault holds, a first
// small write stores the identities of the items the merge brings and
// raises the case's numbering past their IDs, so that the messages
// written are the case's own from then on: shown with it, their IDs never
// given to another item, and recognized by the next import.
func (s *Store) applyPlanLocked(in *incoming, plan *casePlan, first bool) error {
	if plan.skip {
		return nil
	}
	ns := caseNS(plan.caseID)
	if plan.isNew {
		if err := s.fitLeftoversLocked(plan); err != nil {
			return err
		}
	}
	var conflicts *storedConflicts
	if len(plan.found) > 0 {
		var err error
		if conflicts, err = s.loadConflicts(plan.caseID); err != nil {
			return err
		}
		for _, f := range plan.found {
			conflicts.add(f, in.sender.ID, in.header.ID, s.now())
		}
	}
	changed := len(plan.put) > 0 || len(plan.del) > 0 || conflicts != nil
	recordsChanged := len(plan.put) > 0 || len(plan.del) > 0
	recordImport := func(tx *vault.Tx) {
		if first {
			tx.Record("bundle.import", fmt.Sprintf("bundle %s from %s: %d cases", in.header.ID, in.sender.ID, len(in.header.Cases)))
		}
	}
	parts := plan.parts(ns)
	if len(parts) > 0 && !plan.isNew {
		// Before any message: the identities of every item the merge
		// brings, and the case's numbering past their IDs, so that the
		// messages written, and what they refer to, keep their IDs
		// however the import goes on.
		err := s.st.Update(func(tx *vault.Tx) error {
			recordImport(tx)
			if err := addItemsTx(tx, ns, plan.newItem); err != nil {
				return err
			}
			if err := raiseSeqTx(tx, ns, plan.c.Seq); err != nil {
				return err
			}
			tx.Record("bundle.merge.part", ns+": identities")
			return nil
		})
		if err != nil {
			return err
		}
		first, plan.reserved = false, true
	}
	for i, part := range parts {
		err := s.st.Update(func(tx *vault.Tx) error {
			recordImport(tx)
			for _, k := range part {
				if err := tx.Put(ns, k, plan.put[k]); err != nil {
					return err
				}
			}
			if plan.isNew && i == 0 {
				if err := putJSON(tx, ns, pendingKey, in.header.ID); err != nil {
					return err
				}
			}
			tx.Record("bundle.merge.part", fmt.Sprintf("%s: messages, part %d", ns, i+1))
			return nil
		})
		if err != nil {
			s.afterStopLocked(plan)
			return err
		}
		first, plan.wrote = false, true
		for _, k := range part {
			delete(plan.put, k)
		}
	}
	err := s.st.Update(func(tx *vault.Tx) error {
		recordImport(tx)
		for _, k := range slices.Sorted(maps.Keys(plan.put)) {
			if err := tx.Put(ns, k, plan.put[k]); err != nil {
				return err
			}
		}
		for _, k := range plan.del {
			if err := tx.Delete(ns, k); err != nil {
				return err
			}
		}
		if plan.isNew {
			if err := tx.Delete(ns, pendingKey); err != nil {
				return err
			}
		}
		if err := keepBase(tx, plan.caseID, plan.version, plan.base, s.now(), false); err != nil {
			return err
		}
		if err := addItemsTx(tx, ns, plan.newItem); err != nil {
			return err
		}
		if conflicts != nil {
			if err := s.saveConflictsTx(tx, plan.caseID, conflicts); err != nil {
				return err
			}
		}
		if changed {
			tx.Record("bundle.merge", ns)
		}
		return nil
	})
	if err != nil {
		s.afterStopLocked(plan)
		return err
	}
	plan.wrote = true
	if conflicts != nil {
		s.noteConflictsLocked(plan.caseID, conflicts)
	}
	if !recordsChanged {
		return nil
	}
	old := s.cases[plan.caseID]
	if old != nil && old.Code != plan.c.Code {
		delete(s.codes, old.Code)
	}
	s.cases[plan.caseID] = leanCase(plan.c)
	s.codes[plan.c.Code] = plan.caseID
	s.msgs[plan.caseID] = plan.msgs
	s.caseChangedLocked(old, s.cases[plan.caseID])
	s.reindexLocked(plan.c, nil)
	return nil
}

// addItemsTx adds item identities (by short item ID) to the case's stored
// ones.
func addItemsTx(tx *vault.Tx, ns string, ids map[string]string) error {
	if len(ids) == 0 {
		return nil
	}
	stored := map[string]string{}
	if err := getJSONTx(tx, ns, itemsKey, &stored); err != nil {
		return err
	}
	maps.Copy(stored, ids)
	return putJSON(tx, ns, itemsKey, stored)
}

// raiseSeqTx raises the stored case's numbering to at least seq, so that
// no item made here takes the ID of one a merge has written.
func raiseSeqTx(tx *vault.Tx, ns string, seq int) error {
	b, err := tx.Get(ns, caseKey)
	if err != nil {
		return err
	}
	var c Case
	if json.Unmarshal(b, &c) != nil {
		return &vault.CorruptError{Record: ns + "/" + caseKey, Err: errors.New("unreadable record")}
	}
	if c.Seq >= seq {
		return nil
	}
	c.dropEmptyItems()
	c.Seq = seq
	return putJSON(tx, ns, caseKey, &c)
}

// fitLeftoversLocked fits the merge of a case new to this vault to what an
// import of it that stopped part-way left in its namespace (marked with
// pendingKey): a record there as the bundle has it is not written again,
// and one the bundle does not have is deleted, so that the case holds the
// bundle's records and no others. Records in an unmarked namespace are a
// case whose case record is missing: damage, refused. The caller holds
// s.mu.
func (s *Store) fitLeftoversLocked(plan *casePlan) error {
	records, sync, err := s.caseRecords(plan.caseID)
	if err != nil {
		return err
	}
	if _, marked := sync[pendingKey]; len(records) > 0 && !marked {
		// Records of a case not in the case book, and not left by an
		// import: its case record is gone. Writing over them would lose
		// what only this vault had.
		return &vault.CorruptError{Record: caseNS(plan.caseID) + "/" + caseKey, Err: errors.New("the case record is missing")}
	}
	for k, v := range records {
		switch put, ok := plan.put[k]; {
		case !ok:
			plan.del = append(plan.del, k)
		case bytes.Equal(put, v):
			delete(plan.put, k)
		}
	}
	slices.Sort(plan.del)
	return nil
}

// afterStopLocked brings the case book in line with the vault when the
// merge of a case this vault holds stopped after some of its messages
// were written: their count, and the search index. When the messages
// cannot be read (the import stopped on damage, say), both stay as they
// were until the next unlock. The caller holds s.mu.
func (s *Store) afterStopLocked(plan *casePlan) {
	if !plan.wrote || plan.isNew {
		return
	}
	n := 0
	if s.st.Scan(caseNS(plan.caseID), msgKeyPre, func(string, []byte) error { n++; return nil }) != nil {
		return
	}
	s.msgs[plan.caseID] = n
	if c := s.cases[plan.caseID]; c != nil {
		s.reindexLocked(c, nil)
	}
}
