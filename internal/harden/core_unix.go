//go:build unix

package harden

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// noCore sets the core file limit, soft and hard, to nothing: a library
// cannot raise it again.
func noCore() error {
	if err := unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{}); err != nil {
		return fmt.Errorf("turn off core dumps: %w", err)
	}
	return nil
}

// checkCore returns an error unless noCore was done.
func checkCore() error {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_CORE, &lim); err != nil {
		return fmt.Errorf("read the core file limit: %w", err)
	}
	switch {
	case lim.Cur != 0:
		return fmt.Errorf("core files of up to %d bytes may be written", lim.Cur)
	case lim.Max != 0:
		return fmt.Errorf("core files may be turned back on, up to %d bytes", lim.Max)
	}
	return nil
}
