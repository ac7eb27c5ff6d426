package vault

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/dgraph-io/badger/v4"
)

// CheckReport is what Check found.
type CheckReport struct {
	Namespaces   int
	Records      int
	AuditEntries int
	// Problems names each damaged part; each matches ErrCorrupt.
	Problems []error
}

// Check decrypts and authenticates every record, verifies the header and
// keyring on disk against the ones in use, and verifies the audit chain. It
// returns an error matching ErrCorrupt when anything is wrong; the report
// lists every problem found. It never returns record contents.
func (v *Vault) Check() (*CheckReport, error) {
	release, err := v.use()
	if err != nil {
		return nil, err
	}
	defer release()
	v.wmu.Lock() // a stable view of header, keyring and data together
	defer v.wmu.Unlock()
	r := &CheckReport{}
	problem := func(err error) { r.Problems = append(r.Problems, err) }

	if data, err := os.ReadFile(filepath.Join(v.dir, headerFile)); err != nil {
		problem(corrupt("vault header", err))
	} else if h, err := parseHeader(data); err != nil {
		problem(err)
	} else if err := h.verifyMAC(v.master); err != nil {
		problem(err)
	} else if !bytes.Equal(data, v.hdr.marshal()) {
		problem(corrupt("vault header", errors.New("header changed on disk while open")))
	}
	if ring, err := loadKeyring(filepath.Join(v.dir, keyringFile), v.master, v.vaultID); err != nil {
		problem(err)
	} else {
		same := ring.current == v.ring.current && len(ring.epochs) == len(v.ring.epochs)
		for id, k := range ring.epochs {
			same = same && bytes.Equal(k, v.ring.epochs[id])
		}
		ring.wipe()
		if !same {
			problem(corrupt("keyring", errors.New("keyring changed on disk while open")))
		}
	}

	var entries []AuditEntry
	var head auditHead
	headSeen := false
	err = func() (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = corrupt("data", fmt.Errorf("storage engine failed: %v", p))
			}
		}()
		return v.db.View(func(txn *badger.Txn) error {
			nsKeys := map[string][]byte{}
			defer func() {
				for _, k := range nsKeys {
					zero(k)
				}
			}()
			destroyed := map[string]bool{}
			it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, PrefetchSize: 64})
			defer it.Close()
			for it.Rewind(); it.Valid(); it.Next() {
				item := it.Item()
				name := item.KeyCopy(nil)
				stored, err := item.ValueCopy(nil)
				if err != nil {
					problem(translate(err, "data"))
					continue
				}
				switch name[0] {
				case prefixDestroyed:
					destroyed[string(name[1:])] = true
				case prefixNamespace:
					ns := string(name[1:])
					k, err := v.openNSKey(ns, stored)
					if err != nil {
						problem(err)
						continue
					}
					nsKeys[ns] = k
					r.Namespaces++
				case prefixRecord:
					i := bytes.IndexByte(name, 0)
					if i < 0 {
						problem(corrupt("data", errors.New("malformed record name")))
						continue
					}
					ns, key := string(name[1:i]), string(name[i+1:])
					k := nsKeys[ns]
					if k == nil {
						if !destroyed[ns] {
							problem(corrupt(ns+"/"+key, errors.New("record has no namespace key")))
						}
						continue
					}
					if _, err := v.openRecord(k, ns, key, stored); err != nil {
						problem(err)
						continue
					}
					r.Records++
				case prefixAudit:
					if len(name) != 9 {
						problem(corrupt("audit", errors.New("malformed entry name")))
						continue
					}
					e, err := v.openAuditEntry(name, stored)
					if err != nil {
						problem(err)
						continue
					}
					entries = append(entries, e)
				case prefixMeta:
					switch {
					case bytes.Equal(name, auditHeadKey):
						headSeen = true
					case bytes.Equal(name, passSlotKey):
						if fp, err := v.openPassSlot(stored); err != nil {
							problem(err)
						} else if !bytes.Equal(fp, slotFingerprint(v.hdr.slot(slotPassphrase))) {
							problem(corrupt("passphrase record", errors.New("the audit log does not record the header's passphrase")))
						}
					default:
						problem(corrupt("data", errors.New("unknown metadata record")))
					}
				default:
					problem(corrupt("data", errors.New("record of unknown kind")))
				}
			}
			h, err := v.readAuditHead(txn)
			head = h
			return err
		})
	}()
	if err != nil {
		problem(translate(err, "data"))
	}
	if !headSeen {
		problem(corrupt("audit head", errors.New("missing")))
	}
	if err == nil {
		if err := v.checkMark(head); err != nil {
			problem(err)
		}
	}
	r.AuditEntries = len(entries)
	r.Problems = append(r.Problems, verifyChain(entries, head)...)
	if len(r.Problems) > 0 {
		return r, fmt.Errorf("%w: %d problem(s) found", ErrCorrupt, len(r.Problems))
	}
	return r, nil
}
