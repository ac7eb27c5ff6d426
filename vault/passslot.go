package vault

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"

	"github.com/dgraph-io/badger/v4"
)

// A passphrase change rewrites the header, a file of its own, and then
// records the change in the audit log, inside Badger: no write covers
// both. So that a crash between the two cannot leave a change the audit
// log does not name, the vault keeps, beside the audit log and in the same
// writes, the fingerprint of the passphrase slot the log last recorded.
// Every open compares it with the header's slot, and when they differ the
// change was cut short after its header write: the open records it then.

// passSlotKey names the fingerprint of the passphrase slot the audit log
// last recorded, sealed like the audit head.
var passSlotKey = []byte{prefixMeta, 'p', 'a', 's', 's', '-', 's', 'l', 'o', 't'}

// passChangeLate is the record field of a passphrase change recorded by
// the open after it, the change having been cut short by a crash.
const passChangeLate = "recorded at the next unlock"

// slotFingerprint identifies a key slot: every change draws a new salt.
func slotFingerprint(s *keySlot) []byte {
	h := sha256.New()
	h.Write([]byte("casebook passphrase slot\x00"))
	h.Write(s.Salt)
	h.Write(s.Wrapped)
	return h.Sum(nil)
}

// notePassSlot records, in tx, the header's passphrase slot as the one
// the audit log names.
func (tx *Tx) notePassSlot(h *header) error {
	fp := slotFingerprint(h.slot(slotPassphrase))
	return tx.set(passSlotKey, seal(tx.v.keys.audit, fp, tx.v.auditAD(passSlotKey)))
}

// readPassSlot returns the fingerprint the audit log last recorded; ok is
// false if the vault has none (one made before it was kept).
func (v *Vault) readPassSlot(txn *badger.Txn) (fp []byte, ok bool, err error) {
	item, err := txn.Get(passSlotKey)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, translate(err, "passphrase record")
	}
	stored, err := item.ValueCopy(nil)
	if err != nil {
		return nil, false, translate(err, "passphrase record")
	}
	fp, err = v.openPassSlot(stored)
	return fp, err == nil, err
}

func (v *Vault) openPassSlot(stored []byte) ([]byte, error) {
	fp, err := open(v.keys.audit, stored, v.auditAD(passSlotKey))
	if err != nil {
		return nil, corrupt("passphrase record", err)
	}
	return fp, nil
}

// recordPassChange is called by every open, before anything else is
// written but the finishing of a destruction: if the header's passphrase
// slot is not the one the audit log last recorded, a passphrase change was
// cut short after its header write, and it is recorded now. A vault that
// keeps no fingerprint, made before it was kept, is left as it is until
// its next passphrase change: the open writes nothing. An unreadable
// fingerprint is taken as a change (and rewritten): no change goes
// unrecorded, and Check reports the damage until then.
func (v *Vault) recordPassChange() error {
	var fp []byte
	var ok bool
	err := v.db.View(func(txn *badger.Txn) error {
		var err error
		fp, ok, err = v.readPassSlot(txn)
		return err
	})
	unreadable := errors.Is(err, ErrCorrupt)
	if err != nil && !unreadable {
		return err
	}
	if !ok && !unreadable || ok && subtle.ConstantTimeCompare(fp, slotFingerprint(v.hdr.slot(slotPassphrase))) == 1 {
		return nil
	}
	v.wmu.Lock()
	defer v.wmu.Unlock()
	return v.updateLocked(func(tx *Tx) error {
		tx.Record("passphrase.change", passChangeLate)
		return tx.notePassSlot(v.hdr)
	})
}
