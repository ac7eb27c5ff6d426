// Package desktop is Casebook's desktop face: the Fyne windows through
// which a committee member works with the vault and its cases.
//
// For now it shows one placeholder window that says what Casebook is,
// where the vault lives and whether one exists there; the vault itself is
// managed with the casebook commands. Like the rest of ui/, the package
// holds no business rule.
package desktop

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casebook/assets"
	"casebook/vault"
)

// windowTitle is the main window's title.
const windowTitle = "Casebook"

// windowSize is the main window's size when it opens.
var windowSize = fyne.NewSize(900, 600)

// Texts shown by the placeholder window.
const (
	aboutText = "Casebook keeps a Code of Conduct committee's confidential incident reports " +
		"and correspondence in an encrypted vault on this computer, and guides the committee " +
		"through its process."
	vaultFoundText   = "A vault exists here."
	vaultMissingText = "There is no vault here yet; casebook init creates one."
	commandsText     = "For now Casebook is used through its commands in a terminal: " +
		"casebook init creates the vault, casebook case files and works on reports, " +
		"casebook due says what is due, and casebook --help lists the rest."
)

// appIcon is Casebook's icon as a Fyne resource.
var appIcon = fyne.NewStaticResource("icon.png", assets.IconPNG)

// Show opens Casebook's main window for the vault in vaultDir, sets the
// app's icon, and returns the window. Call it on Fyne's UI goroutine, before
// or during a.Run.
func Show(a fyne.App, vaultDir string) fyne.Window {
	a.SetIcon(appIcon)
	w := a.NewWindow(windowTitle)
	w.SetIcon(appIcon)
	w.SetContent(newPlaceholder(vaultDir).build())
	w.Resize(windowSize)
	w.CenterOnScreen()
	w.Show()
	return w
}

// placeholder is the main window's content until the case screens exist:
// what Casebook is, where its vault is, and how to manage it meanwhile.
type placeholder struct {
	vaultDir string
	// exists reports whether a directory holds a vault: vault.Exists, which
	// tests replace to draw both states at a fixed path.
	exists func(dir string) bool

	location   *widget.Label
	status     *widget.Label
	checkAgain *widget.Button
}

// newPlaceholder returns the placeholder screen for the vault in vaultDir.
func newPlaceholder(vaultDir string) *placeholder {
	return &placeholder{vaultDir: vaultDir, exists: vault.Exists}
}

// build assembles the screen's widgets.
func (s *placeholder) build() fyne.CanvasObject {
	icon := canvas.NewImageFromResource(appIcon)
	icon.FillMode = canvas.ImageFillContain
	icon.SetMinSize(fyne.NewSquareSize(64))

	title := &widget.Label{
		Text:      windowTitle,
		TextStyle: fyne.TextStyle{Bold: true},
		SizeName:  theme.SizeNameHeadingText,
	}
	about := &widget.Label{Text: aboutText, Wrapping: fyne.TextWrapWord}
	s.location = &widget.Label{
		Text:       s.vaultDir,
		TextStyle:  fyne.TextStyle{Monospace: true},
		Wrapping:   fyne.TextWrapBreak,
		Selectable: true,
	}
	s.status = &widget.Label{Wrapping: fyne.TextWrapWord}
	s.checkAgain = widget.NewButtonWithIcon("Check again", theme.ViewRefreshIcon(), s.onCheckAgain)
	commands := &widget.Label{Text: commandsText, Wrapping: fyne.TextWrapWord}

	s.showStatus()
	return container.NewVScroll(container.NewPadded(container.NewVBox(
		container.NewHBox(icon, container.NewCenter(title)),
		about,
		widget.NewSeparator(),
		widget.NewForm(
			widget.NewFormItem("Vault location", s.location),
			widget.NewFormItem("Status", s.status),
			widget.NewFormItem("", container.NewHBox(s.checkAgain)),
		),
		widget.NewSeparator(),
		commands,
	)))
}

// onCheckAgain looks again for a vault, which a casebook command may have
// created or restored since the window opened.
func (s *placeholder) onCheckAgain() {
	s.showStatus()
}

// showStatus says whether a vault exists at the location.
func (s *placeholder) showStatus() {
	if s.exists(s.vaultDir) {
		s.status.SetText(vaultFoundText)
	} else {
		s.status.SetText(vaultMissingText)
	}
}
