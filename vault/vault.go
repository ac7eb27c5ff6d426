package vault

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
)

// Names of the files in a vault directory.
const (
	headerFile  = "vault.hdr"
	keyringFile = "keyring"
	lockFile    = "lock"
	dataDir     = "data"
)

const (
	maxNamespaceLen = 255
	maxKeyLen       = 4096
	// DefaultKDFTarget is how long unlocking should take on the machine
	// that creates a vault.
	DefaultKDFTarget = 750 * time.Millisecond
	gcInterval       = 10 * time.Minute
)

// Options tune how a vault is created or opened. The zero value is ready
// to use.
type Options struct {
	// Actor names the committee member acting, for the audit log.
	Actor string
	// Logger receives diagnostics; never case content. Default: slog.Default().
	Logger *slog.Logger
	// Now is the clock for audit entries. Default: time.Now.
	Now func() time.Time
	// KDFTarget is the unlock time to calibrate for at creation.
	// Default: DefaultKDFTarget.
	KDFTarget time.Duration
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.KDFTarget <= 0 {
		o.KDFTarget = DefaultKDFTarget
	}
	return o
}

// Vault is an open, unlocked vault. Its methods are safe for concurrent
// use. Writes are serialized; reads run in parallel with them.
type Vault struct {
	dir  string
	opts Options

	mu   sync.RWMutex // write-held by Lock; read-held by every operation
	wmu  sync.Mutex   // serializes writes, keeping the audit chain linear
	db   *badger.DB
	lock *fileLock
	// hdr is the header as on disk; ChangePassphrase replaces it, holding
	// wmu, so read it holding wmu. vaultID never changes.
	hdr     *header
	vaultID []byte
	master  []byte
	keys    subkeys
	ring    *keyring
	wc      writeCache // what writes would read back; held with wmu

	actorMu sync.Mutex
	actor   string

	stopGC chan struct{}
	gcDone chan struct{}
}

// subkeys are the keys derived from the master key, one per purpose.
type subkeys struct {
	badger []byte // Badger's encryption at rest
	audit  []byte // seals audit entries and the chain head
}

func deriveSubkeys(master []byte) subkeys {
	return subkeys{
		badger: subkey(master, "badger at rest"),
		audit:  subkey(master, "audit"),
	}
}

func (s *subkeys) wipe() {
	zero(s.badger)
	zero(s.audit)
}

// Exists reports whether dir holds a vault: its header, or, when that is
// missing, its keyring or data, so that a vault whose header was lost is
// reported as damaged rather than as no vault at all.
func Exists(dir string) bool {
	for _, name := range []string{headerFile, keyringFile, dataDir} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}

// hasVaultRemains reports whether dir holds a vault's keyring or data,
// which a vault whose header is missing or unreadable still has.
func hasVaultRemains(dir string) bool {
	for _, name := range []string{keyringFile, dataDir} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}

// Create makes a new vault in dir, which must not exist or be empty, and
// returns it open together with its recovery code. The code is shown to the
// person once; it is not stored anywhere in readable form.
func Create(dir string, passphrase []byte, opts Options) (*Vault, string, error) {
	opts = opts.withDefaults()
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, "", err
	}
	if Exists(dir) {
		return nil, "", ErrExists
	}
	if empty, err := isEmptyDir(dir); err != nil {
		return nil, "", err
	} else if !empty {
		return nil, "", fmt.Errorf("%w: %w", ErrExists, ErrNotEmpty)
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return nil, "", diskError(err)
	}

	master := randomBytes(keySize)
	defer zero(master)
	code := newRecoveryCode()
	params := CalibrateKDF(opts.KDFTarget)
	h := &header{Version: FormatVersion, VaultID: randomBytes(16)}
	h.Slots = []*keySlot{
		newSlot(slotPassphrase, h.VaultID, passphrase, master, params),
		newSlot(slotRecovery, h.VaultID, normalizeRecoveryCode(code), master, params),
	}
	h.mac = h.computeMAC(master)

	// Build the vault in a fresh directory beside the target and move it
	// into place whole, so that a crash leaves either no vault or a
	// complete one.
	removeStaleTemps(parent)
	tmp, lock, err := newTempVaultDir(parent, newVaultPrefix)
	if err != nil {
		return nil, "", err
	}
	defer os.RemoveAll(tmp)
	defer func() { lock.release() }() // a no-op once the vault has it
	v := &Vault{dir: tmp, opts: opts, hdr: h, vaultID: h.VaultID, master: master, actor: opts.Actor}
	v.keys = deriveSubkeys(master)
	defer v.keys.wipe()
	v.ring = newKeyring()
	defer v.ring.wipe()
	defer v.wc.forget()
	if err := v.ring.save(filepath.Join(tmp, keyringFile), master, h.VaultID); err != nil {
		return nil, "", err
	}
	if err := checkRoom(tmp, 0); err != nil {
		return nil, "", err
	}
	if v.db, err = openBadger(filepath.Join(tmp, dataDir), v.keys.badger, opts.Logger); err != nil {
		return nil, "", err
	}
	err = v.Update(func(tx *Tx) error {
		tx.Record("vault.create", "")
		return tx.notePassSlot(h)
	})
	if cerr := v.db.Close(); err == nil {
		err = translate(cerr, "data")
	}
	if err != nil {
		return nil, "", err
	}
	if err := writeFileAtomic(filepath.Join(tmp, headerFile), h.marshal(), 0o600); err != nil {
		return nil, "", err
	}
	if _, err := os.Stat(dir); err == nil {
		if err := os.Remove(dir); err != nil { // empty, checked above
			return nil, "", err
		}
	}
	if lock, err = moveLocked(tmp, dir, lock, true); err != nil {
		return nil, "", err
	}
	if err := syncDir(parent); err != nil {
		return nil, "", err
	}
	opened, err := openUnlocked(dir, h, master, lock, opts)
	if err != nil {
		return nil, "", err
	}
	lock = nil
	return opened, code, nil
}

func isEmptyDir(dir string) (bool, error) {
	f, err := os.Open(dir)
	if errors.Is(err, os.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	names, err := f.Readdirnames(1)
	if errors.Is(err, io.EOF) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return len(names) == 0, nil
}

// Open unlocks the vault in dir with its passphrase. A wrong passphrase
// returns ErrWrongPassphrase and changes nothing on disk; a vault that
// another process holds returns ErrInUse at once.
func Open(dir string, passphrase []byte, opts Options) (*Vault, error) {
	return openWith(dir, slotPassphrase, passphrase, opts)
}

// OpenWithRecoveryCode unlocks the vault with the recovery code shown when
// it was created, typically to set a new passphrase.
func OpenWithRecoveryCode(dir, code string, opts Options) (*Vault, error) {
	return openWith(dir, slotRecovery, normalizeRecoveryCode(code), opts)
}

func readHeader(dir string) (*header, []byte, error) {
	data, err := os.ReadFile(filepath.Join(dir, headerFile))
	if errors.Is(err, os.ErrNotExist) {
		if hasVaultRemains(dir) {
			return nil, nil, corrupt("vault header", errors.New("missing"))
		}
		return nil, nil, ErrNoVault
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read vault header: %w", err)
	}
	h, err := parseHeader(data)
	if errors.Is(err, ErrNoVault) && hasVaultRemains(dir) {
		// Not a header at all (empty, or its first line lost) beside a
		// keyring or data: the header was damaged.
		return nil, nil, corrupt("vault header", errors.New("unreadable"))
	}
	if err != nil {
		return nil, nil, err
	}
	return h, data, nil
}

func openWith(dir, kind string, secret []byte, opts Options) (*Vault, error) {
	opts = opts.withDefaults()
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if _, _, err := readHeader(dir); err != nil {
		return nil, err
	}
	// Take the lock before the slow key derivation, so a second process is
	// told at once. The lock file exists in every vault; opening it changes
	// no byte on disk.
	lock, err := acquireLock(filepath.Join(dir, lockFile))
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			lock.release()
		}
	}()
	h, _, err := readHeader(dir) // again, now that nobody can rewrite it
	if err != nil {
		return nil, err
	}
	s := h.slot(kind)
	if s == nil {
		return nil, fmt.Errorf("%w: this vault has no recovery code", ErrWrongPassphrase)
	}
	master, err := s.unwrap(h.VaultID, secret)
	if err != nil {
		return nil, err
	}
	defer zero(master)
	if err := h.verifyMAC(master); err != nil {
		return nil, err
	}
	v, err := openUnlocked(dir, h, master, lock, opts)
	if err != nil {
		return nil, err
	}
	// What a crash left: nothing the vault, now open and any destruction
	// finished, needs, but key material or a whole copy of a vault, which
	// a destruction must not leave behind.
	if err := removeStaleFiles(dir); err != nil {
		opts.Logger.Warn("vault: could not remove a temporary file a crash left in the vault", "error", err)
	}
	removeStaleTemps(filepath.Dir(dir))
	ok = true
	return v, nil
}

// openUnlocked opens Badger once the master key is known. It takes over
// lock and copies master.
func openUnlocked(dir string, h *header, master []byte, lock *fileLock, opts Options) (*Vault, error) {
	v := &Vault{
		dir: dir, opts: opts, hdr: h, vaultID: h.VaultID, lock: lock,
		master: bytes.Clone(master), actor: opts.Actor,
	}
	v.keys = deriveSubkeys(v.master)
	fail := func(err error) (*Vault, error) {
		if v.db != nil {
			v.db.Close()
		}
		v.wipe()
		return nil, err
	}
	ring, err := loadKeyring(filepath.Join(dir, keyringFile), v.master, h.VaultID)
	if err != nil {
		return fail(err)
	}
	v.ring = ring
	// Opening replays and flushes Badger's logs: it needs room to write.
	if err := checkRoom(dir, 0); err != nil {
		return fail(err)
	}
	// Badger makes a new, empty manifest or key registry when it finds
	// none, and then deletes every table the new manifest does not name.
	// A vault always has both once created: their loss is damage.
	for _, name := range []string{badger.ManifestFilename, badger.KeyRegistryFileName} {
		if _, err := os.Stat(filepath.Join(dir, dataDir, name)); errors.Is(err, os.ErrNotExist) {
			return fail(corrupt(dataDir+"/"+name, errors.New("missing")))
		}
	}
	if v.db, err = openBadger(filepath.Join(dir, dataDir), v.keys.badger, opts.Logger); err != nil {
		return fail(err)
	}
	// Before anything is written: a vault that lost changes it had
	// acknowledged is refused, not extended.
	if err := v.verifyMark(); err != nil {
		return fail(err)
	}
	if err := v.finishDestroy(); err != nil {
		return fail(err)
	}
	if err := v.recordPassChange(); err != nil {
		return fail(err)
	}
	v.stopGC, v.gcDone = make(chan struct{}), make(chan struct{})
	go v.gcLoop()
	return v, nil
}

// valueThreshold is the largest value kept in the tables themselves; a
// larger one lives in Badger's value log, the table holding a pointer.
const valueThreshold = 64 << 10

// valueLogFileSize is the size of each of Badger's value-log files, and
// the largest value it keeps.
const valueLogFileSize = 64 << 20

// MaxRecord is about the largest record the vault keeps: what Badger keeps
// in one value, less the sealing. A larger one fails with ErrRecordTooBig.
const MaxRecord = valueLogFileSize - 1<<10

// memTableSize is the size of Badger's memtables; one write may take 15 %
// of one. Badger sizes each write-ahead log file at twice this, so the
// disk reserve (diskReserve) grows with it.
const memTableSize = 32 << 20

// MaxWrite is about the most one atomic write may hold: its records, each
// value in the value log counting a few bytes only. A larger write fails
// with ErrTooBig.
const MaxWrite = memTableSize * 15 / 100

// blockCacheSize is the size of Badger's cache of decrypted blocks.
const blockCacheSize = 4 << 20

// openBadger opens the Badger store with encryption at rest, synced writes
// and caches sized for a laptop. Badger panics on some kinds of damaged
// files; that is turned into ErrCorrupt, and its tables are checked first
// (verifyTables) because it opens them in goroutines of its own. Its
// messages go to our logger only (WithLoggingLevel would replace it).
func openBadger(path string, key []byte, log *slog.Logger) (db *badger.DB, err error) {
	if _, statErr := os.Stat(path); statErr != nil && !errors.Is(statErr, os.ErrNotExist) {
		return nil, statErr
	}
	o := badger.DefaultOptions(path).
		WithEncryptionKey(bytes.Clone(key)).
		WithEncryptionKeyRotationDuration(30 * 24 * time.Hour).
		WithSyncWrites(true).
		WithNumVersionsToKeep(1).
		WithIndexCacheSize(16 << 20).
		// Decrypted blocks of 4 KiB. The case book and the search index
		// are built once, reading the whole vault; after that a case
		// opened reads a few blocks, and decrypting one again costs some
		// microseconds. At 16 MiB the idle app held 12 MB more.
		WithBlockCacheSize(blockCacheSize).
		// One write may hold 4.8 MiB (MaxWrite): some 190 long e-mails of
		// 25 KB, more than most changes; a handed-off case larger than that
		// is merged in several (see PutCost). At Badger's 16 MiB it was a
		// quarter.
		WithMemTableSize(memTableSize).
		WithNumMemtables(2).
		// A value up to this size counts whole against that limit; a
		// larger one counts a few bytes. At Badger's 1 MiB, an e-mail with
		// six photos of 900 KiB could not be stored.
		WithValueThreshold(valueThreshold).
		WithValueLogFileSize(valueLogFileSize).
		// Values are sealed, so compression gains nothing; and a damaged
		// byte in a compressed block's length makes Badger allocate up to
		// 4 GiB before it notices. Tables written compressed still read.
		WithCompression(options.None).
		WithNumCompactors(2).
		WithCompactL0OnClose(true).
		// Every table was read and checked whole by verifyTables just
		// before; Badger checks each block again as it reads it.
		WithChecksumVerificationMode(options.OnBlockRead).
		WithVerifyValueChecksum(true).
		WithDetectConflicts(false).
		WithMetricsEnabled(false).
		WithLogger(badgerLogger{log})
	defer func() {
		if r := recover(); r != nil {
			db, err = nil, corrupt("data", fmt.Errorf("storage engine failed: %v", r))
		}
	}()
	if err := verifyTables(path, key, badgerLogger{log}); err != nil {
		return nil, err
	}
	if err := removeEmptyLogs(path); err != nil {
		return nil, err
	}
	// Badger's memtable (a 42 MB buffer) is allocated as it opens. The
	// runtime clears memory it hands out again, and clearing makes every
	// page resident, unless all of it had been handed back to the system
	// (on Linux, where a page handed back reads as zero). Checking the
	// tables and deriving the key leave freed memory that was not handed
	// back, so hand it back now: otherwise the memtable landed on it at
	// random, and the idle app held 40 MB more in about half of its
	// unlocks. A collection while Badger opens could still free some
	// before the memtable is made; it usually does not.
	debug.FreeOSMemory()
	db, err = badger.Open(o)
	if err != nil {
		return nil, translate(err, "data")
	}
	return db, nil
}

// removeEmptyLogs deletes the empty log files — write-ahead logs (".mem")
// and value logs (".vlog") — in a Badger directory. A crash between
// creating such a file and sizing it leaves it empty, and Badger then
// refuses to open the store at all ("Create a new file"). An empty log
// holds no write (not even its header), so removing it loses nothing.
func removeEmptyLogs(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	removed := false
	for _, e := range entries {
		if ext := filepath.Ext(e.Name()); e.IsDir() || (ext != ".mem" && ext != ".vlog") {
			continue
		}
		if fi, err := e.Info(); err == nil && fi.Size() == 0 {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
			removed = true
		}
	}
	if removed {
		return syncDir(dir)
	}
	return nil
}

// translate turns a Badger error into one of ours, once, at the boundary.
func translate(err error, record string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, badger.ErrKeyNotFound):
		return ErrNotFound
	case errors.Is(err, badger.ErrTxnTooBig):
		return ErrTooBig
	case errors.Is(err, badger.ErrDBClosed):
		return ErrLocked
	case errors.Is(err, ErrNoSpace), errors.Is(err, ErrCorrupt), errors.Is(err, ErrInUse):
		return err
	}
	if d := diskError(err); errors.Is(d, ErrNoSpace) {
		return d
	}
	s := err.Error()
	for _, marker := range []string{"checksum", "Checksum", "corrupt", "Corrupt", "decrypt",
		"Invalid", "invalid", "truncat", "magic", "Magic", "unexpected EOF", "key with id",
		"manifest", "MANIFEST", "Encryption key mismatch", "key registry"} {
		if bytes.Contains([]byte(s), []byte(marker)) {
			return corrupt(record, err)
		}
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return corrupt(record, err)
	}
	return fmt.Errorf("storage: %w", err)
}

// Dir returns the vault's directory.
func (v *Vault) Dir() string { return v.dir }

// ID returns the vault's random identifier, in hexadecimal.
func (v *Vault) ID() string { return fmt.Sprintf("%x", v.vaultID) }

// SetActor names the committee member acting from now on, for the audit log.
func (v *Vault) SetActor(name string) {
	v.actorMu.Lock()
	v.actor = name
	v.actorMu.Unlock()
}

func (v *Vault) currentActor() string {
	v.actorMu.Lock()
	defer v.actorMu.Unlock()
	return v.actor
}

// Lock closes the store, drops every key from memory and releases the
// vault to other processes. The Vault cannot be used afterwards; calling
// Lock again does nothing.
func (v *Vault) Lock() error {
	err := v.close()
	v.mu.Lock()
	defer v.mu.Unlock()
	if lerr := v.lock.release(); err == nil {
		err = lerr
	}
	return err
}

// close closes the storage engine and forgets the keys, but keeps the
// vault's lock, which Lock then releases.
func (v *Vault) close() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.db == nil {
		return nil
	}
	close(v.stopGC)
	<-v.gcDone
	err := translate(v.db.Close(), "data")
	v.db = nil
	v.wipe()
	return err
}

func (v *Vault) wipe() {
	zero(v.master)
	v.keys.wipe()
	v.wc.forget()
	if v.ring != nil {
		v.ring.wipe()
	}
}

// Locked reports whether Lock has been called.
func (v *Vault) Locked() bool {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.db == nil
}

// use holds the vault open for the duration of one operation.
func (v *Vault) use() (release func(), err error) {
	v.mu.RLock()
	if v.db == nil {
		v.mu.RUnlock()
		return nil, ErrLocked
	}
	return v.mu.RUnlock, nil
}

func (v *Vault) gcLoop() {
	defer close(v.gcDone)
	t := time.NewTicker(gcInterval)
	defer t.Stop()
	for {
		select {
		case <-v.stopGC:
			return
		case <-t.C:
			for v.runGC() {
				select {
				case <-v.stopGC:
					return
				default:
				}
			}
		}
	}
}

// runGC runs one round of value-log garbage collection and reports whether
// another round may help. A panic of the engine over a damaged file is
// logged, not allowed to end the program; Check reports the damage.
func (v *Vault) runGC() (again bool) {
	defer func() {
		if r := recover(); r != nil {
			v.opts.Logger.Error("vault: background compaction stopped on damaged data", "panic", fmt.Sprint(r))
			again = false
		}
	}()
	if checkRoom(v.dir, 0) != nil {
		return false // garbage collection writes before it frees
	}
	return v.db.RunValueLogGC(0.5) == nil
}

// ChangePassphrase rewraps the master key under a new passphrase: the
// header is rewritten, and the change recorded in the audit log with the
// new slot's fingerprint (see passslot.go). When it returns an error the
// passphrase is the old one: the header is put back if the audit write
// fails, unless that fails too, which the error then says.
func (v *Vault) ChangePassphrase(newPassphrase []byte) error {
	release, err := v.use()
	if err != nil {
		return err
	}
	defer release()
	v.wmu.Lock()
	defer v.wmu.Unlock()
	// Room for the audit write, checked before the header changes.
	if err := checkRoom(v.dir, 4<<10); err != nil {
		return err
	}
	old, nh := v.hdr, v.passphraseHeader(newPassphrase)
	if err := v.writeHeader(nh); err != nil {
		return err
	}
	// A crash from here to the commit leaves the change unrecorded; the
	// next open records it (recordPassChange).
	err = v.updateLocked(func(tx *Tx) error {
		// A change before this one whose entry was never written.
		fp, ok, err := v.readPassSlot(tx.txn)
		if late := unrecordedChange(fp, ok, err, old); late != "" {
			tx.Record("passphrase.change", late)
		}
		tx.Record("passphrase.change", "")
		return tx.notePassSlot(nh)
	})
	if err != nil {
		if rerr := v.writeHeader(old); rerr != nil {
			return fmt.Errorf("%w; the old passphrase could not be put back (%w), so the new one opens the vault, and the next unlock records the change", err, rerr)
		}
	}
	return err
}

// passphraseHeader returns the vault's header with a new passphrase slot.
// The caller holds v.mu (read) and v.wmu.
func (v *Vault) passphraseHeader(newPassphrase []byte) *header {
	nh := &header{Version: FormatVersion, VaultID: v.hdr.VaultID}
	for _, s := range v.hdr.Slots {
		if s.Kind == slotPassphrase {
			s = newSlot(slotPassphrase, v.hdr.VaultID, newPassphrase, v.master, CalibrateKDF(v.opts.KDFTarget))
		}
		nh.Slots = append(nh.Slots, s)
	}
	nh.mac = nh.computeMAC(v.master)
	return nh
}

// writeHeader writes h as the vault's header and makes it v's. The
// caller holds v.mu (read) and v.wmu.
func (v *Vault) writeHeader(h *header) error {
	if err := writeFileAtomic(filepath.Join(v.dir, headerFile), h.marshal(), 0o600); err != nil {
		return fmt.Errorf("write vault header: %w", err)
	}
	v.hdr = h
	return nil
}

// checkName validates a namespace and a key. Both must be UTF-8: they are
// written into the audit entries' JSON, which would replace other bytes and
// so break the entries' hashes.
func checkName(ns, key string) error {
	if ns == "" || len(ns) > maxNamespaceLen || !utf8.ValidString(ns) || bytes.IndexByte([]byte(ns), 0) >= 0 {
		return fmt.Errorf("%w: namespace", ErrInvalidName)
	}
	if key == "" || len(key) > maxKeyLen || !utf8.ValidString(key) || bytes.IndexByte([]byte(key), 0) >= 0 {
		return fmt.Errorf("%w: key", ErrInvalidName)
	}
	return nil
}
