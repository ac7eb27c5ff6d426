package desktop

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"casebook/app"
)

// formDialog is a dialog with a form that stays open, with the problem
// shown in it, until submit succeeds or the person cancels.
type formDialog struct {
	d       dialog.Dialog
	title   string
	items   []*widget.FormItem
	problem *widget.Label
	ok      *widget.Button
}

// showForm shows a form dialog; submit runs on the confirm button and
// closes the dialog when it returns nil.
func (g *gui) showForm(title, confirm string, items []*widget.FormItem, submit func() error) *formDialog {
	f := &formDialog{title: title, items: items, problem: &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance}}
	g.lastForm = f
	form := widget.NewForm(items...)
	cancel := widget.NewButton("Cancel", func() { f.d.Hide() })
	f.ok = &widget.Button{Text: confirm, Importance: widget.HighImportance, OnTapped: func() {
		g.touch()
		if err := submit(); err != nil {
			g.log.Info(title, "err", logSafe(err))
			f.problem.SetText(describe(err))
			return
		}
		f.d.Hide()
	}}
	content := container.NewVBox(form, f.problem, container.NewHBox(layout.NewSpacer(), cancel, f.ok))
	f.d = dialog.NewCustomWithoutButtons(title, container.NewGridWrap(fyne.NewSize(560, content.MinSize().Height), content), g.win)
	g.showDialog(f.d)
	return f
}

// partyChoice is a select of the case's parties.
func (v *caseView) partyChoice() (*widget.Select, func() string) {
	var names []string
	for _, p := range v.c.Parties {
		names = append(names, fmt.Sprintf("%s · %s (%s)", p.ID, p.DisplayName(), roleTitle(p.Role)))
	}
	s := widget.NewSelect(names, nil)
	s.PlaceHolder = "Choose a party"
	return s, func() string {
		if i := s.SelectedIndex(); i >= 0 {
			return v.c.Parties[i].ID
		}
		return ""
	}
}

// memberChoice is a select of the active members, preselecting pre.
func (v *caseView) memberChoice(pre string) (*widget.Select, func() string) {
	active := v.w.store.Roster().Active()
	names := memberLabels(active)
	s := widget.NewSelect(names, nil)
	s.PlaceHolder = "Choose a member"
	for i, m := range active {
		if m.ID == pre {
			s.SetSelectedIndex(i)
		}
	}
	return s, func() string {
		if i := s.SelectedIndex(); i >= 0 {
			return active[i].ID
		}
		return ""
	}
}

// shareChoice is the parties an item may be shared with; none means
// committee only.
func (v *caseView) shareChoice() (*widget.CheckGroup, func() app.Visibility) {
	var names []string
	for _, p := range v.c.Parties {
		names = append(names, fmt.Sprintf("%s · %s (%s)", p.ID, p.DisplayName(), roleTitle(p.Role)))
	}
	g := widget.NewCheckGroup(names, nil)
	return g, func() app.Visibility {
		var vis app.Visibility
		for i, n := range names {
			for _, s := range g.Selected {
				if s == n {
					vis.SharedWith = append(vis.SharedWith, v.c.Parties[i].ID)
				}
			}
		}
		return vis
	}
}

// errChoose is a step detail the person left out.
var errChoose = fmt.Errorf("%w: choose", app.ErrInvalid)

// onAction opens the dialog of one step, with the details it takes.
func (v *caseView) onAction(a app.Action) {
	v.w.g.touch()
	step := app.Step{Action: a}
	var items []*widget.FormItem
	var read []func() error
	items = append(items, widget.NewFormItem("", &widget.Label{Text: help(a), Wrapping: fyne.TextWrapWord}))
	for _, f := range a.Fields() {
		switch f {
		case app.FieldParty:
			s, get := v.partyChoice()
			items = append(items, widget.NewFormItem("Party", s))
			read = append(read, func() error {
				if step.Party = get(); step.Party == "" {
					return fmt.Errorf("%w the party", errChoose)
				}
				return nil
			})
		case app.FieldMember:
			pre := ""
			if a == app.ActVote {
				pre = v.w.store.Roster().Me
			}
			s, get := v.memberChoice(pre)
			items = append(items, widget.NewFormItem("Member", s))
			read = append(read, func() error {
				if step.Member = get(); step.Member == "" {
					return fmt.Errorf("%w the member", errChoose)
				}
				return nil
			})
		case app.FieldResponder:
			s, get := v.memberChoice(v.c.Responder)
			items = append(items, widget.NewFormItem("Responder", s))
			read = append(read, func() error {
				if step.Responder = get(); step.Responder == "" {
					return fmt.Errorf("%w the responder", errChoose)
				}
				return nil
			})
		case app.FieldOutcome:
			var names []string
			outcomes := app.Outcomes
			if a == app.ActRecordAgreement {
				outcomes = []app.Outcome{app.OutcomeResolvedByParties, app.OutcomeMediatedAgreement}
			}
			for _, o := range outcomes {
				names = append(names, o.Title())
			}
			s := widget.NewSelect(names, nil)
			items = append(items, widget.NewFormItem("Outcome", s))
			read = append(read, func() error {
				i := s.SelectedIndex()
				if i < 0 {
					return fmt.Errorf("%w the outcome", errChoose)
				}
				step.Outcome = outcomes[i]
				return nil
			})
		case app.FieldChoice:
			r := widget.NewRadioGroup([]string{"For", "Against", "Abstain"}, nil)
			r.Horizontal = true
			items = append(items, widget.NewFormItem("Vote", r))
			read = append(read, func() error {
				if r.Selected == "" {
					return fmt.Errorf("%w for, against or abstain", errChoose)
				}
				step.Choice = app.Choice(strings.ToLower(r.Selected))
				return nil
			})
		case app.FieldKind:
			r := widget.NewRadioGroup([]string{"Hard: may not see the case", "Soft: declared, may take part"}, nil)
			items = append(items, widget.NewFormItem("Conflict", r))
			read = append(read, func() error {
				switch {
				case strings.HasPrefix(r.Selected, "Hard"):
					step.Kind = app.HardConflict
				case strings.HasPrefix(r.Selected, "Soft"):
					step.Kind = app.SoftConflict
				default:
					return fmt.Errorf("%w hard or soft", errChoose)
				}
				return nil
			})
		case app.FieldDate:
			cfg := v.w.store.Config()
			e := v.w.g.newEntry()
			e.SetText(v.w.g.opts.Now().In(cfg.Location()).AddDate(0, 0, cfg.FollowUpDays).Format("2006-01-02"))
			items = append(items, widget.NewFormItem("Date", e))
			read = append(read, func() error {
				t, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(e.Text), cfg.Location())
				if err != nil {
					return fmt.Errorf("%w: write the date as 2026-12-01", app.ErrInvalid)
				}
				step.Date = t
				return nil
			})
		case app.FieldAssessment:
			scope, impact, risk := v.w.g.newEntry(), v.w.g.newEntry(), v.w.g.newEntry()
			scope.SetPlaceHolder("Is it within the Code of Conduct, and where?")
			impact.SetPlaceHolder("Who is affected, and how badly?")
			risk.SetPlaceHolder("Could it happen again or grow?")
			items = append(items, widget.NewFormItem("Scope", scope), widget.NewFormItem("Impact", impact), widget.NewFormItem("Risk", risk))
			read = append(read, func() error {
				step.Assessment = app.Assessment{Scope: scope.Text, Impact: impact.Text, Risk: risk.Text}
				return nil
			})
		case app.FieldText:
			label, required := a.TextLabel()
			e := v.w.g.newMultiLineEntry()
			e.Wrapping = fyne.TextWrapWord
			e.SetMinRowsVisible(3)
			items = append(items, widget.NewFormItem(label, e))
			read = append(read, func() error {
				step.Text = e.Text
				if required && strings.TrimSpace(e.Text) == "" {
					return fmt.Errorf("%w: %s is needed", app.ErrInvalid, strings.ToLower(label))
				}
				return nil
			})
		}
	}
	v.w.g.showForm(a.Title(), a.Title(), items, func() error {
		for _, r := range read {
			if err := r(); err != nil {
				return err
			}
		}
		if _, err := v.w.store.Step(v.code, step); err != nil {
			return err
		}
		v.due = nil
		v.reload()
		return nil
	})
}

// onAddNote records an internal note.
func (v *caseView) onAddNote() {
	v.w.g.touch()
	text := v.w.g.newMultiLineEntry()
	text.Wrapping = fyne.TextWrapWord
	text.SetMinRowsVisible(4)
	share, vis := v.shareChoice()
	v.w.g.showForm("Add a note", "Add the note", []*widget.FormItem{
		widget.NewFormItem("Note", text),
		{Text: "Share with", Widget: share, HintText: "Leave all unticked to keep it for the committee only."},
	}, func() error {
		if strings.TrimSpace(text.Text) == "" {
			return fmt.Errorf("%w: write the note", app.ErrInvalid)
		}
		if _, err := v.w.store.AddNote(v.code, text.Text, vis()); err != nil {
			return err
		}
		v.reload()
		return nil
	})
}

// onAddMessage records a message received from or sent to a party.
func (v *caseView) onAddMessage() {
	v.w.g.touch()
	party, get := v.partyChoice()
	dir := widget.NewRadioGroup([]string{"Received from the party", "Sent to the party"}, nil)
	dir.SetSelected("Received from the party")
	subject := v.w.g.newEntry()
	text := v.w.g.newMultiLineEntry()
	text.Wrapping = fyne.TextWrapWord
	text.SetMinRowsVisible(5)
	share, vis := v.shareChoice()
	v.w.g.showForm("Add a message", "Add the message", []*widget.FormItem{
		widget.NewFormItem("Party", party),
		widget.NewFormItem("", dir),
		widget.NewFormItem("Subject", subject),
		widget.NewFormItem("Message", text),
		{Text: "Share with", Widget: share, HintText: "Leave all unticked to keep it for the committee only."},
	}, func() error {
		m := app.Message{PartyID: get(), Direction: app.In, Channel: app.ChannelEmail, Subject: subject.Text, Text: text.Text, Visibility: vis()}
		if m.PartyID == "" {
			return fmt.Errorf("%w the party", errChoose)
		}
		if strings.HasPrefix(dir.Selected, "Sent") {
			m.Direction = app.Out
		}
		if _, err := v.w.store.AddMessage(v.code, m); err != nil {
			return err
		}
		v.reload()
		return nil
	})
}

// onAddEvidence records a link or a note about evidence.
func (v *caseView) onAddEvidence() {
	v.w.g.touch()
	link := v.w.g.newEntry()
	link.SetPlaceHolder("https://…")
	note := v.w.g.newMultiLineEntry()
	note.Wrapping = fyne.TextWrapWord
	share, vis := v.shareChoice()
	v.w.g.showForm("Add evidence", "Add the evidence", []*widget.FormItem{
		widget.NewFormItem("Link", link),
		widget.NewFormItem("What it shows", note),
		{Text: "Share with", Widget: share, HintText: "Leave all unticked to keep it for the committee only."},
	}, func() error {
		if strings.TrimSpace(link.Text) == "" && strings.TrimSpace(note.Text) == "" {
			return fmt.Errorf("%w: give a link, or say what the evidence is and where it is kept", app.ErrInvalid)
		}
		if _, err := v.w.store.AddEvidence(v.code, strings.TrimSpace(link.Text), note.Text, vis()); err != nil {
			return err
		}
		v.reload()
		return nil
	})
}

// onAddCheck adds a line to the corroboration worksheet.
func (v *caseView) onAddCheck() {
	v.w.g.touch()
	what, source := v.w.g.newEntry(), v.w.g.newEntry()
	what.SetPlaceHolder("A claim or link that could be verified")
	source.SetPlaceHolder("A public link, or a person to ask")
	v.w.g.showForm("Add a line to the worksheet", "Add the line", []*widget.FormItem{
		widget.NewFormItem("What", what), widget.NewFormItem("Source", source),
	}, func() error {
		if _, err := v.w.store.AddCheck(v.code, what.Text, source.Text); err != nil {
			return err
		}
		v.reload()
		return nil
	})
}

// onResolveCheck records what a worksheet line found.
func (v *caseView) onResolveCheck(id string) {
	v.w.g.touch()
	status := widget.NewRadioGroup([]string{string(app.Corroborated), string(app.NotCorroborated), string(app.Unverified)}, nil)
	result := v.w.g.newEntry()
	v.w.g.showForm("Record the result", "Record", []*widget.FormItem{
		widget.NewFormItem("Found", status), widget.NewFormItem("What was found", result),
	}, func() error {
		if status.Selected == "" {
			return fmt.Errorf("%w what was found", errChoose)
		}
		if _, err := v.w.store.ResolveCheck(v.code, id, app.Corroboration(status.Selected), result.Text); err != nil {
			return err
		}
		v.reload()
		return nil
	})
}

// entry is an entry in which Escape closes the dialog it is in: a focused
// entry otherwise keeps the key to itself.
type entry struct {
	widget.Entry
	g *gui
}

// newEntry makes a one-line entry for a dialog.
func (g *gui) newEntry() *entry {
	e := &entry{g: g}
	e.ExtendBaseWidget(e)
	return e
}

// newMultiLineEntry makes a wrapping entry of several lines for a dialog.
func (g *gui) newMultiLineEntry() *entry {
	e := g.newEntry()
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	return e
}

// TypedRune types, and counts as use for the auto-lock.
func (e *entry) TypedRune(r rune) {
	e.g.touch()
	e.Entry.TypedRune(r)
}

// TypedKey closes the dialog on Escape and types otherwise.
func (e *entry) TypedKey(k *fyne.KeyEvent) {
	e.g.touch()
	if k.Name == fyne.KeyEscape {
		e.g.closeTopDialog()
		return
	}
	e.Entry.TypedKey(k)
}

// memberLabels names members for a choice, telling apart two with the
// same name by their IDs: a select finds an option by its text.
func memberLabels(ms []*app.Member) []string {
	count := map[string]int{}
	for _, m := range ms {
		count[m.Name]++
	}
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Name
		if count[m.Name] > 1 {
			out[i] += " (" + m.ID + ")"
		}
	}
	return out
}
