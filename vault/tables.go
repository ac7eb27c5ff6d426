package vault

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/fb"
	"github.com/dgraph-io/badger/v4/options"
	"github.com/dgraph-io/badger/v4/table"
	"github.com/dgraph-io/ristretto/v2"
	"github.com/dgraph-io/ristretto/v2/z"
)

// verifyTables reads every table that Badger's manifest lists, block by
// block, before Badger opens the store. Badger opens its tables in
// goroutines of its own, where a damaged block can make it panic and so end
// the whole program; read here first, the same damage is reported as
// ErrCorrupt. It changes no file.
func verifyTables(dir string, key []byte, log badgerLogger) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = corrupt("data", fmt.Errorf("storage engine failed: %v", r))
		}
	}()
	f, err := os.Open(filepath.Join(dir, badger.ManifestFilename))
	if errors.Is(err, os.ErrNotExist) {
		return nil // a new store; Badger creates it
	}
	if err != nil {
		return translate(err, "data")
	}
	manifest, _, err := badger.ReplayManifestFile(f, 0, badger.DefaultOptions(dir).WithLogger(log))
	f.Close()
	if err != nil {
		return corrupt("data", err)
	}
	reg, err := badger.OpenKeyRegistry(badger.KeyRegistryOptions{Dir: dir, ReadOnly: true, EncryptionKey: key})
	if err != nil {
		return translate(err, "data")
	}
	cache, err := ristretto.NewCache(&ristretto.Config[uint64, *fb.TableIndex]{
		NumCounters: 1 << 10, MaxCost: 16 << 20, BufferItems: 64})
	if err != nil {
		return err
	}
	defer cache.Close()
	for id, tm := range manifest.Tables {
		dk, err := reg.DataKey(tm.KeyID)
		if err != nil {
			return corrupt("data", fmt.Errorf("table %d: %w", id, err))
		}
		opt := table.Options{BlockSize: 4 << 10,
			DataKey: dk, Compression: tm.Compression, IndexCache: cache}
		if err := verifyTable(table.NewFilename(id, dir), opt); err != nil {
			return corrupt("data", fmt.Errorf("table %d: %w", id, err))
		}
	}
	return nil
}

// verifyTable opens one table read-only, checks its index and every block,
// and closes it again.
func verifyTable(name string, opt table.Options) (err error) {
	f, err := z.OpenMmapFile(name, os.O_RDONLY, 0)
	if err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("storage engine failed: %v", r)
		}
		// On some errors OpenTable has already unmapped and closed the
		// file; on the others it is still open.
		if err != nil && !errors.Is(f.Fd.Close(), os.ErrClosed) {
			_ = z.Munmap(f.Data)
		}
	}()
	// Opening checks the index's checksum. The blocks are checked after
	// the decrypted index is in the cache: Badger looks the index up again
	// for every block it reads, and a cache still taking the index in (it
	// admits entries in the background) would have it decrypted once per
	// block, hundreds of times per table.
	opt.ChkMode = options.NoVerification
	t, err := table.OpenTable(f, opt)
	if err != nil {
		return err
	}
	_ = t.StaleDataSize() // reads the index, which puts it in the cache
	opt.IndexCache.Wait()
	if err := t.VerifyChecksum(); err != nil {
		t.Close(-1)
		return err
	}
	return t.Close(-1)
}
