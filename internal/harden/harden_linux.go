//go:build linux

package harden

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

func process() error {
	var errs []error
	if err := noCore(); err != nil {
		errs = append(errs, err)
	}
	// The kernel hands a crashed process's memory to a core_pattern pipe
	// (systemd-coredump) whatever the core file limit, leaving it to the
	// helper to honour it; an undumpable process it does not dump at all
	// (unless fs.suid_dumpable is 2, when only root may read the dump).
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		errs = append(errs, fmt.Errorf("make the process undumpable: %w", err))
	}
	return errors.Join(errs...)
}

func check() error {
	errs := []error{checkCore()}
	dumpable, err := unix.PrctlRetInt(unix.PR_GET_DUMPABLE, 0, 0, 0, 0)
	switch {
	case err != nil:
		errs = append(errs, fmt.Errorf("read whether the process is dumpable: %w", err))
	case dumpable != 0:
		errs = append(errs, errors.New("the process is dumpable"))
	}
	return errors.Join(errs...)
}
