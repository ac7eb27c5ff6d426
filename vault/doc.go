// Package vault is Casebook's encrypted, authenticated local store.
//
// A vault is a directory on one member's laptop. Everything in it except a
// small plaintext header is encrypted, and every stored value is
// authenticated: a changed byte is reported as damage, never returned as
// text. The package knows nothing of cases; it stores opaque values under
// (namespace, key) names, keeps an audit chain of every change, and can
// destroy a namespace for good. Callers must not put case content in
// namespace or key names: names are encrypted at rest by the storage engine
// but appear in audit entries and error messages.
//
// # Promises
//
//   - A write that Update reported as done is on disk (synced) and survives
//     a crash or a power cut, and the vault opens after one: an empty log
//     file (write-ahead or value log) that a crash left behind, which the
//     storage engine would refuse, holds no write and is removed at open.
//   - A wrong passphrase changes no byte on disk.
//   - A second process that opens an open vault gets ErrInUse at once.
//   - A vault written by this format version is opened by every later
//     version; a vault of a newer version is refused with
//     ErrUnsupportedVersion, never misread.
//
// # Format, version 1
//
// The directory holds:
//
//	vault.hdr   the header (plaintext, authenticated)
//	keyring     the epoch keys, sealed under the master key
//	lock        locked with flock/LockFileEx while open; empty, or the
//	            high-water mark (below)
//	data/       a Badger v4 database, encrypted at rest
//
// High-water mark. After each committed change the lock file is
// overwritten, from its first byte and without a sync, with
// seal(audit key, seq ‖ SHA-256 of audit entry seq, AD("high-water mark",
// vault id)): 8 + 32 bytes sealed. Open and Check refuse a vault whose
// audit head is behind its mark (changes acknowledged and since lost, as
// when Badger's write-ahead log is deleted or damaged). An empty lock file
// has no mark; older versions leave it empty and ignore it.
//
// Header. Four lines of text, each ending in "\n":
//
//	casebook-vault 1
//	{"version":1,"vault_id":"…","slots":[…]}
//	sum <hex SHA-256 of the first two lines, newlines included>
//	mac <hex HMAC-SHA256 of the first two lines under HKDF(master, "casebook v1 header mac")>
//
// The JSON line is exactly as encoding/json writes the header struct (no
// spaces; fields in the order shown in header.go); any other encoding is
// refused. vault_id is 16 random bytes in standard base64. Each slot wraps
// the 32-byte master key under a key derived from a secret:
//
//	{"kind":"passphrase"|"recovery","kdf":"argon2id","time":T,"memory_kib":M,
//	 "threads":P,"salt":<16 bytes>,"wrapped":<73 bytes>}
//
// The wrapping key is Argon2id(secret, salt, T, M, P) of 32 bytes. wrapped
// is seal(key, master, AD) as below, with AD binding the format version,
// vault id, slot kind, KDF name, T, M, P and salt. The recovery secret is
// the recovery code's 32 base32 letters, upper case, without dashes.
// Readers refuse T > 16, M > 1 GiB, P > 16 and T×M > 8 GiB, so that a
// crafted header cannot make unlocking run for minutes. The sum line tells
// accidental damage from a wrong passphrase; the mac line, checked after
// unlocking, detects any change to either slot.
//
// Sealing. seal(key, plaintext, AD) is the byte 0x01, a random 24-byte
// nonce, and the XChaCha20-Poly1305 ciphertext with its 16-byte tag.
// Associated data are length-prefixed lists (4-byte big-endian length,
// then the bytes) so that no two lists encode alike.
//
// Keys. From the master key, HKDF-SHA256 with info "casebook v1 <purpose>"
// derives independent keys: "badger at rest" (Badger's AES encryption at
// rest), "keyring", "audit", "header mac" and "backup".
//
// Keyring. The line "casebook-keyring 1\n" followed by
// seal(HKDF(master,"keyring"), count ‖ current ‖ (epoch ‖ key)…, AD(magic,
// vault id)), with 4-byte big-endian integers and 32-byte keys. It is
// rewritten whole, atomically (temporary file, fsync, rename, fsync of the
// directory).
//
// Temporary files. The header and the keyring are written through a
// temporary file named ".<name>.tmp-<random>" beside them; Create and
// Restore build a whole vault in a directory ".casebook-new-<random>" or
// ".casebook-restore-<random>" beside its place and rename it there,
// holding that directory's lock file from the moment it exists (on
// Windows, released for the rename). A crash can leave either behind, and
// both hold key material: an epoch key a destruction was forgetting, the
// key slot of a passphrase that was being set, or a whole copy of a vault.
// An unlock that succeeds (never a wrong passphrase or recovery code, nor
// an unlock that fails) removes, once the vault is open and any
// destruction finished, the temporary files in it, and every such
// directory beside it that nobody holds and that is at least a minute old
// (a day on Windows, and for a directory without a lock file); Create and
// Restore remove such directories too.
//
// Records. Badger keys start with one byte telling their kind:
//
//	'n' ns                 namespace data key: epoch (4 bytes) ‖ seal(epoch key, data key, AD("namespace key", vault id, ns, epoch))
//	'r' ns 0x00 key        record: seal(namespace data key, value, AD("record", vault id, ns, key))
//	'a' seq (8 bytes)      audit entry: seal(audit key, JSON, AD("audit", vault id, Badger key))
//	'm' "audit-head"       last audit entry's seq and hash, sealed like an entry
//	'm' "pass-slot"        SHA-256("casebook passphrase slot" ‖ 0x00 ‖ salt ‖ wrapped) of the header's passphrase slot the audit log last recorded, sealed like an entry
//	'd' ns                 marker: namespace destroyed, sweep pending (empty value)
//
// Binding each value to its own name means a value copied or moved to
// another record fails authentication.
//
// Audit chain. Each entry is the JSON {"seq","time","actor","kind",
// "record","prev","hash"}, where hash is the hex SHA-256 of the entry's
// JSON with hash empty, and prev is the hash of the entry before (empty for
// the first). Entries are written in the same atomic Badger transaction as
// the change they record. Check verifies the chain from the first entry to
// the head. A passphrase change writes the header first and then its entry
// with the new slot's fingerprint ("pass-slot"), putting the old header
// back if that write fails; an open that finds the header's slot unlike
// the fingerprint records the change a crash cut short ("recorded at the
// next unlock"), and gives a vault without a fingerprint one.
//
// Destruction. DestroyNamespaces deletes a namespace's data key and writes
// a 'd' marker in one transaction, then deletes the namespace's records
// (every version of them: Badger's write-ahead log is flushed and its
// tables rewritten without them; large values in its value log wait for
// value-log garbage collection), moves every surviving namespace key to a
// new epoch key, forgets the old epoch key (rewriting the keyring file) and
// removes the marker. Copies of
// the destroyed key or records that Badger's log-structured files still
// hold are sealed under keys that no longer exist; a temporary keyring
// file a crash left with the old epoch key is removed at the next unlock,
// which also finishes the destruction. The old keyring file's
// blocks may survive on the disk itself until the file system reuses them;
// full-disk encryption covers that.
//
// Backup. A backup file is
//
//	casebook-backup 1\n
//	<length of the header copy, decimal>\n
//	<the vault header, byte for byte>
//	<an age file (age-encryption.org/v1)>
//
// The age file has one recipient stanza of type "casebook-vault-backup"
// whose argument is the vault id in hex and whose body is
// seal(HKDF(master,"backup"), file key, AD(type, vault id, SHA-256 of the
// header copy)). Its payload is "casebook-backup-payload 1\n", a keyring
// frame ('K', uvarint length, the keyring file's bytes), one frame per
// Badger entry ('R', uvarint length, key, uvarint length, stored value, as
// sealed in the vault) and an end frame ('E', uvarint count of 'R' frames).
// Nothing may follow it.
package vault
