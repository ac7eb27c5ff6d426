package export

import (
	"bytes"
	"testing"
	"time"
)

// FuzzPDFText lays out an update and a case summary whose texts are
// anything: control characters, text direction overrides, invalid UTF-8,
// words longer than a line, scripts the fonts lack. Layout may not panic
// or hang, and gives a PDF.
func FuzzPDFText(f *testing.F) {
	f.Add("Dear Robin Reporter,", "The committee met.\nIt decided.")
	f.Add("\u202eRobin\u202c\x00", "a\x00b\u202ec\u2066d\ufeff\r\n\t")
	f.Add("", string(bytes.Repeat([]byte("x"), 3000)))
	f.Add("王小明 ᚠᚢᚦ", "\xff\xfe ཀཁ 한국어 \U0001F600")
	f.Fuzz(func(t *testing.T, a, b string) {
		done := make(chan struct{})
		var upd, sum bytes.Buffer
		var err1, err2 error
		go func() {
			defer close(done)
			u := &PartyUpdate{Code: "AMBER-FOX", AsOf: asOf, Greeting: a, Intro: b, Stage: a, Next: b, Reach: a,
				Happened: []Entry{{At: asOf, Text: b}}}
			err1 = WriteUpdate(&upd, u, PDFOptions{})
			s := &CaseSummary{Code: a, Generated: asOf, Stage: b, Summary: b, Facts: []Fact{{Label: a, Value: b}},
				Parties: []Fact{{Label: b, Value: a}}, Timeline: []Entry{{At: asOf, Text: a}}}
			err2 = WriteCaseSummary(&sum, s, PDFOptions{})
		}()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatalf("laying out %d and %d bytes took more than 30 seconds", len(a), len(b))
		}
		if err1 != nil || err2 != nil {
			t.Fatalf("WriteUpdate: %v; WriteCaseSummary: %v", err1, err2)
		}
		for _, pdf := range [][]byte{upd.Bytes(), sum.Bytes()} {
			if !bytes.HasPrefix(pdf, []byte("%PDF-")) || !bytes.Contains(pdf, []byte("%%EOF")) {
				t.Fatalf("not a PDF")
			}
		}
	})
}
