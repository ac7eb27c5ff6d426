package vault

import (
	"bytes"
	"errors"
	"maps"
	"path/filepath"
	"slices"

	"github.com/dgraph-io/badger/v4"
)

// batchSize bounds the changes of one internal write, well below Badger's
// limit on a transaction.
const batchSize = 1000

func destroyedKeyName(ns string) []byte { return append([]byte{prefixDestroyed}, ns...) }

// DestroyNamespaces destroys namespaces for good (crypto-shredding): each
// one's data key is deleted, its records are deleted, and every surviving
// namespace key is moved under a fresh epoch key before the old epoch key is
// forgotten. Afterwards no copy of the namespaces' records that Badger's
// log-structured files may still hold can be decrypted, even with the
// passphrase. Unknown namespaces are ignored. If the process dies midway,
// the next Open finishes the job.
func (v *Vault) DestroyNamespaces(names ...string) error {
	release, err := v.use()
	if err != nil {
		return err
	}
	defer release()
	v.wmu.Lock()
	defer v.wmu.Unlock()
	if err := v.markDestroyed(names); err != nil {
		return err
	}
	return v.finishDestroy()
}

// markDestroyed is the first step of DestroyNamespaces: in one transaction,
// it deletes each namespace's data key and leaves a marker for
// finishDestroy. The caller holds v.mu (read) and v.wmu.
func (v *Vault) markDestroyed(names []string) error {
	return v.updateLocked(func(tx *Tx) error {
		for _, ns := range names {
			if err := checkName(ns, "-"); err != nil {
				return err
			}
			// Forgotten before the key is deleted: if the deletion
			// fails, the next write reads the key again.
			v.wc.drop(ns)
			if _, err := tx.txn.Get(nsKeyName(ns)); errors.Is(err, badger.ErrKeyNotFound) {
				continue
			} else if err != nil {
				return translate(err, "namespace "+ns)
			}
			if err := translate(tx.txn.Delete(nsKeyName(ns)), "namespace "+ns); err != nil {
				return err
			}
			if err := tx.set(destroyedKeyName(ns), nil); err != nil {
				return err
			}
			tx.Record("namespace.destroy", ns)
		}
		return nil
	})
}

// finishDestroy completes destructions begun earlier: it deletes the
// records of destroyed namespaces, rotates the epoch key, and then clears
// the markers. Every step can be repeated safely after a crash.
func (v *Vault) finishDestroy() error {
	var pending []string
	err := v.db.View(func(txn *badger.Txn) error {
		pending = listKeys(txn, []byte{prefixDestroyed}, 1)
		return nil
	})
	if err != nil {
		return translate(err, "data")
	}
	if len(pending) == 0 && len(v.ring.epochs) == 1 {
		return nil
	}
	v.dropRecords(pending)
	for _, ns := range pending {
		if err := v.deletePrefix(recordPrefix(ns)); err != nil {
			return err
		}
	}
	if err := v.rotateEpoch(); err != nil {
		return err
	}
	markers := make([][]byte, 0, len(pending))
	for _, ns := range pending {
		markers = append(markers, destroyedKeyName(ns))
	}
	return v.writeBatches(markers, func(txn *badger.Txn, k []byte) error { return txn.Delete(k) })
}

// dropRecords removes the destroyed namespaces' records from the storage
// engine's files, every version of them: the write-ahead log is flushed
// and the tables holding them are rewritten without them (Badger's
// DropPrefix, which sees only namespaces that still have records, so it
// runs before deletePrefix). Values large enough to live in Badger's value
// log stay there, sealed under the destroyed key, until value-log garbage
// collection rewrites their file (Compact). It is a courtesy on top of
// crypto-shredding, which alone makes the records unreadable; a failure
// is logged and otherwise ignored.
func (v *Vault) dropRecords(names []string) {
	if len(names) == 0 {
		return
	}
	prefixes := make([][]byte, len(names))
	for i, ns := range names {
		prefixes[i] = recordPrefix(ns)
	}
	if err := v.db.DropPrefix(prefixes...); err != nil {
		v.opts.Logger.Warn("vault: could not drop destroyed records from the storage files; they stay unreadable", "error", err)
	}
}

// deletePrefix deletes every key starting with prefix, in batches.
func (v *Vault) deletePrefix(prefix []byte) error {
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
		return translate(err, "data")
	}
	return v.writeBatches(keys, func(txn *badger.Txn, k []byte) error { return txn.Delete(k) })
}

// writeBatches applies op to every key, batchSize keys per synced write.
func (v *Vault) writeBatches(keys [][]byte, op func(*badger.Txn, []byte) error) error {
	for start := 0; start < len(keys); start += batchSize {
		chunk := keys[start:min(start+batchSize, len(keys))]
		if err := checkRoom(v.dir, 0); err != nil {
			return err
		}
		err := v.db.Update(func(txn *badger.Txn) error {
			for _, k := range chunk {
				if err := op(txn, k); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return translate(err, "data")
		}
	}
	return nil
}

// rotateEpoch moves every namespace key under a new epoch key and then
// forgets all older epoch keys. The keyring file is written first with both
// the old and the new keys, so a crash at any point leaves every namespace
// key readable.
func (v *Vault) rotateEpoch() error {
	path := filepath.Join(v.dir, keyringFile)
	next := slices.Max(slices.Collect(maps.Keys(v.ring.epochs))) + 1
	v.ring.epochs[next] = randomBytes(keySize)
	v.ring.current = next
	if err := v.ring.save(path, v.master, v.vaultID); err != nil {
		return err
	}
	var names [][]byte
	err := v.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixNamespace}})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			names = append(names, it.Item().KeyCopy(nil))
		}
		return nil
	})
	if err != nil {
		return translate(err, "data")
	}
	err = v.writeBatches(names, func(txn *badger.Txn, name []byte) error {
		ns := string(name[1:])
		k, err := v.nsKey(txn, ns)
		if err != nil {
			return err
		}
		defer zero(k)
		return txn.Set(bytes.Clone(name), v.sealNSKey(ns, k))
	})
	if err != nil {
		return err
	}
	for id, k := range v.ring.epochs {
		if id != next {
			zero(k)
			delete(v.ring.epochs, id)
		}
	}
	if err := v.ring.save(path, v.master, v.vaultID); err != nil {
		return err
	}
	return v.updateLocked(func(tx *Tx) error {
		tx.Record("keys.rotate", "")
		return nil
	})
}

// Compact asks the storage engine to rewrite its files without deleted
// data, so that the vault's files shrink after records are destroyed.
func (v *Vault) Compact() error {
	release, err := v.use()
	if err != nil {
		return err
	}
	defer release()
	v.wmu.Lock()
	defer v.wmu.Unlock()
	if err := v.db.Flatten(2); err != nil {
		return translate(err, "data")
	}
	for {
		err := v.db.RunValueLogGC(0.01)
		if errors.Is(err, badger.ErrNoRewrite) || errors.Is(err, badger.ErrGCInMemoryMode) {
			return nil
		}
		if err != nil {
			return translate(err, "data")
		}
	}
}
