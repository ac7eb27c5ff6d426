package vault

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A crash between Badger creating a log file and sizing it leaves an
// empty ".mem" or ".vlog" file, which Badger refuses to open the store
// over ("Create a new file"). The vault opens all the same, with every
// record.
func TestOpenAfterCrashLeftAnEmptyWAL(t *testing.T) {
	for _, name := range []string{"00042.mem", "000042.vlog"} {
		t.Run(name, func(t *testing.T) { openOverEmptyLog(t, name) })
	}
}

func openOverEmptyLog(t *testing.T, name string) {
	v, dir, _ := newTestVault(t)
	put(t, v, "case-a", "report", "kept")
	if err := v.Lock(); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "data", name)
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	v2, err := Open(dir, []byte(testPassphrase), Options{})
	if err != nil {
		t.Fatalf("Open with an empty WAL file: %v", err)
	}
	defer v2.Lock()
	if b, err := v2.Get("case-a", "report"); err != nil || string(b) != "kept" {
		t.Fatalf("Get: %q, %v", b, err)
	}
	if _, err := os.Stat(empty); !os.IsNotExist(err) {
		t.Errorf("the empty WAL file is still there: %v", err)
	}
}

// A vault copied while open (as a crash leaves it) holds its newest changes
// only in Badger's write-ahead log. Without that log Badger opens at an
// older state; the high-water mark in the lock file makes Open say so.
func TestOpenRefusesLostChanges(t *testing.T) {
	v, dir, _ := newTestVault(t)
	put(t, v, "case-a", "report", "kept")
	put(t, v, "case-a", "msg/1", "acknowledged")
	crashed := filepath.Join(t.TempDir(), "crashed")
	copyTree(t, dir, crashed)
	lockVault(t, v)
	mems, _ := filepath.Glob(filepath.Join(crashed, "data", "*.mem"))
	if len(mems) == 0 {
		t.Fatal("no write-ahead log in the copy of an open vault")
	}

	// With its log, the crashed copy opens with every change.
	intact := filepath.Join(t.TempDir(), "intact")
	copyTree(t, crashed, intact)
	v2 := openTestVault(t, intact, testPassphrase)
	mustGet(t, v2, "case-a", "msg/1", "acknowledged")
	mustCheck(t, v2)
	lockVault(t, v2)

	for _, m := range mems {
		if err := os.Remove(m); err != nil {
			t.Fatal(err)
		}
	}
	v3, err := Open(crashed, []byte(testPassphrase), Options{})
	if err == nil {
		v3.Lock()
	}
	var ce *CorruptError
	if !errors.As(err, &ce) || ce.Record != "data" || !strings.Contains(err.Error(), "changes lost") {
		t.Fatalf("Open without the write-ahead log: got %v, want the lost changes named as damage", err)
	}
}

// A damaged high-water mark does not keep the vault shut, but Check
// reports it, and the next change writes it anew.
func TestDamagedMark(t *testing.T) {
	v, dir, _ := newTestVault(t)
	put(t, v, "case-a", "report", "kept")
	lockVault(t, v)
	lock := filepath.Join(dir, lockFile)
	data, err := os.ReadFile(lock)
	if err != nil || len(data) == 0 {
		t.Fatalf("lock file after a write: %d bytes, %v; want a mark", len(data), err)
	}
	data[len(data)/2] ^= 1
	if err := os.WriteFile(lock, data, 0o600); err != nil {
		t.Fatal(err)
	}
	v = openTestVault(t, dir, testPassphrase)
	rep, err := v.Check()
	if !errors.Is(err, ErrCorrupt) || len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0].Error(), "lock") {
		t.Fatalf("Check with a damaged mark: got %v %v, want the lock named", err, rep.Problems)
	}
	put(t, v, "case-a", "msg/1", "rewrites the mark")
	mustCheck(t, v)
	lockVault(t, v)
}
