package vault

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
	"golang.org/x/crypto/chacha20poly1305"
)

// Prefixes of Badger keys. See doc.go.
const (
	prefixMeta      = 'm'
	prefixNamespace = 'n'
	prefixRecord    = 'r'
	prefixAudit     = 'a'
	prefixDestroyed = 'd'
)

func nsKeyName(ns string) []byte { return append([]byte{prefixNamespace}, ns...) }

func recordPrefix(ns string) []byte {
	b := make([]byte, 0, 2+len(ns))
	b = append(b, prefixRecord)
	b = append(b, ns...)
	return append(b, 0)
}

func recordKeyName(ns, key string) []byte { return append(recordPrefix(ns), key...) }

func recordAD(vaultID []byte, ns, key string) []byte {
	return ad([]byte("record"), vaultID, []byte(ns), []byte(key))
}

func namespaceAD(vaultID []byte, ns string, epoch uint32) []byte {
	return ad([]byte("namespace key"), vaultID, []byte(ns), binary.BigEndian.AppendUint32(nil, epoch))
}

// sealNSKey seals a namespace's data key under the current epoch key:
// epoch ‖ seal(epoch key, data key).
func (v *Vault) sealNSKey(ns string, key []byte) []byte {
	e := v.ring.current
	out := binary.BigEndian.AppendUint32(nil, e)
	return append(out, seal(v.ring.epochs[e], key, namespaceAD(v.vaultID, ns, e))...)
}

func (v *Vault) openNSKey(ns string, stored []byte) ([]byte, error) {
	if len(stored) < 4 {
		return nil, corrupt("namespace "+ns, errors.New("key record too short"))
	}
	e := binary.BigEndian.Uint32(stored)
	ek := v.ring.epochs[e]
	if ek == nil {
		return nil, corrupt("namespace "+ns, fmt.Errorf("key epoch %d unknown", e))
	}
	k, err := open(ek, stored[4:], namespaceAD(v.vaultID, ns, e))
	if err != nil || len(k) != keySize {
		return nil, corrupt("namespace "+ns, errUnauthenticated)
	}
	return k, nil
}

// nsKey returns the data key of namespace ns as seen by txn, or ErrNotFound.
func (v *Vault) nsKey(txn *badger.Txn, ns string) ([]byte, error) {
	item, err := txn.Get(nsKeyName(ns))
	if err != nil {
		return nil, translate(err, "namespace "+ns)
	}
	stored, err := item.ValueCopy(nil)
	if err != nil {
		return nil, translate(err, "namespace "+ns)
	}
	return v.openNSKey(ns, stored)
}

func (v *Vault) openRecord(nsKey []byte, ns, key string, stored []byte) ([]byte, error) {
	pt, err := open(nsKey, stored, recordAD(v.vaultID, ns, key))
	if err != nil {
		return nil, corrupt(ns+"/"+key, err)
	}
	return pt, nil
}

func (v *Vault) getIn(txn *badger.Txn, ns, key string) ([]byte, error) {
	if err := checkName(ns, key); err != nil {
		return nil, err
	}
	k, err := v.nsKey(txn, ns)
	if err != nil {
		return nil, err
	}
	defer zero(k)
	item, err := txn.Get(recordKeyName(ns, key))
	if err != nil {
		return nil, translate(err, ns+"/"+key)
	}
	stored, err := item.ValueCopy(nil)
	if err != nil {
		return nil, translate(err, ns+"/"+key)
	}
	return v.openRecord(k, ns, key, stored)
}

// view runs fn in a read-only snapshot, turning a panic of the storage
// engine over a damaged file into ErrCorrupt.
func (v *Vault) view(fn func(txn *badger.Txn) error) (err error) {
	release, err := v.use()
	if err != nil {
		return err
	}
	defer release()
	defer func() {
		if r := recover(); r != nil {
			err = corrupt("data", fmt.Errorf("storage engine failed: %v", r))
		}
	}()
	return translate(v.db.View(fn), "data")
}

// Get returns the value of record key in namespace ns. A missing record or
// namespace gives ErrNotFound; a value that fails authentication gives a
// *CorruptError, never altered bytes.
func (v *Vault) Get(ns, key string) (value []byte, err error) {
	err = v.view(func(txn *badger.Txn) error {
		value, err = v.getIn(txn, ns, key)
		return err
	})
	return value, err
}

// Scan calls fn for each record of namespace ns whose key starts with
// prefix, in key order, with its decrypted value. fn may keep value. A
// non-nil error from fn stops the scan and is returned.
func (v *Vault) Scan(ns, prefix string, fn func(key string, value []byte) error) error {
	return v.scan(ns, prefix, nil, fn)
}

// ScanWhere is Scan over the records whose keys want accepts; the others
// are passed over without reading or decrypting their values.
func (v *Vault) ScanWhere(ns, prefix string, want func(key string) bool, fn func(key string, value []byte) error) error {
	return v.scan(ns, prefix, want, fn)
}

// scan is Scan, and ScanWhere when want is not nil.
func (v *Vault) scan(ns, prefix string, want func(key string) bool, fn func(key string, value []byte) error) error {
	if err := checkName(ns, "-"); err != nil {
		return err
	}
	return v.view(func(txn *badger.Txn) error {
		k, err := v.nsKey(txn, ns)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		defer zero(k)
		base := recordPrefix(ns)
		// Values are read ahead only when every one is wanted.
		it := txn.NewIterator(badger.IteratorOptions{Prefix: append(bytes.Clone(base), prefix...), PrefetchValues: want == nil, PrefetchSize: 64})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			key := string(item.Key()[len(base):])
			if want != nil && !want(key) {
				continue
			}
			stored, err := item.ValueCopy(nil)
			if err != nil {
				return translate(err, ns+"/"+key)
			}
			pt, err := v.openRecord(k, ns, key, stored)
			if err != nil {
				return err
			}
			if err := fn(key, pt); err != nil {
				return err
			}
		}
		return nil
	})
}

// Keys lists the keys in namespace ns that start with prefix, in order,
// without decrypting any value.
func (v *Vault) Keys(ns, prefix string) ([]string, error) {
	if err := checkName(ns, "-"); err != nil {
		return nil, err
	}
	var keys []string
	err := v.view(func(txn *badger.Txn) error {
		base := recordPrefix(ns)
		keys = listKeys(txn, append(bytes.Clone(base), prefix...), len(base))
		return nil
	})
	return keys, err
}

// Namespaces lists the namespaces that exist, in order.
func (v *Vault) Namespaces() ([]string, error) {
	var names []string
	err := v.view(func(txn *badger.Txn) error {
		names = listKeys(txn, []byte{prefixNamespace}, 1)
		return nil
	})
	return names, err
}

func listKeys(txn *badger.Txn, prefix []byte, strip int) []string {
	var out []string
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		out = append(out, string(it.Item().Key()[strip:]))
	}
	return out
}

// Tx is one atomic change to the vault, made inside Update. Every change it
// makes is recorded in the audit log when it commits.
type Tx struct {
	v       *Vault
	txn     *badger.Txn
	entries []pendingEntry
	size    int64 // bytes of keys and values set, for checkRoom
	// nsKeys are the namespace keys this transaction read or created,
	// handed to the writer's cache when it commits and zeroed if it does
	// not.
	nsKeys map[string][]byte
}

type pendingEntry struct{ kind, record string }

// Get reads a record as this transaction sees it.
func (tx *Tx) Get(ns, key string) ([]byte, error) {
	return tx.v.getIn(tx.txn, ns, key)
}

// Put stores value under key in namespace ns, sealed with the namespace's
// data key. The namespace is created, with a fresh key, if it is new.
func (tx *Tx) Put(ns, key string, value []byte) error {
	if err := checkName(ns, key); err != nil {
		return err
	}
	if len(value) > MaxRecord {
		// Badger would refuse it with the whole value in its message.
		return fmt.Errorf("%w: %w: one of %d MiB, over the %d MiB a record may hold", ErrTooBig, ErrRecordTooBig, len(value)>>20, MaxRecord>>20)
	}
	k, err := tx.nsKey(ns)
	if err != nil {
		return err
	}
	rk := recordKeyName(ns, key)
	kind := "create"
	if _, err := tx.txn.Get(rk); err == nil {
		kind = "update"
	} else if !errors.Is(err, badger.ErrKeyNotFound) {
		return translate(err, ns+"/"+key)
	}
	if err := tx.set(rk, seal(k, value, recordAD(tx.v.vaultID, ns, key))); err != nil {
		return err
	}
	tx.Record(kind, ns+"/"+key)
	return nil
}

// nsKey returns the data key of ns for a write, and creates the namespace,
// with a fresh key, if it is new. It looks in this transaction first, then
// in the writer's cache, then in Badger. The key belongs to the
// transaction or the cache: the caller must not keep or zero it.
func (tx *Tx) nsKey(ns string) ([]byte, error) {
	if k := tx.nsKeys[ns]; k != nil {
		return k, nil
	}
	if k := tx.v.wc.key(ns); k != nil {
		return k, nil
	}
	k, err := tx.v.nsKey(tx.txn, ns)
	if errors.Is(err, ErrNotFound) {
		k = randomBytes(keySize)
		if err := tx.set(nsKeyName(ns), tx.v.sealNSKey(ns, k)); err != nil {
			zero(k)
			return nil, err
		}
		tx.Record("namespace.create", ns)
	} else if err != nil {
		return nil, err
	}
	if tx.nsKeys == nil {
		tx.nsKeys = make(map[string][]byte)
	}
	tx.nsKeys[ns] = k
	return k, nil
}

// PutCost is about what putting a value of size bytes under ns/key counts
// against MaxWrite, with its audit entry, erring high (for an acting
// member's name of up to 100 bytes): a caller that has more to write than
// one write holds can plan several with it. A value kept in the value log
// (over 64 KiB) counts only its key and a pointer.
func PutCost(ns, key string, size int) int {
	sealed := 1 + nonceSize + size + chacha20poly1305.Overhead
	if sealed >= valueThreshold {
		sealed = 12 // Badger's value pointer
	}
	// Badger counts each entry's meta bytes and 10 more. An audit entry
	// holds the record's name, the time, the actor, two hashes, sealed:
	// some 450 bytes besides the name with an actor's name of 100 bytes.
	const entry, audit = 16, 450
	return len(recordKeyName(ns, key)) + sealed + entry + audit + len(ns) + len(key)
}

// Delete removes a record. Deleting a record that does not exist does
// nothing.
func (tx *Tx) Delete(ns, key string) error {
	if err := checkName(ns, key); err != nil {
		return err
	}
	rk := recordKeyName(ns, key)
	if _, err := tx.txn.Get(rk); errors.Is(err, badger.ErrKeyNotFound) {
		return nil
	} else if err != nil {
		return translate(err, ns+"/"+key)
	}
	if err := translate(tx.txn.Delete(rk), ns+"/"+key); err != nil {
		return err
	}
	tx.Record("delete", ns+"/"+key)
	return nil
}

// Record adds an audit entry of the given kind about record (an
// identifier, never content) to this transaction, for changes that the
// vault cannot see itself, such as an export.
func (tx *Tx) Record(kind, record string) {
	tx.entries = append(tx.entries, pendingEntry{kind: kind, record: record})
}

func (tx *Tx) set(key, value []byte) error {
	tx.size += int64(len(key) + len(value))
	return translate(tx.txn.Set(key, value), "data")
}

// Update runs fn as one atomic, synced change: when Update returns nil the
// change is on disk and survives a crash or power cut; when fn or the
// commit fails, nothing is changed.
func (v *Vault) Update(fn func(*Tx) error) error {
	release, err := v.use()
	if err != nil {
		return err
	}
	defer release()
	v.wmu.Lock()
	defer v.wmu.Unlock()
	return v.updateLocked(fn)
}

// updateLocked is Update for callers that hold v.mu (read) and v.wmu.
func (v *Vault) updateLocked(fn func(*Tx) error) error {
	txn := v.db.NewTransaction(true)
	defer txn.Discard()
	tx := &Tx{v: v, txn: txn}
	defer func() {
		for _, k := range tx.nsKeys {
			zero(k)
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	if len(tx.entries) == 0 {
		return nil
	}
	// The write-ahead log and, later, a table and a compaction take the
	// change's bytes again and again: twice is a generous estimate beside
	// the reserve.
	if err := checkRoom(v.dir, 2*tx.size); err != nil {
		return err
	}
	head, err := v.appendAudit(txn, tx.entries)
	if err != nil {
		return err
	}
	if err := translate(txn.Commit(), "data"); err != nil {
		v.wc.headOK = false // read it again rather than trust a commit that failed
		return err
	}
	v.wc.committed(head, tx.nsKeys)
	tx.nsKeys = nil
	v.writeMark(head)
	return nil
}
