package export

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"casebook/app"
)

// pdfText extracts a PDF's text with pdftotext (poppler-utils), with
// pages separated by form feeds. Pure-Go extractors garble non-Latin text.
func pdfText(t testing.TB, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) is not installed; skipping text extraction")
	}
	f := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// flat collapses runs of white space, so that a phrase wrapped across
// lines is still found.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

var streamRE = regexp.MustCompile(`(?s)<<(.*?)>>\s*stream\r?\n`)

// rawStreams returns the content of every stream of a PDF, inflated when
// it is FlateDecode, and the PDF's bytes outside streams (the metadata).
func rawStreams(t testing.TB, pdf []byte) [][]byte {
	t.Helper()
	var out [][]byte
	rest := pdf
	for {
		loc := streamRE.FindSubmatchIndex(rest)
		if loc == nil {
			out = append(out, rest)
			return out
		}
		out = append(out, rest[:loc[0]])
		dict := string(rest[loc[2]:loc[3]])
		body := rest[loc[1]:]
		end := bytes.Index(body, []byte("endstream"))
		if end < 0 {
			t.Fatal("stream without endstream")
		}
		data := body[:end]
		if strings.Contains(dict, "/FlateDecode") {
			zr, err := zlib.NewReader(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("inflating a stream: %v", err)
			}
			data, err = io.ReadAll(zr)
			if err != nil {
				t.Fatalf("inflating a stream: %v", err)
			}
		}
		out = append(out, data)
		rest = body[end+len("endstream"):]
	}
}

// encodings are the byte strings under which s could appear raw in a
// PDF made by fpdf. With an embedded UTF-8 font fpdf writes each run of
// text as UTF-16BE code units in a string literal, escaping \, ( and )
// (its fonts are Identity-H with a CIDToGIDMap, so CIDs are the code
// points, not glyph IDs). Searching only for UTF-8 would therefore find
// nothing whatever the PDF says; we search for the UTF-16BE form too, and
// a positive control (TestRawSearchFindsVisibleText) shows the search
// finds text that is there.
func encodings(s string) [][]byte {
	var u bytes.Buffer
	for _, c := range utf16.Encode([]rune(s)) {
		u.WriteByte(byte(c >> 8))
		u.WriteByte(byte(c))
	}
	esc := strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`, "\r", `\r`).Replace(u.String())
	return [][]byte{[]byte(s), []byte(esc)}
}

// rawContains reports whether any stream or the rest of the PDF holds s
// in any encoding. Each long word of s (8 runes or more) is searched on
// its own as well as the whole, since a line break may split a phrase;
// short words would match by chance in the font data.
func rawContains(t testing.TB, pdf []byte, s string) bool {
	parts := rawStreams(t, pdf)
	needles := []string{s}
	if words := strings.Fields(s); len(words) > 1 {
		for _, w := range words {
			if len([]rune(w)) >= 8 {
				needles = append(needles, w)
			}
		}
	}
	for _, n := range needles {
		for _, e := range encodings(n) {
			for _, p := range parts {
				if bytes.Contains(p, e) {
					return true
				}
			}
		}
	}
	return false
}

func renderUpdate(t testing.TB, party string, opts PDFOptions) []byte {
	t.Helper()
	c, msgs := fixture()
	u, err := BuildPartyUpdate(c, msgs, party, testConfig(), UpdateOptions{}, asOf)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteUpdate(&b, u, opts); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestRawSearchFindsVisibleText(t *testing.T) {
	for _, opts := range []PDFOptions{{}, {NoCompression: true}} {
		pdf := renderUpdate(t, "p2", opts)
		for _, s := range []string{"Соколов", sharedWitnessToP2, "AMBER-FOX"} {
			if !rawContains(t, pdf, s) {
				t.Errorf("compression %v: the raw search misses visible %q; the leak checks would be vacuous", !opts.NoCompression, s)
			}
		}
	}
}

func TestUpdatePDFShowsOnlyWhatThePartyMaySee(t *testing.T) {
	tests := []struct {
		party        string
		want, absent []string
	}{
		{"p1", []string{"Dear Nightjar", sharedP2ToP1, sharedEvidenceToP1}, []string{sharedWitnessToP2, sharedNoteToP3}},
		{"p2", []string{"Dear Дмитрий Соколов", "A report was made", sharedWitnessToP2, "We spoke with [withheld] and with [withheld]"},
			[]string{canaryAnonPseudonym, "reporter", "anonymous", sharedNoteToP3, sharedEvidenceToP1, sharedDecisionToP4}},
		{"p3", []string{"Dear Μαρία Γεωργίου", sharedNoteToP3}, []string{sharedWitnessToP2, sharedP2ToP1}},
		{"p4", []string{"Dear 王小明", sharedDecisionToP4}, []string{sharedWitnessToP2, sharedP2ToP1}},
	}
	for _, tt := range tests {
		t.Run(tt.party, func(t *testing.T) {
			for _, opts := range []PDFOptions{{}, {NoCompression: true}} {
				pdf := renderUpdate(t, tt.party, opts)
				text := flat(pdfText(t, pdf))
				for _, w := range append(tt.want, "Status update", "AMBER-FOX", "Page 1 of 1") {
					if !strings.Contains(text, w) {
						t.Errorf("%q missing from the text:\n%s", w, text)
					}
				}
				for _, a := range append(tt.absent, allCanaries...) {
					if strings.Contains(strings.ToLower(text), strings.ToLower(a)) {
						t.Errorf("withheld %q is in the text", a)
					}
					if rawContains(t, pdf, a) {
						t.Errorf("withheld %q is in the raw PDF (compression %v)", a, !opts.NoCompression)
					}
				}
			}
		})
	}
}

func TestPDFMetadataIsNeutralAndStable(t *testing.T) {
	a := renderUpdate(t, "p3", PDFOptions{})
	b := renderUpdate(t, "p3", PDFOptions{})
	if !bytes.Equal(a, b) {
		t.Error("two runs gave different bytes")
	}
	for _, s := range []string{"/Author", "/Creator "} {
		if bytes.Contains(a, []byte(s)) {
			t.Errorf("metadata holds %s", s)
		}
	}
	if !rawContains(t, a, "AMBER-FOX — Status update") || !rawContains(t, a, Producer) {
		t.Error("title or producer missing")
	}
	if !bytes.Contains(a, []byte("D:20260316000000")) {
		t.Error("creation date is not the update's day")
	}
}

func TestScriptsRenderAndUnknownScriptsShowPlaceholder(t *testing.T) {
	u := &PartyUpdate{Code: "AMBER-FOX", AsOf: asOf, Greeting: "Dear Zoë Brandt-Łukasiewicz Ñúñez,",
		Intro: "Дмитрий Соколов, Μαρία Γεωργίου, 王小明, 山田太郎です, 김민준",
		Stage: "Runes ᚠᚢᚦ and Hangul 한국어 and Tibetan ཀཁ end", Next: "alpha\u0000beta\tgamma", Reach: "r"}
	var b bytes.Buffer
	if err := WriteUpdate(&b, u, PDFOptions{}); err != nil {
		t.Fatal(err)
	}
	text := flat(pdfText(t, b.Bytes()))
	for _, w := range []string{"Zoë Brandt-Łukasiewicz Ñúñez", "Дмитрий Соколов", "Μαρία Γεωργίου", "王小明", "山田太郎です", "김민준",
		"Runes " + Placeholder + " and Hangul 한국어 and Tibetan " + Placeholder + " end", "alpha beta gamma"} {
		if !strings.Contains(text, w) {
			t.Errorf("%q missing from:\n%s", w, text)
		}
	}
}

func TestCaseSummaryPDF(t *testing.T) {
	c, msgs := fixture()
	for i := range 60 { // enough to run over several pages
		c.Notes = append(c.Notes, &app.Note{ID: fmt.Sprintf("z%d", i), At: asOf, Author: "m2", Text: fmt.Sprintf("Follow-up note number %d", i)})
	}
	s := BuildCaseSummary(c, msgs, testRoster(), testConfig(), asOf)
	var b bytes.Buffer
	if err := WriteCaseSummary(&b, s, PDFOptions{}); err != nil {
		t.Fatal(err)
	}
	pages := strings.Split(strings.TrimRight(pdfText(t, b.Bytes()), "\f"), "\f")
	if len(pages) < 2 {
		t.Fatalf("got %d pages, want several", len(pages))
	}
	for i, p := range pages {
		if !strings.Contains(p, "CONFIDENTIAL") || !strings.Contains(p, fmt.Sprintf("Page %d of %d", i+1, len(pages))) {
			t.Errorf("page %d lacks the mark or its number:\n%s", i+1, p)
		}
	}
	text := flat(strings.Join(pages, " "))
	for _, w := range []string{"Case summary — AMBER-FOX", "Generated 16 March 2026", canaryAnonName, canaryNote, canaryEvidence,
		canaryDecision, "Ada Committee for", "Timeline", "Evidence", "Decisions", "Votes", "王小明"} {
		if !strings.Contains(text, w) {
			t.Errorf("%q missing from the summary", w)
		}
	}
}

func TestAgendaPDF(t *testing.T) {
	due := []app.DueItem{
		{Kind: app.DueTriage, Code: "AMBER-FOX", Due: asOf, Text: "Triage the new report at the weekly meeting and assign a responder"},
		{Kind: app.DueDecision, Code: "BLUE-OWL", Due: asOf, Overdue: true, Text: "Close the vote at the meeting"},
	}
	flags := []app.BrigadeFlag{{Cases: []string{"AMBER-FOX", "GREY-ELK"}, Reasons: []string{"3 reports about the same person within 2 days"}, Person: "Дмитрий Соколов"}}
	var b bytes.Buffer
	if err := WriteAgenda(&b, BuildAgenda(due, flags, nil, testConfig(), asOf), PDFOptions{}); err != nil {
		t.Fatal(err)
	}
	text := flat(pdfText(t, b.Bytes()))
	for _, w := range []string{"CONFIDENTIAL", "Meeting agenda — 18 March 2026", "New reports to triage", "Cases waiting for a decision",
		"BLUE-OWL due 2026-03-16 09:00 (overdue)", "Brigading flags", "AMBER-FOX, GREY-ELK", "Due list", "With a member absent No case is left out"} {
		if !strings.Contains(text, w) {
			t.Errorf("%q missing from:\n%s", w, text)
		}
	}
	if strings.Contains(text, "Соколов") {
		t.Error("the agenda names the reported person")
	}
}

func TestRecoverySheetPDF(t *testing.T) {
	var b bytes.Buffer
	code := "ABCD-EFGH-JKLM-NPQR-STUV-WXYZ"
	if err := WriteRecoverySheet(&b, &RecoverySheet{Code: code, Made: asOf}, PDFOptions{}); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, b.Bytes())
	if !strings.Contains(text, code) || strings.Count(text, "\f") != 1 {
		t.Errorf("got %q, want the code on one page", text)
	}
}

// TestUpdateRendersWithPdftoppm renders one update to an image and checks
// it is not blank.
func TestUpdateRendersWithPdftoppm(t *testing.T) {
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		t.Skip("pdftoppm (poppler-utils) is not installed; skipping the rendering check")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "u.pdf")
	if err := os.WriteFile(in, renderUpdate(t, "p4", PDFOptions{}), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftoppm", "-png", "-r", "40", "-singlefile", in, filepath.Join(dir, "u")).CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	f, err := os.Open(filepath.Join(dir, "u.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	dark := 0
	r := img.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if g, _, _, _ := img.At(x, y).RGBA(); g < 0x8000 {
				dark++
			}
		}
	}
	if dark < 500 {
		t.Errorf("got %d dark pixels, want a page with text", dark)
	}
}

// Text the document was not told of at the start still never shows in a
// font without its glyphs.
func TestUnforeseenCJKTextBecomesPlaceholder(t *testing.T) {
	d, err := newDoc("t", asOf, PDFOptions{}, []string{"Latin only"})
	if err != nil {
		t.Fatal(err)
	}
	d.pdf.AddPage()
	d.para(11, false, "before 王 after")
	var b bytes.Buffer
	if err := d.output(&b); err != nil {
		t.Fatal(err)
	}
	if got := flat(pdfText(t, b.Bytes())); !strings.Contains(got, "before "+Placeholder+" after") {
		t.Errorf("got %q", got)
	}
}

// TestUpdateWithholdsTheReporterHoweverWritten shares with the reported
// person texts that name the (anonymous) reporter each a way a member
// might write it, and reads the PDF back: each text is withheld whole, the
// words before it kept, and counted for the member.
func TestUpdateWithholdsTheReporterHoweverWritten(t *testing.T) {
	c, msgs := fixture()
	spellings := []string{"Zoe\nBrandt was there.", "ZOË said so.", "Bran\u00addt wrote.", "Zo\u200bë called.", "Brandt's friend came."}
	for i, text := range spellings {
		msgs = append(msgs, &app.Message{ID: fmt.Sprintf("x%d", 90+i), At: t0.Add(9*day + time.Duration(i)*time.Hour), PartyID: "p3",
			Direction: app.In, Text: text, Visibility: vis("p2")})
	}
	u, err := BuildPartyUpdate(c, msgs, "p2", testConfig(), UpdateOptions{}, asOf)
	if err != nil {
		t.Fatal(err)
	}
	if u.Withheld != len(spellings) {
		t.Errorf("Withheld: got %d, want %d", u.Withheld, len(spellings))
	}
	var b bytes.Buffer
	if err := WriteUpdate(&b, u, PDFOptions{}); err != nil {
		t.Fatal(err)
	}
	text := flat(pdfText(t, b.Bytes()))
	if n := strings.Count(text, "Shared with you: "+Withheld); n != len(spellings) {
		t.Errorf("the update holds %q %d times, want %d:\n%s", "Shared with you: "+Withheld, n, len(spellings), text)
	}
	for _, w := range []string{"zoe", "zoë", "brandt", "there", "said so", "called", "friend"} {
		if strings.Contains(strings.ToLower(text), w) {
			t.Errorf("%q is in the reported person's update:\n%s", w, text)
		}
	}
}
