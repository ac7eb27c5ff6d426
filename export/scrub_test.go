package export

import (
	"testing"

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

func BenchmarkScrub(b *testing.B) {
	s := NewScrubber(scrubPeople)
	text := "Zoë Brandt reported that Łukasz Wójcik sent hostile messages from @lwojcik in the chat; " +
		"the committee heard both and a witness, and issued a warning. See https://forum.example.org/t/1. "
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		s.Scrub(text, nil)
	}
}
