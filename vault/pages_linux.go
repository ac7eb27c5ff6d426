package vault

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"

	"golang.org/x/sys/unix"
)

// badgerFile matches the names of Badger's tables and value logs, the
// files it maps into memory and reads through that mapping.
var badgerFile = regexp.MustCompile(`^[0-9]{6,}\.(sst|vlog)$`)

// ReleaseMappedPages asks the kernel to take back the pages of the vault's
// table and value-log files that this process has mapped and read.
//
// Badger reads its files through memory mappings. Loading the case book
// and indexing every message read the whole vault, and every page read
// stays in the process's resident memory until the kernel needs it: some
// 75 MB at 10,000 cases, for data that now sits decrypted in Badger's
// block cache or is not needed again. The pages are clean copies of the
// files, so nothing is lost; a later read brings one back from the disk.
//
// It uses madvise(MADV_PAGEOUT), which never changes what a page holds:
// a mapping closed and replaced between reading the process's map and the
// call can at worst be paged out too, not cleared (MADV_DONTNEED would
// clear it). Were the range reused for ordinary memory meanwhile, that
// memory would go to swap, as the kernel may send any of the app's memory
// (nothing is locked in memory). The process's only such files are its
// vault's (Badger's names, in /proc/self/maps). Kernels before Linux 5.4
// refuse the advice; the error says so and changes nothing.
func ReleaseMappedPages() error {
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return fmt.Errorf("reading the process's memory map: %w", err)
	}
	var first error
	for _, r := range badgerMappings(maps) {
		_, _, errno := unix.Syscall(unix.SYS_MADVISE, r.start, r.end-r.start, unix.MADV_PAGEOUT)
		if errno != 0 && first == nil {
			first = fmt.Errorf("releasing mapped pages: %w", errno)
		}
	}
	return first
}

// mapping is one address range of /proc/self/maps.
type mapping struct{ start, end uintptr }

// badgerMappings lists the ranges of maps (the text of /proc/self/maps)
// that map Badger's tables and value logs.
func badgerMappings(maps []byte) []mapping {
	var out []mapping
	sc := bufio.NewScanner(bytes.NewReader(maps))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		// "start-end perms offset dev inode   /path/to/file (deleted)"
		line := sc.Bytes()
		slash := bytes.IndexByte(line, '/')
		if slash < 0 {
			continue
		}
		name := filepath.Base(string(bytes.TrimSuffix(line[slash:], []byte(" (deleted)"))))
		if !badgerFile.MatchString(name) {
			continue
		}
		addr, _, _ := bytes.Cut(line, []byte(" "))
		lo, hi, ok := bytes.Cut(addr, []byte("-"))
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(string(lo), 16, 64)
		end, err2 := strconv.ParseUint(string(hi), 16, 64)
		if err1 != nil || err2 != nil || end <= start {
			continue
		}
		out = append(out, mapping{uintptr(start), uintptr(end)})
	}
	return out
}
