package app

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"filippo.io/age"
)

// The bundle file format: how cases travel from one member's vault to
// another's. docs/bundle.md specifies it for people; this file is the
// reference. In short:
//
//	file    = "casebook-bundle 1\n" ‖ decimal length of the age file ‖ "\n"
//	          ‖ an age file (binary) whose plaintext is content
//	content = "casebook-bundle-content 1\n"
//	          ‖ u32 len ‖ header JSON
//	          ‖ u32 len ‖ Ed25519 signature of "casebook-bundle-signature 1\n" ‖ header JSON
//	          ‖ payload (header.payload_size bytes, SHA-256 header.payload_sha256)
//	payload = "casebook-bundle-payload 1\n" ‖ 'M' members ‖ ('C' case ‖ 'R' record…)… ‖ 'E' count
//
// u32 is a 4-byte big-endian length. The signature covers the header, and
// the header holds the payload's digest, the sender's and every
// recipient's keys, the time and the cases: signing then encrypting, with
// the recipients inside what is signed, so that a recipient cannot pass a
// bundle on as if the sender had addressed it to someone else.

const (
	bundleMagic        = "casebook-bundle 1\n"
	bundleContentMagic = "casebook-bundle-content 1\n"
	bundlePayloadMagic = "casebook-bundle-payload 1\n"
	bundleSigContext   = "casebook-bundle-signature 1\n"
	bundleFormat       = 1

	frameMembers = 'M'
	frameCase    = 'C'
	frameRecord  = 'R'
	frameEnd     = 'E'

	maxBundleHeader  = 1 << 20
	maxBundlePayload = 1 << 30
	maxBundleKey     = 4096
	maxBundleValue   = 256 << 20
	maxBundleCases   = 100_000
	maxBundleMembers = 10_000
	maxBundleKnown   = 64
)

// Errors of a bundle that is refused. Each says why in words that hold
// nothing of the bundle's content; nothing is changed when one is
// returned.
var (
	// ErrNotBundle means the file is not a Casebook bundle at all.
	ErrNotBundle = errors.New("not a Casebook bundle")
	// ErrBundleVersion means the bundle was made by a newer Casebook.
	ErrBundleVersion = errors.New("the bundle was made by a newer version of Casebook")
	// ErrNotForYou means the bundle is not addressed to this vault's
	// member: not encrypted to their key, or not among the recipients its
	// sender signed.
	ErrNotForYou = errors.New("the bundle is not addressed to you")
	// ErrBundleDamaged means the bundle was altered or damaged after it
	// was made: it fails authentication or does not parse.
	ErrBundleDamaged = errors.New("the bundle is damaged or was altered")
	// ErrBundleTruncated means the bundle ends early: cut short in a copy
	// or a download.
	ErrBundleTruncated = errors.New("the bundle is incomplete")
	// ErrUnsigned means the bundle carries no signature.
	ErrUnsigned = errors.New("the bundle is not signed")
	// ErrUnknownSigner means the key that signed the bundle belongs to no
	// member on this vault's roster, or to a former member.
	ErrUnknownSigner = errors.New("the bundle was signed by someone who is not a member on your roster")
	// ErrBadSignature means the signature does not match the bundle and
	// the key it names: it was altered, or signed by someone else.
	ErrBadSignature = errors.New("the bundle's signature does not match its sender")
)

// bundlePeer is a member as a bundle header names them.
type bundlePeer struct {
	Name    string `json:"name"`
	Age     string `json:"age"`
	Signing string `json:"signing"`
}

func (p bundlePeer) key() MemberKey { return MemberKey{Age: p.Age, Signing: p.Signing} }

// bundleCaseRef names one case of a bundle and the version it carries.
type bundleCaseRef struct {
	ID      string `json:"id"`
	Version string `json:"version"`
}

// bundleHeader is what the sender signs. The field order is the JSON
// order; the header must be exactly as encoding/json writes it.
type bundleHeader struct {
	Format        int             `json:"format"`
	ID            string          `json:"id"`
	Created       time.Time       `json:"created"`
	Sender        bundlePeer      `json:"sender"`
	Recipients    []bundlePeer    `json:"recipients"`
	Cases         []bundleCaseRef `json:"cases"`
	PayloadSize   int64           `json:"payload_size"`
	PayloadSHA256 string          `json:"payload_sha256"`
}

// bundleMember maps a member ID used in the bundle's cases to a person:
// member IDs are local to each vault's roster.
type bundleMember struct {
	ID   string     `json:"id"`
	Name string     `json:"name"`
	Key  *MemberKey `json:"key,omitempty"`
}

// bundleCaseMeta opens a case in the payload.
type bundleCaseMeta struct {
	ID string `json:"id"`
	// Version is the digest of the case's records (recordsVersion).
	Version string `json:"version"`
	// Known lists the versions of the case the sender holds, newest first,
	// Version among them: the receiver merges against the first it holds
	// too.
	Known []string `json:"known"`
	// Items maps each item's short ID ("p2", "msg7") to its item UID,
	// which names the item in every vault.
	Items map[string]string `json:"items"`
}

// bundleRecord is one record of a case's namespace.
type bundleRecord struct {
	Key   string
	Value []byte
}

type bundleCase struct {
	Meta    bundleCaseMeta
	Records []bundleRecord // in key order
}

type bundlePayload struct {
	Members []bundleMember
	Cases   []bundleCase
}

// bundleContent is the plaintext of a bundle's age file.
type bundleContent struct {
	Header    []byte // the header JSON as signed
	Signature []byte
	Payload   []byte
}

var (
	hex32Pattern  = regexp.MustCompile(`^[0-9a-f]{32}$`)
	hex64Pattern  = regexp.MustCompile(`^[0-9a-f]{64}$`)
	caseIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
)

func appendU32(b []byte, n int) []byte { return binary.BigEndian.AppendUint32(b, uint32(n)) }

// marshal encodes the content.
func (c *bundleContent) marshal() []byte {
	out := make([]byte, 0, len(bundleContentMagic)+8+len(c.Header)+len(c.Signature)+len(c.Payload))
	out = append(out, bundleContentMagic...)
	out = append(appendU32(out, len(c.Header)), c.Header...)
	out = append(appendU32(out, len(c.Signature)), c.Signature...)
	return append(out, c.Payload...)
}

// reader reads length-prefixed parts; the first problem sticks.
type partReader struct {
	b   []byte
	err error
}

func (r *partReader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

func (r *partReader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b) {
		r.fail(ErrBundleDamaged)
		return nil
	}
	out := r.b[:n:n]
	r.b = r.b[n:]
	return out
}

func (r *partReader) u32(limit int) int {
	b := r.take(4)
	if b == nil {
		return 0
	}
	n := binary.BigEndian.Uint32(b)
	if uint64(n) > uint64(limit) {
		r.fail(fmt.Errorf("%w: a part is larger than the format allows", ErrBundleDamaged))
		return 0
	}
	return int(n)
}

func (r *partReader) part(limit int) []byte { return r.take(r.u32(limit)) }

func (r *partReader) byte() byte {
	b := r.take(1)
	if b == nil {
		return 0
	}
	return b[0]
}

// parseBundleContent splits the plaintext of a bundle into its header,
// signature and payload, checking the header's form but not the
// signature. The header must be canonical and say the payload's size.
func parseBundleContent(b []byte) (*bundleContent, *bundleHeader, error) {
	if !bytes.HasPrefix(b, []byte(bundleContentMagic)) {
		if v, ok := bytes.CutPrefix(b, []byte("casebook-bundle-content ")); ok && len(v) > 0 && v[0] >= '2' && v[0] <= '9' {
			return nil, nil, ErrBundleVersion
		}
		return nil, nil, fmt.Errorf("%w: its content is not recognised", ErrBundleDamaged)
	}
	r := &partReader{b: b[len(bundleContentMagic):]}
	c := &bundleContent{Header: r.part(maxBundleHeader)}
	c.Signature = r.part(ed25519.SignatureSize)
	if r.err != nil {
		return nil, nil, r.err
	}
	h, err := parseBundleHeader(c.Header)
	if err != nil {
		return nil, nil, err
	}
	if int64(len(r.b)) != h.PayloadSize {
		return nil, nil, fmt.Errorf("%w: the payload has the wrong size", ErrBundleDamaged)
	}
	c.Payload = r.b
	if len(c.Signature) == 0 {
		return c, h, ErrUnsigned
	}
	if len(c.Signature) != ed25519.SignatureSize {
		return nil, nil, fmt.Errorf("%w: the signature is malformed", ErrBundleDamaged)
	}
	return c, h, nil
}

// parseBundleHeader reads a header and refuses one that is not exactly as
// this version writes it.
func parseBundleHeader(b []byte) (*bundleHeader, error) {
	var probe struct {
		Format int `json:"format"`
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return nil, fmt.Errorf("%w: its header is unreadable", ErrBundleDamaged)
	}
	if probe.Format > bundleFormat {
		return nil, ErrBundleVersion
	}
	h := &bundleHeader{}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(h); err != nil || dec.More() {
		return nil, fmt.Errorf("%w: its header is unreadable", ErrBundleDamaged)
	}
	if again, err := json.Marshal(h); err != nil || !bytes.Equal(again, b) {
		return nil, fmt.Errorf("%w: its header is not in the expected form", ErrBundleDamaged)
	}
	if why := h.check(); why != "" {
		return nil, fmt.Errorf("%w: %s", ErrBundleDamaged, why)
	}
	return h, nil
}

// check says what is wrong with a header's values, or "".
func (h *bundleHeader) check() string {
	switch {
	case h.Format != bundleFormat:
		return "its format is unknown"
	case !hex32Pattern.MatchString(h.ID):
		return "its identifier is malformed"
	case h.Created.IsZero():
		return "it has no date"
	case !validPeer(h.Sender):
		return "its sender's keys are malformed"
	case len(h.Recipients) == 0 || len(h.Recipients) > maxBundleMembers:
		return "its recipients are malformed"
	case len(h.Cases) == 0 || len(h.Cases) > maxBundleCases:
		return "it lists no cases"
	case h.PayloadSize <= 0 || h.PayloadSize > maxBundlePayload:
		return "its payload size is out of range"
	case !hex64Pattern.MatchString(h.PayloadSHA256):
		return "its payload digest is malformed"
	}
	sender := false
	for _, p := range h.Recipients {
		if !validPeer(p) {
			return "a recipient's keys are malformed"
		}
		sender = sender || p.key().Equal(h.Sender.key())
	}
	if !sender {
		return "its sender is not among its recipients"
	}
	seen := map[string]bool{}
	for _, c := range h.Cases {
		if !caseIDPattern.MatchString(c.ID) || !hex32Pattern.MatchString(c.Version) || seen[c.ID] {
			return "its list of cases is malformed"
		}
		seen[c.ID] = true
	}
	return ""
}

func validPeer(p bundlePeer) bool {
	return utf8.ValidString(p.Name) && len(p.Name) <= 1000 && p.key().valid()
}

// signedMessage is what the sender's Ed25519 key signs.
func signedMessage(header []byte) []byte {
	return append([]byte(bundleSigContext), header...)
}

// marshal encodes the payload.
func (p *bundlePayload) marshal() ([]byte, error) {
	var out bytes.Buffer
	out.WriteString(bundlePayloadMagic)
	members, err := json.Marshal(p.Members)
	if err != nil {
		return nil, err
	}
	out.WriteByte(frameMembers)
	out.Write(appendU32(nil, len(members)))
	out.Write(members)
	for _, c := range p.Cases {
		meta, err := json.Marshal(c.Meta)
		if err != nil {
			return nil, err
		}
		out.WriteByte(frameCase)
		out.Write(appendU32(nil, len(meta)))
		out.Write(meta)
		for _, r := range c.Records {
			out.WriteByte(frameRecord)
			out.Write(appendU32(nil, len(r.Key)))
			out.WriteString(r.Key)
			out.Write(appendU32(nil, len(r.Value)))
			out.Write(r.Value)
		}
	}
	out.WriteByte(frameEnd)
	out.Write(appendU32(nil, len(p.Cases)))
	return out.Bytes(), nil
}

// canonicalJSON decodes b into v strictly and checks that b is exactly
// how encoding/json writes v, so that one payload has one encoding.
func canonicalJSON(b []byte, v any) bool {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil || dec.More() {
		return false
	}
	again, err := json.Marshal(v)
	return err == nil && bytes.Equal(again, b)
}

// parseBundlePayload reads and checks a payload. Every case's records
// must be in strictly increasing key order and hash to its version.
func parseBundlePayload(b []byte) (*bundlePayload, error) {
	bad := func(why string) (*bundlePayload, error) {
		return nil, fmt.Errorf("%w: %s", ErrBundleDamaged, why)
	}
	if !bytes.HasPrefix(b, []byte(bundlePayloadMagic)) {
		return bad("its payload is not recognised")
	}
	r := &partReader{b: b[len(bundlePayloadMagic):]}
	p := &bundlePayload{}
	if r.byte() != frameMembers {
		return bad("its payload does not start with the members")
	}
	if !canonicalJSON(r.part(maxBundleHeader), &p.Members) || len(p.Members) > maxBundleMembers {
		return bad("its list of members is malformed")
	}
	ids := map[string]bool{}
	for _, m := range p.Members {
		if m.ID == "" || ids[m.ID] || (m.Key != nil && !m.Key.valid()) || !utf8.ValidString(m.Name) {
			return bad("its list of members is malformed")
		}
		ids[m.ID] = true
	}
	cases := map[string]bool{}
	var cur *bundleCase
	for r.err == nil {
		switch r.byte() {
		case frameCase:
			p.Cases = append(p.Cases, bundleCase{})
			cur = &p.Cases[len(p.Cases)-1]
			if len(p.Cases) > maxBundleCases || !canonicalJSON(r.part(maxBundleHeader), &cur.Meta) {
				return bad("a case's description is malformed")
			}
			if why := cur.Meta.check(); why != "" || cases[cur.Meta.ID] {
				return bad("a case's description is malformed")
			}
			cases[cur.Meta.ID] = true
		case frameRecord:
			if cur == nil {
				return bad("a record comes before its case")
			}
			key := string(r.part(maxBundleKey))
			value := r.part(maxBundleValue)
			if r.err != nil {
				break
			}
			if !validRecordKey(key) || (len(cur.Records) > 0 && key <= cur.Records[len(cur.Records)-1].Key) {
				return bad("a record's name is malformed or out of order")
			}
			cur.Records = append(cur.Records, bundleRecord{Key: key, Value: value})
		case frameEnd:
			n := r.u32(maxBundleCases)
			if r.err != nil {
				break
			}
			if n != len(p.Cases) || len(p.Cases) == 0 {
				return bad("its case count does not match")
			}
			if len(r.b) != 0 {
				return bad("it has data after its end")
			}
			for _, c := range p.Cases {
				if !slices.ContainsFunc(c.Records, func(x bundleRecord) bool { return x.Key == caseKey }) {
					return bad("a case has no case record")
				}
				if recordsVersion(c.Records) != c.Meta.Version {
					return bad("a case does not match its version")
				}
			}
			return p, nil
		default:
			if r.err == nil {
				return bad("its payload has a part of unknown kind")
			}
		}
	}
	return nil, fmt.Errorf("%w: its payload is cut short", ErrBundleDamaged)
}

func (m *bundleCaseMeta) check() string {
	switch {
	case !caseIDPattern.MatchString(m.ID), !hex32Pattern.MatchString(m.Version):
		return "malformed"
	case len(m.Known) == 0 || len(m.Known) > maxBundleKnown || m.Known[0] != m.Version:
		return "malformed"
	}
	for _, v := range m.Known {
		if !hex32Pattern.MatchString(v) {
			return "malformed"
		}
	}
	for id, uid := range m.Items {
		if !validItemID(id) || !hex32Pattern.MatchString(uid) {
			return "malformed"
		}
	}
	return ""
}

// validRecordKey accepts the names of the records a bundle may carry: a
// vault key that is not the receiver's own bookkeeping (syncKeyPre).
func validRecordKey(k string) bool {
	return k != "" && len(k) <= maxBundleKey && utf8.ValidString(k) && !strings.ContainsRune(k, 0) &&
		!strings.HasPrefix(k, syncKeyPre)
}

// recordsVersion is the version digest of a case's records, sorted by key:
// the first 16 bytes, in hex, of SHA-256 over u32 len ‖ key ‖ SHA-256(value)
// for each record.
func recordsVersion(records []bundleRecord) string {
	h := sha256.New()
	for _, r := range records {
		h.Write(appendU32(nil, len(r.Key)))
		h.Write([]byte(r.Key))
		sum := sha256.Sum256(r.Value)
		h.Write(sum[:])
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// sealBundle encrypts signed content to every recipient and writes the
// bundle file to w: the magic line, the age file's length, the age file.
func sealBundle(w io.Writer, c *bundleContent, recipients []MemberKey) error {
	rs := make([]age.Recipient, 0, len(recipients))
	for _, k := range recipients {
		r, err := k.recipient()
		if err != nil {
			return err
		}
		rs = append(rs, r)
	}
	var sealed bytes.Buffer
	enc, err := age.Encrypt(&sealed, rs...)
	if err != nil {
		return fmt.Errorf("encrypt the bundle: %w", err)
	}
	if _, err := enc.Write(c.marshal()); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	if _, err := fmt.Fprintf(w, "%s%d\n", bundleMagic, sealed.Len()); err != nil {
		return err
	}
	_, err = w.Write(sealed.Bytes())
	return err
}

// maxBundleFile bounds the age file a reader accepts: the largest content
// and age's overhead (a header, and 16 bytes per 64 KiB chunk).
const maxBundleFile = len(bundleContentMagic) + 8 + maxBundleHeader + ed25519.SignatureSize + maxBundlePayload +
	maxBundlePayload/(64<<10)*16 + 1<<20

// openBundle reads a bundle file and decrypts it with id, returning its
// content, read whole but not yet verified. The length line tells a bundle
// cut short (ErrBundleTruncated) from one altered (ErrBundleDamaged); age
// authenticates every byte either way.
func openBundle(r io.Reader, id *identity) (*bundleContent, *bundleHeader, error) {
	br := bufio.NewReader(r)
	magic := make([]byte, len(bundleMagic))
	if n, err := io.ReadFull(br, magic); err != nil || !bytes.Equal(magic, []byte(bundleMagic)) {
		if v, ok := bytes.CutPrefix(magic[:n], []byte("casebook-bundle ")); ok && len(v) > 0 && v[0] >= '2' && v[0] <= '9' {
			return nil, nil, ErrBundleVersion
		}
		if n > 0 && n < len(bundleMagic) && bytes.HasPrefix([]byte(bundleMagic), magic[:n]) {
			return nil, nil, ErrBundleTruncated
		}
		return nil, nil, ErrNotBundle
	}
	line, err := br.ReadSlice('\n')
	if errors.Is(err, io.EOF) && len(line) < 20 {
		return nil, nil, ErrBundleTruncated
	}
	size, perr := strconv.Atoi(string(bytes.TrimSuffix(line, []byte("\n"))))
	if err != nil || perr != nil || size <= 0 || size > maxBundleFile || string(line) != strconv.Itoa(size)+"\n" {
		return nil, nil, fmt.Errorf("%w: its length line is unreadable", ErrBundleDamaged)
	}
	sealed, err := io.ReadAll(io.LimitReader(br, int64(size)+1))
	switch {
	case err != nil:
		return nil, nil, err
	case len(sealed) < size:
		return nil, nil, ErrBundleTruncated
	case len(sealed) > size:
		return nil, nil, fmt.Errorf("%w: it has data after its end", ErrBundleDamaged)
	}
	dec, err := age.Decrypt(bytes.NewReader(sealed), id.age)
	if err != nil {
		var nomatch *age.NoIdentityMatchError
		if errors.As(err, &nomatch) {
			return nil, nil, ErrNotForYou
		}
		return nil, nil, fmt.Errorf("%w: its encryption header fails its check", ErrBundleDamaged)
	}
	b, err := io.ReadAll(dec)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: its encrypted content fails authentication", ErrBundleDamaged)
	}
	c, h, err := parseBundleContent(b)
	if err != nil && !errors.Is(err, ErrUnsigned) {
		return nil, nil, err
	}
	return c, h, err
}

// verify checks the signature with the sender's public key and the
// payload's digest.
func (c *bundleContent) verify(h *bundleHeader) error {
	pub := h.Sender.key().signingKey()
	if pub == nil || !ed25519.Verify(pub, signedMessage(c.Header), c.Signature) {
		return ErrBadSignature
	}
	sum := sha256.Sum256(c.Payload)
	if hex.EncodeToString(sum[:]) != h.PayloadSHA256 {
		return fmt.Errorf("%w: its payload does not match its signed digest", ErrBundleDamaged)
	}
	return nil
}
