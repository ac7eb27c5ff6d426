package app_test

import (
	"bytes"
	"testing"
	"time"

	"casebook/app"
	"casebook/internal/benchvault"
	"casebook/internal/benchvault/demovault"
	"casebook/vault"
)

// The Store benchmarks measure what a member waits for, on a real vault of
// 1,000 and 10,000 demo cases (about ten messages each): unlocking, the
// case list, opening a case, searching, the due list, and handing cases
// over in a bundle. The vaults use the low-cost key derivation of tests;
// vault.BenchmarkUnlock measures the calibrated derivation on its own.

// BenchmarkStoreUnlock measures opening the vault and loading the case
// book (every case, not the messages), then locking.
func BenchmarkStoreUnlock(b *testing.B) {
	demovault.ForSizes(b, func(b *testing.B, n int) {
		dir := benchvault.Copy(b, demovault.Template(b, n))
		b.ReportAllocs()
		for b.Loop() {
			v, err := vault.Open(dir, []byte(demovault.Passphrase), vault.Options{})
			if err != nil {
				b.Fatal(err)
			}
			s, err := app.OpenStore(v, func() time.Time { return demovault.Now })
			if err != nil {
				b.Fatal(err)
			}
			if got := len(s.List("")); got != n {
				b.Fatalf("%d cases, want %d", got, n)
			}
			if err := v.Lock(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkStoreCaseList measures the case list: every case with its
// stage and next due date.
func BenchmarkStoreCaseList(b *testing.B) {
	demovault.ForSizes(b, func(b *testing.B, n int) {
		_, s := demovault.Open(b, n)
		b.ReportAllocs()
		for b.Loop() {
			if got := len(s.List("")); got != n {
				b.Fatalf("%d cases, want %d", got, n)
			}
		}
	})
}

// BenchmarkStoreOpenCase measures opening one case as the workspace does:
// the case, its messages read from the vault, and its checklist.
func BenchmarkStoreOpenCase(b *testing.B) {
	demovault.ForSizes(b, func(b *testing.B, n int) {
		_, s := demovault.Open(b, n)
		list := s.List("")
		ctx := s.Context()
		i := 0
		b.ReportAllocs()
		for b.Loop() {
			code := list[i%len(list)].Code
			i += 7919 // a prime: visit cases all over the vault
			c, err := s.Case(code)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := s.Messages(code); err != nil {
				b.Fatal(err)
			}
			_ = c.Checklist(ctx)
		}
	})
}

// BenchmarkStoreSearch measures one search, the index being built (the
// first search of a session builds it: BenchmarkStoreSearchFirst).
func BenchmarkStoreSearch(b *testing.B) {
	demovault.ForSizes(b, func(b *testing.B, n int) {
		_, s := demovault.Open(b, n)
		if _, err := s.Search("warm", 1); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			hits, err := s.Search("threatened addr", 50)
			if err != nil || len(hits) == 0 {
				b.Fatalf("search: %d hits, %v", len(hits), err)
			}
		}
	})
}

// BenchmarkStoreSearchCases measures a search as the case list makes it:
// up to 500 cases, and the snippets of the twenty rows in view.
func BenchmarkStoreSearchCases(b *testing.B) {
	demovault.ForSizes(b, func(b *testing.B, n int) {
		_, s := demovault.Open(b, n)
		if _, err := s.Search("warm", 1); err != nil {
			b.Fatal(err)
		}
		const query = "threatened addr"
		b.ReportAllocs()
		for b.Loop() {
			found, err := s.SearchCases(query, 500)
			if err != nil || len(found) == 0 {
				b.Fatalf("search: %d cases, %v", len(found), err)
			}
			for _, r := range found[:min(20, len(found))] {
				if snippet, err := s.SearchSnippet(r, query); err != nil || snippet == "" {
					b.Fatalf("snippet %q, %v", snippet, err)
				}
			}
		}
	})
}

// BenchmarkStoreSearchFirst measures the first search after unlocking: it
// reads every message and builds the index.
func BenchmarkStoreSearchFirst(b *testing.B) {
	demovault.ForSizes(b, func(b *testing.B, n int) {
		v, _ := demovault.Open(b, n)
		b.ReportAllocs()
		for b.Loop() {
			s, err := app.OpenStore(v, func() time.Time { return demovault.Now })
			if err != nil {
				b.Fatal(err)
			}
			if hits, err := s.Search("threatened addr", 50); err != nil || len(hits) == 0 {
				b.Fatalf("search: %d hits, %v", len(hits), err)
			}
		}
	})
}

// BenchmarkStoreDue measures the due list as This week shows it, with
// no case changed since it was last made.
func BenchmarkStoreDue(b *testing.B) {
	demovault.ForSizes(b, func(b *testing.B, n int) {
		_, s := demovault.Open(b, n)
		s.Due(demovault.Now)
		b.ReportAllocs()
		for b.Loop() {
			if items := s.Due(demovault.Now); len(items) == 0 {
				b.Fatal("empty due list")
			}
		}
	})
}

// newReport files a report about the same person each time.
func newReport(s *app.Store, _ string) error {
	_, err := s.NewCase(&app.Intake{
		Received: demovault.Now,
		Channel:  app.ChannelForm,
		Summary:  "Rude replies in the issue tracker",
		Reporter: &app.IntakeReporter{Name: "Robin Reporter", Contact: "robin@example.org"},
		People:   []app.IntakePerson{{Name: "Riley Reported", Contact: "riley@example.org", Role: app.RoleReported}},
	})
	return err
}

// BenchmarkStoreDueAfterChange measures the due list just after a case
// changed, as This week shows it after every step a member takes. After
// a note (change=note) the brigading flags stand; after a new report
// (change=report) they are worked out again first, only for the new
// report's groups, also after a meeting's notes (change=notes-then-report).
// The change itself (a synced write) is not timed.
func BenchmarkStoreDueAfterChange(b *testing.B) {
	demovault.ForSizes(b, func(b *testing.B, n int) {
		at := 0 // walks the case list for notes-then-report
		changes := []struct {
			name   string
			change func(s *app.Store, code string) error
		}{
			{"note", func(s *app.Store, code string) error {
				_, err := s.AddNote(code, "A note between two looks at the due list.", app.Visibility{})
				return err
			}},
			{"report", newReport},
			// A meeting's worth of notes on cases all over the case book,
			// then a new report: the detection keeps what it had of the
			// noted cases and their groups.
			{"notes-then-report", func(s *app.Store, _ string) error {
				list := s.List("")
				for range 20 {
					at = (at + 7919) % len(list)
					if _, err := s.AddNote(list[at].Code, "Discussed at the meeting.", app.Visibility{}); err != nil {
						return err
					}
				}
				return newReport(s, "")
			}},
		}
		for _, ch := range changes {
			b.Run("change="+ch.name, func(b *testing.B) {
				_, s := demovault.Open(b, n)
				code := s.List("")[0].Code
				s.Due(demovault.Now)
				b.ReportAllocs()
				for b.Loop() {
					b.StopTimer()
					if err := ch.change(s, code); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					if items := s.Due(demovault.Now); len(items) == 0 {
						b.Fatal("empty due list")
					}
				}
			})
		}
	})
}

// bundlePair is a sender whose vault holds n demo cases and 100 more that
// the receiver does not have, the bundle of those 100, and a receiver's
// vault (n cases, another member's) to copy for each import.
type bundlePair struct {
	sender   *app.Store
	codes    []string
	to       string
	receiver string // the receiver's closed vault
	bundle   []byte
}

func newBundlePair(b *testing.B, n int) *bundlePair {
	b.Helper()
	template := demovault.Template(b, n)
	_, sender := demovault.Open(b, n)
	roster := sender.Roster()
	var to *app.Member
	for _, m := range roster.Active() {
		if m.ID != roster.Me {
			to = m
			break
		}
	}
	if to == nil {
		b.Fatal("the demo roster has one active member")
	}
	before := map[string]bool{}
	for _, sum := range sender.List("") {
		before[sum.Code] = true
	}
	if _, _, err := sender.AddDemo(app.DemoOptions{Cases: 160, Seed: 99, Now: demovault.Now, Messages: 10}); err != nil {
		b.Fatal(err)
	}
	p := &bundlePair{sender: sender, to: to.Name}
	sender.ViewCases(func(cases []*app.Case) error {
		for _, c := range cases {
			if !before[c.Code] && !c.Excluded(to.ID) && len(p.codes) < 100 {
				p.codes = append(p.codes, c.Code)
			}
		}
		return nil
	})
	if len(p.codes) != 100 {
		b.Fatalf("%d new cases the receiver may have, want 100", len(p.codes))
	}

	p.receiver = benchvault.Copy(b, template)
	v, err := vault.Open(p.receiver, []byte(demovault.Passphrase), vault.Options{})
	if err != nil {
		b.Fatal(err)
	}
	receiver, err := app.OpenStore(v, func() time.Time { return demovault.Now })
	if err != nil {
		b.Fatal(err)
	}
	if err := receiver.UpdateRoster(func(r *app.Roster) error { r.Me = to.ID; return nil }); err != nil {
		b.Fatal(err)
	}
	rk, err := receiver.MyKey()
	if err != nil {
		b.Fatal(err)
	}
	sk, err := sender.MyKey()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := receiver.SetMemberKey(roster.Me, sk, false); err != nil {
		b.Fatal(err)
	}
	if _, err := sender.SetMemberKey(to.ID, rk, false); err != nil {
		b.Fatal(err)
	}
	if err := v.Lock(); err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	p.export(b, &buf)
	p.bundle = buf.Bytes()
	return p
}

func (p *bundlePair) export(b *testing.B, buf *bytes.Buffer) {
	out, err := p.sender.PrepareBundle(p.codes, []string{p.to}, app.BundleOptions{})
	if err != nil {
		b.Fatal(err)
	}
	if err := out.Write(buf); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkStoreBundleExport measures making and writing a bundle of 100
// cases from a vault of n.
func BenchmarkStoreBundleExport(b *testing.B) {
	demovault.ForSizes(b, func(b *testing.B, n int) {
		p := newBundlePair(b, n)
		var buf bytes.Buffer
		b.ReportAllocs()
		for b.Loop() {
			buf.Reset()
			p.export(b, &buf)
		}
		b.ReportMetric(float64(len(p.bundle)), "bundle-bytes")
	})
}

// BenchmarkStoreBundleImport measures importing a bundle of 100 new cases
// into a vault of n: each import goes into a fresh copy of the receiver's
// vault, opened before the clock starts.
func BenchmarkStoreBundleImport(b *testing.B) {
	demovault.ForSizes(b, func(b *testing.B, n int) {
		p := newBundlePair(b, n)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			v, err := vault.Open(benchvault.Copy(b, p.receiver), []byte(demovault.Passphrase), vault.Options{})
			if err != nil {
				b.Fatal(err)
			}
			s, err := app.OpenStore(v, func() time.Time { return demovault.Now })
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			rep, err := s.ImportBundle(bytes.NewReader(p.bundle))
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			if got := len(s.List("")); got != n+100 {
				b.Fatalf("after the import: %d cases, want %d (%+v)", got, n+100, rep)
			}
			v.Lock()
			b.StartTimer()
		}
	})
}
