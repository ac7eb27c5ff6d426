package export

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"

	"casebook/app"
	"casebook/assets"
)

// Fonts. The Go fonts set every rune they have. Other runes fall back, in
// order, to Droid Sans Fallback (Chinese, Japanese) and NanumGothic
// (Korean).
//
// The fallback fonts are large — tens of thousands of glyphs — and fpdf
// parses the whole of a font for every document that registers it, which
// cost an update with one Chinese name 30 ms. So each fallback is cut,
// once per process and only when first needed, into smaller fonts with
// the same glyphs: a "common" font with the characters of the everyday
// national character sets (GB 2312 level 1, JIS X 0208 level 1, kana and
// CJK punctuation for Droid; the 2,350 syllables of KS X 1001 for
// Nanum), which nearly every name falls in, and slices of 1<<sliceShift
// code points for the rest (family "cjk-4e" for Droid's other runes in
// U+4E00–U+4EFF, say). A document registers only the fonts its text
// needs, and each costs it a few milliseconds.

// famSans is the fpdf family of the Go fonts.
const famSans = "sans"

// sliceShift sets the span of code points in one slice of a fallback
// font: 1<<sliceShift.
const sliceShift = 8

// fallback is one fallback font.
type fallback struct {
	prefix string // family prefix
	data   []byte
	font   *sfnt.Font
	common map[rune]bool // runes in the common font
}

// coverage tells which embedded font has a glyph for a rune, from the
// fonts' cmap tables.
type coverage struct {
	sans      *sfnt.Font
	fallbacks []fallback
}

var (
	fontsOnce sync.Once
	fonts     *coverage
	fontsErr  error
)

func loadCoverage() (*coverage, error) {
	fontsOnce.Do(func() {
		c := &coverage{fallbacks: []fallback{
			{prefix: "cjk", data: assets.CJKFallback, common: commonCJK()},
			{prefix: "ko", data: assets.HangulFallback, common: commonHangul()},
		}}
		if c.sans, fontsErr = sfnt.Parse(assets.SansRegular); fontsErr != nil {
			return
		}
		for i := range c.fallbacks {
			if c.fallbacks[i].font, fontsErr = sfnt.Parse(c.fallbacks[i].data); fontsErr != nil {
				return
			}
		}
		fonts = c
	})
	return fonts, fontsErr
}

// has reports whether f has a glyph for r.
func has(f *sfnt.Font, buf *sfnt.Buffer, r rune) bool {
	gi, err := f.GlyphIndex(buf, r)
	return err == nil && gi != 0
}

// fontFor names the family that draws r: famSans, a fallback slice, or ""
// when no font has it.
func (c *coverage) fontFor(buf *sfnt.Buffer, r rune) string {
	if r == ' ' || r == '\n' || has(c.sans, buf, r) {
		return famSans
	}
	for i := range c.fallbacks {
		fb := &c.fallbacks[i]
		if has(fb.font, buf, r) {
			if fb.common[r] {
				return fb.prefix + commonSuffix
			}
			return sliceFamily(fb.prefix, r)
		}
	}
	return ""
}

// commonSuffix ends the family name of a fallback's common font.
const commonSuffix = "-common"

// sliceFamily names the slice of the fallback with prefix that holds r.
func sliceFamily(prefix string, r rune) string {
	return fmt.Sprintf("%s-%x", prefix, r>>sliceShift)
}

// runesOf lists the runes a fallback family draws, from its name, with
// the fallback they are cut from.
func (c *coverage) runesOf(family string) (*fallback, []rune) {
	prefix, rest, ok := strings.Cut(family, "-")
	if !ok {
		return nil, nil
	}
	var fb *fallback
	for i := range c.fallbacks {
		if c.fallbacks[i].prefix == prefix {
			fb = &c.fallbacks[i]
		}
	}
	if fb == nil {
		return nil, nil
	}
	var candidates []rune
	if "-"+rest == commonSuffix {
		for r := range fb.common {
			candidates = append(candidates, r)
		}
		slices.Sort(candidates)
	} else {
		var block rune
		if _, err := fmt.Sscanf(rest, "%x", &block); err != nil {
			return nil, nil
		}
		for r := block << sliceShift; r < (block+1)<<sliceShift; r++ {
			candidates = append(candidates, r)
		}
	}
	var buf sfnt.Buffer
	var out []rune
	for _, r := range candidates {
		// Only runes this font is chosen for, not ones a font
		// before it has.
		if c.fontFor(&buf, r) == family {
			out = append(out, r)
		}
	}
	return fb, out
}

var (
	slicesMu  sync.Mutex
	sliceData = map[string]*sliceFont{}
)

// sliceFont is one cut slice, made once per process.
type sliceFont struct {
	once sync.Once
	data []byte
}

// slice returns the TrueType font of one fallback family, cutting it
// from its fallback font the first time.
func (c *coverage) slice(family string) ([]byte, bool) {
	slicesMu.Lock()
	s := sliceData[family]
	if s == nil {
		s = &sliceFont{}
		sliceData[family] = s
	}
	slicesMu.Unlock()
	s.once.Do(func() {
		if fb, runes := c.runesOf(family); len(runes) > 0 {
			s.data = fpdf.UTF8CutFont(fb.data, string(runes))
		}
	})
	return s.data, s.data != nil
}

// familiesFor lists, sorted, the fallback slices the texts need.
func familiesFor(cov *coverage, texts ...string) []string {
	var buf sfnt.Buffer
	seen := map[string]bool{}
	for _, s := range texts {
		for _, r := range s {
			if r < 0x80 {
				continue
			}
			if fam := cov.fontFor(&buf, r); fam != "" && fam != famSans {
				seen[fam] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for fam := range seen {
		out = append(out, fam)
	}
	slices.Sort(out)
	return out
}

// run is a stretch of text in one font.
type run struct {
	family, text string
}

// runs splits s into runs by glyph coverage. Control characters become
// spaces and text-direction controls are dropped; a stretch of runes no font has becomes one Placeholder.
func (c *coverage) runs(buf *sfnt.Buffer, s string) []run {
	var out []run
	var b strings.Builder
	cur, missing := "", false
	flush := func() {
		if b.Len() > 0 {
			out = append(out, run{cur, b.String()})
			b.Reset()
		}
	}
	for _, r := range s {
		if r == '\t' || r == '\r' || (unicode.IsControl(r) && r != '\n') {
			r = ' '
		}
		if app.IsBidiControl(r) {
			// No direction control reaches a PDF: fpdf lays text out
			// left to right as it is, and a reader copying it out must
			// not get a name that shows as another.
			continue
		}
		fam := c.fontFor(buf, r)
		if fam == "" {
			// Combining marks and format characters with no glyph are
			// dropped rather than shown as a placeholder of their own.
			if unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf) {
				continue
			}
			if !missing {
				if cur != famSans {
					flush()
					cur = famSans
				}
				b.WriteString(Placeholder)
				missing = true
			}
			continue
		}
		missing = false
		if fam != cur {
			flush()
			cur = fam
		}
		b.WriteRune(r)
	}
	flush()
	return out
}

// commonCJK is the set of everyday Chinese and Japanese characters: GB
// 2312 level 1 (the 3,755 commonest hanzi), JIS X 0208 level 1 (2,965
// kanji), kana, CJK punctuation and the full-width forms.
func commonCJK() map[rune]bool {
	set := map[rune]bool{}
	for r := rune(0x3000); r <= 0x30FF; r++ { // punctuation, hiragana, katakana
		set[r] = true
	}
	for r := rune(0xFF00); r <= 0xFFEF; r++ {
		set[r] = true
	}
	decodeRows(set, simplifiedchinese.GBK.NewDecoder(), 0xB0, 0xD7) // GB 2312 level 1
	decodeRows(set, japanese.EUCJP.NewDecoder(), 0xB0, 0xCF)        // JIS X 0208 rows 16–47
	return set
}

// commonHangul is the set of the 2,350 Hangul syllables of KS X 1001 and
// the compatibility jamo.
func commonHangul() map[rune]bool {
	set := map[rune]bool{}
	for r := rune(0x3131); r <= 0x318E; r++ {
		set[r] = true
	}
	decodeRows(set, korean.EUCKR.NewDecoder(), 0xB0, 0xC8)
	return set
}

// decodeRows adds to set the characters of the double-byte rows first to
// last (lead bytes, cells 0xA1–0xFE) of an EUC-style encoding.
func decodeRows(set map[rune]bool, dec *encoding.Decoder, first, last byte) {
	for lead := first; lead >= first && lead <= last; lead++ {
		for cell := byte(0xA1); cell <= 0xFE; cell++ {
			b, err := dec.Bytes([]byte{lead, cell})
			if err != nil {
				continue
			}
			if r, n := utf8.DecodeRune(b); n == len(b) && r != utf8.RuneError && r >= 0x80 {
				set[r] = true
			}
		}
	}
}
