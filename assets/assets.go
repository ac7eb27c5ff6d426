// Package assets holds the files Casebook embeds in its binary, such as the
// application icon and the intake schema. Everything here is compiled in
// with go:embed, so the app needs no files beside it at run time.
package assets

import (
	_ "embed"
)

// IconPNG is Casebook's application icon, a 512×512 PNG: a closed book
// with a shield and a check mark. FyneApp.toml names the same file for
// `fyne package`. The package imports no toolkit, so that the domain may
// use its other files; the desktop wraps the icon as a resource.
//
//go:embed icon.png
var IconPNG []byte
