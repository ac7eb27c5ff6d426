// Package harden keeps a Casebook process's memory off the disk and out
// of other programs' reach, as password managers do: the decrypted case
// book, the vault's keys and a passphrase being typed are all in it.
//
// A crash must not write a core file (systemd-coredump keeps them under
// /var/lib/systemd/coredump, and a core file is all of the process's
// memory, in plaintext), and another program running as the same user
// must not read the process's memory through ptrace or /proc/PID/mem.
package harden

// Process turns off core dumps for this process and, where the system
// allows it, makes it undumpable: not attachable by a debugger of the same
// user, its /proc files readable by root only. It returns an error if any
// part could not be done; what could be done stays done.
func Process() error { return process() }

// Check returns an error naming what Process would do that is not done in
// this process.
func Check() error { return check() }
