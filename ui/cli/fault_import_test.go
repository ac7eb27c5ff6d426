//go:build unix

package cli

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"casebook/app"
	"casebook/internal/faultlog"
	"casebook/vault"
)

// caseCodes lists the codes of the cases in e's vault.
func caseCodes(e *caseEnv) []string {
	e.t.Helper()
	var list []struct {
		Code string `json:"code"`
	}
	if err := json.Unmarshal([]byte(e.ok("case", "list", "--json")), &list); err != nil {
		e.t.Fatal(err)
	}
	codes := make([]string, len(list))
	for i, c := range list {
		codes[i] = c.Code
	}
	return codes
}

// fullState is everything a member can read of the cases in e's vault:
// the case list, each case with its messages (as case show --json gives
// them, read in one unlock), the conflicts waiting, and the roster.
func fullState(e *caseEnv) string {
	e.t.Helper()
	var b strings.Builder
	b.WriteString(e.ok("case", "list", "--json"))
	b.WriteString(e.ok("bundle", "conflicts", "--json"))
	b.WriteString(e.ok("member", "list", "--json"))
	v, err := vault.Open(e.dir, []byte(goodPass), vault.Options{})
	if err != nil {
		e.t.Fatal(err)
	}
	defer v.Lock()
	s, err := app.OpenStore(v, func() time.Time { return e.now })
	if err != nil {
		e.t.Fatal(err)
	}
	for _, sum := range s.List("") {
		k, err := s.Case(sum.Code)
		if err != nil {
			e.t.Fatal(err)
		}
		msgs, err := s.Messages(k.Code)
		if err != nil {
			e.t.Fatal(err)
		}
		if err := printJSON(&b, caseView{Case: k, Messages: msgs, Allowed: k.Allowed(s.Context())}); err != nil {
			e.t.Fatal(err)
		}
		for _, m := range msgs {
			for _, a := range m.Attachments {
				_, data, err := s.Attachment(k.Code, a.ID)
				if err != nil {
					e.t.Fatalf("%s attachment %s: %v", k.Code, a.ID, err)
				}
				fmt.Fprintf(&b, "%s %s %x\n", k.Code, a.ID, sha256.Sum256(data))
			}
		}
	}
	return b.String()
}

// attachmentMail writes an e-mail from a case's reporter with two
// attachments of bytes drawn from seed: one over 64 KiB, which the vault
// keeps in Badger's value log, and one it keeps in its tables. It returns
// the file's path.
func attachmentMail(t *testing.T, seed uint64) string {
	t.Helper()
	rng := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), 'a', 't', 't'})
	var b strings.Builder
	fmt.Fprintf(&b, "From: reporter@example.org\r\nSubject: files %d\r\nMessage-ID: <files-%d@example.org>\r\n", seed, seed)
	b.WriteString("Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nThe files I mentioned.\r\n")
	for i, size := range []int{96 << 10, 6 << 10} {
		data := make([]byte, size)
		rng.Read(data)
		fmt.Fprintf(&b, "--B\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=file-%d.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n", i)
		enc := base64.StdEncoding.EncodeToString(data)
		for len(enc) > 76 {
			b.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		b.WriteString(enc + "\r\n")
	}
	b.WriteString("--B--\r\n")
	path := filepath.Join(t.TempDir(), fmt.Sprintf("files-%d.eml", seed))
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// firstDifference is a short account of where two states part.
func firstDifference(got, want string) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	from := max(0, i-80)
	return fmt.Sprintf("%d and %d bytes, parting at byte %d: got …%s…, want …%s…",
		len(got), len(want), i, got[from:min(len(got), i+80)], want[from:min(len(want), i+80)])
}

// TestFaultKillDuringImport kills casebook bundle import, run as a process
// of its own, at random moments, each time on a fresh copy of the
// receiving vault, and then imports the same bundle again: the vault must
// end exactly as after an import never interrupted, attachments byte for
// byte. Two bundles are imported: one of cases new to the vault, and one
// adding notes and attachments to cases it already holds, which the
// import merges.
func TestFaultKillDuringImport(t *testing.T) {
	rounds := faultlog.Runs(4, 30)
	tl := faultlog.Track(t, "crash", "SIGKILL during a bundle import",
		"casebook bundle import, as a process of its own, is killed with SIGKILL at a random moment on a copy of the receiving vault, with a bundle of 40 demo cases new there (8 of them with e-mails carrying attachments, some kept in Badger's value log) and with one adding notes to 20 cases it holds and attachments to 8; importing the bundle again leaves every case, message, conflict and member exactly as an import never interrupted does.")
	p := newBundlePair(t)
	a, h := p.amara, p.henrik
	a.ok("demo", "--cases", "40")
	codes := caseCodes(a)
	for i, code := range codes[:8] {
		a.ok("import", "eml", code, attachmentMail(t, uint64(i)), "--party", "p1")
	}
	export := func(name string) string {
		path := p.path(name)
		a.ok(append(append([]string{"bundle", "export"}, codes...), "--to", "Henrik Lund", "--out", path)...)
		return path
	}
	template := func(name string) string {
		dir := filepath.Join(t.TempDir(), name)
		copyDir(t, h.dir, dir)
		return dir
	}

	newCases := export("new.casebook")
	emptyVault := template("empty")
	h.ok("bundle", "import", newCases)
	afterNew := fullState(h)
	holding := template("holding")
	for i, code := range codes[:20] {
		a.ok("case", "note", code, "--text", fmt.Sprintf("Amara's note %d after the hand-off", i))
	}
	for i, code := range codes[4:12] {
		a.ok("import", "eml", code, attachmentMail(t, uint64(100+i)), "--party", "p1")
	}
	held := export("held.casebook")
	h.ok("bundle", "import", held)
	afterHeld := fullState(h)
	if afterHeld == afterNew {
		t.Fatal("the second bundle changed nothing")
	}
	// Each attachment is a line of fullState with its SHA-256.
	attachments := regexp.MustCompile(`(?m)^\S+ \S+ [0-9a-f]{64}$`)
	if n, m := len(attachments.FindAllString(afterNew, -1)), len(attachments.FindAllString(afterHeld, -1)); n != 16 || m != 32 {
		t.Fatalf("the bundles brought %d and %d attachments, want 16 and 32", n, m)
	}

	scenarios := []struct {
		name          string
		vault, bundle string
		before, want  string
		start, total  time.Duration // the kills fall between
	}{
		{name: "new cases", vault: emptyVault, bundle: newCases, want: afterNew},
		{name: "held cases", vault: holding, bundle: held, want: afterHeld},
	}
	// Each import as a process of its own, left to finish, shows how long
	// one runs, and that it ends as one in this process does; the import
	// itself, in this process, is the last part of that run, where the
	// kills fall.
	for i := range scenarios {
		sc := &scenarios[i]
		r := &caseEnv{t: t, dir: filepath.Join(t.TempDir(), "whole"), now: h.now}
		copyDir(t, sc.vault, r.dir)
		begin := time.Now()
		if out, err := startImport(t, r, sc.bundle).CombinedOutput(); err != nil {
			t.Fatalf("%s: import as a process: %v\n%s", sc.name, err, out)
		}
		sc.total = time.Since(begin)
		if got := fullState(r); got != sc.want {
			t.Fatalf("%s: import as a process: %s", sc.name, firstDifference(got, sc.want))
		}
		in := &caseEnv{t: t, dir: filepath.Join(t.TempDir(), "in-process"), now: h.now}
		copyDir(t, sc.vault, in.dir)
		sc.before = fullState(in)
		begin = time.Now()
		in.ok("bundle", "import", sc.bundle)
		// The writes come in the second half of the import.
		sc.start = max(0, sc.total-time.Since(begin)/2-20*time.Millisecond)
	}

	rng := rand.New(rand.NewPCG(killSeed(t), 4))
	var finished, partway int
	for round := range rounds {
		sc := scenarios[round%len(scenarios)]
		r := &caseEnv{t: t, dir: filepath.Join(t.TempDir(), fmt.Sprintf("round-%02d", round)), now: h.now}
		copyDir(t, sc.vault, r.dir)
		delay := sc.start + time.Duration(rng.Int64N(int64(sc.total-sc.start+10*time.Millisecond)))
		if killAfter(t, round, startImport(t, r, sc.bundle), delay) {
			finished++
		}
		stopped := "before it wrote"
		switch mid := fullState(r); mid {
		case sc.want:
			stopped = "after it wrote all"
		case sc.before:
		default:
			stopped = "part-way"
			partway++
		}
		if res := r.run("bundle", "import", sc.bundle); res.code != ExitOK {
			t.Fatalf("round %d (%s, killed after %v): importing again: exit %d, %s",
				round, sc.name, delay.Round(time.Millisecond), res.code, res.stderr)
		}
		lost := 0
		if got := fullState(r); got != sc.want {
			lost = 1
			t.Errorf("round %d (%s, killed after %v): after importing again: %s",
				round, sc.name, delay.Round(time.Millisecond), firstDifference(got, sc.want))
		}
		tl.Add(1, lost)
		t.Logf("round %2d: %-10s killed after %3dms of a %dms import: %s", round, sc.name, delay.Milliseconds(), sc.total.Milliseconds(), stopped)
	}
	t.Logf("%d rounds, %d finished before the kill, %d stopped part-way", rounds, finished, partway)
	if faultlog.Full() && partway == 0 {
		t.Errorf("no kill in %d rounds stopped an import part-way: the test tested little", rounds)
	}
}

// startImport makes the command that runs casebook bundle import on r's
// vault as a process of its own, with r's clock.
func startImport(t *testing.T, r *caseEnv, bundle string) *exec.Cmd {
	t.Helper()
	return processChild(t, processChildSpec{Role: "command", Dir: r.dir, Args: []string{"bundle", "import", bundle}, Now: r.now})
}
