package vault

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestBadgerMappings(t *testing.T) {
	maps := strings.Join([]string{
		"00400000-00452000 r-xp 00000000 08:02 173521      /usr/bin/casebook",
		"7f0000000000-7f0000200000 r--s 00000000 fd:01 1001   /home/a/.local/share/casebook/data/000012.sst",
		"7f0000200000-7f0000300000 rw-s 00000000 fd:01 1002   /home/a b/casebook/data/000003.vlog",
		"7f0000300000-7f0000400000 r--s 00000000 fd:01 1003   /tmp/v/data/000009.sst (deleted)",
		"7f0000400000-7f0000500000 rw-s 00000000 fd:01 1004   /tmp/v/data/00001.mem",
		"7f0000500000-7f0000600000 rw-p 00000000 00:00 0 ",
		"7f0000600000-7f0000700000 r--p 00000000 fd:01 1005   /tmp/notes/000001.sst.txt",
		"7f0000a00000-7f0000b00000 r--s 00000000 fd:01 1008   /tmp/v/data/1000000.sst",
		"7f0000700000-7f0000800000 r--p 00000000 fd:01 1006   [heap]",
		"zz-7f0000900000 r--s 00000000 fd:01 1007   /tmp/v/data/000010.sst",
	}, "\n")
	got := badgerMappings([]byte(maps))
	want := []mapping{
		{0x7f0000000000, 0x7f0000200000},
		{0x7f0000200000, 0x7f0000300000},
		{0x7f0000300000, 0x7f0000400000},
		{0x7f0000a00000, 0x7f0000b00000},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("badgerMappings: got %x, want %x", got, want)
	}
}

// TestReleaseMappedPages reads a whole vault, as unlocking and indexing
// do, and checks that the pages of its files leave the process's resident
// memory.
func TestReleaseMappedPages(t *testing.T) {
	v, dir, _ := newTestVault(t)
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err == nil && st.Type == unix.TMPFS_MAGIC {
		t.Skip("the temporary directory is a tmpfs, whose pages the kernel cannot page out without swap")
	}
	val := bytes.Repeat([]byte("synthetic record "), 120) // 2 KiB: kept in the tables
	for batch := range 8 {
		if err := v.Update(func(tx *Tx) error {
			for i := range 500 {
				if err := tx.Put("ns", fmt.Sprintf("k%d-%d", batch, i), val); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	lockVault(t, v) // writes the memtable out as tables
	v = openTestVault(t, dir, testPassphrase)
	n := 0
	if err := v.Scan("ns", "", func(string, []byte) error { n++; return nil }); err != nil || n != 4000 {
		t.Fatalf("Scan: %d records, %v", n, err)
	}
	before := mappedResident(t)
	if before < 4<<20 {
		t.Fatalf("after reading the vault, %d bytes of its files are resident; want the 8 MB read", before)
	}
	if err := ReleaseMappedPages(); errors.Is(err, unix.EINVAL) {
		t.Skip("this kernel does not take MADV_PAGEOUT (Linux before 5.4, or a sandbox)")
	} else if err != nil {
		t.Fatalf("ReleaseMappedPages: %v", err)
	}
	after := mappedResident(t)
	if after > before/4 {
		t.Fatalf("resident pages of the vault's files: %d before, %d after; want most released", before, after)
	}
	n = 0
	if err := v.Scan("ns", "", func(k string, got []byte) error {
		if !bytes.Equal(got, val) {
			return fmt.Errorf("%s changed", k)
		}
		n++
		return nil
	}); err != nil || n != 4000 {
		t.Fatalf("Scan after releasing: %d records, %v", n, err)
	}
}

// mappedResident sums the resident bytes of this process's mappings of
// Badger's files, from /proc/self/smaps.
func mappedResident(t *testing.T) int64 {
	t.Helper()
	smaps, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	in := false
	sc := bufio.NewScanner(bytes.NewReader(smaps))
	for sc.Scan() {
		line := sc.Text()
		if f := strings.Fields(line); len(f) >= 5 && strings.Contains(f[0], "-") && !strings.HasSuffix(f[0], ":") {
			in = len(badgerMappings([]byte(line))) == 1
			continue
		}
		if kb, ok := strings.CutPrefix(line, "Rss:"); ok && in {
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(kb), "kB")), 10, 64)
			if err != nil {
				t.Fatalf("smaps: %q: %v", line, err)
			}
			total += n << 10
		}
	}
	return total
}
