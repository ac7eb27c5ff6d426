// Command casebook is the Code of Conduct committee's case book: with no
// command it opens the desktop app; with one it runs that command.
package main

import (
	"os"

	fyneapp "fyne.io/fyne/v2/app"

	// Imported for its init, which must run before Fyne's.
	_ "casebook/internal/plainlocale"

	"casebook/ui/cli"
	"casebook/ui/desktop"
)

// appID is the application ID; FyneApp.toml carries the same one.
const appID = "org.casebook.desktop"

func main() {
	os.Exit(cli.Main(os.Args[1:], func(vaultDir string) error {
		a := fyneapp.NewWithID(appID)
		desktop.Show(a, vaultDir)
		a.Run()
		return nil
	}))
}
