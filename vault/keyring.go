package vault

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"slices"
)

const keyringMagic = "casebook-keyring 1\n"

// keyring holds the epoch keys. Each namespace key stored in Badger is
// sealed under one epoch key. Destroying a namespace moves every surviving
// namespace key to a fresh epoch and then forgets the old epoch key, so that
// copies of a destroyed namespace key left behind in Badger's log-structured
// files can no longer be opened. The keyring lives in its own small file,
// rewritten whole and atomically, outside Badger.
type keyring struct {
	current uint32
	epochs  map[uint32][]byte
}

func newKeyring() *keyring {
	return &keyring{current: 1, epochs: map[uint32][]byte{1: randomBytes(keySize)}}
}

func keyringAD(vaultID []byte) []byte {
	return ad([]byte(keyringMagic), vaultID)
}

// marshal seals the keyring: magic ‖ seal(count ‖ current ‖ (epoch ‖ key)…).
func (k *keyring) marshal(master, vaultID []byte) []byte {
	ids := make([]uint32, 0, len(k.epochs))
	for id := range k.epochs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	pt := make([]byte, 8, 8+len(ids)*(4+keySize))
	binary.BigEndian.PutUint32(pt[0:], uint32(len(ids)))
	binary.BigEndian.PutUint32(pt[4:], k.current)
	for _, id := range ids {
		pt = binary.BigEndian.AppendUint32(pt, id)
		pt = append(pt, k.epochs[id]...)
	}
	key := subkey(master, "keyring")
	defer zero(key)
	defer zero(pt)
	return append([]byte(keyringMagic), seal(key, pt, keyringAD(vaultID))...)
}

func parseKeyring(data, master, vaultID []byte) (*keyring, error) {
	bad := func(err error) error { return corrupt("keyring", err) }
	if !bytes.HasPrefix(data, []byte(keyringMagic)) {
		return nil, bad(errors.New("unrecognised keyring file"))
	}
	key := subkey(master, "keyring")
	defer zero(key)
	pt, err := open(key, data[len(keyringMagic):], keyringAD(vaultID))
	if err != nil {
		return nil, bad(err)
	}
	defer zero(pt)
	if len(pt) < 8 {
		return nil, bad(errors.New("keyring too short"))
	}
	n := binary.BigEndian.Uint32(pt[0:])
	k := &keyring{current: binary.BigEndian.Uint32(pt[4:]), epochs: map[uint32][]byte{}}
	if uint64(len(pt)-8) != uint64(n)*(4+keySize) {
		return nil, bad(errors.New("keyring has the wrong size"))
	}
	for p := pt[8:]; len(p) > 0; p = p[4+keySize:] {
		k.epochs[binary.BigEndian.Uint32(p)] = bytes.Clone(p[4 : 4+keySize])
	}
	if k.epochs[k.current] == nil {
		return nil, bad(errors.New("keyring has no current epoch"))
	}
	return k, nil
}

func (k *keyring) save(path string, master, vaultID []byte) error {
	if err := writeFileAtomic(path, k.marshal(master, vaultID), 0o600); err != nil {
		return fmt.Errorf("write keyring: %w", err)
	}
	return nil
}

func loadKeyring(path string, master, vaultID []byte) (*keyring, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, corrupt("keyring", errors.New("keyring file missing"))
	}
	if err != nil {
		return nil, fmt.Errorf("read keyring: %w", err)
	}
	return parseKeyring(data, master, vaultID)
}

func (k *keyring) wipe() {
	for id, key := range k.epochs {
		zero(key)
		delete(k.epochs, id)
	}
}
