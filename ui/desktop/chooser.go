package desktop

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	native "github.com/sqweek/dialog"
)

// Chooser asks the person where to write. Each method calls done on the
// UI goroutine with the chosen path, or "" when the person cancelled.
// Nothing is ever written anywhere else.
type Chooser interface {
	// SaveFile asks for a file to create, suggesting name.
	SaveFile(w fyne.Window, title, name string, done func(path string))
	// Folder asks for a folder to write into.
	Folder(w fyne.Window, title string, done func(dir string))
	// OpenFile asks for a file to read, of the kind ext names (".eml").
	OpenFile(w fyne.Window, title, ext string, done func(path string))
}

// fileKinds name the kinds of file Casebook writes and reads, by
// extension, for the dialogs' filters.
var fileKinds = map[string]string{".pdf": "PDF document", ".eml": "E-mail message"}

// nativeChooser uses the operating system's own dialogs, and Fyne's where
// those are not available (no GTK, say).
type nativeChooser struct {
	log      *slog.Logger
	fallback Chooser
}

// errNoNative means the native dialog could not be shown.
var errNoNative = errors.New("the system's file dialog is not available")

// runNative runs a native dialog off the UI goroutine and hands its
// answer back; a failure other than cancelling falls back to Fyne's.
func (c nativeChooser) runNative(ask func() (string, error), done func(string), fallback func()) {
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		path, err := func() (p string, err error) {
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("%w: %v", errNoNative, r)
				}
			}()
			return ask()
		}()
		fyne.Do(func() {
			switch {
			case errors.Is(err, native.ErrCancelled):
				done("")
			case err != nil:
				c.log.Info("falling back to Fyne's file dialog", "err", logSafe(err))
				fallback()
			default:
				done(path)
			}
		})
	}()
}

func (c nativeChooser) SaveFile(w fyne.Window, title, name string, done func(string)) {
	ext := filepath.Ext(name)
	c.runNative(func() (string, error) {
		return native.File().Title(title).Filter(fileKinds[ext], strings.TrimPrefix(ext, ".")).SetStartFile(name).Save()
	}, done, func() { c.fallback.SaveFile(w, title, name, done) })
}

func (c nativeChooser) OpenFile(w fyne.Window, title, ext string, done func(string)) {
	c.runNative(func() (string, error) {
		return native.File().Title(title).Filter(fileKinds[ext], strings.TrimPrefix(ext, ".")).Load()
	}, done, func() { c.fallback.OpenFile(w, title, ext, done) })
}

func (c nativeChooser) Folder(w fyne.Window, title string, done func(string)) {
	c.runNative(func() (string, error) {
		return native.Directory().Title(title).Browse()
	}, done, func() { c.fallback.Folder(w, title, done) })
}

// fyneChooser uses Fyne's own dialogs.
type fyneChooser struct{ g *gui }

func (c fyneChooser) SaveFile(w fyne.Window, _ string, name string, done func(string)) {
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil || wc == nil {
			done("")
			return
		}
		// Fyne has created the file; the export replaces it atomically,
		// or removes it if it fails.
		path := wc.URI().Path()
		wc.Close()
		done(path)
	}, w)
	d.SetFileName(name)
	c.g.showDialog(d)
}

func (c fyneChooser) OpenFile(w fyne.Window, _, ext string, done func(string)) {
	d := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil || rc == nil {
			done("")
			return
		}
		path := rc.URI().Path()
		rc.Close()
		done(path)
	}, w)
	d.SetFilter(storage.NewExtensionFileFilter([]string{ext}))
	c.g.showDialog(d)
}

func (c fyneChooser) Folder(w fyne.Window, _ string, done func(string)) {
	d := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
		if err != nil || u == nil {
			done("")
			return
		}
		done(u.Path())
	}, w)
	c.g.showDialog(d)
}

// offerFolder tells the person what was written, and offers to open the
// folder that holds it.
func (g *gui) offerFolder(title, message, dir string) {
	d := dialog.NewConfirm(title, message+" Open the folder?", func(open bool) {
		if !open {
			return
		}
		u, err := url.Parse(storage.NewFileURI(filepath.Clean(dir)).String())
		if err == nil {
			err = g.app.OpenURL(u)
		}
		if err != nil {
			g.log.Warn("opening the folder", "err", logSafe(err))
		}
	}, g.win)
	d.SetConfirmText("Open the folder")
	d.SetDismissText("Close")
	g.showDialog(d)
}
