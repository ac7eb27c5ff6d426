package app

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"casebook/internal/faultlog"
	"casebook/vault"
)

// Two members' vaults. Alex uses a, Blair uses b. Their rosters list the
// same four people in different orders, so that every member ID differs
// between the two vaults:
//
//	        Alex  Blair  Casey  Dana
//	in a:   m1    m2     m3     m4
//	in b:   m2    m1     m4     m3
//
// Each has the other's keys; Casey has no keys; Dana has keys in a.
type peers struct {
	a, b *storeEnv
	dana *identity
}

func newPeers(t *testing.T) *peers {
	t.Helper()
	p := &peers{a: newStoreEnv(t), b: newStoreEnv(t)}
	err := p.b.s.UpdateRoster(func(r *Roster) error {
		*r = Roster{}
		for _, name := range []string{"Blair Sample", "Alex Example", "Dana Fictional", "Casey Placeholder"} {
			if _, err := r.Add(name, ""); err != nil {
				return err
			}
		}
		r.Me = "m1"
		return nil
	})
	if err != nil {
		t.Fatalf("UpdateRoster: %v", err)
	}
	ka, kb := mustKey(t, p.a.s), mustKey(t, p.b.s)
	if _, err := p.a.s.SetMemberKey("Blair Sample", kb, false); err != nil {
		t.Fatalf("SetMemberKey in a: %v", err)
	}
	if _, err := p.b.s.SetMemberKey("Alex Example", ka, false); err != nil {
		t.Fatalf("SetMemberKey in b: %v", err)
	}
	p.dana = newIdentity(t)
	if _, err := p.a.s.SetMemberKey("Dana Fictional", p.dana.public(), false); err != nil {
		t.Fatalf("SetMemberKey for Dana: %v", err)
	}
	return p
}

// send makes a bundle of the cases for the members and returns its bytes.
func send(t *testing.T, from *storeEnv, codes []string, to ...string) []byte {
	t.Helper()
	out, err := from.s.PrepareBundle(codes, to, BundleOptions{})
	if err != nil {
		t.Fatalf("PrepareBundle: %v", err)
	}
	var buf bytes.Buffer
	if err := out.Write(&buf); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if err := out.Written(); err != nil {
		t.Fatalf("Written: %v", err)
	}
	return buf.Bytes()
}

func receive(t *testing.T, to *storeEnv, bundle []byte) *ImportReport {
	t.Helper()
	rep, err := to.s.ImportBundle(bytes.NewReader(bundle))
	if err != nil {
		t.Fatalf("ImportBundle: %v", err)
	}
	return rep
}

// contents is every record of a vault, by namespace and key, as digests:
// what must not change when a bundle is refused. The audit log is not
// among them.
func contents(t *testing.T, v *vault.Vault) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	names, err := v.Namespaces()
	if err != nil {
		t.Fatal(err)
	}
	for _, ns := range names {
		err := v.Scan(ns, "", func(key string, value []byte) error {
			out[ns+"/"+key] = sha256.Sum256(value)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func sameContents(t *testing.T, what string, before, after map[string][32]byte) {
	t.Helper()
	for k, h := range before {
		if a, ok := after[k]; !ok {
			t.Errorf("%s: record %s gone", what, k)
		} else if a != h {
			t.Errorf("%s: record %s changed", what, k)
		}
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			t.Errorf("%s: record %s added", what, k)
		}
	}
}

// comparable is a case as both vaults should agree on it, in member
// names rather than member IDs and without the code name.
func comparable(t *testing.T, s *Store, code string) string {
	t.Helper()
	c, err := s.Case(code)
	if err != nil {
		t.Fatalf("Case(%s): %v", code, err)
	}
	r := s.Roster()
	name := func(id string) string {
		if m := r.Member(id); m != nil {
			return m.Name
		}
		return id
	}
	c.Code = ""
	c.Responder = name(c.Responder)
	for _, k := range c.Conflicts {
		k.MemberID = name(k.MemberID)
	}
	for _, e := range c.History {
		e.Member = name(e.Member)
	}
	for _, n := range c.Notes {
		n.Author = name(n.Author)
	}
	for _, v := range c.Votes {
		b := map[string]Choice{}
		for m, ch := range v.Ballots {
			b[name(m)] = ch
		}
		v.Ballots = b
	}
	msgs, err := s.Messages(code)
	if err != nil {
		t.Fatal(err)
	}
	return mustJSON(t, struct {
		C *Case
		M []*Message
	}{c, msgs})
}

func TestBundleRoundTrip(t *testing.T) {
	p := newPeers(t)
	a, b := p.a, p.b
	c := a.newCase(t, testIntake(a.clock.Now()))
	for _, step := range []Step{{Action: ActCheckConflicts}, {Action: ActAcknowledge}} {
		if _, err := a.s.Step(c.Code, step); err != nil {
			t.Fatalf("Step %s: %v", step.Action, err)
		}
	}
	if _, err := a.s.DeclareConflict(c.Code, "m3", HardConflict, "works with the reported person"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.s.Step(c.Code, Step{Action: ActTriage, Responder: "m2", Assessment: Assessment{Risk: "low"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.s.AddNote(c.Code, "First impressions from Alex", Visibility{}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.s.AddMessage(c.Code, Message{PartyID: "p1", Direction: In, Text: "More details from the reporter"}); err != nil {
		t.Fatal(err)
	}

	// a → b: the case is new in b.
	rep := receive(t, b, send(t, a, []string{c.Code}, "Blair Sample"))
	if rep.From != "Alex Example" || len(rep.Cases) != 1 || rep.Cases[0].Status != ImportAdded || rep.Cases[0].Code != c.Code {
		t.Fatalf("first import: got %+v, want the case added under its code, from Alex Example", rep)
	}
	if got, want := comparable(t, b.s, c.Code), comparable(t, a.s, c.Code); got != want {
		t.Fatalf("case in b after the first bundle:\ngot  %s\nwant %s", got, want)
	}
	bc, _ := b.s.Case(c.Code)
	if bc.Responder != "m1" || !bc.Excluded("m4") || bc.Notes[0].Author != "m2" {
		t.Errorf("member IDs in b: got responder %q, author %q, conflicts %+v; want b's IDs m1, m2 and m4 (Casey)", bc.Responder, bc.Notes[0].Author, bc.Conflicts[0])
	}
	if n := len(b.s.List("")); n != 1 {
		t.Errorf("List in b: got %d cases, want 1", n)
	}
	if hits, _ := b.s.Search("impressions", 10); len(hits) != 1 {
		t.Errorf("Search in b: got %v, want the note", hits)
	}

	// Both edit: no field on both sides.
	a.clock.Advance(time.Hour)
	b.clock.Advance(2 * time.Hour)
	if _, err := a.s.Step(c.Code, Step{Action: ActContact, Party: "p2"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.s.AddEvidence(c.Code, "https://forum.example.org/t/1", "the thread", Visibility{}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.s.SetArchiveSummary(c.Code, "A contributor reported insults."); err != nil {
		t.Fatal(err)
	}
	if _, err := b.s.AddMessage(c.Code, Message{PartyID: "p1", Direction: Out, Text: "We are looking into it",
		Visibility: Visibility{SharedWith: []string{"p1"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.s.AddCheck(c.Code, "the thread exists", "public link"); err != nil {
		t.Fatal(err)
	}

	// b → a: both edits present, no conflict.
	rep = receive(t, a, send(t, b, []string{c.Code}, "Alex Example"))
	if rep.Cases[0].Status != ImportMerged || rep.Cases[0].Conflicts != 0 {
		t.Fatalf("b → a: got %+v, want merged without conflicts", rep.Cases[0])
	}
	ac, _ := a.s.Case(c.Code)
	if ac.ArchiveSummary == "" || ac.Party("p2").Outreach != Contacted || len(ac.Evidence) != 1 || len(ac.Worksheet) != 1 {
		t.Errorf("a after b's bundle: got summary %q, p2 %s, %d evidence, %d checks; want both sides' edits",
			ac.ArchiveSummary, ac.Party("p2").Outreach, len(ac.Evidence), len(ac.Worksheet))
	}
	if msgs, _ := a.s.Messages(c.Code); len(msgs) != 2 {
		t.Errorf("messages in a: got %d, want 2", len(msgs))
	}
	// a → b again: b takes a's edits, and the two agree.
	rep = receive(t, b, send(t, a, []string{c.Code}, "Blair Sample"))
	if rep.Cases[0].Status != ImportMerged || rep.Cases[0].Conflicts != 0 {
		t.Fatalf("a → b: got %+v, want merged without conflicts", rep.Cases[0])
	}
	if got, want := comparable(t, b.s, c.Code), comparable(t, a.s, c.Code); got != want {
		t.Errorf("after the round trip:\nb %s\na %s", got, want)
	}
	// Nothing new: unchanged, and nothing written.
	before := contents(t, b.v)
	rep = receive(t, b, send(t, a, []string{c.Code}, "Blair Sample"))
	if rep.Cases[0].Status != ImportUnchanged {
		t.Errorf("a → b with nothing new: got %+v, want unchanged", rep.Cases[0])
	}
	after := contents(t, b.v)
	for k := range after {
		if strings.Contains(k, "/"+baseKeyPre) || strings.HasSuffix(k, "/"+basesKey) {
			delete(after, k) // a's new version is kept as a base
		}
	}
	for k := range before {
		if strings.Contains(k, "/"+baseKeyPre) || strings.HasSuffix(k, "/"+basesKey) {
			delete(before, k)
		}
	}
	sameContents(t, "import with nothing new", before, after)

	// Both audit logs record it.
	if kinds := strings.Join(auditKinds(t, a.v), "\n"); !strings.Contains(kinds, "bundle.export case.") || !strings.Contains(kinds, "bundle.import bundle") || !strings.Contains(kinds, "bundle.merge case.") {
		t.Errorf("audit of a: got\n%s\nwant bundle.export, bundle.import and bundle.merge entries", kinds)
	}
	// And it all survives reopening.
	want := comparable(t, b.s, c.Code)
	if got := comparable(t, b.reopen(t), c.Code); got != want {
		t.Errorf("b after reopening:\ngot  %s\nwant %s", got, want)
	}
}

// TestBundleLongCase hands off a case with more messages than one write
// of the vault holds, new to the recipient and merged into the copy they
// hold: it arrives whole, in several writes, and importing the same
// bundle again changes nothing.
func TestBundleLongCase(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 7 MB into two vaults")
	}
	for _, tc := range []struct {
		name   string
		held   bool // the recipient holds the case, short, before
		status ImportStatus
	}{
		{"new here", false, ImportAdded},
		{"merged", true, ImportMerged},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPeers(t)
			a, b := p.a, p.b
			c := a.newCase(t, testIntake(a.clock.Now()))
			if tc.held {
				receive(t, b, send(t, a, []string{c.Code}, "Blair Sample"))
			}
			n, quoted := addLongCorrespondence(t, a, c)
			bundle := send(t, a, []string{c.Code}, "Blair Sample")
			rep := receive(t, b, bundle)
			if len(rep.Cases) != 1 || rep.Cases[0].Status != tc.status {
				t.Fatalf("got %+v, want the case %s", rep.Cases, tc.status)
			}
			msgs, err := b.s.Messages(c.Code)
			if err != nil || len(msgs) != n {
				t.Fatalf("b holds %d messages, %v; want %d", len(msgs), err, n)
			}
			if !strings.HasPrefix(msgs[n-1].Text, fmt.Sprintf("Reply %d\n", n-1)) || !strings.HasSuffix(msgs[n-1].Text, quoted) {
				t.Error("the last message arrived altered")
			}
			if parts := auditCount(t, b.v, "bundle.merge.part"); parts < 2 {
				t.Errorf("the case was merged with %d parts before the last write, want at least 2", parts)
			}
			before := contents(t, b.v)
			if rep := receive(t, b, bundle); rep.Cases[0].Status != ImportUnchanged {
				t.Errorf("second import: got %+v, want unchanged", rep.Cases[0])
			}
			sameContents(t, "second import of the long case", before, contents(t, b.v))
		})
	}
}

// addLongCorrespondence adds to c more messages of 25 KB than one write of
// the vault holds: n of them, each ending in quoted.
func addLongCorrespondence(t *testing.T, e *storeEnv, c *Case) (n int, quoted string) {
	t.Helper()
	quoted = strings.Repeat("> Earlier in this thread we wrote about the meetup and what was said there.\n", 330) // 25 KB
	n = vault.MaxWrite/len(quoted) + 60
	for i := range n {
		if _, err := e.s.AddMessage(c.Code, Message{PartyID: "p1", Direction: In, Text: fmt.Sprintf("Reply %d\n\n%s", i, quoted)}); err != nil {
			t.Fatal(err)
		}
	}
	return n, quoted
}

// failingStorage fails every write after the first allow with the
// disk-full error.
type failingStorage struct {
	Storage
	allow int
}

func (f *failingStorage) Update(fn func(*vault.Tx) error) error {
	if f.allow <= 0 {
		return fmt.Errorf("%w: injected", vault.ErrNoSpace)
	}
	f.allow--
	return f.Storage.Update(fn)
}

// TestFaultDiskFullMidLongCase stops the import of a case larger than one
// write after its first part, on a full disk, and imports the bundle
// again:
//   - a case new here: the case book does not show it; importing again in
//     the same session writes only what is missing and drops a message the
//     bundle does not have; unlocking again instead destroys what was
//     written, and importing again adds the case whole;
//   - a case held here: the messages written are the case's own, a message
//     added meanwhile takes none of their IDs, and importing again merges
//     the rest without doubling any;
//   - a case held here, stopped after its new messages' IDs were reserved
//     and before any was written: the error says so, not "nothing
//     changed", and importing again merges them all.
func TestFaultDiskFullMidLongCase(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 7 MB into two vaults")
	}
	tl := faultlog.Track(t, "disk", "full disk part-way through a case too large for one write",
		"A case with more messages than one write of the vault holds is imported into a vault that fails its writes with the disk-full error after the first part, as a case new there and as one it holds: the error says how much is in; a new case stays out of the case book, importing again writes each message once and drops a leftover the bundle lacks, and unlocking instead destroys the part written; a held case keeps the messages written as its own, a message added meanwhile takes none of their IDs, and importing again merges the rest with no message doubled; a held case stopped after its new messages' IDs were reserved is reported so, and importing again merges them all.")
	// stop imports bundle into b through a store whose writes fail after
	// the first allow, and returns that store, its storage and the error.
	stop := func(t *testing.T, b *storeEnv, bundle []byte, allow int) (*Store, *failingStorage, *PartialImportError) {
		t.Helper()
		fs := &failingStorage{Storage: b.v, allow: allow}
		s, err := OpenStore(fs, b.clock.Now)
		if err != nil {
			t.Fatal(err)
		}
		s.WarmSearch() // the index, built, must follow what is written
		_, err = s.ImportBundle(bytes.NewReader(bundle))
		var partial *PartialImportError
		if !errors.As(err, &partial) || partial.Imported != 0 || !partial.Begun || !errors.Is(err, vault.ErrNoSpace) {
			t.Fatalf("import stopped after one part: got %v, want a PartialImportError with the case begun, wrapping ErrNoSpace", err)
		}
		return s, fs, partial
	}
	msgWrites := func(t *testing.T, v *vault.Vault, ns string) (creates, updates int) {
		t.Helper()
		audit, err := v.Audit()
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range audit {
			if strings.HasPrefix(e.Record, ns+"/"+msgKeyPre) {
				switch e.Kind {
				case "create":
					creates++
				case "update":
					updates++
				}
			}
		}
		return creates, updates
	}

	// longCaseBundle gives a bundle of a long case new to b, with the case
	// and its number of messages.
	longCaseBundle := func(t *testing.T) (b *storeEnv, c *Case, n int, bundle []byte) {
		t.Helper()
		p := newPeers(t)
		c = p.a.newCase(t, testIntake(p.a.clock.Now()))
		n, _ = addLongCorrespondence(t, p.a, c)
		return p.b, c, n, send(t, p.a, []string{c.Code}, "Blair Sample")
	}

	t.Run("new here, same session", func(t *testing.T) {
		tl.Run()
		b, c, n, bundle := longCaseBundle(t)
		s, fs, partial := stop(t, b, bundle, 1) // the first part
		if partial.Held {
			t.Errorf("a case new here reported as held")
		}
		if got := s.List(""); len(got) != 0 {
			t.Errorf("after the stopped import the case book shows %d cases, want none", len(got))
		}
		// A message an earlier bundle's stopped import left, which this
		// bundle does not have.
		if err := b.v.Update(func(tx *vault.Tx) error { return tx.Put(caseNS(c.ID), msgKeyPre+"m999", []byte(`{"id":"m999"}`)) }); err != nil {
			t.Fatal(err)
		}
		fs.allow = 1 << 30
		rep, err := s.ImportBundle(bytes.NewReader(bundle))
		if err != nil || len(rep.Cases) != 1 || rep.Cases[0].Status != ImportAdded {
			t.Fatalf("importing again: got %+v, %v; want the case added", rep, err)
		}
		if msgs, err := s.Messages(c.Code); err != nil || len(msgs) != n {
			t.Fatalf("b holds %d messages, %v; want %d", len(msgs), err, n)
		}
		if creates, updates := msgWrites(t, b.v, caseNS(c.ID)); creates != n+1 || updates != 0 {
			t.Errorf("message records created %d times and updated %d, want %d and 0: each of the bundle's written once, and the leftover", creates, updates, n+1)
		}
		if _, err := b.v.Get(caseNS(c.ID), pendingKey); !errors.Is(err, vault.ErrNotFound) {
			t.Errorf("after the import finished, the mark of a stopped one: %v", err)
		}
		if got := b.reopen(t).List(""); len(got) != 1 {
			t.Errorf("unlocked again, the case book shows %d cases, want the one imported", len(got))
		}
	})

	t.Run("new here, unlocked again", func(t *testing.T) {
		tl.Run()
		b, c, n, bundle := longCaseBundle(t)
		stop(t, b, bundle, 1) // the first part
		if got := b.reopen(t).List(""); len(got) != 0 {
			t.Errorf("unlocked again, the case book shows %d cases, want none", len(got))
		}
		names, err := b.v.Namespaces()
		if err != nil {
			t.Fatal(err)
		}
		if slices.Contains(names, caseNS(c.ID)) {
			t.Errorf("unlocked again, the part of the case written is still in the vault")
		}
		if rep := receive(t, b, bundle); len(rep.Cases) != 1 || rep.Cases[0].Status != ImportAdded {
			t.Fatalf("importing again: got %+v, want the case added", rep.Cases)
		}
		if msgs, err := b.s.Messages(c.Code); err != nil || len(msgs) != n {
			t.Fatalf("b holds %d messages, %v; want %d", len(msgs), err, n)
		}
	})

	t.Run("held here", func(t *testing.T) {
		tl.Run()
		p := newPeers(t)
		a, b := p.a, p.b
		c := a.newCase(t, testIntake(a.clock.Now()))
		receive(t, b, send(t, a, []string{c.Code}, "Blair Sample"))
		// A message of b's own first, whose ID a's first message also
		// takes: the import renames a's.
		if _, err := b.s.AddMessage(c.Code, Message{PartyID: "p1", Direction: Out, Text: "Blair's reply, before a's long thread arrives."}); err != nil {
			t.Fatal(err)
		}
		n, _ := addLongCorrespondence(t, a, c)
		bundle := send(t, a, []string{c.Code}, "Blair Sample")
		s, fs, partial := stop(t, b, bundle, 2) // the identities and the first part
		if !partial.Held {
			t.Errorf("a case held here reported as new")
		}
		msgs, err := s.Messages(c.Code)
		if err != nil || len(msgs) <= 1 || len(msgs) >= n+1 {
			t.Fatalf("after the stopped import the case shows %d messages, %v; want b's and some of a's %d", len(msgs), err, n)
		}
		written := len(msgs)
		// Every message says "reply": b's own and a's written.
		if found, err := s.Search("reply", 0); err != nil || len(found) != written {
			t.Errorf("search finds %d of the %d messages the case shows, %v", len(found), written, err)
		}
		whole, err := s.Case(c.Code)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if num, err := strconv.Atoi(strings.TrimLeft(m.ID, "abcdefghijklmnopqrstuvwxyz")); err != nil || num > whole.Seq {
				t.Fatalf("message %s written, and the case's numbering at %d would give its ID to a new item", m.ID, whole.Seq)
			}
		}
		fs.allow = 1 << 30
		if _, err := s.AddMessage(c.Code, Message{PartyID: "p1", Direction: In, Text: "A reply added before importing again."}); err != nil {
			t.Fatal(err)
		}
		if msgs, err := s.Messages(c.Code); err != nil || len(msgs) != written+1 {
			t.Fatalf("after adding one the case shows %d messages, %v; want %d", len(msgs), err, written+1)
		}
		rep, err := s.ImportBundle(bytes.NewReader(bundle))
		if err != nil || len(rep.Cases) != 1 || rep.Cases[0].Status != ImportMerged {
			t.Fatalf("importing again: got %+v, %v; want the case merged", rep, err)
		}
		msgs, err = s.Messages(c.Code)
		if err != nil || len(msgs) != n+2 {
			t.Fatalf("b holds %d messages, %v; want %d: the bundle's and b's two", len(msgs), err, n+2)
		}
		whole, err = s.Case(c.Code)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if whole.Party(m.PartyID) == nil {
				t.Errorf("message %s is from party %q, which the case does not have", m.ID, m.PartyID)
			}
		}
		if rep, err := s.ImportBundle(bytes.NewReader(bundle)); err != nil || rep.Cases[0].Status != ImportUnchanged {
			t.Errorf("a third import: got %+v, %v; want unchanged", rep, err)
		}
	})

	t.Run("held here, stopped after the identities", func(t *testing.T) {
		tl.Run()
		p := newPeers(t)
		a, b := p.a, p.b
		c := a.newCase(t, testIntake(a.clock.Now()))
		receive(t, b, send(t, a, []string{c.Code}, "Blair Sample"))
		n, _ := addLongCorrespondence(t, a, c)
		bundle := send(t, a, []string{c.Code}, "Blair Sample")
		fs := &failingStorage{Storage: b.v, allow: 1} // the identities only
		s, err := OpenStore(fs, b.clock.Now)
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.ImportBundle(bytes.NewReader(bundle))
		var partial *PartialImportError
		if !errors.As(err, &partial) || partial.Begun || !partial.Reserved || !partial.Held || !errors.Is(err, vault.ErrNoSpace) {
			t.Fatalf("import stopped after the identities: got %v (%+v), want a PartialImportError with the numbers reserved, wrapping ErrNoSpace", err, partial)
		}
		if msgs, err := s.Messages(c.Code); err != nil || len(msgs) != 0 {
			t.Fatalf("after the stopped import the case shows %d messages, %v; want none", len(msgs), err)
		}
		fs.allow = 1 << 30
		rep, err := s.ImportBundle(bytes.NewReader(bundle))
		if err != nil || len(rep.Cases) != 1 || rep.Cases[0].Status != ImportMerged {
			t.Fatalf("importing again: got %+v, %v; want the case merged", rep, err)
		}
		if msgs, err := s.Messages(c.Code); err != nil || len(msgs) != n {
			t.Fatalf("b holds %d messages, %v; want %d", len(msgs), err, n)
		}
	})
}

func TestBundleSameBundleTwice(t *testing.T) {
	p := newPeers(t)
	c := p.a.newCase(t, testIntake(p.a.clock.Now()))
	bundle := send(t, p.a, []string{c.Code}, "Blair Sample")
	receive(t, p.b, bundle)
	if _, err := p.b.s.AddNote(c.Code, "Blair's note", Visibility{}); err != nil {
		t.Fatal(err)
	}
	before := contents(t, p.b.v)
	rep := receive(t, p.b, bundle)
	if rep.Cases[0].Status != ImportUnchanged {
		t.Errorf("second import: got %+v, want unchanged", rep.Cases[0])
	}
	sameContents(t, "second import of the same bundle", before, contents(t, p.b.v))
	if got := len(p.b.s.List("")); got != 1 {
		t.Errorf("cases: got %d, want 1", got)
	}
}

func TestBundleConflicts(t *testing.T) {
	for _, keep := range []Keep{KeepMine, KeepTheirs} {
		t.Run(string(keep), func(t *testing.T) {
			p := newPeers(t)
			a, b := p.a, p.b
			c := a.newCase(t, testIntake(a.clock.Now()))
			receive(t, b, send(t, a, []string{c.Code}, "Blair Sample"))
			b.clock.Advance(time.Minute)
			if _, err := a.s.SetCategory(c.Code, CategoryHarassment); err != nil {
				t.Fatal(err)
			}
			if _, err := b.s.SetCategory(c.Code, CategoryThreat); err != nil {
				t.Fatal(err)
			}
			if _, err := b.s.AddNote(c.Code, "no conflict here", Visibility{}); err != nil {
				t.Fatal(err)
			}
			rep := receive(t, a, send(t, b, []string{c.Code}, "Alex Example"))
			if got := rep.Cases[0]; got.Status != ImportMerged || got.Conflicts != 1 {
				t.Fatalf("import: got %+v, want merged with 1 conflict", got)
			}
			assertLean(t, a.s)
			ac, _ := a.s.Case(c.Code)
			if ac.Category != CategoryHarassment || len(ac.Notes) != 1 {
				t.Errorf("a after import: got category %q and %d notes, want a's own category kept and b's note taken", ac.Category, len(ac.Notes))
			}
			sets := 0
			for _, e := range ac.History {
				if e.Action == ActSetCategory {
					sets++
				}
			}
			if sets != 2 {
				t.Errorf("history: got %d set-category events, want both sides' 2", sets)
			}
			list, err := a.s.MergeConflicts("")
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 1 {
				t.Fatalf("MergeConflicts: got %+v, want 1", list)
			}
			x := list[0]
			if x.Code != c.Code || x.Field != "category" || x.Mine != `"harassment"` || x.Theirs != `"threat"` || x.Was != "(none)" || x.From != "Blair Sample" {
				t.Errorf("conflict: got %+v", x)
			}
			due := a.s.Due(a.clock.Now())
			if !slices.ContainsFunc(due, func(d DueItem) bool { return d.Kind == DueMergeConflicts && d.Code == c.Code }) {
				t.Errorf("due list: got %+v, want merge conflicts to settle", due)
			}
			// Importing the same bundle again adds no second conflict.
			receive(t, a, send(t, b, []string{c.Code}, "Alex Example"))
			if list, _ := a.s.MergeConflicts(c.Code); len(list) != 1 {
				t.Errorf("conflicts after a second import: got %d, want 1", len(list))
			}
			if err := a.s.ResolveConflict(c.Code, "c9", keep); !errors.Is(err, ErrNoConflict) {
				t.Errorf("ResolveConflict of no conflict: got %v, want ErrNoConflict", err)
			}
			events := len(ac.History)
			if err := a.s.ResolveConflict(c.Code, x.ID, keep); err != nil {
				t.Fatalf("ResolveConflict: %v", err)
			}
			assertLean(t, a.s)
			want := map[Keep]Category{KeepMine: CategoryHarassment, KeepTheirs: CategoryThreat}[keep]
			for round := range 2 {
				s := a.s
				if round == 1 {
					s = a.reopen(t)
				}
				ac, _ = s.Case(c.Code)
				if ac.Category != want {
					t.Errorf("category after keeping %s: got %q, want %q", keep, ac.Category, want)
				}
				if len(ac.History) != events {
					t.Errorf("history after keeping %s: got %d events, want the %d before", keep, len(ac.History), events)
				}
				if list, _ := s.MergeConflicts(""); len(list) != 0 {
					t.Errorf("conflicts after settling: got %+v, want none", list)
				}
				if slices.ContainsFunc(s.Due(a.clock.Now()), func(d DueItem) bool { return d.Kind == DueMergeConflicts }) {
					t.Errorf("due list after settling: still lists merge conflicts")
				}
			}
			if !slices.Contains(auditKinds(t, a.v), fmt.Sprintf("bundle.resolve case.%s %s: %s", c.ID, x.ID, keep)) {
				t.Errorf("audit: no bundle.resolve entry")
			}
			// The settled version travels back without a new conflict.
			rep = receive(t, b, send(t, a, []string{c.Code}, "Blair Sample"))
			if rep.Cases[0].Conflicts != 0 {
				t.Errorf("back in b: got %+v, want no conflict", rep.Cases[0])
			}
			if bc, _ := b.s.Case(c.Code); bc.Category != want {
				t.Errorf("b after the settled version: got %q, want %q", bc.Category, want)
			}
		})
	}
}

func TestBundleItemIDCollision(t *testing.T) {
	p := newPeers(t)
	a, b := p.a, p.b
	c := a.newCase(t, testIntake(a.clock.Now())) // p1, p2, p3
	receive(t, b, send(t, a, []string{c.Code}, "Blair Sample"))

	// Both sides add a party (p4) with a message, and a note (n6) shared
	// with it, since the last exchange.
	addParty := func(e *storeEnv, name, text string) {
		t.Helper()
		_, err := e.s.modify(c.Code, func(c *Case, _ Context) ([]*Message, error) {
			c.Parties = append(c.Parties, &Party{ID: c.nextID("p"), Role: RoleWitness, Name: name, Outreach: NotContacted})
			return nil, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.s.AddMessage(c.Code, Message{PartyID: "p4", Direction: In, Text: text}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.s.AddNote(c.Code, "note about "+name, Visibility{SharedWith: []string{"p4"}}); err != nil {
			t.Fatal(err)
		}
	}
	addParty(a, "Wren Alexside", "from Wren")
	addParty(b, "Quinn Blairside", "from Quinn")

	rep := receive(t, b, send(t, a, []string{c.Code}, "Blair Sample"))
	if got := rep.Cases[0]; got.Conflicts != 0 || got.Renamed != 3 {
		t.Fatalf("import in b: got %+v, want 3 items renamed and no conflict", got)
	}
	check := func(s *Store, where string) {
		t.Helper()
		k, _ := s.Case(c.Code)
		msgs, _ := s.Messages(c.Code)
		byName := map[string]string{}
		for _, p := range k.Parties {
			byName[p.Name] = p.ID
		}
		if len(k.Parties) != 5 || byName["Wren Alexside"] == "" || byName["Quinn Blairside"] == "" || byName["Wren Alexside"] == byName["Quinn Blairside"] {
			t.Fatalf("%s: parties %v, want both new ones with different IDs", where, byName)
		}
		if len(msgs) != 2 || len(k.Notes) != 2 {
			t.Fatalf("%s: %d messages and %d notes, want 2 and 2", where, len(msgs), len(k.Notes))
		}
		for _, m := range msgs {
			who := map[string]string{"from Wren": "Wren Alexside", "from Quinn": "Quinn Blairside"}[m.Text]
			if m.PartyID != byName[who] {
				t.Errorf("%s: message %q is from %s, want %s (%s)", where, m.Text, m.PartyID, byName[who], who)
			}
		}
		for _, n := range k.Notes {
			who := strings.TrimPrefix(n.Text, "note about ")
			if !slices.Equal(n.Visibility.SharedWith, []string{byName[who]}) {
				t.Errorf("%s: note %q shared with %v, want %s", where, n.Text, n.Visibility.SharedWith, byName[who])
			}
		}
		ids := map[string]bool{}
		for _, x := range append(append([]string{}, slices.Collect(maps.Values(byName))...), msgIDs(msgs)...) {
			if ids[x] {
				t.Errorf("%s: ID %s used twice", where, x)
			}
			ids[x] = true
		}
		if k.Seq < 9 {
			t.Errorf("%s: Seq %d, want at least 9 to cover the new IDs", where, k.Seq)
		}
	}
	check(b.s, "b")
	// Back to a: each item keeps its name in a, nothing is doubled.
	rep = receive(t, a, send(t, b, []string{c.Code}, "Alex Example"))
	if got := rep.Cases[0]; got.Conflicts != 0 {
		t.Fatalf("import in a: got %+v, want no conflict", got)
	}
	check(a.s, "a")
	ac, _ := a.s.Case(c.Code)
	if ac.Party("p4").Name != "Wren Alexside" {
		t.Errorf("a's own party: got p4 = %q, want it to keep its ID", ac.Party("p4").Name)
	}
	// And again both ways: still no duplicates, no conflicts.
	receive(t, b, send(t, a, []string{c.Code}, "Blair Sample"))
	receive(t, a, send(t, b, []string{c.Code}, "Alex Example"))
	check(a.s, "a, second round")
	check(b.s, "b, second round")
	if list, _ := a.s.MergeConflicts(""); len(list) != 0 {
		t.Errorf("conflicts: got %+v, want none", list)
	}
}

func msgIDs(ms []*Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

func TestBundleRefusedRecipients(t *testing.T) {
	p := newPeers(t)
	a := p.a
	c := a.newCase(t, testIntake(a.clock.Now()))
	if _, err := a.s.DeclareConflict(c.Code, "m4", HardConflict, "friend of the reporter"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.s.DeclareConflict(c.Code, "m2", SoftConflict, "met the reported person once"); err != nil {
		t.Fatal(err)
	}
	before := contents(t, a.v)
	_, err := a.s.PrepareBundle([]string{c.Code}, []string{"Blair Sample", "Casey Placeholder", "Dana Fictional", "Nobody Known"}, BundleOptions{})
	var re *RecipientError
	if !errors.As(err, &re) || !errors.Is(err, ErrRecipient) {
		t.Fatalf("PrepareBundle: got %v, want a *RecipientError", err)
	}
	got := err.Error()
	for _, want := range []string{
		"Blair Sample has declared a soft conflict of interest on " + c.Code,
		"Casey Placeholder has no keys yet",
		"Dana Fictional has a conflict of interest on " + c.Code,
		"Nobody Known is not on the roster",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("refusal: got %q, want it to say %q", got, want)
		}
	}
	if strings.Contains(got, "Insults") || strings.Contains(got, "works with") {
		t.Errorf("refusal %q quotes the case", got)
	}
	sameContents(t, "refused recipients", before, contents(t, a.v))
	// A soft conflict can be allowed; a hard one cannot.
	if _, err := a.s.PrepareBundle([]string{c.Code}, []string{"Blair Sample"}, BundleOptions{AllowSoftConflicts: true}); err != nil {
		t.Errorf("soft conflict allowed: got %v, want nil", err)
	}
	if _, err := a.s.PrepareBundle([]string{c.Code}, []string{"Dana Fictional"}, BundleOptions{AllowSoftConflicts: true}); !errors.Is(err, ErrRecipient) {
		t.Errorf("hard conflict with soft allowed: got %v, want ErrRecipient", err)
	}
	if _, err := a.s.PrepareBundle([]string{c.Code}, []string{"Alex Example"}, BundleOptions{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("only to oneself: got %v, want ErrInvalid", err)
	}
	if _, err := a.s.PrepareBundle([]string{"no-such-case-00"}, []string{"Blair Sample"}, BundleOptions{}); !errors.Is(err, ErrNoCase) {
		t.Errorf("unknown case: got %v, want ErrNoCase", err)
	}
}

// otherBundle is a bundle of a case made with a's content but changed on
// the way by change, then signed by signer (nil: unsigned) and encrypted
// to recipients.
func reseal(t *testing.T, out *Outgoing, signer ed25519.PrivateKey, header func(h *bundleHeader), recipients ...MemberKey) []byte {
	t.Helper()
	c := *out.content
	if header != nil {
		h, err := parseBundleHeader(c.Header)
		if err != nil {
			t.Fatal(err)
		}
		header(h)
		if c.Header, err = json.Marshal(h); err != nil {
			t.Fatal(err)
		}
	}
	c.Signature = nil
	if signer != nil {
		c.Signature = ed25519.Sign(signer, signedMessage(c.Header))
	}
	var buf bytes.Buffer
	if err := sealBundle(&buf, &c, recipients); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestBundleRefused(t *testing.T) {
	p := newPeers(t)
	a, b := p.a, p.b
	c := a.newCase(t, testIntake(a.clock.Now()))
	out, err := a.s.PrepareBundle([]string{c.Code}, []string{"Blair Sample"}, BundleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := out.Write(&buf); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	aID, _, _ := a.s.loadIdentity()
	bKey := mustKey(t, b.s)
	mallory := newIdentity(t)

	before := contents(t, b.v)
	audit := len(auditKinds(t, b.v))
	refuse := func(name string, bundle []byte, want error) {
		t.Helper()
		_, err := b.s.ImportBundle(bytes.NewReader(bundle))
		if !errors.Is(err, want) {
			t.Errorf("%s: got %v, want %v", name, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "Insults") {
			t.Errorf("%s: the error %q quotes the case", name, err)
		}
	}
	refuse("not a bundle", []byte("hello"), ErrNotBundle)
	refuse("empty", nil, ErrNotBundle)
	refuse("newer", append([]byte("casebook-bundle 2\n"), good[len(bundleMagic):]...), ErrBundleVersion)
	for _, n := range []int{5, len(bundleMagic) + 10, len(good) / 2, len(good) - 1} {
		refuse(fmt.Sprintf("truncated to %d bytes", n), good[:n], ErrBundleTruncated)
	}
	refuse("unsigned", reseal(t, out, nil, nil, aID.public(), bKey), ErrUnsigned)
	refuse("signed by someone else", reseal(t, out, mallory.sign, nil, aID.public(), bKey), ErrBadSignature)
	refuse("header changed and signed by someone else", reseal(t, out, mallory.sign, func(h *bundleHeader) { h.Created = h.Created.Add(time.Hour) }, bKey), ErrBadSignature)
	refuse("signed by someone not on the roster", reseal(t, out, mallory.sign, func(h *bundleHeader) {
		h.Sender = bundlePeer{Name: "Alex Example", Age: mallory.public().Age, Signing: mallory.public().Signing}
		h.Recipients = append(h.Recipients, h.Sender)
	}, bKey), ErrUnknownSigner)
	// Re-addressed: a recipient (here Dana's key stands in) passes the
	// signed content on to b, whom the sender did not name.
	outToDana, err := a.s.PrepareBundle([]string{c.Code}, []string{"Dana Fictional"}, BundleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	refuse("re-addressed", reseal(t, outToDana, aID.sign, nil, bKey), ErrNotForYou)
	refuse("not for us", send(t, a, []string{c.Code}, "Dana Fictional"), ErrNotForYou)
	// Every single flipped byte is refused.
	for i := range good {
		bad := bytes.Clone(good)
		bad[i] ^= 0x01
		if _, err := b.s.ImportBundle(bytes.NewReader(bad)); err == nil {
			t.Fatalf("byte %d flipped: got nil, want a refusal", i)
		}
	}
	// Trailing bytes after the age file are refused too.
	refuse("trailing data", append(bytes.Clone(good), 'x'), ErrBundleDamaged)
	sameContents(t, "refused bundles", before, contents(t, b.v))
	if n := len(auditKinds(t, b.v)); n != audit {
		t.Errorf("audit: got %d entries after refusals, want %d", n, audit)
	}
	if len(b.s.List("")) != 0 {
		t.Errorf("refused bundles added cases")
	}
	// The good bundle still imports.
	receive(t, b, good)

	// A signer on the roster but without the key the bundle names, and a
	// former member.
	if _, err := b.s.SetMemberKey("Alex Example", mallory.public(), true); err != nil {
		t.Fatal(err)
	}
	refuse("signer's key replaced in the roster", good, ErrUnknownSigner)
	ka := aID.public()
	if _, err := b.s.SetMemberKey("Alex Example", ka, true); err != nil {
		t.Fatal(err)
	}
	if err := b.s.UpdateRoster(func(r *Roster) error { r.Find("Alex Example").Active = false; return nil }); err != nil {
		t.Fatal(err)
	}
	refuse("signed by a former member", good, ErrUnknownSigner)
}

func TestBundleMembersUnknown(t *testing.T) {
	p := newPeers(t)
	a, b := p.a, p.b
	if err := a.s.UpdateRoster(func(r *Roster) error { _, err := r.Add("Emery Invented", ""); return err }); err != nil {
		t.Fatal(err)
	}
	c := a.newCase(t, testIntake(a.clock.Now()))
	if _, err := a.s.DeclareConflict(c.Code, "m5", HardConflict, "relative"); err != nil {
		t.Fatal(err)
	}
	before := contents(t, b.v)
	_, err := b.s.ImportBundle(bytes.NewReader(send(t, a, []string{c.Code}, "Blair Sample")))
	if !errors.Is(err, ErrUnknownMembers) || !strings.Contains(err.Error(), "Emery Invented") {
		t.Fatalf("import naming an unknown member: got %v, want ErrUnknownMembers naming Emery Invented", err)
	}
	sameContents(t, "unknown member", before, contents(t, b.v))
}

func TestBundleSkips(t *testing.T) {
	t.Run("a case the importer is shut out of", func(t *testing.T) {
		p := newPeers(t)
		a, b := p.a, p.b
		c1 := a.newCase(t, testIntake(a.clock.Now()))
		c2 := a.newCase(t, testIntake(a.clock.Now()))
		receive(t, b, send(t, a, []string{c1.Code}, "Blair Sample"))
		// Declared in b only, after the case arrived.
		if _, err := b.s.DeclareConflict(c1.Code, "m1", HardConflict, "friend of the reported person"); err != nil {
			t.Fatal(err)
		}
		if _, err := a.s.AddNote(c1.Code, "a new note", Visibility{}); err != nil {
			t.Fatal(err)
		}
		rep := receive(t, b, send(t, a, []string{c1.Code, c2.Code}, "Blair Sample"))
		if rep.Cases[0].Status != ImportSkipped || rep.Cases[0].Code != "" || rep.Cases[1].Status != ImportAdded {
			t.Errorf("got %+v, want the first skipped without its code, the second added", rep.Cases)
		}
	})
	t.Run("an expunged case that shuts the member out", func(t *testing.T) {
		// A sender whose vault takes another member for Blair: the case
		// shuts Blair out, and Blair's vault expunged it before. Skipped,
		// without its code.
		p := newPeers(t)
		a, b := p.a, p.b
		if err := a.s.UpdateRoster(func(r *Roster) error {
			r.Member("m2").Name = "Blair Elsewhere"
			_, err := r.Add("Blair Sample", "")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		c := a.newCase(t, testIntake(a.clock.Now()))
		if _, err := a.s.DeclareConflict(c.Code, a.s.Roster().Find("Blair Sample").ID, HardConflict, "a friend of a party"); err != nil {
			t.Fatal(err)
		}
		if err := b.s.st.Update(func(tx *vault.Tx) error { return putJSON(tx, committeeNS, tombstonesKey, []string{c.ID}) }); err != nil {
			t.Fatal(err)
		}
		rep := receive(t, b, send(t, a, []string{c.Code}, "Blair Elsewhere"))
		if rep.Cases[0].Status != ImportSkipped || !strings.Contains(rep.Cases[0].Reason, "expunged") || rep.Cases[0].Code != "" {
			t.Errorf("got %+v, want skipped as expunged, without its code", rep.Cases[0])
		}
	})
	t.Run("an expunged case", func(t *testing.T) {
		p := newPeers(t)
		a, b := p.a, p.b
		c := closedCase(t, a)
		bundle := send(t, a, []string{c.Code}, "Blair Sample")
		receive(t, b, bundle)
		b.clock.Advance(40 * 24 * 30 * time.Hour)
		if done, err := b.s.Expunge(b.clock.Now()); err != nil || len(done) != 1 {
			t.Fatalf("Expunge: got %v, %v; want the case", done, err)
		}
		rep := receive(t, b, bundle)
		if rep.Cases[0].Status != ImportSkipped || !strings.Contains(rep.Cases[0].Reason, "expunged") || rep.Cases[0].Code != c.Code {
			t.Errorf("got %+v, want %s skipped as expunged", rep.Cases[0], c.Code)
		}
		if len(b.s.List("")) != 0 {
			t.Errorf("the expunged case came back")
		}
	})
}

func TestBundleNewCaseCodeTaken(t *testing.T) {
	p := newPeers(t)
	a, b := p.a, p.b
	c := a.newCase(t, testIntake(a.clock.Now()))
	// b has another case under the same code name.
	other := clone(c)
	other.ID = "0ther0ther0ther0"
	if codes, err := b.s.Import([]*Case{other}, nil); err != nil || codes[0] != c.Code {
		t.Fatalf("Import: got %v, %v; want the case under %s", codes, err, c.Code)
	}
	rep := receive(t, b, send(t, a, []string{c.Code}, "Blair Sample"))
	got := rep.Cases[0].Code
	if got == c.Code || !codePattern.MatchString(got) {
		t.Errorf("code of the new case: got %q, want a new code name (%q is taken)", got, c.Code)
	}
	if k, err := b.s.Case(got); err != nil || k.ID != c.ID {
		t.Errorf("Case(%s): got %v, %v; want the imported case", got, k, err)
	}
}

// TestBundleConflictsInRecords: a message changed on both sides conflicts
// field by field; an attachment changed on both sides conflicts whole.
// Settling takes theirs in place.
func TestBundleConflictsInRecords(t *testing.T) {
	p := newPeers(t)
	a, b := p.a, p.b
	c := a.newCase(t, testIntake(a.clock.Now()))
	m, err := a.s.AddMessage(c.Code, Message{PartyID: "p1", Direction: Out, Text: "Draft reply", Pending: true})
	if err != nil {
		t.Fatal(err)
	}
	putRecord := func(e *storeEnv, key string, value []byte) {
		t.Helper()
		if err := e.v.Update(func(tx *vault.Tx) error { return tx.Put(caseNS(c.ID), key, value) }); err != nil {
			t.Fatal(err)
		}
	}
	putRecord(a, "att.a9", []byte("\x89PNG original"))
	receive(t, b, send(t, a, []string{c.Code}, "Blair Sample"))

	editMessage := func(e *storeEnv, text string) {
		t.Helper()
		raw, err := e.v.Get(caseNS(c.ID), msgKeyPre+m.ID)
		if err != nil {
			t.Fatal(err)
		}
		var msg Message
		if err := json.Unmarshal(raw, &msg); err != nil {
			t.Fatal(err)
		}
		msg.Text, msg.Pending = text, false
		b, _ := json.Marshal(msg)
		putRecord(e, msgKeyPre+m.ID, b)
	}
	editMessage(a, "Reply as Alex sent it")
	editMessage(b, "Reply as Blair sent it")
	putRecord(a, "att.a9", []byte("\x89PNG Alex's"))
	putRecord(b, "att.a9", []byte("\x89PNG Blair's"))

	rep := receive(t, a, send(t, b, []string{c.Code}, "Alex Example"))
	if rep.Cases[0].Conflicts != 2 {
		t.Fatalf("import: got %+v, want 2 conflicts", rep.Cases[0])
	}
	list, err := a.s.MergeConflicts(c.Code)
	if err != nil || len(list) != 2 {
		t.Fatalf("MergeConflicts: got %+v, %v", list, err)
	}
	byField := map[string]MergeConflict{}
	for _, x := range list {
		byField[x.Field] = x
	}
	msgConflict, attConflict := byField["msg."+m.ID+":text"], byField["att.a9"]
	if msgConflict.What != "message "+m.ID+": text" || msgConflict.Mine != `"Reply as Alex sent it"` || msgConflict.Theirs != `"Reply as Blair sent it"` {
		t.Errorf("message conflict: got %+v", msgConflict)
	}
	if attConflict.What != "attachment a9" || attConflict.Theirs != "a file of 12 bytes" || attConflict.Was != "a file of 13 bytes" {
		t.Errorf("attachment conflict: got %+v", attConflict)
	}
	// pending went false on both sides alike: no conflict there.
	for _, x := range list {
		if err := a.s.ResolveConflict(c.Code, x.ID, KeepTheirs); err != nil {
			t.Fatalf("ResolveConflict %s: %v", x.Field, err)
		}
	}
	msgs, _ := a.s.Messages(c.Code)
	if len(msgs) != 1 || msgs[0].Text != "Reply as Blair sent it" || msgs[0].Pending {
		t.Errorf("message after taking theirs: got %+v", msgs)
	}
	if got, _ := a.v.Get(caseNS(c.ID), "att.a9"); string(got) != "\x89PNG Blair's" {
		t.Errorf("attachment after taking theirs: got %q", got)
	}
	if hits, _ := a.s.Search("Blair sent", 5); len(hits) != 1 {
		t.Errorf("search after taking theirs: got %v, want the message", hits)
	}
}

func TestExpungeDropsConflicts(t *testing.T) {
	p := newPeers(t)
	a, b := p.a, p.b
	c := closedCase(t, a)
	receive(t, b, send(t, a, []string{c.Code}, "Blair Sample"))
	if _, err := a.s.SetArchiveSummary(c.Code, "Alex's summary"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.s.SetArchiveSummary(c.Code, "Blair's summary"); err != nil {
		t.Fatal(err)
	}
	if rep := receive(t, a, send(t, b, []string{c.Code}, "Alex Example")); rep.Conflicts() != 1 {
		t.Fatalf("import: got %+v, want 1 conflict", rep.Cases[0])
	}
	a.clock.Advance(400 * 24 * time.Hour)
	if done, err := a.s.Expunge(a.clock.Now()); err != nil || len(done) != 1 {
		t.Fatalf("Expunge: got %v, %v", done, err)
	}
	for round := range 2 {
		s := a.s
		if round == 1 {
			s = a.reopen(t)
		}
		if list, err := s.MergeConflicts(""); err != nil || len(list) != 0 {
			t.Errorf("conflicts after expunge: got %+v, %v", list, err)
		}
		for _, d := range s.Due(a.clock.Now()) {
			if d.Kind == DueMergeConflicts {
				t.Errorf("due after expunge: got %+v", d)
			}
		}
	}
}

// TestPartialImportProgress checks the phrase that says how far a stopped
// import got.
func TestPartialImportProgress(t *testing.T) {
	for _, tt := range []struct {
		e             PartialImportError
		want, stopped string
	}{
		{PartialImportError{Imported: 2, Total: 5}, "2 of the bundle's 5 cases, each of those whole", "the next case"},
		{PartialImportError{Imported: 2, Total: 5, Begun: true}, "2 of the bundle's 5 cases, each of those whole, and part of the next, which is not in your vault until the import is finished", "that case"},
		{PartialImportError{Imported: 0, Total: 3, Begun: true}, "part of the bundle's first case, which is not in your vault until the import is finished", "that case"},
		{PartialImportError{Imported: 2, Total: 5, Begun: true, Held: true}, "2 of the bundle's 5 cases, each of those whole, and some of the next case's new messages, which are in that case now", "that case"},
		{PartialImportError{Imported: 0, Total: 3, Begun: true, Held: true}, "some of the new messages of the bundle's first case, which are in that case now", "that case"},
		{PartialImportError{Imported: 0, Total: 3, Held: true, Reserved: true}, "reserving the numbers of the new messages of the bundle's first case, none of which is in it yet", "that case"},
		{PartialImportError{Imported: 2, Total: 5, Held: true, Reserved: true}, "2 of the bundle's 5 cases, each of those whole, and the numbers of the next case's new messages, none of which is in it yet", "that case"},
	} {
		if got := tt.e.Progress(); got != tt.want {
			t.Errorf("%+v: got %q, want %q", tt.e, got, tt.want)
		}
		if got := tt.e.Stopped(); got != tt.stopped {
			t.Errorf("%+v: Stopped: got %q, want %q", tt.e, got, tt.stopped)
		}
	}
}

// TestImportOverMissingCaseRecord imports a case whose namespace here
// holds records but whose case record is gone (damage): the import is
// refused as damage, and nothing of what only this vault had is touched.
func TestImportOverMissingCaseRecord(t *testing.T) {
	p := newPeers(t)
	a, b := p.a, p.b
	c := a.newCase(t, testIntake(a.clock.Now()))
	bundle := send(t, a, []string{c.Code}, "Blair Sample")
	receive(t, b, bundle)
	if _, err := b.s.AddMessage(c.Code, Message{PartyID: "p1", Direction: In, Text: "Only b has this message."}); err != nil {
		t.Fatal(err)
	}
	if err := b.v.Update(func(tx *vault.Tx) error { return tx.Delete(caseNS(c.ID), caseKey) }); err != nil {
		t.Fatal(err)
	}
	s := b.reopen(t)
	before := contents(t, b.v)
	if _, err := s.ImportBundle(bytes.NewReader(bundle)); !errors.Is(err, vault.ErrCorrupt) {
		t.Fatalf("import over a case whose record is missing: got %v, want ErrCorrupt", err)
	}
	sameContents(t, "a refused import over a missing case record", before, contents(t, b.v))
}

// TestPartsAttachmentsFirst checks that a case split over several writes
// has its attachments written before the messages that list them, and
// nothing but messages and attachments before its last write.
func TestPartsAttachmentsFirst(t *testing.T) {
	plan := &casePlan{put: map[string][]byte{caseKey: []byte("{}"), itemsKey: []byte("{}")}}
	big := bytes.Repeat([]byte("x"), 30<<10)
	for i := range 200 {
		plan.put[fmt.Sprintf("%s%d", msgKeyPre, i)] = big
		plan.put[fmt.Sprintf("%s%d", attKeyPre, i)] = big
	}
	parts := plan.parts(caseNS("c1"))
	if len(parts) < 2 {
		t.Fatalf("%d parts, want several", len(parts))
	}
	seenMsg := false
	n := 0
	for _, part := range parts {
		for _, k := range part {
			n++
			switch {
			case strings.HasPrefix(k, msgKeyPre):
				seenMsg = true
			case strings.HasPrefix(k, attKeyPre):
				if seenMsg {
					t.Fatalf("attachment %s after a message", k)
				}
			default:
				t.Errorf("%s in a part", k)
			}
		}
	}
	if n != 400 {
		t.Errorf("%d records in the parts, want the 400 messages and attachments", n)
	}
}

// auditCount counts the entries of one kind in a vault's audit log.
func auditCount(t *testing.T, v *vault.Vault, kind string) int {
	t.Helper()
	audit, err := v.Audit()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range audit {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

// keptBase returns the newest version a vault keeps of a case, and its
// records read back with loadBaseLocked.
func keptBase(t *testing.T, e *storeEnv, caseID string) (baseRef, map[string]*record) {
	t.Helper()
	_, sync, err := e.s.caseRecords(caseID)
	if err != nil {
		t.Fatal(err)
	}
	for k := range sync {
		if strings.HasPrefix(k, baseKeyPre) {
			t.Errorf("caseRecords read the kept version %s into memory", k)
		}
	}
	var bases []baseRef
	if err := decodeSync(sync, caseNS(caseID), basesKey, &bases); err != nil || len(bases) == 0 {
		t.Fatalf("kept versions: %v, %v", bases, err)
	}
	recs, err := e.s.loadBaseLocked(caseID, bases[0].Version)
	if err != nil || recs == nil {
		t.Fatalf("loadBaseLocked: %v, %v", recs, err)
	}
	return bases[0], recs
}

// TestBundleHugeCase hands off a case whose records, kept as a base, come
// to more than Badger keeps in one value (64 MiB): the export kept it as
// one, and failed with Badger's refusal, the whole value in its text. Now
// the base is kept in parts, on both sides, and read back whole.
// (TestKeptBaseParts checks the parts with small ones.)
func TestBundleHugeCase(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 70 MB into two vaults")
	}
	p := newPeers(t)
	a, b := p.a, p.b
	c := a.newCase(t, testIntake(a.clock.Now()))
	quoted := strings.Repeat("> Earlier in this thread we wrote about the meetup and what was said there.\n", 660) // 50 KB
	const n = 1400                                                                                                 // 70 MB, 93 MB in the base's base64
	for i := range n {
		if _, err := a.s.AddMessage(c.Code, Message{PartyID: "p1", Direction: In, Text: fmt.Sprintf("Reply %d\n\n%s", i, quoted)}); err != nil {
			t.Fatal(err)
		}
	}
	if rep := receive(t, b, send(t, a, []string{c.Code}, "Blair Sample")); rep.Cases[0].Status != ImportAdded {
		t.Fatalf("import: got %+v, want added", rep.Cases[0])
	}
	var sent []baseRef
	if err := a.s.loadJSON(caseNS(c.ID), basesKey, &sent); err != nil || len(sent) != 1 || sent[0].Parts < 8 {
		t.Fatalf("the sender keeps %+v, %v; want one version in at least 8 parts besides the first (93 MB in parts of 8 MiB)", sent, err)
	}
	ref, recs := keptBase(t, b, c.ID)
	if ref.Version != sent[0].Version || ref.Parts != sent[0].Parts {
		t.Errorf("the receiver keeps %+v, the sender %+v; want the same version in as many parts", ref, sent[0])
	}
	if len(recs) != n+1 { // the messages and the case
		t.Errorf("the base read back holds %d records, want %d", len(recs), n+1)
	}
}

// TestKeptBaseParts: a version kept in parts is read back whole, and when
// it is the oldest beyond maxBases, its parts go with it.
func TestKeptBaseParts(t *testing.T) {
	saved := basePartBytes
	basePartBytes = 4 << 10
	defer func() { basePartBytes = saved }()
	e := newStoreEnv(t)
	c := e.newCase(t, testIntake(e.clock.Now()))
	ns := caseNS(c.ID)
	version := func(i int) string { return fmt.Sprintf("v%02d", i) }
	recs := func(i int) []bundleRecord {
		var out []bundleRecord
		for j := range 40 { // 40 records of 1 KiB: about ten parts
			out = append(out, bundleRecord{Key: fmt.Sprintf("msg.%d", j), Value: bytes.Repeat([]byte{byte(i)}, 1024)})
		}
		out = append(out, bundleRecord{Key: "att.big", Value: make([]byte, maxBaseValue+1)}) // kept by digest only
		return out
	}
	for i := range maxBases + 1 {
		err := e.s.st.Update(func(tx *vault.Tx) error { return keepBase(tx, c.ID, version(i), recs(i), e.clock.Now(), true) })
		if err != nil {
			t.Fatalf("keepBase %d: %v", i, err)
		}
	}
	ref, got := keptBase(t, e, c.ID)
	if ref.Version != version(maxBases) || ref.Parts < 8 {
		t.Fatalf("newest kept version: %+v, want %s in at least 8 parts", ref, version(maxBases))
	}
	if len(got) != 41 || got["msg.39"] == nil || !bytes.Equal(got["msg.39"].raw, bytes.Repeat([]byte{byte(maxBases)}, 1024)) {
		t.Fatalf("read back %d records, the last message %v; want all 41 as kept", len(got), got["msg.39"])
	}
	keys, err := e.v.Keys(ns, baseKeyPre)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if strings.HasPrefix(k, baseKeyPre+version(0)) {
			t.Errorf("%s of the version dropped beyond %d is still there", k, maxBases)
		}
	}
	if want := maxBases * (ref.Parts + 1); len(keys) != want {
		t.Errorf("%d records of kept versions, want %d", len(keys), want)
	}
	// Each part holds at most about basePartBytes of JSON: over it by one
	// record (1 KiB in base64, its key and digest) at most.
	limit := basePartBytes + base64.StdEncoding.EncodedLen(1024) + 200
	for _, k := range keys {
		if v, err := e.v.Get(ns, k); err != nil || len(v) > limit {
			t.Errorf("%s: %d bytes, %v; want at most %d", k, len(v), err, limit)
		}
	}
}

// TestSendACaseOneIsShutOutOf: a report about the member, filed on their
// own laptop, shuts them out at once; they can still send it to a
// colleague, who then holds it whole, and it stays hidden from them.
func TestSendACaseOneIsShutOutOf(t *testing.T) {
	p := newPeers(t)
	in := testIntake(p.a.clock.Now())
	in.People = append(in.People, IntakePerson{Name: "Alex Example", Role: RoleReported, CommitteeMember: true})
	c := p.a.newCase(t, in)
	if !p.a.s.IsShutOut(c.Code) {
		t.Fatal("a report about the member using the vault does not shut them out")
	}
	rep := receive(t, p.b, send(t, p.a, []string{c.Code}, "Blair Sample"))
	if len(rep.Cases) != 1 || rep.Cases[0].Status != ImportAdded {
		t.Fatalf("Blair's import: got %+v, want the case added", rep.Cases)
	}
	got, err := p.b.s.Case(c.Code)
	if err != nil || got.Summary != in.Summary {
		t.Fatalf("Blair's copy: %v; want the report whole", err)
	}
	if _, err := p.a.s.Case(c.Code); !errors.Is(err, ErrExcluded) {
		t.Errorf("the sender after sending: got %v, want ErrExcluded", err)
	}
	// Blair's copy still shuts Alex out, under Blair's ID for Alex.
	if alex := p.b.s.Roster().Find("Alex Example"); alex == nil || !got.Excluded(alex.ID) {
		t.Errorf("Blair's copy does not shut Alex out: conflicts %+v", got.Conflicts)
	}
	// Refused to another member shut out of it, the sender is not told
	// of a conflict: they may not know who is in the case.
	in.People = append(in.People, IntakePerson{Name: "Dana Fictional", Role: RoleReported, CommitteeMember: true})
	both := p.a.newCase(t, in)
	_, err = p.a.s.PrepareBundle([]string{both.Code}, []string{"Dana Fictional"}, BundleOptions{})
	var re *RecipientError
	if !errors.As(err, &re) || len(re.Problems) != 1 || re.Problems[0].Reason != "may not receive "+both.Code {
		t.Errorf("sending to a member shut out too: got %v, want one problem saying only that Dana may not receive it", err)
	}
}

// TestDueSendOn: a case the member is shut out of and that no other member
// holds is due to be sent on, as the report came in, until a bundle of it
// is written (not merely begun); a case that came in a bundle is held
// elsewhere already, and a vault that names no member cannot tell whom a
// case is hidden from.
func TestDueSendOn(t *testing.T) {
	const text = "Send the report to members who may see it: you are shut out of it, and no other member has it"
	sendOn := func(s *Store, now time.Time) []string {
		t.Helper()
		var codes []string
		for _, d := range s.Due(now) {
			if d.Kind == DueSendOn {
				codes = append(codes, d.Code)
				s.mu.RLock()
				c, err := s.lookup(d.Code)
				s.mu.RUnlock()
				if err != nil || d.Text != text || d.Action != "" || d.PartyID != "" ||
					!d.Due.Equal(c.Received) || d.Overdue != c.Received.Before(s.Config().StartOfDay(now)) {
					t.Errorf("send-on item %+v: want the fixed sentence, no step and no party, due as the report came in", d)
				}
			}
		}
		slices.Sort(codes)
		return codes
	}
	p := newPeers(t)
	now := p.a.clock.Now()
	aboutAlex := func() *Intake {
		in := testIntake(now)
		in.People = append(in.People, IntakePerson{Name: "Alex Example", Role: RoleReported, CommitteeMember: true})
		return in
	}
	mine := p.a.newCase(t, aboutAlex())
	other := p.a.newCase(t, testIntake(now))
	if got := sendOn(p.a.s, now.AddDate(0, 0, 3)); !slices.Equal(got, []string{mine.Code}) {
		t.Fatalf("send-on items before sending: %v, want [%s]", got, mine.Code)
	}
	if got := sendOn(p.a.s, now.Add(-time.Hour)); len(got) != 0 {
		t.Errorf("send-on items as of before the report came in: %v, want none", got)
	}
	// A bundle whose write fails has reached nobody.
	out, err := p.a.s.PrepareBundle([]string{mine.Code, other.Code}, []string{"Blair Sample"}, BundleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := out.Write(failingWriter{}); err == nil {
		t.Fatal("writing to a failing writer succeeded")
	}
	if got := sendOn(p.a.s, now); !slices.Equal(got, []string{mine.Code}) {
		t.Errorf("send-on items after a failed write: %v, want [%s]", got, mine.Code)
	}
	receive(t, p.b, send(t, p.a, []string{mine.Code, other.Code}, "Blair Sample"))
	if got := sendOn(p.a.s, now); len(got) != 0 {
		t.Errorf("send-on items after sending: %v, want none", got)
	}
	// Blair declares a hard conflict on a case that came to them: Alex
	// holds it, so nothing is due to send.
	if _, err := p.b.s.DeclareConflict(other.Code, p.b.s.Roster().Me, HardConflict, "a friend of the reporter"); err != nil {
		t.Fatalf("DeclareConflict: %v", err)
	}
	if !p.b.s.IsShutOut(other.Code) {
		t.Fatal("Blair is not shut out after declaring a hard conflict")
	}
	if got := sendOn(p.b.s, now); len(got) != 0 {
		t.Errorf("send-on items for a case that came in a bundle: %v, want none", got)
	}
	// Alex declares one on a case only Alex holds: due to be sent.
	local := p.a.newCase(t, testIntake(now))
	if _, err := p.a.s.DeclareConflict(local.Code, p.a.s.Roster().Me, HardConflict, "a relative of the reporter"); err != nil {
		t.Fatalf("DeclareConflict: %v", err)
	}
	again := p.a.newCase(t, aboutAlex())
	want := []string{again.Code, local.Code}
	slices.Sort(want)
	if got := sendOn(p.a.s, now); !slices.Equal(got, want) {
		t.Fatalf("send-on items for a second report and a declared conflict: %v, want %v", got, want)
	}
	// A vault that names no member: nothing, as it cannot tell whether its
	// member is shut out.
	if err := p.a.s.UpdateRoster(func(r *Roster) error { r.Me = ""; return nil }); err != nil {
		t.Fatalf("UpdateRoster: %v", err)
	}
	if got := sendOn(p.a.s, now); len(got) != 0 {
		t.Errorf("send-on items in a vault that names no member: %v, want none", got)
	}
}

// failingWriter fails every write, as a full disk does.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// TestBundleOfACaseExpungedMeanwhile: a case expunged between preparing a
// bundle and writing it is not written, nor does anything of it come back
// to the vault; a case expunged after the file was written gets no mark
// that it is held elsewhere. Nor is a bundle written to a member who, since
// it was prepared, may no longer receive a case in it.
func TestBundleOfACaseExpungedMeanwhile(t *testing.T) {
	p := newPeers(t)
	a := p.a
	c := closedCase(t, a)
	expunge := func() {
		t.Helper()
		a.clock.Advance(40 * 24 * 30 * time.Hour)
		if done, err := a.s.Expunge(a.clock.Now()); err != nil || len(done) != 1 {
			t.Fatalf("Expunge: got %v, %v; want the case", done, err)
		}
	}
	left := func() []string {
		t.Helper()
		keys, err := a.v.Keys(caseNS(c.ID), "")
		if err != nil {
			t.Fatal(err)
		}
		return keys
	}
	out, err := a.s.PrepareBundle([]string{c.Code}, []string{"Blair Sample"}, BundleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	written, err := a.s.PrepareBundle([]string{c.Code}, []string{"Blair Sample"}, BundleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := written.Write(&buf); err != nil {
		t.Fatal(err)
	}
	expunge()
	var none bytes.Buffer
	if err := out.Write(&none); !errors.Is(err, ErrBundleStale) || none.Len() != 0 {
		t.Errorf("writing a bundle of an expunged case: got %v and %d bytes, want ErrBundleStale and none", err, none.Len())
	}
	if err := written.Written(); err != nil {
		t.Errorf("Written after the expunge: %v", err)
	}
	if keys := left(); len(keys) != 0 {
		t.Errorf("records of the expunged case came back: %v", keys)
	}

	// A conflict declared since, by the rules PrepareBundle applies: a
	// hard one refuses the bundle, a soft one unless allowed.
	for _, tc := range []struct {
		kind      ConflictKind
		allowSoft bool
		refused   bool
	}{
		{HardConflict, true, true},
		{SoftConflict, false, true},
		{SoftConflict, true, false},
	} {
		open := a.newCase(t, testIntake(a.clock.Now()))
		out, err := a.s.PrepareBundle([]string{open.Code}, []string{"Blair Sample"}, BundleOptions{AllowSoftConflicts: tc.allowSoft})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.s.DeclareConflict(open.Code, a.s.Roster().Find("Blair Sample").ID, tc.kind, "a friend of the reporter"); err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		err = out.Write(&b)
		if refused := errors.Is(err, ErrBundleStale) && b.Len() == 0; refused != tc.refused || (!tc.refused && err != nil) {
			t.Errorf("a %s conflict declared since (soft allowed: %v): got %v and %d bytes; want refused %v", tc.kind, tc.allowSoft, err, b.Len(), tc.refused)
		}
	}
}

// TestReceivedVersionSentAgainStaysReceived: a version that came in a
// bundle, sent again from deeper in the list, still says another member
// holds the case.
func TestReceivedVersionSentAgainStaysReceived(t *testing.T) {
	e := newStoreEnv(t)
	c := e.newCase(t, testIntake(e.clock.Now()))
	keep := func(version string, sent bool) {
		t.Helper()
		if err := e.s.st.Update(func(tx *vault.Tx) error {
			return keepBase(tx, c.ID, version, nil, e.clock.Now(), sent)
		}); err != nil {
			t.Fatal(err)
		}
	}
	keep("v1", false) // received
	keep("v2", true)  // sent, the newest
	keep("v1", true)  // the received version sent again
	var bases []baseRef
	if err := e.s.loadJSON(caseNS(c.ID), basesKey, &bases); err != nil || len(bases) != 2 || bases[0].Version != "v1" {
		t.Fatalf("bases: %+v, %v", bases, err)
	}
	e.s.mu.RLock()
	defer e.s.mu.RUnlock()
	if bases[0].Sent || !e.s.heldElsewhereLocked(c) {
		t.Errorf("the received version sent again: %+v; want it still received, the case held elsewhere", bases[0])
	}
}
