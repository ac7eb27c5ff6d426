package vault

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// makeBackup writes a vault with a few records, backs it up and returns the
// backup, the records and the vault's recovery code. The vault is locked.
func makeBackup(t testing.TB) ([]byte, map[tamperRecord]string, string) {
	t.Helper()
	v, _, code := newTestVault(t)
	records := map[tamperRecord]string{
		{"case-a", "report"}:   "synthetic report",
		{"case-a", "msg/0001"}: "synthetic reply",
		{"case-b", "report"}:   "another synthetic report",
	}
	for r, val := range records {
		put(t, v, r.ns, r.key, val)
	}
	put(t, v, "case-gone", "report", "destroyed before the backup")
	if err := v.DestroyNamespaces("case-gone"); err != nil {
		t.Fatalf("DestroyNamespaces: %v", err)
	}
	var buf bytes.Buffer
	if err := v.Backup(&buf); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	lockVault(t, v)
	return buf.Bytes(), records, code
}

// backupRegions returns where the header copy ends and where the age
// header ends (and its encrypted payload starts).
func backupRegions(t testing.TB, b []byte) (headEnd, ageEnd int) {
	t.Helper()
	rest := b[len(backupMagic):]
	line, _, ok := bytes.Cut(rest, []byte("\n"))
	n, err := strconv.Atoi(string(line))
	if !ok || err != nil {
		t.Fatalf("backup head unreadable")
	}
	headEnd = len(backupMagic) + len(line) + 1 + n
	mac := bytes.Index(b[headEnd:], []byte("\n--- "))
	if mac < 0 {
		t.Fatalf("no age header in backup")
	}
	end := bytes.IndexByte(b[headEnd+mac+1:], '\n')
	return headEnd, headEnd + mac + 1 + end + 1
}

// assertNothingRestored checks that a failed restore left neither the
// target nor a temporary directory behind.
func assertNothingRestored(t *testing.T, label, target string) {
	t.Helper()
	if _, err := os.Stat(target); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s: target after failed restore: got %v, want it absent", label, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(target))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".casebook-") {
			t.Errorf("%s: got %s left behind, want no temporary directory", label, e.Name())
		}
	}
}

func checkRestored(t *testing.T, dir string, open func() (*Vault, error), records map[tamperRecord]string) {
	t.Helper()
	v, err := open()
	if err != nil {
		t.Fatalf("open restored vault: got %v, want nil", err)
	}
	defer v.Lock()
	for r, want := range records {
		mustGet(t, v, r.ns, r.key, want)
	}
	if _, err := v.Get("case-gone", "report"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get destroyed record: got %v, want ErrNotFound", err)
	}
	rep := mustCheck(t, v)
	if rep.Records != len(records) {
		t.Errorf("Check: got %d records, want %d", rep.Records, len(records))
	}
	kinds := auditKinds(t, v)
	// The backup's own audit entry follows it, so is not in it.
	for _, k := range []string{"vault.create", "namespace.destroy", "keys.rotate", "vault.restore"} {
		if !slices.Contains(kinds, k) {
			t.Errorf("restored audit: got %v, want a %s entry", kinds, k)
		}
	}
	if names, _ := v.Namespaces(); !slices.Equal(names, []string{"case-a", "case-b"}) {
		t.Errorf("Namespaces: got %v, want [case-a case-b]", names)
	}
}

func TestBackupRestoreRoundTrip(t *testing.T) {
	b, records, code := makeBackup(t)
	tests := []struct {
		name   string
		target func(t *testing.T) string
	}{
		{"new directory", func(t *testing.T) string { return filepath.Join(t.TempDir(), "a", "b", "restored") }},
		{"empty directory", func(t *testing.T) string { return t.TempDir() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.target(t)
			if err := Restore(dir, bytes.NewReader(b), []byte(testPassphrase), Options{}); err != nil {
				t.Fatalf("Restore: got %v, want nil", err)
			}
			checkRestored(t, dir, func() (*Vault, error) { return Open(dir, []byte(testPassphrase), Options{}) }, records)
			assertNoTemporaries(t, filepath.Dir(dir))
		})
	}
	t.Run("recovery code", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "restored")
		if err := RestoreWithRecoveryCode(dir, bytes.NewReader(b), strings.ToLower(code), Options{}); err != nil {
			t.Fatalf("RestoreWithRecoveryCode: got %v, want nil", err)
		}
		checkRestored(t, dir, func() (*Vault, error) { return OpenWithRecoveryCode(dir, code, Options{}) }, records)
	})
	t.Run("wrong secrets", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "restored")
		if err := Restore(dir, bytes.NewReader(b), []byte("not it"), Options{}); !errors.Is(err, ErrWrongPassphrase) {
			t.Errorf("Restore with wrong passphrase: got %v, want ErrWrongPassphrase", err)
		}
		assertNothingRestored(t, "wrong passphrase", dir)
		if err := RestoreWithRecoveryCode(dir, bytes.NewReader(b), testPassphrase, Options{}); !errors.Is(err, ErrWrongPassphrase) {
			t.Errorf("Restore with wrong recovery code: got %v, want ErrWrongPassphrase", err)
		}
		assertNothingRestored(t, "wrong recovery code", dir)
	})
}

func assertNoTemporaries(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".casebook-") {
			t.Errorf("got %s left in %s, want no temporary directory", e.Name(), dir)
		}
	}
}

func TestRestoreRefusesOccupiedDirectory(t *testing.T) {
	b, _, _ := makeBackup(t)
	t.Run("not empty", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("someone's file"), 0o600); err != nil {
			t.Fatal(err)
		}
		before := treeState(t, filepath.Dir(dir))
		if err := Restore(dir, bytes.NewReader(b), []byte(testPassphrase), Options{}); !errors.Is(err, ErrNotEmpty) {
			t.Errorf("Restore: got %v, want ErrNotEmpty", err)
		}
		sameTree(t, "after refused restore", treeState(t, filepath.Dir(dir)), before)
	})
	t.Run("a vault", func(t *testing.T) {
		v, dir, _ := newTestVault(t)
		lockVault(t, v)
		before := treeState(t, filepath.Dir(dir))
		if err := Restore(dir, bytes.NewReader(b), []byte(testPassphrase), Options{}); !errors.Is(err, ErrExists) {
			t.Errorf("Restore: got %v, want ErrExists", err)
		}
		sameTree(t, "after refused restore", treeState(t, filepath.Dir(dir)), before)
	})
}

// TestRestoreRefusesDamagedBackup flips bytes all over a backup and cuts it
// short at many lengths; every such backup must be refused as damaged and
// leave nothing behind.
func TestRestoreRefusesDamagedBackup(t *testing.T) {
	b, _, _ := makeBackup(t)
	headEnd, ageEnd := backupRegions(t, b)
	var positions []int
	for i := 0; i < ageEnd; i++ { // every byte of the head and the age header
		positions = append(positions, i)
	}
	for i := 0; i < 20; i++ { // a spread over the encrypted payload
		positions = append(positions, ageEnd+i*(len(b)-ageEnd)/20)
	}
	positions = append(positions, ageEnd, ageEnd+16, len(b)-17, len(b)-16, len(b)-1)
	slices.Sort(positions)
	positions = slices.Compact(positions)

	parent := t.TempDir()
	tries := 0
	try := func(label string, data []byte, versionByte bool) {
		t.Helper()
		target := filepath.Join(parent, "restored")
		// Every other time the target exists, empty, and must stay so.
		tries++
		existing := tries%2 == 0
		if existing {
			if err := os.Mkdir(target, 0o700); err != nil {
				t.Fatal(err)
			}
		}
		err := Restore(target, bytes.NewReader(data), []byte(testPassphrase), Options{Logger: quietLogger})
		if existing {
			if entries, rerr := os.ReadDir(target); rerr != nil || len(entries) != 0 {
				t.Errorf("%s: existing empty target after failed restore: got %d entries, %v; want it empty", label, len(entries), rerr)
			}
			os.RemoveAll(target)
		}
		switch {
		case err == nil:
			t.Errorf("%s: Restore: got nil, want an error matching ErrCorrupt", label)
			os.RemoveAll(target)
			return
		case versionByte && errors.Is(err, ErrUnsupportedVersion):
			// The backup format's version is read before anything can be
			// authenticated: "casebook-backup 3" is a newer format as far
			// as any reader can tell.
		case !errors.Is(err, ErrCorrupt):
			t.Errorf("%s: Restore: got %v, want an error matching ErrCorrupt", label, err)
		}
		assertNothingRestored(t, label, target)
	}
	versionAt := len("casebook-backup ")
	for i, p := range positions {
		mask := tamperMasks[i%len(tamperMasks)]
		d := bytes.Clone(b)
		d[p] ^= mask
		region := "payload"
		switch {
		case p < headEnd:
			region = "head"
		case p < ageEnd:
			region = "age header"
		}
		try(fmt.Sprintf("%s byte %d ^ %#02x", region, p, mask), d, p == versionAt)
	}
	var lengths []int
	for n := 0; n < ageEnd+20; n += 3 {
		lengths = append(lengths, n)
	}
	for i := 1; i < 12; i++ {
		lengths = append(lengths, ageEnd+i*(len(b)-ageEnd)/12)
	}
	lengths = append(lengths, len(b)-17, len(b)-16, len(b)-1)
	for _, n := range lengths {
		try(fmt.Sprintf("truncated to %d of %d bytes", n, len(b)), b[:n], false)
	}
	try("trailing byte", append(bytes.Clone(b), 0), false)
	try("trailing copy", append(bytes.Clone(b), b...), false)
	// The version line of a newer backup format is reported as such.
	newer := append([]byte("casebook-backup 2\n"), b[len(backupMagic):]...)
	target := filepath.Join(parent, "restored")
	if err := Restore(target, bytes.NewReader(newer), []byte(testPassphrase), Options{}); !errors.Is(err, ErrUnsupportedVersion) {
		t.Errorf("newer backup format: got %v, want ErrUnsupportedVersion", err)
	}
	assertNothingRestored(t, "newer backup format", target)
}

// TestBackupHeadReader checks the head parser on its own.
func TestBackupHeadReader(t *testing.T) {
	b, _, _ := makeBackup(t)
	h, hdr, err := readBackupHead(bufio.NewReader(bytes.NewReader(b)))
	if err != nil {
		t.Fatalf("readBackupHead: got %v, want nil", err)
	}
	if !bytes.Equal(h.marshal(), hdr) {
		t.Errorf("header copy: got %q, want it to parse back to itself", hdr)
	}
	tests := []struct {
		name string
		data string
		want error
	}{
		{"empty", "", ErrCorrupt},
		{"other file", "%PDF-1.7\n", ErrCorrupt},
		{"truncated magic", "casebook-backup 1", ErrCorrupt},
		{"garbled version", "casebook-backup x\n", ErrCorrupt},
		{"newer version", "casebook-backup 2\n", ErrUnsupportedVersion},
		{"much newer version", "casebook-backup 10\n", ErrUnsupportedVersion},
		{"no length", "casebook-backup 1\n\n", ErrCorrupt},
		{"negative length", "casebook-backup 1\n-5\n", ErrCorrupt},
		{"huge length", "casebook-backup 1\n99999999\n", ErrCorrupt},
		{"short header", "casebook-backup 1\n100\ncasebook-vault 1\n", ErrCorrupt},
		{"not a vault header", "casebook-backup 1\n6\nhello\n", ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := readBackupHead(bufio.NewReader(strings.NewReader(tt.data)))
			if !errors.Is(err, tt.want) {
				t.Errorf("readBackupHead(%q): got %v, want %v", tt.data, err, tt.want)
			}
		})
	}
}
