package vault

import (
	"fmt"
	"syscall"
)

// Badger writes its logs and tables through memory maps of files it has
// sized ahead of their content, with holes. When the disk is full, a write
// into such a hole is not an error that Badger could return: the kernel
// answers it with SIGBUS, and the whole program ends. So the vault keeps
// room for Badger: it refuses a change, an open or a restore with ErrNoSpace
// while less than diskReserve (plus the size of the change) is free, and
// skips background compaction then. What it cannot guard against is another
// program filling the disk between a check and Badger's next write, or
// while a locked vault's table is being written; a crash then loses nothing
// that was acknowledged (see the crash tests), but it is a crash.

// diskReserve is the free space below which the vault writes nothing: room
// for a write-ahead log file (twice a memtable), for flushing both
// memtables into tables and for the compaction that follows.
var diskReserve int64 = 4 * memTableSize

// DiskReserve returns the free space the vault keeps for its storage
// engine: with less free than that plus a change, it writes nothing and
// says ErrNoSpace.
func DiskReserve() int64 { return diskReserve }

// checkRoom returns an error matching ErrNoSpace (and syscall.ENOSPC)
// when the file system holding dir has less than diskReserve plus extra
// bytes free. Where the free space cannot be learnt it returns nil.
func checkRoom(dir string, extra int64) error {
	free, ok := freeSpace(dir)
	if !ok {
		return nil
	}
	if need := diskReserve + extra; free < need {
		return fmt.Errorf("%w: %d MiB free, and the vault needs %d MiB to write safely: %w",
			ErrNoSpace, free>>20, (need+(1<<20)-1)>>20, syscall.ENOSPC)
	}
	return nil
}
