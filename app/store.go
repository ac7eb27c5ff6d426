package app

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"casebook/vault"
)

// Storage is what the store needs of the vault. *vault.Vault has it.
type Storage interface {
	Update(fn func(*vault.Tx) error) error
	Get(ns, key string) ([]byte, error)
	Scan(ns, prefix string, fn func(key string, value []byte) error) error
	ScanWhere(ns, prefix string, want func(key string) bool, fn func(key string, value []byte) error) error
	Namespaces() ([]string, error)
	SetActor(name string)
	// DestroyNamespaces and Compact expunge cases (see Store.Expunge).
	DestroyNamespaces(names ...string) error
	Compact() error
}

// ErrNoCase means no case has the code name given.
var ErrNoCase = errors.New("no such case")

// ErrExcluded means the member using this vault has a hard conflict of
// interest on the case and may not read it.
var ErrExcluded = errors.New("you have a conflict of interest on this case")

// ErrNoMe means the vault does not say which member uses it, and a member
// is shut out of the case: it is not shown, as that member may be the one
// using the vault.
var ErrNoMe = errors.New("this vault does not say which member uses it, and a member is shut out of this case")

// codeNamePattern is the shape of a code name.
var codeNamePattern = regexp.MustCompile(`^[a-z]+-[a-z]+-[0-9]{2}$`)

// Names of records in the vault. A case lives in its own namespace, so
// that it can be destroyed on its own.
const (
	committeeNS = "committee"
	rosterKey   = "roster"
	configKey   = "config"
	caseNSPre   = "case."
	caseKey     = "case"
	msgKeyPre   = "msg."
)

func caseNS(id string) string { return caseNSPre + id }

// Store is the committee's case book, kept in the vault. It holds every
// case in memory, lean, for fast lists, due work and searches, and writes
// every change through to the vault before reporting it done. Its methods
// are safe for concurrent use. Cases it returns are whole copies read from
// the vault (but for ViewCases); a change to a case stores a new copy,
// never changes the stored one in place.
type Store struct {
	st  Storage
	now func() time.Time

	mu sync.RWMutex
	// cases holds every case by ID, lean (see leanCase): its history is
	// cut to the events the lists and the due list read. Whatever shows,
	// changes, exports or merges a case reads it whole from the vault
	// (wholeLocked), where it is written before it is kept here.
	cases  map[string]*Case
	codes  map[string]string // code name → ID
	roster Roster
	config Config
	msgs   map[string]int // messages per case ID
	// merges counts each case's merge conflicts waiting to be settled.
	merges map[string]mergeMark

	// flags caches the brigading flags; a change to any case clears it.
	flagsMu sync.Mutex
	flags   []BrigadeFlag
	flagsOK bool
	// brigadeMemo keeps what the flags were worked out from, case by
	// case, for the next time; under flagsMu.
	brigadeMemo brigadeMemo

	indexOnce sync.Once
	index     *SearchIndex
	indexErr  error
	// indexing says the index is being built, without the lock; the cases
	// changed meanwhile wait in indexDirty to be indexed again at the end.
	indexing   bool
	indexDirty map[string]bool
}

// OpenStore loads the case book from the vault. now is the clock (nil
// means time.Now).
func OpenStore(st Storage, now func() time.Time) (*Store, error) {
	if now == nil {
		now = time.Now
	}
	s := &Store{st: st, now: now, cases: map[string]*Case{}, codes: map[string]string{},
		config: DefaultConfig(), msgs: map[string]int{}}
	if err := s.loadJSON(committeeNS, rosterKey, &s.roster); err != nil {
		return nil, err
	}
	if err := s.loadJSON(committeeNS, configKey, &s.config); err != nil {
		return nil, err
	}
	if err := s.loadJSON(committeeNS, mergeIndexKey, &s.merges); err != nil {
		return nil, err
	}
	names, err := st.Namespaces()
	if err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	cases, stopped, err := s.loadCases(names)
	if err != nil {
		return nil, err
	}
	for _, c := range cases {
		if c != nil {
			s.cases[c.ID] = c
			s.codes[c.Code] = c.ID
		}
	}
	if m := s.roster.Member(s.roster.Me); m != nil {
		st.SetActor(m.Name)
	}
	if len(stopped) > 0 {
		// Namespaces of cases whose import stopped part-way and was not
		// finished before the vault was locked (see pendingKey): some of
		// a case's messages that nothing shows, and that no retention
		// period would ever destroy. Importing the bundle again writes
		// the case whole. A failure (a full disk) leaves them for the
		// next unlock.
		_ = st.DestroyNamespaces(stopped...)
	}
	return s, nil
}

// loadCases reads the case record of every case namespace among names, on
// every CPU: reading and decoding ten thousand cases is most of unlocking.
// A namespace without a case record gives nil, and is listed in stopped
// when it is marked as the namespace of an import that stopped part-way.
func (s *Store) loadCases(names []string) (cases []*Case, stopped []string, err error) {
	var todo []string
	for _, ns := range names {
		if strings.HasPrefix(ns, caseNSPre) {
			todo = append(todo, ns)
		}
	}
	cases = make([]*Case, len(todo))
	marked := make([]bool, len(todo))
	errs := make([]error, len(todo))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(len(todo)/64, 1)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(todo) {
					return
				}
				c := &Case{}
				err := s.loadJSON(todo[i], caseKey, c)
				switch {
				case errors.Is(err, vault.ErrNotFound):
					_, perr := s.st.Get(todo[i], pendingKey)
					marked[i] = perr == nil
				case err != nil:
					errs[i] = err
					next.Store(int64(len(todo))) // stop the others
					return
				default:
					c.dropEmptyItems()
					cases[i] = leanCase(c)
				}
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, nil, err
		}
		if marked[i] {
			stopped = append(stopped, todo[i])
		}
	}
	return cases, stopped, nil
}

func (s *Store) loadJSON(ns, key string, v any) error {
	b, err := s.st.Get(ns, key)
	if errors.Is(err, vault.ErrNotFound) {
		if key == caseKey {
			return err
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s/%s: %w", ns, key, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("read %s/%s: %w", ns, key, &vault.CorruptError{Record: ns + "/" + key, Err: errors.New("unreadable record")})
	}
	return nil
}

func putJSON(tx *vault.Tx, ns, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.Put(ns, key, b)
}

func clone[T any](v *T) *T {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // our types always marshal
	}
	out := new(T)
	if err := json.Unmarshal(b, out); err != nil {
		panic(err)
	}
	return out
}

// Context returns the process context for the member using this vault.
func (s *Store) Context() Context {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.contextLocked()
}

func (s *Store) contextLocked() Context {
	return Context{Now: s.now(), Member: s.roster.Me, Roster: clone(&s.roster), Config: s.config}
}

// Config returns the committee's settings.
func (s *Store) Config() Config {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.config
}

// SetConfig validates and stores new settings.
func (s *Store) SetConfig(c Config) error {
	if ps := c.Validate(); len(ps) > 0 {
		return &InvalidError{Problems: ps}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.st.Update(func(tx *vault.Tx) error { return putJSON(tx, committeeNS, configKey, c) }); err != nil {
		return err
	}
	s.config = c
	s.changedLocked()
	return nil
}

// Roster returns a copy of the committee roster.
func (s *Store) Roster() *Roster {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return clone(&s.roster)
}

// UpdateRoster changes the roster through fn and stores it; if fn fails,
// nothing changes.
func (s *Store) UpdateRoster(fn func(r *Roster) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := clone(&s.roster)
	if err := fn(r); err != nil {
		return err
	}
	if r.Me != "" && r.Member(r.Me) == nil {
		return fmt.Errorf("%w: the member using this vault must be on the roster", ErrInvalid)
	}
	if err := s.st.Update(func(tx *vault.Tx) error { return putJSON(tx, committeeNS, rosterKey, r) }); err != nil {
		return err
	}
	s.roster = *r
	s.changedLocked() // who may see which case may have changed
	if m := r.Member(r.Me); m != nil {
		s.st.SetActor(m.Name)
	}
	return nil
}

// DeclareConflict records a member's conflict of interest on a case.
func (s *Store) DeclareConflict(code, member string, kind ConflictKind, reason string) (*Case, error) {
	return s.Step(code, Step{Action: ActDeclareConflict, Member: member, Kind: kind, Text: reason})
}

// lookup finds a case by code name, case-insensitively.
func (s *Store) lookup(code string) (*Case, error) {
	id, ok := s.codes[strings.ToLower(strings.TrimSpace(code))]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrNoCase, code)
	}
	return s.cases[id], nil
}

// Case returns a copy of the case with the given code name.
func (s *Store) Case(code string) (*Case, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, err := s.lookup(code)
	if err != nil {
		return nil, err
	}
	if s.excludedLocked(c) {
		return nil, s.excludedErrLocked(c)
	}
	return s.wholeLocked(c.ID)
}

// wholeLocked reads the case with the given ID whole from the vault: the
// case book in memory keeps its cases lean. A case in memory always has its
// record, so a missing one is damage. The caller holds s.mu.
func (s *Store) wholeLocked(id string) (*Case, error) {
	c := &Case{}
	if err := s.loadJSON(caseNS(id), caseKey, c); err != nil {
		if errors.Is(err, vault.ErrNotFound) {
			err = &vault.CorruptError{Record: caseNS(id) + "/" + caseKey, Err: errors.New("the case record is missing")}
		}
		return nil, err
	}
	c.dropEmptyItems()
	return c, nil
}

// leanCase returns c as the case book keeps it in memory: sharing all but
// its history with c, and of its history only the events EnteredStageAt
// and lastHeard read, so that both, and everything that works from them
// (the case list, the due list, the status updates owed), give what they
// give on the whole case. The history is most of a case in memory: some
// 17 events a case, some 27 MB at 10,000 cases. c holds no empty (null)
// event: a case read from the vault has them dropped (dropEmptyItems), and
// a bundle's are refused.
func leanCase(c *Case) *Case {
	entered, heard := -1, -1
	for i := len(c.History) - 1; i >= 0; i-- {
		e := c.History[i]
		if entered < 0 && e.To == c.Stage && e.From != c.Stage {
			entered = i
		}
		if (e.Action == ActResponded || e.Action == ActDeclinedToRespond) && (heard < 0 || e.At.After(c.History[heard].At)) {
			heard = i
		}
	}
	var keep []*Event
	for i, e := range c.History {
		if i == entered || i == heard {
			keep = append(keep, e)
		}
	}
	l := *c
	l.History = keep
	return &l
}

// Summary is a case as the case list shows it.
type Summary struct {
	ID           string       `json:"id"`
	Code         string       `json:"code"`
	Stage        Stage        `json:"stage"`
	Outcome      Outcome      `json:"outcome,omitempty"`
	Responder    string       `json:"responder,omitempty"`
	Received     time.Time    `json:"received"`
	ReporterKind ReporterKind `json:"reporter_kind"`
	Urgent       bool         `json:"urgent,omitempty"`
	RecordOnly   bool         `json:"record_only,omitempty"`
	NextDue      time.Time    `json:"next_due,omitzero"`
	NextAction   Action       `json:"next_action,omitempty"`
}

// List returns a summary of every case, newest first, optionally only
// those at one stage (empty: all). The next due date of each case is
// computed as of now.
func (s *Store) List(stage Stage) []Summary {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ctx := s.contextLocked()
	// Sorted first by small keys, each comparison deciding on the date
	// alone nearly always: moving whole summaries about cost more than
	// making them.
	type entry struct {
		received time.Time
		code     string
		c        *Case
	}
	order := make([]entry, 0, len(s.cases))
	for _, c := range s.cases {
		if (stage != "" && c.Stage != stage) || s.excludedLocked(c) {
			continue
		}
		order = append(order, entry{c.Received, c.Code, c})
	}
	slices.SortFunc(order, func(a, b entry) int {
		if c := b.received.Compare(a.received); c != 0 {
			return c
		}
		return strings.Compare(a.code, b.code)
	})
	out := make([]Summary, 0, len(order))
	for _, e := range order {
		c := e.c
		sum := Summary{ID: c.ID, Code: c.Code, Stage: c.Stage, Outcome: c.Outcome, Responder: c.Responder,
			Received: c.Received, ReporterKind: c.ReporterKind, Urgent: c.Urgent, RecordOnly: c.RecordOnly}
		var first time.Time
		dueForCase(c, ctx, ctx.Now, func(_ *Case, _ DueKind, due time.Time, _ string, a Action, _ string) {
			if first.IsZero() || due.Before(first) {
				first, sum.NextAction = due, a
			}
		})
		sum.NextDue = first
		out = append(out, sum)
	}
	return out
}

// NewCase files a report and returns the new case. Members the report is
// about are excluded from it at once.
func (s *Store) NewCase(in *Intake) (*Case, error) {
	if ps := in.Validate(); len(ps) > 0 {
		return nil, &InvalidError{Problems: ps}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ps := s.roster.resolveIntakeMembers(in)
	if len(ps) > 0 {
		return nil, &InvalidError{Problems: ps}
	}
	now := s.now()
	code := NewCodeName(func(c string) bool { _, taken := s.codes[c]; return taken })
	c := in.NewCase(newID(), code, now)
	excludeReportedMembers(c, now)
	if err := s.saveLocked(c, nil); err != nil {
		return nil, err
	}
	return clone(c), nil
}

// saveLocked writes a case (and new messages) in one atomic change, then
// makes it the current version. The caller holds s.mu.
func (s *Store) saveLocked(c *Case, msgs []*Message) error {
	err := s.st.Update(func(tx *vault.Tx) error {
		if err := putJSON(tx, caseNS(c.ID), caseKey, c); err != nil {
			return err
		}
		for _, m := range msgs {
			if err := putJSON(tx, caseNS(c.ID), msgKeyPre+m.ID, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	old := s.cases[c.ID]
	s.cases[c.ID] = leanCase(c)
	s.codes[c.Code] = c.ID
	s.msgs[c.ID] += len(msgs)
	s.caseChangedLocked(old, s.cases[c.ID])
	s.reindexLocked(c, msgs)
	return nil
}

// modify applies fn to a copy of a case and saves it; if fn or the write
// fails, the case is unchanged.
func (s *Store) modify(code string, fn func(c *Case, ctx Context) ([]*Message, error)) (*Case, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, err := s.lookup(code)
	if err != nil {
		return nil, err
	}
	if s.excludedLocked(cur) {
		return nil, s.excludedErrLocked(cur)
	}
	c, err := s.wholeLocked(cur.ID)
	if err != nil {
		return nil, err
	}
	ctx := s.contextLocked()
	ctx.Now = caseNow(c, ctx.Now)
	msgs, err := fn(c, ctx)
	if err != nil {
		return nil, err
	}
	if err := s.saveLocked(c, msgs); err != nil {
		return nil, err
	}
	return clone(c), nil
}

// caseNow is the time to stamp on a change to c: the clock's, but never at
// or before a status update already sent on the case. A weekly update
// tells a party what happened since the one before; were the clock turned
// back after an update, what happens next would be dated before it and
// left out of every update to come. (A sent update's time moves forward
// the same way, so a second one never makes an earlier one due again.)
func caseNow(c *Case, now time.Time) time.Time {
	for _, p := range c.Parties {
		if !p.LastUpdateAt.Before(now) {
			now = p.LastUpdateAt.Add(time.Millisecond)
		}
	}
	return now
}

// Step takes one step of the process on a case. A refused step returns an
// error matching ErrNotAllowed and changes nothing.
func (s *Store) Step(code string, step Step) (*Case, error) {
	return s.modify(code, func(c *Case, ctx Context) ([]*Message, error) {
		return nil, c.Apply(step, ctx)
	})
}

func checkVisibility(c *Case, v Visibility) error {
	for _, id := range v.SharedWith {
		if c.Party(id) == nil {
			return fmt.Errorf("%w: the case has no party %q to share with", ErrInvalid, id)
		}
	}
	return nil
}

// AddNote adds an internal note, committee only unless shared with named
// parties.
func (s *Store) AddNote(code, text string, vis Visibility) (*Note, error) {
	cc, err := s.modify(code, func(c *Case, ctx Context) ([]*Message, error) {
		if strings.TrimSpace(text) == "" {
			return nil, fmt.Errorf("%w: a note needs text", ErrInvalid)
		}
		if err := checkVisibility(c, vis); err != nil {
			return nil, err
		}
		n := &Note{ID: c.nextID("n"), At: ctx.Now, Author: ctx.Member, Text: text, Visibility: vis}
		c.Notes = append(c.Notes, n)
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	return cc.Notes[len(cc.Notes)-1], nil // the copy, not the item the case book holds
}

// AddMessage records a message to or from a party.
func (s *Store) AddMessage(code string, m Message) (*Message, error) {
	var out *Message
	_, err := s.modify(code, func(c *Case, ctx Context) ([]*Message, error) {
		if c.Party(m.PartyID) == nil {
			return nil, fmt.Errorf("%w: the case has no party %q", ErrInvalid, m.PartyID)
		}
		if m.Direction != In && m.Direction != Out {
			return nil, fmt.Errorf("%w: a message goes in or out", ErrInvalid)
		}
		if m.Channel != "" && !slices.Contains(Channels, m.Channel) {
			return nil, fmt.Errorf("%w: a message's channel is form, email, chat, in-person or other", ErrInvalid)
		}
		if strings.TrimSpace(m.Text) == "" {
			return nil, fmt.Errorf("%w: a message needs text", ErrInvalid)
		}
		if err := checkVisibility(c, m.Visibility); err != nil {
			return nil, err
		}
		m.ID = c.nextID("msg")
		if m.At.IsZero() {
			m.At = ctx.Now
		}
		out = &m
		return []*Message{out}, nil
	})
	return out, err
}

// AddEvidence records an evidence item, unverified.
func (s *Store) AddEvidence(code, url, note string, vis Visibility) (*Evidence, error) {
	cc, err := s.modify(code, func(c *Case, ctx Context) ([]*Message, error) {
		if strings.TrimSpace(url) == "" && strings.TrimSpace(note) == "" {
			return nil, fmt.Errorf("%w: evidence needs a link or a note", ErrInvalid)
		}
		if url != "" && !isWebLink(url) {
			return nil, fmt.Errorf("%w: an evidence link must be an http or https address", ErrInvalid)
		}
		if err := checkVisibility(c, vis); err != nil {
			return nil, err
		}
		e := &Evidence{ID: c.nextID("e"), At: ctx.Now, URL: url, Note: note, Corroboration: Unverified, Visibility: vis}
		c.Evidence = append(c.Evidence, e)
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	return cc.Evidence[len(cc.Evidence)-1], nil // the copy, not the item the case book holds
}

// Corroborate records how far an evidence item was verified.
func (s *Store) Corroborate(code, evidenceID string, status Corroboration, how string) (*Case, error) {
	return s.modify(code, func(c *Case, _ Context) ([]*Message, error) {
		for _, e := range c.Evidence {
			if e.ID == evidenceID {
				if !validCorroboration(status) {
					return nil, errCorroboration
				}
				e.Corroboration, e.How = status, how
				return nil, nil
			}
		}
		return nil, fmt.Errorf("%w: the case has no evidence %q", ErrInvalid, evidenceID)
	})
}

var errCorroboration = fmt.Errorf("%w: corroboration is unverified, corroborated or not-corroborated", ErrInvalid)

func validCorroboration(s Corroboration) bool {
	return s == Unverified || s == Corroborated || s == NotCorroborated
}

// AddCheck adds a line to the corroboration worksheet.
func (s *Store) AddCheck(code, what, source string) (*Check, error) {
	cc, err := s.modify(code, func(c *Case, _ Context) ([]*Message, error) {
		if strings.TrimSpace(what) == "" {
			return nil, fmt.Errorf("%w: say what to verify", ErrInvalid)
		}
		k := &Check{ID: c.nextID("k"), What: what, Source: source, Status: Unverified}
		c.Worksheet = append(c.Worksheet, k)
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	return cc.Worksheet[len(cc.Worksheet)-1], nil // the copy, not the item the case book holds
}

// ResolveCheck records what came of a worksheet line.
func (s *Store) ResolveCheck(code, checkID string, status Corroboration, result string) (*Case, error) {
	return s.modify(code, func(c *Case, _ Context) ([]*Message, error) {
		if !validCorroboration(status) {
			return nil, errCorroboration
		}
		for _, k := range c.Worksheet {
			if k.ID == checkID {
				k.Status, k.Result = status, result
				return nil, nil
			}
		}
		return nil, fmt.Errorf("%w: the worksheet has no line %q", ErrInvalid, checkID)
	})
}

// Messages returns a case's correspondence, oldest first.
func (s *Store) Messages(code string) ([]*Message, error) {
	s.mu.RLock()
	c, err := s.lookup(code)
	excluded := err == nil && s.excludedLocked(c)
	s.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	if excluded {
		return nil, s.excludedErrLocked(c)
	}
	return s.readMessages(c.ID)
}

func (s *Store) readMessages(caseID string) ([]*Message, error) {
	var out []*Message
	err := s.st.Scan(caseNS(caseID), msgKeyPre, func(key string, value []byte) error {
		m := &Message{}
		if err := json.Unmarshal(value, m); err != nil {
			return &vault.CorruptError{Record: caseNS(caseID) + "/" + key, Err: errors.New("unreadable message")}
		}
		out = append(out, m)
		return nil
	})
	// Item IDs end in a sequence number: "msg9" comes before "msg10".
	slices.SortStableFunc(out, func(a, b *Message) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(len(a.ID), len(b.ID)), cmp.Compare(a.ID, b.ID))
	})
	return out, err
}

// Brigading returns the current brigading flags.
func (s *Store) Brigading() []BrigadeFlag {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.brigadingLocked(s.allLocked())
}

// IsShutOut reports whether the member this vault names as its user is
// shut out of the case with that code (false for no such case, and in a
// vault that names no member).
func (s *Store) IsShutOut(code string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, err := s.lookup(code)
	return err == nil && s.meShutOutLocked(c)
}

// meShutOutLocked reports whether the member this vault names as its user
// is shut out of c (false in a vault that names no member; compare
// excludedLocked, which hides c there too). The caller holds s.mu.
func (s *Store) meShutOutLocked(c *Case) bool {
	return s.roster.Me != "" && c.Excluded(s.roster.Me)
}

// ShutOut returns the codes of the cases the member sees from which
// another active member is shut out (a hard conflict of interest): what a
// document shared at a meeting that member attends must leave out.
func (s *Store) ShutOut() map[string]bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := map[string]bool{}
	for _, c := range s.visibleLocked() {
		if slices.ContainsFunc(c.Conflicts, func(k *Conflict) bool {
			m := s.roster.Member(k.MemberID)
			return k.Kind == HardConflict && m != nil && m.Active && m.ID != s.roster.Me
		}) {
			out[c.Code] = true
		}
	}
	return out
}

// brigadingLocked returns the flags, computing them only after a change.
// The caller holds s.mu (read or write).
func (s *Store) brigadingLocked(all []*Case) []BrigadeFlag {
	s.flagsMu.Lock()
	defer s.flagsMu.Unlock()
	if !s.flagsOK {
		s.flags, s.flagsOK = detectBrigading(all, s.config.BrigadeConfig(), &s.brigadeMemo), true
	}
	return slices.Clone(s.flags)
}

// changedLocked forgets what was computed from the cases. The caller
// holds s.mu for writing.
func (s *Store) changedLocked() {
	s.flagsMu.Lock()
	s.flagsOK = false
	s.flagsMu.Unlock()
}

// caseChangedLocked notes that case old (nil: none) is now c, as the
// case book holds them. The brigading flags are worked out again only
// when what they are worked out from changed: the case's own inputs to
// the detection, or whether the member may see it. Most steps (a note, a
// message, a stage) change neither, and the due list after them is only
// the due list; what the detection kept of old is carried over to c. The
// caller holds s.mu for writing.
func (s *Store) caseChangedLocked(old, c *Case) {
	if old != nil && sameBrigadeInputs(old, c) && s.excludedLocked(old) == s.excludedLocked(c) {
		s.flagsMu.Lock()
		s.brigadeMemo.carry(old, c)
		s.flagsMu.Unlock()
		return
	}
	s.changedLocked()
}

// excludedLocked reports whether the member using this vault is shut out
// of c by a hard conflict of interest. A vault that does not say which
// member uses it is shut out of every case from which anyone is: it
// cannot tell whether that is its member.
func (s *Store) excludedLocked(c *Case) bool {
	if s.roster.Me == "" {
		return slices.ContainsFunc(c.Conflicts, func(k *Conflict) bool { return k.Kind == HardConflict })
	}
	return c.Excluded(s.roster.Me)
}

// excludedErrLocked is the error for reaching a case the member is shut
// out of (excludedLocked).
func (s *Store) excludedErrLocked(c *Case) error {
	if s.roster.Me == "" {
		return fmt.Errorf("%w: %s", ErrNoMe, c.Code)
	}
	return fmt.Errorf("%w: %s", ErrExcluded, c.Code)
}

// flagsCached reports whether the brigading flags are known.
func (s *Store) flagsCached() bool {
	s.flagsMu.Lock()
	defer s.flagsMu.Unlock()
	return s.flagsOK
}

// visibleLocked lists the cases the member is not shut out of, in no order.
func (s *Store) visibleLocked() []*Case {
	out := make([]*Case, 0, len(s.cases))
	for _, c := range s.cases {
		if !s.excludedLocked(c) {
			out = append(out, c)
		}
	}
	return out
}

// allLocked lists the cases the member is not shut out of, by code name:
// a case they are shut out of does not appear in any list.
func (s *Store) allLocked() []*Case {
	out := s.visibleLocked()
	slices.SortFunc(out, func(a, b *Case) int { return cmp.Compare(a.Code, b.Code) })
	return out
}

// Due lists the work due as of asOf (see Due): the work on the cases the
// member may see, merge conflicts to settle, and, for each open case the
// member is shut out of that no other member holds, an item to send it on
// (DueSendOn).
func (s *Store) Due(asOf time.Time) []DueItem {
	s.mu.RLock()
	defer s.mu.RUnlock()
	// The due list sorts itself; the cases need sorting only when the
	// brigading flags are worked out again.
	all := s.visibleLocked()
	if !s.flagsCached() {
		all = s.allLocked()
	}
	items := Due(all, s.brigadingLocked(all), s.contextLocked(), asOf)
	extra := append(s.dueConflictsLocked(asOf), s.dueSendOnLocked(asOf)...)
	if len(extra) > 0 {
		items = append(items, extra...)
		sortDue(items)
	}
	return items
}

// SearchResult is one place a search found its words.
type SearchResult struct {
	Code    string `json:"code"`
	Kind    string `json:"kind"`
	ItemID  string `json:"item_id,omitempty"`
	Snippet string `json:"snippet"`
}

// Search finds cases and correspondence containing every word of query
// (accents and case ignored; the last word may be the start of a word).
// The first search builds the index, reading every message once.
func (s *Store) Search(query string, limit int) ([]SearchResult, error) {
	return s.search(query, limit, false)
}

// SearchCases finds the cases holding every word of query, as Search
// does, at most limit of them, each as the place in it that ranks first.
// Their snippets are left empty, to be made when shown (SearchSnippet): a
// list of hundreds of cases shows a dozen, and a snippet may take reading
// a message from the vault.
func (s *Store) SearchCases(query string, limit int) ([]SearchResult, error) {
	return s.search(query, limit, true)
}

func (s *Store) search(query string, limit int, perCase bool) ([]SearchResult, error) {
	s.indexOnce.Do(s.buildIndex)
	if s.indexErr != nil {
		return nil, s.indexErr
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	// Cases the member is shut out of are left out after the index has
	// answered; when there are any, ask it for every match and cut at the
	// limit here. Usually there are none, and the index stops at the limit.
	want := limit
	for _, c := range s.cases {
		if s.excludedLocked(c) {
			want = 0
			break
		}
	}
	var hits []Hit
	if perCase {
		hits = s.index.SearchCases(query, want)
	} else {
		hits = s.index.Search(query, want)
	}
	out := make([]SearchResult, 0, min(len(hits), max(limit, 0)))
	for _, h := range hits {
		if limit > 0 && len(out) == limit {
			break
		}
		c := s.cases[h.CaseID]
		if c == nil || s.excludedLocked(c) {
			continue
		}
		r := SearchResult{Code: c.Code, Kind: h.Kind, ItemID: h.ItemID}
		if !perCase {
			text, found, err := s.docTextLocked(c, h.Kind, h.ItemID)
			if err != nil {
				return nil, err
			}
			if !found {
				continue
			}
			r.Snippet = Snippet(text, query)
		}
		out = append(out, r)
	}
	return out, nil
}

// SearchSnippet makes the snippet of a result of SearchCases: an excerpt
// of its text, on one line, around the words of query. It returns "" when
// the place is gone or the case is no longer shown to the member.
func (s *Store) SearchSnippet(r SearchResult, query string) (string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c := s.cases[s.codes[r.Code]]
	if c == nil || s.excludedLocked(c) {
		return "", nil
	}
	text, found, err := s.docTextLocked(c, r.Kind, r.ItemID)
	if err != nil || !found {
		return "", err
	}
	return Snippet(text, query), nil
}

// WarmSearch builds the search index now, if no search has yet, so that
// the first search need not wait for it. It reads every message; the desktop
// runs it in the background after unlocking.
func (s *Store) WarmSearch() { s.indexOnce.Do(s.buildIndex) }

// buildIndex reads every message into a new index. It reads without
// holding the store's lock, so that the case list and everything else stay
// quick while it runs (a second or more at 10,000 cases); the cases that
// change meanwhile are indexed again, under the lock, at the end.
func (s *Store) buildIndex() {
	s.mu.Lock()
	s.indexing, s.indexDirty = true, map[string]bool{}
	all := s.allLocked() // cases are never changed in place
	s.mu.Unlock()

	idx := NewSearchIndex()
	var err error
	for _, c := range all {
		var msgs []*Message
		if msgs, err = s.readMessages(c.ID); err != nil {
			break
		}
		addCaseDocs(idx, c, msgs)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	dirty := s.indexDirty
	s.indexing, s.indexDirty = false, nil
	if err != nil {
		s.indexErr = err
		return
	}
	for id := range dirty {
		idx.RemoveCase(id)
		c := s.cases[id]
		if c == nil {
			continue
		}
		msgs, err := s.readMessages(id)
		if err != nil {
			s.indexErr = err
			return
		}
		addCaseDocs(idx, c, msgs)
	}
	s.index = idx
}

// indexPendingLocked reports whether the index is not there to change:
// not built, or being built, in which case case id is noted to be indexed
// again when the build ends.
func (s *Store) indexPendingLocked(id string) bool {
	if s.indexing {
		s.indexDirty[id] = true
	}
	return s.index == nil
}

// reindexLocked refreshes a changed case in the index, if it is built.
func (s *Store) reindexLocked(c *Case, newMsgs []*Message) {
	if s.indexPendingLocked(c.ID) {
		return
	}
	s.index.RemoveCase(c.ID)
	msgs, err := s.readMessages(c.ID)
	if err != nil {
		msgs = newMsgs
	}
	addCaseDocs(s.index, c, msgs)
}

func addCaseDocs(idx *SearchIndex, c *Case, msgs []*Message) {
	idx.Add(SearchDoc{CaseID: c.ID, Kind: "case", Text: caseText(c)})
	for _, p := range c.Parties {
		idx.Add(SearchDoc{CaseID: c.ID, Kind: "party", ItemID: p.ID, Text: partyText(p)})
	}
	for _, n := range c.Notes {
		idx.Add(SearchDoc{CaseID: c.ID, Kind: "note", ItemID: n.ID, Text: n.Text})
	}
	for _, e := range c.Evidence {
		idx.Add(SearchDoc{CaseID: c.ID, Kind: "evidence", ItemID: e.ID, Text: evidenceText(e)})
	}
	for _, m := range msgs {
		idx.Add(SearchDoc{CaseID: c.ID, Kind: "message", ItemID: m.ID, Text: messageText(m)})
	}
}

// The searchable text of each kind of document, for the index and again
// for a found document's snippet.
func caseText(c *Case) string {
	return strings.Join([]string{c.Code, c.Summary, c.Description, c.When, c.Where, c.PriorAttempts}, "\n")
}

func partyText(p *Party) string {
	return strings.Join([]string{p.Name, p.Pseudonym, p.Handle, p.Contact, p.Relationship}, " ")
}

func evidenceText(e *Evidence) string { return e.URL + " " + e.Note + " " + e.How }

func messageText(m *Message) string { return m.Subject + "\n" + m.Text }

// docTextLocked reads back the text a search found: the case's own from
// memory, a message's from the vault. found is false for a document gone
// meanwhile. The caller holds s.mu.
func (s *Store) docTextLocked(c *Case, kind, itemID string) (text string, found bool, err error) {
	switch kind {
	case "case":
		return caseText(c), true, nil
	case "party":
		if p := c.Party(itemID); p != nil {
			return partyText(p), true, nil
		}
	case "note":
		for _, n := range c.Notes {
			if n.ID == itemID {
				return n.Text, true, nil
			}
		}
	case "evidence":
		for _, e := range c.Evidence {
			if e.ID == itemID {
				return evidenceText(e), true, nil
			}
		}
	case "message":
		ns, key := caseNS(c.ID), msgKeyPre+itemID
		b, err := s.st.Get(ns, key)
		switch {
		case errors.Is(err, vault.ErrNotFound):
		case err != nil:
			return "", false, fmt.Errorf("read %s/%s: %w", ns, key, err)
		default:
			m := &Message{}
			if err := json.Unmarshal(b, m); err != nil {
				return "", false, &vault.CorruptError{Record: ns + "/" + key, Err: errors.New("unreadable message")}
			}
			return messageText(m), true, nil
		}
	}
	return "", false, nil
}

// Import adds whole cases with their messages, many per atomic write; it
// is how demo data and bulk imports arrive. A case whose code name is
// taken, or is not a code name, gets a new one. The store keeps copies.
// It returns the code names given, in the order of cases. It trusts the
// cases as they are, their parties' member IDs and conflicts included:
// they do not go through NewCase's checks against the roster.
func (s *Store) Import(cases []*Case, msgs map[string][]*Message) ([]string, error) {
	const perWrite = 20
	s.mu.Lock()
	defer s.mu.Unlock()
	codes := make([]string, 0, len(cases))
	for start := 0; start < len(cases); start += perWrite {
		type item struct {
			c    *Case
			msgs []*Message
		}
		batch := make([]item, 0, perWrite)
		reserved, reservedIDs := map[string]bool{}, map[string]bool{}
		taken := func(code string) bool { _, t := s.codes[code]; return t || reserved[code] }
		for _, orig := range cases[start:min(start+perWrite, len(cases))] {
			c := clone(orig)
			c.Code = strings.ToLower(strings.TrimSpace(c.Code))
			if !codeNamePattern.MatchString(c.Code) || taken(c.Code) {
				c.Code = NewCodeName(taken)
			}
			reserved[c.Code] = true
			// A case never replaces another: an ID already in use gets a
			// new one, and the messages follow their case.
			if _, used := s.cases[c.ID]; used || c.ID == "" || reservedIDs[c.ID] {
				c.ID = newID()
			}
			reservedIDs[c.ID] = true
			batch = append(batch, item{c, msgs[orig.ID]})
		}
		err := s.st.Update(func(tx *vault.Tx) error {
			for _, it := range batch {
				if err := putJSON(tx, caseNS(it.c.ID), caseKey, it.c); err != nil {
					return err
				}
				for _, m := range it.msgs {
					if err := putJSON(tx, caseNS(it.c.ID), msgKeyPre+m.ID, m); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return codes, err
		}
		s.changedLocked()
		for _, it := range batch {
			codes = append(codes, it.c.Code)
			s.cases[it.c.ID] = leanCase(it.c)
			s.codes[it.c.Code] = it.c.ID
			s.msgs[it.c.ID] += len(it.msgs)
			if !s.indexPendingLocked(it.c.ID) {
				addCaseDocs(s.index, it.c, it.msgs)
			}
		}
	}
	return codes, nil
}
