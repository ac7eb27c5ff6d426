// Package desktop is Casebook's desktop face: the Fyne window through which
// a committee member unlocks the vault, sees what is due this week, finds
// cases, files new reports and keeps the committee's settings.
//
// One struct per screen holds its widgets and what it needs; build methods
// assemble the widgets and on… methods handle events. Slow work (key
// derivation, opening the vault) runs off the UI goroutine and comes back
// through fyne.Do. Like the rest of ui/, the package holds no business
// rule: it asks app.Store.
package desktop

import (
	"log/slog"
	"runtime/debug"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"casebook/app"
	"casebook/assets"
	"casebook/vault"
)

// windowTitle is the main window's title.
const windowTitle = "Casebook"

// windowSize is the main window's size when it opens.
var windowSize = fyne.NewSize(1000, 680)

// appIcon is Casebook's icon as a Fyne resource.
var appIcon = fyne.NewStaticResource("icon.png", assets.IconPNG)

// Options configure the desktop app; the zero value is what people get.
type Options struct {
	// Vault is passed to vault.Create and vault.Open.
	Vault vault.Options
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives diagnostics, never case content; nil means
	// slog.Default().
	Logger *slog.Logger
	// Chooser asks where to write files; nil means the system's own
	// dialogs, falling back to Fyne's.
	Chooser Chooser
}

// gui is the running app: one window whose content is the unlock screen
// while the vault is locked, and the workspace while it is open.
type gui struct {
	app  fyne.App
	win  fyne.Window
	dir  string
	opts Options
	log  *slog.Logger

	sess *session   // nil while locked
	work *workspace // nil while locked
	// lockedScreen is the screen shown while there is no workspace: the
	// unlock, create or recovery screen.
	lockedScreen any

	lastActive time.Time
	// spawn starts slow work off the UI goroutine; tests replace it to
	// run the work when they choose.
	spawn func(work func())
	// busy counts slow work in flight; the app does not lock itself under
	// it, which would close the vault beneath the work. closing records a
	// request to close the window meanwhile.
	busy             int
	closing, locking bool
	// inLock is set while locking closes the dialogs.
	inLock bool
	// copied is what Casebook last put on the clipboard.
	copied string
	// after runs fn on the UI goroutine after d; tests replace it.
	after func(d time.Duration, fn func())
	// dialogs are the dialogs open now, the newest last.
	dialogs []dialog.Dialog
	// notice is said on the next unlock screen (why the app locked).
	notice string
	// onProgress, for tests, sees each step of a cancellable job, with
	// its Cancel button.
	onProgress func(cancel *widget.Button)
	// lastForm and lastLetter are the form and letter dialogs shown
	// last, for tests.
	lastForm   *formDialog
	lastLetter *letterDialog
}

// Show opens Casebook's main window for the vault in vaultDir, starts the
// idle timer, and returns the window. Call it on Fyne's UI goroutine,
// before a.Run.
func Show(a fyne.App, vaultDir string) fyne.Window {
	// The app sits idle for hours holding the case book, while drawing
	// (a blinking cursor) makes a little garbage all the time. With Go's
	// default the heap would grow to twice the case book before each
	// collection; a quarter is plenty, and costs well under 1 % of a CPU.
	debug.SetGCPercent(idleGCPercent)
	startMemoryTrim()
	g := newGUI(a, vaultDir, Options{})
	g.startIdleTimer()
	g.win.CenterOnScreen()
	g.win.Show()
	return g.win
}

// newGUI builds the app's window on its first screen, without showing it.
func newGUI(a fyne.App, dir string, opts Options) *gui {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Vault.Logger == nil {
		opts.Vault.Logger = opts.Logger
	}
	g := &gui{app: a, dir: dir, opts: opts, log: opts.Logger, spawn: func(work func()) { go work() },
		after: func(d time.Duration, fn func()) { time.AfterFunc(d, func() { fyne.Do(fn) }) }}
	a.SetIcon(appIcon)
	applyTheme(a, themeChoice(a.Preferences().StringWithFallback(themePref, string(themeSystem))))
	g.win = a.NewWindow(windowTitle)
	g.win.SetIcon(appIcon)
	g.win.Resize(windowSize)
	g.win.SetCloseIntercept(g.onClose)
	g.win.SetOnDropped(g.onDropped)
	g.addShortcuts()
	g.showLocked()
	return g
}

// session is an unlocked vault and the case book on it.
type session struct {
	v     *vault.Vault
	store *app.Store
}

// openSession unlocks the vault in dir and loads its case book.
func openSession(dir string, passphrase []byte, opts Options) (*session, error) {
	v, err := vault.Open(dir, passphrase, opts.Vault)
	if err != nil {
		return nil, err
	}
	s, err := app.OpenStore(v, opts.Now)
	if err != nil {
		v.Lock()
		return nil, err
	}
	return &session{v: v, store: s}, nil
}

// close locks the vault: Badger closes and the keys are dropped.
func (s *session) close() error { return s.v.Lock() }

// showLocked puts the unlock screen, or the create screen on first run, in
// the window.
func (g *gui) showLocked() {
	if vault.Exists(g.dir) {
		s := newUnlockScreen(g)
		g.lockedScreen = s
		g.win.SetContent(s.build())
		g.win.Canvas().Focus(s.pass)
	} else {
		s := newCreateScreen(g)
		g.lockedScreen = s
		g.win.SetContent(s.build())
		g.win.Canvas().Focus(s.name)
	}
}

// unlocked opens the workspace on an unlocked session.
func (g *gui) unlocked(s *session) {
	g.sess = s
	g.notice = ""
	g.lockedScreen = nil
	g.touch()
	g.work = newWorkspace(g, s.store)
	g.win.SetContent(g.work.build())
	g.work.restoreDrafts()
	// The first search of a large case book reads every message (about a
	// second at 10,000 cases); do that now, while the member reads This
	// week, not at their first keystroke. A lock meanwhile only stops it.
	// Loading the case book and reading every message leave hundreds of
	// megabytes of garbage, which the runtime would hand back over
	// minutes, and leave every page of the vault's files mapped in; hand
	// both back as soon as both are done.
	go func() {
		s.store.WarmSearch()
		debug.FreeOSMemory()
		releaseMappedPages()
	}()
}

// lock saves what is being typed (encrypted, in the vault), closes every
// dialog, locks the vault and returns to the unlock screen. notice says
// why, on the unlock screen.
func (g *gui) lock(notice string) {
	if r, ok := g.lockedScreen.(*recoveryScreen); ok {
		// A new vault whose recovery code is on screen: close it too.
		r.code = ""
		if err := r.sess.close(); err != nil {
			g.log.Error("locking the vault", "err", logSafe(err))
		}
		g.clearClipboard()
		g.showLocked()
		return
	}
	if g.sess == nil {
		return
	}
	if g.busy > 0 {
		// Locking under slow work would close the vault beneath it.
		g.locking = true
		g.info("Still working", "Casebook locks as soon as the work under way is done.")
		return
	}
	if g.work != nil {
		if err := g.work.saveDrafts(); err != nil {
			g.log.Error("could not save the drafts before locking", "err", logSafe(err))
			notice = "Casebook locked, but could not keep what you were typing: " + describe(err)
		}
	}
	g.inLock = true
	g.closeDialogs()
	g.inLock = false
	g.clearClipboard()
	if err := g.sess.close(); err != nil {
		g.log.Error("locking the vault", "err", logSafe(err))
	}
	g.sess, g.work = nil, nil
	g.notice = notice
	g.showLocked()
}

// onClose locks before the window closes, so drafts are kept. Under slow
// work it waits for the work to end, which would otherwise lose the vault
// beneath it.
func (g *gui) onClose() {
	if g.busy > 0 {
		g.closing = true
		g.info("Still working", "Casebook closes as soon as the work under way is done.")
		return
	}
	g.lock("")
	g.win.Close()
}

// workDone ends one piece of slow work, and closes the window if it was
// asked to close meanwhile.
func (g *gui) workDone() {
	g.busy--
	g.touch()
	if g.busy > 0 {
		return
	}
	switch {
	case g.closing:
		g.closing, g.locking = false, false
		g.closeDialogs()
		g.onClose()
	case g.locking:
		g.locking = false
		g.lock("")
	}
}

// touch records activity, which postpones the auto-lock.
func (g *gui) touch() { g.lastActive = g.opts.Now() }

// checkIdle locks the vault when it has been idle for the committee's
// auto-lock time.
func (g *gui) checkIdle() {
	if g.sess == nil {
		return
	}
	minutes := g.sess.store.Config().AutoLockMinutes
	if minutes <= 0 {
		return
	}
	if g.busy > 0 {
		g.touch() // the idle time starts when the work ends
		return
	}
	if idle := g.opts.Now().Sub(g.lastActive); idle >= time.Duration(minutes)*time.Minute {
		g.lock("Casebook locked itself after " + plural(minutes, "minute") + " without use.")
	}
}

// idleGCPercent is the garbage collector's target for the app (Go's
// default is 100): the heap may grow by this percentage of what is live
// before a collection.
const idleGCPercent = 25

// idleCheckEvery is how often the idle timer looks.
const idleCheckEvery = 10 * time.Second

// startIdleTimer checks for idleness until the app stops.
func (g *gui) startIdleTimer() {
	go func() {
		for range time.Tick(idleCheckEvery) {
			fyne.Do(g.checkIdle)
		}
	}()
}

// addShortcuts binds Ctrl+N (new report), Ctrl+F (search), Ctrl+L (lock)
// and Escape (close the newest dialog).
func (g *gui) addShortcuts() {
	c := g.win.Canvas()
	add := func(key fyne.KeyName, fn func()) {
		c.AddShortcut(&desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault},
			func(fyne.Shortcut) { fn() })
	}
	for _, k := range []fyne.KeyName{fyne.KeyL, fyne.KeyN, fyne.KeyF} {
		add(k, func() { g.shortcut(k) })
	}
	// The same shortcuts in the main menu work while an entry has the
	// keyboard, which keeps the canvas's own shortcuts for itself.
	item := func(label string, key fyne.KeyName, fn func()) *fyne.MenuItem {
		it := fyne.NewMenuItem(label, fn)
		it.Shortcut = &desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault}
		return it
	}
	g.win.SetMainMenu(fyne.NewMainMenu(fyne.NewMenu("Casebook",
		item("New report", fyne.KeyN, func() { g.shortcut(fyne.KeyN) }),
		item("Find", fyne.KeyF, func() { g.shortcut(fyne.KeyF) }),
		fyne.NewMenuItemSeparator(),
		item("Lock", fyne.KeyL, func() { g.shortcut(fyne.KeyL) }),
	)))
	c.SetOnTypedKey(func(e *fyne.KeyEvent) {
		g.touch()
		if e.Name == fyne.KeyEscape {
			g.closeTopDialog()
		}
	})
}

// shortcut runs the command of Ctrl+key: L locks, N opens the new-report
// form, F the search.
func (g *gui) shortcut(key fyne.KeyName) {
	if key == fyne.KeyL {
		g.lock("")
		return
	}
	if g.work == nil {
		return
	}
	g.touch()
	g.closeDialogs()
	switch key {
	case fyne.KeyN:
		g.work.showNewReport()
	case fyne.KeyF:
		g.work.showSearch()
	}
}

// showDialog shows d and keeps track of it, so Escape and locking can
// close it.
func (g *gui) showDialog(d dialog.Dialog) {
	g.dialogs = append(g.dialogs, d)
	d.SetOnClosed(func() { g.forgetDialog(d) })
	d.Show()
}

func (g *gui) forgetDialog(d dialog.Dialog) {
	for i, x := range g.dialogs {
		if x == d {
			g.dialogs = append(g.dialogs[:i], g.dialogs[i+1:]...)
			return
		}
	}
}

// closeTopDialog closes the newest dialog, if any.
func (g *gui) closeTopDialog() {
	if n := len(g.dialogs); n > 0 {
		g.dialogs[n-1].Hide()
	}
}

// closeDialogs closes every dialog and pop-up on the window.
func (g *gui) closeDialogs() {
	for len(g.dialogs) > 0 {
		d := g.dialogs[len(g.dialogs)-1]
		g.forgetDialog(d)
		d.Hide()
	}
	overlays := g.win.Canvas().Overlays()
	for _, o := range overlays.List() {
		overlays.Remove(o)
	}
}

// info shows a short message in a dialog.
func (g *gui) info(title, message string) {
	g.showDialog(dialog.NewInformation(title, message, g.win))
}

// slow runs work off the UI goroutine behind a progress dialog titled
// title, then calls done with its error on the UI goroutine.
func (g *gui) slow(title string, work func() error, done func(error)) {
	bar := widget.NewProgressBarInfinite()
	d := dialog.NewCustomWithoutButtons(title, container.NewPadded(bar), g.win)
	d.Show()
	g.busy++
	g.spawn(func() {
		err := work()
		fyne.DoAndWait(func() {
			bar.Stop()
			d.Hide()
			done(err)
			g.workDone()
		})
	})
}

// chooser is where files are chosen.
func (g *gui) chooser() Chooser {
	inner := g.opts.Chooser
	if inner == nil {
		inner = nativeChooser{log: g.log, fallback: fyneChooser{g}}
	}
	return guardedChooser{g: g, inner: inner, work: g.work}
}

// guardedChooser drops an answer that comes after the app locked or
// unlocked again: the question was asked of a session that is gone.
type guardedChooser struct {
	g     *gui
	inner Chooser
	work  *workspace
}

func (c guardedChooser) guard(done func(string)) func(string) {
	return func(path string) {
		if c.g.work != c.work {
			return
		}
		done(path)
	}
}

func (c guardedChooser) SaveFile(w fyne.Window, title, name string, done func(string)) {
	c.inner.SaveFile(w, title, name, c.guard(done))
}

func (c guardedChooser) Folder(w fyne.Window, title string, done func(string)) {
	c.inner.Folder(w, title, c.guard(done))
}

func (c guardedChooser) OpenFile(w fyne.Window, title, ext string, done func(string)) {
	c.inner.OpenFile(w, title, ext, c.guard(done))
}

// clipboardClearAfter is how long copied case text stays on the
// clipboard.
const clipboardClearAfter = 30 * time.Second

// copyText puts text on the clipboard, and clears it after
// clipboardClearAfter if it is still what Casebook put there, so case text
// does not linger for other programs.
func (g *gui) copyText(text string) {
	cb := g.app.Clipboard()
	cb.SetContent(text)
	g.copied = text
	g.after(clipboardClearAfter, func() {
		if cb.Content() == text {
			cb.SetContent("")
		}
	})
}

// clearClipboard empties the clipboard if it still holds what Casebook
// put there: on locking and closing, case text must not outlive the
// session.
func (g *gui) clearClipboard() {
	if g.copied == "" {
		return
	}
	if cb := g.app.Clipboard(); cb.Content() == g.copied {
		cb.SetContent("")
	}
	g.copied = ""
}
