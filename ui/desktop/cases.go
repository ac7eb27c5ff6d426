package desktop

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"casebook/app"
)

// casesScreen is the table of cases, with filters and a search, and the
// place a case opens in.
type casesScreen struct {
	w       *workspace
	stage   *widget.Select
	outcome *widget.Select
	search  *widget.Entry
	count   *widget.Label
	table   *widget.Table
	list    fyne.CanvasObject
	stack   *fyne.Container

	rows  []caseRow
	cx    cellContext // what the rows' cells are written with
	query string      // the search the rows answer, if any
	// current is the case shown, or nil when the table is.
	current *caseView
}

// caseRow is one line of the table. Its cells are written when they are
// drawn: thousands of cases, a few dozen rows in view.
type caseRow struct {
	sum app.Summary
	// hit is where the search found the case; its snippet is made the
	// first time the row is drawn (it may mean reading a message).
	hit     *app.SearchResult
	snippet string
	snipped bool
}

// foundCol is the column of the search's snippets.
const foundCol = 5

// Column headers of the case table.
var caseColumns = []string{"Code name", "Stage", "Responder", "Age", "Next due", "Found"}

// anyChoice is the filter choice that does not filter.
const anyChoice = "Any"

func newCasesScreen(w *workspace) *casesScreen { return &casesScreen{w: w} }

func (s *casesScreen) build() fyne.CanvasObject {
	stages := []string{anyChoice}
	for _, st := range app.Stages {
		stages = append(stages, st.Title())
	}
	outcomes := []string{anyChoice}
	for _, o := range app.Outcomes {
		outcomes = append(outcomes, o.Title())
	}
	s.stage = widget.NewSelect(stages, func(string) { s.onFilter() })
	s.stage.SetSelectedIndex(0)
	s.outcome = widget.NewSelect(outcomes, func(string) { s.onFilter() })
	s.outcome.SetSelectedIndex(0)
	s.search = widget.NewEntry()
	s.search.SetPlaceHolder("Search cases and correspondence (Ctrl+F)")
	s.search.OnChanged = func(string) { s.onFilter() }
	s.count = &widget.Label{}

	s.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(s.rows), len(caseColumns) },
		func() fyne.CanvasObject { return &widget.Label{Truncation: fyne.TextTruncateEllipsis} },
		s.updateCell)
	s.table.ShowHeaderColumn = false
	s.table.CreateHeader = func() fyne.CanvasObject { return &widget.Label{TextStyle: fyne.TextStyle{Bold: true}} }
	s.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 {
			o.(*widget.Label).SetText(caseColumns[id.Col])
		}
	}
	for i, width := range []float32{150, 170, 140, 70, 150, 260} {
		s.table.SetColumnWidth(i, width)
	}
	s.table.OnSelected = s.onSelect

	filters := container.NewBorder(nil, nil,
		container.NewHBox(widget.NewLabel("Stage"), s.stage, widget.NewLabel("Outcome"), s.outcome), nil,
		s.search)
	s.list = container.NewBorder(container.NewVBox(filters, s.count), nil, nil, nil, s.table)
	s.stack = container.NewStack(s.list)
	s.refresh()
	return container.NewPadded(s.stack)
}

// onFilter applies the filters and the search.
func (s *casesScreen) onFilter() {
	s.w.g.touch()
	if s.table != nil {
		s.refresh()
	}
}

// refresh builds the rows again from the store.
func (s *casesScreen) refresh() {
	var stage app.Stage
	if i := s.stage.SelectedIndex(); i > 0 {
		stage = app.Stages[i-1]
	}
	var outcome app.Outcome
	if i := s.outcome.SelectedIndex(); i > 0 {
		outcome = app.Outcomes[i-1]
	}
	found := map[string]*app.SearchResult{}
	query := strings.TrimSpace(s.search.Text)
	if query != "" {
		results, err := s.w.store.SearchCases(query, 500)
		if err != nil {
			s.w.g.showError("The search failed", err)
			return
		}
		for i := range results {
			found[results[i].Code] = &results[i]
		}
	}
	s.query = query
	s.rows = s.rows[:0]
	s.cx = cellContext{now: s.w.g.opts.Now(), loc: s.w.store.Config().Location(), roster: s.w.store.Roster()}
	for _, sum := range s.w.store.List(stage) {
		if outcome != "" && sum.Outcome != outcome {
			continue
		}
		hit := found[sum.Code]
		if query != "" && hit == nil {
			continue
		}
		s.rows = append(s.rows, caseRow{sum: sum, hit: hit})
	}
	switch {
	case query != "":
		s.count.SetText(fmt.Sprintf("%s found.", plural(len(s.rows), "case")))
	default:
		s.count.SetText(fmt.Sprintf("%s.", plural(len(s.rows), "case")))
	}
	s.table.UnselectAll()
	s.table.Refresh()
}

// updateCell fills one cell of the table.
func (s *casesScreen) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	if id.Row < 0 || id.Row >= len(s.rows) || id.Col < 0 || id.Col >= len(caseColumns) {
		l.SetText("")
		return
	}
	l.SetText(s.cell(id.Row, id.Col))
}

// cell is the text of one cell of the table.
func (s *casesScreen) cell(row, col int) string {
	if col == foundCol {
		return s.snippet(row)
	}
	return s.cx.cell(s.rows[row], col)
}

// snippet returns the search's snippet for a row, made once.
func (s *casesScreen) snippet(row int) string {
	r := &s.rows[row]
	if r.hit == nil || r.snipped {
		return r.snippet
	}
	snippet, err := s.w.store.SearchSnippet(*r.hit, s.query)
	if err != nil {
		// The row still shows its case; the reason goes to the log.
		s.w.g.log.Warn("making a search snippet", "err", logSafe(err))
	}
	r.snippet, r.snipped = snippet, true
	return snippet
}

// cellContext is what the cells of a refresh share.
type cellContext struct {
	now    time.Time
	loc    *time.Location
	roster *app.Roster
}

// cell writes column col of row r.
func (cx cellContext) cell(r caseRow, col int) string {
	sum := r.sum
	switch col {
	case 0:
		return sum.Code
	case 1:
		stage := sum.Stage.Title()
		if sum.Outcome != "" {
			stage += " (" + sum.Outcome.Title() + ")"
		}
		return stage
	case 2:
		if m := cx.roster.Member(sum.Responder); m != nil {
			return m.Name
		}
		return "—"
	case 3:
		return plural(int(cx.now.Sub(sum.Received)/(24*time.Hour)), "day")
	case 4:
		if sum.NextDue.IsZero() {
			return "—"
		}
		return sum.NextDue.In(cx.loc).Format("Mon 2 Jan 2006")
	default:
		return ""
	}
}

// onSelect opens the case of a row.
func (s *casesScreen) onSelect(id widget.TableCellID) {
	if id.Row >= 0 && id.Row < len(s.rows) {
		s.w.openCase(s.rows[id.Row].sum.Code, nil)
	}
}

// showCase puts a case in place of the table.
func (s *casesScreen) showCase(v *caseView) {
	s.current = v
	s.stack.Objects = []fyne.CanvasObject{v.build()}
	s.stack.Refresh()
}

// showList puts the table back.
func (s *casesScreen) showList() {
	s.current = nil
	s.stack.Objects = []fyne.CanvasObject{s.list}
	s.stack.Refresh()
	s.refresh()
}
