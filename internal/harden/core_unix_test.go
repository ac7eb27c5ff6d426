//go:build linux || darwin

package harden

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestProcess runs Process in a child (it cannot be undone in this one).
// There, Check fails while core files may be written or the limit raised
// again, and passes after Process.
func TestProcess(t *testing.T) {
	if os.Getenv("CASEBOOK_HARDEN_CHILD") != "1" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestProcess$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), "CASEBOOK_HARDEN_CHILD=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestProcess") {
			t.Fatalf("child: %v\n%s", err, out)
		}
		return
	}
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_CORE, &lim); err != nil {
		t.Fatal(err)
	}
	if lim.Max > 0 {
		for _, cur := range []uint64{0, min(lim.Max, 1<<20)} {
			if err := unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{Cur: cur, Max: lim.Max}); err != nil {
				t.Fatal(err)
			}
			if Check() == nil {
				t.Errorf("Check passed with a core file limit of %d bytes, %d at most", cur, lim.Max)
			}
		}
	}
	if err := Process(); err != nil {
		t.Fatalf("Process: %v", err)
	}
	if err := Check(); err != nil {
		t.Errorf("after Process: %v", err)
	}
}
