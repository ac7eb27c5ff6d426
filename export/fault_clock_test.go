package export

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"casebook/app"
	"casebook/internal/faultlog"
	"casebook/vault"
)

// The clock scenario runs a committee's case book on a clock that a test
// moves forwards and backwards — by hours, days and weeks, and across the
// daylight-saving changes of Europe/Berlin — while a member acts on what
// the due list shows, as people do, and checks after every move that no
// reminder is lost or doubled.

// faultClock is the store's clock, set by the test.
type faultClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *faultClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *faultClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// dueKey names a reminder: one case, kind, party and step.
func dueKey(it app.DueItem) string {
	return fmt.Sprintf("%s/%s/%s/%s", it.Code, it.Kind, it.PartyID, it.Action)
}

// dueInstance names one reminder with its deadline: acting on it settles
// this instance; a later one (next week's update) is another.
func dueInstance(it app.DueItem) string { return dueKey(it) + "@" + it.Due.UTC().Format(time.RFC3339) }

// asOfDependent kinds are placed by the as-of time itself, not by the
// case alone (a brigading flag goes to the next meeting from today).
func asOfDependent(k app.DueKind) bool { return k == app.DueBrigade || k == app.DueMergeConflicts }

// horizon is the end of the due list's week: the start of the eighth day
// after asOf, in the committee's time zone.
func horizon(cfg app.Config, asOf time.Time) time.Time {
	return cfg.StartOfDay(asOf.In(cfg.Location()).AddDate(0, 0, 8))
}

// memberStep is the step a member takes to settle an item, with the
// details the step asks for.
func memberStep(it app.DueItem) app.Step {
	return app.Step{Action: it.Action, Party: it.PartyID, Member: "m1", Responder: "m2",
		Text: "Synthetic reason for the step", Outcome: app.OutcomeWarning, Choice: app.For,
		Assessment: app.Assessment{Scope: "in scope", Impact: "moderate", Risk: "low"}}
}

// clockIntake is a synthetic report received at t.
func clockIntake(t time.Time, n int) *app.Intake {
	return &app.Intake{
		Received: t, Channel: app.ChannelForm,
		Summary:     fmt.Sprintf("Synthetic report %d about remarks in a chat", n),
		Description: "Synthetic description of what happened, for a test.",
		Reporter:    &app.IntakeReporter{Name: fmt.Sprintf("Reporter Example %d", n), Contact: fmt.Sprintf("reporter%d@example.org", n)},
		People: []app.IntakePerson{
			{Name: fmt.Sprintf("Reported Example %d", n), Contact: fmt.Sprintf("reported%d@example.org", n), Role: app.RoleReported},
			{Name: fmt.Sprintf("Witness Example %d", n), Contact: fmt.Sprintf("witness%d@example.org", n), Role: app.RoleWitness},
		},
	}
}

// TestFaultClockMoves walks the clock at random across deadlines and
// daylight-saving changes, forwards and backwards, acting on due items as
// it goes, and checks after every move: the due list holds no reminder
// twice; it holds exactly the reminders of the case book whose deadline
// falls before the end of its week, so none is lost whichever way the
// clock moved; a reminder acted on is gone and never comes back, however
// far the clock is turned back; and the weekly updates owed
// (OwedUpdates) are the status reminders due by that day.
func TestFaultClockMoves(t *testing.T) {
	steps := faultlog.Runs(150, 1500)
	tl := faultlog.Track(t, "clock", "clock moved backwards and forwards across deadlines",
		"A fake clock jumps by hours, days and weeks, forwards and backwards and across the Europe/Berlin daylight-saving changes, while a member takes the step each due item asks for at the time it is shown: no due list holds a reminder twice, every deadline within the list's week is in it whichever way the clock moved, a reminder acted on never comes back, and the weekly updates owed match the status reminders.")
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 7))

	// A week before the end of summer time in 2026.
	clock := &faultClock{t: time.Date(2026, 10, 18, 10, 0, 0, 0, time.UTC)}
	s, v := clockStore(t, clock)
	cfg := s.Config()

	// Moves of the clock: small and large, both ways; and jumps to just
	// before and after the daylight-saving changes.
	loc := cfg.Location()
	dst := []time.Time{
		time.Date(2026, 10, 25, 2, 30, 0, 0, loc), time.Date(2027, 3, 28, 2, 30, 0, 0, loc),
		time.Date(2027, 10, 31, 2, 30, 0, 0, loc),
	}
	move := func() time.Duration {
		switch r.IntN(10) {
		case 0, 1, 2:
			return time.Duration(1+r.IntN(48)) * time.Hour
		case 3, 4:
			return time.Duration(1+r.IntN(10)) * 24 * time.Hour
		case 5:
			return time.Duration(1+r.IntN(3)) * 7 * 24 * time.Hour
		case 6:
			return -time.Duration(1+r.IntN(48)) * time.Hour
		case 7:
			return -time.Duration(1+r.IntN(10)) * 24 * time.Hour
		case 8:
			return -time.Duration(1+r.IntN(3)) * 7 * 24 * time.Hour
		default:
			d := dst[r.IntN(len(dst))]
			return d.Add(time.Duration(r.IntN(13)-6)*time.Hour).Sub(clock.Now()) + time.Duration(r.IntN(60))*time.Minute
		}
	}

	acted := map[string]time.Time{} // instance → when it was acted on
	cases := 0
	newCase := func() {
		cases++
		if _, err := s.NewCase(clockIntake(clock.Now(), cases)); err != nil {
			t.Fatalf("NewCase at %v: %v", clock.Now(), err)
		}
	}
	for range 3 {
		newCase()
	}
	var actions, refused int
	far := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	for step := range steps {
		now := clock.Now()
		label := fmt.Sprintf("step %d at %s", step, now.In(loc).Format("2006-01-02 15:04 MST"))
		items := s.Due(now)

		// No reminder twice.
		seen := map[string]bool{}
		for _, it := range items {
			if seen[dueKey(it)] {
				t.Fatalf("%s: %s is in the due list twice: %s", label, dueKey(it), describeItems(items))
			}
			seen[dueKey(it)] = true
		}
		// Exactly the case book's reminders due before the end of the
		// list's week: none lost, whichever way the clock moved.
		var want []string
		end := horizon(cfg, now)
		for _, it := range s.Due(far) {
			if !asOfDependent(it.Kind) && it.Due.Before(end) {
				want = append(want, dueInstance(it))
			}
		}
		var got []string
		for _, it := range items {
			if !asOfDependent(it.Kind) {
				got = append(got, dueInstance(it))
			}
			if it.Overdue != it.Due.Before(cfg.StartOfDay(now)) {
				t.Errorf("%s: %s: overdue=%v, due %v", label, dueKey(it), it.Overdue, it.Due)
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("%s: due list\n%v\nwant the reminders before %v:\n%v", label, got, end, want)
		}
		// Nothing acted on comes back.
		for _, it := range items {
			if at, ok := acted[dueInstance(it)]; ok {
				t.Fatalf("%s: %s was acted on at %v and is due again", label, dueInstance(it), at)
			}
		}
		// The weekly updates owed are the status reminders due by today.
		owed, err := OwedUpdates(s, now, UpdateOptions{})
		if err != nil {
			t.Fatalf("%s: OwedUpdates: %v", label, err)
		}
		var owedGot, owedWant []string
		for _, o := range owed {
			owedGot = append(owedGot, o.Code+"/"+o.Party)
		}
		for _, it := range items {
			if it.Kind == app.DueStatus && !cfg.StartOfDay(it.Due).After(cfg.StartOfDay(now)) {
				owedWant = append(owedWant, it.Code+"/"+it.PartyID)
			}
		}
		slices.Sort(owedGot)
		slices.Sort(owedWant)
		if !slices.Equal(owedGot, owedWant) {
			t.Fatalf("%s: updates owed %v, want the status reminders due by today %v", label, owedGot, owedWant)
		}
		tl.Run()

		// The member acts on a reminder whose time has come, as shown.
		var ready []app.DueItem
		for _, it := range items {
			if it.Action != "" && !it.Due.After(now.Add(24*time.Hour)) {
				ready = append(ready, it)
			}
		}
		if len(ready) > 0 && r.IntN(3) > 0 {
			it := ready[r.IntN(len(ready))]
			if _, err := s.Step(it.Code, memberStep(it)); err != nil {
				if !errors.Is(err, app.ErrNotAllowed) {
					t.Fatalf("%s: step %s: %v", label, dueKey(it), err)
				}
				refused++
				t.Logf("%s: %s refused: %v", label, dueKey(it), err)
			} else {
				actions++
				acted[dueInstance(it)] = now
				for _, again := range s.Due(now) {
					if dueInstance(again) == dueInstance(it) {
						t.Fatalf("%s: %s is still due after it was acted on", label, dueInstance(it))
					}
				}
			}
		}
		// Correspondence arrives at whatever time the clock says.
		if r.IntN(4) == 0 {
			code := s.List("")[r.IntN(len(s.List("")))].Code
			if _, err := s.AddMessage(code, app.Message{PartyID: "p1", Direction: app.In, Channel: app.ChannelEmail,
				Text: "Synthetic reply"}); err != nil && !errors.Is(err, app.ErrInvalid) && !errors.Is(err, app.ErrNotAllowed) {
				t.Fatalf("%s: AddMessage: %v", label, err)
			}
			msgs, err := s.Messages(code)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.IsSortedFunc(msgs, func(a, b *app.Message) int { return a.At.Compare(b.At) }) {
				t.Fatalf("%s: messages of %s out of order after one arrived with the clock turned back", label, code)
			}
		}
		if r.IntN(25) == 0 {
			newCase()
		}
		clock.Set(now.Add(move()))
	}
	// The audit log, its entries dated by a clock that went both ways,
	// still checks as one chain.
	if rep, err := v.Check(); err != nil {
		t.Errorf("Check after the clock's moves: %v %v", err, rep.Problems)
	}
	t.Logf("%d moves, %d cases, %d steps taken, %d refused", steps, cases, actions, refused)
	if actions == 0 {
		t.Errorf("no step was taken: the scenario tested nothing")
	}
}

func describeItems(items []app.DueItem) string {
	var parts []string
	for _, it := range items {
		parts = append(parts, dueInstance(it))
	}
	return strings.Join(parts, "; ")
}

// TestFaultClockBackNewsReachesUpdate turns the clock back after a weekly
// update is sent and records news for the party then: the next update
// tells it, and the update does not fall due again early.
func TestFaultClockBackNewsReachesUpdate(t *testing.T) {
	tl := faultlog.Track(t, "clock", "news recorded with the clock turned back after an update",
		"After a weekly status update is sent, the clock is turned back by hours, days or weeks and a shared note, a message and a stage change are recorded: the next update tells every one of them, and the update sent is not due again early.")
	for _, back := range []time.Duration{time.Hour, 2 * 24 * time.Hour, 3 * 7 * 24 * time.Hour} {
		t.Run(back.String(), func(t *testing.T) {
			clock := &faultClock{t: time.Date(2026, 10, 20, 9, 0, 0, 0, time.UTC)}
			s, _ := clockStore(t, clock)
			c, err := s.NewCase(clockIntake(clock.Now(), 1))
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range []app.Step{{Action: app.ActCheckConflicts}, {Action: app.ActAcknowledge}} {
				if _, err := s.Step(c.Code, st); err != nil {
					t.Fatalf("%s: %v", st.Action, err)
				}
			}
			clock.Set(clock.Now().Add(15 * 24 * time.Hour))
			sent := clock.Now()
			if _, err := s.Step(c.Code, app.Step{Action: app.ActStatusUpdate, Party: "p1"}); err != nil {
				t.Fatalf("status update: %v", err)
			}
			clock.Set(sent.Add(-back))
			if _, err := s.AddNote(c.Code, "Synthetic shared note", app.Visibility{SharedWith: []string{"p1"}}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.AddMessage(c.Code, app.Message{PartyID: "p1", Direction: app.In, Text: "Synthetic reply from the reporter",
				Visibility: app.Visibility{SharedWith: []string{"p1"}}}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Step(c.Code, app.Step{Action: app.ActTriage, Responder: "m2"}); err != nil {
				t.Fatalf("triage: %v", err)
			}
			for _, it := range s.Due(clock.Now()) {
				if it.Kind == app.DueStatus && it.PartyID == "p1" && !it.Due.After(sent) {
					t.Errorf("the update sent at %v is due again at %v", sent, it.Due)
				}
			}
			clock.Set(sent.Add(8 * 24 * time.Hour))
			owed, err := OwedUpdates(s, clock.Now(), UpdateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var text []string
			for _, o := range owed {
				if o.Party == "p1" {
					for _, e := range o.Update.Happened {
						text = append(text, e.Text)
					}
				}
			}
			all := strings.Join(text, "\n")
			for _, want := range []string{"Synthetic shared note", "Synthetic reply from the reporter"} {
				if !strings.Contains(all, want) {
					t.Errorf("clock back %v: the next update to p1 does not tell %q; it tells:\n%s", back, want, all)
				}
			}
			if len(text) < 3 {
				t.Errorf("clock back %v: the next update tells %d things, want the note, the message and the triage", back, len(text))
			}
			tl.Run()
		})
	}
}

// clockStore is a store over a real vault, on clock, with the Berlin
// configuration and a committee of four, m1 using the vault; the vault
// locks when the test ends.
func clockStore(t *testing.T, clock *faultClock) (*app.Store, *vault.Vault) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "vault")
	v, _, err := vault.Create(dir, []byte("synthetic clock test passphrase"), vault.Options{Actor: "test",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Lock() })
	s, err := app.OpenStore(v, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	cfg := app.DefaultConfig()
	cfg.TimeZone = "Europe/Berlin"
	if err := s.SetConfig(cfg); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateRoster(func(r *app.Roster) error {
		for _, name := range []string{"Alex Example", "Blair Sample", "Casey Placeholder", "Dana Fictional"} {
			if _, err := r.Add(name, strings.ToLower(strings.Fields(name)[0])+"@committee.example"); err != nil {
				return err
			}
		}
		r.Me = "m1"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return s, v
}
