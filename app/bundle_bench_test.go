package app

import (
	"bytes"
	"encoding/json"
	"io"
	"path/filepath"
	"testing"
	"time"

	"casebook/vault"
)

// benchStore is a store over a new vault with the four-member test roster
// (m1 uses it), for benchmarks.
func benchStore(b *testing.B, roster *Roster) (*Store, *vault.Vault) {
	b.Helper()
	dir := filepath.Join(b.TempDir(), "vault")
	v, _, err := vault.Create(dir, []byte(testPassphrase), vaultOptions())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { v.Lock() })
	s, err := OpenStore(v, func() time.Time { return benchNow })
	if err != nil {
		b.Fatal(err)
	}
	if err := s.UpdateRoster(func(r *Roster) error { *r = *clone(roster); return nil }); err != nil {
		b.Fatal(err)
	}
	return s, v
}

// benchBundle is a sender with 100 demo cases (about ten messages each)
// that Blair may receive, and the bundle of them.
type benchBundle struct {
	sender *Store
	codes  []string
	blair  *identity
	bundle []byte
}

func newBenchBundle(b *testing.B) *benchBundle {
	b.Helper()
	roster := testRoster(b)
	s, _ := benchStore(b, roster)
	d := Demo(DemoOptions{Cases: 160, Seed: 7, Now: benchNow, Messages: 10})
	d.useRoster(s.Roster())
	if _, err := s.Import(d.Cases, d.Messages); err != nil {
		b.Fatal(err)
	}
	bb := &benchBundle{sender: s}
	s.ViewCases(func(cases []*Case) error {
		for _, c := range cases {
			if !c.Excluded("m2") && len(bb.codes) < 100 {
				bb.codes = append(bb.codes, c.Code)
			}
		}
		return nil
	})
	if len(bb.codes) != 100 {
		b.Fatalf("demo: %d cases Blair may receive, want 100", len(bb.codes))
	}
	bb.blair = newIdentity(b)
	if _, err := s.SetMemberKey("m2", bb.blair.public(), false); err != nil {
		b.Fatal(err)
	}
	if _, err := s.MyKey(); err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	bb.export(b, &buf)
	bb.bundle = buf.Bytes()
	return bb
}

func (bb *benchBundle) export(b *testing.B, w io.Writer) {
	out, err := bb.sender.PrepareBundle(bb.codes, []string{"Blair Sample"}, BundleOptions{})
	if err != nil {
		b.Fatal(err)
	}
	if err := out.Write(w); err != nil {
		b.Fatal(err)
	}
}

// receiver is a new vault for Blair that knows the sender's keys and
// holds Blair's identity, which the bundle was made for.
func (bb *benchBundle) receiver(b *testing.B) *Store {
	b.Helper()
	roster := testRoster(b)
	roster.Me = "m2"
	s, _ := benchStore(b, roster)
	raw, err := bb.sender.st.Get(committeeNS, identityKey)
	if err != nil {
		b.Fatal(err)
	}
	sender, _, err := parseIdentity(raw)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.SetMemberKey("m1", sender.public(), false); err != nil {
		b.Fatal(err)
	}
	stored, err := json.Marshal(storedIdentity{Age: bb.blair.age.String(), Seed: bb.blair.sign.Seed(), Created: benchNow})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.st.Update(func(tx *vault.Tx) error { return tx.Put(committeeNS, identityKey, stored) }); err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkBundleExport measures making and writing a bundle of 100
// cases with their messages, the versions kept as bases included.
func BenchmarkBundleExport(b *testing.B) {
	bb := newBenchBundle(b)
	b.ReportAllocs()
	for b.Loop() {
		bb.export(b, io.Discard)
	}
	b.ReportMetric(float64(len(bb.bundle)), "bundle-bytes")
}

// BenchmarkBundleImport measures importing a bundle of 100 cases: into a
// vault that has none of them (each added); again (each unchanged); and a
// later bundle after both sides added a note to every case since (each
// merged, the two notes having the same short ID: one is renumbered).
func BenchmarkBundleImport(b *testing.B) {
	bb := newBenchBundle(b)
	b.Run("new", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			s := bb.receiver(b)
			b.StartTimer()
			rep, err := s.ImportBundle(bytes.NewReader(bb.bundle))
			if err != nil || len(rep.Cases) != 100 || rep.Cases[0].Status != ImportAdded {
				b.Fatalf("import: got %v, %v", rep, err)
			}
		}
	})
	var later bytes.Buffer // made once: b.Run may call the function more than once
	b.Run("merged", func(b *testing.B) {
		if later.Len() == 0 {
			for _, code := range bb.codes {
				if _, err := bb.sender.AddNote(code, "the sender's note", Visibility{}); err != nil {
					b.Fatal(err)
				}
			}
			bb.export(b, &later)
		}
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			s := bb.receiver(b)
			if _, err := s.ImportBundle(bytes.NewReader(bb.bundle)); err != nil {
				b.Fatal(err)
			}
			for _, code := range bb.codes {
				if _, err := s.AddNote(code, "the receiver's note", Visibility{}); err != nil {
					b.Fatal(err)
				}
			}
			b.StartTimer()
			rep, err := s.ImportBundle(bytes.NewReader(later.Bytes()))
			if err != nil || rep.Cases[0].Status != ImportMerged || rep.Cases[0].Renamed != 1 || rep.Conflicts() != 0 {
				b.Fatalf("import: got %+v, %v", rep.Cases[0], err)
			}
		}
	})
	b.Run("unchanged", func(b *testing.B) {
		s := bb.receiver(b)
		if _, err := s.ImportBundle(bytes.NewReader(bb.bundle)); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			rep, err := s.ImportBundle(bytes.NewReader(bb.bundle))
			if err != nil || rep.Cases[0].Status != ImportUnchanged {
				b.Fatalf("import: got %v, %v", rep, err)
			}
		}
	})
}
