//go:build unix

package vault

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"casebook/internal/faultlog"
)

// The crash tests re-execute the test binary as a child process that opens
// a vault and is then killed with SIGKILL, the closest a test can come to
// pulling the plug on a running program without a virtual machine. (A
// SIGKILL loses nothing the kernel already holds; it cannot lose what a
// power cut loses from the disk cache. What it does test is that Update
// returns only once its change is committed, and that a vault left by a
// killed process opens, checks clean and unlocks again.)

// crashChildEnv names the environment variable that turns TestCrashChild
// into a child process. Its value is a JSON crashChildSpec.
const crashChildEnv = "CASEBOOK_VAULT_CRASH_CHILD"

// crashSeedEnv may hold a seed to replay the parent's random choices.
const crashSeedEnv = "CASEBOOK_VAULT_CRASH_SEED"

const (
	crashNS         = "crash"
	crashPassphrase = "crash test passphrase"
	crashMinValue   = 300
	crashMaxValue   = 2048
	// crashChildWait bounds how long a parent waits for a child to say
	// anything, so that a hung child fails the test instead of the run.
	crashChildWait = 60 * time.Second
)

// crashChildSpec tells a child process what to do.
type crashChildSpec struct {
	Role  string `json:"role"` // "writer" or "holder"
	Dir   string `json:"dir"`
	Seed  uint64 `json:"seed"`
	Start uint64 `json:"start"` // the writer's first key
	Pass  int    `json:"pass"`  // the passphrase to open with: crashPass(Pass)
	From  string `json:"from"`  // the backup file a restoring child reads
}

// crashKey is the record key of sequence number n; keys sort by number.
func crashKey(n uint64) string { return fmt.Sprintf("%010d", n) }

// crashValue is the value stored under sequence number n: 300 bytes to
// 2 KiB, derived from n alone so that the parent can check every byte.
func crashValue(n uint64) []byte {
	seed := sha256.Sum256(binary.BigEndian.AppendUint64([]byte("casebook crash value "), n))
	size := crashMinValue + int(binary.BigEndian.Uint16(seed[:2]))%(crashMaxValue-crashMinValue+1)
	out := make([]byte, size)
	rand.NewChaCha8(seed).Read(out)
	return out
}

// crashBatches returns the sizes of the writer's transactions, starting at
// key start: a deterministic function of seed and start, so that the parent
// knows which keys went into which atomic Update.
type crashBatches struct{ r *rand.Rand }

func newCrashBatches(seed, start uint64) crashBatches {
	return crashBatches{rand.New(rand.NewPCG(seed, start))}
}

func (b crashBatches) next() uint64 {
	if b.r.IntN(2) == 0 {
		return 1
	}
	return 2 + b.r.Uint64N(3) // 2 to 4 records in one transaction
}

// TestCrashChild is not a test of its own: it is the body of the child
// processes that the crash tests start, and is skipped otherwise.
func TestCrashChild(t *testing.T) {
	raw := os.Getenv(crashChildEnv)
	if raw == "" {
		t.Skip("runs only as a child process of the crash tests")
	}
	var spec crashChildSpec
	if err := json.Unmarshal([]byte(raw), &spec); err != nil {
		crashChildFail("bad spec: %v", err)
	}
	if spec.Role == "restore" {
		crashRestoreChild(spec)
		return
	}
	v, err := Open(spec.Dir, []byte(crashPass(spec.Pass)), Options{Actor: "crash child"})
	if err != nil {
		crashChildFail("open: %v", err)
	}
	// os.Stdout is unbuffered: each line below is one write(2) on the pipe,
	// so it is in the parent's hands as soon as Fprintf returns.
	fmt.Fprintln(os.Stdout, "open")
	switch spec.Role {
	case "holder":
		time.Sleep(2 * crashChildWait) // the parent kills us long before
		crashChildFail("holder was not killed")
	case "writer":
		batches := newCrashBatches(spec.Seed, spec.Start)
		for n := spec.Start; ; {
			size := batches.next()
			err := v.Update(func(tx *Tx) error {
				for k := n; k < n+size; k++ {
					if err := tx.Put(crashNS, crashKey(k), crashValue(k)); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				crashChildFail("update %d: %v", n, err)
			}
			for k := n; k < n+size; k++ {
				fmt.Fprintf(os.Stdout, "ok %d\n", k)
			}
			n += size
		}
	case "keys":
		crashKeysChild(t, v, spec)
	default:
		crashChildFail("unknown role %q", spec.Role)
	}
}

// crashChildFail reports a failure to the parent and exits: the parent
// fails the test when a child ends other than by its SIGKILL.
func crashChildFail(format string, args ...any) {
	fmt.Fprintf(os.Stdout, "fail "+format+"\n", args...)
	os.Exit(3)
}

// crashChild is a running child process and the lines it printed so far.
type crashChild struct {
	cmd    *exec.Cmd
	lines  chan string // closed at end of output
	stderr *bytes.Buffer
	start  time.Time
}

func startCrashChild(t *testing.T, spec crashChildSpec) *crashChild {
	t.Helper()
	raw, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1",
		"-test.timeout="+(3*crashChildWait).String())
	cmd.Env = append(os.Environ(), crashChildEnv+"="+string(raw))
	c := &crashChild{cmd: cmd, lines: make(chan string, 256), stderr: new(bytes.Buffer)}
	cmd.Stderr = c.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start child: %v", err)
	}
	c.start = time.Now()
	// Never leave a child behind, whatever way the test ends. Killing a
	// process that has been waited for does nothing.
	t.Cleanup(func() { c.cmd.Process.Kill() })
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
	}()
	return c
}

// killAndWait kills the child, reads what is left of its output, waits for
// it and checks that the SIGKILL is what ended it.
func (c *crashChild) killAndWait(t *testing.T, handle func(line string)) {
	t.Helper()
	if err := c.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Fatalf("kill child: %v", err)
	}
	for line := range c.lines { // the pipe still holds lines written before the kill
		handle(line)
	}
	err := c.cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("child ended with %v, want killed by SIGKILL\nstderr:\n%s", err, c.stderr)
	}
	if ws, ok := exit.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child ended with %v, want killed by SIGKILL\nstderr:\n%s", err, c.stderr)
	}
}

func crashSeed(t *testing.T) uint64 {
	t.Helper()
	return faultlog.Seed(t, crashSeedEnv)
}

// createCrashVault makes the vault the children open. TestMain has set the
// low-cost KDF for this process and for the children, which run the same
// TestMain.
func createCrashVault(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "vault")
	v, _, err := Create(dir, []byte(crashPassphrase), Options{Actor: "crash parent"})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if err := v.Lock(); err != nil {
		t.Fatalf("Lock: %v", err)
	}
	return dir
}

// How a round chooses the moment of the kill.
const (
	killFromStart = iota // a delay counted from the start of the process: may hit Open itself
	killAtOpen           // as soon as the child says it is open
	killMidStream        // a delay counted from the moment the child is open
	numKillModes
)

var killModeNames = [numKillModes]string{"from start", "at open", "mid-stream"}

// killTrigger is the line from which a kill of the given mode counts its
// delay.
func killTrigger(mode int) string {
	if mode == killFromStart {
		return ""
	}
	return "open"
}

// killDelay chooses the delay of a kill of the given mode: up to span+100ms
// from the start, none, or 3ms to span+3ms after the child is open.
func killDelay(rng *rand.Rand, mode int, span time.Duration) time.Duration {
	switch mode {
	case killFromStart:
		return time.Duration(rng.Int64N(int64(span + 100*time.Millisecond)))
	case killMidStream:
		return 3*time.Millisecond + time.Duration(rng.Int64N(int64(span)))
	}
	return 0
}

// killChildAt lets a child run until delay after it prints a line
// starting with trigger, or, with no trigger, until delay after it
// started; it hands handle each line the child prints, and then kills it.
func killChildAt(t *testing.T, child *crashChild, round int, trigger string, delay time.Duration, handle func(line string)) {
	t.Helper()
	var timer <-chan time.Time
	if trigger == "" {
		timer = time.After(delay - time.Since(child.start))
	}
	hang := time.After(crashChildWait)
wait:
	for {
		select {
		case line, ok := <-child.lines:
			if !ok {
				break wait // the child ended by itself: killAndWait reports it
			}
			handle(line)
			if trigger != "" && timer == nil && strings.HasPrefix(line, trigger) {
				timer = time.After(delay)
			}
		case <-timer:
			break wait
		case <-hang:
			t.Fatalf("round %d: child silent for %v\nstderr:\n%s", round, crashChildWait, child.stderr)
		}
	}
	child.killAndWait(t, handle)
}

// TestFaultKillDuringWrites kills a writing child at random moments, round
// after round on the same vault, and checks after each kill that every
// write the child was told was done is there, byte for byte, that each
// transaction is there whole or not at all, that Check finds nothing wrong
// and that the audit log names exactly the records present.
func TestFaultKillDuringWrites(t *testing.T) {
	rounds := faultlog.Runs(21, 100) // each kind of kill in turn
	if testing.Short() {
		rounds = 6
	}
	tl := faultlog.Track(t, "crash", "SIGKILL during synced writes",
		"A child process writing records is killed with SIGKILL at a random moment, again and again on one vault; every write it reported is read back byte for byte, no transaction is torn, Check is clean and the audit log names exactly the records present.")
	seed := crashSeed(t)
	rng := rand.New(rand.NewPCG(seed, 0))
	dir := createCrashVault(t)

	next := uint64(1) // the first key the next child writes
	var reported uint64
	var totalReported, totalUnreported, kills [numKillModes]int
	begin := time.Now()
	for round := range rounds {
		mode := round % numKillModes
		delay := killDelay(rng, mode, 300*time.Millisecond)
		spec := crashChildSpec{Role: "writer", Dir: dir, Seed: rng.Uint64(), Start: next}
		child := startCrashChild(t, spec)

		opened := false
		last := next - 1 // highest key reported by this child
		handle := func(line string) {
			switch {
			case line == "open":
				opened = true
			case strings.HasPrefix(line, "ok "):
				n, err := strconv.ParseUint(line[3:], 10, 64)
				if err != nil || n != last+1 {
					t.Fatalf("round %d: child printed %q after key %d", round, line, last)
				}
				last = n
			case strings.HasPrefix(line, "fail "):
				t.Fatalf("round %d: child: %s\nstderr:\n%s", round, line, child.stderr)
			default:
				t.Logf("round %d: child printed %q", round, line)
			}
		}

		killChildAt(t, child, round, killTrigger(mode), delay, handle)
		kills[mode]++

		present, lost := verifyCrashVault(t, dir, round, next, last, spec.Seed)
		tl.Add(1, lost)
		if lost > 0 {
			t.Fatalf("round %d: %d records reported written are lost or altered", round, lost)
		}
		totalReported[mode] += int(last + 1 - next)
		totalUnreported[mode] += int(present - last)
		t.Logf("round %2d: kill %-10s after %3dms (open=%-5v): %3d writes reported, %d more found on disk",
			round, killModeNames[mode], delay.Milliseconds(), opened, last+1-next, present-last)
		if last > reported {
			reported = last
		}
		next = present + 1
	}
	for m := range numKillModes {
		t.Logf("kills %-10s: %2d rounds, %4d writes reported, %d committed but unreported",
			killModeNames[m], kills[m], totalReported[m], totalUnreported[m])
	}
	t.Logf("%d rounds, %d records, %v", rounds, next-1, time.Since(begin).Round(time.Millisecond))
	if reported == 0 {
		t.Errorf("no child reported a single write in %d rounds: the kills came too early to test anything", rounds)
	}
}

// verifyCrashVault opens the vault left by a killed child and checks it.
// Keys 1 to last were reported as written. Keys from start were written by
// the killed child in transactions sized by seed. It returns the highest key
// present and how many of the reported keys are missing or altered; the
// caller fails the test for those, and this function for anything else.
func verifyCrashVault(t *testing.T, dir string, round int, start, last, seed uint64) (uint64, int) {
	t.Helper()
	v, err := Open(dir, []byte(crashPassphrase), Options{Actor: "crash parent"})
	if err != nil {
		t.Fatalf("round %d: Open after kill: %v", round, err)
	}
	defer func() {
		if err := v.Lock(); err != nil {
			t.Errorf("round %d: Lock: %v", round, err)
		}
	}()

	// The keys present must be exactly 1 to some present ≥ last, each with
	// its own value: nothing reported lost, no hole, no torn value.
	var present uint64
	good := map[uint64]bool{}
	var problems []string
	err = v.Scan(crashNS, "", func(key string, value []byte) error {
		n, err := strconv.ParseUint(key, 10, 64)
		if err != nil || key != crashKey(n) {
			problems = append(problems, fmt.Sprintf("unexpected key %q", key))
			return nil
		}
		if n != present+1 {
			problems = append(problems, fmt.Sprintf("key %d follows key %d: records %d to %d are missing", n, present, present+1, n-1))
		}
		if want := crashValue(n); !bytes.Equal(value, want) {
			problems = append(problems, fmt.Sprintf("key %d: value of %d bytes differs from the %d written", n, len(value), len(want)))
		} else {
			good[n] = true
		}
		present = n
		return nil
	})
	if err != nil {
		t.Fatalf("round %d: Scan: %v", round, err)
	}
	lost := 0
	for n := uint64(1); n <= last; n++ {
		if !good[n] {
			lost++
		}
	}
	if len(problems) > 0 || lost > 0 {
		t.Errorf("round %d: %d reported records lost or altered; %s", round, lost, strings.Join(problems, "; "))
		return present, max(lost, 1)
	}
	// Transactions are atomic: the last one present ends where one of the
	// killed child's transactions ends.
	if present >= start {
		b := newCrashBatches(seed, start)
		end := start - 1
		for end < present {
			end += b.next()
		}
		if end != present {
			t.Fatalf("round %d: records up to %d present, but the transaction holding it ends at %d: a torn transaction",
				round, present, end)
		}
	}

	rep, err := v.Check()
	if err != nil {
		t.Fatalf("round %d: Check: %v %v", round, err, rep.Problems)
	}
	if rep.Records != int(present) {
		t.Fatalf("round %d: Check counted %d records, want %d", round, rep.Records, present)
	}

	// The audit log, which Check has verified as a chain, names each record
	// present and nothing else: every change and its entry commit together.
	entries, err := v.Audit()
	if err != nil {
		t.Fatalf("round %d: Audit: %v", round, err)
	}
	if len(entries) != rep.AuditEntries {
		t.Fatalf("round %d: Audit returned %d entries, Check verified %d", round, len(entries), rep.AuditEntries)
	}
	var audited uint64
	for _, e := range entries {
		key, ok := strings.CutPrefix(e.Record, crashNS+"/")
		if !ok {
			continue
		}
		if e.Kind != "create" {
			t.Fatalf("round %d: audit entry %d: %s %s, want only creates", round, e.Seq, e.Kind, e.Record)
		}
		if key != crashKey(audited+1) {
			t.Fatalf("round %d: audit entry %d names %s, want %s", round, e.Seq, e.Record, crashKey(audited+1))
		}
		audited++
	}
	if audited != present {
		t.Fatalf("round %d: audit log names %d records, %d present", round, audited, present)
	}
	return present, 0
}

// TestFaultStaleLock checks, round after round, that a vault held by a
// live process is refused at once with ErrInUse, and opens normally (and
// checks clean) once that process is killed with SIGKILL.
func TestFaultStaleLock(t *testing.T) {
	rounds := faultlog.Runs(2, 20)
	tl := faultlog.Track(t, "crash", "SIGKILL of a process holding the vault",
		"While a child process holds the vault, Open is refused at once with the vault-in-use error; once the child is killed with SIGKILL the lock is gone and the vault opens and checks clean.")
	dir := createCrashVault(t)
	for round := range rounds {
		staleLockRound(t, dir, round)
		tl.Run()
	}
}

func staleLockRound(t *testing.T, dir string, round int) {
	t.Helper()
	child := startCrashChild(t, crashChildSpec{Role: "holder", Dir: dir})
	select {
	case line, ok := <-child.lines:
		if line != "open" {
			child.killAndWait(t, func(string) {})
			t.Fatalf("round %d: holder printed %q (more: %v), want open\nstderr:\n%s", round, line, ok, child.stderr)
		}
	case <-time.After(crashChildWait):
		t.Fatalf("round %d: holder silent for %v\nstderr:\n%s", round, crashChildWait, child.stderr)
	}

	begin := time.Now()
	v, err := Open(dir, []byte(crashPassphrase), Options{})
	took := time.Since(begin)
	if err == nil {
		v.Lock()
	}
	if !errors.Is(err, ErrInUse) {
		t.Fatalf("round %d: Open while another process holds the vault: got %v, want ErrInUse", round, err)
	}
	if took > 5*time.Second {
		t.Errorf("round %d: Open took %v to report ErrInUse, want at once", round, took)
	}

	child.killAndWait(t, func(line string) { t.Errorf("round %d: holder printed %q after open", round, line) })
	v, err = Open(dir, []byte(crashPassphrase), Options{})
	if err != nil {
		t.Fatalf("round %d: Open after the holder was killed: %v", round, err)
	}
	defer v.Lock()
	if rep, err := v.Check(); err != nil {
		t.Fatalf("round %d: Check: %v %v", round, err, rep.Problems)
	}
}
