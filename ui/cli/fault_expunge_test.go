//go:build unix

package cli

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"casebook/app"
	"casebook/internal/faultlog"
	"casebook/vault"
)

// expungeState is what an expunge must leave in a vault, whatever stopped
// it on the way, once it has been run again to its end.
type expungeState struct {
	codes    []string            // the cases left, by code
	counts   []app.ExpungedCount // the archive's counts of expunged cases
	expunged int                 // the audit log's case.expunge entries
	due      int                 // cases still due for expunging
}

func readExpungeState(t *testing.T, dir string, asOf time.Time) expungeState {
	t.Helper()
	v, err := vault.Open(dir, []byte(goodPass), vault.Options{})
	if err != nil {
		t.Fatalf("open %s: %v", filepath.Base(dir), err)
	}
	defer v.Lock()
	s, err := app.OpenStore(v, nil)
	if err != nil {
		t.Fatalf("open the store of %s: %v", filepath.Base(dir), err)
	}
	var st expungeState
	for _, c := range s.List("") {
		st.codes = append(st.codes, c.Code)
	}
	slices.Sort(st.codes)
	if st.counts, err = s.Expunged(); err != nil {
		t.Fatalf("Expunged: %v", err)
	}
	entries, err := v.Audit()
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	for _, e := range entries {
		if e.Kind == "case.expunge" {
			st.expunged++
		}
	}
	st.due = len(s.ExpungeDue(asOf))
	if rep, err := v.Check(); err != nil {
		t.Fatalf("check %s: %v %v", filepath.Base(dir), err, rep.Problems)
	}
	return st
}

func (st expungeState) diff(want expungeState) string {
	var d []string
	if !slices.Equal(st.codes, want.codes) {
		d = append(d, fmt.Sprintf("%d cases left, want %d", len(st.codes), len(want.codes)))
	}
	if !slices.Equal(st.counts, want.counts) {
		d = append(d, fmt.Sprintf("the expunged counts differ (%d rows counting %d cases, want %d counting %d)",
			len(st.counts), countedCases(st.counts), len(want.counts), countedCases(want.counts)))
	}
	if st.expunged != want.expunged {
		d = append(d, fmt.Sprintf("%d case.expunge audit entries, want %d", st.expunged, want.expunged))
	}
	if st.due != want.due {
		d = append(d, fmt.Sprintf("%d cases still due, want %d", st.due, want.due))
	}
	return strings.Join(d, "; ")
}

func countedCases(counts []app.ExpungedCount) int {
	n := 0
	for _, c := range counts {
		n += c.Cases
	}
	return n
}

// TestFaultKillDuringExpunge kills casebook expunge, run as a process of
// its own, at random moments, each time on a fresh copy of one vault of
// demo cases, and then runs casebook expunge again: the vault must end as
// one never interrupted does, with every case due gone, every other case
// kept, each expunged case counted once in the archive's counts and named
// once in the audit log, and the vault checking clean.
func TestFaultKillDuringExpunge(t *testing.T) {
	rounds := faultlog.Runs(4, 40)
	tl := faultlog.Track(t, "crash", "SIGKILL during an expunge",
		"casebook expunge, as a process of its own, is killed with SIGKILL at a random moment on a copy of a vault of 600 demo cases (151 due, in two writes), and run again: every case due is gone and every other kept, each expunged case is counted once in the archive's counts and named once in the audit log, and the vault checks clean, as after an expunge never interrupted.")
	e := newCaseEnv(t)
	e.ok("demo", "--cases", "600")
	asOf := e.now.Format(time.DateOnly)
	template := e.dir

	// The expunge never interrupted, and how long it takes.
	ref := &caseEnv{t: t, dir: filepath.Join(t.TempDir(), "reference"), now: e.now}
	copyDir(t, template, ref.dir)
	before := readExpungeState(t, ref.dir, e.now)
	begin := time.Now()
	ref.ok("expunge", "--as-of", asOf)
	took := time.Since(begin)
	want := readExpungeState(t, ref.dir, e.now)
	if before.due == 0 || want.due != 0 || len(want.codes) != len(before.codes)-before.due {
		t.Fatalf("the reference expunge: %d cases, %d due before; %d cases, %d due after", len(before.codes), before.due, len(want.codes), want.due)
	}
	t.Logf("the vault: %d cases, %d due; an expunge takes %v in this process", len(before.codes), before.due, took.Round(time.Millisecond))

	// The same as a process of its own, left to finish: the kills below
	// fall in the last part of its run, the expunge itself.
	whole := &caseEnv{t: t, dir: filepath.Join(t.TempDir(), "whole"), now: e.now}
	copyDir(t, template, whole.dir)
	begin = time.Now()
	if out, err := startExpunge(t, whole, asOf).CombinedOutput(); err != nil {
		t.Fatalf("expunge as a process: %v\n%s", err, out)
	}
	total := time.Since(begin)
	if d := readExpungeState(t, whole.dir, e.now).diff(want); d != "" {
		t.Fatalf("expunge as a process: %s", d)
	}
	start := max(0, total-took-50*time.Millisecond)

	rng := rand.New(rand.NewPCG(killSeed(t), 3))
	var finished, partway int
	for round := range rounds {
		r := &caseEnv{t: t, dir: filepath.Join(t.TempDir(), fmt.Sprintf("round-%02d", round)), now: e.now}
		copyDir(t, template, r.dir)
		delay := start + time.Duration(rng.Int64N(int64(total-start+50*time.Millisecond)))
		killed := !killAfter(t, round, startExpunge(t, r, asOf), delay)
		if !killed {
			finished++
		}
		mid := readExpungeState(t, r.dir, e.now)
		r.ok("expunge", "--as-of", asOf)
		got := readExpungeState(t, r.dir, e.now)
		lost := 0 // cases that were to be kept and are gone
		for _, c := range want.codes {
			if !slices.Contains(got.codes, c) {
				lost++
			}
		}
		if d := got.diff(want); d != "" {
			t.Errorf("round %d (killed after %v): after expunging again: %s", round, delay.Round(time.Millisecond), d)
		}
		tl.Add(1, lost)
		destroyed, counted := before.due-mid.due, countedCases(mid.counts)
		if destroyed > 0 && destroyed < before.due || counted > destroyed {
			partway++
		}
		t.Logf("round %2d: killed after %3dms of a %dms run (finished: %v): by the next unlock %d of %d due counted, %d destroyed",
			round, delay.Milliseconds(), total.Milliseconds(), !killed, counted, before.due, destroyed)
	}
	t.Logf("%d rounds, %d finished before the kill, %d stopped part-way (some counted or destroyed, not all)", rounds, finished, partway)
	if faultlog.Full() && partway == 0 {
		t.Errorf("no kill in %d rounds stopped the expunge part-way: the test tested little", rounds)
	}
}

// startExpunge makes the command that runs casebook expunge on r's vault
// as a process of its own, with r's clock.
func startExpunge(t *testing.T, r *caseEnv, asOf string) *exec.Cmd {
	t.Helper()
	return processChild(t, processChildSpec{Role: "command", Dir: r.dir, Now: r.now, Args: []string{"expunge", "--as-of", asOf}})
}

// killAfter starts cmd, kills it with SIGKILL after delay, and reports
// whether it had finished by then. It fails the test if the command
// ended by itself with an error.
func killAfter(t *testing.T, round int, cmd *exec.Cmd, delay time.Duration) (finished bool) {
	t.Helper()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(delay)
	cmd.Process.Kill()
	err := cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.Sys().(syscall.WaitStatus).Signaled() {
		return false
	}
	if err != nil {
		t.Fatalf("round %d: the command ended with %v before the kill:\n%s", round, err, out.String())
	}
	return true
}

// killSeedEnv may hold a seed to replay the kill tests' random delays
// (their timing still varies with the machine's load).
const killSeedEnv = "CASEBOOK_CLI_KILL_SEED"

func killSeed(t *testing.T) uint64 {
	t.Helper()
	return faultlog.Seed(t, killSeedEnv)
}
