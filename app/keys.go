package app

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"filippo.io/age"

	"casebook/vault"
)

// Member keys. Each vault holds one member identity, made on first need:
// an age X25519 key pair, to which bundles for this member are encrypted,
// and an Ed25519 key pair, with which this member signs the bundles they
// send. The private halves are kept sealed in the vault (the committee's
// namespace, record "identity") and never leave the app package; the
// public halves travel as one line of text, the key line:
//
//	casebook-key1 <age recipient> <signing key and checksum> [name]
//
// The signing field is the 32-byte Ed25519 public key followed by the first
// 4 bytes of SHA-256("casebook-key1\n" ‖ age recipient ‖ "\n" ‖ public key),
// in unpadded base64url (48 characters). The age recipient carries its own
// bech32 checksum. A line changed in any character of either key is refused.

// keyLinePrefix starts every key line of this version.
const keyLinePrefix = "casebook-key1"

// identityKey names the member identity in the committee's namespace.
const identityKey = "identity"

// ErrKeyLine means a key line could not be read: mistyped, cut short or
// changed on the way. It never quotes the line.
var ErrKeyLine = errors.New("not a valid Casebook key line")

// ErrKeyInUse means a key belongs to another member already.
var ErrKeyInUse = errors.New("that key belongs to another member")

// ErrKeyChange means a member already has a different key; replacing it
// must be asked for.
var ErrKeyChange = errors.New("the member already has a different key")

// ErrOwnKey means a key line was given for the member who uses this
// vault: their keys are the vault's own, made by the vault.
var ErrOwnKey = errors.New("that is not this vault's key, and the member using this vault has the vault's own keys")

// MemberKey is a member's public keys: the age recipient that bundles for
// them are encrypted to, and the Ed25519 key that checks the bundles they
// sign.
type MemberKey struct {
	// Age is the age X25519 recipient, "age1…".
	Age string `json:"age"`
	// Signing is the Ed25519 public key in unpadded base64url.
	Signing string `json:"signing"`
}

func keyChecksum(ageRecipient string, pub []byte) []byte {
	h := sha256.New()
	h.Write([]byte(keyLinePrefix + "\n" + ageRecipient + "\n"))
	h.Write(pub)
	return h.Sum(nil)
}

// signingKey returns the Ed25519 public key, or nil if the field is not one.
func (k MemberKey) signingKey() ed25519.PublicKey {
	b, err := base64.RawURLEncoding.DecodeString(k.Signing)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil
	}
	return b
}

// recipient returns the age recipient.
func (k MemberKey) recipient() (*age.X25519Recipient, error) {
	r, err := age.ParseX25519Recipient(k.Age)
	if err != nil {
		return nil, fmt.Errorf("%w: the age key is damaged", ErrKeyLine)
	}
	return r, nil
}

// valid reports whether both keys parse.
func (k MemberKey) valid() bool {
	_, err := k.recipient()
	return err == nil && k.signingKey() != nil
}

// Line returns the key line, with name at the end when it is not empty.
func (k MemberKey) Line(name string) string {
	pub := k.signingKey()
	field := base64.RawURLEncoding.EncodeToString(append(bytes.Clone(pub), keyChecksum(k.Age, pub)[:4]...))
	line := keyLinePrefix + " " + k.Age + " " + field
	if name = strings.Join(strings.Fields(name), " "); name != "" {
		line += " " + name
	}
	return line
}

// Fingerprint is a short digest of both keys, such as
// "K7QF-2MZD-XW4A-P9CE", for two members to compare by voice or on paper
// before trusting a key line that came by e-mail or chat.
func (k MemberKey) Fingerprint() string {
	sum := keyChecksum(k.Age, k.signingKey())
	s := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:10])
	return s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
}

// Equal reports whether two keys are the same.
func (k MemberKey) Equal(o MemberKey) bool { return k.Age == o.Age && k.Signing == o.Signing }

// ParseMemberKey reads a key line as `casebook key` prints it, and returns
// the keys and the name at its end (which may be empty). Fields may be
// separated by any white space, as a paste into a mail can leave them. A
// line that is damaged in any key character is refused with an error
// matching ErrKeyLine that says which part is wrong and never quotes it.
func ParseMemberKey(line string) (MemberKey, string, error) {
	fields := strings.Fields(line)
	bad := func(why string) (MemberKey, string, error) {
		return MemberKey{}, "", fmt.Errorf("%w: %s", ErrKeyLine, why)
	}
	switch {
	case len(fields) == 0:
		return bad("the line is empty")
	case fields[0] != keyLinePrefix:
		if strings.HasPrefix(fields[0], "casebook-key") {
			return bad("it was made by a newer version of Casebook")
		}
		return bad("it does not start with " + keyLinePrefix)
	case len(fields) < 3:
		return bad("it is cut short")
	}
	if _, err := age.ParseX25519Recipient(fields[1]); err != nil {
		return bad("its age key is damaged")
	}
	raw, err := base64.RawURLEncoding.DecodeString(fields[2])
	if err != nil || len(raw) != ed25519.PublicKeySize+4 {
		return bad("its signing key is damaged")
	}
	pub, sum := raw[:ed25519.PublicKeySize], raw[ed25519.PublicKeySize:]
	if !bytes.Equal(sum, keyChecksum(fields[1], pub)[:4]) {
		return bad("its checksum does not match; copy the whole line again")
	}
	k := MemberKey{Age: fields[1], Signing: base64.RawURLEncoding.EncodeToString(pub)}
	return k, strings.Join(fields[3:], " "), nil
}

// identity is this vault's member identity: the private keys.
type identity struct {
	age  *age.X25519Identity
	sign ed25519.PrivateKey
}

// storedIdentity is the identity as the vault keeps it.
type storedIdentity struct {
	Age     string    `json:"age"`     // AGE-SECRET-KEY-1…
	Seed    []byte    `json:"ed25519"` // the 32-byte Ed25519 seed
	Created time.Time `json:"created"`
}

func (id *identity) public() MemberKey {
	return MemberKey{
		Age:     id.age.Recipient().String(),
		Signing: base64.RawURLEncoding.EncodeToString(id.sign.Public().(ed25519.PublicKey)),
	}
}

func (id *identity) wipe() {
	clear(id.sign)
}

// loadIdentity reads the vault's identity; found is false when the vault
// has none yet.
func (s *Store) loadIdentity() (id *identity, found bool, err error) {
	b, err := s.st.Get(committeeNS, identityKey)
	if errors.Is(err, vault.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read the member keys: %w", err)
	}
	defer clear(b)
	return parseIdentity(b)
}

func parseIdentity(b []byte) (*identity, bool, error) {
	var st storedIdentity
	damaged := &vault.CorruptError{Record: committeeNS + "/" + identityKey, Err: errors.New("unreadable member keys")}
	if err := json.Unmarshal(b, &st); err != nil || len(st.Seed) != ed25519.SeedSize {
		return nil, true, damaged
	}
	defer clear(st.Seed)
	a, err := age.ParseX25519Identity(st.Age)
	if err != nil {
		return nil, true, damaged
	}
	return &identity{age: a, sign: ed25519.NewKeyFromSeed(st.Seed)}, true, nil
}

// ensureIdentityLocked returns the vault's identity, making and storing one the
// first time. The caller holds s.mu for writing.
func (s *Store) ensureIdentityLocked() (*identity, error) {
	id, found, err := s.loadIdentity()
	if err != nil || found {
		return id, err
	}
	a, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, fmt.Errorf("make the member keys: %w", err)
	}
	seed := make([]byte, ed25519.SeedSize)
	if _, err := rand.Read(seed); err != nil {
		return nil, fmt.Errorf("make the member keys: %w", err)
	}
	defer clear(seed)
	b, err := json.Marshal(storedIdentity{Age: a.String(), Seed: seed, Created: s.now().UTC()})
	if err != nil {
		return nil, err
	}
	defer clear(b)
	err = s.st.Update(func(tx *vault.Tx) error {
		// Another process cannot have the vault open; within this one,
		// s.mu is held, so the identity is made once.
		if err := tx.Put(committeeNS, identityKey, b); err != nil {
			return err
		}
		tx.Record("member.identity", committeeNS+"/"+identityKey)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &identity{age: a, sign: ed25519.NewKeyFromSeed(seed)}, nil
}

// MyKey returns this vault's public keys, making the member identity the
// first time it is needed. When the roster says who uses this vault, their
// roster entry is given the keys too, so that bundles they send are
// recognised when they come back.
func (s *Store) MyKey() (MemberKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, err := s.ensureIdentityLocked()
	if err != nil {
		return MemberKey{}, err
	}
	defer id.wipe()
	k := id.public()
	me := s.roster.Member(s.roster.Me)
	if me == nil || (me.Key != nil && me.Key.Equal(k)) {
		return k, nil
	}
	r := clone(&s.roster)
	r.Member(r.Me).Key = &k
	err = s.st.Update(func(tx *vault.Tx) error {
		if err := putJSON(tx, committeeNS, rosterKey, r); err != nil {
			return err
		}
		tx.Record("member.key", r.Me)
		return nil
	})
	if err != nil {
		return MemberKey{}, err
	}
	s.roster = *r
	return k, nil
}

// MyKeyLine returns the line `casebook key` prints: this vault's public
// keys and, when the roster says who uses this vault, their name.
func (s *Store) MyKeyLine() (string, error) {
	k, err := s.MyKey()
	if err != nil {
		return "", err
	}
	name := ""
	if m := s.Roster().Member(s.Roster().Me); m != nil {
		name = m.Name
	}
	return k.Line(name), nil
}

// SetKey gives member m the key k, refusing a key that another member of
// the roster has already.
func (r *Roster) SetKey(m *Member, k MemberKey) error {
	if !k.valid() {
		return fmt.Errorf("%w: the keys are damaged", ErrKeyLine)
	}
	for _, o := range r.Members {
		if o.ID != m.ID && o.Key != nil && (o.Key.Age == k.Age || o.Key.Signing == k.Signing) {
			return fmt.Errorf("%w: %s", ErrKeyInUse, o.Name)
		}
	}
	m.Key = &k
	return nil
}

// SetMemberKey records a member's public keys, read from their key line.
// A member who has a different key already keeps it unless replace is set
// (a new laptop, a new vault); the change is in the audit log. The member
// using this vault can only be given this vault's own key.
func (s *Store) SetMemberKey(member string, k MemberKey, replace bool) (*Member, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := clone(&s.roster)
	m := r.Find(member)
	if m == nil {
		return nil, fmt.Errorf("%w: no member %q on the roster", ErrInvalid, member)
	}
	if m.ID == r.Me {
		id, found, err := s.loadIdentity()
		if err != nil {
			return nil, err
		}
		if !found || !id.public().Equal(k) {
			return nil, ErrOwnKey
		}
		id.wipe()
	}
	if m.Key != nil && m.Key.Equal(k) {
		return clone(m), nil
	}
	if m.Key != nil && !replace {
		return nil, fmt.Errorf("%w: %s", ErrKeyChange, m.Name)
	}
	if err := r.SetKey(m, k); err != nil {
		return nil, err
	}
	err := s.st.Update(func(tx *vault.Tx) error {
		if err := putJSON(tx, committeeNS, rosterKey, r); err != nil {
			return err
		}
		tx.Record("member.key", m.ID)
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.roster = *r
	s.changedLocked()
	return clone(m), nil
}
