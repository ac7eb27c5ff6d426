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
		return fmt.Errorf("core files %s may be written", upTo(uint64(lim.Cur)))
	case lim.Max != 0:
		return fmt.Errorf("core files may be turned back on, %s", upTo(uint64(lim.Max)))
	}
	return nil
}

func upTo(limit uint64) string {
	if limit == uint64(unix.RLIM_INFINITY) {
		return "of any size"
	}
	return fmt.Sprintf("of up to %d bytes", limit)
}
