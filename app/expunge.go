package app

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"casebook/vault"
)

// Retention. A closed case is kept until its expunge date (Case.ExpungeOn,
// set when it closes) and then destroyed: Store.Expunge counts it for the
// archive's statistics (AddExpunged's counts: quarter received, category,
// outcome — nothing that identifies anyone), destroys its namespace in the
// vault (its data key is deleted, so every copy of its records that the
// storage engine's files still hold can no longer be decrypted, even with
// the passphrase: crypto-shredding), and compacts the vault so that its
// files shrink. Conflicts, kept versions and attachments live in the
// case's namespace and go with it.
//
// The vault keeps the case's random ID in a list of expunged cases, so
// that a bundle from a member who has not expunged it yet cannot bring it
// back (ImportBundle skips it). The ID identifies nobody.

// expungeMarkKey marks a case's namespace once the case is counted.
const expungeMarkKey = syncKeyPre + "expunged"

// expungePerUpdate bounds the cases counted in one write and destroyed in
// one call, well within one transaction.
const expungePerUpdate = 100

// ExpungeCandidate is a closed case whose retention period has ended.
type ExpungeCandidate struct {
	// Code is the case's code name; empty when the member using this
	// vault has a conflict of interest on the case (Hidden).
	Code      string    `json:"code,omitempty"`
	ExpungeOn time.Time `json:"expunge_on"`
	Hidden    bool      `json:"hidden,omitempty"`

	id string
}

// ExpungeDue lists the closed cases whose expunge date is at or before
// asOf, oldest date first: what Expunge(asOf) would destroy. It includes
// the cases the member using this vault may not see, without their code
// names: they are expunged from this vault too.
func (s *Store) ExpungeDue(asOf time.Time) []ExpungeCandidate {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.expungeDueLocked(asOf)
}

func (s *Store) expungeDueLocked(asOf time.Time) []ExpungeCandidate {
	var out []ExpungeCandidate
	for _, c := range s.cases {
		if !c.Closed() || c.ExpungeOn.IsZero() || asOf.Before(c.ExpungeOn) {
			continue
		}
		x := ExpungeCandidate{Code: c.Code, ExpungeOn: c.ExpungeOn, id: c.ID}
		if s.excludedLocked(c) {
			x.Code, x.Hidden = "", true
		}
		out = append(out, x)
	}
	slices.SortFunc(out, func(a, b ExpungeCandidate) int {
		return cmp.Or(a.ExpungeOn.Compare(b.ExpungeOn), cmp.Compare(a.Code, b.Code), cmp.Compare(a.id, b.id))
	})
	return out
}

// ErrCompact means the cases were expunged but compacting the vault
// afterwards failed; the destroyed data cannot be read, and the next
// compaction (the vault runs one in the background) reclaims the space.
var ErrCompact = errors.New("the vault could not be compacted")

// Expunge destroys every closed case whose expunge date is at or before
// asOf, which may not be later than now, and returns them. Each is first
// counted for the archive's statistics, then its namespace is destroyed
// (crypto-shredding: its data key is deleted, and with it every copy of
// its records), its ID is remembered so that no bundle brings it back,
// and the audit log records it. Then the vault is compacted. Cases vanish
// from every list, the due list, search and the brigading signals.
//
// Crash safety: the count, the mark that the case was counted and its
// audit entry are one atomic write, before anything is destroyed. If the
// process stops before the destruction, the case is still there, marked;
// the next Expunge finds the mark and destroys it without counting it
// again. If it stops during the destruction, the vault finishes it when
// next opened (vault.DestroyNamespaces), and the case is gone. So each
// case is counted exactly once.
func (s *Store) Expunge(asOf time.Time) ([]ExpungeCandidate, error) {
	if asOf.After(s.now()) {
		return nil, fmt.Errorf("%w: a case cannot be expunged before its date; the date cannot be later than today", ErrInvalid)
	}
	done, err := s.expunge(asOf)
	if err != nil {
		return done, err
	}
	if len(done) == 0 {
		return done, nil
	}
	// Compacting takes the vault's write lock but not the store's: the
	// case book can be read meanwhile.
	if err := s.st.Compact(); err != nil {
		return done, fmt.Errorf("%w: %w", ErrCompact, err)
	}
	return done, nil
}

func (s *Store) expunge(asOf time.Time) ([]ExpungeCandidate, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	due := s.expungeDueLocked(asOf)
	var done []ExpungeCandidate
	for start := 0; start < len(due); start += expungePerUpdate {
		chunk := due[start:min(start+expungePerUpdate, len(due))]
		if err := s.countExpungedLocked(chunk); err != nil {
			return done, err
		}
		names := make([]string, len(chunk))
		for i, x := range chunk {
			names[i] = caseNS(x.id)
		}
		if err := s.st.DestroyNamespaces(names...); err != nil {
			return done, err
		}
		for _, x := range chunk {
			s.forgetLocked(x.id)
		}
		done = append(done, chunk...)
	}
	if len(done) > 0 {
		s.changedLocked()
		if err := s.dropMergeMarksLocked(done); err != nil {
			return done, err
		}
	}
	return done, nil
}

// countExpungedLocked counts each case of chunk not counted before, marks
// it counted, adds it to the expunged IDs, and records it in the audit
// log, in one atomic write.
func (s *Store) countExpungedLocked(chunk []ExpungeCandidate) error {
	loc := s.config.Location()
	return s.st.Update(func(tx *vault.Tx) error {
		var counts []ExpungedCount
		if err := getJSONTx(tx, committeeNS, expungedKey, &counts); err != nil {
			return err
		}
		var ids []string
		if err := getJSONTx(tx, committeeNS, tombstonesKey, &ids); err != nil {
			return err
		}
		counted := false
		for _, x := range chunk {
			ns := caseNS(x.id)
			switch _, err := tx.Get(ns, expungeMarkKey); {
			case err == nil:
				continue // counted before the process stopped last time
			case !errors.Is(err, vault.ErrNotFound):
				return err
			}
			c := s.cases[x.id]
			cat, outcome := c.Category, c.Outcome
			if cat != "" && !cat.Valid() {
				cat = ""
			}
			if !slices.Contains(Outcomes, outcome) {
				outcome = ""
			}
			y, q := YearQuarter(c.Received, loc)
			counts = bumpExpunged(counts, y, q, cat, outcome)
			if !slices.Contains(ids, x.id) {
				ids = append(ids, x.id)
			}
			if err := tx.Put(ns, expungeMarkKey, []byte("{}")); err != nil {
				return err
			}
			tx.Record("case.expunge", ns)
			counted = true
		}
		if !counted {
			return nil
		}
		if err := putJSON(tx, committeeNS, expungedKey, counts); err != nil {
			return err
		}
		return putJSON(tx, committeeNS, tombstonesKey, ids)
	})
}

// bumpExpunged adds one case to the counts, as AddExpunged does.
func bumpExpunged(counts []ExpungedCount, y, q int, cat Category, outcome Outcome) []ExpungedCount {
	i := slices.IndexFunc(counts, func(e ExpungedCount) bool {
		return e.Year == y && e.Quarter == q && e.Category == cat && e.Outcome == outcome
	})
	if i < 0 {
		counts = append(counts, ExpungedCount{Year: y, Quarter: q, Category: cat, Outcome: outcome})
		i = len(counts) - 1
	}
	counts[i].Cases++
	slices.SortFunc(counts, func(a, b ExpungedCount) int {
		return cmp.Or(cmp.Compare(a.Year, b.Year), cmp.Compare(a.Quarter, b.Quarter),
			cmp.Compare(a.Category, b.Category), cmp.Compare(a.Outcome, b.Outcome))
	})
	return counts
}

// getJSONTx reads a JSON record in tx; a missing one leaves v as it is.
func getJSONTx(tx *vault.Tx, ns, key string, v any) error {
	b, err := tx.Get(ns, key)
	if errors.Is(err, vault.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s/%s: %w", ns, key, err)
	}
	if json.Unmarshal(b, v) != nil {
		return &vault.CorruptError{Record: ns + "/" + key, Err: errors.New("unreadable record")}
	}
	return nil
}

// forgetLocked drops a destroyed case from memory: the lists, the due
// list, search and brigading no longer see it.
func (s *Store) forgetLocked(id string) {
	if c := s.cases[id]; c != nil {
		delete(s.codes, c.Code)
	}
	delete(s.cases, id)
	delete(s.msgs, id)
	if !s.indexPendingLocked(id) {
		s.index.RemoveCase(id)
	}
}

// dropMergeMarksLocked removes expunged cases from the committee's count
// of merge conflicts.
func (s *Store) dropMergeMarksLocked(done []ExpungeCandidate) error {
	changed := false
	for _, x := range done {
		if _, ok := s.merges[x.id]; ok {
			delete(s.merges, x.id)
			changed = true
		}
	}
	if !changed {
		return nil
	}
	return s.st.Update(func(tx *vault.Tx) error { return putJSON(tx, committeeNS, mergeIndexKey, s.merges) })
}
