package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"casebook/internal/harden"
)

// TestNoLocaleErrorUnderCUTF8 starts this test binary again in the
// C.UTF-8 locale, where Fyne used to print "Error parsing user locale C"
// while initializing, before any code of ours ran.
func TestNoLocaleErrorUnderCUTF8(t *testing.T) {
	if os.Getenv("CASEBOOK_LOCALE_CHILD") == "1" {
		return // initializing was the test
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestNoLocaleErrorUnderCUTF8$", "-test.count=1")
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LC_") && !strings.HasPrefix(kv, "LANG") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "LANG=C.UTF-8", "CASEBOOK_LOCALE_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "locale") {
		t.Fatalf("starting under LANG=C.UTF-8 printed:\n%s", out)
	}
}

// TestRunHardensTheProcess runs a command in a child, as the casebook
// binary does, and checks there that no crash can write a core file
// (package harden).
func TestRunHardensTheProcess(t *testing.T) {
	if os.Getenv("CASEBOOK_HARDEN_CHILD") == "1" {
		if code := run([]string{"--help"}); code != 0 {
			t.Fatalf("casebook --help: exit code %d", code)
		}
		if err := harden.Check(); err != nil {
			t.Fatal(err)
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunHardensTheProcess$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "CASEBOOK_HARDEN_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestRunHardensTheProcess") {
		t.Fatalf("child: %v\n%s", err, out)
	}
}
