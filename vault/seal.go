package vault

import (
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io"

	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/hkdf"
)

const (
	keySize   = 32
	saltSize  = 16
	nonceSize = chacha20poly1305.NonceSizeX
	// sealVersion prefixes every sealed value, so that the scheme can change
	// in a later format version without guessing.
	sealVersion = 1
)

var _ cipher.AEAD = mustAEAD(make([]byte, keySize))

// errUnauthenticated means a sealed value failed authentication: wrong key,
// altered bytes, or a value moved to another record.
var errUnauthenticated = errors.New("ciphertext verification failed")

func mustAEAD(key []byte) cipher.AEAD {
	a, err := chacha20poly1305.NewX(key)
	if err != nil {
		panic(err) // only reached with a key of the wrong size: a bug
	}
	return a
}

// seal encrypts and authenticates plaintext under key, binding it to ad.
// The result is version ‖ nonce ‖ ciphertext ‖ tag.
func seal(key, plaintext, ad []byte) []byte {
	out := make([]byte, 1+nonceSize, 1+nonceSize+len(plaintext)+chacha20poly1305.Overhead)
	out[0] = sealVersion
	if _, err := io.ReadFull(rand.Reader, out[1:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return mustAEAD(key).Seal(out, out[1:1+nonceSize], plaintext, ad)
}

// open reverses seal. Any change to the sealed bytes, the key or ad gives
// errUnauthenticated and no plaintext.
func open(key, sealed, ad []byte) ([]byte, error) {
	if len(sealed) < 1+nonceSize+chacha20poly1305.Overhead || sealed[0] != sealVersion {
		return nil, errUnauthenticated
	}
	pt, err := mustAEAD(key).Open(nil, sealed[1:1+nonceSize], sealed[1+nonceSize:], ad)
	if err != nil {
		return nil, errUnauthenticated
	}
	return pt, nil
}

// subkey derives an independent key for one purpose from the master key.
func subkey(master []byte, purpose string) []byte {
	k := make([]byte, keySize)
	r := hkdf.New(sha256.New, master, nil, []byte("casebook v1 "+purpose))
	if _, err := io.ReadFull(r, k); err != nil {
		panic(err) // hkdf cannot run out for 32 bytes
	}
	return k
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := io.ReadFull(rand.Reader, b); err != nil {
		panic(err)
	}
	return b
}

func macSHA256(key []byte, parts ...[]byte) []byte {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}

// zero overwrites key material that is no longer needed.
func zero(b []byte) {
	clear(b)
}

// ad builds associated data from length-prefixed parts, so that no two
// different lists of parts give the same bytes.
func ad(parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += 4 + len(p)
	}
	out := make([]byte, 0, n)
	for _, p := range parts {
		l := len(p)
		out = append(out, byte(l>>24), byte(l>>16), byte(l>>8), byte(l))
		out = append(out, p...)
	}
	return out
}
