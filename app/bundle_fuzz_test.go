package app

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"testing"
	"time"
)

// fuzzPeer is a synthetic member with fixed keys, for seeds.
func fuzzPeer(name, ageRecipient string, seed byte) (bundlePeer, ed25519.PrivateKey) {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
	return bundlePeer{Name: name, Age: ageRecipient,
		Signing: base64.RawURLEncoding.EncodeToString(priv.Public().(ed25519.PublicKey))}, priv
}

// fuzzSeedContent builds the plaintext of a valid bundle of two synthetic
// cases, signed with a fixed key, without a vault.
func fuzzSeedContent(t testing.TB, signed bool) []byte {
	t.Helper()
	alex, priv := fuzzPeer("Alex Example", "age1jkjs4e7ed93eknkr8jyp2aw8zn54pxrqw5p4ka5y9wa7a9qpusvsjm485h", 1)
	blair, _ := fuzzPeer("Blair Sample", "age1gkm2d6e3y306yq2rspcgksrl56hszaz9qqf9twdjmpu97cx9lffq8p3lzp", 2)
	p := &bundlePayload{Members: []bundleMember{{ID: "m1", Name: "Alex Example", Key: &MemberKey{Age: alex.Age, Signing: alex.Signing}}, {ID: "m3", Name: "Casey Placeholder"}}}
	h := &bundleHeader{Format: bundleFormat, ID: "00112233445566778899aabbccddeeff", Created: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC),
		Sender: alex, Recipients: []bundlePeer{alex, blair}}
	for i, id := range []string{"0000000000000001", "0000000000000002"} {
		rs := []bundleRecord{
			{Key: "att.a4", Value: []byte{0, 1, 2, 0xff}},
			{Key: "case", Value: []byte(`{"id":"` + id + `","code":"amber-heron-4` + string(rune('0'+i)) + `","parties":[{"id":"p1","role":"reporter","name":"Robin Reporter"}],"responder":"m1","seq":5}`)},
			{Key: "msg.msg5", Value: []byte(`{"id":"msg5","party_id":"p1","direction":"in","text":"Synthetic text","visibility":{}}`)},
		}
		v := recordsVersion(rs)
		p.Cases = append(p.Cases, bundleCase{Meta: bundleCaseMeta{ID: id, Version: v, Known: []string{v, "ffeeddccbbaa99887766554433221100"},
			Items: map[string]string{"p1": "0123456789abcdef0123456789abcdef", "msg5": "1123456789abcdef0123456789abcdef", "a4": "2123456789abcdef0123456789abcdef"}}, Records: rs})
		h.Cases = append(h.Cases, bundleCaseRef{ID: id, Version: v})
	}
	pb, err := p.marshal()
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(pb)
	h.PayloadSize, h.PayloadSHA256 = int64(len(pb)), hex.EncodeToString(sum[:])
	hb, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	c := &bundleContent{Header: hb, Payload: pb}
	if signed {
		c.Signature = ed25519.Sign(priv, signedMessage(hb))
	}
	return c.marshal()
}

func TestFuzzSeedContentIsValid(t *testing.T) {
	b := fuzzSeedContent(t, true)
	c, h, err := parseBundleContent(b)
	if err != nil {
		t.Fatalf("parseBundleContent: %v", err)
	}
	if err := c.verify(h); err != nil {
		t.Fatalf("verify: %v", err)
	}
	if _, err := parseBundlePayload(c.Payload); err != nil {
		t.Fatalf("parseBundlePayload: %v", err)
	}
	if _, _, err := parseBundleContent(fuzzSeedContent(t, false)); !errors.Is(err, ErrUnsigned) {
		t.Errorf("unsigned seed: got %v, want ErrUnsigned", err)
	}
}

// FuzzBundleContent feeds the parsers of a bundle's plaintext — the
// content (header, signature, payload) and the payload on its own — with
// arbitrary bytes. Neither may panic, and whatever they accept must encode
// back to the very same bytes: one bundle has one encoding, so a signed
// header means one thing.
func FuzzBundleContent(f *testing.F) {
	good := fuzzSeedContent(f, true)
	f.Add(good)
	f.Add(fuzzSeedContent(f, false))
	if c, _, err := parseBundleContent(good); err == nil {
		f.Add(c.Payload)
	}
	f.Add([]byte(bundleContentMagic))
	f.Add([]byte(bundlePayloadMagic + "E\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if p, err := parseBundlePayload(b); err == nil {
			again, err := p.marshal()
			if err != nil || !bytes.Equal(again, b) {
				t.Fatalf("payload accepted but encodes to other bytes (%v)", err)
			}
			for _, c := range p.Cases {
				if recordsVersion(c.Records) != c.Meta.Version {
					t.Fatalf("payload accepted with a case that does not match its version")
				}
			}
		}
		c, h, err := parseBundleContent(b)
		if err != nil && !errors.Is(err, ErrUnsigned) {
			return
		}
		if !bytes.Equal(c.marshal(), b) {
			t.Fatalf("content accepted but encodes to other bytes")
		}
		if again, err := json.Marshal(h); err != nil || !bytes.Equal(again, c.Header) {
			t.Fatalf("header accepted but encodes to other bytes (%v)", err)
		}
		if h.check() != "" || int64(len(c.Payload)) != h.PayloadSize {
			t.Fatalf("header accepted but fails its own check")
		}
	})
}

// FuzzParseMemberKey feeds the key-line reader with arbitrary text. It may
// not panic, and a line it accepts must print back as a line that reads as
// the same keys.
func FuzzParseMemberKey(f *testing.F) {
	alex, _ := fuzzPeer("Alex Example", "age1jkjs4e7ed93eknkr8jyp2aw8zn54pxrqw5p4ka5y9wa7a9qpusvsjm485h", 1)
	line := alex.key().Line("Alex Example")
	f.Add(line)
	f.Add(alex.key().Line(""))
	f.Add("casebook-key1 age1 x")
	f.Add("casebook-key2 " + line[len("casebook-key1 "):])
	f.Fuzz(func(t *testing.T, s string) {
		k, name, err := ParseMemberKey(s)
		if err != nil {
			if !errors.Is(err, ErrKeyLine) {
				t.Fatalf("error %v does not match ErrKeyLine", err)
			}
			return
		}
		if !k.valid() {
			t.Fatalf("accepted keys are not valid")
		}
		k2, name2, err := ParseMemberKey(k.Line(name))
		if err != nil || !k2.Equal(k) || name2 != name {
			t.Fatalf("printed line reads back as %+v %q %v", k2, name2, err)
		}
	})
}
