// Package plainlocale keeps Fyne from printing an error at every start on
// a machine whose locale is C with an encoding, such as Debian's C.UTF-8.
//
// Fyne reads the locale when its lang package is initialized, before main
// runs: it takes "C" from "C.UTF-8" as a language and prints "Error parsing
// user locale C" on the terminal, even for `casebook --help`. In that
// locale this package sets LANGUAGE to English, which Fyne then reads, and
// which is the language the C locale shows anyway. Go initializes packages
// in the order of their import paths, each after its imports, so this one
// (casebook/…, importing only the standard library) is initialized before
// Fyne's (fyne.io/…) when main imports it.
package plainlocale

import (
	"os"
	"strings"
)

func init() { apply(os.Getenv, os.Setenv) }

// apply sets LANGUAGE to "en" when the locale in force (the first set of
// LC_ALL, LC_MESSAGES and LANG, as Fyne reads them) is C or POSIX with an
// encoding or modifier, and LANGUAGE is unset. It reports whether it did.
func apply(getenv func(string) string, setenv func(string, string) error) bool {
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := getenv(name)
		if v == "" {
			continue
		}
		base, _, _ := strings.Cut(v, ".")
		base, _, _ = strings.Cut(base, "@")
		if (base != "C" && base != "POSIX") || v == base || getenv("LANGUAGE") != "" {
			return false
		}
		return setenv("LANGUAGE", "en") == nil
	}
	return false
}
