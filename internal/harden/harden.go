// Package harden keeps a Casebook process's memory off the disk when it
// crashes: the decrypted case book, the vault's keys and a passphrase being
// typed are all in it, and a core file is all of it, in plaintext.
//
// The process is not made undumpable (PR_SET_DUMPABLE 0), as some
// password managers do: the desktop portals (xdg-desktop-portal) then
// refuse its calls, and file dialogs and the dark-mode setting fail
// silently. A core file limit of nothing is honoured by the kernel and by
// systemd-coredump alike.
package harden

// Process sets this process's core file limit, soft and hard, to nothing,
// so that a crash writes no core file and no library can raise the limit
// again.
func Process() error { return noCore() }

// Check returns an error naming what Process would do that is not done in
// this process.
func Check() error { return checkCore() }
