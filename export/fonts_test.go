package export

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// Each rune goes to the family the design says: the Go fonts first, then
// a fallback's common font, then a slice of it.
func TestFontForChoosesFamilies(t *testing.T) {
	cov, err := loadCoverage()
	if err != nil {
		t.Fatal(err)
	}
	var buf sfnt.Buffer
	for _, tc := range []struct {
		r    rune
		want string
	}{
		{'a', famSans},
		{'ł', famSans},
		{'Ж', famSans},
		{'Ω', famSans},
		{' ', famSans},
		{'王', "cjk-common"}, // GB 2312 level 1
		{'で', "cjk-common"}, // hiragana
		{'「', "cjk-common"}, // CJK punctuation
		{'龘', "cjk-9f"},     // U+9F98, in no everyday set
		{'김', "ko-common"},  // KS X 1001
		{'똠', "ko-b6"},      // U+B620, not in KS X 1001
		{'ᚠ', ""},           // runic: no font
		{'ཀ', ""},           // Tibetan: no font
	} {
		if got := cov.fontFor(&buf, tc.r); got != tc.want {
			t.Errorf("fontFor(%q) = %q, want %q", tc.r, got, tc.want)
		}
	}
}

// The fonts cut from a fallback draw each of their runes with exactly the
// fallback's outline, and hold no rune a font before them has.
func TestCutFontsKeepTheGlyphs(t *testing.T) {
	cov, err := loadCoverage()
	if err != nil {
		t.Fatal(err)
	}
	families := []string{"cjk-common", "ko-common", "cjk-9f", "ko-b6", "cjk-34"}
	if testing.Short() {
		families = families[2:]
	}
	for _, fam := range families {
		t.Run(fam, func(t *testing.T) {
			fb, runes := cov.runesOf(fam)
			if len(runes) == 0 {
				t.Fatal("no runes")
			}
			data, ok := cov.slice(fam)
			if !ok {
				t.Fatal("no font")
			}
			cut, err := sfnt.Parse(data)
			if err != nil {
				t.Fatalf("cut font does not parse: %v", err)
			}
			var b1, b2 sfnt.Buffer
			step := max(1, len(runes)/200) // a spread of 200 runes
			for i := 0; i < len(runes); i += step {
				r := runes[i]
				if has(cov.sans, &b1, r) {
					t.Errorf("%q is in the Go fonts too", r)
				}
				want := outline(t, fb.font, &b1, r)
				got := outline(t, cut, &b2, r)
				if !slices.Equal(want, got) {
					t.Errorf("%U: cut outline differs (%d segments, want %d)", r, len(got), len(want))
				}
			}
		})
	}
}

func outline(t *testing.T, f *sfnt.Font, buf *sfnt.Buffer, r rune) []sfnt.Segment {
	t.Helper()
	gi, err := f.GlyphIndex(buf, r)
	if err != nil || gi == 0 {
		t.Fatalf("%U: no glyph (%v)", r, err)
	}
	segs, err := f.LoadGlyph(buf, gi, fixed.I(1000), nil)
	if err != nil {
		t.Fatalf("%U: %v", r, err)
	}
	return slices.Clone(segs)
}

// Cutting is deterministic, so documents are byte-stable across runs of
// the program, not only within one.
func TestCutIsDeterministic(t *testing.T) {
	cov, err := loadCoverage()
	if err != nil {
		t.Fatal(err)
	}
	fb, runes := cov.runesOf("ko-b6")
	a := fpdf.UTF8CutFont(fb.data, string(runes))
	b := fpdf.UTF8CutFont(fb.data, string(runes))
	if !bytes.Equal(a, b) {
		t.Error("two cuts differ")
	}
}

// A document registers only the fonts its text needs, and text in each
// of them comes back out of the PDF.
func TestDocumentRegistersOnlyNeededFonts(t *testing.T) {
	cov, err := loadCoverage()
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{"Zoë 王小明 龘 김민준 똠 ᚠ"}
	if got, want := familiesFor(cov, texts...), []string{"cjk-9f", "cjk-common", "ko-b6", "ko-common"}; !slices.Equal(got, want) {
		t.Errorf("familiesFor = %v, want %v", got, want)
	}
	if got := familiesFor(cov, "Zoë Ж Ω"); len(got) != 0 {
		t.Errorf("Latin, Cyrillic and Greek need %v", got)
	}
	d, err := newDoc("t", asOf, PDFOptions{}, texts)
	if err != nil {
		t.Fatal(err)
	}
	d.pdf.AddPage()
	d.para(11, false, texts[0])
	var b bytes.Buffer
	if err := d.output(&b); err != nil {
		t.Fatal(err)
	}
	if got := flat(pdfText(t, b.Bytes())); !strings.Contains(got, "Zoë 王小明 龘 김민준 똠 "+Placeholder) {
		t.Errorf("got %q", got)
	}
}
