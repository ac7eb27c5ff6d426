package export

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"casebook/app"
)

// The transparency report: statistics of the archive's records for the
// committee to publish. Its one rule is k: every number in it counts at
// least k cases, or is computed from at least k cases. A smaller group is
// merged into a wider one — a quarter into its neighbour or its year, a
// year into the next, a category into "Other and merged categories", an
// outcome group into the next column — or, where it cannot be merged, left
// out and marked "–". Zero is a count under k too: that nobody in a group
// of five was sanctioned says something about each of them.
//
// Each dimension is shown at one granularity only, and finer tables
// refine coarser ones within the same periods (the outcomes within an
// outcome group, the quarters within a year), so that no merged cell can
// be worked out by subtracting one table from another.

// TransparencyReport is the published summary of an archive.
type TransparencyReport struct {
	Generated time.Time
	// From and Until are the period asked for (zero: not bounded); Span
	// says which years the reports in it were received in.
	From, Until time.Time
	Span        string
	K           int
	// Reports is the number of reports; when it is under K, Enough is
	// false and the report shows no statistics.
	Reports int
	Enough  bool

	// Overview is the table in the style committees publish: per year,
	// reports, people named, and the outcome groups.
	Overview       StatTable
	OutcomeChart   Chart
	Outcomes       StatTable
	CategoryChart  Chart
	Categories     StatTable
	AnonymousChart Chart
	Anonymous      StatTable
	TimesChart     Chart
	Times          StatTable
	// Expunged counts the expunged cases per year; ExpungedNote says
	// why there is no table when there is none.
	Expunged     StatTable
	ExpungedNote string
	// Notes say what was merged or left out, and why.
	Notes []string
}

// StatTable is a table of the report.
type StatTable struct {
	// Columns are the headings, the first of the rows' labels.
	Columns []string
	Rows    []StatRow
}

// StatRow is one row: a label and its cells.
type StatRow struct {
	Label string
	Cells []StatCell
}

// StatCell is one figure of a table.
type StatCell struct {
	// Text is the figure as shown: "12", "25 %", "4.5", or "–" when it
	// is left out.
	Text string
	// Count marks a number of cases or people, N; otherwise N is the
	// figure rounded (a median, a share in percent).
	Count bool
	N     int
	// Basis is how many cases the figure rests on: K or more whenever a
	// figure is shown.
	Basis int
	// Span is how many columns the cell covers (at least 1).
	Span int
	// Merged marks a cell that stands for several groups, Suppressed one
	// that shows nothing.
	Merged, Suppressed bool
}

// Chart is the data of one chart: a bar per group (period), stacked or
// side by side by series.
type Chart struct {
	Title, YLabel string
	Stacked       bool
	Groups        []string
	Series        []ChartSeries
}

// ChartSeries is one series of a chart; Basis[i] is the number of cases
// Values[i] rests on, K or more for a bar that is drawn, 0 for none.
type ChartSeries struct {
	Name   string
	Values []float64
	Basis  []int
	// Merged marks the series of merged groups.
	Merged bool
}

// Labels of merged groups.
const (
	mergedCategories = "Other and merged categories"
	dash             = "–"
)

// groupTitles name the outcome groups.
var groupTitles = map[string]string{
	GroupAction:    "Action taken",
	GroupNoAction:  "No action",
	GroupUndecided: "Not decided yet",
}

var groupOrder = []string{GroupAction, GroupNoAction, GroupUndecided}

type reportRange struct {
	from, until time.Time
	loc         *time.Location
}

// yq is a year and quarter, ordered.
type yq struct{ y, q int }

func (a yq) index() int { return a.y*4 + a.q - 1 }

func fromIndex(i int) yq { return yq{i / 4, i%4 + 1} }

// period is a run of quarters counted together.
type period struct {
	label      string
	first, end int // quarter indexes, end exclusive
}

func (p period) holds(i int) bool { return p.first <= i && i < p.end }

// group is one cell of a partition after merging: a count and the
// values it stands for.
type group struct {
	n     int
	parts []int
}

// mergeContiguous merges the values of an ordered partition (quarters,
// years, adjacent columns) so that every group has at least k: the
// smallest group under k joins its smaller neighbour, until none is under
// k. A zero whose index is in zeroOK may stand alone (it says nothing
// about anyone, such as no report still undecided), and a group joins
// such a zero only when it has no other neighbour. A partition whose
// total is under k gives nil.
func mergeContiguous(counts []int, k int, zeroOK ...int) []group {
	total := 0
	gs := make([]group, len(counts))
	for i, n := range counts {
		gs[i] = group{n: n, parts: []int{i}}
		total += n
	}
	if total < k {
		return nil
	}
	free := func(g group) bool { return g.n == 0 && len(g.parts) == 1 && slices.Contains(zeroOK, g.parts[0]) }
	for {
		small := -1
		for i, g := range gs {
			if g.n < k && !free(g) && (small < 0 || g.n < gs[small].n) {
				small = i
			}
		}
		if small < 0 {
			return gs
		}
		// The neighbour to join: the smaller, but not a free zero when
		// there is another.
		weight := func(i int) int {
			switch {
			case i < 0 || i >= len(gs):
				return math.MaxInt
			case free(gs[i]):
				return math.MaxInt - 1
			}
			return gs[i].n
		}
		other := small + 1
		if weight(small-1) <= weight(small+1) {
			other = small - 1
		}
		a, b := min(small, other), max(small, other)
		gs[a] = group{n: gs[a].n + gs[b].n, parts: append(gs[a].parts, gs[b].parts...)}
		gs = slices.Delete(gs, b, b+1)
	}
}

// mergeBucket merges the values of an unordered partition (categories,
// outcomes) so that every group has at least k: the values from 1 to k-1
// form one bucket, which, while under k, takes the preferred values
// first, then the smallest of the rest. Zeros are not shown, so they need
// no merging; but when a single value would hold every case, so that all
// of them share it, it is not shown either: everything goes in the bucket.
// It returns the values shown alone and the bucket (no parts when there
// is none). A partition whose total is under k gives ok false.
func mergeBucket(counts []int, k int, prefer []int) (alone []int, bucket group, ok bool) {
	total := 0
	in := make([]bool, len(counts))
	for i, n := range counts {
		total += n
		if n > 0 && n < k {
			in[i] = true
			bucket.n += n
			bucket.parts = append(bucket.parts, i)
		}
	}
	if total < k {
		return nil, group{}, false
	}
	for len(bucket.parts) > 0 && bucket.n < k {
		next := -1
		for _, i := range prefer {
			if !in[i] && counts[i] > 0 {
				next = i
				break
			}
		}
		if next < 0 {
			for i, n := range counts {
				if !in[i] && n > 0 && (next < 0 || n < counts[next]) {
					next = i
				}
			}
		}
		in[next] = true
		bucket.n += counts[next]
		bucket.parts = append(bucket.parts, next)
	}
	for i, n := range counts {
		if !in[i] && n > 0 {
			alone = append(alone, i)
		}
	}
	if len(alone) == 1 && len(bucket.parts) == 0 {
		bucket, alone = group{n: total, parts: alone}, nil
	}
	slices.Sort(bucket.parts)
	return alone, bucket, true
}

func countCell(n int) StatCell {
	return StatCell{Text: strconv.Itoa(n), Count: true, N: n, Basis: n, Span: 1}
}

func suppressed(span int) StatCell {
	return StatCell{Text: dash, Span: span, Suppressed: true}
}

// notes collects what the report must say about its merges.
type notes struct {
	periods, categories, outcomeGroups, outcomes, people, anonymous, medians bool
}

// buildReport makes the transparency report of the records.
func buildReport(recs []ArchiveRecord, expunged []app.ExpungedCount, rr reportRange, opts ArchiveOptions) *TransparencyReport {
	k := opts.K
	r := &TransparencyReport{Generated: opts.Generated, From: rr.from, Until: rr.until, K: k, Reports: len(recs), Enough: len(recs) >= k}
	var nt notes
	r.Expunged, r.ExpungedNote = expungedTable(expunged, k, &nt)
	if !r.Enough {
		r.Notes = reportNotes(k, nt)
		return r
	}
	lo, hi := yq{recs[0].Year, recs[0].Quarter}.index(), 0
	for _, x := range recs {
		i := yq{x.Year, x.Quarter}.index()
		lo, hi = min(lo, i), max(hi, i)
	}
	// The span in years: the first and last quarter with a report could
	// hold fewer than k.
	r.Span = strconv.Itoa(fromIndex(lo).y)
	if y := fromIndex(hi).y; y != fromIndex(lo).y {
		r.Span += " to " + strconv.Itoa(y)
	}
	years, quarters := periods(recs, lo, hi, k, &nt)

	byPeriod := func(ps []period) [][]*ArchiveRecord {
		out := make([][]*ArchiveRecord, len(ps))
		for i := range recs {
			q := yq{recs[i].Year, recs[i].Quarter}.index()
			for j, p := range ps {
				if p.holds(q) {
					out[j] = append(out[j], &recs[i])
					break
				}
			}
		}
		return out
	}
	inYear, inQuarter := byPeriod(years), byPeriod(quarters)

	r.Overview, r.Outcomes, r.OutcomeChart = outcomeTables(years, inYear, k, &nt)
	r.Categories, r.CategoryChart = categoryTable(quarters, inQuarter, k, &nt)
	r.Anonymous, r.AnonymousChart = anonymousTable(years, inYear, k, &nt)
	r.Times, r.TimesChart = timesTable(years, inYear, k, &nt)
	r.Notes = reportNotes(k, nt)
	return r
}

func quarterLabel(q yq) string { return fmt.Sprintf("%d Q%d", q.y, q.q) }

// periods cuts the quarters lo to hi into years and quarters with at
// least k reports each: years with fewer join a neighbour, and within a
// year standing alone, quarters with fewer join a neighbour. The quarter
// periods lie within the year periods.
func periods(recs []ArchiveRecord, lo, hi, k int, nt *notes) (years, quarters []period) {
	perQuarter := make([]int, hi-lo+1)
	for _, x := range recs {
		perQuarter[yq{x.Year, x.Quarter}.index()-lo]++
	}
	firstY, lastY := fromIndex(lo).y, fromIndex(hi).y
	perYear := make([]int, lastY-firstY+1)
	for i, n := range perQuarter {
		perYear[fromIndex(lo+i).y-firstY] += n
	}
	for _, g := range mergeContiguous(perYear, k) {
		y0, y1 := firstY+g.parts[0], firstY+g.parts[len(g.parts)-1]
		p := period{label: strconv.Itoa(y0), first: max(yq{y0, 1}.index(), lo), end: min(yq{y1, 4}.index(), hi) + 1}
		if y1 > y0 {
			p.label += "–" + strconv.Itoa(y1)
			nt.periods = true
		}
		years = append(years, p)
		if y1 > y0 {
			quarters = append(quarters, p)
			continue
		}
		qs := perQuarter[p.first-lo : p.end-lo]
		gs := mergeContiguous(qs, k)
		if len(gs) < len(qs) {
			nt.periods = true
		}
		for gi, qg := range gs {
			a, b := fromIndex(p.first+qg.parts[0]), fromIndex(p.first+qg.parts[len(qg.parts)-1])
			qp := period{first: a.index(), end: b.index() + 1}
			// The first and last quarter with reports could hold fewer
			// than k: the labels run to the ends of the year.
			if gi == 0 {
				a.q = 1
			}
			if gi == len(gs)-1 {
				b.q = 4
			}
			switch {
			case a.q == 1 && b.q == 4:
				qp.label = p.label
			case a == b:
				qp.label = quarterLabel(a)
			default:
				qp.label = fmt.Sprintf("%d Q%d–Q%d", a.y, a.q, b.q)
			}
			quarters = append(quarters, qp)
		}
	}
	return years, quarters
}

// outcomeTables makes the overview (reports, people named, outcome
// groups per year), the outcomes within each group, and the chart of the
// groups.
func outcomeTables(years []period, in [][]*ArchiveRecord, k int, nt *notes) (StatTable, StatTable, Chart) {
	over := StatTable{Columns: []string{"Period", "Reports", "People named", "Action taken", "No action", "Not decided yet"}}
	fine := StatTable{Columns: []string{"Period", "Outcome", "Cases"}}
	chart := Chart{Title: "Outcomes per year", YLabel: "Reports", Stacked: true}
	series := map[string]*ChartSeries{}
	var names []string
	for _, g := range append(slices.Clone(groupOrder), "merged") {
		name := groupTitles[g]
		if g == "merged" {
			name = "Outcome groups merged (fewer than k)"
		}
		names = append(names, g)
		series[g] = &ChartSeries{Name: name, Merged: g == "merged"}
	}
	for pi, p := range years {
		recs := in[pi]
		chart.Groups = append(chart.Groups, p.label)
		for _, g := range names {
			series[g].Values = append(series[g].Values, 0)
			series[g].Basis = append(series[g].Basis, 0)
		}
		row := StatRow{Label: p.label, Cells: []StatCell{countCell(len(recs))}}
		people := map[string]bool{}
		unnamed := 0
		for _, x := range recs {
			for _, key := range x.reported {
				if key == "" {
					unnamed++
				} else {
					people[key] = true
				}
			}
		}
		if named := len(people) + unnamed; named >= k {
			c := countCell(named)
			c.Basis = len(recs)
			row.Cells = append(row.Cells, c)
		} else {
			row.Cells = append(row.Cells, suppressed(1))
			nt.people = true
		}
		counts := make([]int, len(groupOrder))
		byOutcome := map[app.Outcome]int{}
		for _, x := range recs {
			counts[slices.Index(groupOrder, x.Action)]++
			if x.Outcome != nil {
				byOutcome[*x.Outcome]++
			}
		}
		for _, g := range mergeContiguous(counts, k, slices.Index(groupOrder, GroupUndecided)) {
			last := len(series["merged"].Values) - 1
			if len(g.parts) > 1 {
				nt.outcomeGroups = true
				c := countCell(g.n)
				c.Span, c.Merged = len(g.parts), true
				row.Cells = append(row.Cells, c)
				var titles []string
				for _, i := range g.parts {
					titles = append(titles, strings.ToLower(groupTitles[groupOrder[i]]))
				}
				text := strings.Join(titles, " or ")
				text = strings.ToUpper(text[:1]) + text[1:] + " (not broken down)"
				one := c
				one.Span = 1
				fine.Rows = append(fine.Rows, StatRow{Label: p.label, Cells: []StatCell{{Text: text, Span: 1}, one}})
				series["merged"].Values[last] += float64(g.n)
				series["merged"].Basis[last] += g.n
				continue
			}
			gname := groupOrder[g.parts[0]]
			row.Cells = append(row.Cells, countCell(g.n))
			series[gname].Values[last] = float64(g.n)
			series[gname].Basis[last] = g.n
			if g.n > 0 {
				fine.Rows = append(fine.Rows, outcomeRows(p.label, gname, g.n, byOutcome, k, nt)...)
			}
		}
		over.Rows = append(over.Rows, row)
	}
	for _, g := range names {
		chart.Series = append(chart.Series, *series[g])
	}
	chart.Series = withBars(chart.Series)
	return over, fine, chart
}

// outcomeRows breaks one outcome group of a period down by outcome;
// outcomes with fewer than k cases are counted together.
func outcomeRows(label, gname string, n int, byOutcome map[app.Outcome]int, k int, nt *notes) []StatRow {
	row := func(text string, c StatCell) StatRow {
		return StatRow{Label: label, Cells: []StatCell{{Text: text, Span: 1}, c}}
	}
	if gname == GroupUndecided {
		return []StatRow{row(groupTitles[gname], countCell(n))}
	}
	var outs []app.Outcome
	var counts []int
	for _, o := range app.Outcomes {
		if o.Upholds() == (gname == GroupAction) {
			outs = append(outs, o)
			counts = append(counts, byOutcome[o])
		}
	}
	alone, bucket, _ := mergeBucket(counts, k, nil)
	var rows []StatRow
	for _, i := range alone {
		rows = append(rows, row(outs[i].Title(), countCell(counts[i])))
	}
	if len(bucket.parts) > 0 {
		nt.outcomes = true
		c := countCell(bucket.n)
		c.Merged = true
		text := "Other actions (merged)"
		if gname == GroupNoAction {
			text = "Other outcomes without action (merged)"
		}
		if len(alone) == 0 {
			text = groupTitles[gname] + " (not broken down)"
		}
		rows = append(rows, row(text, c))
	}
	return rows
}

// categoryTable counts the reports of each period by category.
func categoryTable(quarters []period, in [][]*ArchiveRecord, k int, nt *notes) (StatTable, Chart) {
	cats := append(slices.Clone(app.Categories), "")
	prefer := []int{slices.Index(cats, app.CategoryOther), len(cats) - 1}
	t := StatTable{Columns: []string{"Period", "Category", "Reports"}}
	chart := Chart{Title: "Reports per quarter by category", YLabel: "Reports", Stacked: true}
	series := make([]ChartSeries, len(cats)+1)
	for i, c := range cats {
		series[i].Name = c.Title()
	}
	series[len(cats)].Name, series[len(cats)].Merged = mergedCategories, true
	for pi, p := range quarters {
		chart.Groups = append(chart.Groups, p.label)
		for i := range series {
			series[i].Values = append(series[i].Values, 0)
			series[i].Basis = append(series[i].Basis, 0)
		}
		counts := make([]int, len(cats))
		for _, x := range in[pi] {
			c := app.Category("")
			if x.Category != nil {
				c = *x.Category
			}
			counts[slices.Index(cats, c)]++
		}
		alone, bucket, _ := mergeBucket(counts, k, prefer)
		for _, i := range alone {
			t.Rows = append(t.Rows, StatRow{Label: p.label, Cells: []StatCell{{Text: cats[i].Title(), Span: 1}, countCell(counts[i])}})
			series[i].Values[pi], series[i].Basis[pi] = float64(counts[i]), counts[i]
		}
		if len(bucket.parts) > 0 {
			nt.categories = true
			c := countCell(bucket.n)
			c.Merged = true
			text := mergedCategories
			if len(alone) == 0 {
				text = "All categories (not broken down)"
			}
			t.Rows = append(t.Rows, StatRow{Label: p.label, Cells: []StatCell{{Text: text, Span: 1}, c}})
			series[len(cats)].Values[pi], series[len(cats)].Basis[pi] = float64(bucket.n), bucket.n
		}
	}
	chart.Series = withBars(series)
	return t, chart
}

// withBars keeps the series with a bar in them, or the first if none has.
func withBars(series []ChartSeries) []ChartSeries {
	var out []ChartSeries
	for _, s := range series {
		if slices.ContainsFunc(s.Basis, func(n int) bool { return n > 0 }) {
			out = append(out, s)
		}
	}
	if len(out) == 0 && len(series) > 0 {
		out = series[:1]
	}
	return out
}

// anonymousTable counts the reports of each year by kind of reporter, and
// the share that were anonymous.
func anonymousTable(years []period, in [][]*ArchiveRecord, k int, nt *notes) (StatTable, Chart) {
	kinds := []app.ReporterKind{app.ReporterAnonymous, app.ReporterIdentified, app.ReporterNone}
	t := StatTable{Columns: []string{"Period", "Anonymous", "Identified", "No reporter", "Share anonymous"}}
	chart := Chart{Title: "Share of reports made anonymously", YLabel: "Percent"}
	share := ChartSeries{Name: "Anonymous"}
	for pi, p := range years {
		counts := make([]int, len(kinds))
		for _, x := range in[pi] {
			if i := slices.Index(kinds, x.Reporter); i >= 0 {
				counts[i]++
			}
		}
		row := StatRow{Label: p.label}
		anonAlone := false
		for _, g := range mergeContiguous(counts, k, slices.Index(kinds, app.ReporterNone)) {
			c := countCell(g.n)
			if len(g.parts) > 1 {
				c.Span, c.Merged = len(g.parts), true
				nt.anonymous = true
			} else if g.parts[0] == 0 {
				anonAlone = true
			}
			row.Cells = append(row.Cells, c)
		}
		chart.Groups = append(chart.Groups, p.label)
		n := len(in[pi])
		if anonAlone {
			pct := (200*counts[0] + n) / (2 * n) // rounded
			row.Cells = append(row.Cells, StatCell{Text: strconv.Itoa(pct) + " %", N: pct, Basis: n, Span: 1})
			share.Values, share.Basis = append(share.Values, float64(pct)), append(share.Basis, n)
		} else {
			row.Cells = append(row.Cells, suppressed(1))
			share.Values, share.Basis = append(share.Values, 0), append(share.Basis, 0)
		}
		t.Rows = append(t.Rows, row)
	}
	chart.Series = []ChartSeries{share}
	return t, chart
}

// timesTable gives the median days to acknowledge and to resolve per
// year, where at least k cases were.
func timesTable(years []period, in [][]*ArchiveRecord, k int, nt *notes) (StatTable, Chart) {
	t := StatTable{Columns: []string{"Period", "Median days to acknowledge", "Median days to resolve"}}
	chart := Chart{Title: "Median days to acknowledge and to resolve", YLabel: "Days"}
	ack, res := ChartSeries{Name: "To acknowledge"}, ChartSeries{Name: "To resolve"}
	for pi, p := range years {
		row := StatRow{Label: p.label}
		chart.Groups = append(chart.Groups, p.label)
		for _, m := range []struct {
			s   *ChartSeries
			get func(*ArchiveRecord) *int
		}{
			{&ack, func(x *ArchiveRecord) *int { return x.DaysToAcknowledge }},
			{&res, func(x *ArchiveRecord) *int { return x.DaysToResolve }},
		} {
			var days []int
			for _, x := range in[pi] {
				if d := m.get(x); d != nil {
					days = append(days, *d)
				}
			}
			if len(days) < k {
				nt.medians = true
				row.Cells = append(row.Cells, suppressed(1))
				m.s.Values, m.s.Basis = append(m.s.Values, 0), append(m.s.Basis, 0)
				continue
			}
			med := median(days)
			text := strconv.FormatFloat(med, 'f', -1, 64)
			row.Cells = append(row.Cells, StatCell{Text: text, N: int(med), Basis: len(days), Span: 1})
			m.s.Values, m.s.Basis = append(m.s.Values, med), append(m.s.Basis, len(days))
		}
		t.Rows = append(t.Rows, row)
	}
	chart.Series = []ChartSeries{ack, res}
	return t, chart
}

// median is the median of xs, which is not empty.
func median(xs []int) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return float64(xs[n/2])
	}
	return float64(xs[n/2-1]+xs[n/2]) / 2
}

// expungedTable counts the expunged cases per year received, years with
// fewer than k joined to a neighbour; with fewer than k in all, it says so
// instead.
func expungedTable(counts []app.ExpungedCount, k int, nt *notes) (StatTable, string) {
	t := StatTable{Columns: []string{"Received in", "Expunged cases"}}
	if len(counts) == 0 {
		return t, "No case received in this period has been expunged yet."
	}
	slices.SortFunc(counts, func(a, b app.ExpungedCount) int { return cmp.Compare(a.Year, b.Year) })
	first, last := counts[0].Year, counts[len(counts)-1].Year
	perYear := make([]int, last-first+1)
	for _, e := range counts {
		perYear[e.Year-first] += e.Cases
	}
	gs := mergeContiguous(perYear, k)
	if gs == nil {
		return t, fmt.Sprintf("Fewer than %d of the cases received in this period have been expunged; their number is not shown.", k)
	}
	for _, g := range gs {
		label := strconv.Itoa(first + g.parts[0])
		if len(g.parts) > 1 {
			label += "–" + strconv.Itoa(first+g.parts[len(g.parts)-1])
			nt.periods = true
		}
		t.Rows = append(t.Rows, StatRow{Label: label, Cells: []StatCell{countCell(g.n)}})
	}
	return t, ""
}

// reportNotes says how to read the report: k always, and each kind of
// merging that happened.
func reportNotes(k int, nt notes) []string {
	out := []string{fmt.Sprintf("Every number in this report counts at least k = %d cases, or is computed from at least %d. "+
		"Smaller groups, zero included, are merged into wider ones or left out, so that no one can be picked out of them; "+
		"a zero is shown only where it says nothing about the people in the reports (no report still undecided, none without a reporter).", k, k)}
	if nt.periods {
		out = append(out, "Quarters with fewer than k reports are counted together with a neighbouring quarter of the same year, or as the whole year; years with fewer than k, together with a neighbouring year.")
	}
	if nt.categories {
		out = append(out, "In each period, categories with fewer than k reports are counted together as “"+mergedCategories+"”, taking in the category Other, reports not yet categorized, and then the smallest category until there are k. Where all of a period's reports would fall in one category, they are not broken down.")
	}
	if nt.outcomeGroups {
		out = append(out, "Where an outcome group has fewer than k cases in a period, it is counted together with the next column, and the merged figure spans both.")
	}
	if nt.outcomes {
		out = append(out, "Within an outcome group, outcomes with fewer than k cases are counted together, and a group whose cases all had the same outcome is not broken down.")
	}
	if nt.anonymous {
		out = append(out, "Kinds of reporter with fewer than k reports in a period are counted together with the next column; the share of anonymous reports is then not shown.")
	}
	if nt.people {
		out = append(out, "“–” marks a figure left out: fewer than k people named, or too few cases to say more.")
	}
	if nt.medians {
		out = append(out, "A median is shown only where at least k cases were acknowledged or resolved; a chart has no bar where it is left out.")
	}
	return out
}
