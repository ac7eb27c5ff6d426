package app

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Folding and tokenizing text for matching names and searching.
//
// Folding is lower-casing (Unicode), decomposing (NFKD) and dropping the
// non-spacing marks (Mn) that decomposition leaves, so that "Zoë", "ZOE"
// and "zoe" fold alike, as do "Ελένη" and "ελενη" or "Ёлка" and "елка";
// the compatibility decomposition also folds full-width letters ("ＶＯＬＫＯＶ")
// and ligatures ("ﬁ") to the letters they are made of. The invisible
// characters that sit inside words (the soft hyphen, the zero-width
// joiner, the direction marks; see invisibleInWord) are dropped as marks
// are, so that a name is found whatever such character a pasted text holds
// inside it; a zero-width space still separates words.
// Latin letters that carry their stroke or ligature in the base character
// and so do not decompose are mapped by hand: ł→l, ø→o, đ→d, ħ→h, ŧ→t,
// ı→i, ð→d, þ→th, ß→ss, æ→ae, œ→oe. Greek final sigma ς folds to σ.
// Hangul syllables, kana and Cyrillic й are kept whole: their marks make
// another letter, not an accent. Folding is made for matching, not for
// display: a folded string can be wrong as language (ñ folds to n, ё to
// е). Text is expected in NFC, as keyboards and most files give it; in
// decomposed text й and kana lose their marks.
//
// A word (token) is a run of letters, digits and spacing marks (Mc, which
// Indic scripts write inside words). Everything else separates words,
// apostrophes included, except that a possessive "'s" or "’s" ending a
// word is dropped ("Zoë's" gives "zoe"). A Han ideograph (Chinese, and
// kanji in Japanese) is a word by itself: those scripts put no spaces
// between words, and one token per ideograph lets any sequence of them be
// found, at the price of matching the ideographs of a query in any order.
// Kana, Hangul, Thai and the other scripts form words as letters do.

// Fold returns s lower-cased and without diacritics. Characters that are
// not letters or digits are kept as they are; combining marks are dropped.
func Fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	b := make([]byte, 0, len(s))
	for _, r := range s {
		switch runeClass(r) {
		case classMark:
		case classOther:
			b = utf8.AppendRune(b, r)
		default:
			b = foldRune(b, r)
		}
	}
	return string(b)
}

// Tokens returns the folded words of s, in order, repeats included.
func Tokens(s string) []string {
	var out []string
	scanWords(s, func(w []byte, _, _ int) bool {
		out = append(out, string(w))
		return true
	})
	return out
}

// Word is one folded word of a text and where it is in the text.
type Word struct {
	// Text is the word folded.
	Text string
	// Start and End are the byte span in the text the word comes from;
	// a possessive "'s" after it is not part of the span.
	Start, End int
}

// Words returns the folded words of s with their spans, in order.
func Words(s string) []Word {
	var out []Word
	scanWords(s, func(w []byte, start, end int) bool {
		out = append(out, Word{Text: string(w), Start: start, End: end})
		return true
	})
	return out
}

// scanWords calls fn with each folded word of s and the byte span
// [start, end) it comes from in s, until fn returns false. The word's
// bytes are only valid during the call.
func scanWords(s string, fn func(word []byte, start, end int) bool) {
	scanWordsBuf(s, make([]byte, 0, 64), fn)
}

// scanWordsBuf is scanWords folding words into buf, which it returns
// (grown, perhaps) for the next call.
func scanWordsBuf(s string, buf []byte, fn func(word []byte, start, end int) bool) []byte {
	w := buf[:0]
	start, end := -1, -1 // the current word; end is also where the last one ended
	for i := 0; i < len(s); {
		c := s[i]
		if asciiFold[c] != 0 { // a run of ASCII letters and digits
			j := i + 1
			for j < len(s) && asciiFold[s[j]] != 0 {
				j++
			}
			if start < 0 {
				start = i
			}
			n := len(w)
			w = append(w, s[i:j]...)
			for k := n; k < len(w); k++ {
				w[k] = asciiFold[w[k]]
			}
			i, end = j, j
			continue
		}
		r, size, class := rune(c), 1, uint8(classOther)
		if c >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
			class = runeClass(r)
		}
		switch class {
		case classWord:
			if start < 0 {
				start = i
			}
			w = foldRune(w, r)
			i += size
			end = i
			continue
		case classMark:
			// A combining mark belongs to the word it follows, if any.
			if end == i {
				end = i + size
			}
			i += size
			continue
		}
		// The current word ends here.
		if start >= 0 {
			if len(w) > 0 && !fn(w, start, end) {
				return w
			}
			w, start = w[:0], -1
		}
		if class == classHan { // a word by itself
			if !fn(foldRune(w, r), i, i+size) {
				return w
			}
			w = w[:0]
			i += size
			end = i
			continue
		}
		i += size
		if (r == '\'' || r == '’') && end == i-size {
			i += possessiveS(s, i)
		}
	}
	if start >= 0 && len(w) > 0 {
		fn(w, start, end)
	}
	return w
}

// Rune classes for scanWords.
const (
	classOther = iota
	classWord  // letter, digit, spacing mark
	classMark  // non-spacing mark
	classHan   // ideograph
)

// runeClass returns the class of r.
func runeClass(r rune) uint8 {
	if r < tableEnd {
		return foldTable[r].class
	}
	return slowClass(r)
}

func slowClass(r rune) uint8 {
	switch {
	case unicode.Is(unicode.Mn, r), invisibleInWord(r):
		return classMark
	case unicode.Is(unicode.Han, r):
		return classHan
	case isWordRune(r):
		return classWord
	}
	return classOther
}

// invisibleInWord reports whether r is an invisible character that sits
// inside a word without ending it: the soft hyphen, the zero-width joiner,
// the byte-order mark and the direction marks. The zero-width space and
// non-joiner, the word joiner and the direction isolates and embeddings
// separate words (Thai, Khmer and Persian write them between words), and
// stay separators.
func invisibleInWord(r rune) bool {
	switch r {
	case 0x00AD, 0x200D, 0xFEFF, 0x200E, 0x200F, 0x061C:
		return true
	}
	return false
}

// tableEnd ends the runes whose class and folding are precomputed: Latin,
// Greek and Cyrillic.
const tableEnd = 0x0530

// foldTable holds the class and folded form of the runes below tableEnd.
var foldTable = func() *[tableEnd]struct {
	fold  string
	class uint8
} {
	var t [tableEnd]struct {
		fold  string
		class uint8
	}
	for r := range rune(tableEnd) {
		t[r].class = slowClass(r)
		t[r].fold = string(slowFoldRune(nil, r))
	}
	return &t
}()

// asciiFold maps the bytes of ASCII letters and digits to their folded
// form, and every other byte to 0.
var asciiFold = func() (t [256]byte) {
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c)
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = byte(c), byte(c)
	}
	return t
}()

// isWordRune reports whether r belongs in a word.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mc, r)
}

// possessiveS returns the length of the "s" that ends a word at s[i:],
// as in the possessive "'s", or 0 if there is none. Combining marks
// around the "s" count with it, as folding drops them.
func possessiveS(s string, i int) int {
	j := skipMarks(s, i)
	if j >= len(s) {
		return 0
	}
	r, size := utf8.DecodeRuneInString(s[j:])
	if r != 's' && r != 'S' {
		var buf [utf8.UTFMax * 2]byte
		if r < utf8.RuneSelf || string(foldRune(buf[:0], r)) != "s" { // Š, ś…
			return 0
		}
	}
	j = skipMarks(s, j+size)
	if j < len(s) {
		r, _ := utf8.DecodeRuneInString(s[j:])
		if runeClass(r) == classWord {
			return 0
		}
	}
	return j - i
}

// skipMarks returns the index of the first rune at or after i in s that
// is not a combining mark.
func skipMarks(s string, i int) int {
	for i < len(s) && s[i] >= utf8.RuneSelf {
		r, size := utf8.DecodeRuneInString(s[i:])
		if runeClass(r) != classMark {
			break
		}
		i += size
	}
	return i
}

// foldRune appends the folded form of r to dst.
func foldRune(dst []byte, r rune) []byte {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return append(dst, byte(r))
	}
	if r < tableEnd {
		return append(dst, foldTable[r].fold...)
	}
	return slowFoldRune(dst, r)
}

func slowFoldRune(dst []byte, r rune) []byte {
	r = unicode.ToLower(r)
	if s, ok := foldSpecial(r); ok {
		return append(dst, s...)
	}
	if r < utf8.RuneSelf || keepWhole(r) {
		return utf8.AppendRune(dst, r)
	}
	var enc [utf8.UTFMax]byte
	n := utf8.EncodeRune(enc[:], r)
	d := norm.NFKD.Properties(enc[:n]).Decomposition()
	if d == nil || !hasWordRune(d) {
		// Nothing to decompose, or a compatibility form of no letter
		// (ͺ, an Arabic ligature of marks): the rune stands for itself.
		return append(dst, enc[:n]...)
	}
	for len(d) > 0 {
		dr, size := utf8.DecodeRune(d)
		d = d[size:]
		if !isWordRune(dr) {
			continue // a mark, or a space or sign of a compatibility form
		}
		dr = unicode.ToLower(dr)
		if s, ok := foldSpecial(dr); ok {
			dst = append(dst, s...)
		} else {
			dst = utf8.AppendRune(dst, dr)
		}
	}
	return dst
}

// hasWordRune reports whether the UTF-8 text b holds a letter, a digit or
// a spacing mark.
func hasWordRune(b []byte) bool {
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if isWordRune(r) {
			return true
		}
		b = b[size:]
	}
	return false
}

// keepWhole reports whether r is a letter whose decomposition is not a
// diacritic on a base letter but part of the letter: Hangul syllables
// (NFD splits them into jamo), kana with (han)dakuten (で is not て) and
// Cyrillic й (not и with a breve).
func keepWhole(r rune) bool {
	return (0xAC00 <= r && r <= 0xD7A3) || (0x3040 <= r && r <= 0x30FF) || r == 'й'
}

// foldSpecial folds the lower-case letters that NFD leaves whole.
func foldSpecial(r rune) (string, bool) {
	switch r {
	case 'ł', 'ŀ':
		return "l", true
	case 'ø':
		return "o", true
	case 'đ', 'ð':
		return "d", true
	case 'ħ':
		return "h", true
	case 'ŧ':
		return "t", true
	case 'ı':
		return "i", true
	case 'þ':
		return "th", true
	case 'ß':
		return "ss", true
	case 'æ':
		return "ae", true
	case 'œ':
		return "oe", true
	case 'ς':
		return "σ", true
	}
	return "", false
}

// FoldWidth returns the ASCII character r is written for, when r is a
// compatibility form of one (a full-width "Ａ", "＠" or "１", a small "﹫",
// a mathematical "𝟏" or "𝐚", a circled "①") or a decimal digit of any
// script ("٣", "३"); otherwise r itself. Case is kept. It maps one rune to
// one rune, so a text folded with it (strings.Map) has as many runes as
// the text, and a span found in the one is the same runes in the other.
// Contact details are matched on text folded so, as ASCII look-alikes
// read (and dial, and deliver) as the ASCII they stand for.
func FoldWidth(r rune) rune {
	if r < utf8.RuneSelf {
		return r
	}
	if d, ok := digitValue(r); ok {
		return '0' + rune(d)
	}
	var enc [utf8.UTFMax]byte
	n := utf8.EncodeRune(enc[:], r)
	d := norm.NFKC.Properties(enc[:n]).Decomposition()
	if len(d) == 1 && d[0] < utf8.RuneSelf {
		return rune(d[0])
	}
	return r
}

// digitValue returns the value of r when it is a decimal digit (Nd) other
// than an ASCII one. Unicode encodes every decimal digit in runs of ten,
// zero to nine, so the value is the distance from the start of the run,
// modulo ten (the mathematical digits are five such runs in a row).
func digitValue(r rune) (int, bool) {
	if r < utf8.RuneSelf || !unicode.Is(unicode.Nd, r) {
		return 0, false
	}
	z := r
	for unicode.Is(unicode.Nd, z-1) {
		z--
	}
	return int(r-z) % 10, true
}
