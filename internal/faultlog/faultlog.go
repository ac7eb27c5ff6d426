// Package faultlog lets the fault tests report what they tried and what
// they found, for docs/RELIABILITY.md.
//
// A fault test is a test named TestFault…, in any package. It calls Track
// with its scenario, counts its runs and any records lost on the Tally it
// gets back, and when the test ends the tally is written out: as a log
// line always, and as a JSON line appended to the file named by ReportEnv
// when that is set (`make faults` sets it, then turns the lines into the
// table of docs/RELIABILITY.md with ./internal/cmd/reliability).
//
// Under `make test` the fault tests run a quick number of rounds; `make
// faults` sets FullEnv and they run the full number (Runs).
package faultlog

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"
)

// ReportEnv names the environment variable holding the file that tallies
// are appended to, one JSON object per line.
const ReportEnv = "CASEBOOK_FAULTS_REPORT"

// FullEnv names the environment variable that, set to "1", asks the fault
// tests for their full number of rounds.
const FullEnv = "CASEBOOK_FAULTS_FULL"

// Full reports whether the full fault suite was asked for.
func Full() bool { return os.Getenv(FullEnv) == "1" }

// Seed returns the seed of a fault test's random choices: the one in the
// environment variable env, to replay a run, or a new one, which it logs
// with how to replay it.
func Seed(t testing.TB, env string) uint64 {
	t.Helper()
	if s := os.Getenv(env); s != "" {
		seed, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q: %v", env, s, err)
		}
		return seed
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d (replay the choices with %s=%d)", seed, env, seed)
	return seed
}

// Runs returns full under the full suite and quick otherwise.
func Runs(quick, full int) int {
	if Full() {
		return full
	}
	return quick
}

// Entry is one line of the report.
type Entry struct {
	// Area groups scenarios in the table: "vault", "disk", "input", ….
	Area string `json:"area"`
	// Scenario says what was done, in a few words.
	Scenario string `json:"scenario"`
	// Test is the Go test that ran it, package-qualified.
	Test string `json:"test"`
	// Runs counts the rounds, files, inputs or attempts.
	Runs int `json:"runs"`
	// Lost counts records that were reported written and then missing.
	Lost int `json:"lost"`
	// Passed is whether the test passed.
	Passed bool `json:"passed"`
	// Note says what was checked, in one sentence.
	Note string `json:"note"`
	// Seconds is how long the scenario took.
	Seconds float64 `json:"seconds"`
}

// Tally collects one scenario's counts while it runs. Its methods are safe
// for concurrent use.
type Tally struct {
	mu    sync.Mutex
	entry Entry
}

// Track starts the tally of a scenario; it is reported when t ends.
func Track(t testing.TB, area, scenario, note string) *Tally {
	t.Helper()
	tl := &Tally{entry: Entry{Area: area, Scenario: scenario, Note: note, Test: t.Name()}}
	begin := time.Now()
	t.Cleanup(func() {
		tl.mu.Lock()
		e := tl.entry
		tl.mu.Unlock()
		e.Passed = !t.Failed()
		e.Seconds = time.Since(begin).Seconds()
		t.Logf("fault scenario %q: %d runs, %d lost, passed=%v", e.Scenario, e.Runs, e.Lost, e.Passed)
		if err := appendEntry(e); err != nil {
			t.Errorf("faultlog: %v", err)
		}
	})
	return tl
}

// Run counts one more run.
func (tl *Tally) Run() { tl.Add(1, 0) }

// Add counts runs more runs and lost more lost records.
func (tl *Tally) Add(runs, lost int) {
	tl.mu.Lock()
	tl.entry.Runs += runs
	tl.entry.Lost += lost
	tl.mu.Unlock()
}

var fileMu sync.Mutex

func appendEntry(e Entry) error {
	path := os.Getenv(ReportEnv)
	if path == "" {
		return nil
	}
	line, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	fileMu.Lock()
	defer fileMu.Unlock()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open the report: %w", err)
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("write the report: %w", err)
	}
	return f.Close()
}
