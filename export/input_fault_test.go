package export

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"casebook/internal/faultlog"
)

// Hostile input on the way out: the fault tests of area "input" for
// exports.

func TestPieces(t *testing.T) {
	for _, tt := range []struct {
		in   string
		n    int
		want []string
	}{
		{"", 4, nil},
		{"abc", 4, []string{"abc"}},
		{"abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"ab cd ef gh", 4, []string{"ab ", "cd ", "ef ", "gh"}},
		{"ab\ncdefg", 4, []string{"ab\n", "cdef", "g"}},
		{"zoë zoë zoë", 4, []string{"zoë ", "zoë ", "zoë"}},
		{" abcdef", 4, []string{" abc", "def"}},
	} {
		if got := pieces(tt.in, tt.n); strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
			t.Errorf("pieces(%q, %d): got %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

// layOut writes an update and a case summary whose texts hold text, and
// fails when either takes longer than limit.
func layOut(t *testing.T, text string, limit time.Duration) (update, summary []byte) {
	t.Helper()
	var u, s bytes.Buffer
	done := make(chan error, 1)
	start := time.Now()
	go func() {
		err := WriteUpdate(&u, &PartyUpdate{Code: "AMBER-FOX", AsOf: asOf, Greeting: "Dear Robin Reporter,", Intro: "i", Stage: "s",
			Next: "n", Reach: "r", Happened: []Entry{{At: asOf, Text: text}}}, PDFOptions{})
		if err == nil {
			err = WriteCaseSummary(&s, &CaseSummary{Code: "AMBER-FOX", Generated: asOf, Stage: "s", Summary: "s",
				Facts: []Fact{{Label: "Description", Value: text}}}, PDFOptions{})
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("laying out: %v", err)
		}
	case <-time.After(limit):
		t.Fatalf("laying out %d bytes took more than %v", len(text), limit)
	}
	t.Logf("%d bytes laid out in %v: PDFs of %d and %d bytes", len(text), time.Since(start).Round(time.Millisecond), u.Len(), s.Len())
	return u.Bytes(), s.Bytes()
}

func TestFaultPDFLongText(t *testing.T) {
	// fpdf's Write took time growing with the square of a text's length:
	// 100,000 characters took 30 seconds, a megabyte would take hours.
	size := faultlog.Runs(200_000, 1<<20)
	tl := faultlog.Track(t, "input", "PDF export of a 1 MB word without spaces, and of 1 MB of words (go test: 200 KB)",
		"the update and the case summary laid out in seconds, every character on a page")
	word := strings.Repeat("x", size)
	words := strings.Repeat("Synthetic words of a long report. ", size/34)
	for _, text := range []string{word, words} {
		tl.Run()
		update, summary := layOut(t, text, 60*time.Second)
		for _, pdf := range [][]byte{update, summary} {
			got := strings.Join(strings.Fields(pdfText(t, pdf)), "")
			if n := strings.Count(got, "x") + strings.Count(got, "Syntheticwords"); n < strings.Count(text, "x")+strings.Count(text, "Synthetic words") {
				t.Errorf("the PDF has %d of the text's pieces, want all", n)
			}
		}
	}
}

func TestFaultPDFHostileNames(t *testing.T) {
	tl := faultlog.Track(t, "input", "NUL bytes, RTL overrides, isolates, invalid UTF-8 and scripts without a font in names in PDFs",
		"the PDF is made; NUL shows as a space; direction controls are dropped, so no name shows as another; nothing breaks the PDF")
	for _, tt := range []struct {
		name, want string
	}{
		{"Robin\x00Reporter", "Robin Reporter"},
		{"Robin\u202eretroper", "Robinretroper"},
		{"\u2066Robin\u2069 Reporter\u202c", "Robin Reporter"},
		{"Robin\xffReporter", "Robin"},
		{"Robin ᚠᚢᚦ Reporter", "Robin " + Placeholder + " Reporter"},
		{"Robin ) Tj (injected", "Robin ) Tj (injected"},
	} {
		tl.Run()
		var b bytes.Buffer
		u := &PartyUpdate{Code: "AMBER-FOX", AsOf: asOf, Greeting: "Dear " + tt.name + ",", Intro: "i", Stage: "s", Next: "n", Reach: "r"}
		if err := WriteUpdate(&b, u, PDFOptions{}); err != nil {
			t.Fatalf("%q: %v", tt.name, err)
		}
		text := pdfText(t, b.Bytes())
		if !strings.Contains(text, tt.want) {
			t.Errorf("%q: the PDF does not show %q:\n%s", tt.name, tt.want, text)
		}
		if strings.ContainsAny(text, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\x00") {
			t.Errorf("%q: a control character reached the PDF's text", tt.name)
		}
	}
}

func TestFaultExportFileNames(t *testing.T) {
	tl := faultlog.Track(t, "input", "export file names with odd characters: spaces, quotes, shell syntax, RTL, newlines, 255 and 256 bytes, NUL",
		"a name the file system takes is written whole; one it refuses gives its error, and no partial file is left")
	dir := t.TempDir()
	write := func(w io.Writer) error { _, err := w.Write([]byte("%PDF-1.4 synthetic")); return err }
	for _, tt := range []struct {
		name string
		ok   bool
	}{
		{"update AMBER-FOX.pdf", true},
		{`it's "quoted" $(rm -rf ~) ; & | *.pdf`, true},
		{"-rf.pdf", true},
		{"Zoë 王小明.pdf", true},
		{"report\u202efdp.exe", true},
		{"two\nlines.pdf", true},
		{strings.Repeat("a", 251) + ".pdf", true},
		{strings.Repeat("ë", 125) + ".pdf", true},
		{strings.Repeat("a", 252) + ".pdf", false},
		{"nul\x00.pdf", false},
	} {
		tl.Run()
		path := filepath.Join(dir, tt.name)
		err := WriteFile(path, 0o600, write)
		if tt.ok {
			if err != nil {
				t.Errorf("%q: %v", tt.name, err)
			} else if b, err := os.ReadFile(path); err != nil || string(b) != "%PDF-1.4 synthetic" {
				t.Errorf("%q: the file reads back as %q (%v)", tt.name, b, err)
			}
		} else {
			if err == nil {
				t.Errorf("%q: written, want an error", tt.name)
			} else if !errors.Is(err, syscall.ENAMETOOLONG) && !errors.Is(err, syscall.EINVAL) {
				t.Errorf("%q: got %v, want the file system's refusal", tt.name, err)
			}
		}
	}
	left, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range left {
		if strings.Contains(e.Name(), ".partial-") {
			t.Errorf("a partial file was left: %q", e.Name())
		}
	}
}
