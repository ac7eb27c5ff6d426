package desktop

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casebook/app"
	"casebook/export"
)

// mailPerm is the mode of drafts and saved attachments: the member's alone.
const mailPerm = 0o600

// letters offers, for each party, the letters the process allows now.
func (v *caseView) letters() fyne.CanvasObject {
	ctx := v.w.store.Context()
	box := container.NewVBox()
	for _, p := range v.c.Parties {
		kinds := app.Templates(v.c, p.ID, ctx)
		if len(kinds) == 0 {
			continue
		}
		row := container.NewHBox(&widget.Label{Text: p.ID + " · " + p.DisplayName(), TextStyle: fyne.TextStyle{Bold: true}})
		for _, k := range kinds {
			party := p.ID
			row.Add(widget.NewButton(k.Title()+"…", func() { v.onLetter(k, party) }))
		}
		box.Add(row)
	}
	if len(box.Objects) == 0 {
		box.Add(&widget.Label{Text: "No letter is due to any party at this stage.", Importance: widget.LowImportance})
	}
	return widget.NewCard("Letters", "Filled from the case, with only what each reader may see; edit them before you copy or draft them.", box)
}

// letterDialog is an open letter: its editable text and its buttons.
type letterDialog struct {
	d             dialog.Dialog
	title         string
	subject, body *entry
	copyBtn       *widget.Button
	draftBtn      *widget.Button
	problem       *widget.Label
}

// onLetter opens a letter to a party, editable, to copy or to draft as an
// e-mail.
func (v *caseView) onLetter(kind app.TemplateKind, partyID string) {
	g := v.w.g
	g.touch()
	l, err := app.Template(kind, v.c, partyID, v.w.store.Context())
	if err != nil {
		g.showError("The letter could not be written", err)
		return
	}
	ld := &letterDialog{title: kind.Title(), subject: g.newEntry(), body: g.newMultiLineEntry(),
		problem: &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance}}
	ld.subject.SetText(l.Subject)
	ld.body.SetText(l.Body)
	ld.body.SetMinRowsVisible(14)
	to := l.To
	if to == "" {
		to = "no e-mail address: copy the text instead"
	}
	edited := func() *app.Letter {
		out := *l
		out.Subject, out.Body = ld.subject.Text, ld.body.Text
		return &out
	}
	ld.copyBtn = widget.NewButtonWithIcon("Copy the text", theme.ContentCopyIcon(), func() {
		g.touch()
		g.copyText(ld.body.Text)
		ld.problem.Importance = widget.MediumImportance
		ld.problem.SetText("Copied; Casebook clears the clipboard in 30 seconds.")
	})
	ld.draftBtn = widget.NewButtonWithIcon("Draft e-mail…", theme.MailComposeIcon(), func() {
		g.touch()
		v.onDraft(ld, edited())
	})
	if l.To == "" {
		ld.draftBtn.Disable()
	}
	closeBtn := widget.NewButton("Close", func() { ld.d.Hide() })
	form := widget.NewForm(
		widget.NewFormItem("To", widget.NewLabel(to)),
		widget.NewFormItem("Subject", ld.subject),
		widget.NewFormItem("Letter", ld.body),
	)
	content := container.NewVBox(form, ld.problem, container.NewHBox(layout.NewSpacer(), closeBtn, ld.copyBtn, ld.draftBtn))
	ld.d = dialog.NewCustomWithoutButtons(kind.Title(), container.NewGridWrap(fyne.NewSize(680, content.MinSize().Height), content), g.win)
	g.lastLetter = ld
	g.showDialog(ld.d)
}

// onDraft writes the letter as an unsent e-mail where the member chooses,
// and records it in the case as a draft not yet sent.
func (v *caseView) onDraft(ld *letterDialog, l *app.Letter) {
	g := v.w.g
	d, err := export.NewDraft(v.c, v.msgs, l, v.w.store.Context(), export.DraftOptions{})
	if err != nil {
		ld.problem.Importance = widget.DangerImportance
		ld.problem.SetText(describe(err))
		return
	}
	name := fmt.Sprintf("%s-%s-%s.eml", v.code, l.PartyID, l.Kind)
	g.chooser().SaveFile(g.win, "Save the e-mail draft", name, func(path string) {
		if path == "" {
			return
		}
		if err := export.WriteFile(path, mailPerm, d.Write); err != nil {
			g.showError("The draft was not written", err)
			return
		}
		m, err := v.w.store.AddDraft(v.code, l, d.MessageID)
		if err != nil {
			os.Remove(path) // a draft the case does not know would be forgotten
			g.showError("The draft was not recorded, so it was not kept", err)
			return
		}
		ld.d.Hide()
		v.reload()
		g.offerFolder("Draft written", fmt.Sprintf("Wrote %s and recorded it as %s, not yet sent. Open it in your mail program, edit and send it, then mark it sent in the timeline.", filepath.Base(path), m.ID), filepath.Dir(path))
	})
}

// onMarkSent marks a draft as sent, taking its step when the process
// allows it.
func (v *caseView) onMarkSent(msgID string) {
	g := v.w.g
	g.touch()
	sent, err := v.w.store.MarkSent(v.code, msgID)
	if err != nil {
		g.showError("The draft was not marked sent", err)
		return
	}
	v.reload()
	switch {
	case sent.NotTaken != "":
		g.info("Marked sent", fmt.Sprintf("%s is marked sent. Its step (%s) was not taken: %s.", msgID, sent.Step.Title(), sent.NotTaken))
	case sent.Step != "":
		g.info("Marked sent", fmt.Sprintf("%s is marked sent, and the step %s is recorded.", msgID, sent.Step.Title()))
	}
}

// onSaveAttachment writes an attachment where the member chooses: the
// only way one leaves the vault.
func (v *caseView) onSaveAttachment(a app.AttachmentRef) {
	g := v.w.g
	g.touch()
	g.chooser().SaveFile(g.win, "Save the attachment", filepath.Base(a.Name), func(path string) {
		if path == "" {
			return
		}
		_, data, err := v.w.store.Attachment(v.code, a.ID)
		if err == nil {
			err = export.WriteFile(path, mailPerm, func(w io.Writer) error { _, err := w.Write(data); return err })
		}
		if err != nil {
			g.showError("The attachment was not saved", err)
			return
		}
		g.offerFolder("Saved", "Saved the attachment to "+filepath.Base(path)+".", filepath.Dir(path))
	})
}

// onImportMail imports an .eml file the member chooses into the case.
func (v *caseView) onImportMail() {
	g := v.w.g
	g.touch()
	g.chooser().OpenFile(g.win, "Import an e-mail message", ".eml", func(path string) {
		if path != "" {
			v.importMail([]string{path})
		}
	})
}

// importMail imports the files one after another; a sender no party
// matches is asked about before going on.
func (v *caseView) importMail(paths []string) {
	if len(paths) == 0 || v.w.g.work != v.w {
		return // done, or the app locked meanwhile
	}
	v.importOne(paths[0], "", func() { v.importMail(paths[1:]) })
}

// importOne imports one file, as partyID's when it is set, then calls
// next.
func (v *caseView) importOne(path, partyID string, next func()) {
	g := v.w.g
	name := filepath.Base(path)
	m, err := readMail(path)
	if err == nil {
		_, err = v.w.store.ImportMail(v.code, m, partyID)
	}
	var unknown *app.UnknownSenderError
	switch {
	case errors.As(err, &unknown):
		v.askParty(name, unknown, func(party string) {
			if party == "" {
				next()
				return
			}
			v.importOne(path, party, next)
		})
		return
	case err != nil:
		g.log.Info("e-mail import refused", "err", logSafe(err))
		g.info(name+" was not imported", describe(err))
	default:
		v.reload()
	}
	next()
}

// readMail parses one message file.
func readMail(path string) (*app.Mail, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return app.ParseMail(f)
}

// askParty asks whose message it is, when its sender matches no party.
func (v *caseView) askParty(name string, e *app.UnknownSenderError, done func(party string)) {
	choice, get := v.partyChoice()
	msg := fmt.Sprintf("The sender of %s is none of the case's parties. Whose message is it?", name)
	if e.Sent {
		msg = fmt.Sprintf("%s was sent by a member of the committee. To which party?", name)
	}
	answered := false
	f := v.w.g.showForm("Which party?", "Import", []*widget.FormItem{
		widget.NewFormItem("", &widget.Label{Text: msg, Wrapping: fyne.TextWrapWord}),
		widget.NewFormItem("Party", choice),
	}, func() error {
		p := get()
		if p == "" {
			return fmt.Errorf("%w the party", errChoose)
		}
		answered = true
		done(p)
		return nil
	})
	f.d.SetOnClosed(func() {
		v.w.g.forgetDialog(f.d)
		if !answered {
			done("")
		}
	})
}

// onDropped imports .eml files dropped on the window into the open case.
func (g *gui) onDropped(_ fyne.Position, uris []fyne.URI) {
	if g.work == nil {
		return
	}
	g.touch()
	var paths []string
	for _, u := range uris {
		if strings.EqualFold(u.Extension(), ".eml") {
			paths = append(paths, u.Path())
		}
	}
	if len(paths) == 0 {
		g.info("Nothing imported", "Drop e-mail messages saved as .eml files.")
		return
	}
	v := g.work.cases.current
	if v == nil {
		g.info("Nothing imported", "Open the case the messages belong to, then drop them on it.")
		return
	}
	v.importMail(paths)
}
