package desktop

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casebook/app"
	"casebook/export"
)

// bundleExt is the extension of a bundle file.
const bundleExt = ".casebook"

// onSendToMember makes a bundle of the case for the members chosen, signed
// and encrypted to them, and writes it where the member chooses.
func (v *caseView) onSendToMember() { v.w.sendToMembers(v.code, "") }

// sendToMembers asks for the members to send the case with that code to,
// saying why first when why is not empty, and writes the bundle where the
// member chooses.
func (w *workspace) sendToMembers(code, why string) {
	g := w.g
	g.touch()
	r := w.store.Roster()
	var names, ids []string
	for _, m := range r.Active() {
		if m.ID == r.Me {
			continue
		}
		label := m.Name
		if m.Key == nil {
			label += " (no key recorded yet)"
		}
		names = append(names, label)
		ids = append(ids, m.ID)
	}
	to := widget.NewCheckGroup(names, nil)
	soft := widget.NewCheck("Also to members who declared a soft conflict on the case", nil)
	var items []*widget.FormItem
	if why != "" {
		items = append(items, widget.NewFormItem("", &widget.Label{Text: why, Wrapping: fyne.TextWrapWord}))
	}
	items = append(items,
		widget.NewFormItem("", &widget.Label{Text: "The case, its correspondence and attachments, encrypted to the members chosen and to you, and signed by you. " +
			"Give them the file any way you like: only they can open it.", Wrapping: fyne.TextWrapWord}),
		widget.NewFormItem("To", to),
		widget.NewFormItem("", soft))
	g.showForm("Send to members", "Choose where to save…", items, func() error {
		var chosen []string
		for i, n := range names {
			for _, s := range to.Selected {
				if s == n {
					chosen = append(chosen, ids[i])
				}
			}
		}
		if len(chosen) == 0 {
			return fmt.Errorf("%w the members to send the case to", errChoose)
		}
		out, err := w.store.PrepareBundle([]string{code}, chosen, app.BundleOptions{AllowSoftConflicts: soft.Checked})
		if err != nil {
			return err
		}
		g.chooser().SaveFile(g.win, "Save the bundle", code+bundleExt, func(path string) {
			if path == "" {
				return
			}
			err := export.WriteBundle(path, out)
			if errors.Is(err, export.ErrBundleNotRecorded) {
				// Written whole: only the due list may still ask for it.
				g.log.Warn("recording a bundle", "err", logSafe(err))
			} else if err != nil {
				g.showError("The bundle was not written", err)
				return
			}
			w.changed() // a case sent on is no longer due to be
			g.offerFolder("Bundle written", fmt.Sprintf("Wrote %s for %s. Only they and you can open it.", filepath.Base(path), strings.Join(out.To, ", ")), filepath.Dir(path))
		})
		return nil
	})
}

// onImportBundle merges a bundle a member sent into the case book.
func (w *workspace) onImportBundle() {
	g := w.g
	g.touch()
	g.chooser().OpenFile(g.win, "Import a bundle", bundleExt, func(path string) {
		if path == "" {
			return
		}
		w.importBundle(path)
	})
}

// importBundle reads and merges one bundle, then says what it did.
func (w *workspace) importBundle(path string) {
	g := w.g
	f, err := os.Open(path)
	if err != nil {
		g.showError("The bundle was not imported", err)
		return
	}
	defer f.Close()
	rep, err := w.store.ImportBundle(f)
	var partial *app.PartialImportError
	if errors.As(err, &partial) {
		w.changed() // the cases before the failure are in
		g.showError("The bundle was imported only in part", err)
		return
	}
	if err != nil {
		g.showError("The bundle was not imported", err)
		return
	}
	w.changed()
	var lines []string
	for _, c := range rep.Cases {
		switch c.Status {
		case app.ImportAdded:
			lines = append(lines, c.Code+": added")
		case app.ImportMerged:
			l := fmt.Sprintf("%s: %s taken", c.Code, plural(c.Taken, "change"))
			if c.Conflicts > 0 {
				l += fmt.Sprintf(", %s to settle in the case", plural(c.Conflicts, "conflict"))
			}
			lines = append(lines, l)
		case app.ImportUnchanged:
			lines = append(lines, c.Code+": nothing new")
		default:
			lines = append(lines, "a case was skipped: "+c.Reason)
		}
	}
	g.info("Bundle from "+rep.From, strings.Join(lines, "\n"))
}

// conflicts lists the merge conflicts of the case, each to settle by
// keeping this vault's value or the bundle's; nil when there are none.
func (v *caseView) conflicts() fyne.CanvasObject {
	list, err := v.w.store.MergeConflicts(v.code)
	if err != nil || len(list) == 0 {
		return nil
	}
	loc := v.w.store.Config().Location()
	box := container.NewVBox()
	for _, k := range list {
		id := k.ID
		text := fmt.Sprintf("%s — yours: %s; %s's (%s): %s", k.What, k.Mine, k.From, k.At.In(loc).Format("2 Jan"), k.Theirs)
		mine := widget.NewButton("Keep yours", func() { v.onResolve(id, app.KeepMine) })
		theirs := widget.NewButton("Take theirs", func() { v.onResolve(id, app.KeepTheirs) })
		box.Add(container.NewBorder(nil, nil, nil, container.NewHBox(mine, theirs), &widget.Label{Text: text, Wrapping: fyne.TextWrapWord}))
	}
	return widget.NewCard("Changes to settle", "A bundle changed what you had changed too. Nothing was overwritten: choose, for each, which to keep.", box)
}

// onResolve settles one merge conflict.
func (v *caseView) onResolve(id string, keep app.Keep) {
	v.w.g.touch()
	if err := v.w.store.ResolveConflict(v.code, id, keep); err != nil {
		v.w.g.showError("The change was not settled", err)
	}
	v.reload()
}

// onExpunge destroys the closed cases whose keeping time is over, after
// asking, off the UI goroutine.
func (w *workspace) onExpunge() {
	g := w.g
	g.touch()
	now := g.opts.Now()
	due := w.store.ExpungeDue(now)
	if len(due) == 0 {
		g.info("Nothing to expunge", "No closed case has reached the end of its keeping time.")
		return
	}
	var codes []string
	hidden := 0
	for _, c := range due {
		if c.Hidden {
			hidden++
		} else {
			codes = append(codes, c.Code)
		}
	}
	what := strings.Join(codes, ", ")
	if hidden > 0 {
		what += fmt.Sprintf(" and %s you have a conflict of interest on", plural(hidden, "case"))
	}
	d := dialog.NewConfirm("Expunge "+plural(len(due), "case"),
		"These closed cases have reached the end of their keeping time: "+strings.TrimPrefix(what, " and ")+
			". Expunging destroys them for good on this laptop; the archive keeps only their counts. Expunge them now?",
		func(ok bool) {
			if !ok {
				return
			}
			var done []app.ExpungeCandidate
			g.slow("Expunging…", func() error {
				var err error
				done, err = w.store.Expunge(now)
				return err
			}, func(err error) {
				if g.work == w {
					w.changed()
				}
				switch {
				case errors.Is(err, app.ErrCompact):
					g.info("Expunged", fmt.Sprintf("Expunged %s. The vault will shrink later, when it compacts itself.", plural(len(done), "case")))
				case err != nil:
					g.showError("The cases were not expunged", err)
				default:
					g.info("Expunged", fmt.Sprintf("Expunged %s: their data and keys are destroyed, and the vault is compacted.", plural(len(done), "case")))
				}
			})
		}, g.win)
	d.SetConfirmText("Expunge")
	g.showDialog(d)
}

// keyCard shows this vault's key line, to give to the other members.
func (s *settingsScreen) keyCard() fyne.CanvasObject {
	line, err := s.w.store.MyKeyLine()
	if err != nil {
		s.w.g.log.Warn("reading the vault's key", "err", logSafe(err))
		return widget.NewCard("Your key", "", widget.NewLabel(describe(err)))
	}
	k, _ := s.w.store.MyKey()
	// In the text font, not monospace: the line is copied, not read out
	// (the fingerprint is), and each text style Fyne draws keeps its own
	// parsed copy of the fonts, some 5 MB, for as long as the app runs.
	text := &widget.Label{Text: line, Wrapping: fyne.TextWrapBreak, Selectable: true}
	cp := widget.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), func() { s.w.g.touch(); s.w.g.app.Clipboard().SetContent(line) })
	return widget.NewCard("Your key", "Give this line to the other members so they can send you cases; compare the fingerprint "+k.Fingerprint()+" by voice.",
		container.NewVBox(text, container.NewHBox(cp)))
}

// onSetKey records a member's key line.
func (s *settingsScreen) onSetKey(m *app.Member) {
	g := s.w.g
	g.touch()
	line := g.newEntry()
	line.SetPlaceHolder("casebook-key1 age1… …")
	replace := widget.NewCheck("Replace the key recorded before (they made a new vault)", nil)
	items := []*widget.FormItem{widget.NewFormItem("Key line", line)}
	if m.Key != nil {
		items = append(items, widget.NewFormItem("", replace))
	}
	g.showForm("Key of "+m.Name, "Record the key", items, func() error {
		k, _, err := app.ParseMemberKey(strings.TrimSpace(line.Text))
		if err != nil {
			return err
		}
		if _, err := s.w.store.SetMemberKey(m.ID, k, replace.Checked); err != nil {
			return err
		}
		s.refresh()
		return nil
	})
}
