package desktop

import (
	"encoding/json"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
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

// draftDialog names the draft of text typed in an open dialog.
const draftDialog = "dialog"

// dialogText is what was typed in a dialog open when the app locked.
type dialogText struct {
	Title string `json:"title"`
	Text  string `json:"text"`
}

// saveDrafts keeps what is typed in the vault before it locks: the
// new-report form, and the text of an open dialog.
func (w *workspace) saveDrafts() error {
	var err error
	if data, ok := w.form.draft(); ok {
		err = w.store.SaveDraft(draftNewReport, data)
	} else {
		err = w.store.DeleteDraft(draftNewReport)
	}
	if err != nil {
		return err
	}
	if t, ok := w.openDialogText(); ok {
		data, jerr := json.Marshal(t)
		if jerr != nil {
			return jerr
		}
		return w.store.SaveDraft(draftDialog, data)
	}
	return nil
}

// openDialogText is the text typed in the form or letter dialog open now.
func (w *workspace) openDialogText() (dialogText, bool) {
	g := w.g
	var parts []string
	title := ""
	if f := g.lastForm; f != nil && slices.Contains(g.dialogs, f.d) {
		title = f.title
		for _, it := range f.items {
			if e, ok := it.Widget.(*entry); ok && strings.TrimSpace(e.Text) != "" {
				parts = append(parts, it.Text+": "+e.Text)
			}
		}
	}
	if l := g.lastLetter; l != nil && slices.Contains(g.dialogs, l.d) {
		title = l.title
		parts = append(parts, "Subject: "+l.subject.Text, l.body.Text)
	}
	if len(parts) == 0 {
		return dialogText{}, false
	}
	return dialogText{Title: title, Text: strings.Join(parts, "\n\n")}, true
}

// restoreDrafts puts back what was typed before the last lock.
func (w *workspace) restoreDrafts() {
	w.restoreDialogText()
	data, err := w.store.Draft(draftNewReport)
	if err != nil {
		w.g.showError("Your unfinished report could not be read", err)
		return
	}
	if data == nil {
		return
	}
	if err := w.form.restore(data); err != nil {
		w.g.log.Warn("unreadable draft", "err", logSafe(err))
		return
	}
	w.form.notice.SetText("Your unfinished report was kept while Casebook was locked; here it is.")
	w.tabs.Select(w.newTab)
}

// restoreDialogText shows the text that was typed in a dialog when the
// app locked, to copy back; then forgets it.
func (w *workspace) restoreDialogText() {
	data, err := w.store.Draft(draftDialog)
	if err != nil || data == nil {
		return
	}
	var t dialogText
	if json.Unmarshal(data, &t) != nil {
		return
	}
	text := w.g.newMultiLineEntry()
	text.SetText(t.Text)
	text.SetMinRowsVisible(8)
	copyBtn := widget.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), func() { w.g.copyText(t.Text) })
	content := container.NewVBox(
		&widget.Label{Text: "Casebook locked while you were typing in \"" + t.Title + "\". Here is what you had typed; copy it back.", Wrapping: fyne.TextWrapWord},
		text, container.NewHBox(copyBtn))
	d := dialog.NewCustom("Kept from before the lock", "Close", container.NewGridWrap(fyne.NewSize(600, content.MinSize().Height), content), w.g.win)
	d.SetOnClosed(func() {
		w.g.forgetDialog(d)
		if w.g.work == w && !w.g.inLock {
			if err := w.store.DeleteDraft(draftDialog); err != nil {
				w.g.log.Warn("deleting a draft", "err", logSafe(err))
			}
		}
	})
	w.g.dialogs = append(w.g.dialogs, d)
	d.Show()
}
