package vault

import (
	"os"
	"path/filepath"
	"testing"
)

// A crash between Badger creating a write-ahead-log file and sizing it
// leaves an empty ".mem" file, which Badger refuses to open the store
// over ("Create a new file"). The vault opens all the same, with every
// record.
func TestOpenAfterCrashLeftAnEmptyWAL(t *testing.T) {
	v, dir, _ := newTestVault(t)
	put(t, v, "case-a", "report", "kept")
	if err := v.Lock(); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "data", "00042.mem")
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
