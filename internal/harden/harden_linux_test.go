//go:build linux

package harden

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestProcess runs Process in a child (it cannot be undone in this one):
// Check fails before it, and while the process is undumpable but may
// still write core files, and passes after it.
func TestProcess(t *testing.T) {
	if os.Getenv("CASEBOOK_HARDEN_CHILD") == "1" {
		if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
			t.Fatal(err)
		}
		var lim unix.Rlimit
		if err := unix.Getrlimit(unix.RLIMIT_CORE, &lim); err != nil {
			t.Fatal(err)
		}
		if lim.Max > 0 {
			lim.Cur = min(lim.Max, 1<<20)
			if err := unix.Setrlimit(unix.RLIMIT_CORE, &lim); err != nil {
				t.Fatal(err)
			}
			if Check() == nil {
				t.Error("Check passed while core files of up to 1 MiB may be written")
			}
		}
		if err := Process(); err != nil {
			t.Fatalf("Process: %v", err)
		}
		if err := Check(); err != nil {
			t.Errorf("after Process: %v", err)
		}
		return
	}
	if Check() == nil {
		t.Fatal("this test process passes Check already; the test would prove nothing")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestProcess$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "CASEBOOK_HARDEN_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestProcess") {
		t.Fatalf("child: %v\n%s", err, out)
	}
}
