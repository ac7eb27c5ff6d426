package desktop

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casebook/app"
)

// caseView is the case workspace: where the case stands, the current
// step's checklist with its actions, the parties, the timeline, and the
// exports. It reads the case again after every change.
type caseView struct {
	w    *workspace
	code string
	due  *app.DueItem // the due item it was opened from, or nil

	c    *app.Case
	msgs []*app.Message
	body *fyne.Container

	// actions are the checklist's buttons, by action, for tests.
	actions map[app.Action]*widget.Button
	// why are the checklist's reasons, by action, for tests.
	why map[app.Action]*widget.Label
	// category is the case's kind of behaviour, for the archive.
	category *widget.Select
}

func newCaseView(w *workspace, c *app.Case, due *app.DueItem) *caseView {
	return &caseView{w: w, code: c.Code, due: due, c: c}
}

func (v *caseView) build() fyne.CanvasObject {
	v.body = container.NewVBox()
	v.fill()
	return container.NewVScroll(container.NewPadded(v.body))
}

// reload reads the case and its messages again and redraws the view.
func (v *caseView) reload() {
	c, err := v.w.store.Case(v.code)
	if err != nil {
		v.w.g.showError("The case could not be read", err)
		return
	}
	v.c = c
	v.fill()
	v.w.changed()
}

// fill lays out the view from v.c.
func (v *caseView) fill() {
	msgs, err := v.w.store.Messages(v.code)
	if err != nil {
		v.w.g.showError("The case's correspondence could not be read", err)
	}
	v.msgs = msgs
	v.actions = map[app.Action]*widget.Button{}
	v.why = map[app.Action]*widget.Label{}
	v.body.Objects = nil
	v.body.Add(v.header())
	if k := v.conflicts(); k != nil {
		v.body.Add(k)
	}
	if b := v.brigadeBanner(); b != nil {
		v.body.Add(b)
	}
	v.body.Add(v.stepper())
	if v.due != nil {
		loc := v.w.store.Config().Location()
		v.body.Add(widget.NewCard("Due "+v.due.Due.In(loc).Format("Mon 2 Jan 15:04"), "", &widget.Label{Text: v.due.Text, Wrapping: fyne.TextWrapWord}))
	}
	v.body.Add(v.checklist())
	v.body.Add(v.parties())
	v.body.Add(v.letters())
	if v.c.ReporterKind == app.ReporterAnonymous {
		v.body.Add(v.worksheet())
	}
	v.body.Add(v.timeline())
	v.body.Refresh()
}

// header is the code name, the stage, and the exports.
func (v *caseView) header() fyne.CanvasObject {
	c := v.c
	back := widget.NewButtonWithIcon("All cases", theme.NavigateBackIcon(), func() { v.w.g.touch(); v.w.cases.showList() })
	title := &widget.Label{Text: c.Code, TextStyle: fyne.TextStyle{Bold: true}, SizeName: theme.SizeNameHeadingText}
	stage := c.Stage.Title()
	if c.Outcome != "" {
		stage += " — " + c.Outcome.Title()
	}
	if m := v.w.store.Roster().Member(c.Responder); m != nil {
		stage += " · responder " + m.Name
	}
	update := widget.NewButtonWithIcon("Status update…", theme.DocumentIcon(), v.onExportUpdate)
	summary := widget.NewButtonWithIcon("Case summary…", theme.DocumentSaveIcon(), v.onExportSummary)
	send := widget.NewButtonWithIcon("Send to member…", theme.MailForwardIcon(), v.onSendToMember)
	top := container.NewHBox(back, title, widget.NewLabel(stage), layout.NewSpacer(), update, summary, send)
	var cats []string
	for _, k := range append([]app.Category{""}, app.Categories...) {
		cats = append(cats, k.Title())
	}
	v.category = widget.NewSelect(cats, nil)
	v.category.SetSelected(c.Category.Title())
	v.category.OnChanged = func(string) { v.onCategory() }
	archive := widget.NewButtonWithIcon("Archive summary…", theme.DocumentCreateIcon(), v.onArchiveSummary)
	if c.ArchiveSummary != "" {
		archive.SetText("Archive summary ✓…")
	}
	record := container.NewHBox(widget.NewLabel("Kind of behaviour"),
		container.NewGridWrap(fyne.NewSize(260, v.category.MinSize().Height), v.category), archive)
	loc := v.w.store.Config().Location()
	facts := &widget.Label{Text: fmt.Sprintf("Received %s. %s", c.Received.In(loc).Format("Monday 2 January 2006, 15:04"), c.Summary), Wrapping: fyne.TextWrapWord}
	return container.NewVBox(top, facts, record)
}

// brigadeBanner shows why the case is linked to others, or nil.
func (v *caseView) brigadeBanner() fyne.CanvasObject {
	for _, f := range v.w.store.Brigading() {
		if !slices.Contains(f.Cases, v.code) {
			continue
		}
		links := container.NewHBox(widget.NewLabel("Linked cases:"))
		for _, code := range f.Cases {
			if code == v.code {
				continue
			}
			code := code
			links.Add(widget.NewButton(code, func() { v.w.openCase(code, nil) }))
		}
		reasons := make([]string, len(f.Reasons))
		for i, r := range f.Reasons {
			reasons[i] = sentence(r)
		}
		why := &widget.Label{Text: strings.Join(reasons, " "), Wrapping: fyne.TextWrapWord}
		return widget.NewCard("Possible brigading", "Several reports about "+f.Person+" look coordinated; weigh them together.",
			container.NewVBox(why, links))
	}
	return nil
}

// stepper shows every stage: the ones done, the current one, the rest.
func (v *caseView) stepper() fyne.CanvasObject {
	row := container.NewHBox()
	cur := v.c.Stage.Index()
	for i, st := range app.Stages {
		l := &widget.Label{Text: st.Title()}
		var icon fyne.Resource
		switch {
		case i < cur:
			icon = theme.NewSuccessThemedResource(theme.ConfirmIcon())
			l.Importance = widget.LowImportance
		case i == cur:
			icon = theme.NewPrimaryThemedResource(theme.RadioButtonCheckedIcon())
			l.TextStyle.Bold = true
			l.Importance = widget.HighImportance
		default:
			icon = theme.NewDisabledResource(theme.RadioButtonIcon())
			l.Importance = widget.LowImportance
		}
		row.Add(container.NewHBox(widget.NewIcon(icon), l))
	}
	return container.NewHScroll(row)
}

// flagHint drops the command-line flag hints from an action's help.
var flagHint = regexp.MustCompile(`\s*\((or )?--[^)]*\)`)

// help is an action's help in words for the window.
func help(a app.Action) string { return sentence(flagHint.ReplaceAllString(a.Help(), "")) }

// checklist is the current stage's actions: a button for each ready one,
// and the reason each other one waits.
func (v *caseView) checklist() fyne.CanvasObject {
	list := container.NewVBox()
	// The steps that can be taken now come first; the waiting ones after,
	// each with its reason.
	states := v.c.Checklist(v.w.store.Context())
	slices.SortStableFunc(states, func(a, b app.ActionState) int {
		switch {
		case a.Ready == b.Ready:
			return 0
		case a.Ready:
			return -1
		}
		return 1
	})
	for _, st := range states {
		a := st.Action
		b := widget.NewButton(a.Title(), func() { v.onAction(a) })
		b.Alignment = widget.ButtonAlignLeading
		if v.due != nil && v.due.Action == a {
			b.Importance = widget.HighImportance
			b.Icon = theme.NavigateNextIcon()
		}
		text := help(a)
		var why *widget.Label
		if !st.Ready {
			b.Disable()
			why = &widget.Label{Text: "Waits: " + st.Why + ".", Wrapping: fyne.TextWrapWord, Importance: widget.WarningImportance}
			v.why[a] = why
		}
		v.actions[a] = b
		row := container.NewVBox(&widget.Label{Text: text, Wrapping: fyne.TextWrapWord})
		if why != nil {
			row.Add(why)
		}
		list.Add(container.NewBorder(nil, nil, container.NewGridWrap(fyne.NewSize(210, b.MinSize().Height), b), nil, row))
	}
	return widget.NewCard("What to do now", "The steps of the stage "+v.c.Stage.Title()+"; a step that must wait says why.", list)
}

// outreachWords say a party's outreach status.
var outreachWords = map[app.Outreach]string{
	app.NotContacted: "not contacted", app.Contacted: "contacted", app.Responded: "responded", app.Declined: "declined to respond",
}

// parties lists the parties with role, contact, outreach and last update,
// and the conflicts of interest.
func (v *caseView) parties() fyne.CanvasObject {
	loc := v.w.store.Config().Location()
	grid := container.New(layout.NewFormLayout())
	for _, p := range v.c.Parties {
		contact := p.Contact
		if contact == "" {
			contact = "no contact"
		}
		status := outreachWords[p.Outreach]
		if p.Role == app.RoleReporter {
			status = "reporter"
			if !v.c.AcknowledgedAt.IsZero() {
				status = "acknowledged " + v.c.AcknowledgedAt.In(loc).Format("2 Jan")
			}
		}
		last := "no status update yet"
		if !p.LastUpdateAt.IsZero() {
			last = "last status update " + p.LastUpdateAt.In(loc).Format("2 Jan 2006")
		}
		grid.Add(&widget.Label{Text: fmt.Sprintf("%s · %s", p.ID, p.DisplayName()), TextStyle: fyne.TextStyle{Bold: true}})
		grid.Add(&widget.Label{Text: fmt.Sprintf("%s · %s · %s · %s", roleTitle(p.Role), contact, status, last), Wrapping: fyne.TextWrapWord})
	}
	box := container.NewVBox(grid)
	roster := v.w.store.Roster()
	for _, k := range v.c.Conflicts {
		name := k.MemberID
		if m := roster.Member(k.MemberID); m != nil {
			name = m.Name
		}
		box.Add(&widget.Label{Text: fmt.Sprintf("Conflict of interest (%s): %s — %s", k.Kind, name, k.Reason), Wrapping: fyne.TextWrapWord, Importance: widget.WarningImportance})
	}
	return widget.NewCard("Parties", "", box)
}

// roleTitle names a role for people.
func roleTitle(r app.Role) string {
	if r == app.RoleReporter {
		return "Reporter"
	}
	if w, ok := roleWords[r]; ok {
		return w
	}
	return string(r)
}

// visibilityWords say who may see an item.
func (v *caseView) visibilityWords(vis app.Visibility) string {
	if vis.CommitteeOnly() {
		return "committee only"
	}
	var names []string
	for _, id := range vis.SharedWith {
		if p := v.c.Party(id); p != nil {
			names = append(names, id+" "+p.DisplayName())
		} else {
			names = append(names, id)
		}
	}
	return "shared with " + strings.Join(names, ", ")
}

// timelineItem is one entry of the timeline.
type timelineItem struct {
	at      time.Time
	icon    fyne.Resource
	head    string
	text    string
	actions []fyne.CanvasObject
}

// timeline lists messages, notes, decisions, evidence and steps, newest
// first, each with who may see it.
func (v *caseView) timeline() fyne.CanvasObject {
	c := v.c
	var items []timelineItem
	party := func(id string) string {
		if p := c.Party(id); p != nil {
			return id + " " + p.DisplayName()
		}
		return id
	}
	for _, m := range v.msgs {
		dir := "from " + party(m.PartyID)
		icon := theme.MailComposeIcon()
		if m.Direction == app.Out {
			dir = "to " + party(m.PartyID)
			icon = theme.MailSendIcon()
		}
		head := "Message " + dir
		if m.Pending {
			head += " (draft, not yet sent)"
		}
		text := m.Text
		if m.Subject != "" {
			text = m.Subject + " — " + text
		}
		it := timelineItem{at: m.At, icon: icon, head: head + " · " + v.visibilityWords(m.Visibility), text: text}
		if m.Pending {
			id := m.ID
			it.actions = append(it.actions, widget.NewButtonWithIcon("Mark sent", theme.MailSendIcon(), func() { v.onMarkSent(id) }))
		}
		for _, a := range m.Attachments {
			a := a
			it.actions = append(it.actions, widget.NewButtonWithIcon(fmt.Sprintf("Save %s (%s)…", a.Name, app.FormatSize(a.Size)), theme.DownloadIcon(), func() { v.onSaveAttachment(a) }))
		}
		if len(m.Defects) > 0 {
			it.text += "\n(" + plural(len(m.Defects), "defect") + " worked around while reading this e-mail; a part may be missing.)"
		}
		items = append(items, it)
	}
	for _, n := range c.Notes {
		items = append(items, timelineItem{at: n.At, icon: theme.DocumentIcon(), head: "Note · " + v.visibilityWords(n.Visibility), text: n.Text})
	}
	for _, d := range c.Decisions {
		head := "Decision"
		if d.Outcome != "" {
			head += ": " + d.Outcome.Title()
		}
		items = append(items, timelineItem{at: d.At, icon: theme.ConfirmIcon(), head: head + " · " + v.visibilityWords(d.Visibility), text: d.Text})
	}
	for _, e := range c.Evidence {
		text := strings.TrimSpace(e.URL + " " + e.Note)
		items = append(items, timelineItem{at: e.At, icon: theme.FileIcon(), head: fmt.Sprintf("Evidence %s (%s) · %s", e.ID, e.Corroboration, v.visibilityWords(e.Visibility)), text: text})
	}
	for _, ev := range c.History {
		head := "Step: " + ev.Action.Title()
		if ev.Party != "" {
			head += " · " + party(ev.Party)
		}
		if ev.To != "" && ev.To != ev.From {
			head += " · now " + ev.To.Title()
		}
		items = append(items, timelineItem{at: ev.At, icon: theme.HistoryIcon(), head: head + " · committee only", text: ev.Text})
	}
	slices.SortStableFunc(items, func(a, b timelineItem) int { return cmp.Compare(b.at.UnixNano(), a.at.UnixNano()) })

	loc := v.w.store.Config().Location()
	list := container.NewVBox()
	for _, it := range items {
		head := &widget.Label{Text: it.at.In(loc).Format("2 Jan 2006 15:04") + " · " + it.head, TextStyle: fyne.TextStyle{Bold: true}, Wrapping: fyne.TextWrapWord}
		row := container.NewVBox(head)
		if strings.TrimSpace(it.text) != "" {
			row.Add(&widget.Label{Text: it.text, Wrapping: fyne.TextWrapWord})
		}
		if len(it.actions) > 0 {
			row.Add(container.NewHBox(it.actions...))
		}
		list.Add(container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(it.icon)), nil, row))
	}
	buttons := container.NewHBox(
		widget.NewButtonWithIcon("Add a message…", theme.MailComposeIcon(), v.onAddMessage),
		widget.NewButtonWithIcon("Add a note…", theme.DocumentCreateIcon(), v.onAddNote),
		widget.NewButtonWithIcon("Add evidence…", theme.FileIcon(), v.onAddEvidence),
		widget.NewButtonWithIcon("Import e-mail…", theme.MailAttachmentIcon(), v.onImportMail),
	)
	return widget.NewCard("Timeline", "Newest first. Each item says who may see it. Drop .eml files here to import them.", container.NewVBox(buttons, list))
}

// worksheet is the corroboration worksheet of an anonymous report.
func (v *caseView) worksheet() fyne.CanvasObject {
	list := container.NewVBox()
	for _, ch := range v.c.Worksheet {
		text := fmt.Sprintf("%s · %s — source: %s · %s", ch.ID, ch.What, ch.Source, ch.Status)
		if ch.Result != "" {
			text += ": " + ch.Result
		}
		ch := ch
		record := widget.NewButton("Record the result…", func() { v.onResolveCheck(ch.ID) })
		list.Add(container.NewBorder(nil, nil, nil, record, &widget.Label{Text: text, Wrapping: fyne.TextWrapWord}))
	}
	add := widget.NewButtonWithIcon("Add a line…", theme.ContentAddIcon(), v.onAddCheck)
	return widget.NewCard("Corroboration worksheet", "An anonymous report cannot be asked about directly: list what could be verified, and where.",
		container.NewVBox(list, container.NewHBox(add)))
}

// onCategory sets the case's kind of behaviour.
func (v *caseView) onCategory() {
	v.w.g.touch()
	i := v.category.SelectedIndex()
	if i < 0 {
		return
	}
	var cat app.Category
	if i > 0 {
		cat = app.Categories[i-1]
	}
	if cat == v.c.Category {
		return
	}
	if _, err := v.w.store.SetCategory(v.code, cat); err != nil {
		v.w.g.showError("The kind of behaviour was not set", err)
	}
	v.reload()
}

// onArchiveSummary edits the neutral summary the archive keeps.
func (v *caseView) onArchiveSummary() {
	v.w.g.touch()
	text := v.w.g.newMultiLineEntry()
	text.SetMinRowsVisible(6)
	text.SetText(v.c.ArchiveSummary)
	v.w.g.showForm("Archive summary", "Save", []*widget.FormItem{
		widget.NewFormItem("", &widget.Label{Text: "A neutral account for the group's archive: what kind of thing happened and what was done, without names, " +
			"handles or contacts. Casebook also removes every name and contact it knows when the archive is made.", Wrapping: fyne.TextWrapWord}),
		widget.NewFormItem("Summary", text),
	}, func() error {
		if _, err := v.w.store.SetArchiveSummary(v.code, text.Text); err != nil {
			return err
		}
		v.reload()
		return nil
	})
}
