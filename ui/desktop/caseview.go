package desktop

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casebook/app"
)

// caseView shows one case: where it stands, what is due and the steps the
// process allows next, the one due marked.
type caseView struct {
	w   *workspace
	c   *app.Case
	due *app.DueItem // the due item it was opened from, or nil
}

func newCaseView(w *workspace, c *app.Case, due *app.DueItem) *caseView {
	return &caseView{w: w, c: c, due: due}
}

func (v *caseView) build() fyne.CanvasObject {
	c := v.c
	loc := v.w.store.Config().Location()
	back := widget.NewButtonWithIcon("All cases", theme.NavigateBackIcon(), func() { v.w.g.touch(); v.w.cases.showList() })
	title := &widget.Label{Text: c.Code, TextStyle: fyne.TextStyle{Bold: true}, SizeName: theme.SizeNameHeadingText}
	stage := c.Stage.Title()
	if c.Outcome != "" {
		stage += " — " + c.Outcome.Title()
	}
	facts := widget.NewForm(
		widget.NewFormItem("Stage", widget.NewLabel(stage)),
		widget.NewFormItem("Received", widget.NewLabel(c.Received.In(loc).Format("Monday 2 January 2006, 15:04"))),
		widget.NewFormItem("Summary", &widget.Label{Text: c.Summary, Wrapping: fyne.TextWrapWord}),
		widget.NewFormItem("Parties", &widget.Label{Text: v.parties(), Wrapping: fyne.TextWrapWord}),
	)
	if m := v.w.store.Roster().Member(c.Responder); m != nil {
		facts.Append("Responder", widget.NewLabel(m.Name))
	}
	body := container.NewVBox(container.NewHBox(back, title), facts)
	if v.due != nil {
		body.Add(widget.NewCard("Due "+v.due.Due.In(loc).Format("Mon 2 Jan 15:04"), "", &widget.Label{Text: v.due.Text, Wrapping: fyne.TextWrapWord}))
	}
	body.Add(&widget.Label{Text: "Next steps", TextStyle: fyne.TextStyle{Bold: true}, SizeName: theme.SizeNameSubHeadingText})
	for _, a := range c.Allowed(v.w.store.Context()) {
		body.Add(v.step(a))
	}
	body.Add(&widget.Label{Text: "Steps are taken with 'casebook case step " + c.Code + " ACTION' until the case workspace comes to this window.",
		Wrapping: fyne.TextWrapWord, Importance: widget.LowImportance})
	return container.NewVScroll(body)
}

// parties lists the parties by role.
func (v *caseView) parties() string {
	var b strings.Builder
	for i, p := range v.c.Parties {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s (%s)", p.DisplayName(), p.Role)
	}
	return b.String()
}

// step is one allowed action with its explanation; the due one is marked.
func (v *caseView) step(a app.Action) fyne.CanvasObject {
	name := &widget.Label{Text: string(a), TextStyle: fyne.TextStyle{Monospace: true}}
	help := &widget.Label{Text: a.Help(), Wrapping: fyne.TextWrapWord}
	if v.due != nil && v.due.Action == a {
		name.Importance = widget.HighImportance
		name.Text = "▶ " + name.Text
		help.TextStyle.Bold = true
	}
	return container.NewBorder(nil, nil, name, nil, help)
}
