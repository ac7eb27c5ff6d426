package vault

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"casebook/internal/faultlog"
	"casebook/internal/fullfs"
)

// TestFaultDiskFullVaultWrite fills the disk under a vault — a real tmpfs
// — while it is written, round after round: the write that does not fit
// is refused with ErrNoSpace (and syscall.ENOSPC) instead of Badger ending
// the program with SIGBUS, reads go on, opening on a full disk is refused
// the same way, and once there is room again the vault opens with every
// write it reported and checks clean.
func TestFaultDiskFullVaultWrite(t *testing.T) {
	rounds := faultlog.Runs(2, 10)
	tl := faultlog.Track(t, "disk", "full disk during vault writes",
		"A vault on a small tmpfs is written until the disk is full, then the disk is filled to the last byte: each write that does not fit and each open on the full disk is refused with the disk-full error, nothing crashes, and after space is freed the vault opens with every reported write and checks clean.")
	mnt, ok, why := fullfs.Mount(t, 3*diskReserve)
	if !ok {
		t.Skip(why)
	}
	dir := filepath.Join(mnt, "vault")
	v, _, err := Create(dir, []byte(testPassphrase), Options{Actor: "tester", Logger: quietLogger})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	written := map[string][]byte{}
	value := func(i int) []byte { return bytes.Repeat([]byte(fmt.Sprintf("synthetic record %06d ", i)), 700) }
	next := 0
	write := func() error {
		val := value(next)
		err := v.Update(func(tx *Tx) error { return tx.Put("case-a", fmt.Sprintf("r%06d", next), val) })
		if err == nil {
			written[fmt.Sprintf("r%06d", next)] = val
			next++
		}
		return err
	}
	refused := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, ErrNoSpace) || !errors.Is(err, syscall.ENOSPC) {
			t.Fatalf("%s on a full disk: got %v, want ErrNoSpace wrapping ENOSPC", what, err)
		}
		if strings.Contains(err.Error(), "synthetic") {
			t.Fatalf("%s: error text holds content: %v", what, err)
		}
	}
	for range 20 {
		if err := write(); err != nil {
			t.Fatalf("write with room: %v", err)
		}
	}
	for round := range rounds {
		// Leave a little more than the reserve, and write until the
		// vault refuses.
		filler := fullfs.Fill(t, mnt, diskReserve+(2<<20))
		var err error
		for n := 0; err == nil; n++ {
			if n > 1000 {
				t.Fatalf("round %d: a thousand writes fitted into 2 MiB", round)
			}
			err = write()
		}
		refused(fmt.Sprintf("round %d: write", round), err)
		// Another program takes the rest.
		filler2 := fullfs.Fill(t, mnt, 0)
		refused(fmt.Sprintf("round %d: write on a disk with no byte free", round), write())
		if got, err := v.Get("case-a", "r000000"); err != nil || !bytes.Equal(got, value(0)) {
			t.Fatalf("round %d: Get on a full disk: %v", round, err)
		}
		// Room again to lock (Badger writes its memtable into a table).
		os.Remove(filler2)
		lockVault(t, v)
		filler2 = fullfs.Fill(t, mnt, 0)
		_, err = Open(dir, []byte(testPassphrase), Options{Logger: quietLogger})
		refused(fmt.Sprintf("round %d: open", round), err)
		os.Remove(filler2)
		os.Remove(filler)

		v, err = Open(dir, []byte(testPassphrase), Options{Actor: "tester", Logger: quietLogger})
		if err != nil {
			t.Fatalf("round %d: Open with room again: %v", round, err)
		}
		lost := 0
		for k, want := range written {
			if got, err := v.Get("case-a", k); err != nil || !bytes.Equal(got, want) {
				lost++
			}
		}
		tl.Add(1, lost)
		if lost > 0 {
			t.Fatalf("round %d: %d of %d reported writes lost", round, lost, len(written))
		}
		mustCheck(t, v)
		t.Logf("round %d: %d records, all present", round, len(written))
	}
	lockVault(t, v)
}
