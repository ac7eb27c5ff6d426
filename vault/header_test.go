package vault

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// resum rewrites a header file's sum line to match its first two lines,
// as a careful forger (or a newer Casebook) would.
func resum(data []byte) []byte {
	lines := bytes.SplitAfter(data, []byte("\n"))
	body := bytes.Join(lines[:2], nil)
	sum := sha256.Sum256(body)
	out := append(bytes.Clone(body), "sum "+hex.EncodeToString(sum[:])+"\n"...)
	return append(out, bytes.Join(lines[3:], nil)...)
}

// headerWith returns a vault's header file with old replaced by new in
// its first two lines and the sum line rewritten to match.
func headerWith(t *testing.T, data []byte, old, new string) []byte {
	t.Helper()
	if !bytes.Contains(data, []byte(old)) {
		t.Fatalf("header has no %q", old)
	}
	return resum(bytes.Replace(data, []byte(old), []byte(new), 1))
}

func lockedTestVault(t *testing.T) (string, []byte) {
	t.Helper()
	v, dir, _ := newTestVault(t)
	lockVault(t, v)
	data, err := os.ReadFile(filepath.Join(dir, headerFile))
	if err != nil {
		t.Fatal(err)
	}
	return dir, data
}

func writeHeader(t *testing.T, dir string, data []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, headerFile), data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestHeaderVersions(t *testing.T) {
	dir, orig := lockedTestVault(t)
	v2 := headerWith(t, headerWith(t, orig, "casebook-vault 1\n", "casebook-vault 2\n"), `{"version":1,`, `{"version":2,`)
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"version 2", v2, ErrUnsupportedVersion},
		{"version 2, another layout", []byte("casebook-vault 2\nsomething new\n"), ErrUnsupportedVersion},
		{"version 0", headerWith(t, orig, "casebook-vault 1\n", "casebook-vault 0\n"), ErrUnsupportedVersion},
		{"version 01", headerWith(t, orig, "casebook-vault 1\n", "casebook-vault 01\n"), ErrCorrupt},
		{"version and JSON disagree", headerWith(t, orig, `{"version":1,`, `{"version":2,`), ErrCorrupt},
		{"empty", nil, ErrNoVault},
		{"garbage", []byte("\x00\x01\x02 not a header at all"), ErrNoVault},
		{"other text", []byte("hello\n"), ErrNoVault},
		{"magic only", []byte("casebook-vault 1\n"), ErrCorrupt},
		{"truncated", orig[:len(orig)/2], ErrCorrupt},
		{"extra line", append(bytes.Clone(orig), "more\n"...), ErrCorrupt},
		{"no final newline", orig[:len(orig)-1], ErrCorrupt},
		{"spaces in JSON", headerWith(t, orig, `"version":1,`, `"version": 1,`), ErrCorrupt},
		{"unknown field", headerWith(t, orig, `{"version":1,`, `{"version":1,"extra":0,`), ErrCorrupt},
		{"no passphrase slot", headerWith(t, orig, `"kind":"passphrase"`, `"kind":"recovery"`), ErrCorrupt},
		{"unknown slot", headerWith(t, orig, `"kind":"passphrase"`, `"kind":"fingerprint"`), ErrCorrupt},
		{"unknown KDF", headerWith(t, orig, `"kdf":"argon2id"`, `"kdf":"scrypt"`), ErrCorrupt},
		{"mac in upper case", append(bytes.Clone(orig[:len(orig)-65]), strings.ToUpper(string(orig[len(orig)-65:]))...), ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := parseHeader(tt.data); !errors.Is(err, tt.want) {
				t.Errorf("parseHeader: got %v, want %v", err, tt.want)
			}
			writeHeader(t, dir, tt.data)
			before := treeState(t, dir)
			v, err := Open(dir, []byte(testPassphrase), Options{})
			if v != nil {
				v.Lock()
			}
			// Beside a keyring and data, a file that is no header at
			// all is a damaged header, not the absence of a vault.
			wantOpen := tt.want
			if wantOpen == ErrNoVault {
				wantOpen = ErrCorrupt
			}
			if !errors.Is(err, wantOpen) {
				t.Errorf("Open: got %v, want %v", err, wantOpen)
			}
			sameTree(t, "after refused Open", treeState(t, dir), before)
		})
	}
	t.Run("no header file", func(t *testing.T) {
		os.Remove(filepath.Join(dir, headerFile))
		// The keyring and data are still there: the header was lost.
		_, err := Open(dir, []byte(testPassphrase), Options{})
		var ce *CorruptError
		if !errors.As(err, &ce) || ce.Record != "vault header" {
			t.Errorf("Open: got %v, want the vault header named as damaged", err)
		}
		if !Exists(dir) {
			t.Errorf("Exists: got false for a vault without its header, want true")
		}
		other := t.TempDir()
		if err := os.WriteFile(filepath.Join(other, headerFile), []byte("hello\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(other, []byte(testPassphrase), Options{}); !errors.Is(err, ErrNoVault) {
			t.Errorf("Open of a directory holding only another kind of file: got %v, want ErrNoVault", err)
		}
		if _, err := Open(filepath.Join(dir, "nowhere"), []byte(testPassphrase), Options{}); !errors.Is(err, ErrNoVault) {
			t.Errorf("Open of a missing directory: got %v, want ErrNoVault", err)
		}
	})
	t.Run("the original again", func(t *testing.T) {
		writeHeader(t, dir, orig)
		v := openTestVault(t, dir, testPassphrase)
		mustCheck(t, v)
	})
}

// TestKDFLimits crafts headers whose key-derivation parameters exceed what
// a reader accepts. They must be refused as damaged before any key
// derivation runs: 4 GiB of Argon2id memory would take long or fail.
func TestKDFLimits(t *testing.T) {
	dir, orig := lockedTestVault(t)
	params := fmt.Sprintf(`"time":%d,"memory_kib":%d,"threads":%d`, testKDF.Time, testKDF.MemoryKiB, testKDF.Threads)
	tests := []struct{ name, params string }{
		{"memory 4 GiB", `"time":1,"memory_kib":4194304,"threads":1`},
		{"memory just above 1 GiB", `"time":1,"memory_kib":1048577,"threads":1`},
		{"time 17", `"time":17,"memory_kib":64,"threads":1`},
		{"time 0", `"time":0,"memory_kib":64,"threads":1`},
		{"threads 17", `"time":1,"memory_kib":1024,"threads":17`},
		{"threads 0", `"time":1,"memory_kib":64,"threads":0`},
		{"memory below 8 KiB per thread", `"time":1,"memory_kib":31,"threads":4`},
		{"time × memory too high", `"time":9,"memory_kib":1048576,"threads":4`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := headerWith(t, orig, params, tt.params)
			writeHeader(t, dir, data)
			start := time.Now()
			v, err := Open(dir, []byte(testPassphrase), Options{})
			if v != nil {
				v.Lock()
			}
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("Open: got %v, want ErrCorrupt", err)
			}
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("Open took %v, want a refusal before any key derivation", took)
			}
		})
	}
	// The highest parameters a reader accepts parse (they are not run here).
	data := headerWith(t, orig, params, `"time":8,"memory_kib":1048576,"threads":16`)
	if _, err := parseHeader(data); err != nil {
		t.Errorf("parseHeader at the limits: got %v, want nil", err)
	}
}

// TestHeaderDamageIsCorrupt flips every byte of a real header: each flip
// must read as damage (ErrCorrupt), never as a wrong passphrase, another
// kind of file or a newer format. A flip in the mac line can only be seen
// with the master key, so there the MAC check must fail.
func TestHeaderDamageIsCorrupt(t *testing.T) {
	v, _, _ := newTestVault(t)
	if err := v.ChangePassphrase([]byte("another passphrase")); err != nil {
		t.Fatal(err)
	}
	orig := v.hdr.marshal()
	master := bytes.Clone(v.master)
	for i := range orig {
		for _, mask := range []byte{0x01, 0x02, 0x20, 0x80, 0xff} {
			d := bytes.Clone(orig)
			d[i] ^= mask
			h, err := parseHeader(d)
			if err == nil {
				err = h.verifyMAC(master)
			}
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("byte %d (%q) ^ %#02x: got %v, want ErrCorrupt", i, orig[i], mask, err)
			}
		}
	}
}

func TestHeaderRoundTrip(t *testing.T) {
	v, _, _ := newTestVault(t)
	data := v.hdr.marshal()
	h, err := parseHeader(data)
	if err != nil {
		t.Fatalf("parseHeader: %v", err)
	}
	if got := h.marshal(); !bytes.Equal(got, data) {
		t.Errorf("marshal(parse(header)): got %q, want %q", got, data)
	}
	if err := h.verifyMAC(v.master); err != nil {
		t.Errorf("verifyMAC: got %v, want nil", err)
	}
	if len(h.Slots) != 2 || h.slot(slotPassphrase) == nil || h.slot(slotRecovery) == nil {
		t.Errorf("slots: got %d, want a passphrase and a recovery slot", len(h.Slots))
	}
	// Moving a slot's wrapped key into the other slot fails to unwrap:
	// the slot's kind is bound into its associated data.
	p, r := h.slot(slotPassphrase), h.slot(slotRecovery)
	p.Wrapped, r.Wrapped = r.Wrapped, p.Wrapped
	if _, err := p.unwrap(h.VaultID, []byte(testPassphrase)); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("unwrap of a moved key: got %v, want ErrWrongPassphrase", err)
	}
}
