package vault

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/dgraph-io/badger/v4"
)

// The high-water mark. Badger keeps the newest changes in its write-ahead
// log (data/NNNNN.mem) until it writes them into a table. When that log is
// deleted, emptied, or damaged part-way, Badger replays what it can and
// opens at an older state without a word: every record and audit entry
// since is gone, and the audit chain, cut cleanly, still checks.
//
// So after every committed change the vault writes the number and hash of
// its newest audit entry, sealed under the audit key and bound to the
// vault's identity, into its lock file, which it holds open anyway. Open
// and Check compare the mark with the audit head: a head behind the mark is
// a vault that lost changes it had acknowledged, and is reported as damage.
//
// The mark is written after the change is synced and is not synced itself
// (that would double the cost of a write): after a power cut it may lag
// behind the data, which is harmless, but never run ahead of it. An empty
// lock file (a new vault, a restored one, one written by an older Casebook)
// has no mark and asks nothing.

const markPlainSize = 8 + 32 // sequence number, SHA-256 of the entry

func (v *Vault) markAD() []byte { return ad([]byte("high-water mark"), v.vaultID) }

// writeMark records head in the lock file. It never fails the change that
// was just committed: a mark that could not be written only lags.
func (v *Vault) writeMark(head auditHead) {
	if v.lock == nil || v.lock.f == nil {
		return // Create and Restore, before the vault is in place
	}
	hash, err := hex.DecodeString(head.Hash)
	if err != nil || len(hash) != 32 {
		return
	}
	pt := binary.BigEndian.AppendUint64(make([]byte, 0, markPlainSize), head.Seq)
	pt = append(pt, hash...)
	if _, err := v.lock.f.WriteAt(seal(v.keys.audit, pt, v.markAD()), 0); err != nil {
		v.opts.Logger.Warn("vault: could not update the high-water mark", "err", err)
	}
}

// readMark returns the mark in the lock file; ok is false when there is
// none. A mark that fails authentication is damage.
func (v *Vault) readMark() (mark auditHead, ok bool, err error) {
	if v.lock == nil || v.lock.f == nil {
		return mark, false, nil
	}
	buf := make([]byte, 256)
	n, err := v.lock.f.ReadAt(buf, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return mark, false, fmt.Errorf("read the lock file: %w", err)
	}
	if n == 0 {
		return mark, false, nil
	}
	pt, err := open(v.keys.audit, buf[:n], v.markAD())
	if err != nil || len(pt) != markPlainSize {
		return mark, false, corrupt("lock", errors.New("high-water mark unreadable"))
	}
	return auditHead{Seq: binary.BigEndian.Uint64(pt), Hash: hex.EncodeToString(pt[8:])}, true, nil
}

// checkMark compares the audit head with the mark.
func (v *Vault) checkMark(head auditHead) error {
	mark, ok, err := v.readMark()
	if err != nil || !ok {
		return err
	}
	return compareMark(head, mark)
}

func compareMark(head, mark auditHead) error {
	switch {
	case head.Seq < mark.Seq:
		return corrupt("data", fmt.Errorf("changes lost: the vault had %d audit entries and now has %d (a damaged or missing write-ahead log)", mark.Seq, head.Seq))
	case head.Seq == mark.Seq && head.Hash != mark.Hash:
		return corrupt("data", fmt.Errorf("audit entry %d is not the one written", head.Seq))
	}
	return nil
}

// verifyMark reads the audit head and compares it with the mark; Open
// calls it before anything is written. An unreadable mark is only logged
// here.
func (v *Vault) verifyMark() error {
	var head auditHead
	err := v.db.View(func(txn *badger.Txn) error {
		h, err := v.readAuditHead(txn)
		head = h
		return err
	})
	if err != nil {
		return err
	}
	mark, ok, err := v.readMark()
	if err != nil {
		// A mark torn by a power cut must not keep the vault shut; the
		// next change rewrites it, and Check reports it meanwhile.
		v.opts.Logger.Warn("vault: the high-water mark is unreadable; opening without it", "err", err)
		return nil
	}
	if !ok {
		return nil
	}
	return compareMark(head, mark)
}
