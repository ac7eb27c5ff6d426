package vault

import (
	"os"
	"path/filepath"
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
