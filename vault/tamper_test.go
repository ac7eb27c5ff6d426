package vault

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"testing"
)

// The tamper test damages one byte of one file of a locked vault at a time
// and checks that the damage is reported and that no read ever returns a
// value other than the one written.
//
// Files a vault holds after a clean Lock, found by listing real vaults, and
// what protects each:
//
//	vault.hdr         the sum line (SHA-256) and the MAC: Open fails
//	keyring           sealed with XChaCha20-Poly1305: Open fails
//	lock              its flock, and the high-water mark (sealed): Check
//	data/MANIFEST     CRC-32C of each change set, magic; verifyTables
//	                  refuses a manifest naming tables that are missing
//	data/KEYREGISTRY  CRC-32C of each data key, sanity text: Open fails
//	data/NNNNNN.sst   checksums of the index and of every block, read by
//	                  verifyTables before Badger opens; and every value
//	                  sealed by the vault: Open fails
//	data/NNNNNN.vlog  values of 1 MiB and more: CRC-32C of each entry
//	                  (WithVerifyValueChecksum) and the vault's seal:
//	                  Check and Get fail. A value log of 20 bytes holds only
//	                  its header (data key id and IV) and no entry.
//	data/DISCARD      Badger's value-log garbage-collection statistics,
//	                  zero-filled until the first collection.
//
// After a crash (no Lock) a vault also holds Badger's write-ahead log
// (data/NNNNN.mem) and a LOCK file; those are not covered here.

const tamperPassphrase = "tamper test passphrase"

// tamperKinds names the kinds of files in a locked vault. inert says why no
// change to such a file can alter what the vault returns; for the others,
// every flipped byte must be reported by Open or Check.
var tamperKinds = []struct {
	kind    string
	pattern *regexp.Regexp
	inert   string
}{
	{"header", regexp.MustCompile(`^vault\.hdr$`), ""},
	{"keyring", regexp.MustCompile(`^keyring$`), ""},
	{"lock", regexp.MustCompile(`^lock$`), "the flock and the high-water mark: a damaged mark is reported by Check, and can never alter a value"},
	{"manifest", regexp.MustCompile(`^data/MANIFEST$`), ""},
	{"key registry", regexp.MustCompile(`^data/KEYREGISTRY$`), ""},
	{"table", regexp.MustCompile(`^data/[0-9]{6}\.sst$`), ""},
	{"value log", regexp.MustCompile(`^data/[0-9]{6}\.vlog$`), ""},
	{"empty value log", nil, "holds only its header (data key id and IV), no entry that a key or IV could decrypt"},
	{"discard stats", regexp.MustCompile(`^data/DISCARD$`), "garbage-collection statistics: a change alters when a value-log file is rewritten, never a value"},
}

// vlogHeaderSize is the size of a value-log file's header: an 8-byte data
// key id and a 12-byte IV.
const vlogHeaderSize = 20

// tamperKind returns the kind of a file in the vault and, for inert kinds,
// why.
func tamperKind(rel string, size int) (kind, inert string, ok bool) {
	for _, k := range tamperKinds {
		if k.pattern != nil && k.pattern.MatchString(rel) {
			kind = k.kind
		}
	}
	if kind == "value log" && size <= vlogHeaderSize {
		kind = "empty value log"
	}
	for _, k := range tamperKinds {
		if k.kind == kind && kind != "" {
			return kind, k.inert, true
		}
	}
	return "", "", false
}

type tamperRecord struct{ ns, key string }

// tamperVault is a locked vault with every kind of file, and what it holds.
type tamperVault struct {
	dir       string
	records   map[tamperRecord][]byte
	destroyed []tamperRecord
	audit     []AuditEntry
}

func buildTamperVault(t *testing.T) *tamperVault {
	t.Helper()
	tv := &tamperVault{dir: filepath.Join(t.TempDir(), "vault"), records: map[tamperRecord][]byte{}}
	v, _, err := Create(tv.dir, []byte(testPassphrase), Options{Actor: "tester"})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	write := func(ns, key string, value []byte) {
		if err := v.Update(func(tx *Tx) error { return tx.Put(ns, key, value) }); err != nil {
			t.Fatalf("Put: %v", err)
		}
		tv.records[tamperRecord{ns, key}] = value
	}
	write("case-a", "report", []byte("synthetic report"))
	write("case-a", "msg/0001", []byte("synthetic reply"))
	write("case-b", "report", []byte("to be destroyed"))
	lockVault(t, v)

	v = openTestVault(t, tv.dir, testPassphrase)
	// A value this large goes to Badger's value log.
	evidence := make([]byte, 1<<20+1000)
	rand.NewChaCha8([32]byte{'t', 'a', 'm', 'p', 'e', 'r'}).Read(evidence)
	write("case-c", "evidence", evidence)
	write("case-a", "msg/0002", []byte("another synthetic reply"))
	if err := v.DestroyNamespaces("case-b"); err != nil {
		t.Fatalf("DestroyNamespaces: %v", err)
	}
	tv.destroyed = []tamperRecord{{"case-b", "report"}}
	delete(tv.records, tamperRecord{"case-b", "report"})
	if err := v.ChangePassphrase([]byte(tamperPassphrase)); err != nil {
		t.Fatalf("ChangePassphrase: %v", err)
	}
	if tv.audit, err = v.Audit(); err != nil {
		t.Fatalf("Audit: %v", err)
	}
	mustCheck(t, v)
	lockVault(t, v)
	return tv
}

// tamperPositions picks the bytes to flip in a file of the given kind:
// its beginning and end, where headers and footers live, a spread over
// the rest, and for tables the block trailers before the index.
func tamperPositions(kind string, data []byte) []int {
	n := len(data)
	var pos []int
	add := func(from, to int) {
		for i := max(from, 0); i < min(to, n); i++ {
			pos = append(pos, i)
		}
	}
	spread := func(k int) {
		for i := 1; i < k; i++ {
			pos = append(pos, i*n/k)
		}
	}
	switch kind {
	case "header":
		add(0, 20) // magic and version
		for i := 20; i < n; i += 7 {
			pos = append(pos, i)
		}
		add(n-3, n)
	case "keyring", "manifest", "key registry", "empty value log":
		add(0, n)
	case "table":
		add(0, 24)
		add(n-48, n) // footer: checksum, its length, index length
		if n >= 8 {
			// The last block ends where the index starts.
			ckLen := int(binary.BigEndian.Uint32(data[n-4:]))
			if ckLen < n {
				idxLen := int(binary.BigEndian.Uint32(data[n-8-ckLen:]))
				idx := n - 8 - ckLen - idxLen
				add(idx-48, idx+8)
			}
		}
		spread(24)
	case "value log":
		add(0, 48) // header, then the first entry's header and key
		add(n-16, n)
		spread(8)
	case "discard stats":
		add(0, 16)
		add(n-4, n)
		spread(4)
	}
	slices.Sort(pos)
	return slices.Compact(pos)
}

var tamperMasks = []byte{0x01, 0x80, 0xff, 0x10}

// tamperMaxAllocMiB bounds what opening, checking and reading a damaged
// copy of the tamper vault may allocate.
const tamperMaxAllocMiB = 256

func TestTamperEveryFile(t *testing.T) {
	tv := buildTamperVault(t)
	var files []string
	sizes := map[string]int{}
	err := filepath.WalkDir(tv.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(tv.dir, p)
		rel = filepath.ToSlash(rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		files = append(files, rel)
		sizes[rel] = int(info.Size())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	seen := map[string]bool{}
	for _, rel := range files {
		kind, _, ok := tamperKind(rel, sizes[rel])
		if !ok {
			t.Errorf("unexpected file %s after a clean Lock: decide how it is protected and add it to tamperKinds", rel)
			continue
		}
		seen[kind] = true
	}
	for _, k := range []string{"header", "keyring", "lock", "manifest", "key registry", "table", "value log", "discard stats"} {
		if !seen[k] {
			t.Errorf("no %s file in the vault (files: %v); the test must damage every kind", k, files)
		}
	}

	// The untouched vault opens, checks clean and reads back.
	t.Run("pristine", func(t *testing.T) {
		work := filepath.Join(t.TempDir(), "v")
		copyTree(t, tv.dir, work)
		if reported := tamperOutcome(t, "pristine", work, tv); reported {
			t.Fatalf("pristine vault: got damage reported, want a clean vault")
		}
	})

	for _, rel := range files {
		kind, inert, _ := tamperKind(rel, sizes[rel])
		t.Run(rel, func(t *testing.T) {
			orig, err := os.ReadFile(filepath.Join(tv.dir, filepath.FromSlash(rel)))
			if err != nil {
				t.Fatal(err)
			}
			positions := tamperPositions(kind, orig)
			if len(orig) == 0 && inert == "" {
				t.Fatalf("%s is empty but not listed as inert", rel)
			}
			silent := 0
			scratch := t.TempDir()
			for i, p := range positions {
				mask := tamperMasks[i%len(tamperMasks)]
				work := filepath.Join(scratch, fmt.Sprint(i))
				copyTree(t, tv.dir, work)
				damaged := bytes.Clone(orig)
				damaged[p] ^= mask
				if err := os.WriteFile(filepath.Join(work, filepath.FromSlash(rel)), damaged, 0o600); err != nil {
					t.Fatal(err)
				}
				label := fmt.Sprintf("%s byte %d ^ %#02x", rel, p, mask)
				if !tamperOutcome(t, label, work, tv) {
					silent++
					if inert == "" {
						t.Errorf("%s: got no damage reported by Open or Check, want an error matching ErrCorrupt", label)
					}
				}
				os.RemoveAll(work)
			}
			t.Logf("%s (%s, %d bytes): %d positions flipped, %d not reported%s", rel, kind, len(orig), len(positions), silent,
				map[bool]string{true: " (inert: " + inert + ")", false: ""}[inert != ""])
		})
	}
}

// tamperOutcome opens a damaged copy of the vault, runs Check and reads
// everything back. It fails the test if any read returns a value that was
// never written there, or if an error does not match ErrCorrupt. It
// reports whether the damage was detected.
func tamperOutcome(t *testing.T, label, dir string, tv *tamperVault) (reported bool) {
	t.Helper()
	// A damaged length must not make the vault allocate wildly: a few
	// values of 1 MiB are all there is to read.
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	defer func() {
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		if n := (after.TotalAlloc - before.TotalAlloc) >> 20; n > tamperMaxAllocMiB {
			t.Errorf("%s: reading the damaged vault allocated %d MiB, want at most %d", label, n, tamperMaxAllocMiB)
		}
	}()
	v, err := Open(dir, []byte(tamperPassphrase), Options{Logger: quietLogger})
	if err != nil {
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: Open: got %v, want an error matching ErrCorrupt", label, err)
		}
		return true
	}
	defer v.Lock()
	rep, cerr := v.Check()
	if cerr != nil {
		reported = true
		if !errors.Is(cerr, ErrCorrupt) {
			t.Errorf("%s: Check: got %v, want an error matching ErrCorrupt", label, cerr)
		}
		for _, p := range rep.Problems {
			if !errors.Is(p, ErrCorrupt) {
				t.Errorf("%s: Check problem: got %v, want an error matching ErrCorrupt", label, p)
			}
		}
	}
	assertNoAlteredValue(t, label, v, tv)
	return reported
}

// assertNoAlteredValue reads every record, namespace and audit entry and
// fails the test if any of them differs from what was written. Errors are
// allowed: damage may make a record unreadable, never different.
func assertNoAlteredValue(t *testing.T, label string, v *Vault, tv *tamperVault) {
	t.Helper()
	namespaces := map[string]bool{}
	for r, want := range tv.records {
		namespaces[r.ns] = true
		if got, err := v.Get(r.ns, r.key); err == nil && !bytes.Equal(got, want) {
			t.Errorf("%s: Get(%s, %s): got an altered value (%d bytes), want the value written or an error", label, r.ns, r.key, len(got))
		}
	}
	for _, r := range tv.destroyed {
		if got, err := v.Get(r.ns, r.key); err == nil {
			t.Errorf("%s: Get(%s, %s) of a destroyed record: got %d bytes, want an error", label, r.ns, r.key, len(got))
		}
		namespaces[r.ns] = true
	}
	for ns := range namespaces {
		_ = v.Scan(ns, "", func(key string, value []byte) error {
			if want, ok := tv.records[tamperRecord{ns, key}]; !ok || !bytes.Equal(value, want) {
				t.Errorf("%s: Scan(%s) gave %s: got a value (%d bytes) never written there", label, ns, key, len(value))
			}
			return nil
		})
	}
	if entries, err := v.Audit(); err == nil {
		// Damage may lose entries (Check reports the broken chain); an
		// entry that is returned must be the one written with its number.
		for _, e := range entries {
			if e.Seq < 1 || e.Seq > uint64(len(tv.audit)) {
				t.Errorf("%s: audit entry %d: got %+v, want no such entry", label, e.Seq, e)
				continue
			}
			w := tv.audit[e.Seq-1]
			if e.Seq != w.Seq || !e.Time.Equal(w.Time) || e.Actor != w.Actor || e.Kind != w.Kind ||
				e.Record != w.Record || e.Prev != w.Prev || e.Hash != w.Hash {
				t.Errorf("%s: audit entry %d: got %+v, want %+v", label, e.Seq, e, w)
			}
		}
	}
}
