package vault

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// AuditEntry is one link of the audit chain: who changed what, and when.
// It never holds content: Record is an identifier such as "namespace/key".
type AuditEntry struct {
	Seq    uint64    `json:"seq"`
	Time   time.Time `json:"time"`
	Actor  string    `json:"actor,omitempty"`
	Kind   string    `json:"kind"`
	Record string    `json:"record,omitempty"`
	// Prev is the hash of the entry before this one (empty for the first).
	Prev string `json:"prev"`
	// Hash is the SHA-256 of this entry's JSON encoding with Hash empty.
	Hash string `json:"hash"`
}

func (e AuditEntry) computeHash() string {
	e.Hash = ""
	b, err := json.Marshal(e)
	if err != nil {
		panic(err) // plain fields always marshal
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

var auditHeadKey = []byte{prefixMeta, 'a', 'u', 'd', 'i', 't', '-', 'h', 'e', 'a', 'd'}

func auditKeyName(seq uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{prefixAudit}, seq)
}

func (v *Vault) auditAD(name []byte) []byte {
	return ad([]byte("audit"), v.vaultID, name)
}

// auditHead is the last entry's sequence number and hash.
type auditHead struct {
	Seq  uint64 `json:"seq"`
	Hash string `json:"hash"`
}

func (v *Vault) readAuditHead(txn *badger.Txn) (auditHead, error) {
	var h auditHead
	item, err := txn.Get(auditHeadKey)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return h, nil
	}
	if err != nil {
		return h, translate(err, "audit head")
	}
	stored, err := item.ValueCopy(nil)
	if err != nil {
		return h, translate(err, "audit head")
	}
	pt, err := open(v.keys.audit, stored, v.auditAD(auditHeadKey))
	if err != nil {
		return h, corrupt("audit head", err)
	}
	if err := json.Unmarshal(pt, &h); err != nil {
		return h, corrupt("audit head", err)
	}
	return h, nil
}

// appendAudit adds entries to the chain inside txn and returns the new
// head. The chain's head comes from the writer's cache when it has it.
// The caller holds v.wmu.
func (v *Vault) appendAudit(txn *badger.Txn, entries []pendingEntry) (auditHead, error) {
	head := v.wc.head
	if !v.wc.headOK {
		var err error
		if head, err = v.readAuditHead(txn); err != nil {
			return head, err
		}
	}
	now := v.opts.Now().UTC().Truncate(time.Millisecond)
	actor := v.currentActor()
	for _, p := range entries {
		e := AuditEntry{Seq: head.Seq + 1, Time: now, Actor: actor, Kind: p.kind, Record: p.record, Prev: head.Hash}
		e.Hash = e.computeHash()
		b, _ := json.Marshal(e)
		name := auditKeyName(e.Seq)
		if err := translate(txn.Set(name, seal(v.keys.audit, b, v.auditAD(name))), "audit"); err != nil {
			return head, err
		}
		head = auditHead{Seq: e.Seq, Hash: e.Hash}
	}
	hb, _ := json.Marshal(head)
	return head, translate(txn.Set(auditHeadKey, seal(v.keys.audit, hb, v.auditAD(auditHeadKey))), "audit")
}

func (v *Vault) openAuditEntry(name, stored []byte) (AuditEntry, error) {
	var e AuditEntry
	seq := binary.BigEndian.Uint64(name[1:])
	pt, err := open(v.keys.audit, stored, v.auditAD(name))
	if err != nil {
		return e, corrupt(fmt.Sprintf("audit entry %d", seq), err)
	}
	if err := json.Unmarshal(pt, &e); err != nil || e.Seq != seq {
		return e, corrupt(fmt.Sprintf("audit entry %d", seq), errors.New("entry unreadable"))
	}
	return e, nil
}

// Audit returns the audit log, oldest first. It verifies each entry's seal;
// Check verifies the chain as a whole.
func (v *Vault) Audit() ([]AuditEntry, error) {
	var out []AuditEntry
	err := v.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixAudit}, PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			name := item.KeyCopy(nil)
			if len(name) != 9 {
				return corrupt("audit", errors.New("malformed entry name"))
			}
			stored, err := item.ValueCopy(nil)
			if err != nil {
				return translate(err, "audit")
			}
			e, err := v.openAuditEntry(name, stored)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// verifyChain checks that entries form an unbroken chain ending at head.
func verifyChain(entries []AuditEntry, head auditHead) []error {
	var problems []error
	prev := ""
	for i, e := range entries {
		name := fmt.Sprintf("audit entry %d", e.Seq)
		if e.Seq != uint64(i+1) {
			problems = append(problems, corrupt(name, fmt.Errorf("expected entry %d: entries missing", i+1)))
			return problems
		}
		if e.Prev != prev {
			problems = append(problems, corrupt(name, errors.New("chain link broken")))
		}
		if e.computeHash() != e.Hash {
			problems = append(problems, corrupt(name, errors.New("entry hash mismatch")))
		}
		prev = e.Hash
	}
	last := uint64(len(entries))
	if head.Seq != last || head.Hash != prev {
		problems = append(problems, corrupt("audit head", fmt.Errorf("head names entry %d, chain ends at %d", head.Seq, last)))
	}
	return problems
}
