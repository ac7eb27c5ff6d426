package desktop

import (
	"errors"
	"io"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casebook/app"
	"casebook/export"
	"casebook/vault"
)

// Texts of the first-run and unlock screens.
const (
	aboutText = "Casebook keeps the committee's confidential reports and correspondence " +
		"in an encrypted vault on this computer, and says what is due."
	unlockText = "Enter your passphrase to open the vault."
	createText = "There is no vault on this computer yet. Choose a passphrase to create one: " +
		"four or five unrelated words are strong and easy to remember. " +
		"Without the passphrase or the recovery code, nobody — not even you — can read the vault."
	recoveryText = "This is the vault's recovery code. It opens the vault if the passphrase is forgotten. " +
		"Write it down or print the recovery sheet, and keep it somewhere safe and locked, away from this computer. " +
		"Casebook shows it only now."
	recoveryStoredText = "I have stored the recovery code somewhere safe"
)

// header is the icon and title at the top of the locked screens.
func header() fyne.CanvasObject {
	icon := canvas.NewImageFromResource(appIcon)
	icon.FillMode = canvas.ImageFillContain
	icon.SetMinSize(fyne.NewSquareSize(56))
	title := &widget.Label{Text: windowTitle, TextStyle: fyne.TextStyle{Bold: true}, SizeName: theme.SizeNameHeadingText}
	return container.NewHBox(icon, container.NewCenter(title))
}

// narrow centres content in a column of readable width.
func narrow(content fyne.CanvasObject) fyne.CanvasObject {
	return container.NewCenter(container.NewGridWrap(fyne.NewSize(520, content.MinSize().Height), content))
}

// unlockScreen asks for the passphrase.
type unlockScreen struct {
	g       *gui
	pass    *widget.Entry
	message *widget.Label
	unlock  *widget.Button
}

func newUnlockScreen(g *gui) *unlockScreen { return &unlockScreen{g: g} }

func (s *unlockScreen) build() fyne.CanvasObject {
	s.pass = widget.NewPasswordEntry()
	s.pass.SetPlaceHolder("Passphrase")
	s.pass.OnSubmitted = func(string) { s.onUnlock() }
	s.message = &widget.Label{Text: s.g.notice, Wrapping: fyne.TextWrapWord, Importance: widget.WarningImportance}
	s.unlock = &widget.Button{Text: "Unlock", Icon: theme.LoginIcon(), Importance: widget.HighImportance, OnTapped: s.onUnlock}
	content := container.NewVBox(
		header(),
		&widget.Label{Text: aboutText, Wrapping: fyne.TextWrapWord},
		&widget.Label{Text: unlockText, Wrapping: fyne.TextWrapWord},
		s.pass,
		container.NewHBox(s.unlock),
		s.message,
	)
	return container.NewPadded(narrow(content))
}

// onUnlock derives the key and opens the vault, off the UI goroutine.
func (s *unlockScreen) onUnlock() {
	if s.pass.Text == "" {
		s.message.SetText("Enter your passphrase.")
		return
	}
	pass := []byte(s.pass.Text)
	s.pass.SetText("")
	s.unlock.Disable()
	s.message.SetText("")
	var sess *session
	s.g.slow("Unlocking the vault…", func() error {
		var err error
		sess, err = openSession(s.g.dir, pass, s.g.opts)
		clear(pass)
		return err
	}, func(err error) {
		s.unlock.Enable()
		if err != nil {
			if !errors.Is(err, vault.ErrWrongPassphrase) {
				s.g.log.Warn("unlock failed", "err", logSafe(err))
			}
			s.message.SetText(describe(err))
			s.g.win.Canvas().Focus(s.pass)
			return
		}
		s.g.unlocked(sess)
	})
}

// createScreen makes the vault on first run.
type createScreen struct {
	g        *gui
	name     *widget.Entry
	pass     *widget.Entry
	again    *widget.Entry
	strength *widget.ProgressBar
	verdict  *widget.Label
	message  *widget.Label
	create   *widget.Button
}

func newCreateScreen(g *gui) *createScreen { return &createScreen{g: g} }

// strengthWords names zxcvbn's scores 0 to 4.
var strengthWords = [...]string{"Very weak", "Weak", "Fair", "Strong", "Very strong"}

func (s *createScreen) build() fyne.CanvasObject {
	s.name = widget.NewEntry()
	s.name.SetPlaceHolder("Your name, as the committee knows you")
	s.pass = widget.NewPasswordEntry()
	s.pass.SetPlaceHolder("Passphrase")
	s.pass.OnChanged = s.onPassChanged
	s.again = widget.NewPasswordEntry()
	s.again.SetPlaceHolder("The same passphrase again")
	s.again.OnSubmitted = func(string) { s.onCreate() }
	s.strength = &widget.ProgressBar{Max: 4}
	s.strength.TextFormatter = func() string { return "" }
	s.verdict = &widget.Label{Text: "Strength: —"}
	s.message = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance}
	s.create = &widget.Button{Text: "Create the vault", Icon: theme.ConfirmIcon(), Importance: widget.HighImportance, OnTapped: s.onCreate}
	content := container.NewVBox(
		header(),
		&widget.Label{Text: createText, Wrapping: fyne.TextWrapWord},
		s.name,
		s.pass,
		s.again,
		container.NewBorder(nil, nil, s.verdict, nil, s.strength),
		container.NewHBox(s.create),
		s.message,
	)
	return container.NewPadded(narrow(content))
}

// onPassChanged rates the passphrase as it is typed.
func (s *createScreen) onPassChanged(p string) {
	if p == "" {
		s.strength.SetValue(0)
		s.verdict.SetText("Strength: —")
		return
	}
	score, _ := app.PassphraseStrength([]byte(p), s.related()...)
	s.strength.SetValue(float64(score))
	s.verdict.SetText("Strength: " + strengthWords[score])
}

// related are the words an attacker would try first.
func (s *createScreen) related() []string {
	return append(strings.Fields(s.name.Text), "casebook")
}

// onCreate checks the passphrase and creates the vault off the UI
// goroutine; then the recovery code is shown.
func (s *createScreen) onCreate() {
	if strings.TrimSpace(s.name.Text) == "" {
		s.message.SetText("Enter your name: the audit log records who did what.")
		return
	}
	if s.pass.Text != s.again.Text {
		s.message.SetText("The two passphrases do not match.")
		return
	}
	pass := []byte(s.pass.Text)
	if err := app.CheckNewPassphrase(pass, s.related()...); err != nil {
		s.message.SetText(describe(err))
		return
	}
	name := strings.TrimSpace(s.name.Text)
	s.pass.SetText("")
	s.again.SetText("")
	s.message.SetText("")
	s.create.Disable()
	var sess *session
	var code string
	s.g.slow("Creating the vault…", func() error {
		var err error
		sess, code, err = createSession(s.g.dir, pass, name, s.g.opts)
		clear(pass)
		return err
	}, func(err error) {
		s.create.Enable()
		if err != nil {
			s.g.log.Warn("create failed", "err", logSafe(err))
			s.message.SetText(describe(err))
			return
		}
		r := newRecoveryScreen(s.g, sess, code)
		s.g.lockedScreen = r
		s.g.win.SetContent(r.build())
	})
}

// createSession makes the vault in dir, puts the member on its roster as
// the one using it, and opens the case book.
func createSession(dir string, passphrase []byte, name string, opts Options) (*session, string, error) {
	o := opts.Vault
	o.Actor = name
	v, code, err := vault.Create(dir, passphrase, o)
	if err != nil {
		return nil, "", err
	}
	s, err := app.OpenStore(v, opts.Now)
	if err == nil {
		err = s.UpdateRoster(func(r *app.Roster) error {
			m, err := r.Add(name, "")
			if err == nil {
				r.Me = m.ID
			}
			return err
		})
	}
	if err != nil {
		v.Lock()
		return nil, "", err
	}
	return &session{v: v, store: s}, code, nil
}

// recoveryScreen shows the recovery code once, and offers the sheet.
type recoveryScreen struct {
	g       *gui
	sess    *session
	code    string
	stored  *widget.Check
	next    *widget.Button
	message *widget.Label
}

func newRecoveryScreen(g *gui, sess *session, code string) *recoveryScreen {
	return &recoveryScreen{g: g, sess: sess, code: code}
}

func (s *recoveryScreen) build() fyne.CanvasObject {
	code := &widget.Label{Text: s.code, TextStyle: fyne.TextStyle{Monospace: true, Bold: true}, Selectable: true, Alignment: fyne.TextAlignCenter}
	s.next = &widget.Button{Text: "Continue", Icon: theme.NavigateNextIcon(), Importance: widget.HighImportance, OnTapped: s.onContinue}
	s.next.Disable()
	s.stored = widget.NewCheck(recoveryStoredText, func(on bool) {
		if on {
			s.next.Enable()
		} else {
			s.next.Disable()
		}
	})
	s.message = &widget.Label{Wrapping: fyne.TextWrapWord}
	save := widget.NewButtonWithIcon("Save the recovery sheet as a PDF…", theme.DocumentSaveIcon(), s.onSaveSheet)
	content := container.NewVBox(
		header(),
		&widget.Label{Text: recoveryText, Wrapping: fyne.TextWrapWord},
		widget.NewCard("", "", code),
		container.NewHBox(save),
		s.message,
		s.stored,
		container.NewHBox(s.next),
	)
	return container.NewPadded(narrow(content))
}

// onSaveSheet writes the recovery sheet where the member chooses.
func (s *recoveryScreen) onSaveSheet() {
	s.g.chooser().SaveFile(s.g.win, "Save the recovery sheet", "casebook-recovery-sheet.pdf", func(path string) {
		if path == "" {
			return
		}
		err := export.WriteFile(path, 0o600, func(w io.Writer) error {
			return export.WriteRecoverySheet(w, &export.RecoverySheet{Code: s.code, Made: s.g.opts.Now()}, export.PDFOptions{})
		})
		if err != nil {
			s.g.showError("The recovery sheet was not saved", err)
			return
		}
		s.message.SetText("Saved the recovery sheet. Print it, lock it away, and then delete the file.")
	})
}

// onContinue opens the workspace.
func (s *recoveryScreen) onContinue() {
	s.code = ""
	s.g.unlocked(s.sess)
}
