package vault

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"
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
	v, code, err := Create(dir, []byte("correct horse"), Options{Actor: "tester"})
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
