//go:build unix

package vault

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"casebook/internal/faultlog"
)

// restoreRecords is the number of records in the restore test's backup:
// enough that a restore takes a few hundred milliseconds to kill into.
const restoreRecords = 4000

// crashRestoreChild restores the backup spec.From into spec.Dir, printing
// "open" as it begins and "restored" once Restore has returned.
func crashRestoreChild(spec crashChildSpec) {
	f, err := os.Open(spec.From)
	if err != nil {
		crashChildFail("open backup: %v", err)
	}
	fmt.Fprintln(os.Stdout, "open")
	if err := Restore(spec.Dir, f, []byte(crashPassphrase), Options{Actor: "crash child"}); err != nil {
		crashChildFail("restore: %v", err)
	}
	fmt.Fprintln(os.Stdout, "restored")
	time.Sleep(2 * crashChildWait) // the parent kills us long before
	crashChildFail("restorer was not killed")
}

// TestFaultKillDuringRestore kills a child restoring a backup at random
// moments, each time into a new place beside the others, and checks that
// each place then holds no vault or the whole vault, never part of one,
// and that the build directories the kills left beside them, which hold a
// copy of the vault, are removed once nobody holds them.
func TestFaultKillDuringRestore(t *testing.T) {
	rounds := faultlog.Runs(6, 30)
	if testing.Short() {
		rounds = 3
	}
	tl := faultlog.Track(t, "crash", "SIGKILL during a restore",
		"A child process restoring a backup of 4,000 records is killed with SIGKILL at a random moment, each time into a new place: each place then holds no vault or the whole vault, which opens with every record and checks clean; the half-built copies the kills left beside it are removed by the next restore once nobody holds them.")
	seed := crashSeed(t)
	rng := rand.New(rand.NewPCG(seed, 2))
	parent := t.TempDir()
	backup := makeRestoreBackup(t, parent)

	// A restore the parent makes shows how long one takes.
	begin := time.Now()
	restoreInto(t, backup, filepath.Join(parent, "reference"))
	span := time.Since(begin)
	verifyRestored(t, filepath.Join(parent, "reference"), -1)

	var none, whole, unreported int
	for round := range rounds {
		mode := round % numKillModes
		delay := killDelay(rng, mode, span)
		target := filepath.Join(parent, fmt.Sprintf("restored-%03d", round))
		child := startCrashChild(t, crashChildSpec{Role: "restore", Dir: target, From: backup})
		reported := false
		killChildAt(t, child, round, killTrigger(mode), delay, func(line string) {
			switch {
			case line == "open":
			case line == "restored":
				reported = true
			case strings.HasPrefix(line, "fail "):
				t.Fatalf("round %d: child: %s\nstderr:\n%s", round, line, child.stderr)
			default:
				t.Logf("round %d: child printed %q", round, line)
			}
		})
		lost := 0
		switch {
		case Exists(target):
			lost = verifyRestored(t, target, round)
			whole++
			if !reported {
				unreported++
			}
		case reported:
			t.Errorf("round %d: restore reported done, but %s holds no vault", round, filepath.Base(target))
			lost = restoreRecords
		default:
			if entries, err := os.ReadDir(target); err == nil && len(entries) > 0 {
				t.Errorf("round %d: %s holds %d entries but no vault", round, filepath.Base(target), len(entries))
			}
			none++
		}
		tl.Add(1, lost)
		t.Logf("round %2d: kill %-10s after %3dms of a %dms restore: %s", round, killModeNames[mode],
			delay.Milliseconds(), span.Milliseconds(), map[bool]string{true: "the whole vault", false: "no vault"}[Exists(target)])
	}
	left := entriesWithPrefix(parent, restoreVaultPrefix)
	t.Logf("%d rounds: %d left no vault, %d the whole vault (%d unreported); %d half-built copies left beside them",
		rounds, none, whole, unreported, len(left))

	// The half-built copies are removed once they are old enough to judge:
	// the next restore does it, and it is their age that keeps them now
	// (a day for one killed before it had its lock file).
	for _, name := range left {
		backdate(t, filepath.Join(parent, name), 2*unlockedTempAge)
	}
	restoreInto(t, backup, filepath.Join(parent, "final"))
	if left := entriesWithPrefix(parent, restoreVaultPrefix); len(left) > 0 {
		t.Errorf("after a restore beside them: %d half-built copies left, want none", len(left))
	}
}

// makeRestoreBackup makes a vault of restoreRecords records and writes its
// backup to a file in dir.
func makeRestoreBackup(t *testing.T, dir string) string {
	t.Helper()
	v, _, err := Create(filepath.Join(dir, "source"), []byte(crashPassphrase), Options{Actor: "crash parent"})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	for start := uint64(1); start <= restoreRecords; start += 500 {
		err := v.Update(func(tx *Tx) error {
			for n := start; n < start+500 && n <= restoreRecords; n++ {
				if err := tx.Put(crashNS, crashKey(n), crashValue(n)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("Update: %v", err)
		}
	}
	var b bytes.Buffer
	if err := v.Backup(&b); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	lockVault(t, v)
	path := filepath.Join(dir, "source.backup")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func restoreInto(t *testing.T, backup, target string) {
	t.Helper()
	f, err := os.Open(backup)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := Restore(target, f, []byte(crashPassphrase), Options{Actor: "crash parent"}); err != nil {
		t.Fatalf("Restore into %s: %v", filepath.Base(target), err)
	}
}

// verifyRestored opens a restored vault and checks that it holds every
// record of the backup; it returns how many are missing or altered.
func verifyRestored(t *testing.T, dir string, round int) int {
	t.Helper()
	v, err := Open(dir, []byte(crashPassphrase), Options{Actor: "crash parent"})
	if err != nil {
		t.Fatalf("round %d: Open the restored vault: %v", round, err)
	}
	defer lockVault(t, v)
	good := 0
	err = v.Scan(crashNS, "", func(key string, value []byte) error {
		n, err := strconv.ParseUint(key, 10, 64)
		if err == nil && key == crashKey(n) && bytes.Equal(value, crashValue(n)) {
			good++
		}
		return nil
	})
	if err != nil {
		t.Fatalf("round %d: Scan: %v", round, err)
	}
	if good != restoreRecords {
		t.Errorf("round %d: the restored vault holds %d of the %d records", round, good, restoreRecords)
	}
	if rep, err := v.Check(); err != nil {
		t.Fatalf("round %d: Check: %v %v", round, err, rep.Problems)
	}
	return restoreRecords - good
}
