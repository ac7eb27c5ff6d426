package app

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"casebook/vault"
)

// expungeCanary is written into the case to be expunged, and searched
// for in the vault's files afterwards.
const expungeCanary = "Canary-Expunged-Xq7Z2w"

// findInFiles returns every file below root holding s, as written, in
// lower case or in upper case. Files are read in overlapping chunks.
func findInFiles(t *testing.T, root, s string) []string {
	t.Helper()
	forms := [][]byte{[]byte(s), []byte(strings.ToLower(s)), []byte(strings.ToUpper(s))}
	overlap := len(s) - 1
	var found []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		r := bufio.NewReaderSize(f, 1<<20)
		buf := make([]byte, 0, 1<<20+overlap)
		for {
			chunk := make([]byte, 1<<20)
			n, rerr := io.ReadFull(r, chunk)
			buf = append(buf, chunk[:n]...)
			for _, form := range forms {
				if bytes.Contains(buf, form) {
					found = append(found, p)
					return nil
				}
			}
			if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
				return nil
			}
			if rerr != nil {
				return rerr
			}
			buf = append(buf[:0], buf[len(buf)-overlap:]...)
		}
	})
	if err != nil {
		t.Fatalf("search %s: %v", root, err)
	}
	return found
}

func TestFindInFilesControl(t *testing.T) {
	dir := t.TempDir()
	plain := make([]byte, 1<<20-5) // the canary straddles two chunks
	plain = append(plain, strings.ToUpper(expungeCanary)...)
	if err := os.WriteFile(filepath.Join(dir, "plain"), plain, 0o600); err != nil {
		t.Fatal(err)
	}
	if found := findInFiles(t, dir, expungeCanary); len(found) != 1 {
		t.Errorf("control: got %v, want the plain file", found)
	}
}

// closedCase files a case in e and takes it to closed.
func closedCase(t *testing.T, e *storeEnv) *Case {
	t.Helper()
	c := e.newCase(t, testIntake(e.clock.Now()))
	steps := []Step{{Action: ActCheckConflicts}, {Action: ActAcknowledge}, {Action: ActCloseOutOfScope, Text: "not about the community"},
		{Action: ActClose, Text: "parties told in person"}}
	for _, s := range steps {
		var err error
		if c, err = e.s.Step(c.Code, s); err != nil {
			t.Fatalf("Step %s: %v", s.Action, err)
		}
	}
	return c
}

func TestExpunge(t *testing.T) {
	e := newStoreEnv(t)
	gone := closedCase(t, e)
	if _, err := e.s.AddNote(gone.Code, "note with "+expungeCanary, Visibility{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.AddMessage(gone.Code, Message{PartyID: "p1", Direction: In, Text: "message with " + expungeCanary}); err != nil {
		t.Fatal(err)
	}
	// A large record, as an attachment is: it lives in Badger's value log.
	big := bytes.Repeat([]byte(expungeCanary+" "), (2<<20)/(len(expungeCanary)+1))
	if err := e.v.Update(func(tx *vault.Tx) error { return tx.Put(caseNS(gone.ID), "att.a90", big) }); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(180 * 24 * time.Hour)
	later := closedCase(t, e) // its date comes half a year later
	open := e.newCase(t, testIntake(e.clock.Now()))
	e.clock.Advance(200 * 24 * time.Hour)
	now := e.clock.Now()

	if got := e.s.ExpungeDue(now); len(got) != 1 || got[0].Code != gone.Code || !got[0].ExpungeOn.Equal(gone.ExpungeOn) {
		t.Fatalf("ExpungeDue: got %+v, want %s alone", got, gone.Code)
	}
	if _, err := e.s.Expunge(now.Add(48 * time.Hour)); !errors.Is(err, ErrInvalid) {
		t.Errorf("Expunge as of a later day: got %v, want ErrInvalid", err)
	}
	// The controls: before, the vault has the case and its canary.
	if hits, _ := e.s.Search(expungeCanary, 10); len(hits) != 2 {
		t.Fatalf("Search before: got %v, want the note and the message", hits)
	}
	if b, err := e.v.Get(caseNS(gone.ID), "att.a90"); err != nil || !bytes.Contains(b, []byte(expungeCanary)) {
		t.Fatalf("Get of the large record before: %v", err)
	}
	if names, _ := e.v.Namespaces(); !slices.Contains(names, caseNS(gone.ID)) {
		t.Fatalf("Namespaces before: got %v, want the case's", names)
	}
	if !slices.ContainsFunc(e.s.Due(now), func(d DueItem) bool { return d.Kind == DueExpunge && d.Code == gone.Code }) {
		t.Fatalf("Due before: want the case to expunge")
	}

	done, err := e.s.Expunge(now)
	if err != nil || len(done) != 1 || done[0].Code != gone.Code {
		t.Fatalf("Expunge: got %+v, %v; want %s", done, err, gone.Code)
	}
	check := func(s *Store, v *vault.Vault, when string) {
		t.Helper()
		if _, err := s.Case(gone.Code); !errors.Is(err, ErrNoCase) {
			t.Errorf("%s: Case: got %v, want ErrNoCase", when, err)
		}
		var codes []string
		for _, sum := range s.List("") {
			codes = append(codes, sum.Code)
		}
		slices.Sort(codes)
		want := []string{later.Code, open.Code}
		slices.Sort(want)
		if !slices.Equal(codes, want) {
			t.Errorf("%s: List: got %v, want %v", when, codes, want)
		}
		if hits, _ := s.Search(expungeCanary, 10); len(hits) != 0 {
			t.Errorf("%s: Search: got %v, want nothing", when, hits)
		}
		if hits, _ := s.Search("insults", 10); len(hits) != 2 {
			t.Errorf("%s: Search of the other cases: got %d hits, want 2", when, len(hits))
		}
		for _, d := range s.Due(now) {
			if d.CaseID == gone.ID || slices.Contains(d.Related, gone.Code) {
				t.Errorf("%s: Due lists the expunged case: %+v", when, d)
			}
		}
		for _, f := range s.Brigading() {
			if slices.Contains(f.Cases, gone.Code) {
				t.Errorf("%s: a brigading flag names the expunged case", when)
			}
		}
		if counts, err := s.Expunged(); err != nil || len(counts) != 1 || counts[0].Cases != 1 || counts[0].Outcome != OutcomeOutOfScope {
			t.Errorf("%s: Expunged: got %+v, %v; want one case, out of scope", when, counts, err)
		}
		names, _ := v.Namespaces()
		if slices.Contains(names, caseNS(gone.ID)) {
			t.Errorf("%s: the case's namespace key still exists", when)
		}
		for _, key := range []string{caseKey, "att.a90", expungeMarkKey} {
			if _, err := v.Get(caseNS(gone.ID), key); !errors.Is(err, vault.ErrNotFound) {
				t.Errorf("%s: Get %s: got %v, want ErrNotFound", when, key, err)
			}
		}
		if keys, err := v.Keys(caseNS(gone.ID), ""); err != nil || len(keys) != 0 {
			t.Errorf("%s: Keys: got %v, %v; want none", when, keys, err)
		}
	}
	check(e.s, e.v, "after Expunge")
	kinds := strings.Join(auditKinds(t, e.v), "\n")
	for _, want := range []string{"case.expunge case." + gone.ID, "namespace.destroy case." + gone.ID} {
		if !strings.Contains(kinds, want) {
			t.Errorf("audit: no %q in\n%s", want, kinds)
		}
	}
	// Nothing more is due; expunging again changes nothing.
	if again, err := e.s.Expunge(now); err != nil || len(again) != 0 {
		t.Errorf("Expunge again: got %+v, %v; want nothing", again, err)
	}
	s := e.reopen(t)
	check(s, e.v, "after reopening")
	if err := e.v.Lock(); err != nil {
		t.Fatal(err)
	}
	if found := findInFiles(t, e.dir, expungeCanary); len(found) != 0 {
		t.Errorf("the canary is in the vault's files: %v", found)
	}
}

// TestExpungeCountsOnce stops an expunge after the case was counted and
// before it was destroyed, as a crash would; the next expunge destroys it
// without counting it again.
func TestExpungeCountsOnce(t *testing.T) {
	e := newStoreEnv(t)
	c := closedCase(t, e)
	e.clock.Advance(400 * 24 * time.Hour)
	e.s.mu.Lock()
	err := e.s.countExpungedLocked(e.s.expungeDueLocked(e.clock.Now()))
	e.s.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	s := e.reopen(t) // the crash
	if _, err := s.Case(c.Code); err != nil {
		t.Fatalf("the case after the crash: %v", err)
	}
	if counts, _ := s.Expunged(); len(counts) != 1 || counts[0].Cases != 1 {
		t.Fatalf("counts after the crash: got %+v, want 1", counts)
	}
	done, err := s.Expunge(e.clock.Now())
	if err != nil || len(done) != 1 {
		t.Fatalf("Expunge: got %+v, %v", done, err)
	}
	if counts, _ := s.Expunged(); len(counts) != 1 || counts[0].Cases != 1 {
		t.Errorf("counts: got %+v, want the case counted once", counts)
	}
	if n := strings.Count(strings.Join(auditKinds(t, e.v), "\n"), "case.expunge "); n != 1 {
		t.Errorf("audit: got %d case.expunge entries, want 1", n)
	}
	// Expunge counts as AddExpunged does: the same row.
	if err := s.AddExpunged(c.Received, c.Category, c.Outcome); err != nil {
		t.Fatal(err)
	}
	if counts, _ := s.Expunged(); len(counts) != 1 || counts[0].Cases != 2 {
		t.Errorf("counts after AddExpunged of a like case: got %+v, want one row of 2", counts)
	}
}

func TestExpungeHiddenAndMany(t *testing.T) {
	e := newStoreEnv(t)
	var cases []*Case
	for i := range 5 {
		c := closedCase(t, e)
		if i == 2 {
			// m1 uses the vault; the case is hidden from them.
			_, err := e.s.modify(c.Code, func(k *Case, _ Context) ([]*Message, error) {
				k.Conflicts = append(k.Conflicts, &Conflict{MemberID: "m1", Kind: HardConflict, At: e.clock.Now()})
				return nil, nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		cases = append(cases, c)
		e.clock.Advance(24 * time.Hour)
	}
	e.clock.Advance(400 * 24 * time.Hour)
	done, err := e.s.Expunge(e.clock.Now())
	if err != nil || len(done) != 5 {
		t.Fatalf("Expunge: got %d, %v; want 5", len(done), err)
	}
	hidden := 0
	for _, d := range done {
		if d.Hidden {
			hidden++
			if d.Code != "" {
				t.Errorf("a hidden case's code is shown: %q", d.Code)
			}
		}
	}
	if hidden != 1 {
		t.Errorf("hidden: got %d, want 1", hidden)
	}
	counts, _ := e.s.Expunged()
	total := 0
	for _, c := range counts {
		total += c.Cases
	}
	if total != 5 {
		t.Errorf("counted: got %d, want 5", total)
	}
	names, _ := e.v.Namespaces()
	for _, c := range cases {
		if slices.Contains(names, caseNS(c.ID)) {
			t.Errorf("case %s still has its namespace", c.Code)
		}
	}
	if got := fmt.Sprint(e.s.List("")); got != "[]" {
		t.Errorf("List: got %s, want nothing", got)
	}
}
