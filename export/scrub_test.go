package export

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"casebook/app"
)

// Every person here is invented.
var scrubPeople = []app.Identity{
	{Name: "Zoë Brandt", Handle: "@zoeb", Contact: "zoe.brandt@example.org"},
	{Name: "Łukasz Wójcik", Handle: "lwojcik", Contact: "+48 601 234 567"},
	{Name: "Дмитрий Соколов", Contact: "d.sokolov@example.net"},
	{Name: "Αλέξανδρος Παπαδόπουλος", Handle: "alexpap"},
	{Name: "王小明"},
	{Name: "김민준"},
	{Name: "Pieter van Dalen"},
	{Pseudonym: "Nightjar", Contact: "relay-7f3a@relay.example.com"},
	{Name: "Björk Sigurðardóttir", Contact: "Signal: bjork_s"},
	{Name: "Amara Nwosu", Contact: "amara@committee.example.org"},
	{Name: "J. Quill"},
}

func TestScrub(t *testing.T) {
	s := NewScrubber(scrubPeople)
	tests := []struct {
		name, in, want string
	}{
		{"a name", "Zoë Brandt complained.", "[removed] complained."},
		{"capitals without accents, possessive", "ZOE BRANDT's post", "[removed]'s post"},
		{"lower case, typographic possessive", "we asked zoë’s friend", "we asked [removed]’s friend"},
		{"across a line break", "said Zoë\nBrandt, twice", "said [removed], twice"},
		{"several spaces", "Zoë   Brandt", "[removed]"},
		{"one word of the name", "Brandt replied", "[removed] replied"},
		{"a plural or genitive", "the Brandts' house", "the [removed]' house"},
		{"a word that only starts like the name", "the brand and the brandy", "the brand and the brandy"},
		{"an e-mail address", "write to zoe.brandt@example.org now", "write to [removed] now"},
		{"an unknown e-mail address", "or to ünknown.person@example.net.", "or to [removed]."},
		{"URLs", "see https://forum.example.org/t/123 and www.example.com/x", "see [removed] and [removed]"},
		{"handles", "ping @zoeb, or @someone_else!", "ping [removed], or [removed]!"},
		{"a handle ending a sentence", "Ask @helper.bot.", "Ask [removed]."},
		{"a handle on a server", "@zk@social", "[removed]"},
		{"a handle without its @", "lwojcik answered", "[removed] answered"},
		{"phone numbers", "call +48 601 234 567 or (030) 1234-5678.", "call [removed] or [removed]."},
		{"IP addresses", "from 192.168.10.20 and 2001:db8::1 at 10:30", "from [removed] and [removed] at 10:30"},
		{"short numbers stay", "In 2026, 3 of 12 reports", "In 2026, 3 of 12 reports"},
		{"Polish endings", "Łukasza i Wójcika", "[removed] i [removed]"},
		{"without diacritics", "lukasz wojcik", "[removed]"},
		{"Russian endings", "с Дмитрием Соколовым", "с [removed]"},
		{"transliterated", "Dmitry Sokolov and Dmitriy", "[removed] and [removed]"},
		{"Greek in another case", "του Αλέξανδρου", "του [removed]"},
		{"Greek transliterated", "Alexandros Papadopoulos", "[removed]"},
		{"Han", "王小明说", "[removed]说"},
		{"a Han given name", "小明来了", "[removed]来了"},
		{"Hangul with a particle", "김민준은 말했다", "[removed] 말했다"},
		{"part of a Hangul name", "민준이가", "[removed]"},
		{"a pseudonym", "Nightjar wrote", "[removed] wrote"},
		{"a particle stays", "Pieter van Dalen drove the van", "[removed] drove the van"},
		{"without umlauts", "Bjoerk and Sigurdardottir", "[removed] and [removed]"},
		{"a name with its initial", "J. Quill", "[removed]"},
		{"another initial stays", "K. Quill", "K. [removed]"},
		{"a contact's words", "on Signal: bjork_s", "on [removed]"},
		{"an address's local part", "amara said", "[removed] said"},
		{"a run too long to be prose", "see " + strings.Repeat("1.", 300) + " then", "see [removed] then"},
		{"a soft hyphen inside a name", "Bran\u00addt reported it", "[removed] reported it"},
		{"a zero-width joiner inside a name", "Zo\u200dë was upset", "[removed] was upset"},
		{"a zero-width space between names", "Zoë\u200bBrandt was upset", "[removed] was upset"},
		{"a zero-width space inside a name", "Zo\u200bë was upset", "[removed] was upset"},
		{"a word joiner inside a name", "Bran\u2060dt was upset", "[removed] was upset"},
		{"zero-width spaces and no name", "ผู้แจ้ง\u200bบอกว่า", "ผู้แจ้ง\u200bบอกว่า"},
		{"a handle with a soft hyphen", "lwoj\u00adcik posted it", "[removed] posted it"},
		{"full-width letters", "ＢＲＡＮＤＴ apologised", "[removed] apologised"},
		{"phone numbers with spaced separators", "call 555 - 0199, 030 / 123 456 or +49 - 170 - 5550199.", "call [removed], [removed] or [removed]."},
		{"nothing", "A neutral summary.", "A neutral summary."},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, n := s.Scrub(tt.in, nil)
			if got != tt.want {
				t.Errorf("Scrub(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if (n == 0) != (got == tt.in) {
				t.Errorf("Scrub(%q) counted %d removals for %q", tt.in, n, got)
			}
		})
	}
}

func TestScrubMarkers(t *testing.T) {
	s := NewScrubber(scrubPeople)
	own := s.MarkersFor(
		[]app.Identity{scrubPeople[0], scrubPeople[1], {Name: "Anna Brandt"}},
		[]string{"[Reporter A]", "[Reported person B]", "[Witness C]"})
	tests := []struct{ in, want string }{
		{"Zoë Brandt reported Łukasz Wójcik.", "[Reporter A] reported [Reported person B]."},
		{"Zoë and lukasz", "[Reporter A] and [Reported person B]"},
		// "Brandt" names two of the case's people: say neither.
		{"Brandt said", "[removed] said"},
		// Someone of another case.
		{"Amara Nwosu", "[removed]"},
		{"@zoeb", "[removed]"},
	}
	for _, tt := range tests {
		if got, _ := s.Scrub(tt.in, own); got != tt.want {
			t.Errorf("Scrub(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// A marker is never scrubbed itself, even when someone's pseudonym reads
// like one.
func TestScrubKeepsMarkers(t *testing.T) {
	s := NewScrubber(append(slices.Clone(scrubPeople), app.Identity{Pseudonym: "Reporter A"}, app.Identity{Name: "Removed Person"}))
	own := s.MarkersFor([]app.Identity{scrubPeople[0]}, []string{"[Reporter A]"})
	tests := []struct{ in, want string }{
		{"Zoë Brandt wrote to @zoeb.", "[Reporter A] wrote to [removed]."},
		{"Reporter A and Removed Person", "[removed] and [removed]"},
		{"priv\uE000\uE101ate use", "private use"},
	}
	for _, tt := range tests {
		if got, _ := s.Scrub(tt.in, own); got != tt.want {
			t.Errorf("Scrub(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func BenchmarkScrub(b *testing.B) {
	s := NewScrubber(scrubPeople)
	text := "Zoë Brandt reported that Łukasz Wójcik sent hostile messages from @lwojcik in the chat; " +
		"the committee heard both and a witness, and issued a warning. See https://forum.example.org/t/1. "
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		s.Scrub(text, nil)
	}
}

// FuzzScrub checks that no text makes Scrub panic or give invalid UTF-8,
// that scrubbing again changes nothing, and that no word of a known name
// (two letters or more, not a particle) is left in what it gives.
func FuzzScrub(f *testing.F) {
	for _, s := range []string{"Zoë Brandt's post", "ZOE\nBRANDT", "Łukasza i Wójcika", "mail zoe.brandt@example.org",
		"+48 601 234 567", "王小明说", "김민준은", "Dmitry Sokolov", "@zoeb https://x.example/a", "Pieter van Dalen", "",
		"call ０１７６ ５５５ ０１２３ or ｚｏｅ＠ｅｘａｍｐｌｅ．ｏｒｇ", "٠١٧٦ ٥٥٥ ٠١٢٣ ＠zoeb １９２．０．２．４４"} {
		f.Add(s)
	}
	s := NewScrubber(scrubPeople)
	var words []string
	for _, id := range scrubPeople {
		for _, w := range app.Words(id.Name) {
			orig := id.Name[w.Start:w.End]
			if len([]rune(w.Text)) >= 2 && !(orig == strings.ToLower(orig) && nameParticles[w.Text]) {
				words = append(words, w.Text)
			}
		}
	}
	f.Fuzz(func(t *testing.T, text string) {
		if !utf8.ValidString(text) {
			return
		}
		got, _ := s.Scrub(text, nil)
		if !utf8.ValidString(got) {
			t.Fatalf("Scrub(%q) = %q, not UTF-8", text, got)
		}
		if again, n := s.Scrub(got, nil); again != got || n != 0 {
			t.Fatalf("scrubbing %q again gave %q", got, again)
		}
		for _, tok := range app.Tokens(got) {
			for _, w := range words {
				if tok == w || (isInfixScript(w) && strings.Contains(tok, w)) {
					t.Fatalf("Scrub(%q) = %q keeps %q", text, got, w)
				}
			}
		}
	})
}
