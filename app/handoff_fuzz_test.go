package app

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"filippo.io/age"

	"casebook/vault"
)

// Fixed synthetic identities for the import fuzz target, so that a bundle
// in its corpus opens in every run: Alex sends, Blair receives.
const (
	fuzzAlexAge  = "AGE-SECRET-KEY-1GWYGAA39KR8CACZS50Z0NHH4JNR28ZRTZUK2MHLCQUQ0N5X2PHLSWTKSAG"
	fuzzBlairAge = "AGE-SECRET-KEY-13W7URN93DGTQAVF3SSWHYHJZLQUG5DEJTRUT8QMDJFDZS7NH9QQQ5QX9PD"
)

func (id *identity) peer(name string) bundlePeer {
	k := id.public()
	return bundlePeer{Name: name, Age: k.Age, Signing: k.Signing}
}

// importFuzzEnv is Blair's vault, which knows Alex's keys, and Alex's
// identity to sign and seal bundles with.
type importFuzzEnv struct {
	v           *vault.Vault
	s           *Store
	alex, blair *identity
}

// newImportFuzzEnv makes Blair's vault in dir; the caller locks it.
func newImportFuzzEnv(dir string) (*importFuzzEnv, error) {
	alexAge, err := age.ParseX25519Identity(fuzzAlexAge)
	if err != nil {
		return nil, err
	}
	blairAge, err := age.ParseX25519Identity(fuzzBlairAge)
	if err != nil {
		return nil, err
	}
	e := &importFuzzEnv{
		alex:  &identity{age: alexAge, sign: ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize))},
		blair: &identity{age: blairAge, sign: ed25519.NewKeyFromSeed(bytes.Repeat([]byte{2}, ed25519.SeedSize))},
	}
	v, _, err := vault.Create(filepath.Join(dir, "vault"), []byte(testPassphrase), vaultOptions())
	if err != nil {
		return nil, err
	}
	e.v = v
	fail := func(err error) (*importFuzzEnv, error) {
		v.Lock()
		return nil, err
	}
	now := func() time.Time { return time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC) }
	if e.s, err = OpenStore(v, now); err != nil {
		return fail(err)
	}
	if err := e.s.SetConfig(testConfig()); err != nil {
		return fail(err)
	}
	roster := &Roster{}
	for _, name := range []string{"Alex Example", "Blair Sample", "Casey Placeholder"} {
		if _, err := roster.Add(name, ""); err != nil {
			return fail(err)
		}
	}
	roster.Me = "m2"
	if err := e.s.UpdateRoster(func(r *Roster) error { *r = *roster; return nil }); err != nil {
		return fail(err)
	}
	b, err := json.Marshal(storedIdentity{Age: fuzzBlairAge, Seed: e.blair.sign.Seed(), Created: now()})
	if err != nil {
		return fail(err)
	}
	if err := v.Update(func(tx *vault.Tx) error { return tx.Put(committeeNS, identityKey, b) }); err != nil {
		return fail(err)
	}
	if _, err := e.s.SetMemberKey("Alex Example", e.alex.public(), false); err != nil {
		return fail(err)
	}
	return e, nil
}

// mustImportFuzzEnv makes Blair's vault in a temporary directory of tb.
func mustImportFuzzEnv(tb testing.TB) *importFuzzEnv {
	tb.Helper()
	e, err := newImportFuzzEnv(tb.TempDir())
	if err != nil {
		tb.Fatalf("making the vault: %v", err)
	}
	tb.Cleanup(func() { e.v.Lock() })
	return e
}

// content makes the plaintext of a bundle from Alex to Blair carrying p,
// signed by Alex, with a header that matches p.
func (e *importFuzzEnv) content(tb testing.TB, p *bundlePayload) []byte {
	tb.Helper()
	pb, err := p.marshal()
	if err != nil {
		tb.Fatal(err)
	}
	h := &bundleHeader{Format: bundleFormat, ID: "00112233445566778899aabbccddeeff", Created: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC),
		Sender: e.alex.peer("Alex Example"), Recipients: []bundlePeer{e.alex.peer("Alex Example"), e.blair.peer("Blair Sample")}}
	for _, c := range p.Cases {
		h.Cases = append(h.Cases, bundleCaseRef{ID: c.Meta.ID, Version: c.Meta.Version})
	}
	sum := sha256.Sum256(pb)
	h.PayloadSize, h.PayloadSHA256 = int64(len(pb)), hex.EncodeToString(sum[:])
	hb, err := json.Marshal(h)
	if err != nil {
		tb.Fatal(err)
	}
	c := &bundleContent{Header: hb, Payload: pb, Signature: ed25519.Sign(e.alex.sign, signedMessage(hb))}
	return c.marshal()
}

// seal encrypts content to Blair and frames it as a bundle file.
func (e *importFuzzEnv) seal(tb testing.TB, content []byte) []byte {
	tb.Helper()
	return e.sealTo(tb, content, e.blair.age.Recipient())
}

// sealTo encrypts content to r and frames it as a bundle file.
func (e *importFuzzEnv) sealTo(tb testing.TB, content []byte, r age.Recipient) []byte {
	tb.Helper()
	var sealed bytes.Buffer
	w, err := age.Encrypt(&sealed, r)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := w.Write(content); err != nil {
		tb.Fatal(err)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return append([]byte(bundleMagic+strconv.Itoa(sealed.Len())+"\n"), sealed.Bytes()...)
}

// fuzzCasePayload is a payload of one case whose record is caseJSON and
// whose one message is msgJSON, with the versions and item identities a
// real sender would give them.
func fuzzCasePayload(caseJSON, msgJSON []byte) *bundlePayload {
	rs := []bundleRecord{{Key: "case", Value: caseJSON}}
	if len(msgJSON) > 0 {
		rs = append(rs, bundleRecord{Key: "msg.msg5", Value: msgJSON})
	}
	v := recordsVersion(rs)
	alexSigning := base64.RawURLEncoding.EncodeToString(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize)).Public().(ed25519.PublicKey))
	alexAge, _ := age.ParseX25519Identity(fuzzAlexAge)
	return &bundlePayload{
		Members: []bundleMember{{ID: "m1", Name: "Alex Example", Key: &MemberKey{Age: alexAge.Recipient().String(), Signing: alexSigning}},
			{ID: "m3", Name: "Casey Placeholder"}},
		Cases: []bundleCase{{Meta: bundleCaseMeta{ID: "0000000000000001", Version: v, Known: []string{v},
			Items: map[string]string{"p1": "0123456789abcdef0123456789abcdef", "msg5": "1123456789abcdef0123456789abcdef"}}, Records: rs}},
	}
}

const (
	fuzzSeedCase = `{"id":"0000000000000001","code":"amber-heron-40","received":"2026-11-02T09:00:00Z","channel":"email",` +
		`"summary":"Synthetic summary","parties":[{"id":"p1","role":"reporter","name":"Robin Reporter"}],"responder":"m1","seq":5}`
	fuzzSeedMsg = `{"id":"msg5","party_id":"p1","direction":"in","at":"2026-11-02T09:00:00Z","text":"Synthetic text","visibility":{}}`
)

// bundleRefusals are the errors ImportBundle refuses a bundle with.
var bundleRefusals = []error{ErrNotBundle, ErrBundleVersion, ErrNotForYou, ErrBundleDamaged, ErrBundleTruncated,
	ErrUnsigned, ErrUnknownSigner, ErrBadSignature, ErrUnknownMembers}

// FuzzImportBundle feeds the whole import of a bundle, from the file's
// bytes to the merge, with hostile input. The mode picks where the input
// enters: 0, as the bundle file; 1, as its plaintext, which the target
// encrypts to the receiver, so the fuzzer reaches past age; 2, as the JSON
// of a case record and of a message record, which the target puts into a
// payload signed by a member the receiver knows, so the fuzzer reaches the
// merge. Import may not panic or hang; a refusal matches one of the
// bundle's errors and changes nothing in the vault. Every input meets the
// same vault: a refusal leaves it as it was (checked), and after an import
// that succeeds the target makes a fresh one.
func FuzzImportBundle(f *testing.F) {
	vault.UseLowCostKDFForTesting()
	base := f.TempDir()
	fresh := func() *importFuzzEnv {
		dir, err := os.MkdirTemp(base, "")
		if err != nil {
			panic(err)
		}
		e, err := newImportFuzzEnv(dir)
		if err != nil {
			panic(err)
		}
		return e
	}
	e := fresh()
	f.Cleanup(func() { e.v.Lock() })
	good := e.content(f, fuzzCasePayload([]byte(fuzzSeedCase), []byte(fuzzSeedMsg)))
	f.Add(byte(0), e.seal(f, good), []byte(nil))
	f.Add(byte(0), []byte(bundleMagic+"12\n"), []byte(nil))
	f.Add(byte(1), good, []byte(nil))
	f.Add(byte(1), []byte(bundleContentMagic), []byte(nil))
	f.Add(byte(2), []byte(fuzzSeedCase), []byte(fuzzSeedMsg))
	f.Add(byte(2), []byte(fuzzSeedCase), []byte(nil))
	f.Fuzz(func(t *testing.T, mode byte, a, b []byte) {
		var file []byte
		switch mode % 3 {
		case 0:
			file = a
		case 1:
			file = e.seal(t, a)
		case 2:
			file = e.seal(t, e.content(t, fuzzCasePayload(a, b)))
		}
		before := contents(t, e.v)
		done := make(chan struct{})
		var err error
		var rep *ImportReport
		go func() {
			defer close(done)
			rep, err = e.s.ImportBundle(bytes.NewReader(file))
		}()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("ImportBundle took more than 20 seconds on %d bytes", len(file))
		}
		if err == nil {
			// What was taken can be read and worked with.
			for _, c := range rep.Cases {
				if c.Status == ImportSkipped {
					continue
				}
				if _, err := e.s.Case(c.Code); err != nil {
					t.Fatalf("the case imported cannot be read: %v", err)
				}
				if _, err := e.s.Messages(c.Code); err != nil {
					t.Fatalf("the messages imported cannot be read: %v", err)
				}
			}
			e.s.List("")
			e.s.Due(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
			old := e
			e = fresh()
			old.v.Lock()
			os.RemoveAll(filepath.Dir(old.v.Dir()))
			return
		}
		refused := false
		for _, r := range bundleRefusals {
			refused = refused || errors.Is(err, r)
		}
		if !refused {
			t.Fatalf("an error that is none of the bundle's refusals: %v", err)
		}
		sameContents(t, "a refused bundle", before, contents(t, e.v))
	})
}

// TestBundleEmptyItemRefused checks that a case record with an empty
// (null) item in any of its lists is refused as damaged, and changes
// nothing: the lists, the due list and the case view all read every item.
func TestBundleEmptyItemRefused(t *testing.T) {
	e := mustImportFuzzEnv(t)
	for _, field := range []string{"parties", "evidence", "notes", "worksheet", "conflicts", "decisions", "votes", "history", "appeals"} {
		t.Run(field, func(t *testing.T) {
			var doc map[string]any
			if err := json.Unmarshal([]byte(fuzzSeedCase), &doc); err != nil {
				t.Fatal(err)
			}
			if list, ok := doc[field].([]any); ok {
				doc[field] = append(list, nil)
			} else {
				doc[field] = []any{nil}
			}
			b, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			before := contents(t, e.v)
			_, err = e.s.ImportBundle(bytes.NewReader(e.seal(t, e.content(t, fuzzCasePayload(b, []byte(fuzzSeedMsg))))))
			if !errors.Is(err, ErrBundleDamaged) {
				t.Fatalf("a null in %s: got %v, want ErrBundleDamaged", field, err)
			}
			sameContents(t, "a refused bundle", before, contents(t, e.v))
		})
	}
}

// TestImportFuzzSeedsImport checks that the seeds of FuzzImportBundle are
// good bundles, so that the fuzzer starts from inputs that reach the merge.
func TestImportFuzzSeedsImport(t *testing.T) {
	e := mustImportFuzzEnv(t)
	good := e.content(t, fuzzCasePayload([]byte(fuzzSeedCase), []byte(fuzzSeedMsg)))
	rep, err := e.s.ImportBundle(bytes.NewReader(e.seal(t, good)))
	if err != nil {
		t.Fatalf("ImportBundle: %v", err)
	}
	if len(rep.Cases) != 1 || rep.Cases[0].Status != ImportAdded {
		t.Fatalf("got %+v, want one case added", rep.Cases)
	}
}
