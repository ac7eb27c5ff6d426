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
// A vault made before the fingerprint was kept gets one at its first
// open; that is bookkeeping, like the audit head, and no entry.

// passSlotKey names the fingerprint of the passphrase slot the audit log
// last recorded, sealed like the audit head.
var passSlotKey = []byte{prefixMeta, 'p', 'a', 's', 's', '-', 's', 'l', 'o', 't'}

// The record field of a passphrase change recorded after the fact.
const (
	// passChangeLate: the header holds a slot the audit log does not
	// name, a change cut short by a crash after its header write.
	passChangeLate = "recorded at the next unlock"
	// passChangeAssumed: the fingerprint could not be read, so whether
	// the header's slot was recorded is not known.
	passChangeAssumed = "passphrase record unreadable: a change is assumed"
)

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
	return tx.set(passSlotKey, tx.v.sealPassSlot(h))
}

// sealPassSlot returns the stored fingerprint of h's passphrase slot.
func (v *Vault) sealPassSlot(h *header) []byte {
	return seal(v.keys.audit, slotFingerprint(h.slot(slotPassphrase)), v.auditAD(passSlotKey))
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

// unrecordedChange returns the record field of an entry for a passphrase
// change the audit log lacks, or "" if it lacks none: fp and ok are what
// readPassSlot gave, err its error, and h the header to compare with. A
// vault without a fingerprint lacks none that can be known.
func unrecordedChange(fp []byte, ok bool, err error, h *header) string {
	switch {
	case errors.Is(err, ErrCorrupt):
		return passChangeAssumed
	case !ok:
		return ""
	case subtle.ConstantTimeCompare(fp, slotFingerprint(h.slot(slotPassphrase))) != 1:
		return passChangeLate
	}
	return ""
}

// recordPassChange is called by every open, before anything else is
// written but the finishing of a destruction: if the header's passphrase
// slot is not the one the audit log last recorded, a passphrase change was
// cut short after its header write, and it is recorded now; if the
// fingerprint cannot be read, a change is recorded as assumed, and
// logged. A vault without a fingerprint gets one, with no entry.
func (v *Vault) recordPassChange() error {
	var fp []byte
	var ok bool
	err := v.db.View(func(txn *badger.Txn) error {
		var err error
		fp, ok, err = v.readPassSlot(txn)
		return err
	})
	if err != nil && !errors.Is(err, ErrCorrupt) {
		return err
	}
	v.wmu.Lock()
	defer v.wmu.Unlock()
	if !ok && err == nil {
		if err := checkRoom(v.dir, 0); err != nil {
			return err
		}
		return translate(v.db.Update(func(txn *badger.Txn) error {
			return txn.Set(passSlotKey, v.sealPassSlot(v.hdr))
		}), "passphrase record")
	}
	late := unrecordedChange(fp, ok, err, v.hdr)
	if late == "" {
		return nil
	}
	if late == passChangeAssumed {
		v.opts.Logger.Warn("vault: the passphrase record is unreadable; recording a passphrase change as assumed", "err", err)
	}
	return v.updateLocked(func(tx *Tx) error {
		tx.Record("passphrase.change", late)
		return tx.notePassSlot(v.hdr)
	})
}
