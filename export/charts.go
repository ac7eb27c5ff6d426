package export

// The charts of the transparency report, drawn with gonum.org/v1/plot to
// PNG images that the PDF places. They show only what the report's
// tables show (a Chart is made from the same cells), so the k rule holds
// for them as for the tables.

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// chartDPI is the resolution of the chart images.
const chartDPI = 150

// chartColors tell series apart, also to readers with colour blindness
// (Okabe and Ito's palette, then grey); light grey is for merged groups.
var chartColors = []color.Color{
	color.RGBA{0x00, 0x72, 0xB2, 0xFF}, // blue
	color.RGBA{0xE6, 0x9F, 0x00, 0xFF}, // orange
	color.RGBA{0x00, 0x9E, 0x73, 0xFF}, // bluish green
	color.RGBA{0xCC, 0x79, 0xA7, 0xFF}, // reddish purple
	color.RGBA{0x56, 0xB4, 0xE9, 0xFF}, // sky blue
	color.RGBA{0xD5, 0x5E, 0x00, 0xFF}, // vermilion
	color.RGBA{0xF0, 0xE4, 0x42, 0xFF}, // yellow
	color.RGBA{0x00, 0x00, 0x00, 0xFF}, // black
	color.RGBA{0x88, 0x88, 0x88, 0xFF}, // grey
	color.RGBA{0xBB, 0xBB, 0xBB, 0xFF}, // light grey
}

// chartFont is the typeface of the charts' text.
var chartFont = font.Font{Typeface: "Liberation", Variant: "Sans"}

// renderChart draws c as a PNG of w × h millimetres.
func renderChart(c Chart, w, h float64) ([]byte, error) {
	if len(c.Groups) == 0 || len(c.Series) == 0 {
		return nil, fmt.Errorf("chart %q has no data", c.Title)
	}
	p := plot.New()
	setFont := func(s *plot.Plot, size vg.Length) {
		s.Title.TextStyle.Font = font.From(chartFont, size+2)
		s.X.Label.TextStyle.Font = font.From(chartFont, size)
		s.Y.Label.TextStyle.Font = font.From(chartFont, size)
		s.X.Tick.Label.Font = font.From(chartFont, size-1)
		s.Y.Tick.Label.Font = font.From(chartFont, size-1)
		s.Legend.TextStyle.Font = font.From(chartFont, size-1)
	}
	setFont(p, 10)
	p.Title.Text = c.Title
	p.Y.Label.Text = c.YLabel
	p.Y.Min = 0
	p.Y.Tick.Marker = plainTicks{}
	p.NominalX(c.Groups...)
	if len(c.Groups) > 6 {
		p.X.Tick.Label.Rotation = math.Pi / 2
		p.X.Tick.Label.XAlign = draw.XRight
		p.X.Tick.Label.YAlign = draw.YCenter
	}
	// The bars share the width of a group: stacked, one bar; side by
	// side, one per series.
	plotWidth := vg.Length(w) * vg.Millimeter * 0.8
	group := plotWidth / vg.Length(len(c.Groups))
	bar := group * 0.7
	if !c.Stacked {
		bar /= vg.Length(len(c.Series))
	}
	var below *plotter.BarChart
	for i, s := range c.Series {
		bc, err := plotter.NewBarChart(plotter.Values(s.Values), bar)
		if err != nil {
			return nil, fmt.Errorf("chart %q: %w", c.Title, err)
		}
		bc.Color = chartColors[min(i, len(chartColors)-2)]
		if s.Merged {
			bc.Color = chartColors[len(chartColors)-1]
		}
		bc.LineStyle.Width = 0
		if c.Stacked {
			if below != nil {
				bc.StackOn(below)
			}
			below = bc
		} else {
			bc.Offset = (vg.Length(i) - vg.Length(len(c.Series)-1)/2) * bar
		}
		p.Add(bc)
		if len(c.Series) > 1 {
			p.Legend.Add(s.Name, bc)
		}
	}
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.XOffs = vg.Millimeter * 2
	// Room above the bars for the legend.
	entries := 0
	if len(c.Series) > 1 {
		entries = len(c.Series)
	}
	p.Y.Max = math.Max(1, tallest(c)) * (1 + 0.08*float64(entries+1))

	cv := vgimg.NewWith(vgimg.UseWH(vg.Length(w)*vg.Millimeter, vg.Length(h)*vg.Millimeter),
		vgimg.UseDPI(chartDPI), vgimg.UseBackgroundColor(color.White))
	p.Draw(draw.New(cv))
	var b bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: cv}).WriteTo(&b); err != nil {
		return nil, fmt.Errorf("chart %q: %w", c.Title, err)
	}
	return b.Bytes(), nil
}

// tallest is the height of the tallest bar, stacked or not.
func tallest(c Chart) float64 {
	top := 0.0
	for g := range c.Groups {
		sum := 0.0
		for _, s := range c.Series {
			if c.Stacked {
				sum += s.Values[g]
			} else {
				sum = math.Max(sum, s.Values[g])
			}
		}
		top = math.Max(top, sum)
	}
	return top
}

// plainTicks are gonum's default ticks labelled without trailing zeros:
// "250", not "250.00".
type plainTicks struct{}

func (plainTicks) Ticks(min, max float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = strconv.FormatFloat(ts[i].Value, 'f', -1, 64)
		}
	}
	return ts
}
