package export

// The PDF library is github.com/go-pdf/fpdf, the maintained continuation
// of the archived jung-kurt/gofpdf: pure Go (no cgo, so the desktop app
// still cross-compiles), embeds and subsets TrueType fonts with a
// ToUnicode map (so the text can be extracted and searched), and lets us
// fix every date and the catalog order for byte-stable output. It is used
// only in this file; the rest of Casebook sees WriteUpdate and siblings.

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/sfnt"

	"casebook/assets"
)

// Placeholder stands for a run of text in a script no embedded font has.
const Placeholder = "[?]"

// Producer is the neutral producer named in every PDF's metadata.
const Producer = "Casebook"

// PDFOptions tune the output; the zero value is what users get.
type PDFOptions struct {
	// NoCompression writes content streams uncompressed, for tests.
	NoCompression bool
}

// doc is a document being laid out.
type doc struct {
	pdf    *fpdf.Fpdf
	cov    *coverage
	buf    sfnt.Buffer
	has    map[string]bool // fallback slices registered
	size   float64
	bold   bool
	width  float64 // text width
	lineH  float64
	images int // charts placed so far
}

// newDoc starts an A4 document with the fonts, neutral metadata, and
// dates fixed to date (in UTC, to the day, so nothing of the machine's
// clock or zone shows).
func newDoc(title string, date time.Time, opts PDFOptions, texts []string) (*doc, error) {
	cov, err := loadCoverage()
	if err != nil {
		return nil, fmt.Errorf("reading the embedded fonts: %w", err)
	}
	p := fpdf.New("P", "mm", "A4", "")
	d := &doc{pdf: p, cov: cov, has: map[string]bool{}}
	p.SetCompression(!opts.NoCompression)
	p.SetCatalogSort(true)
	p.SetProducer(Producer, true)
	p.SetTitle(title, true)
	day := date.UTC().Truncate(24 * time.Hour)
	p.SetCreationDate(day)
	p.SetModificationDate(day)
	p.AddUTF8FontFromBytes(famSans, "", assets.SansRegular)
	p.AddUTF8FontFromBytes(famSans, "B", assets.SansBold)
	for _, fam := range familiesFor(cov, append(texts, title)...) {
		if data, ok := cov.slice(fam); ok {
			p.AddUTF8FontFromBytes(fam, "", data)
			d.has[fam] = true
		}
	}
	p.SetMargins(20, 20, 20)
	p.SetAutoPageBreak(true, 20)
	w, _ := p.GetPageSize()
	d.width = w - 40
	p.AliasNbPages("{nb}")
	return d, p.Error()
}

// font sets the size and weight for the following text.
func (d *doc) font(size float64, bold bool) {
	d.size, d.bold = size, bold
	d.lineH = size * 0.5
}

// write flows s at the current position, switching fonts by run.
func (d *doc) write(s string) {
	for _, r := range d.cov.runs(&d.buf, s) {
		fam, style, text := r.family, "", r.text
		if fam != famSans && !d.has[fam] {
			// A text newDoc was not shown: never draw it in a font
			// without its glyphs, which would show empty boxes.
			fam, text = famSans, Placeholder
		}
		if fam == famSans && d.bold {
			style = "B"
		}
		d.pdf.SetFont(fam, style, d.size)
		for _, piece := range pieces(text, maxWriteRunes) {
			d.pdf.Write(d.lineH, piece)
		}
	}
}

// maxWriteRunes bounds the text given to fpdf's Write at once. Write turns
// the whole of its text into runes again for each character, so its time
// grows with the square of the text's length: a description of 100,000
// characters took half a minute to lay out, and a megabyte would take
// hours.
const maxWriteRunes = 256

// pieces cuts s into pieces of at most n runes that Write lays out as it
// would s: each piece but the last ends just after a space or a line
// break where the piece has one, so that no word is cut where it would
// not be anyway.
func pieces(s string, n int) []string {
	var out []string
	for s != "" {
		end, count := 0, 0
		for end < len(s) && count < n {
			_, size := utf8.DecodeRuneInString(s[end:])
			end += size
			count++
		}
		if end < len(s) {
			if i := strings.LastIndexAny(s[:end], " \n"); i > 0 {
				end = i + 1
			}
		}
		out = append(out, s[:end])
		s = s[end:]
	}
	return out
}

// para writes s as a paragraph of its own.
func (d *doc) para(size float64, bold bool, s string) {
	d.font(size, bold)
	d.write(s)
	d.pdf.Ln(d.lineH + 1.5)
}

func (d *doc) heading(s string) {
	d.pdf.Ln(2)
	d.para(12, true, s)
}

// entry writes a dated line.
func (d *doc) entry(date, text string) {
	d.font(10, true)
	d.write(date + "  ")
	d.font(10, false)
	d.write(text)
	d.pdf.Ln(d.lineH + 1.5)
}

func (d *doc) output(w io.Writer) error {
	if err := d.pdf.Error(); err != nil {
		return fmt.Errorf("laying out the PDF: %w", err)
	}
	return d.pdf.Output(w)
}

func dateWords(t time.Time) string { return t.Format("2 January 2006") }

func dateTime(t time.Time) string { return t.Format("2006-01-02 15:04") }

// pageNumbers puts "Page n of N" at the foot of every page, and mark at
// the head of every page when it is not empty.
func (d *doc) pageNumbers(mark string) {
	if mark != "" {
		d.pdf.SetHeaderFunc(func() {
			d.pdf.SetY(8)
			d.pdf.SetFont(famSans, "B", 9)
			d.pdf.CellFormat(0, 5, mark, "", 0, "C", false, 0, "")
			d.pdf.SetY(20)
		})
	}
	d.pdf.SetFooterFunc(func() {
		d.pdf.SetY(-14)
		d.pdf.SetFont(famSans, "", 9)
		d.pdf.CellFormat(0, 5, fmt.Sprintf("Page %d of {nb}", d.pdf.PageNo()), "", 0, "C", false, 0, "")
	})
}

func updateTexts(u *PartyUpdate) []string {
	t := []string{u.Code, u.Greeting, u.Intro, u.Stage, u.Next, u.Reach}
	for _, e := range u.Happened {
		t = append(t, e.Text)
	}
	return t
}

// WriteUpdate lays out a party's status update as a PDF.
func WriteUpdate(w io.Writer, u *PartyUpdate, opts PDFOptions) error {
	d, err := newDoc(u.Code+" — Status update", u.AsOf, opts, updateTexts(u))
	if err != nil {
		return err
	}
	d.pageNumbers("")
	d.pdf.AddPage()
	d.para(16, true, "Status update — "+u.Code)
	d.para(10, false, dateWords(u.AsOf))
	d.pdf.Ln(3)
	d.para(11, false, u.Greeting)
	d.para(11, false, u.Intro)
	d.heading("Where the matter stands")
	d.para(11, false, u.Stage)
	d.heading("Since the last update")
	if len(u.Happened) == 0 {
		d.para(11, false, "Nothing that concerns you has changed since the last update; the committee is still working on the matter.")
	}
	for _, e := range u.Happened {
		d.entry(dateWords(e.At), e.Text)
	}
	d.heading("What happens next")
	d.para(11, false, u.Next)
	d.para(11, false, "You will hear from the committee again by "+dateWords(u.NextUpdate)+".")
	d.heading("How to reach the committee")
	d.para(11, false, u.Reach)
	return d.output(w)
}

func summaryTexts(s *CaseSummary) []string {
	t := []string{s.Code, s.Summary, s.Stage}
	for _, f := range append(s.Facts, s.Parties...) {
		t = append(t, f.Label, f.Value)
	}
	for _, l := range [][]Entry{s.Timeline, s.Evidence, s.Decisions, s.Votes} {
		for _, e := range l {
			t = append(t, e.Text)
		}
	}
	return t
}

// Confidential is the mark at the head of every page of a committee
// document.
const Confidential = "CONFIDENTIAL — for the Code of Conduct committee only"

// WriteCaseSummary lays out the committee's case summary as a PDF.
func WriteCaseSummary(w io.Writer, s *CaseSummary, opts PDFOptions) error {
	d, err := newDoc(s.Code+" — Case summary", s.Generated, opts, summaryTexts(s))
	if err != nil {
		return err
	}
	d.pageNumbers(Confidential)
	d.pdf.AddPage()
	d.para(16, true, "Case summary — "+s.Code)
	d.para(10, false, "Generated "+dateWords(s.Generated)+". Received "+dateTime(s.Received)+" by "+s.Channel+". Stage: "+s.Stage+".")
	d.para(11, true, s.Summary)
	for _, f := range s.Facts {
		d.entry(f.Label+":", f.Value)
	}
	d.heading("Parties")
	for _, f := range s.Parties {
		d.entry(f.Label, f.Value)
	}
	sections := []struct {
		title string
		list  []Entry
	}{{"Timeline", s.Timeline}, {"Evidence", s.Evidence}, {"Decisions", s.Decisions}, {"Votes", s.Votes}}
	for _, sec := range sections {
		d.heading(sec.title)
		if len(sec.list) == 0 {
			d.para(10, false, "None.")
		}
		for _, e := range sec.list {
			d.entry(dateTime(e.At), e.Text)
		}
	}
	return d.output(w)
}

// WriteAgenda lays out the weekly meeting's agenda as a PDF.
func WriteAgenda(w io.Writer, a *Agenda, opts PDFOptions) error {
	var texts []string
	for _, l := range [][]AgendaItem{a.Triage, a.Decisions, a.Due, a.Brigading} {
		for _, it := range l {
			texts = append(texts, it.Code, it.Text)
		}
	}
	d, err := newDoc("Meeting agenda — "+a.Meeting.Format("2006-01-02"), a.AsOf, opts, texts)
	if err != nil {
		return err
	}
	d.pageNumbers(Confidential)
	d.pdf.AddPage()
	d.para(16, true, "Meeting agenda — "+dateWords(a.Meeting))
	d.para(10, false, "Meeting at "+dateTime(a.Meeting)+". Prepared "+dateWords(a.AsOf)+".")
	sections := []struct {
		title, none string
		list        []AgendaItem
	}{
		{"New reports to triage", "No new reports.", a.Triage},
		{"Cases waiting for a decision", "No case is waiting for a decision.", a.Decisions},
		{"Brigading flags", "No flags.", a.Brigading},
		{"Due list", "Nothing is due.", a.Due},
	}
	for _, sec := range sections {
		d.heading(sec.title)
		if len(sec.list) == 0 {
			d.para(10, false, sec.none)
		}
		for _, it := range sec.list {
			when := ""
			if !it.Due.IsZero() {
				when = " due " + dateTime(it.Due)
				if it.Overdue {
					when += " (overdue)"
				}
			}
			d.entry(it.Code+when, it.Text)
		}
	}
	d.heading("With a member absent")
	switch a.Apart {
	case 0:
		d.para(10, false, "No case is left out for a member's conflict of interest, but those the member who prepared this agenda is shut out of, which are never on it.")
	case 1:
		d.para(10, false, "1 case is left out of this agenda: a member of the committee is shut out of it. "+
			"Take it up after that member has left; Casebook shows it.")
	default:
		d.para(10, false, fmt.Sprintf("%d cases are left out of this agenda: a member of the committee is shut out of each. "+
			"Take them up after that member has left; Casebook shows them.", a.Apart))
	}
	return d.output(w)
}

// WriteRecoverySheet lays out the vault's recovery code on one page.
func WriteRecoverySheet(w io.Writer, r *RecoverySheet, opts PDFOptions) error {
	d, err := newDoc("Casebook — Recovery sheet", r.Made, opts, nil)
	if err != nil {
		return err
	}
	d.pdf.AddPage()
	d.para(18, true, "Casebook vault recovery code")
	d.para(11, false, "Made "+dateWords(r.Made)+". This code opens the vault if the passphrase is lost. Keep this sheet locked away; anyone who has it and a copy of the vault can read every case.")
	d.pdf.Ln(8)
	d.pdf.SetFont(famSans, "B", 16)
	d.pdf.MultiCell(0, 10, r.Code, "1", "C", false)
	d.pdf.Ln(8)
	d.para(10, false, "To use it: run 'casebook recover' or choose \"I lost my passphrase\" in the app, and type the code when asked.")
	return d.output(w)
}
