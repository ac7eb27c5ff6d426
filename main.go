// Command casebook is the Code of Conduct committee's case book: with no
// command it opens the desktop app; with one it runs that command.
package main

import (
	"fmt"
	"os"

	fyneapp "fyne.io/fyne/v2/app"

	"casebook/internal/harden"
	// Imported for its init, which must run before Fyne's.
	_ "casebook/internal/plainlocale"

	"casebook/ui/cli"
	"casebook/ui/desktop"
)

// appID is the application ID; FyneApp.toml carries the same one.
const appID = "org.casebook.desktop"

func main() {
	os.Exit(run(os.Args[1:]))
}

// run runs the command line args, or the desktop app without one, in a
// process whose memory no crash writes to disk (see package harden).
func run(args []string) int {
	if err := harden.Process(); err != nil {
		fmt.Fprintf(os.Stderr, "casebook: warning: a crash could write this program's memory to disk: %v\n", err)
	}
	return cli.Main(args, func(vaultDir string) error {
		a := fyneapp.NewWithID(appID)
		desktop.Show(a, vaultDir)
		a.Run()
		return nil
	})
}
