package vault

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/dgraph-io/badger/v4"
)

func TestMain(m *testing.M) {
	UseLowCostKDFForTesting()
	m.Run()
}

// newTestVault creates a vault in a temporary directory and locks it when
// the test ends.
func newTestVault(t testing.TB) (*Vault, string, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "vault")
	v, code, err := Create(dir, []byte(testPassphrase), Options{Actor: "tester"})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() { v.Lock() })
	return v, dir, code
}

func put(t testing.TB, v *Vault, ns, key, val string) {
	t.Helper()
	if err := v.Update(func(tx *Tx) error { return tx.Put(ns, key, []byte(val)) }); err != nil {
		t.Fatalf("Put %s/%s: %v", ns, key, err)
	}
}

func TestRoundTrip(t *testing.T) {
	v, dir, _ := newTestVault(t)
	put(t, v, "case-a", "report", "hello")
	put(t, v, "case-a", "msg/1", "first")
	if err := v.Lock(); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Get("case-a", "report"); !errors.Is(err, ErrLocked) {
		t.Fatalf("Get after Lock: got %v, want ErrLocked", err)
	}
	v2, err := Open(dir, []byte("correct horse"), Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer v2.Lock()
	got, err := v2.Get("case-a", "report")
	if err != nil || !bytes.Equal(got, []byte("hello")) {
		t.Fatalf("Get: got %q, %v; want hello", got, err)
	}
	if _, err := v2.Get("case-a", "missing"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing: got %v, want ErrNotFound", err)
	}
	rep, err := v2.Check()
	if err != nil {
		t.Fatalf("Check: %v %v", err, rep.Problems)
	}
	if rep.Records != 2 || rep.Namespaces != 1 {
		t.Fatalf("Check counted %d records in %d namespaces, want 2 in 1", rep.Records, rep.Namespaces)
	}
}

// testPassphrase is the passphrase newTestVault gives its vaults.
const testPassphrase = "correct horse"

// quietLogger drops everything; tests that damage files on purpose use it
// so that Badger's complaints do not fill the test output.
var quietLogger = slog.New(slog.NewTextHandler(io.Discard, nil))

// openTestVault opens the vault in dir and locks it when the test ends.
func openTestVault(t testing.TB, dir, passphrase string) *Vault {
	t.Helper()
	v, err := Open(dir, []byte(passphrase), Options{Actor: "tester"})
	if err != nil {
		t.Fatalf("Open: got %v, want nil", err)
	}
	t.Cleanup(func() { v.Lock() })
	return v
}

func lockVault(t testing.TB, v *Vault) {
	t.Helper()
	if err := v.Lock(); err != nil {
		t.Fatalf("Lock: got %v, want nil", err)
	}
}

func mustGet(t testing.TB, v *Vault, ns, key, want string) {
	t.Helper()
	got, err := v.Get(ns, key)
	if err != nil || string(got) != want {
		t.Fatalf("Get(%q, %q): got %q, %v; want %q, nil", ns, key, got, err, want)
	}
}

func mustCheck(t testing.TB, v *Vault) *CheckReport {
	t.Helper()
	rep, err := v.Check()
	if err != nil {
		t.Fatalf("Check: got %v (%v), want a clean report", err, rep.Problems)
	}
	return rep
}

// auditKinds lists the kinds of the vault's audit entries, oldest first.
func auditKinds(t testing.TB, v *Vault) []string {
	t.Helper()
	entries, err := v.Audit()
	if err != nil {
		t.Fatalf("Audit: got %v, want nil", err)
	}
	kinds := make([]string, len(entries))
	for i, e := range entries {
		kinds[i] = e.Kind
	}
	return kinds
}

// copyTree copies the directory tree src to dst, which must not exist.
func copyTree(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.Mkdir(target, 0o700)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
	if err != nil {
		t.Fatalf("copy %s: %v", src, err)
	}
}

// treeState describes every file and directory below dir by its name,
// kind, size and SHA-256, so that two states compare equal only if nothing
// was created, removed, renamed or changed.
func treeState(t testing.TB, dir string) map[string]string {
	t.Helper()
	state := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			state[rel+"/"] = "dir"
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		state[rel] = fmt.Sprintf("%d bytes, sha256 %x", len(data), sha256.Sum256(data))
		return nil
	})
	if err != nil {
		t.Fatalf("read %s: %v", dir, err)
	}
	return state
}

// sameTree reports every difference between two tree states.
func sameTree(t testing.TB, what string, got, want map[string]string) {
	t.Helper()
	for name, w := range want {
		if g, ok := got[name]; !ok {
			t.Errorf("%s: %s: got nothing, want %s", what, name, w)
		} else if g != w {
			t.Errorf("%s: %s: got %s, want %s", what, name, g, w)
		}
	}
	for name, g := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s: %s: got %s, want no such file", what, name, g)
		}
	}
}

func TestRecordsRoundTrip(t *testing.T) {
	binary := make([]byte, 256)
	for i := range binary {
		binary[i] = byte(i)
	}
	records := []struct{ ns, key, value string }{
		{"case-0001", "report", "first report"},
		{"case-0001", "msg/0001", "a reply"},
		{"case-0001", "msg/0002", string(binary)},
		{"case-0001", "empty", ""},
		{"case-0002", "report", "second report"},
		{"ns with spaces ü", "key/with/slashes ü", "unicode names"},
		{"case-0003", "\x01\x1f\"<>&\\\u2028\U0001F600", "key with bytes JSON escapes"},
		{strings.Repeat("n", maxNamespaceLen), strings.Repeat("k", maxKeyLen), "longest names"},
	}
	v, dir, _ := newTestVault(t)
	for _, r := range records {
		put(t, v, r.ns, r.key, r.value)
	}
	check := func(v *Vault) {
		t.Helper()
		for _, r := range records {
			got, err := v.Get(r.ns, r.key)
			if err != nil || !bytes.Equal(got, []byte(r.value)) {
				t.Errorf("Get(%.20q, %.20q): got %.20q, %v; want %.20q, nil", r.ns, r.key, got, err, r.value)
			}
		}
	}
	check(v)
	lockVault(t, v)
	v = openTestVault(t, dir, testPassphrase)
	check(v)
	rep := mustCheck(t, v)
	if rep.Records != len(records) || rep.Namespaces != 5 {
		t.Errorf("Check: got %d records in %d namespaces, want %d in 5", rep.Records, rep.Namespaces, len(records))
	}
	// Overwrite and delete survive a reopen too.
	put(t, v, "case-0001", "report", "first report, corrected")
	if err := v.Update(func(tx *Tx) error { return tx.Delete("case-0001", "empty") }); err != nil {
		t.Fatalf("Delete: got %v, want nil", err)
	}
	lockVault(t, v)
	v = openTestVault(t, dir, testPassphrase)
	mustGet(t, v, "case-0001", "report", "first report, corrected")
	if _, err := v.Get("case-0001", "empty"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get deleted record: got %v, want ErrNotFound", err)
	}
	if _, err := v.Get("no-such-namespace", "report"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get in missing namespace: got %v, want ErrNotFound", err)
	}
	kinds := auditKinds(t, v)
	if got, want := kinds[len(kinds)-2:], []string{"update", "delete"}; !slices.Equal(got, want) {
		t.Errorf("last audit entries: got %v, want %v", got, want)
	}
}

func TestScanKeysNamespaces(t *testing.T) {
	v, _, _ := newTestVault(t)
	for _, k := range []string{"msg/0002", "msg/0001", "note/a", "report", "msg/0010"} {
		put(t, v, "case-a", k, "value of "+k)
	}
	put(t, v, "case-b", "report", "other")
	put(t, v, "case-ab", "report", "a namespace whose name extends another")

	names, err := v.Namespaces()
	if want := []string{"case-a", "case-ab", "case-b"}; err != nil || !slices.Equal(names, want) {
		t.Errorf("Namespaces: got %v, %v; want %v", names, err, want)
	}
	tests := []struct {
		ns, prefix string
		want       []string
	}{
		{"case-a", "", []string{"msg/0001", "msg/0002", "msg/0010", "note/a", "report"}},
		{"case-a", "msg/", []string{"msg/0001", "msg/0002", "msg/0010"}},
		{"case-a", "msg/001", []string{"msg/0010"}},
		{"case-a", "zzz", nil},
		{"case-b", "", []string{"report"}},
		{"case-ab", "", []string{"report"}},
		{"case-missing", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.ns+"/"+tt.prefix, func(t *testing.T) {
			keys, err := v.Keys(tt.ns, tt.prefix)
			if err != nil || !slices.Equal(keys, tt.want) {
				t.Errorf("Keys: got %v, %v; want %v", keys, err, tt.want)
			}
			var scanned []string
			err = v.Scan(tt.ns, tt.prefix, func(key string, value []byte) error {
				if want := "value of " + key; tt.ns == "case-a" && string(value) != want {
					t.Errorf("Scan value of %s: got %q, want %q", key, value, want)
				}
				scanned = append(scanned, key)
				return nil
			})
			if err != nil || !slices.Equal(scanned, tt.want) {
				t.Errorf("Scan: got %v, %v; want %v", scanned, err, tt.want)
			}
		})
	}
	stop := errors.New("stop")
	n := 0
	err = v.Scan("case-a", "", func(string, []byte) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("Scan stopped by fn: got %v after %d calls, want stop after 1", err, n)
	}
}

// TestScanWhere: ScanWhere calls fn for the records want accepts, and
// does not read the others: a record whose sealed value is damaged fails
// Scan, and ScanWhere passes over it.
func TestScanWhere(t *testing.T) {
	v, _, _ := newTestVault(t)
	for _, k := range []string{"case", "msg.1", "msg.2", "sync.base.v1", "sync.items"} {
		put(t, v, "case-a", k, "value of "+k)
	}
	name := recordKeyName("case-a", "sync.base.v1")
	damaged := rawValue(t, v, name)
	damaged[len(damaged)-1] ^= 1
	if err := v.db.Update(func(txn *badger.Txn) error { return txn.Set(name, damaged) }); err != nil {
		t.Fatal(err)
	}
	if err := v.Scan("case-a", "", func(string, []byte) error { return nil }); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Scan over the damaged record: %v, want ErrCorrupt", err)
	}
	tests := []struct {
		prefix string
		want   func(string) bool
		got    []string
	}{
		{"", func(k string) bool { return !strings.HasPrefix(k, "sync.base.") }, []string{"case", "msg.1", "msg.2", "sync.items"}},
		{"msg.", func(k string) bool { return k != "msg.1" }, []string{"msg.2"}},
		{"", func(string) bool { return false }, nil},
	}
	for _, tt := range tests {
		var got []string
		err := v.ScanWhere("case-a", tt.prefix, tt.want, func(key string, value []byte) error {
			if string(value) != "value of "+key {
				t.Errorf("ScanWhere value of %s: %q", key, value)
			}
			got = append(got, key)
			return nil
		})
		if err != nil || !slices.Equal(got, tt.got) {
			t.Errorf("ScanWhere(%q): got %v, %v; want %v", tt.prefix, got, err, tt.got)
		}
	}
}

func TestUpdateIsAtomic(t *testing.T) {
	v, _, _ := newTestVault(t)
	put(t, v, "case-a", "report", "original")
	put(t, v, "case-a", "keep", "kept")
	before := auditKinds(t, v)
	boom := errors.New("boom")
	err := v.Update(func(tx *Tx) error {
		if err := tx.Put("case-a", "report", []byte("changed")); err != nil {
			return err
		}
		if err := tx.Put("case-new", "report", []byte("new namespace")); err != nil {
			return err
		}
		if err := tx.Delete("case-a", "keep"); err != nil {
			return err
		}
		tx.Record("export.pdf", "case-a")
		// The transaction sees its own writes.
		if got, err := tx.Get("case-a", "report"); err != nil || string(got) != "changed" {
			t.Errorf("tx.Get: got %q, %v; want changed", got, err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update: got %v, want boom", err)
	}
	mustGet(t, v, "case-a", "report", "original")
	mustGet(t, v, "case-a", "keep", "kept")
	if _, err := v.Get("case-new", "report"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get from failed Update: got %v, want ErrNotFound", err)
	}
	if names, _ := v.Namespaces(); !slices.Equal(names, []string{"case-a"}) {
		t.Errorf("Namespaces: got %v, want [case-a]", names)
	}
	if after := auditKinds(t, v); !slices.Equal(after, before) {
		t.Errorf("audit after failed Update: got %v, want %v", after, before)
	}
	// A failing Put (invalid name) inside Update also changes nothing.
	err = v.Update(func(tx *Tx) error {
		if err := tx.Put("case-a", "report", []byte("changed")); err != nil {
			return err
		}
		return tx.Put("case-a", "", []byte("x"))
	})
	if !errors.Is(err, ErrInvalidName) {
		t.Fatalf("Update with invalid Put: got %v, want ErrInvalidName", err)
	}
	mustGet(t, v, "case-a", "report", "original")
	mustCheck(t, v)
}

func TestInvalidNames(t *testing.T) {
	v, _, _ := newTestVault(t)
	put(t, v, "case-a", "report", "x")
	tests := []struct {
		name, ns, key string
	}{
		{"empty namespace", "", "k"},
		{"empty key", "case-a", ""},
		{"namespace too long", strings.Repeat("n", maxNamespaceLen+1), "k"},
		{"key too long", "case-a", strings.Repeat("k", maxKeyLen+1)},
		{"zero byte in namespace", "case\x00a", "k"},
		{"zero byte in key", "case-a", "re\x00port"},
		{"namespace not UTF-8", "case-\xff", "k"},
		{"key not UTF-8", "case-a", "report-\xff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := v.Update(func(tx *Tx) error { return tx.Put(tt.ns, tt.key, []byte("v")) })
			if !errors.Is(err, ErrInvalidName) {
				t.Errorf("Put: got %v, want ErrInvalidName", err)
			}
			if _, err := v.Get(tt.ns, tt.key); !errors.Is(err, ErrInvalidName) {
				t.Errorf("Get: got %v, want ErrInvalidName", err)
			}
			err = v.Update(func(tx *Tx) error { return tx.Delete(tt.ns, tt.key) })
			if !errors.Is(err, ErrInvalidName) {
				t.Errorf("Delete: got %v, want ErrInvalidName", err)
			}
			if tt.key != "k" {
				return // the rest take a namespace only
			}
			if err := v.Scan(tt.ns, "", func(string, []byte) error { return nil }); !errors.Is(err, ErrInvalidName) {
				t.Errorf("Scan: got %v, want ErrInvalidName", err)
			}
			if _, err := v.Keys(tt.ns, ""); !errors.Is(err, ErrInvalidName) {
				t.Errorf("Keys: got %v, want ErrInvalidName", err)
			}
			if err := v.DestroyNamespaces(tt.ns); !errors.Is(err, ErrInvalidName) {
				t.Errorf("DestroyNamespaces: got %v, want ErrInvalidName", err)
			}
		})
	}
	mustGet(t, v, "case-a", "report", "x")
	if rep := mustCheck(t, v); rep.Records != 1 {
		t.Errorf("Check: got %d records, want 1", rep.Records)
	}
}

// recordingHandler keeps the messages logged through it.
type recordingHandler struct {
	mu   *sync.Mutex
	msgs *[]string
}

func newRecordingLogger() (*slog.Logger, func() []string) {
	h := recordingHandler{mu: new(sync.Mutex), msgs: new([]string)}
	return slog.New(h), func() []string {
		h.mu.Lock()
		defer h.mu.Unlock()
		return slices.Clone(*h.msgs)
	}
}

func (h recordingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h recordingHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h recordingHandler) WithGroup(string) slog.Handler            { return h }
func (h recordingHandler) Handle(_ context.Context, r slog.Record) error {
	msg := r.Message
	r.Attrs(func(a slog.Attr) bool { msg += " " + a.String(); return true })
	h.mu.Lock()
	*h.msgs = append(*h.msgs, msg)
	h.mu.Unlock()
	return nil
}

func TestBadgerLogsGoToOurLogger(t *testing.T) {
	logger, messages := newRecordingLogger()
	dir := filepath.Join(t.TempDir(), "vault")
	v, _, err := Create(dir, []byte(testPassphrase), Options{Logger: logger})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	put(t, v, "case-a", "report", "x")
	lockVault(t, v)
	n := 0
	for _, m := range messages() {
		if strings.HasPrefix(m, "badger: ") {
			n++
		}
	}
	if n == 0 {
		t.Errorf("badger messages in our logger: got none of %d messages, want some (Badger's own logger must not replace ours)", len(messages()))
	}
}

// TestTreeStateSeesChanges shows that treeState, on which the "changes
// nothing" tests rely, notices a changed byte, a new file, a removed file
// and a renamed one.
func TestTreeStateSeesChanges(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a", "b"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("content"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	before := treeState(t, dir)
	changes := []struct {
		name   string
		change func() error
	}{
		{"byte", func() error { return os.WriteFile(filepath.Join(dir, "a"), []byte("contenT"), 0o600) }},
		{"new file", func() error { return os.WriteFile(filepath.Join(dir, "c"), nil, 0o600) }},
		{"new dir", func() error { return os.Mkdir(filepath.Join(dir, "d"), 0o700) }},
		{"removed", func() error { return os.Remove(filepath.Join(dir, "b")) }},
		{"renamed", func() error { return os.Rename(filepath.Join(dir, "a"), filepath.Join(dir, "e")) }},
	}
	for _, c := range changes {
		if err := c.change(); err != nil {
			t.Fatal(err)
		}
		if after := treeState(t, dir); maps.Equal(after, before) {
			t.Errorf("%s: got the same state, want a difference", c.name)
		}
		before = treeState(t, dir)
	}
}

// TestPutCost checks that PutCost errs high but not far: a write of records
// whose costs add up to MaxWrite commits, and one of a quarter more is
// refused with ErrTooBig.
func TestPutCost(t *testing.T) {
	if testing.Short() {
		t.Skip("writes some 30 MB")
	}
	const ns = "case.0123456789abcdef0123456789abcdef"
	for _, size := range []int{100, 2000, 25000} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			v, _, _ := newTestVault(t)
			v.SetActor(strings.Repeat("Long Actor Name ", 7)[:100])
			value := bytes.Repeat([]byte{'x'}, size)
			write := func(n int) error {
				return v.Update(func(tx *Tx) error {
					for i := range n {
						if err := tx.Put(ns, fmt.Sprintf("msg.%026d", i), value); err != nil {
							return err
						}
					}
					return nil
				})
			}
			n := MaxWrite / PutCost(ns, "msg.01234567890123456789012345", size)
			if err := write(n); err != nil {
				t.Fatalf("%d records of %d bytes, costing MaxWrite: %v", n, size, err)
			}
			if err := write(n + n/4); !errors.Is(err, ErrTooBig) {
				t.Fatalf("%d records of %d bytes, costing a quarter over MaxWrite: got %v, want ErrTooBig", n+n/4, size, err)
			}
		})
	}
	if c := PutCost(ns, "msg.01234567890123456789012345", 900<<10); c > 1<<10 {
		t.Errorf("a value in the value log costs %d bytes, want its key and a pointer", c)
	}
}

// TestPutRecordTooLarge: a record over what Badger keeps in one value is
// refused with ErrTooBig and a short sentence (Badger's own refusal
// carries the whole value), and nothing is written.
func TestPutRecordTooLarge(t *testing.T) {
	v, _, _ := newTestVault(t)
	for _, size := range []int{MaxRecord + 1, valueLogFileSize, 80 << 20} {
		err := v.Update(func(tx *Tx) error { return tx.Put("case-1", "huge", make([]byte, size)) })
		if !errors.Is(err, ErrRecordTooBig) || !errors.Is(err, ErrTooBig) || len(err.Error()) > 120 {
			t.Fatalf("%d MiB: got %.200v, want ErrRecordTooBig and ErrTooBig in a short sentence", size>>20, err)
		}
		if _, err := v.Get("case-1", "huge"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("%d MiB: the record: got %v, want ErrNotFound", size>>20, err)
		}
	}
	if err := v.Update(func(tx *Tx) error { return tx.Put("case-1", "largest", make([]byte, MaxRecord)) }); err != nil {
		t.Fatalf("a record of MaxRecord bytes: %v", err)
	}
	put(t, v, "case-1", "small", "still writes")
}
