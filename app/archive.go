package app

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"casebook/vault"
)

// What the anonymized archive (package export) needs of the case book: a
// case's category and archive summary, set by a member; every name the
// vault knows, to scrub them from the summaries; and the counts of cases
// already expunged.

// Actions recorded in a case's history that are not steps of the process.
const (
	ActSetCategory       Action = "set-category"
	ActSetArchiveSummary Action = "set-archive-summary"
)

// MaxArchiveSummary is the longest archive summary, in characters.
const MaxArchiveSummary = 2000

// expungedKey names the committee's record of expunged-case counts.
const expungedKey = "expunged"

// SetCategory sets the kind of behaviour a case is about; the empty
// category clears it. It is recorded in the case's history.
func (s *Store) SetCategory(code string, cat Category) (*Case, error) {
	if cat != "" && !cat.Valid() {
		return nil, fmt.Errorf("%w: unknown category; categories are %s", ErrInvalid, categoryNames())
	}
	return s.modify(code, func(c *Case, ctx Context) ([]*Message, error) {
		c.Category = cat
		text := cat.Title()
		if cat == "" {
			text = "cleared"
		}
		c.History = append(c.History, &Event{At: ctx.Now, Member: ctx.Member, Action: ActSetCategory,
			Text: text, From: c.Stage, To: c.Stage})
		return nil, nil
	})
}

// SetArchiveSummary sets the neutral summary a member writes of a case for
// the anonymized archive, at most MaxArchiveSummary characters, without
// control characters but line breaks and tabs; empty text clears it. The
// history records that it changed, not what it says. Names and contacts
// in it are scrubbed when the archive is made, not here.
func (s *Store) SetArchiveSummary(code, text string) (*Case, error) {
	text = strings.TrimSpace(text)
	if n := utf8.RuneCountInString(text); n > MaxArchiveSummary {
		return nil, fmt.Errorf("%w: an archive summary is at most %s characters; this one has %s", ErrInvalid, thousands(MaxArchiveSummary), thousands(n))
	}
	if !utf8.ValidString(text) || strings.ContainsFunc(text, func(r rune) bool {
		return unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r'
	}) {
		return nil, fmt.Errorf("%w: an archive summary must be text without control characters", ErrInvalid)
	}
	return s.modify(code, func(c *Case, ctx Context) ([]*Message, error) {
		c.ArchiveSummary = text
		what := "written"
		if text == "" {
			what = "cleared"
		}
		c.History = append(c.History, &Event{At: ctx.Now, Member: ctx.Member, Action: ActSetArchiveSummary,
			Text: what, From: c.Stage, To: c.Stage})
		return nil, nil
	})
}

// ViewCases calls fn with every case the member using this vault may see,
// in code order, as the case book keeps them: without copying them, and
// lean, their history cut to the events the due list reads (Case gives
// one whole). fn must neither change the cases nor keep them after it
// returns. It is for read-only work over every case, such as the archive,
// where copying them all would cost more than the work. The store never
// changes a stored case in place (a change stores a new copy), so the
// cases stay as fn saw them while others change the case book, and no
// lock is held while fn runs.
func (s *Store) ViewCases(fn func(cases []*Case) error) error {
	s.mu.RLock()
	all := s.allLocked()
	s.mu.RUnlock()
	return fn(all)
}

// Identity is how the vault knows one person: the texts that would
// identify them in free text.
type Identity struct {
	// Name is a person's name; it identifies them whole and word by word.
	Name string
	// Pseudonym is what an anonymous reporter chose to be called.
	Pseudonym string
	Handle    string
	Contact   string
}

// Identities returns every name, pseudonym, handle and contact the vault
// knows: of every party of every case, and of every member of the roster.
// It includes the cases the member using this vault has a conflict of
// interest on, and is meant only for scrubbing them from text that leaves
// the vault; it must never be shown. The order is stable.
func (s *Store) Identities() []Identity {
	s.mu.RLock()
	defer s.mu.RUnlock()
	cases := slices.Collect(maps.Values(s.cases))
	slices.SortFunc(cases, func(a, b *Case) int { return cmp.Compare(a.ID, b.ID) })
	return s.identitiesLocked(cases)
}

// VisibleIdentities is Identities of the roster and the cases the member
// may see only: for a preview shown to the member, which must not tell
// them, by what it takes out, who is in a case they are shut out of.
func (s *Store) VisibleIdentities() []Identity {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.identitiesLocked(s.allLocked())
}

// identitiesLocked lists the roster's members and the parties of cases,
// in that order. The caller holds s.mu.
func (s *Store) identitiesLocked(cases []*Case) []Identity {
	var out []Identity
	for _, m := range s.roster.Members {
		out = append(out, Identity{Name: m.Name, Contact: m.Contact})
	}
	for _, c := range cases {
		for _, p := range c.Parties {
			out = append(out, Identity{Name: p.Name, Pseudonym: p.Pseudonym, Handle: p.Handle, Contact: p.Contact})
		}
	}
	return out
}

// WholeCaseBook returns nil if the member using this vault is shut out of
// no case in it; ErrNoMe if the vault does not say which member uses it
// and some case shuts a member out; and ErrShutOut if the member is shut
// out of some case.
func (s *Store) WholeCaseBook() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, c := range s.cases {
		if s.excludedLocked(c) {
			if s.roster.Me == "" {
				return ErrNoMe
			}
			return ErrShutOut
		}
	}
	return nil
}

// ErrShutOut means the member using this vault is shut out of some case
// in it.
var ErrShutOut = errors.New("you are shut out of some cases")

// ExpungedCount is how many expunged cases were received in one quarter
// with one category and outcome. The committee keeps these counts, and
// nothing else, of the cases it has expunged, so that its statistics
// still count them.
type ExpungedCount struct {
	Year    int `json:"year"`
	Quarter int `json:"quarter"` // 1 to 4
	// Category and Outcome are empty when the case had none.
	Category Category `json:"category,omitempty"`
	Outcome  Outcome  `json:"outcome,omitempty"`
	Cases    int      `json:"cases"`
}

// YearQuarter returns the year and quarter (1 to 4) of t in loc.
func YearQuarter(t time.Time, loc *time.Location) (year, quarter int) {
	t = t.In(loc)
	return t.Year(), (int(t.Month())-1)/3 + 1
}

// Expunged returns the counts of expunged cases, by quarter received,
// category and outcome, in that order.
func (s *Store) Expunged() ([]ExpungedCount, error) {
	var out []ExpungedCount
	if err := s.loadJSON(committeeNS, expungedKey, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// AddExpunged counts one more expunged case, received at received (its
// quarter is taken in the committee's time zone), with the category and
// outcome it had (either may be empty). Expunging a case calls it; it
// stores no identity.
func (s *Store) AddExpunged(received time.Time, cat Category, outcome Outcome) error {
	if received.IsZero() || (cat != "" && !cat.Valid()) || (outcome != "" && !slices.Contains(Outcomes, outcome)) {
		return fmt.Errorf("%w: an expunged case is counted by a date received, a known category and a known outcome", ErrInvalid)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	y, q := YearQuarter(received, s.config.Location())
	return s.st.Update(func(tx *vault.Tx) error {
		var counts []ExpungedCount
		if err := getJSONTx(tx, committeeNS, expungedKey, &counts); err != nil {
			return err
		}
		return putJSON(tx, committeeNS, expungedKey, bumpExpunged(counts, y, q, cat, outcome))
	})
}

// RecordExport writes an entry in the vault's audit log that something
// left the vault: kind names it ("archive"); no content is recorded.
func (s *Store) RecordExport(kind string) error {
	return s.st.Update(func(tx *vault.Tx) error {
		tx.Record("export."+kind, "")
		return nil
	})
}
