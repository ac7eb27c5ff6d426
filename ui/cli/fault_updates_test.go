//go:build unix

package cli

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"casebook/app"
	"casebook/export"
	"casebook/internal/faultlog"
	"casebook/vault"
)

// owedFiles lists the file names of the status updates owed in the vault
// in dir as of asOf.
func owedFiles(t *testing.T, dir string, asOf time.Time) []string {
	t.Helper()
	v, err := vault.Open(dir, []byte(goodPass), vault.Options{})
	if err != nil {
		t.Fatalf("open %s: %v", filepath.Base(dir), err)
	}
	defer v.Lock()
	s, err := app.OpenStore(v, func() time.Time { return asOf })
	if err != nil {
		t.Fatal(err)
	}
	owed, err := export.OwedUpdates(s, asOf, export.UpdateOptions{})
	if err != nil {
		t.Fatalf("OwedUpdates: %v", err)
	}
	names := make([]string, len(owed))
	for i, o := range owed {
		names[i] = o.FileName()
	}
	return names
}

// wholePDF reports whether the file at path is a PDF written to its end.
func wholePDF(path string) bool {
	b, err := os.ReadFile(path)
	return err == nil && bytes.HasPrefix(b, []byte("%PDF-")) && bytes.HasSuffix(bytes.TrimRight(b, "\r\n"), []byte("%%EOF"))
}

// TestFaultKillDuringUpdates kills casebook report updates, run as a
// process of its own, at random moments, each time on a fresh copy of a
// vault of demo cases, and checks that every update the vault records as
// sent is in the folder whole, that no file there under its own name is
// cut short, and that running the command again writes and records the
// rest, leaving nothing owed.
func TestFaultKillDuringUpdates(t *testing.T) {
	rounds := faultlog.Runs(2, 20)
	tl := faultlog.Track(t, "crash", "SIGKILL during the weekly status updates",
		"casebook report updates, as a process of its own, is killed with SIGKILL at a random moment on a copy of a vault of 2,000 demo cases owing 57 updates: every update then recorded as sent is in the folder as a whole PDF, no file under its own name is cut short, and running the command again writes and records every other update owed, leaving none owed and every file whole.")
	e := newCaseEnv(t)
	e.ok("demo", "--cases", "2000")
	// Three weeks on, every party of a case still open is owed an update.
	now := e.now.AddDate(0, 0, 21)
	asOf := now.Format(time.DateOnly)
	owed := owedFiles(t, e.dir, now)
	if len(owed) < 10 {
		t.Fatalf("the demo vault owes %d updates, want some to kill a batch in", len(owed))
	}

	// The whole batch as a process of its own shows how long one runs.
	whole := &caseEnv{t: t, dir: filepath.Join(t.TempDir(), "whole"), now: now}
	copyDir(t, e.dir, whole.dir)
	out := t.TempDir()
	begin := time.Now()
	if b, err := startUpdates(t, whole, out).CombinedOutput(); err != nil {
		t.Fatalf("report updates as a process: %v\n%s", err, b)
	}
	total := time.Since(begin)
	if left := owedFiles(t, whole.dir, now); len(left) != 0 {
		t.Fatalf("after report updates as a process, %d updates are still owed", len(left))
	}
	t.Logf("%d updates owed; the batch takes %v as a process", len(owed), total.Round(time.Millisecond))

	rng := rand.New(rand.NewPCG(killSeed(t), 5))
	var partials, recordedBefore int
	for round := range rounds {
		r := &caseEnv{t: t, dir: filepath.Join(t.TempDir(), fmt.Sprintf("round-%02d", round)), now: now}
		copyDir(t, e.dir, r.dir)
		out := t.TempDir()
		// Every other kill falls at the end, where the updates are
		// recorded one by one once all are written.
		delay := time.Duration(rng.Int64N(int64(total + 50*time.Millisecond)))
		if round%2 == 1 {
			delay = max(0, total-300*time.Millisecond) + time.Duration(rng.Int64N(int64(320*time.Millisecond)))
		}
		killAfter(t, round, startUpdates(t, r, out), delay)

		lost := 0
		left := owedFiles(t, r.dir, now)
		for _, name := range owed {
			if !slices.Contains(left, name) && !wholePDF(filepath.Join(out, name)) {
				t.Errorf("round %d (killed after %v): %s is recorded as sent but not in the folder whole", round, delay.Round(time.Millisecond), name)
				lost++
			}
		}
		entries, _ := os.ReadDir(out)
		for _, en := range entries {
			switch {
			case strings.HasPrefix(en.Name(), "."):
				partials++
			case !wholePDF(filepath.Join(out, en.Name())):
				t.Errorf("round %d (killed after %v): %s is in the folder under its name but cut short", round, delay.Round(time.Millisecond), en.Name())
				lost++
			}
		}
		recordedBefore += len(owed) - len(left)

		r.ok("report", "updates", "--as-of", asOf, "--out", out)
		if again := owedFiles(t, r.dir, now); len(again) != 0 {
			t.Errorf("round %d: after running again, %d updates are still owed", round, len(again))
			lost += len(again)
		}
		for _, name := range owed {
			if !wholePDF(filepath.Join(out, name)) {
				t.Errorf("round %d: after running again, %s is not in the folder whole", round, name)
				lost++
			}
		}
		tl.Add(1, lost)
		t.Logf("round %2d: killed after %3dms of %dms: %d of %d recorded as sent by then",
			round, delay.Milliseconds(), total.Milliseconds(), len(owed)-len(left), len(owed))
	}
	t.Logf("%d rounds: %d updates recorded before the kills; %d partial files left by them", rounds, recordedBefore, partials)
}

// startUpdates makes the command that runs casebook report updates on r's
// vault into out as a process of its own, with r's clock.
func startUpdates(t *testing.T, r *caseEnv, out string) *exec.Cmd {
	t.Helper()
	return processChild(t, processChildSpec{Role: "command", Dir: r.dir, Now: r.now,
		Args: []string{"report", "updates", "--as-of", r.now.Format(time.DateOnly), "--out", out}})
}
