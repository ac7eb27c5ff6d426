package app

import (
	"cmp"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"casebook/vault"
)

// The case book keeps its cases lean (leanCase); these tests hold it to
// giving what the whole cases give, and to never writing a lean case.

// TestLeanCaseDue checks that a lean case gives the due list, the stage
// times and the last reply of the whole case: on hand-made histories that
// test each rule, and on the demo's cases at every stage.
func TestLeanCaseDue(t *testing.T) {
	t0 := wall(berlin, 2026, time.March, 2, 9, 0)
	at := func(days int) time.Time { return t0.AddDate(0, 0, days) }
	ev := func(days int, a Action, from, to Stage) *Event {
		return &Event{At: at(days), Action: a, From: from, To: to}
	}
	made := []struct {
		name  string
		stage Stage
		h     []*Event
	}{
		{"no history", StageReceived, nil},
		{"stage entered twice", StageGathering, []*Event{
			ev(0, ActReceive, "", StageReceived), ev(1, ActTriage, StageReceived, StageGathering),
			ev(3, ActStartReview, StageGathering, StageReview), ev(5, ActRequestInfo, StageReview, StageGathering),
			ev(6, ActAssign, StageGathering, StageGathering)}},
		{"replies out of time order", StageGathering, []*Event{
			ev(1, ActTriage, StageReceived, StageGathering), ev(9, ActResponded, "", ""),
			ev(4, ActResponded, "", ""), ev(7, ActDeclinedToRespond, "", "")}},
		{"a reply that moves the stage", StageReview, []*Event{
			ev(1, ActTriage, StageReceived, StageGathering), ev(2, ActResponded, StageGathering, StageReview),
			ev(3, ActResponded, "", "")}},
		{"two replies at one time", StageGathering, []*Event{
			ev(1, ActTriage, StageReceived, StageGathering), ev(4, ActResponded, "", ""), ev(4, ActDeclinedToRespond, "", "")}},
	}
	var cases []*Case
	for i, m := range made {
		c := &Case{ID: "made" + string(rune('a'+i)), Code: m.name, Received: t0, Stage: m.stage, History: m.h}
		cases = append(cases, c)
	}
	d := Demo(DemoOptions{Cases: 400, Seed: 11, Now: at(60), Config: testConfig()})
	cases = append(cases, d.Cases...)
	ctx := Context{Roster: d.Roster, Config: testConfig()}
	for _, c := range cases {
		before := mustJSON(t, c)
		l := leanCase(c)
		if mustJSON(t, c) != before {
			t.Fatalf("%s: leanCase changed the whole case", c.Code)
		}
		if len(l.History) > 2 {
			t.Errorf("%s: the lean case keeps %d events, want at most 2", c.Code, len(l.History))
		}
		if got, want := l.EnteredStageAt(), c.EnteredStageAt(); !got.Equal(want) {
			t.Errorf("%s: EnteredStageAt got %v, want %v", c.Code, got, want)
		}
		for days := -1; days <= 90; days += 3 {
			if got, want := lastHeard(l, at(days)), lastHeard(c, at(days)); !got.Equal(want) {
				t.Errorf("%s: lastHeard since day %d got %v, want %v", c.Code, days, got, want)
			}
		}
		for days := 0; days <= 120; days += 5 {
			ctx.Now = at(days)
			got := Due([]*Case{l}, nil, ctx, at(days))
			want := Due([]*Case{c}, nil, ctx, at(days))
			if mustJSON(t, got) != mustJSON(t, want) {
				t.Errorf("%s: due on day %d:\n got %s\nwant %s", c.Code, days, mustJSON(t, got), mustJSON(t, want))
			}
		}
	}
}

// TestCaseBookWholeFromVault checks that the store, whose cases in memory
// are lean, lists and dues as the whole cases do, returns cases whole, and
// keeps the whole history through every kind of write.
func TestCaseBookWholeFromVault(t *testing.T) {
	e := newStoreEnv(t)
	if _, _, err := e.s.AddDemo(DemoOptions{Cases: 120, Seed: 5, Now: e.clock.Now(), Config: testConfig(), Messages: 2}); err != nil {
		t.Fatal(err)
	}
	var whole []*Case
	for _, sum := range e.s.List("") {
		c, err := e.s.Case(sum.Code)
		if err != nil {
			t.Fatal(err)
		}
		whole = append(whole, c)
	}
	slices.SortFunc(whole, func(a, b *Case) int { return cmp.Compare(a.Code, b.Code) })
	events := 0
	for _, c := range whole {
		events += len(c.History)
	}
	if events < 3*len(whole) {
		t.Fatalf("the demo's cases have %d events in all, too few to test a lean history", events)
	}
	for days := 0; days <= 60; days += 4 {
		asOf := e.clock.Now().AddDate(0, 0, days)
		ctx := e.s.Context()
		got := e.s.Due(asOf)
		want := Due(whole, e.s.Brigading(), ctx, asOf)
		if mustJSON(t, got) != mustJSON(t, want) {
			t.Errorf("due on day %d differs from the whole cases'", days)
		}
	}

	c := e.newCase(t, testIntake(e.clock.Now()))
	history := func() []*Event {
		t.Helper()
		k, err := e.s.Case(c.Code)
		if err != nil {
			t.Fatal(err)
		}
		return k.History
	}
	ctx := e.s.Context()
	letter, err := Template(KindAcknowledgement, c, "p1", ctx)
	if err != nil {
		t.Fatal(err)
	}
	var draft *Message
	writes := []struct {
		name string
		do   func() error
	}{
		{"Step", func() error { _, err := e.s.Step(c.Code, Step{Action: ActCheckConflicts}); return err }},
		{"SetCategory", func() error { _, err := e.s.SetCategory(c.Code, CategoryHarassment); return err }},
		{"DeclareConflict", func() error { _, err := e.s.DeclareConflict(c.Code, "m3", SoftConflict, "a friend"); return err }},
		// The history now holds more than a lean case keeps: a write
		// that started from the case in memory would lose events.
		{"AddNote", func() error { _, err := e.s.AddNote(c.Code, "a note", Visibility{}); return err }},
		{"AddDraft", func() error {
			var err error
			draft, err = e.s.AddDraft(c.Code, letter, "<lean-1@committee.example>")
			return err
		}},
		{"MarkSent", func() error { _, err := e.s.MarkSent(c.Code, draft.ID); return err }},
		{"AddEvidence", func() error {
			_, err := e.s.AddEvidence(c.Code, "https://forum.example.org/t/1", "a post", Visibility{})
			return err
		}},
		{"Step again", func() error { _, err := e.s.Step(c.Code, Step{Action: ActTriage, Responder: "m2"}); return err }},
	}
	prev := history()
	assertLean(t, e.s)
	for _, w := range writes {
		e.clock.Advance(time.Hour)
		if err := w.do(); err != nil {
			t.Fatalf("%s: %v", w.name, err)
		}
		assertLean(t, e.s)
		h := history()
		if len(h) < len(prev) || mustJSON(t, h[:len(prev)]) != mustJSON(t, prev) {
			t.Fatalf("after %s: the history went from %d events to %d, not kept", w.name, len(prev), len(h))
		}
		prev = h
	}
	s := e.reopen(t)
	assertLean(t, s)
	k, err := s.Case(c.Code)
	if err != nil {
		t.Fatal(err)
	}
	if mustJSON(t, k.History) != mustJSON(t, prev) {
		t.Errorf("after reopening: %d events, want the %d written", len(k.History), len(prev))
	}
}

// assertLean fails the test unless every case the store holds in memory is
// lean: at most the two events leanCase keeps.
func assertLean(t *testing.T, s *Store) {
	t.Helper()
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, c := range s.cases {
		if len(c.History) > 2 {
			t.Fatalf("the store holds case %s with %d events in memory, want it lean", c.Code, len(c.History))
		}
	}
}

// TestEmptyItemInVault checks that a vault holding an empty (null) item in
// one of a case's lists, which a bundle imported before such bundles were
// refused could have left, opens, lists, shows and changes the case without
// a panic, and that the next change writes the case without the item.
func TestEmptyItemInVault(t *testing.T) {
	for _, list := range []string{"parties", "evidence", "notes", "worksheet", "conflicts", "decisions", "votes", "history", "appeals"} {
		t.Run(list, func(t *testing.T) {
			e := newStoreEnv(t)
			c := e.newCase(t, testIntake(e.clock.Now()))
			var doc map[string]any
			if err := json.Unmarshal(e.rawCase(t, c.ID), &doc); err != nil {
				t.Fatal(err)
			}
			items, _ := doc[list].([]any)
			doc[list] = append([]any{nil}, items...)
			b, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			if err := e.v.Update(func(tx *vault.Tx) error { return tx.Put(caseNS(c.ID), caseKey, b) }); err != nil {
				t.Fatal(err)
			}
			s := e.reopen(t)
			if got := s.List(""); len(got) != 1 || got[0].Code != c.Code {
				t.Fatalf("List: got %+v, want the one case", got)
			}
			if due := s.Due(e.clock.Now().AddDate(0, 0, 30)); len(due) == 0 {
				t.Errorf("Due: nothing due on a new case a month on")
			}
			whole, err := s.Case(c.Code)
			if err != nil {
				t.Fatalf("Case: %v", err)
			}
			if whole.hasEmptyItem() {
				t.Errorf("Case: the case read whole still holds an empty item")
			}
			if err := s.ViewCases(func(cases []*Case) error {
				for _, vc := range cases {
					if vc.hasEmptyItem() {
						t.Errorf("ViewCases: a case holds an empty item")
					}
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.AddNote(c.Code, "A note after the empty item.", Visibility{}); err != nil {
				t.Fatalf("AddNote: %v", err)
			}
			var written Case
			if err := json.Unmarshal(e.rawCase(t, c.ID), &written); err != nil {
				t.Fatal(err)
			}
			if written.hasEmptyItem() {
				t.Errorf("the case written after a change still holds the empty item")
			}
		})
	}
}

// TestCaseRecordMissing checks that a case whose record went missing from
// the vault under the store is reported as damage, not as a case without
// history, and that a change to it changes nothing.
func TestCaseRecordMissing(t *testing.T) {
	e := newStoreEnv(t)
	c := e.newCase(t, testIntake(e.clock.Now()))
	if err := e.v.Update(func(tx *vault.Tx) error { return tx.Delete(caseNS(c.ID), caseKey) }); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.Case(c.Code); !errors.Is(err, vault.ErrCorrupt) {
		t.Errorf("Case: got %v, want ErrCorrupt", err)
	} else if n := strings.Count(err.Error(), caseNS(c.ID)); n != 1 {
		t.Errorf("Case: %q names the record %d times, want once", err, n)
	}
	if _, err := e.s.Step(c.Code, Step{Action: ActCheckConflicts}); !errors.Is(err, vault.ErrCorrupt) {
		t.Errorf("Step: got %v, want ErrCorrupt", err)
	}
	if _, err := e.v.Get(caseNS(c.ID), caseKey); !errors.Is(err, vault.ErrNotFound) {
		t.Errorf("after the refused step the record is back: %v", err)
	}
}

// TestAddedItemIsACopy checks that changing an item AddNote, AddEvidence or
// AddCheck returns does not change the case the store holds in memory.
func TestAddedItemIsACopy(t *testing.T) {
	for _, tc := range []struct {
		name string
		add  func(s *Store, code string) (text *string, err error)
		held func(c *Case) string
	}{
		{"note", func(s *Store, code string) (*string, error) {
			n, err := s.AddNote(code, "Spoke with the reporter.", Visibility{})
			if err != nil {
				return nil, err
			}
			return &n.Text, nil
		}, func(c *Case) string { return c.Notes[len(c.Notes)-1].Text }},
		{"evidence", func(s *Store, code string) (*string, error) {
			e, err := s.AddEvidence(code, "", "A screenshot of the thread.", Visibility{})
			if err != nil {
				return nil, err
			}
			return &e.Note, nil
		}, func(c *Case) string { return c.Evidence[len(c.Evidence)-1].Note }},
		{"check", func(s *Store, code string) (*string, error) {
			k, err := s.AddCheck(code, "The thread's date.", "the forum")
			if err != nil {
				return nil, err
			}
			return &k.What, nil
		}, func(c *Case) string { return c.Worksheet[len(c.Worksheet)-1].What }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newStoreEnv(t)
			c := e.newCase(t, testIntake(e.clock.Now()))
			text, err := tc.add(e.s, c.Code)
			if err != nil {
				t.Fatal(err)
			}
			want := *text
			*text = "changed by the caller"
			if err := e.s.ViewCases(func(cases []*Case) error {
				if got := tc.held(cases[0]); got != want {
					t.Errorf("the case book holds %q, want %q", got, want)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestEmptyItemInVaultHandedOff checks that a case whose record in the
// vault holds an empty (null) item is still handed off: the bundle
// carries it without the item, and the recipient takes it.
func TestEmptyItemInVaultHandedOff(t *testing.T) {
	p := newPeers(t)
	a, b := p.a, p.b
	c := a.newCase(t, testIntake(a.clock.Now()))
	var doc map[string]any
	if err := json.Unmarshal(a.rawCase(t, c.ID), &doc); err != nil {
		t.Fatal(err)
	}
	doc["conflicts"] = []any{nil}
	raw, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.v.Update(func(tx *vault.Tx) error { return tx.Put(caseNS(c.ID), caseKey, raw) }); err != nil {
		t.Fatal(err)
	}
	a.reopen(t)
	rep := receive(t, b, send(t, a, []string{c.Code}, "Blair Sample"))
	if len(rep.Cases) != 1 || rep.Cases[0].Status != ImportAdded {
		t.Fatalf("got %+v, want the case added", rep.Cases)
	}
	var got Case
	if err := json.Unmarshal(b.rawCase(t, c.ID), &got); err != nil {
		t.Fatal(err)
	}
	if got.hasEmptyItem() {
		t.Errorf("the recipient's case holds an empty item")
	}
	// And back: the sender merges the recipient's version.
	if _, err := b.s.AddNote(c.Code, "A note from the recipient.", Visibility{}); err != nil {
		t.Fatal(err)
	}
	if rep := receive(t, a, send(t, b, []string{c.Code}, "Alex Example")); len(rep.Cases) != 1 || rep.Cases[0].Status != ImportMerged {
		t.Fatalf("back: got %+v, want the case merged", rep.Cases)
	}
}
