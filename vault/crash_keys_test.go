//go:build unix

package vault

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"casebook/internal/faultlog"
)

// The key-change crash test kills a child that changes the passphrase and
// destroys namespaces, the two operations that rewrite the vault's key
// files, at random moments.

// keysKeep is the number of namespaces kept throughout: rotating their
// keys after a destruction takes two writes (batchSize), so a kill can
// land between them.
const keysKeep = batchSize + 100

// crashPass is the i-th passphrase the key-change children give the vault.
func crashPass(i int) string {
	if i == 0 {
		return crashPassphrase
	}
	return fmt.Sprintf("%s %d", crashPassphrase, i)
}

func keepNS(i int) string    { return fmt.Sprintf("keep-%04d", i) }
func keepValue(i int) []byte { return crashValue(1<<40 + uint64(i)) }
func goneNS(k uint64) string { return fmt.Sprintf("gone-%06d", k) }
func goneValue(k uint64, key string) []byte {
	return crashValue(1<<41 + k<<8 + uint64(key[0]))
}

// goneKeys are the records of each namespace a child makes to destroy.
var goneKeys = []string{"a", "b", "c"}

// crashKeysChild makes a namespace, sometimes changes the passphrase, and
// destroys the namespace, again and again, printing each step once it has
// returned: "made K" with the namespace's sealed key and first record as
// they are on disk, "pass-try N" and "pass N", "destroyed K".
func crashKeysChild(t *testing.T, v *Vault, spec crashChildSpec) {
	rng := rand.New(rand.NewPCG(spec.Seed, spec.Start))
	pass := spec.Pass
	for k := spec.Start; ; k++ {
		ns := goneNS(k)
		err := v.Update(func(tx *Tx) error {
			for _, key := range goneKeys {
				if err := tx.Put(ns, key, goneValue(k, key)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			crashChildFail("make %s: %v", ns, err)
		}
		fmt.Fprintf(os.Stdout, "made %d %x %x\n", k,
			rawValue(t, v, nsKeyName(ns)), rawValue(t, v, recordKeyName(ns, goneKeys[0])))
		if rng.IntN(2) == 0 {
			fmt.Fprintf(os.Stdout, "pass-try %d\n", pass+1)
			if err := v.ChangePassphrase([]byte(crashPass(pass + 1))); err != nil {
				crashChildFail("change passphrase: %v", err)
			}
			pass++
			fmt.Fprintf(os.Stdout, "pass %d\n", pass)
		}
		if err := v.DestroyNamespaces(ns); err != nil {
			crashChildFail("destroy %s: %v", ns, err)
		}
		fmt.Fprintf(os.Stdout, "destroyed %d\n", k)
	}
}

// keyKills are the moments the key-change test kills its children at, in
// turn: a delay up to span after the child starts, or after it prints a
// line starting with trigger.
var keyKills = []struct {
	name    string
	trigger string
	span    time.Duration
}{
	{"from start", "", 900 * time.Millisecond},
	{"at open", "open", 0},
	{"mid-stream", "open", 800 * time.Millisecond},
	{"in a passphrase change", "pass-try", time.Millisecond},
	{"in a destruction", "made", 40 * time.Millisecond},
}

// sealedNS is a namespace's sealed key and first record, as a child read
// them from disk before destroying it.
type sealedNS struct{ key, record []byte }

// keysRound is what the parent learned from one killed child.
type keysRound struct {
	start     uint64 // the first namespace the child made
	made      map[uint64]sealedNS
	destroyed map[uint64]bool
	pass      int  // the passphrase the child last reported setting
	tried     int  // a passphrase it began to set and did not report, or -1
	leftTemps int  // temporary key files the kill left in the vault
	late      bool // a change cut short after its header write, recorded by the open
}

// TestFaultKillDuringKeyChanges kills, round after round on one vault, a
// child that changes the passphrase and destroys namespaces, and checks
// after each kill that the vault opens with the last passphrase reported
// set or with the one being set, and with the recovery code, and with no
// other; that every kept record reads back; that each namespace is there
// whole or gone whole, every one reported destroyed gone and unreadable
// with every key the vault still has; that a destruction cut short was
// finished by the open; that the audit log records every passphrase change
// once; and that no temporary file of a key write is left.
func TestFaultKillDuringKeyChanges(t *testing.T) {
	rounds := faultlog.Runs(10, 100) // each kind of kill in turn
	if testing.Short() {
		rounds = 5
	}
	tl := faultlog.Track(t, "crash", "SIGKILL during passphrase changes and destruction",
		"A child process changing the passphrase and destroying cases (namespaces) is killed with SIGKILL at a random moment, again and again on one vault: it opens with the last passphrase reported set or the one being set, the recovery code, and no other; every kept record reads back; each case is there whole or gone whole, every one reported destroyed unreadable with every key the vault still has; an interrupted destruction is finished on opening; every passphrase change is in the audit log once; no temporary key file is left.")
	seed := crashSeed(t)
	rng := rand.New(rand.NewPCG(seed, 1))
	dir, code := createKeysVault(t)

	pass := 0
	next := uint64(1)
	alive := map[uint64]bool{} // namespaces made and never destroyed
	var midDestroy, midPass, passMade, passLate, temps int
	begin := time.Now()
	for round := range rounds {
		mode := keyKills[round%len(keyKills)]
		delay := time.Duration(0)
		if mode.span > 0 {
			delay = time.Duration(rng.Int64N(int64(mode.span)))
		}
		spec := crashChildSpec{Role: "keys", Dir: dir, Seed: rng.Uint64(), Start: next, Pass: pass}
		child := startCrashChild(t, spec)
		r := keysRound{start: next, made: map[uint64]sealedNS{}, destroyed: map[uint64]bool{}, pass: pass, tried: -1}
		killChildAt(t, child, round, mode.trigger, delay, func(line string) { r.handle(t, round, line, child) })

		lost := verifyKeysVault(t, dir, code, round, &r, alive)
		tl.Add(1, lost)
		if lost > 0 {
			t.Fatalf("round %d: %d records lost or altered", round, lost)
		}
		last := next - 1 // the last namespace the child reported making
		for k := range r.made {
			last = max(last, k)
		}
		if _, ok := r.made[last]; ok && !r.destroyed[last] {
			midDestroy++
		}
		note := ""
		if r.tried >= 0 {
			midPass++
			note = " (a change cut short, not made)"
			if r.pass == r.tried {
				passMade++
				note = " (a change cut short, made)"
			}
			if r.late {
				passLate++
				note = " (a change cut short, made, recorded at the open)"
			}
		}
		if r.leftTemps > 0 {
			temps++
			note += fmt.Sprintf(", %d temporary key files left", r.leftTemps)
		}
		t.Logf("round %2d: kill %-22s after %3dms: %d made, %d destroyed, passphrase %d%s",
			round, mode.name, delay.Milliseconds(), len(r.made), len(r.destroyed), r.pass, note)
		pass = r.pass
		next = last + 2 // last+1 may have been made unreported
	}
	t.Logf("%d rounds in %v: %d kills between making and destroying a case, %d during a passphrase change (%d of those changes made, %d of them recorded at the open), %d leaving temporary key files",
		rounds, time.Since(begin).Round(time.Millisecond), midDestroy, midPass, passMade, passLate, temps)
	// A kill lands in a passphrase change (a few milliseconds) only now
	// and then: the quick run's few rounds may miss it by chance.
	if faultlog.Full() && (midDestroy == 0 || midPass == 0) {
		t.Errorf("in %d rounds, %d kills came during a destruction and %d during a passphrase change, want some of each", rounds, midDestroy, midPass)
	}
}

func (r *keysRound) handle(t *testing.T, round int, line string, child *crashChild) {
	f := strings.Fields(line)
	num := func(i int) uint64 {
		if len(f) <= i {
			t.Fatalf("round %d: child printed %q", round, line)
		}
		n, err := strconv.ParseUint(f[i], 10, 64)
		if err != nil {
			t.Fatalf("round %d: child printed %q", round, line)
		}
		return n
	}
	switch {
	case line == "open":
	case f[0] == "made" && len(f) == 4:
		key, err1 := hex.DecodeString(f[2])
		rec, err2 := hex.DecodeString(f[3])
		if err1 != nil || err2 != nil {
			t.Fatalf("round %d: child printed %q", round, line)
		}
		r.made[num(1)] = sealedNS{key, rec}
	case f[0] == "pass-try":
		r.tried = int(num(1))
	case f[0] == "pass":
		if n := int(num(1)); n != r.tried {
			t.Fatalf("round %d: child set passphrase %d after trying %d", round, n, r.tried)
		}
		r.pass, r.tried = r.tried, -1
	case f[0] == "destroyed":
		r.destroyed[num(1)] = true
	case f[0] == "fail":
		t.Fatalf("round %d: child: %s\nstderr:\n%s", round, line, child.stderr)
	default:
		t.Logf("round %d: child printed %q", round, line)
	}
}

// createKeysVault makes the vault the key-change children open, with
// keysKeep namespaces of one record each, and returns its recovery code.
func createKeysVault(t *testing.T) (string, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "vault")
	v, code, err := Create(dir, []byte(crashPass(0)), Options{Actor: "crash parent"})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	for start := 0; start < keysKeep; start += 100 {
		err := v.Update(func(tx *Tx) error {
			for i := start; i < min(start+100, keysKeep); i++ {
				if err := tx.Put(keepNS(i), "r", keepValue(i)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("Update: %v", err)
		}
	}
	lockVault(t, v)
	return dir, code
}

// verifyKeysVault opens the vault a key-change child left and checks it,
// moving r.pass on if the passphrase change cut short took effect, and
// alive on with the namespaces made and not destroyed. It returns how many
// records were lost or altered; the caller fails the test for those, and
// this function for anything else.
func verifyKeysVault(t *testing.T, dir, code string, round int, r *keysRound, alive map[uint64]bool) int {
	t.Helper()
	if left, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*")); len(left) > 0 {
		r.leftTemps = len(left)
	}
	v, err := Open(dir, []byte(crashPass(r.pass)), Options{Actor: "crash parent"})
	if errors.Is(err, ErrWrongPassphrase) && r.tried >= 0 {
		v, err = Open(dir, []byte(crashPass(r.tried)), Options{Actor: "crash parent"})
		if err == nil {
			r.pass = r.tried
		}
	}
	if err != nil {
		t.Fatalf("round %d: Open after kill with passphrase %d (or %d being set): %v", round, r.pass, r.tried, err)
	}
	lost := 0
	for i := range keysKeep {
		if got, err := v.Get(keepNS(i), "r"); err != nil || !slices.Equal(got, keepValue(i)) {
			t.Errorf("round %d: kept record %s: %d bytes, %v", round, keepNS(i), len(got), err)
			lost++
		}
	}
	// Every namespace is whole or gone whole. The child may have made one
	// more than it reported.
	last := r.start - 1
	for k := range r.made {
		last = max(last, k)
	}
	check := slices.Sorted(func(yield func(uint64) bool) {
		for k := range alive {
			if !yield(k) {
				return
			}
		}
		for k := r.start; k <= last+1; k++ {
			if !yield(k) {
				return
			}
		}
	})
	for _, k := range check {
		ns, present := goneNS(k), 0
		for _, key := range goneKeys {
			got, err := v.Get(ns, key)
			switch {
			case err == nil && slices.Equal(got, goneValue(k, key)):
				present++
			case errors.Is(err, ErrNotFound):
			default:
				t.Errorf("round %d: %s/%s: %d bytes, %v", round, ns, key, len(got), err)
				lost++
			}
		}
		switch {
		case present == len(goneKeys) && r.destroyed[k]:
			t.Fatalf("round %d: %s reported destroyed, but its records read back", round, ns)
		case present == len(goneKeys):
			alive[k] = true
		case present == 0 && alive[k]:
			t.Errorf("round %d: %s, never destroyed, is gone", round, ns)
			lost += len(goneKeys)
		case present == 0:
			if s, ok := r.made[k]; ok {
				assertShredded(t, v, ns, s.key, s.record, goneKeys[0])
			}
		default:
			t.Fatalf("round %d: %s has %d of its %d records: a torn write or destruction", round, ns, present, len(goneKeys))
		}
	}
	names, err := v.Namespaces()
	if err != nil {
		t.Fatalf("round %d: Namespaces: %v", round, err)
	}
	var want []string
	for i := range keysKeep {
		want = append(want, keepNS(i))
	}
	for k := range alive {
		want = append(want, goneNS(k))
	}
	slices.Sort(want)
	if slices.Sort(names); !slices.Equal(names, want) {
		t.Errorf("round %d: %d namespaces, want %d (the kept and those never destroyed)", round, len(names), len(want))
	}
	// Opening finished any destruction the kill cut short.
	if n := len(v.ring.epochs); n != 1 {
		t.Errorf("round %d: the keyring holds %d epoch keys after opening, want 1", round, n)
	}
	if keys := rawKeys(t, v, []byte{prefixDestroyed}); len(keys) != 0 {
		t.Errorf("round %d: %d destruction markers left after opening", round, len(keys))
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*")); len(left) != 0 {
		t.Errorf("round %d: temporary files left in the vault after opening: %v", round, left)
	}
	if rep, err := v.Check(); err != nil {
		t.Fatalf("round %d: Check: %v %v", round, err, rep.Problems)
	}
	// Every passphrase change made is in the audit log once, one cut
	// short after its header write recorded by this open.
	if got := passChanges(t, v); len(got) != r.pass {
		t.Errorf("round %d: the audit log records %d passphrase changes, want %d", round, len(got), r.pass)
	} else if r.tried >= 0 && r.pass == r.tried && got[len(got)-1] == passChangeLate {
		r.late = true
	}
	lockVault(t, v)

	// The recovery code opens it; a passphrase it no longer has does not.
	if r.pass > 0 || r.tried >= 0 {
		other := r.pass - 1
		if r.tried >= 0 && r.tried != r.pass {
			other = r.tried
		}
		if v, err := Open(dir, []byte(crashPass(other)), Options{}); !errors.Is(err, ErrWrongPassphrase) {
			if err == nil {
				v.Lock()
			}
			t.Fatalf("round %d: Open with passphrase %d, not the vault's: got %v, want ErrWrongPassphrase", round, other, err)
		}
	}
	v, err = OpenWithRecoveryCode(dir, code, Options{})
	if err != nil {
		t.Fatalf("round %d: OpenWithRecoveryCode: %v", round, err)
	}
	lockVault(t, v)
	return lost
}
