package desktop

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// themePref is the preference key of the light or dark choice; it is a
// setting of this computer, not of the committee, so it lives in Fyne's
// preferences rather than in the vault.
const themePref = "theme"

// themeChoice is "system", "light" or "dark".
type themeChoice string

const (
	themeSystem themeChoice = "system"
	themeLight  themeChoice = "light"
	themeDark   themeChoice = "dark"
)

// variantTheme is Fyne's default theme, held to one variant.
type variantTheme struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

// Color draws every color in the chosen variant.
func (t variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.variant)
}

// applyTheme sets the app's theme from the choice.
func applyTheme(a fyne.App, c themeChoice) {
	switch c {
	case themeLight:
		a.Settings().SetTheme(variantTheme{theme.DefaultTheme(), theme.VariantLight})
	case themeDark:
		a.Settings().SetTheme(variantTheme{theme.DefaultTheme(), theme.VariantDark})
	default:
		a.Settings().SetTheme(theme.DefaultTheme())
	}
}
