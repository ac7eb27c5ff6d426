// Command barewindow opens a Fyne window holding one text field and
// nothing else, the size of Casebook's. scripts/idle-rss.sh measures it
// beside the app, under the same Xvfb, as the floor any Fyne app stands on:
// the OpenGL renderer, the toolkit and its fonts.
package main

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
)

func main() {
	a := app.NewWithID("org.casebook.barewindow")
	w := a.NewWindow("Casebook")
	w.SetContent(widget.NewEntry())
	w.Resize(fyne.NewSize(1000, 680))
	w.ShowAndRun()
}
