package vault

import (
	"bytes"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"
	"testing"

	"golang.org/x/crypto/chacha20poly1305"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatalf("bad hex in test: %v", err)
	}
	return b
}

func seq(from byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = from + byte(i)
	}
	return b
}

// TestOpenKnownAnswer opens the XChaCha20-Poly1305 test vector of
// draft-irtf-cfrg-xchacha-03, appendix A.3.1, framed as seal frames it
// (version byte, nonce, ciphertext and tag).
func TestOpenKnownAnswer(t *testing.T) {
	key := seq(0x80, 32)
	nonce := seq(0x40, 24)
	aad := unhex(t, "50515253c0c1c2c3c4c5c6c7")
	plaintext := []byte("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.")
	ciphertext := unhex(t, `
		bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb
		731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452
		2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9
		21f9664c97637da9768812f615c68b13b52e`)
	tag := unhex(t, "c0875924c1c7987947deafd8780acf49")

	// The vector agrees with the library the vault uses.
	a, err := chacha20poly1305.NewX(key)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := a.Seal(nil, nonce, plaintext, aad), append(bytes.Clone(ciphertext), tag...); !bytes.Equal(got, want) {
		t.Fatalf("XChaCha20-Poly1305 vector: got %x, want %x", got, want)
	}

	sealed := append(append(append([]byte{sealVersion}, nonce...), ciphertext...), tag...)
	got, err := open(key, sealed, aad)
	if err != nil || !bytes.Equal(got, plaintext) {
		t.Fatalf("open: got %q, %v; want the vector's plaintext", got, err)
	}
	for i := range sealed {
		d := bytes.Clone(sealed)
		d[i] ^= 0x01
		if pt, err := open(key, d, aad); err == nil {
			t.Errorf("open with byte %d flipped: got %q, want an error", i, pt)
		}
	}
	otherKey := bytes.Clone(key)
	otherKey[31] ^= 1
	for name, tt := range map[string]struct{ key, sealed, ad []byte }{
		"other key":         {otherKey, sealed, aad},
		"other ad":          {key, sealed, aad[1:]},
		"no ad":             {key, sealed, nil},
		"version 2":         {key, append([]byte{2}, sealed[1:]...), aad},
		"truncated":         {key, sealed[:len(sealed)-1], aad},
		"shorter than tag":  {key, sealed[:1+24+15], aad},
		"empty":             {key, nil, aad},
		"extra byte":        {key, append(bytes.Clone(sealed), 0), aad},
		"nonce bytes moved": {key, append(append([]byte{sealVersion}, sealed[2:26]...), sealed[26:]...), aad},
	} {
		if pt, err := open(tt.key, tt.sealed, tt.ad); err == nil {
			t.Errorf("open with %s: got %q, want an error", name, pt)
		}
	}
}

func TestSealLayout(t *testing.T) {
	key := seq(0, 32)
	a, b := seal(key, []byte("same plaintext"), []byte("ad")), seal(key, []byte("same plaintext"), []byte("ad"))
	if len(a) != 1+24+len("same plaintext")+16 || a[0] != sealVersion {
		t.Errorf("seal: got %d bytes starting %#x, want %d starting %#x", len(a), a[0], 1+24+14+16, sealVersion)
	}
	if bytes.Equal(a[1:25], b[1:25]) {
		t.Errorf("two seals: got the same nonce, want random nonces")
	}
	// seal's output opens with the AEAD directly: nonce after the version byte.
	aead, _ := chacha20poly1305.NewX(key)
	if pt, err := aead.Open(nil, a[1:25], a[25:], []byte("ad")); err != nil || string(pt) != "same plaintext" {
		t.Errorf("AEAD open of seal output: got %q, %v", pt, err)
	}
	if pt, err := open(key, seal(key, nil, nil), nil); err != nil || len(pt) != 0 {
		t.Errorf("empty plaintext: got %q, %v; want empty, nil", pt, err)
	}
}

// TestSubkeyKnownAnswer checks subkey against HKDF-SHA256 computed by the
// standard library, and once more from RFC 5869's two HMAC steps.
func TestSubkeyKnownAnswer(t *testing.T) {
	master := seq(0x00, 32)
	seen := map[string]string{}
	for _, purpose := range []string{"badger at rest", "keyring", "audit", "header mac", "backup"} {
		want, err := hkdf.Key(sha256.New, master, nil, "casebook v1 "+purpose, 32)
		if err != nil {
			t.Fatal(err)
		}
		got := subkey(master, purpose)
		if !bytes.Equal(got, want) {
			t.Errorf("subkey(%q): got %x, want %x", purpose, got, want)
		}
		if other, dup := seen[string(got)]; dup {
			t.Errorf("subkey(%q) equals subkey(%q)", purpose, other)
		}
		seen[string(got)] = purpose
	}
	// RFC 5869: PRK = HMAC(salt = 32 zero bytes, master); OKM = T(1) =
	// HMAC(PRK, info ‖ 0x01), which is 32 bytes, all that is needed.
	prk := hmacSHA256(make([]byte, 32), master)
	want := hmacSHA256(prk, append([]byte("casebook v1 audit"), 1))
	if got := subkey(master, "audit"); !bytes.Equal(got, want) {
		t.Errorf("subkey(audit): got %x, want %x", got, want)
	}
	// The derivation depends on every byte of the master key.
	m2 := bytes.Clone(master)
	m2[31] ^= 1
	if bytes.Equal(subkey(m2, "audit"), want) {
		t.Errorf("subkey: got the same key from another master key")
	}
}

func hmacSHA256(key, msg []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return m.Sum(nil)
}

// TestADEncoding checks the associated data of each kind of sealed value
// against bytes written out by hand from doc.go: each part is a 4-byte
// big-endian length followed by its bytes.
func TestADEncoding(t *testing.T) {
	id := seq(0x00, 16)
	idHex := "00000010 000102030405060708090a0b0c0d0e0f"
	v := &Vault{hdr: &header{VaultID: id}, vaultID: id}
	headerCopy := []byte("header copy")
	hsum := sha256.Sum256(headerCopy)
	tests := []struct {
		name string
		got  []byte
		want string
	}{
		{"no parts", ad(), ""},
		{"one part", ad([]byte("ab")), "00000002 6162"},
		{"empty parts", ad(nil, []byte{}, []byte{0xff}), "00000000 00000000 00000001 ff"},
		{"record", recordAD(id, "ns", "k"),
			"00000006 7265636f7264" + idHex + "00000002 6e73 00000001 6b"},
		{"namespace key", namespaceAD(id, "ns", 7),
			"0000000d 6e616d657370616365206b6579" + idHex + "00000002 6e73 00000004 00000007"},
		{"audit entry", v.auditAD(auditKeyName(1)),
			"00000005 6175646974" + idHex + "00000009 61 0000000000000001"},
		{"audit head", v.auditAD(auditHeadKey),
			"00000005 6175646974" + idHex + "0000000b 6d 61756469742d68656164"},
		{"keyring", keyringAD(id),
			"00000013 63617365626f6f6b2d6b657972696e6720310a" + idHex},
		{"backup file key", (&backupKey{vaultID: id, bind: hsum[:]}).ad(),
			"00000015 63617365626f6f6b2d7661756c742d6261636b7570" + idHex + "00000020" + hex.EncodeToString(hsum[:])},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if want := unhex(t, tt.want); !bytes.Equal(tt.got, want) {
				t.Errorf("got %x, want %x", tt.got, want)
			}
		})
	}
	// Lists that concatenate alike still encode differently.
	if bytes.Equal(ad([]byte("a"), []byte("bc")), ad([]byte("ab"), []byte("c"))) {
		t.Errorf(`ad("a","bc") equals ad("ab","c")`)
	}
	if bytes.Equal(recordAD(id, "n\x00", "k"), recordAD(id, "n", "\x00k")) {
		t.Errorf("record AD: two different names encode alike")
	}
}

func TestRecoveryCodeFormat(t *testing.T) {
	for range 20 {
		code := newRecoveryCode()
		groups := strings.Split(code, "-")
		if len(groups) != 8 {
			t.Fatalf("code %q: got %d groups, want 8", code, len(groups))
		}
		for _, g := range groups {
			if len(g) != 4 || strings.Trim(g, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != "" {
				t.Fatalf("code %q: group %q is not four base32 letters", code, g)
			}
		}
		n := normalizeRecoveryCode(code)
		raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(string(n))
		if err != nil || len(raw) != recoveryCodeBytes {
			t.Fatalf("code %q: got %d bytes, %v; want %d", code, len(raw), err, recoveryCodeBytes)
		}
	}
}

func TestRecoveryCodeNormalization(t *testing.T) {
	const want = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	tests := []struct{ name, typed string }{
		{"as shown", "ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567"},
		{"lower case", "abcd-efgh-ijkl-mnop-qrst-uvwx-yz23-4567"},
		{"mixed case", "AbCd-eFgH-iJkL-mNoP-qRsT-uVwX-yZ23-4567"},
		{"spaces", "ABCD EFGH IJKL MNOP QRST UVWX YZ23 4567"},
		{"no separators", "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"},
		{"extra dashes and spaces", " ABCD--EFGH - IJKL-MNOP-QRST-UVWX-YZ23-4567 "},
		{"tabs and line breaks", "ABCD-EFGH-IJKL-MNOP\r\n\tQRST-UVWX-YZ23-4567\n"},
		{"digit 0 for letter O", "ABCD-EFGH-IJKL-MN0P-QRST-UVWX-YZ23-4567"},
		{"digit 1 for letter I", "ABCD-EFGH-1JKL-MNOP-QRST-UVWX-YZ23-4567"},
		{"digit 8 for letter B", "A8CD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(normalizeRecoveryCode(tt.typed)); got != want {
				t.Errorf("normalizeRecoveryCode(%q): got %q, want %q", tt.typed, got, want)
			}
		})
	}
	// Other mistakes are not forgiven: they give another secret.
	for _, typed := range []string{"ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-456", "ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4568", "ÄBCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567"} {
		if got := string(normalizeRecoveryCode(typed)); got == want {
			t.Errorf("normalizeRecoveryCode(%q): got %q, want something else", typed, got)
		}
	}
}
