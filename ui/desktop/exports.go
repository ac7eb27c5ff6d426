package desktop

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"casebook/app"
	"casebook/export"
)

// pdfPerm is the mode of the PDFs Casebook writes: the member's alone.
const pdfPerm = 0o600

// writePDF writes one PDF to path off the UI goroutine, then offers to
// open its folder, adding note (if any) to what it says once written.
func (g *gui) writePDF(what, path, note string, write func(io.Writer) error) {
	g.slow("Writing the "+what+"…", func() error {
		return export.WriteFile(path, pdfPerm, write)
	}, func(err error) {
		if err != nil {
			g.showError("The "+what+" was not written", err)
			return
		}
		msg := fmt.Sprintf("Wrote the %s to %s.", what, filepath.Base(path))
		if note != "" {
			msg += " " + note
		}
		g.offerFolder("Written", msg, filepath.Dir(path))
	})
}

// onExportUpdate writes a status update for one party, on request; it is
// not recorded as sent.
func (v *caseView) onExportUpdate() {
	v.w.g.touch()
	party, get := v.partyChoice()
	v.w.g.showForm("Status update", "Choose where to save…", []*widget.FormItem{
		widget.NewFormItem("", &widget.Label{Text: "A PDF for one party, with only what that party may see. It is not recorded as sent.", Wrapping: fyne.TextWrapWord}),
		widget.NewFormItem("For", party),
	}, func() error {
		id := get()
		if id == "" {
			return fmt.Errorf("%w the party", errChoose)
		}
		u, err := export.BuildPartyUpdate(v.c, v.msgs, id, v.w.store.Config(), export.UpdateOptions{}, v.w.g.opts.Now())
		if err != nil {
			return err
		}
		v.w.g.chooser().SaveFile(v.w.g.win, "Save the status update", v.code+"-"+id+".pdf", func(path string) {
			if path != "" {
				// What was withheld is said once the file is written, not
				// before: a failed write has nothing to say it of.
				note := export.WithheldNote("The update for "+id, u.Withheld)
				v.w.g.writePDF("status update", path, note, func(w io.Writer) error { return export.WriteUpdate(w, u, export.PDFOptions{}) })
			}
		})
		return nil
	})
}

// onExportSummary writes the committee's case summary.
func (v *caseView) onExportSummary() {
	v.w.g.touch()
	s := export.BuildCaseSummary(v.c, v.msgs, v.w.store.Roster(), v.w.store.Config(), v.w.g.opts.Now())
	v.w.g.chooser().SaveFile(v.w.g.win, "Save the case summary", v.code+"-summary.pdf", func(path string) {
		if path != "" {
			v.w.g.writePDF("case summary", path, "", func(w io.Writer) error { return export.WriteCaseSummary(w, s, export.PDFOptions{}) })
		}
	})
}

// onExportAgenda writes the weekly meeting's agenda.
func (w *workspace) onExportAgenda() {
	w.g.touch()
	now := w.g.opts.Now()
	a := export.BuildAgenda(w.store.Due(now), w.store.Brigading(), w.store.ShutOut(), w.store.Config(), now)
	name := "agenda-" + now.In(w.store.Config().Location()).Format("2006-01-02") + ".pdf"
	w.g.chooser().SaveFile(w.g.win, "Save the meeting agenda", name, func(path string) {
		if path != "" {
			w.g.writePDF("meeting agenda", path, "", func(out io.Writer) error { return export.WriteAgenda(out, a, export.PDFOptions{}) })
		}
	})
}

// errCancelled means the person cancelled a long export.
var errCancelled = errors.New("cancelled")

// onExportUpdatesDue writes every status update owed this week into a
// folder, with progress and a Cancel button, and records each as sent.
// Cancelled, it removes what it wrote and records nothing.
func (w *workspace) onExportUpdatesDue() {
	w.g.touch()
	now := w.g.opts.Now()
	owed, err := export.OwedUpdates(w.store, now, export.UpdateOptions{})
	if err != nil {
		w.g.showError("The status updates could not be prepared", err)
		return
	}
	if len(owed) == 0 {
		w.g.info("Status updates", "No status update is owed.")
		return
	}
	w.g.chooser().Folder(w.g.win, "Choose the folder for the status updates", func(dir string) {
		if dir == "" {
			return
		}
		w.writeUpdates(dir, owed)
	})
}

// writeUpdates writes the updates into dir off the UI goroutine.
func (w *workspace) writeUpdates(dir string, owed []export.OwedUpdate) {
	g := w.g
	store := w.store
	g.cancellable("Writing "+plural(len(owed), "status update")+"…", len(owed), func(ctx context.Context, step func()) error {
		written := make([]bool, len(owed))
		errs := export.Parallel(len(owed), func(i int) error {
			if ctx.Err() != nil {
				return errCancelled
			}
			o := owed[i]
			err := export.WriteFile(filepath.Join(dir, o.FileName()), pdfPerm, func(out io.Writer) error {
				return export.WriteUpdate(out, o.Update, export.PDFOptions{})
			})
			written[i] = err == nil
			step()
			return err
		})
		failed := ctx.Err() != nil
		var first error
		for _, err := range errs {
			if err != nil && first == nil {
				first = err
			}
		}
		if failed || first != nil {
			// All or nothing: a half-done batch would leave the
			// committee unsure who was sent what.
			for i, ok := range written {
				if ok {
					os.Remove(filepath.Join(dir, owed[i].FileName()))
				}
			}
			if failed {
				return errCancelled
			}
			return first
		}
		for i, o := range owed {
			if _, err := store.Step(o.Code, app.Step{Action: app.ActStatusUpdate, Party: o.Party}); err != nil {
				// The files not recorded go: only what is recorded as
				// sent stays, so the folder and the cases agree.
				for _, rest := range owed[i:] {
					os.Remove(filepath.Join(dir, rest.FileName()))
				}
				return &partialBatchError{recorded: i, err: err}
			}
		}
		return nil
	}, func(err error) {
		var partial *partialBatchError
		switch {
		case errors.Is(err, errCancelled):
			g.info("Cancelled", "No status update was written or recorded.")
		case errors.As(err, &partial):
			g.log.Warn("recording status updates", "err", logSafe(partial.err))
			g.info("Status updates", fmt.Sprintf("Wrote and recorded %s; the rest could not be recorded (%s), so their files were removed.",
				plural(partial.recorded, "status update"), describe(partial.err)))
		case err != nil:
			g.showError("The status updates were not written", err)
		default:
			if g.work == w {
				w.changed()
			}
			msg := fmt.Sprintf("Wrote %s and recorded them as sent. Send each to its party.", plural(len(owed), "status update"))
			for _, o := range owed {
				if note := export.WithheldNote(o.Code+" "+o.Party, o.Update.Withheld); note != "" {
					msg += " " + note
				}
			}
			g.offerFolder("Written", msg, dir)
		}
	})
}

// cancellable runs work off the UI goroutine behind a dialog with a
// progress bar of total steps and a Cancel button, then calls done on the
// UI goroutine. work calls step after each step and stops when ctx ends.
func (g *gui) cancellable(title string, total int, work func(ctx context.Context, step func()) error, done func(error)) {
	ctx, cancel := context.WithCancel(context.Background())
	bar := &widget.ProgressBar{Max: float64(total)}
	stop := widget.NewButton("Cancel", cancel)
	d := dialog.NewCustomWithoutButtons(title, container.NewVBox(bar, container.NewCenter(stop)), g.win)
	d.Show()
	g.busy++
	var n int
	var mu sync.Mutex // steps come from many goroutines; one at a time
	g.spawn(func() {
		err := work(ctx, func() {
			mu.Lock()
			defer mu.Unlock()
			n++
			v := n
			fyne.Do(func() {
				bar.SetValue(float64(v))
				if g.onProgress != nil {
					g.onProgress(stop)
				}
			})
		})
		cancel()
		fyne.DoAndWait(func() {
			d.Hide()
			done(err)
			g.workDone()
		})
	})
}

// onExportArchive writes the anonymized archive and its transparency
// report into a new folder inside the one the member chooses. Cancelled
// before the files are written, it writes nothing; the files themselves
// appear all at once (export.WriteArchive).
func (w *workspace) onExportArchive() {
	w.g.touch()
	g, store := w.g, w.store
	g.chooser().Folder(g.win, "Choose where to put the anonymized archive", func(parent string) {
		if parent == "" {
			return
		}
		now := g.opts.Now()
		dir := filepath.Join(parent, "casebook-archive-"+now.In(store.Config().Location()).Format("2006-01-02"))
		if err := export.CheckArchiveDir(dir); err != nil {
			g.showError("The archive was not written", err)
			return
		}
		var a *export.Archive
		g.cancellable("Writing the anonymized archive…", 2, func(ctx context.Context, step func()) error {
			var err error
			a, err = export.BuildArchiveFrom(store, time.Time{}, time.Time{}, export.ArchiveOptions{K: export.DefaultK, Generated: now, Program: app.Version})
			if err != nil {
				return err
			}
			step()
			if ctx.Err() != nil {
				return errCancelled
			}
			// Recorded before anything is written: the audit log may
			// over-report an export, never miss one.
			if err := store.RecordExport("archive"); err != nil {
				return err
			}
			if err := export.WriteArchive(dir, a, export.PDFOptions{}); err != nil {
				return err
			}
			step()
			return nil
		}, func(err error) {
			switch {
			case errors.Is(err, errCancelled):
				g.info("Cancelled", "No archive was written.")
			case err != nil:
				g.showError("The archive was not written", err)
			default:
				g.offerFolder("Archive written", fmt.Sprintf("Wrote the anonymized archive of %s, with its transparency report, to %s. Publish summary.pdf; keep the records for the group.",
					plural(a.Manifest.Counts.Cases, "case"), filepath.Base(dir)), dir)
			}
		})
	})
}

// partialBatchError says a batch of updates was recorded only in part.
type partialBatchError struct {
	recorded int
	err      error
}

func (e *partialBatchError) Error() string {
	return fmt.Sprintf("%d status updates recorded, then: %v", e.recorded, e.err)
}

func (e *partialBatchError) Unwrap() error { return e.err }
