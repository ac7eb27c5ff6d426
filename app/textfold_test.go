package app

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFold(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{"Plain ASCII, Text!", "plain ascii, text!"},
		{"Zoë", "zoe"},
		{"ZOË", "zoe"},
		{"Zoe\u0308", "zoe"}, // already decomposed
		{"Łukasz", "lukasz"},
		{"Søren Ørsted", "soren orsted"},
		{"Đorđe", "dorde"},
		{"Straße", "strasse"},
		{"Ærø", "aero"},
		{"Cœur", "coeur"},
		{"François Müller-Núñez", "francois muller-nunez"},
		{"Ħal Ðóra Þór", "hal dora thor"},
		{"İstanbul ılık", "istanbul ilik"},
		{"Женя", "женя"},
		{"ЁЛКА", "елка"},
		{"Ελένη", "ελενη"},
		{"ΆΝΝΑ", "αννα"},
		{"Σοφίας", "σοφιασ"}, // final sigma folds to σ
		{"東京で会議", "東京で会議"},
		{"Йошкар-Ола", "йошкар-ола"}, // й stays, unlike other Cyrillic marks
		{"한국어", "한국어"},               // Hangul syllables stay whole
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Fold(tt.in); got != tt.want {
				t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestTokens(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", nil},
		{"punctuation only", " -- !? ", nil},
		{"words and digits", "Meeting #42 at 10:30, room B2", []string{"meeting", "42", "at", "10", "30", "room", "b2"}},
		{"diacritics", "Zoë and Łukasz met Søren", []string{"zoe", "and", "lukasz", "met", "soren"}},
		{"possessive", "Zoë's post and Zoë’s reply", []string{"zoe", "post", "and", "zoe", "reply"}},
		{"possessive at end", "it was Alex's", []string{"it", "was", "alex"}},
		{"no possessive without a word", "'s and ’S", []string{"s", "and", "s"}},
		{"no possessive after a mark alone", "\u0741's", []string{"s"}},
		{"possessive with marks", "Zoe\u0308'\u0301s\u0301 post", []string{"zoe", "post"}},
		{"apostrophe inside a word", "O'Sullivan don't", []string{"o", "sullivan", "don", "t"}},
		{"plural possessive", "the members' forum", []string{"the", "members", "forum"}},
		{"cyrillic", "Женя написал: «Привет»", []string{"женя", "написал", "привет"}},
		{"greek with tonos", "Η Ελένη έγραψε", []string{"η", "ελενη", "εγραψε"}},
		{"cjk each ideograph", "東京の会議", []string{"東", "京", "の", "会", "議"}},
		{"kana run", "カタカナ語", []string{"カタカナ", "語"}},
		{"hangul words", "회의 기록", []string{"회의", "기록"}},
		{"decomposed input", "Zoe\u0308 Mu\u0308ller", []string{"zoe", "muller"}},
		{"handle and e-mail", "@JDoe <jdoe@example.org>", []string{"jdoe", "jdoe", "example", "org"}},
		{"devanagari with spacing marks", "नमस्ते दुनिया", []string{"नमसत", "दनिया"}},
		{"soft hyphens inside words", "Bran\u00addt and dvol\u00adkov", []string{"brandt", "and", "dvolkov"}},
		{"a zero-width joiner inside a word", "Zo\u200dë Vol\u200dkov\ufeff", []string{"zoe", "volkov"}},
		{"zero-width spaces between words", "Zoë\u200bBrandt ผู้แจ้ง\u200bสมชาย", []string{"zoe", "brandt", "ผแจง", "สมชาย"}},
		{"a non-joiner, a word joiner and isolates separate", "علی\u200cاکبر zoe\u2060brandt L\u2066Brandt\u2069", []string{"علی", "اکبر", "zoe", "brandt", "l", "brandt"}},
		{"a compatibility form of no letter", "0'ͺS 0", []string{"0", "ͺs", "0"}},
		{"direction marks", "\u200fZoë\u200e Brandt", []string{"zoe", "brandt"}},
		{"full-width letters", "ＶＯＬＫＯＶ apologised", []string{"volkov", "apologised"}},
		{"ligatures and superscripts", "ﬁnn ²", []string{"finn"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Tokens(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("Tokens(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestScanWordsSpans(t *testing.T) {
	text := "Zoë's  note: Ελένη\nand 東京, Zoe\u0308!"
	var got []string
	scanWords(text, func(w []byte, start, end int) bool {
		got = append(got, text[start:end])
		if f := Tokens(text[start:end]); len(f) != 1 || f[0] != string(w) {
			t.Errorf("Tokens(%q) = %q, want [%q]", text[start:end], f, w)
		}
		return true
	})
	want := []string{"Zoë", "note", "Ελένη", "and", "東", "京", "Zoe\u0308"}
	if !slices.Equal(got, want) {
		t.Errorf("spans = %q, want %q", got, want)
	}
}

func TestWords(t *testing.T) {
	text := "ZOË’s\nBrandt  and 王小明"
	want := []Word{{"zoe", 0, 4}, {"brandt", 9, 15}, {"and", 17, 20}, {"王", 21, 24}, {"小", 24, 27}, {"明", 27, 30}}
	if got := Words(text); !slices.Equal(got, want) {
		t.Errorf("Words(%q) = %v, want %v", text, got, want)
	}
	if got := Words(""); got != nil {
		t.Errorf("Words of nothing: got %v", got)
	}
}

// FuzzTokens checks that tokens are folded, non-empty, stable when
// tokenized again, and that their spans give them back.
func FuzzTokens(f *testing.F) {
	for _, s := range []string{"Zoë's Łukasz", "Ελένη ΆΝΝΑ", "東京の会議", "Zoe\u0308", "a'S b’s", "नमस्ते", "ǅemal İ ẞ", "\u0741'S 0 0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		toks := Tokens(s)
		for _, tok := range toks {
			if tok == "" {
				t.Fatalf("Tokens(%q) has an empty token", s)
			}
			if Fold(tok) != tok {
				t.Fatalf("token %q of %q is not folded: %q", tok, s, Fold(tok))
			}
		}
		if again := Tokens(strings.Join(toks, " ")); !slices.Equal(again, toks) {
			t.Fatalf("Tokens(join(Tokens(%q))) = %q, want %q", s, again, toks)
		}
		scanWords(s, func(w []byte, start, end int) bool {
			if got := Tokens(s[start:end]); len(got) != 1 || got[0] != string(w) {
				t.Fatalf("span %q of %q gives %q, want [%q]", s[start:end], s, got, w)
			}
			return true
		})
	})
}

func BenchmarkTokens(b *testing.B) {
	text := strings.Repeat("The reporter wrote that Zoë's messages in #general were hostile; Женя and Ελένη agreed. ", 8)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		n := 0
		scanWords(text, func([]byte, int, int) bool { n++; return true })
	}
}

func TestFoldWidth(t *testing.T) {
	for _, tc := range []struct {
		in, want rune
	}{
		{'a', 'a'}, {'7', '7'}, {'@', '@'},
		{'Ａ', 'A'}, {'ｋ', 'k'}, {'＠', '@'}, {'．', '.'}, {'﹫', '@'}, {'１', '1'},
		{'٣', '3'}, {'۷', '7'}, {'३', '3'}, {'𝟏', '1'}, {'𝟿', '9'}, {'𝐚', 'a'}, {'①', '1'},
		{'é', 'é'}, {'ж', 'ж'}, {'。', '。'}, {'\uFFFD', '\uFFFD'},
	} {
		if got := FoldWidth(tc.in); got != tc.want {
			t.Errorf("FoldWidth(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
