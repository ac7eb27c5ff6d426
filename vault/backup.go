package vault

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"filippo.io/age"
	"github.com/dgraph-io/badger/v4"
)

// A backup is one file: a plaintext head naming the format and carrying a
// copy of the vault header (needed to turn the passphrase into the master
// key), followed by an age-encrypted payload holding the keyring and every
// stored record. age provides the streaming authenticated encryption; the
// payload's file key is wrapped under a key derived from the master key and
// bound to the header copy. See doc.go.
const (
	backupMagic        = "casebook-backup 1\n"
	backupPayloadMagic = "casebook-backup-payload 1\n"
	backupStanzaType   = "casebook-vault-backup"

	frameKeyring = 'K'
	frameRecord  = 'R'
	frameEnd     = 'E'

	maxBackupKey   = 1 + maxNamespaceLen + 1 + maxKeyLen
	maxBackupValue = 256 << 20
	maxKeyringSize = 1 << 20
)

// backupKey wraps and unwraps the age file key of a backup.
type backupKey struct {
	vaultID []byte
	key     []byte // subkey(master, "backup")
	bind    []byte // SHA-256 of the header copy
}

func newBackupKey(master, vaultID, headerBytes []byte) *backupKey {
	sum := sha256.Sum256(headerBytes)
	return &backupKey{vaultID: vaultID, key: subkey(master, "backup"), bind: sum[:]}
}

func (b *backupKey) ad() []byte { return ad([]byte(backupStanzaType), b.vaultID, b.bind) }

// Wrap implements age.Recipient.
func (b *backupKey) Wrap(fileKey []byte) ([]*age.Stanza, error) {
	return []*age.Stanza{{
		Type: backupStanzaType,
		Args: []string{hex.EncodeToString(b.vaultID)},
		Body: seal(b.key, fileKey, b.ad()),
	}}, nil
}

// Unwrap implements age.Identity.
func (b *backupKey) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	for _, s := range stanzas {
		if s.Type != backupStanzaType || len(s.Args) != 1 || s.Args[0] != hex.EncodeToString(b.vaultID) {
			continue
		}
		k, err := open(b.key, s.Body, b.ad())
		if err != nil {
			return nil, corrupt("backup", errors.New("payload key does not match the header"))
		}
		return k, nil
	}
	return nil, fmt.Errorf("backup is not for this vault: %w", age.ErrIncorrectIdentity)
}

// Backup writes the whole vault to w as one encrypted, authenticated
// backup, which the same passphrase (or recovery code) opens. Writes wait
// while it runs, so the backup is one consistent state.
func (v *Vault) Backup(w io.Writer) error {
	release, err := v.use()
	if err != nil {
		return err
	}
	defer release()
	v.wmu.Lock()
	defer v.wmu.Unlock()

	hdr := v.hdr.marshal()
	bw := bufio.NewWriterSize(w, 64<<10)
	fmt.Fprintf(bw, "%s%d\n", backupMagic, len(hdr))
	bw.Write(hdr)
	bk := newBackupKey(v.master, v.vaultID, hdr)
	defer zero(bk.key)
	enc, err := age.Encrypt(bw, bk)
	if err != nil {
		return fmt.Errorf("start backup: %w", err)
	}
	pw := bufio.NewWriterSize(enc, 64<<10)
	pw.WriteString(backupPayloadMagic)
	writeFrame(pw, frameKeyring, v.ring.marshal(v.master, v.vaultID))
	var count uint64
	err = v.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, PrefetchSize: 64})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			val, err := item.ValueCopy(nil)
			if err != nil {
				return err
			}
			writeFrame(pw, frameRecord, item.Key(), val)
			count++
		}
		return nil
	})
	if err != nil {
		return translate(err, "data")
	}
	pw.WriteByte(frameEnd)
	pw.Write(binary.AppendUvarint(nil, count))
	if err := pw.Flush(); err != nil {
		return diskError(err)
	}
	if err := enc.Close(); err != nil {
		return diskError(err)
	}
	if err := bw.Flush(); err != nil {
		return diskError(err)
	}
	return v.updateLocked(func(tx *Tx) error {
		tx.Record("vault.backup", "")
		return nil
	})
}

func writeFrame(w *bufio.Writer, kind byte, parts ...[]byte) {
	w.WriteByte(kind)
	for _, p := range parts {
		w.Write(binary.AppendUvarint(nil, uint64(len(p))))
		w.Write(p)
	}
}

// backupReader reads the head of a backup: the magic line and the header
// copy.
func readBackupHead(r *bufio.Reader) (*header, []byte, error) {
	bad := func(why string) error { return corrupt("backup", errors.New(why)) }
	magic := make([]byte, len(backupMagic))
	if _, err := io.ReadFull(r, magic); err != nil || !bytes.Equal(magic, []byte(backupMagic)) {
		// Only a whole magic line with another version number is a newer
		// format; a truncated or garbled one is damage.
		if v, ok := bytes.CutPrefix(magic, []byte("casebook-backup ")); ok && err == nil &&
			isDigit(v[0]) && (isDigit(v[1]) || v[1] == '\n') {
			return nil, nil, fmt.Errorf("%w: backup format not understood by this Casebook", ErrUnsupportedVersion)
		}
		return nil, nil, bad("not a Casebook backup")
	}
	line, err := r.ReadSlice('\n')
	if err != nil || len(line) > 8 {
		return nil, nil, bad("backup head unreadable")
	}
	n, err := strconv.Atoi(string(line[:len(line)-1]))
	if err != nil || n <= 0 || n > maxHeaderSize {
		return nil, nil, bad("backup head unreadable")
	}
	hdr := make([]byte, n)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return nil, nil, bad("backup truncated")
	}
	h, err := parseHeader(hdr)
	if errors.Is(err, ErrNoVault) {
		return nil, nil, bad("backup holds no vault header")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("backup: %w", err)
	}
	return h, hdr, nil
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

// payloadReader reads the frames of a decrypted backup payload.
type payloadReader struct {
	r   *bufio.Reader
	err error
}

func (p *payloadReader) fail(why string) error {
	if p.err == nil {
		p.err = corrupt("backup", errors.New(why))
	}
	return p.err
}

func (p *payloadReader) bytes(limit uint64) []byte {
	if p.err != nil {
		return nil
	}
	n, err := binary.ReadUvarint(p.r)
	if err != nil {
		p.fail("backup truncated or damaged")
		return nil
	}
	if n > limit {
		p.fail("backup field too large")
		return nil
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(p.r, b); err != nil {
		p.fail("backup truncated or damaged")
		return nil
	}
	return b
}

// readBackupPayload reads and checks every frame, calling record for each
// stored key and value. It returns the keyring bytes.
func readBackupPayload(r io.Reader, record func(k, v []byte) error) ([]byte, error) {
	p := &payloadReader{r: bufio.NewReaderSize(r, 64<<10)}
	magic := make([]byte, len(backupPayloadMagic))
	if _, err := io.ReadFull(p.r, magic); err != nil || !bytes.Equal(magic, []byte(backupPayloadMagic)) {
		return nil, p.fail("backup payload unreadable")
	}
	kind, err := p.r.ReadByte()
	if err != nil || kind != frameKeyring {
		return nil, p.fail("backup has no keyring")
	}
	ring := p.bytes(maxKeyringSize)
	var count uint64
	for p.err == nil {
		kind, err := p.r.ReadByte()
		if err != nil {
			return nil, p.fail("backup truncated or damaged")
		}
		switch kind {
		case frameRecord:
			k, v := p.bytes(maxBackupKey), p.bytes(maxBackupValue)
			if p.err != nil {
				break
			}
			if len(k) == 0 {
				return nil, p.fail("backup holds an empty key")
			}
			if err := record(k, v); err != nil {
				return nil, err
			}
			count++
		case frameEnd:
			n, err := binary.ReadUvarint(p.r)
			if err != nil || n != count {
				return nil, p.fail("backup record count mismatch")
			}
			if _, err := p.r.ReadByte(); !errors.Is(err, io.EOF) {
				if err != nil {
					return nil, p.fail("backup truncated or damaged")
				}
				return nil, p.fail("backup has data after its end")
			}
			return ring, nil
		default:
			return nil, p.fail("backup frame of unknown kind")
		}
	}
	return nil, p.err
}

// Restore recreates a vault in dir, which must not exist or be empty, from
// a backup made by Backup, unlocked with the passphrase it had then. The
// vault is rebuilt beside dir, checked in full, and only then moved into
// place: a tampered, truncated or unreadable backup changes nothing.
func Restore(dir string, r io.Reader, passphrase []byte, opts Options) error {
	return restore(dir, r, slotPassphrase, passphrase, opts)
}

// RestoreWithRecoveryCode is Restore unlocked with the recovery code.
func RestoreWithRecoveryCode(dir string, r io.Reader, code string, opts Options) error {
	return restore(dir, r, slotRecovery, normalizeRecoveryCode(code), opts)
}

// restoreHook, when a test sets it, is called with the directory a Restore
// built the vault in, just before it is moved into place.
var restoreHook func(tmp string)

func restore(dir string, r io.Reader, kind string, secret []byte, opts Options) (err error) {
	opts = opts.withDefaults()
	dir, err = filepath.Abs(dir)
	if err != nil {
		return err
	}
	if Exists(dir) {
		return ErrExists
	}
	if empty, err := isEmptyDir(dir); err != nil {
		return err
	} else if !empty {
		return ErrNotEmpty
	}
	br := bufio.NewReaderSize(r, 64<<10)
	h, hdrBytes, err := readBackupHead(br)
	if err != nil {
		return err
	}
	s := h.slot(kind)
	if s == nil {
		return fmt.Errorf("%w: this backup has no recovery code", ErrWrongPassphrase)
	}
	master, err := s.unwrap(h.VaultID, secret)
	if err != nil {
		return err
	}
	defer zero(master)
	if err := h.verifyMAC(master); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	bk := newBackupKey(master, h.VaultID, hdrBytes)
	defer zero(bk.key)
	payload, err := age.Decrypt(br, bk)
	if err != nil {
		if errors.Is(err, ErrCorrupt) {
			return err
		}
		return corrupt("backup", errors.New("payload unreadable"))
	}

	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return diskError(err)
	}
	removeStaleTemps(parent)
	tmp, lock, err := newTempVaultDir(parent, restoreVaultPrefix)
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	defer func() { lock.release() }()
	keys := deriveSubkeys(master)
	defer keys.wipe()
	if err := checkRoom(tmp, 0); err != nil {
		return err
	}
	db, err := openBadger(filepath.Join(tmp, dataDir), keys.badger, opts.Logger)
	if err != nil {
		return err
	}
	wb := db.NewWriteBatch()
	var sinceCheck int64
	ring, err := readBackupPayload(payload, func(k, v []byte) error {
		// Badger writes through memory maps, which a full disk answers
		// with SIGBUS: look for room every few MiB (see diskReserve).
		if sinceCheck += int64(len(k) + len(v)); sinceCheck > 4<<20 {
			sinceCheck = 0
			if err := checkRoom(tmp, 8<<20); err != nil {
				return err
			}
		}
		return translate(wb.Set(k, v), "data")
	})
	if err == nil {
		err = translate(wb.Flush(), "data")
	} else {
		wb.Cancel()
	}
	if cerr := db.Close(); err == nil {
		err = translate(cerr, "data")
	}
	if err != nil {
		if errors.Is(err, ErrCorrupt) || errors.Is(err, ErrNoSpace) {
			return err
		}
		// age reports tampering and truncation of the payload as read errors.
		return corrupt("backup", errors.New("payload truncated or altered"))
	}
	if _, err := parseKeyring(ring, master, h.VaultID); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := writeFileAtomic(filepath.Join(tmp, keyringFile), ring, 0o600); err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(tmp, headerFile), hdrBytes, 0o600); err != nil {
		return err
	}
	v, err := openUnlocked(tmp, h, master, lock, opts)
	if err != nil {
		return err
	}
	if _, err := v.Check(); err != nil {
		v.close()
		return fmt.Errorf("restored vault failed its check: %w", err)
	}
	err = v.Update(func(tx *Tx) error {
		tx.Record("vault.restore", "")
		return nil
	})
	// Closed but still locked, so that nobody takes the directory for one
	// left by a crash before it is in place.
	if cerr := v.close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if _, err := os.Stat(dir); err == nil {
		if err := os.Remove(dir); err != nil {
			return err
		}
	}
	if restoreHook != nil {
		restoreHook(tmp)
	}
	if lock, err = moveLocked(tmp, dir, lock, false); err != nil {
		return err
	}
	return syncDir(parent)
}
