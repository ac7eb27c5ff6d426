package desktop

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casebook/app"
)

// workspace is the unlocked window: the week, the cases, a new report and
// the settings, in tabs, with the Lock button above them.
type workspace struct {
	g     *gui
	store *app.Store

	tabs        *container.AppTabs
	weekTab     *container.TabItem
	casesTab    *container.TabItem
	newTab      *container.TabItem
	settingsTab *container.TabItem

	week     *weekScreen
	cases    *casesScreen
	form     *intakeForm
	settings *settingsScreen
	who      *widget.Label
	lockBtn  *widget.Button
	top      *fyne.Container
}

func newWorkspace(g *gui, s *app.Store) *workspace {
	w := &workspace{g: g, store: s}
	w.week = newWeekScreen(w)
	w.cases = newCasesScreen(w)
	w.form = newIntakeForm(w)
	w.settings = newSettingsScreen(w)
	return w
}

func (w *workspace) build() fyne.CanvasObject {
	w.weekTab = container.NewTabItemWithIcon("This week", theme.HistoryIcon(), w.week.build())
	w.casesTab = container.NewTabItemWithIcon("Cases", theme.FolderIcon(), w.cases.build())
	w.newTab = container.NewTabItemWithIcon("New report", theme.ContentAddIcon(), w.form.build())
	w.settingsTab = container.NewTabItemWithIcon("Settings", theme.SettingsIcon(), w.settings.build())
	w.tabs = container.NewAppTabs(w.weekTab, w.casesTab, w.newTab, w.settingsTab)
	w.tabs.OnSelected = w.onTab
	w.who = &widget.Label{}
	w.showWho()
	w.lockBtn = widget.NewButtonWithIcon("Lock", theme.LogoutIcon(), func() { w.g.lock("") })
	importBundle := widget.NewButtonWithIcon("Import bundle…", theme.DownloadIcon(), w.onImportBundle)
	w.top = container.NewHBox(w.who, layout.NewSpacer(), importBundle, w.lockBtn)
	return container.NewBorder(container.NewPadded(w.top), nil, nil, nil, w.tabs)
}

// showWho says who is using the vault.
func (w *workspace) showWho() {
	r := w.store.Roster()
	if m := r.Member(r.Me); m != nil {
		w.who.SetText("Signed in as " + m.Name)
	} else {
		w.who.SetText("Nobody is set as the member using this vault (Settings).")
	}
}

// onTab refreshes the screen that comes into view.
func (w *workspace) onTab(t *container.TabItem) {
	w.g.touch()
	switch t {
	case w.weekTab:
		w.week.refresh()
	case w.casesTab:
		w.cases.refresh()
	case w.settingsTab:
		w.settings.refresh()
	}
}

// changed refreshes what shows cases after a change.
func (w *workspace) changed() {
	w.week.refresh()
	w.cases.refresh()
	w.showWho()
}

// showNewReport brings the intake form forward.
func (w *workspace) showNewReport() {
	w.tabs.Select(w.newTab)
	w.g.win.Canvas().Focus(w.form.summary)
}

// showSearch brings the case list forward with the cursor in its search.
func (w *workspace) showSearch() {
	w.tabs.Select(w.casesTab)
	w.cases.showList()
	w.g.win.Canvas().Focus(w.cases.search)
}

// openCase shows a case in the Cases tab; from a due item, it says what is
// due and marks the step that settles it.
func (w *workspace) openCase(code string, due *app.DueItem) {
	w.g.touch()
	c, err := w.store.Case(code)
	if err != nil {
		w.g.showError("The case could not be opened", err)
		return
	}
	w.tabs.Select(w.casesTab)
	w.cases.showCase(newCaseView(w, c, due))
}

// draftNewReport names the new-report draft in the vault.
const draftNewReport = "new-report"

// saveDrafts keeps what is typed in the vault before it locks.
func (w *workspace) saveDrafts() error {
	data, ok := w.form.draft()
	if !ok {
		return w.store.DeleteDraft(draftNewReport)
	}
	return w.store.SaveDraft(draftNewReport, data)
}

// restoreDrafts puts back what was typed before the last lock.
func (w *workspace) restoreDrafts() {
	data, err := w.store.Draft(draftNewReport)
	if err != nil {
		w.g.showError("Your unfinished report could not be read", err)
		return
	}
	if data == nil {
		return
	}
	if err := w.form.restore(data); err != nil {
		w.g.log.Warn("unreadable draft", "err", err)
		return
	}
	w.form.notice.SetText("Your unfinished report was kept while Casebook was locked; here it is.")
	w.tabs.Select(w.newTab)
}
