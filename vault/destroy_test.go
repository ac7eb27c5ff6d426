package vault

import (
	"bytes"
	"encoding/binary"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/dgraph-io/badger/v4"
)

// rawValue reads the stored (sealed) bytes of a Badger key, bypassing the
// vault's decryption.
func rawValue(t *testing.T, v *Vault, key []byte) []byte {
	t.Helper()
	var out []byte
	err := v.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(key)
		if err != nil {
			return err
		}
		out, err = item.ValueCopy(nil)
		return err
	})
	if err != nil {
		t.Fatalf("read %q: %v", key, err)
	}
	return out
}

// rawKeys lists the Badger keys that start with prefix.
func rawKeys(t *testing.T, v *Vault, prefix []byte) [][]byte {
	t.Helper()
	var keys [][]byte
	err := v.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			keys = append(keys, it.Item().KeyCopy(nil))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("list %q: %v", prefix, err)
	}
	return keys
}

// assertShredded shows that the sealed data key and record captured before
// a namespace was destroyed can no longer be opened: not through
// openNSKey, and not with any epoch key the vault still has, in memory or in
// its keyring file, under any epoch number.
func assertShredded(t *testing.T, v *Vault, ns string, sealedKey, sealedRecord []byte, recordKey string) {
	t.Helper()
	if k, err := v.openNSKey(ns, sealedKey); err == nil {
		t.Fatalf("openNSKey of the destroyed key: got a %d-byte key, want an error", len(k))
	}
	onDisk, err := loadKeyring(filepath.Join(v.dir, keyringFile), v.master, v.hdr.VaultID)
	if err != nil {
		t.Fatalf("loadKeyring: %v", err)
	}
	defer onDisk.wipe()
	oldEpoch := binary.BigEndian.Uint32(sealedKey)
	for _, ring := range []*keyring{v.ring, onDisk} {
		for id, ek := range ring.epochs {
			for _, e := range []uint32{id, oldEpoch} {
				if _, err := open(ek, sealedKey[4:], namespaceAD(v.hdr.VaultID, ns, e)); err == nil {
					t.Errorf("destroyed namespace key opened with epoch key %d as epoch %d; want no key to open it", id, e)
				}
			}
			if _, err := open(ek, sealedRecord, recordAD(v.hdr.VaultID, ns, recordKey)); err == nil {
				t.Errorf("destroyed record opened with epoch key %d; want no key to open it", id)
			}
		}
	}
}

func TestDestroyNamespaces(t *testing.T) {
	v, dir, _ := newTestVault(t)
	put(t, v, "case-keep", "report", "kept")
	put(t, v, "case-gone", "report", "to be destroyed")
	put(t, v, "case-gone", "msg/0001", "also destroyed")
	put(t, v, "case-gone-too", "report", "destroyed as well")
	sealedKey := rawValue(t, v, nsKeyName("case-gone"))
	sealedRecord := rawValue(t, v, recordKeyName("case-gone", "report"))
	// Captured before: the vault itself can open them.
	k, err := v.openNSKey("case-gone", sealedKey)
	if err != nil {
		t.Fatalf("openNSKey before destroy: %v", err)
	}
	if pt, err := v.openRecord(k, "case-gone", "report", sealedRecord); err != nil || string(pt) != "to be destroyed" {
		t.Fatalf("openRecord before destroy: got %q, %v", pt, err)
	}
	zero(k)
	oldEpoch := v.ring.current

	if err := v.DestroyNamespaces("case-gone", "case-gone-too", "no-such-case"); err != nil {
		t.Fatalf("DestroyNamespaces: got %v, want nil", err)
	}
	check := func(v *Vault) {
		t.Helper()
		for _, r := range []tamperRecord{{"case-gone", "report"}, {"case-gone", "msg/0001"}, {"case-gone-too", "report"}} {
			if _, err := v.Get(r.ns, r.key); !errors.Is(err, ErrNotFound) {
				t.Errorf("Get(%s, %s): got %v, want ErrNotFound", r.ns, r.key, err)
			}
		}
		if keys, err := v.Keys("case-gone", ""); err != nil || len(keys) != 0 {
			t.Errorf("Keys(case-gone): got %v, %v; want none", keys, err)
		}
		if names, _ := v.Namespaces(); !slices.Equal(names, []string{"case-keep"}) {
			t.Errorf("Namespaces: got %v, want [case-keep]", names)
		}
		mustGet(t, v, "case-keep", "report", "kept")
		if len(v.ring.epochs) != 1 || v.ring.epochs[oldEpoch] != nil {
			t.Errorf("keyring: got %d epochs (current %d), want one, not %d", len(v.ring.epochs), v.ring.current, oldEpoch)
		}
		onDisk, err := loadKeyring(filepath.Join(v.dir, keyringFile), v.master, v.hdr.VaultID)
		if err != nil {
			t.Fatalf("loadKeyring: %v", err)
		}
		if len(onDisk.epochs) != 1 || onDisk.current != v.ring.current {
			t.Errorf("keyring file: got %d epochs (current %d), want one (current %d)", len(onDisk.epochs), onDisk.current, v.ring.current)
		}
		onDisk.wipe()
		for _, prefix := range [][]byte{{prefixDestroyed}, recordPrefix("case-gone"), nsKeyName("case-gone")} {
			if keys := rawKeys(t, v, prefix); len(keys) != 0 {
				t.Errorf("stored keys under %q: got %q, want none", prefix, keys)
			}
		}
		if rep := mustCheck(t, v); rep.Namespaces != 1 || rep.Records != 1 {
			t.Errorf("Check: got %d records in %d namespaces, want 1 in 1", rep.Records, rep.Namespaces)
		}
		entries, err := v.Audit()
		if err != nil {
			t.Fatalf("Audit: %v", err)
		}
		var destroyed []string
		rotations := 0
		for _, e := range entries {
			switch e.Kind {
			case "namespace.destroy":
				destroyed = append(destroyed, e.Record)
			case "keys.rotate":
				rotations++
			}
		}
		if !slices.Equal(destroyed, []string{"case-gone", "case-gone-too"}) || rotations != 1 {
			t.Errorf("audit: got destroyed %v and %d rotations, want [case-gone case-gone-too] and 1", destroyed, rotations)
		}
		assertShredded(t, v, "case-gone", sealedKey, sealedRecord, "report")
	}
	check(v)
	// Compacting rewrites the store's files without the deleted records.
	if err := v.Compact(); err != nil {
		t.Fatalf("Compact: got %v, want nil", err)
	}
	check(v)
	lockVault(t, v)
	v = openTestVault(t, dir, testPassphrase)
	check(v)
	// A namespace of the same name starts afresh, under a new key.
	put(t, v, "case-gone", "report", "a new case")
	if bytes.Equal(rawValue(t, v, nsKeyName("case-gone"))[4:], sealedKey[4:]) {
		t.Errorf("recreated namespace key: got the destroyed one, want a new one")
	}
	mustCheck(t, v)
}

// TestDestroyResumesAfterCrash stops DestroyNamespaces after its first
// transaction, and after the first keyring write of a rotation, as a crash
// would, and checks that the next Open completes the work.
func TestDestroyResumesAfterCrash(t *testing.T) {
	t.Run("after the marker", func(t *testing.T) {
		v, dir, _ := newTestVault(t)
		put(t, v, "case-keep", "report", "kept")
		put(t, v, "case-gone", "report", "to be destroyed")
		put(t, v, "case-gone", "msg/0001", "also destroyed")
		sealedKey := rawValue(t, v, nsKeyName("case-gone"))
		sealedRecord := rawValue(t, v, recordKeyName("case-gone", "report"))
		release, err := v.use()
		if err != nil {
			t.Fatal(err)
		}
		v.wmu.Lock()
		err = v.markDestroyed([]string{"case-gone"})
		v.wmu.Unlock()
		release()
		if err != nil {
			t.Fatalf("markDestroyed: %v", err)
		}
		if got := len(rawKeys(t, v, recordPrefix("case-gone"))); got != 2 {
			t.Fatalf("records before the sweep: got %d, want 2", got)
		}
		lockVault(t, v) // the crash: no sweep, no rotation

		v = openTestVault(t, dir, testPassphrase)
		if keys := rawKeys(t, v, recordPrefix("case-gone")); len(keys) != 0 {
			t.Errorf("records after reopening: got %q, want none", keys)
		}
		if keys := rawKeys(t, v, []byte{prefixDestroyed}); len(keys) != 0 {
			t.Errorf("markers after reopening: got %q, want none", keys)
		}
		if len(v.ring.epochs) != 1 || v.ring.current == binary.BigEndian.Uint32(sealedKey) {
			t.Errorf("keyring: got %d epochs, current %d; want one new epoch", len(v.ring.epochs), v.ring.current)
		}
		if kinds := auditKinds(t, v); kinds[len(kinds)-1] != "keys.rotate" {
			t.Errorf("audit: got %v, want keys.rotate last", kinds)
		}
		mustGet(t, v, "case-keep", "report", "kept")
		mustCheck(t, v)
		assertShredded(t, v, "case-gone", sealedKey, sealedRecord, "report")
	})
	t.Run("during the rotation", func(t *testing.T) {
		v, dir, _ := newTestVault(t)
		put(t, v, "case-keep", "report", "kept")
		// The first step of rotateEpoch: a keyring holding the old and a new
		// epoch key, the namespace keys not yet moved.
		old := v.ring.current
		v.ring.epochs[old+1] = randomBytes(keySize)
		v.ring.current = old + 1
		if err := v.ring.save(filepath.Join(v.dir, keyringFile), v.master, v.hdr.VaultID); err != nil {
			t.Fatal(err)
		}
		lockVault(t, v)

		v = openTestVault(t, dir, testPassphrase)
		if len(v.ring.epochs) != 1 || v.ring.epochs[old] != nil || v.ring.epochs[old+1] != nil {
			t.Errorf("keyring after reopening: got %d epochs (current %d), want one newer than %d", len(v.ring.epochs), v.ring.current, old+1)
		}
		if e := binary.BigEndian.Uint32(rawValue(t, v, nsKeyName("case-keep"))); e != v.ring.current {
			t.Errorf("namespace key epoch: got %d, want %d", e, v.ring.current)
		}
		mustGet(t, v, "case-keep", "report", "kept")
		mustCheck(t, v)
	})
}

// versions counts every version Badger still holds of keys starting with
// prefix, deleted ones included.
func versions(t *testing.T, v *Vault, prefix []byte) int {
	t.Helper()
	n := 0
	err := v.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, AllVersions: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatalf("versions of %q: %v", prefix, err)
	}
	return n
}

// TestDestroyDropsEveryVersion shows that destroying a namespace removes
// every version of its records from the storage engine, not only the
// current one: deleting a record alone leaves its old version behind.
func TestDestroyDropsEveryVersion(t *testing.T) {
	v, dir, _ := newTestVault(t)
	put(t, v, "case-keep", "report", "kept, version 1")
	put(t, v, "case-keep", "report", "kept, version 2")
	put(t, v, "case-keep", "old", "deleted normally")
	put(t, v, "case-gone", "report", "to be destroyed, version 1")
	put(t, v, "case-gone", "report", "to be destroyed, version 2")
	put(t, v, "case-gone", "msg/0001", "also destroyed")
	if err := v.Update(func(tx *Tx) error { return tx.Delete("case-keep", "old") }); err != nil {
		t.Fatal(err)
	}
	// The control: Badger keeps old and deleted versions, and the
	// iterator sees them.
	if n := versions(t, v, recordPrefix("case-gone")); n < 3 {
		t.Fatalf("versions before destroying: got %d, want at least 3", n)
	}
	if n := versions(t, v, recordKeyName("case-keep", "old")); n < 2 {
		t.Fatalf("versions of a deleted record: got %d, want at least 2 (the value and the deletion)", n)
	}
	if err := v.DestroyNamespaces("case-gone"); err != nil {
		t.Fatal(err)
	}
	if n := versions(t, v, recordPrefix("case-gone")); n != 0 {
		t.Errorf("versions after destroying: got %d, want none", n)
	}
	mustGet(t, v, "case-keep", "report", "kept, version 2")
	mustCheck(t, v)
	lockVault(t, v)
	v = openTestVault(t, dir, testPassphrase)
	if n := versions(t, v, recordPrefix("case-gone")); n != 0 {
		t.Errorf("versions after reopening: got %d, want none", n)
	}
	mustGet(t, v, "case-keep", "report", "kept, version 2")
}
