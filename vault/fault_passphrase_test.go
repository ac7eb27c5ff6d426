package vault

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"casebook/internal/faultlog"
)

// diskState describes every file and directory below dir by name, kind,
// size, modification time and SHA-256 of the content: two states are equal
// only if nothing was created, removed, written or touched.
func diskState(t testing.TB, dir string) map[string]string {
	t.Helper()
	state := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		mtime := info.ModTime().UTC().Format(time.RFC3339Nano)
		if d.IsDir() {
			state[rel+"/"] = "dir, mtime " + mtime
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		state[rel] = fmt.Sprintf("%d bytes, mode %v, mtime %s, sha256 %x", len(data), info.Mode(), mtime, sha256.Sum256(data))
		return nil
	})
	if err != nil {
		t.Fatalf("read %s: %v", dir, err)
	}
	return state
}

// wrongPassphrase returns the i-th wrong passphrase to try: near misses of
// the right one (a letter changed, added or dropped, other case, spaces),
// the recovery code, the empty passphrase, long and non-ASCII ones, and
// random ones.
func wrongPassphrase(r *rand.Rand, right, code string) string {
	b := []byte(right)
	switch r.IntN(10) {
	case 0:
		i := r.IntN(len(b))
		b[i] ^= byte(1 + r.IntN(127))
		return string(b)
	case 1:
		return right[:r.IntN(len(right))]
	case 2:
		return right + string(rune('a'+r.IntN(26)))
	case 3:
		return strings.ToUpper(right)
	case 4:
		return " " + right
	case 5:
		return code
	case 6:
		return strings.Repeat(right, 2+r.IntN(100))
	case 7:
		return "pässphrase ✓ " + fmt.Sprint(r.Uint64())
	case 8:
		return ""
	default:
		out := make([]byte, 1+r.IntN(64))
		for i := range out {
			out[i] = byte(r.IntN(256))
		}
		return string(out)
	}
}

// wrongRecoveryCode returns a wrong recovery code: the right one with one
// character changed (the check that codes are well formed must not be what
// refuses it), a random well-formed code, or something else.
func wrongRecoveryCode(r *rand.Rand, right, passphrase string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	switch r.IntN(5) {
	case 0, 1:
		b := []byte(right)
		for {
			i := r.IntN(len(b))
			if b[i] == '-' {
				continue
			}
			c := alphabet[r.IntN(len(alphabet))]
			if c == b[i] {
				continue
			}
			b[i] = c
			return string(b)
		}
	case 2:
		b := []byte(right)
		for i := range b {
			if b[i] != '-' {
				b[i] = alphabet[r.IntN(len(alphabet))]
			}
		}
		return string(b)
	case 3:
		return strings.ToLower(right[:r.IntN(len(right))])
	default:
		return passphrase
	}
}

// TestFaultWrongPassphrase tries a thousand wrong passphrases and a
// thousand wrong recovery codes (under make faults) on a used vault and
// checks that every one is refused with ErrWrongPassphrase and that no
// file's bytes, mode or modification time changed.
func TestFaultWrongPassphrase(t *testing.T) {
	n := faultlog.Runs(100, 1000)
	tl := faultlog.Track(t, "passphrase", "wrong passphrase and recovery code",
		"Wrong passphrases (near misses, the recovery code, empty, long, random) and wrong recovery codes are each refused with the wrong-passphrase error, and every file of the vault keeps its bytes, mode and modification time.")

	v, dir, code := newTestVault(t)
	put(t, v, "case-a", "report", "synthetic report")
	put(t, v, "case-b", "report", "to be destroyed")
	if err := v.DestroyNamespaces("case-b"); err != nil {
		t.Fatalf("DestroyNamespaces: %v", err)
	}
	put(t, v, "case-a", "msg/1", "synthetic reply")
	lockVault(t, v)
	// Modification times must be able to show a change: let the clock
	// move past the last write.
	time.Sleep(20 * time.Millisecond)
	before := diskState(t, dir)

	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 10))
	check := func(what string, i int, secret string, open func() (*Vault, error)) {
		v, err := open()
		if v != nil {
			v.Lock()
			t.Fatalf("%s %d: the vault opened (%q)", what, i, secret)
		}
		if !errors.Is(err, ErrWrongPassphrase) {
			t.Fatalf("%s %d: got %v, want ErrWrongPassphrase", what, i, err)
		}
		tl.Run()
		// Hashing every file each time is what the test is for, and
		// the vault is small; still, compare in full every tenth
		// attempt and at the end.
		if i%10 == 0 || i == n-1 {
			sameTree(t, fmt.Sprintf("after %s %d", what, i), diskState(t, dir), before)
			if t.Failed() {
				t.FailNow()
			}
		}
	}
	for i := range n {
		p := wrongPassphrase(r, testPassphrase, code)
		check("wrong passphrase", i, p, func() (*Vault, error) { return Open(dir, []byte(p), Options{}) })
	}
	for i := range n {
		c := wrongRecoveryCode(r, code, testPassphrase)
		check("wrong recovery code", i, c, func() (*Vault, error) { return OpenWithRecoveryCode(dir, c, Options{}) })
	}
	// The right passphrase and code still open it.
	v = openTestVault(t, dir, testPassphrase)
	mustCheck(t, v)
	mustGet(t, v, "case-a", "msg/1", "synthetic reply")
	lockVault(t, v)
	v, err := OpenWithRecoveryCode(dir, code, Options{})
	if err != nil {
		t.Fatalf("OpenWithRecoveryCode with the right code: %v", err)
	}
	lockVault(t, v)
}
