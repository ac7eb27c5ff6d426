package export

import (
	"cmp"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"mvdan.cc/xurls/v2"

	"casebook/app"
)

// Scrubbing the archive summaries: the one free text that leaves the
// vault in the archive. A Scrubber knows every name, pseudonym, handle and
// contact in the vault and takes each out of a text wherever it appears,
// in any case, with or without its accents, with a possessive "'s",
// split across lines, or word by word; it also takes out every e-mail
// address, URL, @handle, IP address and phone number, known or not.
//
// It errs on the side of removing: a word that is also someone's name
// ("Will", "Rose") goes wherever it appears, and so do words that start
// with a longer name and add a short ending ("Łukasza" for "Łukasz",
// "Соколова" for "Соколов"), which also takes "Franklin" with "Frank".

// Removed stands for whatever scrubbing took out of a text.
const Removed = "[removed]"

// Scrubber removes known identities and contact details from text. It is
// safe for concurrent use once made.
type Scrubber struct {
	pats  []pattern
	index map[string]int   // canonical form of a pattern → its index
	byKey map[string][]int // the first word's key → patterns, longest first
	infix []int            // patterns found inside words
	known map[app.Identity][]int
	// knownOnly leaves contact details that are no known identity's in
	// the text (see newKnownScrubber).
	knownOnly bool
}

// tokMode says how one word of a pattern matches a word of the text.
type tokMode uint8

const (
	// modeExact matches the word itself.
	modeExact tokMode = iota
	// modeName matches a name's word in an alphabet like Latin: itself,
	// with "s" or "es" (three letters or more), or with up to three more
	// letters (five letters or more), so "Brandts" and "Łukasza" go too.
	modeName
	// modeStem matches a word that starts with the stem (a name in
	// Cyrillic or Greek, or their transliteration, without its last one
	// or two letters) and is at most two letters longer than the name:
	// those languages change a name's ending with its case.
	modeStem
	// modeInfix matches a word that contains it: Hangul and kana are
	// written without spaces, with particles after a name.
	modeInfix
)

// maxEnding is how many letters may follow a name in modeName; a word
// matching a stem may be longer than the whole name by maxStemEnding.
const maxEnding, maxStemEnding = 3, 2

// patTok is one word of a pattern.
type patTok struct {
	text  string // folded; the stem for modeStem
	mode  tokMode
	runes int // of the whole word, stem or not
}

// pattern is a sequence of words to remove, as the text's words match
// them whatever separates them (spaces, line breaks, punctuation).
type pattern struct{ toks []patTok }

// NewScrubber makes a scrubber that knows every identity in ids.
func NewScrubber(ids []app.Identity) *Scrubber {
	s := &Scrubber{index: map[string]int{}, byKey: map[string][]int{}, known: map[app.Identity][]int{}}
	for _, id := range ids {
		if _, ok := s.known[id]; !ok {
			s.known[id] = s.patternsOf(id, true)
		}
	}
	for k, list := range s.byKey {
		slices.SortStableFunc(list, func(a, b int) int { return cmp.Compare(len(s.pats[b].toks), len(s.pats[a].toks)) })
		s.byKey[k] = list
	}
	return s
}

// newKnownScrubber makes a scrubber that takes out only the identities
// in ids, as NewScrubber's does, and no other e-mail address, URL, handle
// or phone number.
func newKnownScrubber(ids []app.Identity) *Scrubber {
	s := NewScrubber(ids)
	s.knownOnly = true
	return s
}

// Len is the number of patterns the scrubber knows.
func (s *Scrubber) Len() int { return len(s.pats) }

// patternsOf returns the indexes of the patterns that identify id, making
// them first when add is set (and leaving out those not yet made when it
// is not).
func (s *Scrubber) patternsOf(id app.Identity, add bool) []int {
	var out []int
	put := func(p pattern) {
		if len(p.toks) == 0 {
			return
		}
		runes := 0
		for _, t := range p.toks {
			runes += t.runes
		}
		if runes < 2 {
			return // one letter says nothing
		}
		key := p.canonical()
		i, ok := s.index[key]
		if !ok {
			if !add {
				return
			}
			i = len(s.pats)
			s.pats = append(s.pats, p)
			s.index[key] = i
			if len(p.toks) == 1 && p.toks[0].mode == modeInfix {
				s.infix = append(s.infix, i)
			} else {
				k := wordKey(p.toks[0].text)
				s.byKey[k] = append(s.byKey[k], i)
			}
		}
		out = append(out, i)
	}
	for _, p := range namePatterns(id.Name) {
		put(p)
	}
	put(wholePattern(id.Pseudonym))
	put(wholePattern(strings.TrimLeft(strings.TrimSpace(id.Handle), "@")))
	put(wholePattern(id.Contact))
	// The part before the @ of each address ("nj-7f3a" of "Nightjar
	// <nj-7f3a@relay.example.com>"), unless a shared mailbox's.
	for _, addr := range emailRE.FindAllString(foldWidth(id.Contact), -1) {
		if local, _, _ := strings.Cut(addr, "@"); utf8.RuneCountInString(local) >= 3 {
			if p := wholePattern(local); !genericMailbox(p) {
				put(p)
			}
		}
	}
	return out
}

func (p pattern) canonical() string {
	var b strings.Builder
	for _, t := range p.toks {
		b.WriteByte(byte('0' + t.mode))
		b.WriteString(t.text)
		b.WriteByte(0)
	}
	return b.String()
}

// wholePattern is s as one sequence of exact words.
func wholePattern(s string) pattern {
	var p pattern
	for _, w := range app.Tokens(s) {
		p.toks = append(p.toks, patTok{text: w, mode: modeExact, runes: utf8.RuneCountInString(w)})
	}
	return p
}

// genericMailbox reports whether the local part of an address is a
// shared mailbox's, not a person's.
func genericMailbox(p pattern) bool {
	if len(p.toks) != 1 {
		return false
	}
	switch p.toks[0].text {
	case "info", "contact", "admin", "support", "hello", "mail", "office", "coc", "conduct", "abuse",
		"noreply", "team", "help", "committee", "report", "reports", "safety", "security", "anon", "anonymous":
		return true
	}
	return false
}

// nameParticles are the lower-case words between a given name and a
// family name; they say nothing about who someone is.
var nameParticles = map[string]bool{
	"de": true, "da": true, "das": true, "do": true, "dos": true, "del": true, "della": true, "der": true,
	"den": true, "di": true, "du": true, "la": true, "le": true, "van": true, "von": true, "ten": true,
	"ter": true, "bin": true, "ibn": true, "zu": true, "af": true, "av": true,
}

// maxSplitName is the longest word in Han, Hangul or kana whose parts are
// scrubbed on their own; names are shorter, and a longer text given as a
// name would make thousands of parts.
const maxSplitName = 8

// namePatterns are the patterns a person's name gives: the whole name;
// each of its words of two letters or more, but lower-case particles
// ("van", "de"); runs of Han characters two at a time and longer (a
// given name without the family name); the Latin transliteration of
// Cyrillic and Greek; and "ae", "oe", "ue" for ä, ö, ü.
func namePatterns(name string) []pattern {
	words := app.Words(name)
	if len(words) == 0 {
		return nil
	}
	var out []pattern
	whole := pattern{}
	for _, w := range words {
		whole.toks = append(whole.toks, nameTok(w.Text, false))
	}
	out = append(out, whole)
	for _, w := range words {
		orig := name[w.Start:w.End]
		if orig == strings.ToLower(orig) && nameParticles[w.Text] {
			continue
		}
		out = append(out, pattern{toks: []patTok{nameTok(w.Text, true)}})
	}
	// Han characters are one word each: add every run of two or more (in
	// a name of a reasonable length).
	for i := 0; i < len(words); {
		j := i
		for j < len(words) && isHanWord(words[j].Text) {
			j++
		}
		for a := i; a < j && j-i <= maxSplitName; a++ {
			for b := a + 2; b <= j; b++ {
				if a == i && b == j && a == 0 && b == len(words) {
					continue // the whole name, already there
				}
				p := pattern{}
				for _, w := range words[a:b] {
					p.toks = append(p.toks, patTok{text: w.Text, mode: modeExact, runes: 1})
				}
				out = append(out, p)
			}
		}
		i = max(j, i+1)
	}
	// A name in Hangul or kana is found inside longer words, and so is
	// each part of it of two syllables or more.
	for _, w := range words {
		if !isInfixScript(w.Text) {
			continue
		}
		r := []rune(w.Text)
		for a := 0; a < len(r) && len(r) <= maxSplitName; a++ {
			for b := a + 2; b <= len(r); b++ {
				if a == 0 && b == len(r) {
					continue
				}
				out = append(out, pattern{toks: []patTok{{text: string(r[a:b]), mode: modeInfix, runes: b - a}}})
			}
		}
	}
	// Other spellings of the name in Latin letters.
	for _, alt := range []func(orig, folded string) (patTok, bool){transliterated, withoutUmlauts} {
		p, changed := pattern{}, false
		for _, w := range words {
			t, ok := alt(name[w.Start:w.End], w.Text)
			if !ok {
				t = nameTok(w.Text, false)
			}
			changed = changed || ok
			p.toks = append(p.toks, t)
			if ok {
				out = append(out, pattern{toks: []patTok{t}})
			}
		}
		if changed && len(words) > 1 {
			out = append(out, p)
		}
	}
	return out
}

// nameTok is the pattern word for a word of a name. Alone, a word of
// Hangul or kana is found inside words; in a sequence it must match whole.
func nameTok(w string, alone bool) patTok {
	n := utf8.RuneCountInString(w)
	r, _ := utf8.DecodeRuneInString(w)
	switch {
	case isInfixScript(w) && alone:
		return patTok{text: w, mode: modeInfix, runes: n}
	case unicode.Is(unicode.Cyrillic, r) || unicode.Is(unicode.Greek, r):
		return stemTok(w)
	case unicode.IsLetter(r) && !isHanWord(w) && !isInfixScript(w):
		return patTok{text: w, mode: modeName, runes: n}
	}
	return patTok{text: w, mode: modeExact, runes: n}
}

// stemTok is the pattern word for a name in an inflected language: the
// word without its last letter (five letters) or two (six or more); a
// word of three letters or fewer must match exactly.
func stemTok(w string) patTok {
	r := []rune(w)
	if len(r) < 4 {
		return patTok{text: w, mode: modeExact, runes: len(r)}
	}
	cut := min(2, len(r)-4)
	return patTok{text: string(r[:len(r)-cut]), mode: modeStem, runes: len(r)}
}

func isHanWord(w string) bool {
	r, n := utf8.DecodeRuneInString(w)
	return n == len(w) && unicode.Is(unicode.Han, r)
}

// isInfixScript reports whether w is in Hangul or kana.
func isInfixScript(w string) bool {
	ascii := true
	for i := 0; i < len(w) && ascii; i++ {
		ascii = w[i] < utf8.RuneSelf
	}
	return !ascii && strings.ContainsFunc(w, func(r rune) bool {
		return unicode.In(r, unicode.Hangul, unicode.Hiragana, unicode.Katakana)
	})
}

// translit spells folded Cyrillic and Greek letters in Latin ones, the
// way names are usually written in English.
var translit = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ж': "zh", 'з': "z", 'и': "i",
	'й': "i", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s",
	'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "",
	'ы': "y", 'ь': "", 'э': "e", 'ю': "yu", 'я': "ya", 'і': "i", 'ї': "i", 'є': "ye", 'ґ': "g",
	'α': "a", 'β': "v", 'γ': "g", 'δ': "d", 'ε': "e", 'ζ': "z", 'η': "i", 'θ': "th", 'ι': "i",
	'κ': "k", 'λ': "l", 'μ': "m", 'ν': "n", 'ξ': "x", 'ο': "o", 'π': "p", 'ρ': "r", 'σ': "s",
	'τ': "t", 'υ': "y", 'φ': "f", 'χ': "ch", 'ψ': "ps", 'ω': "o",
}

// transliterated is a folded Cyrillic or Greek word spelt in Latin
// letters, as a stem: transliteration varies in its endings ("Dmitrii",
// "Dmitry", "Dmitriy").
func transliterated(_, w string) (patTok, bool) {
	r, _ := utf8.DecodeRuneInString(w)
	if !unicode.Is(unicode.Cyrillic, r) && !unicode.Is(unicode.Greek, r) {
		return patTok{}, false
	}
	w = strings.ReplaceAll(w, "ου", "ou")
	var b strings.Builder
	for _, r := range w {
		if t, ok := translit[r]; ok {
			b.WriteString(t)
		} else {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return patTok{}, false
	}
	return stemTok(b.String()), true
}

// umlautSpelling spells ä, ö, ü, å and ø as names are written without
// them: "Björk" as "Bjoerk".
var umlautSpelling = strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "å", "aa", "ø", "oe",
	"Ä", "Ae", "Ö", "Oe", "Ü", "Ue", "Å", "Aa", "Ø", "Oe")

// withoutUmlauts is a word of a name as written without its umlauts, when
// it has any.
func withoutUmlauts(orig, _ string) (patTok, bool) {
	alt := umlautSpelling.Replace(orig)
	if alt == orig {
		return patTok{}, false
	}
	toks := app.Tokens(alt)
	if len(toks) != 1 {
		return patTok{}, false
	}
	return nameTok(toks[0], false), true
}

// wordKey is the index key of a word: its first three letters.
func wordKey(w string) string {
	n := 0
	for i := range w {
		if n == 3 {
			return w[:i]
		}
		n++
	}
	return w
}

// matches reports whether a word of the text matches a word of a
// pattern.
func (t patTok) matches(word string) bool {
	switch t.mode {
	case modeExact:
		return word == t.text
	case modeName:
		if word == t.text {
			return true
		}
		if !strings.HasPrefix(word, t.text) {
			return false
		}
		rest := word[len(t.text):]
		if t.runes >= 3 && (rest == "s" || rest == "es") {
			return true
		}
		return t.runes >= 5 && utf8.RuneCountInString(rest) <= maxEnding
	case modeStem:
		return strings.HasPrefix(word, t.text) && utf8.RuneCountInString(word)-t.runes <= maxStemEnding
	case modeInfix:
		return strings.Contains(word, t.text)
	}
	return false
}

// Markers says what replaces the words of known patterns: a case's own
// people become their role pseudonyms in its summary. Build it with
// MarkersFor.
type Markers map[int]string

// MarkersFor maps the patterns of each identity to its marker, for one
// case's summary; a pattern two of them share is simply Removed.
func (s *Scrubber) MarkersFor(people []app.Identity, markers []string) Markers {
	m := Markers{}
	for i, id := range people {
		pats, ok := s.known[id]
		if !ok {
			pats = s.patternsOf(id, false)
		}
		for _, p := range pats {
			if prev, ok := m[p]; ok && prev != markers[i] {
				m[p] = Removed
			} else {
				m[p] = markers[i]
			}
		}
	}
	return m
}

// Scrub returns text without any known identity or contact detail, and
// the number of things it took out. Known words become their marker in
// own, or Removed. What one removal uncovers (a domain that ran into an
// address) goes too: the text is scrubbed again until nothing changes.
//
// While it works, each replacement is a placeholder of two private-use
// characters, which no pattern matches and every pattern takes for a
// separator, so that a marker ("[Reporter A]") is never scrubbed itself;
// the placeholders become the markers at the end. Private-use characters
// in the text are dropped first.
func (s *Scrubber) Scrub(text string, own Markers) (string, int) {
	text = strings.Map(func(r rune) rune {
		if privateUse(r) {
			return -1
		}
		return r
	}, text)
	marks := &markTable{}
	out, n := s.scrubOnce(text, own, marks)
	for range 3 {
		again, m := s.scrubOnce(out, own, marks)
		if m == 0 {
			break
		}
		out, n = again, n+m
	}
	// An invisible separator may stand between two words (Thai writes
	// them so) or inside a name ("Zo\u200bë"): read the other way, without
	// them, the text is scrubbed again.
	if joined := strings.Map(dropInvisibleSeparator, out); joined != out {
		if again, m := s.scrubOnce(joined, own, marks); m > 0 {
			out, n = again, n+m
		}
	}
	if n == 0 {
		return out, 0
	}
	return marks.expand(tidyRemoved(out)), n
}

// dropInvisibleSeparator drops the invisible characters that separate
// words (the zero-width space and non-joiner, the word joiner, the
// direction isolates), for strings.Map.
func dropInvisibleSeparator(r rune) rune {
	switch r {
	case 0x200B, 0x200C, 0x2060, 0x2066, 0x2067, 0x2068, 0x2069:
		return -1
	}
	return r
}

// Placeholders: markStart followed by markBase+i stands for the i-th
// marker of a markTable; the 0th is Removed.
const (
	markStart   = '\uE000'
	markBase    = '\uE100'
	removedMark = string(markStart) + string(markBase)
)

func privateUse(r rune) bool { return r >= 0xE000 && r <= 0xF8FF }

// markTable numbers the markers of one Scrub.
type markTable struct{ markers []string }

// mark returns the placeholder of marker m.
func (t *markTable) mark(m string) string {
	if m == Removed {
		return removedMark
	}
	i := slices.Index(t.markers, m)
	if i < 0 {
		t.markers = append(t.markers, m)
		i = len(t.markers) - 1
	}
	return string(markStart) + string(rune(markBase+1+i))
}

// expand replaces the placeholders in s by their markers.
func (t *markTable) expand(s string) string {
	pairs := []string{removedMark, Removed}
	for i, m := range t.markers {
		pairs = append(pairs, string(markStart)+string(rune(markBase+1+i)), m)
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

func (s *Scrubber) scrubOnce(text string, own Markers, marks *markTable) (string, int) {
	n := 0
	if !s.knownOnly {
		text, n = scrubContacts(text)
	}
	words := app.Words(text)
	var b strings.Builder
	last := 0
	for i := 0; i < len(words); {
		l, marker := s.matchAt(words, i, own)
		if l == 0 {
			i++
			continue
		}
		b.WriteString(text[last:words[i].Start])
		b.WriteString(marks.mark(marker))
		last = words[i+l-1].End
		i += l
		n++
	}
	if n == 0 {
		return text, 0
	}
	b.WriteString(text[last:])
	return tidyRemoved(b.String()), n
}

// tidyRemoved makes one of several Removed in a row, and of an @ before
// one, so that what was one thing reads as one.
func tidyRemoved(s string) string {
	for {
		t := strings.ReplaceAll(strings.ReplaceAll(s, removedMark+removedMark, removedMark), "@"+removedMark, removedMark)
		if t == s {
			return s
		}
		s = t
	}
}

// matchAt returns how many words from words[i] the longest known pattern
// there covers (0 for none), and what replaces them.
func (s *Scrubber) matchAt(words []app.Word, i int, own Markers) (int, string) {
	best, marker := 0, Removed
	ownMarker := ""
	for _, pi := range s.byKey[wordKey(words[i].Text)] {
		p := s.pats[pi]
		if len(p.toks) < best {
			break
		}
		if i+len(p.toks) > len(words) {
			continue
		}
		ok := true
		for k, t := range p.toks {
			if !t.matches(words[i+k].Text) {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		if len(p.toks) > best {
			best, ownMarker = len(p.toks), ""
		}
		if m, mine := own[pi]; mine {
			if ownMarker != "" && ownMarker != m {
				m = Removed
			}
			ownMarker = m
		}
	}
	if best == 0 && isInfixScript(words[i].Text) {
		for _, pi := range s.infix {
			if s.pats[pi].toks[0].matches(words[i].Text) {
				best = 1
				if m, mine := own[pi]; mine {
					if ownMarker != "" && ownMarker != m {
						m = Removed
					}
					ownMarker = m
				}
			}
		}
	}
	if ownMarker != "" {
		marker = ownMarker
	}
	return best, marker
}

// Contact details found by their form, known or not.
var (
	emailRE  = regexp.MustCompile(`[\p{L}\p{N}._%+\-]+@[\p{L}\p{N}\-]+(?:\.[\p{L}\p{N}\-]+)+`)
	handleRE = regexp.MustCompile(`@[\p{L}\p{N}_](?:[\p{L}\p{N}_.\-]*[\p{L}\p{N}_])?(?:@[\p{L}\p{N}_](?:[\p{L}\p{N}_.\-]*[\p{L}\p{N}_])?)*`)
	ipv6RE   = regexp.MustCompile(`[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*`)
)

// scrubContacts removes e-mail addresses, URLs, @handles, IP addresses
// and phone numbers from s.
func scrubContacts(s string) (string, int) {
	n := 0
	// All but phone numbers are written without spaces: look only at the
	// runs of text between spaces that could hold one.
	var b strings.Builder
	last := 0
	for start := 0; start < len(s); {
		r, size := utf8.DecodeRuneInString(s[start:])
		if unicode.IsSpace(r) {
			start += size
			continue
		}
		end := start
		for end < len(s) {
			r, size := utf8.DecodeRuneInString(s[end:])
			if unicode.IsSpace(r) {
				break
			}
			end += size
		}
		if field := s[start:end]; mayHoldContact(foldWidth(field)) {
			if f, k := scrubField(field); k > 0 {
				b.WriteString(s[last:start])
				b.WriteString(f)
				last, n = end, n+k
			}
		}
		start = end
	}
	if n > 0 {
		b.WriteString(s[last:])
		s = b.String()
	}
	s, k := scrubPhones(s)
	return s, n + k
}

// mayHoldContact reports whether a run of text without spaces may hold an
// address, a URL, a handle or an IP address: an @, or a dot, colon or
// slash followed by a letter or digit. The regular expressions are slow;
// most words, such as one ending a sentence, need none of them.
func mayHoldContact(f string) bool {
	if strings.IndexByte(f, '@') >= 0 {
		return true
	}
	for i := 0; i+1 < len(f); i++ {
		if c := f[i]; c == '.' || c == ':' || c == '/' {
			r, _ := utf8.DecodeRuneInString(f[i+1:])
			if unicode.IsLetter(r) || unicode.IsDigit(r) || r == ':' || r == '/' {
				return true
			}
		}
	}
	return false
}

// maxField is the longest run of text without spaces that scrubField
// looks into; a longer one is not prose, may hide anything, and would
// cost the URL pattern seconds, so it is removed whole.
const maxField = 512

// scrubField removes contact details from one run of text without
// spaces. It matches on the run folded by app.FoldWidth, so that
// "ｋｉｍ＠ｅｘａｍｐｌｅ．ｎｅｔ" is an address, and takes out the
// runes of the run itself that the matches cover.
func scrubField(orig string) (string, int) {
	if len(orig) > maxField {
		return removedMark, 1
	}
	f := foldWidth(orig)
	// When folding changed the run, what a pattern takes out becomes as
	// many fillers as it had runes, so that the runes of f stay those of
	// orig, one for one; like removedMark, a filler is no letter, digit or
	// space. Otherwise f is orig, and takes removedMark at once (the
	// patterns after it have less to read).
	folded := f != orig
	if folded {
		// A filler written in the text is not one of ours: it stays.
		f = strings.ReplaceAll(f, string(filler), string(utf8.RuneError))
	}
	n := 0
	replace := func(re *regexp.Regexp, keep func(string) bool) {
		f = re.ReplaceAllStringFunc(f, func(m string) string {
			if keep != nil && keep(m) {
				return m
			}
			n++
			if !folded {
				return removedMark
			}
			return strings.Repeat(string(filler), utf8.RuneCountInString(m))
		})
	}
	// Addresses first, as a handle is what is left of one without its
	// domain; then handles, as a domain may follow one ("@bot.example").
	replace(emailRE, nil)
	replace(handleRE, nil)
	replace(xurls.Relaxed(), nil)
	replace(ipv6RE, func(m string) bool {
		_, err := netip.ParseAddr(strings.Trim(m, ".:"))
		return err != nil
	})
	if n == 0 {
		return orig, 0
	}
	if !folded {
		return f, n
	}
	// Back to orig's runes, each run of fillers one removedMark.
	var b strings.Builder
	rest, prevFiller := orig, false
	for _, r := range f {
		_, size := utf8.DecodeRuneInString(rest)
		o := rest[:size] // as written, an invalid byte too
		rest = rest[size:]
		if r == filler {
			if !prevFiller {
				b.WriteString(removedMark)
			}
		} else {
			b.WriteString(o)
		}
		prevFiller = r == filler
	}
	return b.String(), n
}

// filler stands for a rune scrubField took out, while it works. It is a
// private-use character, as the placeholders are, but none of them.
const filler = '\uF8FF'

// foldWidth is s with each rune folded by app.FoldWidth: ASCII
// look-alikes and the digits of every script as the ASCII they stand for.
// It has the runes of s, one for one; s itself when nothing folds.
func foldWidth(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return strings.Map(app.FoldWidth, s)
		}
	}
	return s
}

// minPhoneDigits is the fewest digits a number must have to be taken for
// a phone number (or another number that may identify someone).
const minPhoneDigits = 7

// scrubPhones removes runs of seven digits or more, with the spaces,
// dashes, dots, slashes and brackets phone numbers are written with.
func scrubPhones(s string) (string, int) {
	return replacePhones(s, func(string) (string, bool) { return removedMark, true })
}

// replacePhones calls with for each phone number in s (a run of seven
// digits or more, with the spaces, dashes, dots, slashes and brackets
// phone numbers are written with, up to three of them between two digits)
// with its digits, and puts what it returns in the number's place when it
// says so. It returns the text and how many numbers it replaced. Numbers
// are found in s folded by app.FoldWidth: "０１７６ ５５５ ０１２３" and
// "٠١٧٦ ٥٥٥ ٠١٢٣" are numbers, and with gets their ASCII digits.
func replacePhones(s string, with func(digits string) (string, bool)) (string, int) {
	// f is s folded, rune for rune; orig(i) is the offset in s of the
	// rune at f[i]. It is asked for offsets in order, so it walks both
	// texts once, from where it was last asked.
	f := foldWidth(s)
	same, fi, si := f == s, 0, 0
	orig := func(i int) int {
		if same {
			return i
		}
		for fi < i {
			r, size := utf8.DecodeRuneInString(s[si:])
			// An invalid byte is one U+FFFD in f, as strings.Map writes it.
			fi += utf8.RuneLen(app.FoldWidth(r))
			si += size
		}
		return si
	}
	var b strings.Builder
	last, n := 0, 0
	prevWord := false
	for i := 0; i < len(f); {
		c := f[i]
		if !prevWord && (c == '+' || c == '(' || isDigit(c)) {
			digits, end, seps := 0, -1, 0
			for j := i; j < len(f); j++ {
				c := f[j]
				if isDigit(c) {
					digits, end, seps = digits+1, j+1, 0
					continue
				}
				if strings.IndexByte(" -.()/", c) < 0 && (c != '+' || j != i) {
					break
				}
				if seps++; seps > 3 { // " - " and " / " are three
					break
				}
			}
			if digits >= minPhoneDigits {
				if repl, ok := with(digitsOf(f[i:end])); ok {
					b.WriteString(s[last:orig(i)])
					b.WriteString(repl)
					last, n = orig(end), n+1
				}
				i, prevWord = end, false
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(f[i:])
		prevWord = unicode.IsLetter(r) || unicode.IsDigit(r)
		i += size
	}
	if n == 0 {
		return s, 0
	}
	b.WriteString(s[last:])
	return b.String(), n
}

// digitsOf returns the ASCII digits of s.
func digitsOf(s string) string {
	return strings.Map(func(r rune) rune {
		if r < utf8.RuneSelf && isDigit(byte(r)) {
			return r
		}
		return -1
	}, s)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
