package vault

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// FormatVersion is the newest vault format this build writes and reads.
const FormatVersion = 1

// minFormatVersion is the oldest vault format this build still reads.
const minFormatVersion = 1

const (
	headerMagic   = "casebook-vault"
	maxHeaderSize = 64 << 10
	// headerTrailerSize is the size of the sum and mac lines together.
	headerTrailerSize = 2 * (len("sum ") + 2*sha256.Size + len("\n"))

	slotPassphrase = "passphrase"
	slotRecovery   = "recovery"
)

// header is the plaintext head of a vault: everything needed to turn a
// passphrase or recovery code into the master key. See doc.go for its
// exact layout.
type header struct {
	Version int        `json:"version"`
	VaultID b64        `json:"vault_id"`
	Slots   []*keySlot `json:"slots"`
	mac     []byte     // HMAC over the first two lines, under the header key
}

// keySlot wraps the master key under a key derived from one secret.
type keySlot struct {
	Kind      string `json:"kind"`
	KDF       string `json:"kdf"`
	Time      uint32 `json:"time"`
	MemoryKiB uint32 `json:"memory_kib"`
	Threads   uint8  `json:"threads"`
	Salt      b64    `json:"salt"`
	Wrapped   b64    `json:"wrapped"`
}

// b64 is a byte slice written as standard base64 in JSON.
type b64 []byte

func (b b64) MarshalJSON() ([]byte, error) {
	return json.Marshal(base64.StdEncoding.EncodeToString(b))
}

func (b *b64) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	v, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil {
		return err
	}
	*b = v
	return nil
}

func (s *keySlot) params() KDFParams {
	return KDFParams{Time: s.Time, MemoryKiB: s.MemoryKiB, Threads: s.Threads}
}

// slotAD binds a wrapped master key to everything else in its slot and to
// the vault, so that no parameter can be changed without the unwrap failing.
func slotAD(vaultID []byte, s *keySlot) []byte {
	var p [9]byte
	binary.BigEndian.PutUint32(p[0:], s.Time)
	binary.BigEndian.PutUint32(p[4:], s.MemoryKiB)
	p[8] = s.Threads
	return ad([]byte("casebook-vault slot"), []byte(strconv.Itoa(FormatVersion)), vaultID,
		[]byte(s.Kind), []byte(s.KDF), p[:], s.Salt)
}

func newSlot(kind string, vaultID, secret, master []byte, p KDFParams) *keySlot {
	s := &keySlot{Kind: kind, KDF: "argon2id", Time: p.Time, MemoryKiB: p.MemoryKiB,
		Threads: p.Threads, Salt: randomBytes(saltSize)}
	kek := deriveKEK(secret, s.Salt, p)
	defer zero(kek)
	s.Wrapped = seal(kek, master, slotAD(vaultID, s))
	return s
}

// unwrap returns the master key if secret opens the slot.
func (s *keySlot) unwrap(vaultID, secret []byte) ([]byte, error) {
	kek := deriveKEK(secret, s.Salt, s.params())
	defer zero(kek)
	master, err := open(kek, s.Wrapped, slotAD(vaultID, s))
	if err != nil {
		return nil, ErrWrongPassphrase
	}
	if len(master) != keySize {
		return nil, corrupt("vault header", errors.New("master key of wrong size"))
	}
	return master, nil
}

func (h *header) slot(kind string) *keySlot {
	for _, s := range h.Slots {
		if s.Kind == kind {
			return s
		}
	}
	return nil
}

// body returns the authenticated part of the header file: the magic line
// and the JSON line.
func (h *header) body() []byte {
	js, err := json.Marshal(h)
	if err != nil {
		panic(err) // the types above always marshal
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %d\n", headerMagic, h.Version)
	b.Write(js)
	b.WriteByte('\n')
	return b.Bytes()
}

// computeMAC authenticates the header under a key from the master key.
func (h *header) computeMAC(master []byte) []byte {
	k := subkey(master, "header mac")
	defer zero(k)
	return macSHA256(k, h.body())
}

func (h *header) verifyMAC(master []byte) error {
	if subtle.ConstantTimeCompare(h.computeMAC(master), h.mac) != 1 {
		return corrupt("vault header", errors.New("header authentication failed"))
	}
	return nil
}

// marshal gives the exact bytes of the header file.
func (h *header) marshal() []byte {
	body := h.body()
	sum := sha256.Sum256(body)
	var b bytes.Buffer
	b.Write(body)
	fmt.Fprintf(&b, "sum %s\nmac %s\n", hex.EncodeToString(sum[:]), hex.EncodeToString(h.mac))
	return b.Bytes()
}

// parseHeader reads a header file. It checks the magic, the version, the
// checksum and the shape of every field; it cannot check the MAC, which
// needs the master key. Only the canonical encoding is accepted: parsing
// and marshalling again gives the same bytes.
func parseHeader(data []byte) (*header, error) {
	bad := func(why string) error { return corrupt("vault header", errors.New(why)) }
	if len(data) > maxHeaderSize {
		return nil, bad("header too large")
	}
	// When the file ends with a sum line and a mac line, check the sum
	// before anything else, so that a damaged magic or version line is
	// reported as damage, not as some other file or a newer format.
	if n := len(data) - headerTrailerSize; n >= 0 && bytes.HasPrefix(data[n:], []byte("sum ")) {
		want := sha256.Sum256(data[:n])
		if !bytes.HasPrefix(data[n:], []byte("sum "+hex.EncodeToString(want[:])+"\n")) {
			return nil, bad("header checksum mismatch")
		}
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	if len(lines) < 1 || !bytes.HasPrefix(lines[0], []byte(headerMagic+" ")) {
		return nil, fmt.Errorf("%w: not a Casebook vault header", ErrNoVault)
	}
	vs := bytes.TrimSuffix(bytes.TrimPrefix(lines[0], []byte(headerMagic+" ")), []byte("\n"))
	version, err := strconv.Atoi(string(vs))
	if err != nil || version < 0 || strconv.Itoa(version) != string(vs) {
		return nil, bad("unreadable format version")
	}
	if version > FormatVersion || version < minFormatVersion {
		return nil, fmt.Errorf("%w: the vault is format %d; this Casebook reads %d to %d",
			ErrUnsupportedVersion, version, minFormatVersion, FormatVersion)
	}
	// magic, json, sum, mac, and the empty remainder after the last newline
	if len(lines) != 5 || len(lines[4]) != 0 {
		return nil, bad("header has the wrong number of lines")
	}
	body := data[:len(lines[0])+len(lines[1])]
	sumLine, macLine := lines[2], lines[3]
	want := sha256.Sum256(body)
	if !bytes.Equal(sumLine, []byte("sum "+hex.EncodeToString(want[:])+"\n")) {
		return nil, bad("header checksum mismatch")
	}
	if !bytes.HasPrefix(macLine, []byte("mac ")) {
		return nil, bad("header has no mac")
	}
	mac, err := hex.DecodeString(string(bytes.TrimSuffix(macLine[4:], []byte("\n"))))
	if err != nil || len(mac) != sha256.Size {
		return nil, bad("header mac unreadable")
	}
	h := &header{}
	dec := json.NewDecoder(bytes.NewReader(lines[1]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(h); err != nil {
		return nil, bad("header fields unreadable")
	}
	h.mac = mac
	if h.Version != version {
		return nil, bad("header versions disagree")
	}
	if len(h.VaultID) != 16 {
		return nil, bad("vault id has the wrong size")
	}
	seen := map[string]bool{}
	for _, s := range h.Slots {
		if s == nil {
			return nil, bad("empty key slot")
		}
		if s.Kind != slotPassphrase && s.Kind != slotRecovery || seen[s.Kind] {
			return nil, bad("unknown or repeated key slot")
		}
		seen[s.Kind] = true
		if s.KDF != "argon2id" {
			return nil, bad("unknown key derivation")
		}
		if err := s.params().validate(); err != nil {
			return nil, bad("key derivation parameters out of bounds")
		}
		if len(s.Salt) != saltSize || len(s.Wrapped) != 1+nonceSize+keySize+16 {
			return nil, bad("key slot has the wrong size")
		}
	}
	if !seen[slotPassphrase] {
		return nil, bad("no passphrase slot")
	}
	if !bytes.Equal(h.marshal(), data) {
		return nil, bad("header is not in canonical form")
	}
	return h, nil
}
