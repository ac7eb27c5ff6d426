package vault

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"filippo.io/age"
)

// Seed corpora are built here from real headers and backups; a selection
// of the inputs that fuzzing found is committed under testdata/fuzz. To
// fuzz, for example:
//
//	go test ./vault -run '^$' -fuzz FuzzBackupReader -fuzztime 60s -fuzzminimizetime 2s
//
// (Restore's coverage varies from run to run, so without a short
// -fuzzminimizetime the fuzzer spends its time minimizing.) New inputs land
// in the Go build cache, not here; copy the useful ones over.

func FuzzParseHeader(f *testing.F) {
	v, _, _ := newTestVault(f)
	hdr := v.hdr.marshal()
	f.Add(hdr)
	if err := v.ChangePassphrase([]byte("another passphrase")); err != nil {
		f.Fatal(err)
	}
	f.Add(v.hdr.marshal())
	v2 := resum(bytes.Replace(bytes.Replace(hdr, []byte("casebook-vault 1\n"), []byte("casebook-vault 2\n"), 1),
		[]byte(`{"version":1,`), []byte(`{"version":2,`), 1))
	f.Add(v2)
	f.Add(resum(bytes.Replace(hdr, []byte(`"memory_kib":64`), []byte(`"memory_kib":4194304`), 1)))
	f.Add([]byte(""))
	f.Add([]byte("casebook-vault 1\n"))
	f.Add([]byte("casebook-vault 1\n{}\nsum \nmac \n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkParseHeader(t, data)
		// The sum line keeps the fuzzer from reaching the JSON; a copy with
		// the sum made right gets there.
		if bytes.Count(data, []byte("\n")) >= 3 {
			checkParseHeader(t, resum(data))
		}
	})
}

// checkParseHeader fails the test if parseHeader misbehaves on data.
func checkParseHeader(t *testing.T, data []byte) {
	t.Helper()
	h, err := parseHeader(data)
	if err != nil {
		if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrNoVault) && !errors.Is(err, ErrUnsupportedVersion) {
			t.Fatalf("parseHeader: got %v, want ErrCorrupt, ErrNoVault or ErrUnsupportedVersion", err)
		}
		return
	}
	if got := h.marshal(); !bytes.Equal(got, data) {
		t.Fatalf("marshal(parseHeader(data)): got %q, want %q", got, data)
	}
	if h.slot(slotPassphrase) == nil || h.Version != FormatVersion || len(h.VaultID) != 16 {
		t.Fatalf("parseHeader accepted a header without a passphrase slot, version 1 or vault id: %+v", h)
	}
	for _, s := range h.Slots {
		if err := s.params().validate(); err != nil {
			t.Fatalf("parseHeader accepted KDF parameters out of bounds: %v", err)
		}
	}
}

// backupPayload decrypts a backup made with testPassphrase and returns its
// plaintext payload.
func backupPayload(tb testing.TB, b []byte) []byte {
	tb.Helper()
	br := bufio.NewReader(bytes.NewReader(b))
	h, hdr, err := readBackupHead(br)
	if err != nil {
		tb.Fatal(err)
	}
	master, err := h.slot(slotPassphrase).unwrap(h.VaultID, []byte(testPassphrase))
	if err != nil {
		tb.Fatal(err)
	}
	r, err := age.Decrypt(br, newBackupKey(master, h.VaultID, hdr))
	if err != nil {
		tb.Fatal(err)
	}
	p, err := io.ReadAll(r)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func FuzzBackupReader(f *testing.F) {
	b, _, _ := makeBackup(f)
	payload := backupPayload(f, b)
	headEnd, ageEnd := backupRegions(f, b)
	f.Add(b)
	f.Add(b[:headEnd])
	f.Add(b[:ageEnd])
	f.Add(payload)
	f.Add(payload[:len(payload)-1])
	f.Add([]byte(backupPayloadMagic + "K\x00E\x00"))
	f.Add([]byte(backupPayloadMagic + "K\x00R\x01r\xff\xff\xff\xff\x0fE\x01"))
	f.Add([]byte("casebook-backup 1\n5\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, _, err := readBackupHead(bufio.NewReader(bytes.NewReader(data))); err != nil &&
			!errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUnsupportedVersion) {
			t.Fatalf("readBackupHead: got %v, want ErrCorrupt or ErrUnsupportedVersion", err)
		}
		n := 0
		ring, err := readBackupPayload(bytes.NewReader(data), func(k, v []byte) error {
			if len(k) == 0 || len(k) > maxBackupKey || len(v) > maxBackupValue {
				t.Fatalf("record frame of %d and %d bytes passed the limits", len(k), len(v))
			}
			n++
			return nil
		})
		if err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("readBackupPayload: got %v, want ErrCorrupt", err)
		}
		if err == nil && len(ring) > maxKeyringSize {
			t.Fatalf("keyring of %d bytes passed the limit", len(ring))
		}

		parent := t.TempDir()
		target := filepath.Join(parent, "restored")
		if err := Restore(target, bytes.NewReader(data), []byte(testPassphrase), Options{Logger: quietLogger}); err != nil {
			if left, _ := os.ReadDir(parent); len(left) != 0 {
				t.Fatalf("Restore failed with %v and left %v behind, want nothing", err, left)
			}
		}
	})
}
