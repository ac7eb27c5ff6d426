package vault

import (
	"bytes"
	"errors"
	"testing"
)

// TestWriteCacheHoldsOnlyWhatIsCommitted: the writer's cache of namespace
// keys must never hold a key that is not on disk, or the next write into
// that namespace would seal its record under a key nobody stored, and the
// record would be lost at the next unlock.
func TestWriteCacheHoldsOnlyWhatIsCommitted(t *testing.T) {
	errStop := errors.New("stop")
	cases := []struct {
		name string
		// fail makes one write that creates namespace "fresh" and fails
		// before or at its commit; it returns the error Update gave.
		fail func(v *Vault) error
		want error
	}{
		{"the change returns an error", func(v *Vault) error {
			return v.Update(func(tx *Tx) error {
				if err := tx.Put("fresh", "a", []byte("lost")); err != nil {
					return err
				}
				return errStop
			})
		}, errStop},
		{"the disk is too full to write", func(v *Vault) error {
			saved := diskReserve
			diskReserve = 1 << 62
			defer func() { diskReserve = saved }()
			return v.Update(func(tx *Tx) error { return tx.Put("fresh", "a", []byte("lost")) })
		}, ErrNoSpace},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, dir, _ := newTestVault(t)
			put(t, v, "other", "x", "kept") // a cached key and head beside it
			if err := c.fail(v); !errors.Is(err, c.want) {
				t.Fatalf("failing write: got %v, want %v", err, c.want)
			}
			if k := v.wc.key("fresh"); k != nil {
				t.Fatal("the cache holds the key of a namespace whose creation was not committed")
			}
			put(t, v, "fresh", "b", "kept too")
			put(t, v, "other", "y", "and this")
			lockVault(t, v)
			v2 := openTestVault(t, dir, testPassphrase)
			mustGet(t, v2, "fresh", "b", "kept too")
			mustGet(t, v2, "other", "x", "kept")
			mustGet(t, v2, "other", "y", "and this")
			if _, err := v2.Get("fresh", "a"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("the failed write's record: got %v, want ErrNotFound", err)
			}
			mustCheck(t, v2)
		})
	}
}

// TestWriteCacheForgetsDestroyedNamespace: a namespace destroyed and then
// written to again gets a new key, stored, not the destroyed one.
func TestWriteCacheForgetsDestroyedNamespace(t *testing.T) {
	v, dir, _ := newTestVault(t)
	put(t, v, "case-1", "report", "first life")
	old := v.wc.key("case-1")
	if old == nil {
		t.Fatal("a write did not cache its namespace's key")
	}
	if err := v.DestroyNamespaces("case-1"); err != nil {
		t.Fatalf("DestroyNamespaces: %v", err)
	}
	if !bytes.Equal(old, make([]byte, len(old))) {
		t.Error("the destroyed namespace's key was not zeroed in memory")
	}
	put(t, v, "case-1", "report", "second life")
	lockVault(t, v)
	v2 := openTestVault(t, dir, testPassphrase)
	mustGet(t, v2, "case-1", "report", "second life")
	mustCheck(t, v2)
}

// TestLockZeroesCachedKeys: the data keys the writer cached are zeroed
// when the vault locks, with the rest of its keys.
func TestLockZeroesCachedKeys(t *testing.T) {
	v, _, _ := newTestVault(t)
	put(t, v, "case-1", "report", "r")
	put(t, v, "case-2", "report", "r")
	var held [][]byte
	for _, k := range v.wc.nsKeys {
		held = append(held, k)
	}
	if len(held) != 2 {
		t.Fatalf("the cache holds %d keys, want 2", len(held))
	}
	lockVault(t, v)
	for _, k := range held {
		if !bytes.Equal(k, make([]byte, len(k))) {
			t.Fatal("a cached namespace key survived Lock")
		}
	}
	if len(v.wc.nsKeys) != 0 || v.wc.headOK {
		t.Fatal("the cache still holds keys or the audit head after Lock")
	}
}

// TestWriteCacheKeepsTheChain: many writes, some failing, some creating
// namespaces, leave an audit chain that Check accepts, with one entry per
// committed change.
func TestWriteCacheKeepsTheChain(t *testing.T) {
	v, dir, _ := newTestVault(t)
	errStop := errors.New("stop")
	before := len(auditKinds(t, v))
	for i := range 30 {
		ns := []string{"case-a", "case-b", "case-c"}[i%3]
		err := v.Update(func(tx *Tx) error {
			if err := tx.Put(ns, "k", []byte{byte(i)}); err != nil {
				return err
			}
			if i%4 == 3 {
				return errStop
			}
			return nil
		})
		if (i%4 == 3) != errors.Is(err, errStop) {
			t.Fatalf("write %d: got %v", i, err)
		}
	}
	// 30 writes, 7 of them failed; three namespaces created.
	if got, want := len(auditKinds(t, v))-before, 23+3; got != want {
		t.Fatalf("%d audit entries added, want %d", got, want)
	}
	lockVault(t, v)
	v2 := openTestVault(t, dir, testPassphrase)
	mustCheck(t, v2)
	mustGet(t, v2, "case-c", "k", string([]byte{29}))
}
