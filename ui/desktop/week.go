package desktop

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casebook/app"
)

// Icons of due items: overdue ones in the theme's error colour. They are
// made when first drawn: a theme needs the running app.
func overdueIcon() fyne.Resource { return theme.NewErrorThemedResource(theme.WarningIcon()) }
func dueIcon() fyne.Resource     { return theme.NewPrimaryThemedResource(theme.HistoryIcon()) }

// weekScreen is the due list: what is overdue, due today and due this
// week, each item opening its case. The list draws only the rows in view:
// a large committee's vault has thousands of items due.
type weekScreen struct {
	w     *workspace
	intro *widget.Label
	list  *widget.List
	rows  []weekRow
	// icons of due and overdue items, made once per screen.
	due, overdue fyne.Resource
	loc          *time.Location // the committee's time zone
}

// weekRow is a group's title or one due item (its text is made when the
// row is drawn: thousands may be due, a dozen are in view).
type weekRow struct {
	title string
	item  *app.DueItem
}

func newWeekScreen(w *workspace) *weekScreen { return &weekScreen{w: w} }

func (s *weekScreen) build() fyne.CanvasObject {
	s.intro = &widget.Label{Wrapping: fyne.TextWrapWord}
	s.due, s.overdue = dueIcon(), overdueIcon()
	s.list = widget.NewList(func() int { return len(s.rows) }, s.newRow, s.updateRow)
	s.list.HideSeparators = true
	s.list.OnSelected = func(id widget.ListItemID) {
		s.list.UnselectAll()
		s.open(id)
	}
	s.refresh()
	agenda := widget.NewButtonWithIcon("Meeting agenda…", theme.DocumentSaveIcon(), s.w.onExportAgenda)
	updates := widget.NewButtonWithIcon("Status updates due…", theme.MailSendIcon(), s.w.onExportUpdatesDue)
	archive := widget.NewButtonWithIcon("Archive…", theme.StorageIcon(), s.w.onExportArchive)
	expunge := widget.NewButtonWithIcon("Expunge…", theme.DeleteIcon(), s.w.onExpunge)
	top := container.NewBorder(nil, nil, nil, container.NewHBox(agenda, updates, archive, expunge), s.intro)
	return container.NewBorder(container.NewPadded(top), nil, nil, nil, s.list)
}

// newRow is the template of a row: a group title over an item's button;
// updateRow shows one of the two.
func (s *weekScreen) newRow() fyne.CanvasObject {
	title := &widget.Label{TextStyle: fyne.TextStyle{Bold: true}, SizeName: theme.SizeNameSubHeadingText}
	item := &widget.Button{Alignment: widget.ButtonAlignLeading, Importance: widget.LowImportance}
	return container.NewStack(title, item)
}

func (s *weekScreen) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	c := o.(*fyne.Container)
	title, item := c.Objects[0].(*widget.Label), c.Objects[1].(*widget.Button)
	if id < 0 || id >= len(s.rows) {
		title.Hide()
		item.Hide()
		return
	}
	row := s.rows[id]
	if row.title != "" {
		title.SetText(row.title)
		title.Show()
		item.Hide()
		return
	}
	title.Hide()
	it := row.item
	item.Text = fmt.Sprintf("%s  ·  %s  ·  due %s", it.Code, it.Text, it.Due.In(s.loc).Format("Mon 2 Jan 15:04"))
	item.Icon = s.due
	if row.item.Overdue {
		item.Icon = s.overdue
	}
	item.OnTapped = func() { s.open(id) }
	item.Show()
	item.Refresh()
}

// open opens the case of row id at its due step, or, for a case to send
// on, asks whom to send it to.
func (s *weekScreen) open(id widget.ListItemID) {
	if id < 0 || id >= len(s.rows) || s.rows[id].title != "" {
		return
	}
	item := *s.rows[id].item
	if item.Kind == app.DueSendOn {
		// A case the member may not open: the item's one step is to send it.
		s.w.sendToMembers(item.Code, fmt.Sprintf("You are shut out of %s, and no other member has it yet. "+
			"Send it to members who may see it.", item.Code))
		return
	}
	s.w.openCase(item.Code, &item)
}

// dueGroups sorts due items into overdue, today and the rest of the week.
func dueGroups(items []app.DueItem, cfg app.Config, now time.Time) (overdue, today, week []*app.DueItem) {
	tomorrow := cfg.StartOfDay(now).AddDate(0, 0, 1)
	for i := range items {
		it := &items[i]
		switch {
		case it.Overdue:
			overdue = append(overdue, it)
		case it.Due.Before(tomorrow):
			today = append(today, it)
		default:
			week = append(week, it)
		}
	}
	return overdue, today, week
}

// refresh reads the due list again.
func (s *weekScreen) refresh() {
	now := s.w.g.opts.Now()
	cfg := s.w.store.Config()
	items := s.w.store.Due(now)
	overdue, today, week := dueGroups(items, cfg, now)
	switch {
	case len(items) == 0:
		s.intro.SetText("Nothing is due this week.")
	case len(overdue) > 0:
		s.intro.SetText(fmt.Sprintf("%s due, %d of them overdue. Each item opens its case, or the form to send it on.", plural(len(items), "thing"), len(overdue)))
	default:
		s.intro.SetText(fmt.Sprintf("%s due. Each item opens its case, or the form to send it on.", plural(len(items), "thing")))
	}
	s.loc = cfg.Location()
	s.rows = s.rows[:0]
	for _, g := range []struct {
		title string
		items []*app.DueItem
	}{{"Overdue", overdue}, {"Today", today}, {"This week", week}} {
		if len(g.items) == 0 {
			continue
		}
		s.rows = append(s.rows, weekRow{title: g.title})
		for _, it := range g.items {
			s.rows = append(s.rows, weekRow{item: it})
		}
	}
	s.list.Refresh()
}
