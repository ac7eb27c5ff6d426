package export

import (
	"strings"
	"testing"
	"time"

	"casebook/app"
)

// Contacts written in ASCII look-alikes (full-width, small, mathematical
// forms) and in other scripts' digits are contacts all the same: each case
// names the written form that must not survive.

// Status updates: an anonymous reporter's contact is withheld from every
// party; an identified reporter's identity from the reported person.
func TestWidthRedactor(t *testing.T) {
	anonPhone := newRedactor([]app.Identity{{Contact: "+49 176 5550123"}})
	anonMail := newRedactor([]app.Identity{{Contact: "robin.quill@example.org"}})
	ident := newRedactor([]app.Identity{{Name: "Robin Quill", Handle: "@rquill", Contact: "robin.quill@example.org, +49 176 5550123"}})
	tests := []struct {
		name   string
		r      *redactor
		in     string
		secret string // the written form that must be gone
	}{
		{"ascii phone (control)", anonPhone, "call 0176 555 0123 now", "0176 555 0123"},
		{"full-width phone, other grouping", anonPhone, "call ０１７６ ５５５ ０１２３ now", "０１７６ ５５５ ０１２３"},
		{"full-width phone, contact grouping", anonPhone, "call ＋４９ １７６ ５５５０１２３ now", "５５５０１２３"},
		{"arabic-indic phone", anonPhone, "call ٠١٧٦ ٥٥٥ ٠١٢٣ now", "٠١٧٦ ٥٥٥ ٠١٢٣"},
		{"devanagari phone", anonPhone, "call ०१७६ ५५५ ०१२३ now", "०१७६ ५५५ ०१२३"},
		{"math bold phone", anonPhone, "call 𝟎𝟏𝟕𝟔 𝟓𝟓𝟓 𝟎𝟏𝟐𝟑 now", "𝟎𝟏𝟕𝟔 𝟓𝟓𝟓 𝟎𝟏𝟐𝟑"},
		{"full-width mail", anonMail, "mail ｒｏｂｉｎ．ｑｕｉｌｌ＠ｅｘａｍｐｌｅ．ｏｒｇ now", "ｒｏｂｉｎ．ｑｕｉｌｌ＠ｅｘａｍｐｌｅ．ｏｒｇ"},
		{"mail with full-width at", anonMail, "mail robin.quill＠example.org now", "robin.quill＠example.org"},
		{"full-width name to reported", ident, "ＲＯＢＩＮ ＱＵＩＬＬ said", "ＲＯＢＩＮ ＱＵＩＬＬ"},
		{"full-width handle to reported", ident, "see ＠ｒｑｕｉｌｌ posts", "＠ｒｑｕｉｌｌ"},
		{"full-width phone to reported", ident, "call ０１７６ ５５５ ０１２３ now", "０１７６ ５５５ ０１２３"},
		// Two numbers split by a full-width slash are two numbers.
		{"first of two phones, full-width slash", newRedactor([]app.Identity{{Contact: "0170 5550100／030 1234567"}}), "call 0170 5550100 today", "5550100"},
		{"second of two phones, full-width slash", newRedactor([]app.Identity{{Contact: "0170 5550100／030 1234567"}}), "call 030 1234567 today", "1234567"},
	}
	for _, tt := range tests {
		if got := tt.r.Replace(tt.in); strings.Contains(got, tt.secret) {
			t.Errorf("%s: Replace(%q) = %q, which holds %q", tt.name, tt.in, got, tt.secret)
		}
	}
}

// The same through BuildPartyUpdate, as a member would hit it.
func TestWidthPartyUpdate(t *testing.T) {
	c, _ := fixture()
	c.Party("p1").Contact = "+49 176 5550123" // the anonymous reporter's phone
	written := "０１７６ ５５５ ０１２３"
	msgs := []*app.Message{{ID: "x1", At: t0.Add(9 * day), PartyID: "p1", Direction: app.Out,
		Text: "We will call " + written + " weekly", Visibility: vis("p1", "p3")}}
	for _, party := range []string{"p1", "p3"} {
		u, err := BuildPartyUpdate(c, msgs, party, testConfig(), UpdateOptions{}, asOf)
		if err != nil {
			t.Fatal(err)
		}
		if got := updateText(u); strings.Contains(got, written) {
			t.Errorf("update for %s holds the anonymous reporter's phone %q", party, written)
		}
	}
}

// The archive: the generic scrubber must take out any contact, known or
// not, and a known party's in any form.
func TestWidthArchiveScrub(t *testing.T) {
	s := NewScrubber([]app.Identity{{Name: "Robin Quill", Contact: "+49 176 5550123"}})
	tests := []struct{ name, in, secret string }{
		{"ascii unknown phone (control)", "call 0301 234 5678 now", "0301 234 5678"},
		{"full-width unknown phone", "call ０３０１ ２３４ ５６７８ now", "０３０１ ２３４ ５６７８"},
		{"arabic-indic unknown phone", "call ٠٣٠١ ٢٣٤ ٥٦٧٨ now", "٠٣٠١ ٢٣٤ ٥٦٧٨"},
		{"extended arabic-indic phone", "call ۰۳۰۱ ۲۳۴ ۵۶۷۸ now", "۰۳۰۱ ۲۳۴ ۵۶۷۸"},
		{"math monospace phone", "call 𝟶𝟹𝟶𝟷 𝟸𝟹𝟺 𝟻𝟼𝟽𝟾 now", "𝟶𝟹𝟶𝟷 𝟸𝟹𝟺 𝟻𝟼𝟽𝟾"},
		{"full-width known phone, other grouping", "call ０１７６ ５５５ ０１２３ now", "０１７６ ５５５ ０１２３"},
		{"ascii unknown mail (control)", "mail kim.ortega@example.net now", "kim.ortega@example.net"},
		{"full-width unknown mail", "mail ｋｉｍ．ｏｒｔｅｇａ＠ｅｘａｍｐｌｅ．ｎｅｔ now", "ｅｘａｍｐｌｅ"},
		{"unknown mail, full-width at", "mail kim.ortega＠example.net now", "kim.ortega"},
		{"unknown mail, small at", "mail kim.ortega﹫example.net now", "kim.ortega"},
		{"unknown mail, math letters", "mail 𝗄𝗂𝗆@𝖾𝗑𝖺𝗆𝗉𝗅𝖾.𝗇𝖾𝗍 now", "𝗄𝗂𝗆"},
		{"unknown handle, full-width at", "see ＠kimortega posts", "kimortega"},
		{"unknown URL, full-width", "see ｈｔｔｐｓ：／／ｆｏｒｕｍ．ｅｘａｍｐｌｅ／ｕ／ｋｉｍ now", "ｆｏｒｕｍ"},
		{"unknown IP, full-width", "from １９２．０．２．４４ now", "１９２．０．２．４４"},
	}
	for _, tt := range tests {
		if got, _ := s.Scrub(tt.in, nil); strings.Contains(got, tt.secret) || !strings.HasPrefix(got, strings.Fields(tt.in)[0]+" ") {
			t.Errorf("%s: Scrub(%q) = %q; want %q taken out", tt.name, tt.in, got, tt.secret)
		}
	}
	// End to end through AnonymizeCase: a party's own phone in the summary.
	c := &app.Case{Code: "x", Received: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC),
		Parties:        []*app.Party{{ID: "p1", Role: app.RoleReporter, Name: "Robin Quill", Contact: "+49 176 5550123"}},
		ArchiveSummary: "Reporter gave ０１７６ ５５５ ０１２３ and ｒｑ＠ｅｘａｍｐｌｅ．ｏｒｇ."}
	r := AnonymizeCase(c, "0000000000000000", time.UTC, nil)
	if strings.Contains(r.Summary, "５５５") || strings.Contains(r.Summary, "ｅｘａｍｐｌｅ") {
		t.Errorf("AnonymizeCase summary = %q", r.Summary)
	}
}

// TestWidthInvalidUTF8: folding keeps invalid bytes where they were.
func TestWidthInvalidUTF8(t *testing.T) {
	r := newRedactor([]app.Identity{{Contact: "+49 176 5550123"}})
	in := "\xff call ０１７６ ５５５ ０１２３\xfe ok"
	got := r.Replace(in)
	if strings.Contains(got, "５５５") || !strings.HasSuffix(got, "\xfe ok") {
		t.Errorf("Replace(%q) = %q", in, got)
	}
	if got, n := scrubField("ｋｉｍ＠ｅｘａｍｐｌｅ．ｎｅｔ\xff\uF8FF"); n != 1 || got != removedMark+"\xff\uF8FF" {
		t.Errorf("scrubField = %q, %d; want the address taken out and the rest as written", got, n)
	}
	out, _ := replacePhones("a\xff٠١٧٦ ٥٥٥ ٠١٢٣\xffb", func(string) (string, bool) { return "X", true })
	if out != "a\xffX\xffb" {
		t.Errorf("replacePhones = %q", out)
	}
}
