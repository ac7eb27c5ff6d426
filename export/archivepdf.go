package export

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/go-pdf/fpdf"
)

// The transparency report as a PDF: the report model's tables and charts
// laid out, deciding nothing.

// Chart size on the page, in millimetres.
const chartW, chartH = 170.0, 85.0

// WriteTransparencyReport lays out the transparency report as a PDF.
func WriteTransparencyReport(w io.Writer, r *TransparencyReport, opts PDFOptions) error {
	d, err := newDoc("Transparency report", r.Generated, opts, nil)
	if err != nil {
		return err
	}
	d.pageNumbers("")
	d.pdf.AddPage()
	d.para(16, true, "Code of Conduct committee: transparency report")
	period := "all reports in the case book"
	switch {
	case !r.From.IsZero() && !r.Until.IsZero():
		period = "reports received from " + dateWords(r.From) + " until before " + dateWords(r.Until)
	case !r.From.IsZero():
		period = "reports received from " + dateWords(r.From)
	case !r.Until.IsZero():
		period = "reports received before " + dateWords(r.Until)
	}
	d.para(10, false, "Made "+dateWords(r.Generated)+", of "+period+".")
	if r.Enough {
		d.para(11, false, fmt.Sprintf("The committee received %d reports in this period (%s).", r.Reports, r.Span))
	} else {
		d.para(11, false, fmt.Sprintf("The committee received fewer than %d reports in this period: too few to publish any figure about them without risk of picking someone out.", r.K))
	}
	d.heading("How to read this report")
	for _, n := range r.Notes {
		d.para(10, false, n)
	}
	if r.Enough {
		d.heading("Reports, people named and outcomes")
		d.para(10, false, "People named counts the different people reports were about. Action taken means a correction or warning, an apology, limited activities, a suspension, a removal from a role, a ban, or escalation to another body; no action covers every other outcome, such as no violation found or an agreement between the people involved.")
		d.table(r.Overview, []float64{30, 22, 26, 32, 28, 32})
		d.chart(r.OutcomeChart)
		d.heading("Outcomes")
		d.table(r.Outcomes, []float64{35, 105, 30})

		d.heading("Reports by category")
		d.chart(r.CategoryChart)
		d.table(r.Categories, []float64{35, 105, 30})

		d.heading("Anonymous reports")
		d.chart(r.AnonymousChart)
		d.table(r.Anonymous, []float64{30, 30, 30, 30, 50})

		d.heading("Time to acknowledge and to resolve")
		d.para(10, false, "Days from a report's arrival to the committee's acknowledgement to the reporter, and to its final decision; medians of the reports received in each period.")
		d.chart(r.TimesChart)
		d.table(r.Times, []float64{40, 65, 65})
	}
	d.heading("Expunged cases")
	d.para(10, false, "The committee deletes a closed case some months after closing it; the archive keeps only how many there were.")
	if r.ExpungedNote != "" {
		d.para(10, false, r.ExpungedNote)
	} else {
		d.table(r.Expunged, []float64{40, 40})
	}
	return d.output(w)
}

// room starts a new page unless h millimetres fit on this one.
func (d *doc) room(h float64) {
	_, ph := d.pdf.GetPageSize()
	_, _, _, bottom := d.pdf.GetMargins()
	if d.pdf.GetY()+h > ph-bottom {
		d.pdf.AddPage()
	}
}

// table lays out t with the given column widths; a cell spanning columns
// takes their widths. The heading repeats on each new page.
func (d *doc) table(t StatTable, widths []float64) {
	const rowH = 6.0
	header := func() {
		d.pdf.SetFont(famSans, "B", 9)
		d.pdf.SetFillColor(230, 230, 230)
		for i, c := range t.Columns {
			d.pdf.CellFormat(widths[i], rowH, c, "1", 0, "C", true, 0, "")
		}
		d.pdf.Ln(rowH)
	}
	d.room(2 * rowH)
	header()
	for _, row := range t.Rows {
		_, ph := d.pdf.GetPageSize()
		_, _, _, bottom := d.pdf.GetMargins()
		if d.pdf.GetY()+rowH > ph-bottom {
			d.pdf.AddPage()
			header()
		}
		d.pdf.SetFont(famSans, "", 9)
		d.pdf.CellFormat(widths[0], rowH, row.Label, "1", 0, "L", false, 0, "")
		col := 1
		for _, c := range row.Cells {
			w := 0.0
			for i := 0; i < max(c.Span, 1) && col+i < len(widths); i++ {
				w += widths[col+i]
			}
			col += max(c.Span, 1)
			align := "R"
			if !c.Count && c.N == 0 && !c.Suppressed && c.Basis == 0 {
				align = "L" // a label, such as an outcome's name
			}
			if c.Span > 1 || c.Suppressed {
				align = "C"
			}
			d.pdf.CellFormat(w, rowH, c.Text, "1", 0, align, false, 0, "")
		}
		d.pdf.Ln(rowH)
	}
	d.pdf.Ln(3)
}

// chart draws c as an image across the text width.
//
// fpdf writes a document's images in the order of their widths in
// pixels, and images of the same width in random order (it collects them
// from a map). So that the same report gives the same bytes, each chart
// of a document is drawn half a millimetre (three pixels) wider than the
// one before, and then placed at the same width on the page.
func (d *doc) chart(c Chart) {
	png, err := renderChart(c, chartW+0.5*float64(d.images), chartH)
	d.images++
	if err != nil {
		d.pdf.SetError(err)
		return
	}
	d.room(chartH + 2)
	name := "chart-" + strings.ToLower(strings.ReplaceAll(c.Title, " ", "-"))
	d.pdf.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(png))
	x, y := d.pdf.GetX(), d.pdf.GetY()
	d.pdf.ImageOptions(name, x, y, chartW, chartH, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	d.pdf.SetY(y + chartH + 2)
}
