//go:build unix

package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"casebook/app"
	"casebook/internal/faultlog"
	"casebook/vault"
)

// The process scenario runs real processes: the test binary re-executed
// as a child that holds the vault open and writes to it on request, and
// as children that run one casebook command each, as a second Casebook
// would.

// processChildEnv turns TestFaultProcessChild into a child process; its
// value is a JSON processChildSpec.
const processChildEnv = "CASEBOOK_CLI_PROCESS_CHILD"

type processChildSpec struct {
	Role string   `json:"role"` // "holder" or "command"
	Dir  string   `json:"dir"`
	Case string   `json:"case,omitempty"` // the holder's case
	Args []string `json:"args,omitempty"` // the command's arguments
	// Now, if set, is the command's clock, fixed at that time.
	Now time.Time `json:"now,omitzero"`
}

// TestFaultProcessChild is the body of the child processes of
// TestFaultTwoProcesses, and is skipped otherwise.
func TestFaultProcessChild(t *testing.T) {
	raw := os.Getenv(processChildEnv)
	if raw == "" {
		t.Skip("runs only as a child process of TestFaultTwoProcesses")
	}
	var spec processChildSpec
	if err := json.Unmarshal([]byte(raw), &spec); err != nil {
		fmt.Println("fail bad spec:", err)
		os.Exit(90)
	}
	switch spec.Role {
	case "command":
		// A second casebook, as a person would start it.
		os.Exit(Run(append([]string{"--vault", spec.Dir}, spec.Args...), Env{
			Stdin: strings.NewReader(""), Stdout: os.Stdout, Stderr: os.Stderr,
			Getenv: func(k string) string {
				return map[string]string{"CASEBOOK_PASSPHRASE": goodPass}[k]
			},
			Now: func() time.Time {
				if spec.Now.IsZero() {
					return time.Now()
				}
				return spec.Now
			},
		}))
	case "holder":
		processHolder(spec)
	}
	fmt.Println("fail unknown role", spec.Role)
	os.Exit(90)
}

// processHolder opens the vault, says "open", and then for each line
// "note N" on its standard input adds a note and says "ok N", until the
// line "exit".
func processHolder(spec processChildSpec) {
	fail := func(format string, args ...any) {
		fmt.Printf("fail "+format+"\n", args...)
		os.Exit(91)
	}
	v, err := vault.Open(spec.Dir, []byte(goodPass), vault.Options{})
	if err != nil {
		fail("open: %v", err)
	}
	s, err := app.OpenStore(v, nil)
	if err != nil {
		fail("store: %v", err)
	}
	fmt.Println("open")
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		line := sc.Text()
		if line == "exit" {
			if err := v.Lock(); err != nil {
				fail("lock: %v", err)
			}
			os.Exit(0)
		}
		var n int
		if _, err := fmt.Sscanf(line, "note %d", &n); err != nil {
			fail("bad request %q", line)
		}
		if _, err := s.AddNote(spec.Case, processNote(n), app.Visibility{}); err != nil {
			fail("note %d: %v", n, err)
		}
		fmt.Println("ok", n)
	}
	fail("standard input closed without exit")
}

// processNote is the text of the holder's n-th note; processRefused, of the
// note the refused second process tried to add in round n.
func processNote(n int) string    { return fmt.Sprintf("holder note %04d", n) }
func processRefused(n int) string { return fmt.Sprintf("refused note %04d", n) }

func processChild(t *testing.T, spec processChildSpec) *exec.Cmd {
	t.Helper()
	raw, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestFaultProcessChild$", "-test.count=1", "-test.timeout=2m")
	cmd.Env = append(os.Environ(), processChildEnv+"="+string(raw))
	return cmd
}

// TestFaultTwoProcesses holds a vault open in one process and, round after
// round, runs a second casebook on it: in this process and as a process of
// its own. The second is refused at once with exit code 4 and the
// vault-in-use sentence, the first keeps writing meanwhile, and once the
// first has exited the second opens the vault and finds every write of the
// first and none of its own refused ones.
func TestFaultTwoProcesses(t *testing.T) {
	rounds := faultlog.Runs(3, 25)
	tl := faultlog.Track(t, "process", "two processes on one vault",
		"While one process holds the vault and keeps writing, a second casebook command (in-process and as its own process) is refused at once with exit code 4 and the vault-in-use sentence; after the first exits, the second opens the vault and finds every write of the first.")

	e := newCaseEnv(t)
	code := strings.TrimSpace(e.ok("case", "new", "--from", filepath.Join("..", "..", "testdata", "intake", "example.json")))

	holder := processChild(t, processChildSpec{Role: "holder", Dir: e.dir, Case: code})
	var holderErr bytes.Buffer
	holder.Stderr = &holderErr
	toHolder, err := holder.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	fromHolder, err := holder.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { holder.Process.Kill() })
	lines := make(chan string, 16)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(fromHolder)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	expect := func(want string) {
		t.Helper()
		select {
		case got, ok := <-lines:
			if !ok || got != want {
				t.Fatalf("holder said %q (open pipe: %v), want %q\nstderr:\n%s", got, ok, want, holderErr.String())
			}
		case <-time.After(time.Minute):
			t.Fatalf("holder silent for a minute, want %q\nstderr:\n%s", want, holderErr.String())
		}
	}
	expect("open")

	refused := func(what string, code int, stderr string, took time.Duration) {
		t.Helper()
		if code != ExitInUse {
			t.Fatalf("%s: exit %d, want %d (in use); stderr %q", what, code, ExitInUse, stderr)
		}
		if !strings.Contains(stderr, "The vault is open elsewhere") {
			t.Errorf("%s: stderr %q, want the vault-in-use sentence", what, stderr)
		}
		if took > 10*time.Second {
			t.Errorf("%s: refused after %v, want at once", what, took)
		}
		tl.Run()
	}
	for round := range rounds {
		// In this process: a process of its own as far as the lock is
		// concerned (flock locks belong to open files, not processes).
		begin := time.Now()
		r := e.run("case", "note", code, "--text", processRefused(round))
		refused(fmt.Sprintf("round %d: note in this process", round), r.code, r.stderr, time.Since(begin))

		// A second process.
		args := [][]string{{"check"}, {"case", "note", code, "--text", processRefused(round)}, {"case", "list"}}[round%3]
		cmd := processChild(t, processChildSpec{Role: "command", Dir: e.dir, Args: args})
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		begin = time.Now()
		err := cmd.Run()
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatalf("round %d: run casebook %s: %v", round, strings.Join(args, " "), err)
		}
		refused(fmt.Sprintf("round %d: casebook %s in a second process", round, strings.Join(args, " ")),
			cmd.ProcessState.ExitCode(), stderr.String(), time.Since(begin))

		// The first keeps working.
		fmt.Fprintf(toHolder, "note %d\n", round)
		expect(fmt.Sprintf("ok %d", round))
	}
	io.WriteString(toHolder, "exit\n")
	if err := holder.Wait(); err != nil {
		t.Fatalf("holder: %v\nstderr:\n%s", err, holderErr.String())
	}

	// Now the second opens it, checks it clean and finds every note.
	e.ok("check")
	var shown struct {
		Notes []*app.Note `json:"notes"`
	}
	if err := json.Unmarshal([]byte(e.ok("case", "show", code, "--json")), &shown); err != nil {
		t.Fatal(err)
	}
	texts := map[string]int{}
	for _, n := range shown.Notes {
		texts[n.Text]++
	}
	lost := 0
	for round := range rounds {
		if texts[processNote(round)] != 1 {
			lost++
			t.Errorf("note %d of the holder: found %d times, want once", round, texts[processNote(round)])
		}
		if texts[processRefused(round)] != 0 {
			t.Errorf("round %d: the refused note was stored", round)
		}
	}
	tl.Add(0, lost)
}
