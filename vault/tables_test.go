package vault

import (
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenDecryptsEachTableIndexOnce opens a vault of several tables and
// checks that Badger decrypted each table's index a few times at most
// (its cache takes entries in the background): before the
// fix, opening checked every block of every table with Badger's own check,
// which looked the index up in a cache still taking it in and so decrypted
// it again for nearly every block (9,576 times for 47 tables).
func TestOpenDecryptsEachTableIndexOnce(t *testing.T) {
	v, dir, _ := newTestVault(t)
	val := make([]byte, 2048)
	for batch := range 40 {
		err := v.Update(func(tx *Tx) error {
			for i := range 100 {
				rand.Read(val)
				if err := tx.Put(fmt.Sprintf("ns-%d", i%7), fmt.Sprintf("%03d-%03d", batch, i), val); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := v.Lock(); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(filepath.Join(dir, dataDir))
	if err != nil {
		t.Fatal(err)
	}
	tables := 0
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sst") {
			tables++
		}
	}
	if tables < 2 {
		t.Fatalf("the vault has %d tables; the test needs several", tables)
	}
	v2, err := Open(dir, []byte(testPassphrase), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v2.Lock()
	n := 0
	if err := v2.Scan("ns-3", "", func(string, []byte) error { n++; return nil }); err != nil || n != 40*14 {
		t.Fatalf("scan: %d records, want %d; %v", n, 40*14, err)
	}
	if misses := v2.db.IndexCacheMetrics().Misses(); misses > uint64(10*tables) {
		t.Errorf("opening and one scan decrypted table indexes %d times for %d tables", misses, tables)
	}
}
