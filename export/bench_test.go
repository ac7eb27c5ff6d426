package export

import (
	"io"
	"testing"

	"github.com/go-pdf/fpdf"
)

// BenchmarkUpdate builds and lays out one party's update; the goal is
// under 20 ms.
func BenchmarkUpdate(b *testing.B) {
	c, msgs := fixture()
	cfg := testConfig()
	if _, err := loadCoverage(); err != nil {
		b.Fatal(err)
	}
	for _, party := range []string{"p2", "p4"} { // p4's name needs the CJK font
		b.Run(party, func(b *testing.B) {
			for b.Loop() {
				u, err := BuildPartyUpdate(c, msgs, party, cfg, UpdateOptions{}, asOf)
				if err != nil {
					b.Fatal(err)
				}
				if err := WriteUpdate(io.Discard, u, PDFOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkUpdateBatch500 makes 500 updates as 'casebook report updates'
// does, on every CPU; the goal is under 5 s. One party in four has a
// Chinese name, which costs the large CJK font.
func BenchmarkUpdateBatch500(b *testing.B) {
	c, msgs := fixture()
	cfg := testConfig()
	parties := []string{"p1", "p2", "p3", "p4"}
	for b.Loop() {
		errs := Parallel(500, func(i int) error {
			u, err := BuildPartyUpdate(c, msgs, parties[i%len(parties)], cfg, UpdateOptions{}, asOf)
			if err != nil {
				return err
			}
			return WriteUpdate(io.Discard, u, PDFOptions{})
		})
		for _, err := range errs {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkCutCommonFont is the one-time cost, per process, of the first
// document that needs Chinese or Japanese: cutting the common font from
// Droid Sans Fallback.
func BenchmarkCutCommonFont(b *testing.B) {
	cov, err := loadCoverage()
	if err != nil {
		b.Fatal(err)
	}
	fb, runes := cov.runesOf("cjk-common")
	for b.Loop() {
		fpdf.UTF8CutFont(fb.data, string(runes))
	}
}
