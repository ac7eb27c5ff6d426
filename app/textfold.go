package app

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Folding and tokenizing text for matching names and searching.
//
// Folding is lower-casing (Unicode), decomposing (NFD) and dropping the
// non-spacing marks (Mn) that decomposition leaves, so that "Zoë", "ZOE"
// and "zoe" fold alike, as do "Ελένη" and "ελενη" or "Ёлка" and "елка".
// Latin letters that carry their stroke or ligature in the base character
// and so do not decompose are mapped by hand: ł→l, ø→o, đ→d, ħ→h, ŧ→t,
// ı→i, ð→d, þ→th, ß→ss, æ→ae, œ→oe. Greek final sigma ς folds to σ.
// Hangul syllables are kept whole (NFD would split them into jamo).
// Folding is made for matching, not for display: a folded string can be
// wrong as language (Cyrillic й folds to и, as Latin ñ folds to n).
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
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b = foldRune(b, r)
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

// scanWords calls fn with each folded word of s and the byte span
// [start, end) it comes from in s, until fn returns false. The word's
// bytes are only valid during the call.
func scanWords(s string, fn func(word []byte, start, end int) bool) {
	var buf [64]byte
	w := buf[:0]
	start, end := -1, 0
	// flush hands the current word to fn and reports whether to go on.
	flush := func() bool {
		if start < 0 {
			return true
		}
		ok := len(w) == 0 || fn(w, start, end)
		w, start = w[:0], -1
		return ok
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
				if start < 0 {
					start = i
				}
				w = append(w, c)
				i++
				end = i
			case 'A' <= c && c <= 'Z':
				if start < 0 {
					start = i
				}
				w = append(w, c+'a'-'A')
				i++
				end = i
			default:
				if !flush() {
					return
				}
				if c == '\'' && end == i && possessiveS(s, i+1) {
					i += 2
				} else {
					i++
				}
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.Is(unicode.Mn, r):
			// A combining mark belongs to the word it follows.
			if start >= 0 && end == i {
				end = i + size
			}
			i += size
		case unicode.Is(unicode.Han, r):
			if !flush() {
				return
			}
			start, end = i, i+size
			w = foldRune(w, r)
			if !flush() {
				return
			}
			i += size
		case isWordRune(r):
			if start < 0 {
				start = i
			}
			w = foldRune(w, r)
			i += size
			end = i
		default:
			if !flush() {
				return
			}
			if r == '’' && end == i && possessiveS(s, i+size) {
				i += size + 1
			} else {
				i += size
			}
		}
	}
	flush()
}

// isWordRune reports whether r belongs in a word.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mc, r)
}

// possessiveS reports whether s has at i an "s" that ends a word, as in
// the possessive "'s".
func possessiveS(s string, i int) bool {
	if i >= len(s) || (s[i] != 's' && s[i] != 'S') {
		return false
	}
	if i+1 == len(s) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s[i+1:])
	return !isWordRune(r) && !unicode.Is(unicode.Mn, r)
}

// foldRune appends the folded form of r to dst.
func foldRune(dst []byte, r rune) []byte {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return append(dst, byte(r))
	}
	r = unicode.ToLower(r)
	if s, ok := foldSpecial(r); ok {
		return append(dst, s...)
	}
	if r < utf8.RuneSelf || (0xAC00 <= r && r <= 0xD7A3) { // ASCII, Hangul syllable
		return utf8.AppendRune(dst, r)
	}
	var enc [utf8.UTFMax]byte
	n := utf8.EncodeRune(enc[:], r)
	d := norm.NFD.Properties(enc[:n]).Decomposition()
	if d == nil {
		return append(dst, enc[:n]...)
	}
	for len(d) > 0 {
		dr, size := utf8.DecodeRune(d)
		d = d[size:]
		if unicode.Is(unicode.Mn, dr) {
			continue
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
