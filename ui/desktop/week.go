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
// week, each item opening its case.
type weekScreen struct {
	w     *workspace
	intro *widget.Label
	list  *fyne.Container
}

func newWeekScreen(w *workspace) *weekScreen { return &weekScreen{w: w} }

func (s *weekScreen) build() fyne.CanvasObject {
	s.intro = &widget.Label{Wrapping: fyne.TextWrapWord}
	s.list = container.NewVBox()
	s.refresh()
	agenda := widget.NewButtonWithIcon("Meeting agenda…", theme.DocumentSaveIcon(), s.w.onExportAgenda)
	updates := widget.NewButtonWithIcon("Status updates due…", theme.MailSendIcon(), s.w.onExportUpdatesDue)
	archive := widget.NewButtonWithIcon("Archive…", theme.StorageIcon(), s.w.onExportArchive)
	expunge := widget.NewButtonWithIcon("Expunge…", theme.DeleteIcon(), s.w.onExpunge)
	top := container.NewBorder(nil, nil, nil, container.NewHBox(agenda, updates, archive, expunge), s.intro)
	return container.NewBorder(container.NewPadded(top), nil, nil, nil, container.NewVScroll(s.list))
}

// dueGroups sorts due items into overdue, today and the rest of the week.
func dueGroups(items []app.DueItem, cfg app.Config, now time.Time) (overdue, today, week []app.DueItem) {
	tomorrow := cfg.StartOfDay(now).AddDate(0, 0, 1)
	for _, it := range items {
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
		s.intro.SetText(fmt.Sprintf("%s due, %d of them overdue. Each item opens its case.", plural(len(items), "thing"), len(overdue)))
	default:
		s.intro.SetText(fmt.Sprintf("%s due. Each item opens its case.", plural(len(items), "thing")))
	}
	s.list.RemoveAll()
	loc := cfg.Location()
	for _, g := range []struct {
		title string
		items []app.DueItem
	}{{"Overdue", overdue}, {"Today", today}, {"This week", week}} {
		if len(g.items) == 0 {
			continue
		}
		s.list.Add(&widget.Label{Text: g.title, TextStyle: fyne.TextStyle{Bold: true}, SizeName: theme.SizeNameSubHeadingText})
		for _, it := range g.items {
			s.list.Add(s.row(it, loc))
		}
	}
	s.list.Refresh()
}

// row is one due item: a button that opens its case.
func (s *weekScreen) row(it app.DueItem, loc *time.Location) fyne.CanvasObject {
	text := fmt.Sprintf("%s  ·  %s  ·  due %s", it.Code, it.Text, it.Due.In(loc).Format("Mon 2 Jan 15:04"))
	icon := dueIcon()
	if it.Overdue {
		icon = overdueIcon()
	}
	item := it
	return &widget.Button{Text: text, Icon: icon, Alignment: widget.ButtonAlignLeading, Importance: widget.LowImportance,
		OnTapped: func() { s.w.openCase(item.Code, &item) }}
}
