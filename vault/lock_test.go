package vault

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestSecondOpenInUse opens an open vault again from the same process.
// flock locks belong to an open file description, so a second open of the
// lock file conflicts even within one process; this is what a second
// Casebook process would see.
func TestSecondOpenInUse(t *testing.T) {
	v, dir, code := newTestVault(t)
	// Make unlocking cost seconds, so that a second Open that derived the
	// key before taking the lock would be seen to. Only the passphrase
	// slot's parameters change; the first handle does not read the header
	// again before the original is put back.
	orig, err := os.ReadFile(filepath.Join(dir, headerFile))
	if err != nil {
		t.Fatal(err)
	}
	params := fmt.Sprintf(`"time":%d,"memory_kib":%d,"threads":%d`, testKDF.Time, testKDF.MemoryKiB, testKDF.Threads)
	writeHeader(t, dir, headerWith(t, orig, params, `"time":8,"memory_kib":262144,"threads":1`))
	attempts := []struct {
		name string
		open func() (*Vault, error)
	}{
		{"right passphrase", func() (*Vault, error) { return Open(dir, []byte(testPassphrase), Options{}) }},
		{"wrong passphrase", func() (*Vault, error) { return Open(dir, []byte("wrong"), Options{}) }},
		{"recovery code", func() (*Vault, error) { return OpenWithRecoveryCode(dir, code, Options{}) }},
	}
	for _, a := range attempts {
		start := time.Now()
		v2, err := a.open()
		took := time.Since(start)
		if v2 != nil {
			v2.Lock()
		}
		if !errors.Is(err, ErrInUse) {
			t.Errorf("%s: got %v, want ErrInUse", a.name, err)
		}
		// The lock is taken before the key derivation, so the answer
		// comes at once whatever the KDF costs.
		if took > time.Second {
			t.Errorf("%s: got ErrInUse after %v, want it at once", a.name, took)
		}
	}
	writeHeader(t, dir, orig)
	// The first handle is unaffected.
	put(t, v, "case-a", "report", "still usable")
	lockVault(t, v)
	v2 := openTestVault(t, dir, testPassphrase)
	mustGet(t, v2, "case-a", "report", "still usable")
}

func TestLockedVaultRefusesUse(t *testing.T) {
	v, _, _ := newTestVault(t)
	put(t, v, "case-a", "report", "x")
	lockVault(t, v)
	if !v.Locked() {
		t.Errorf("Locked: got false, want true")
	}
	if err := v.Lock(); err != nil {
		t.Errorf("second Lock: got %v, want nil", err)
	}
	ops := map[string]func() error{
		"Get":               func() error { _, err := v.Get("case-a", "report"); return err },
		"Update":            func() error { return v.Update(func(tx *Tx) error { return nil }) },
		"Scan":              func() error { return v.Scan("case-a", "", func(string, []byte) error { return nil }) },
		"Keys":              func() error { _, err := v.Keys("case-a", ""); return err },
		"Namespaces":        func() error { _, err := v.Namespaces(); return err },
		"Audit":             func() error { _, err := v.Audit(); return err },
		"Check":             func() error { _, err := v.Check(); return err },
		"Backup":            func() error { return v.Backup(io.Discard) },
		"ChangePassphrase":  func() error { return v.ChangePassphrase([]byte("new")) },
		"DestroyNamespaces": func() error { return v.DestroyNamespaces("case-a") },
		"Compact":           func() error { return v.Compact() },
	}
	for name, op := range ops {
		if err := op(); !errors.Is(err, ErrLocked) {
			t.Errorf("%s after Lock: got %v, want ErrLocked", name, err)
		}
	}
	// Lock dropped the keys from memory.
	if !bytes.Equal(v.master, make([]byte, keySize)) || !bytes.Equal(v.keys.audit, make([]byte, keySize)) {
		t.Errorf("keys after Lock: got non-zero bytes, want them wiped")
	}
}

// TestLockDuringUse locks a vault while other goroutines read and write;
// each operation either completes or reports ErrLocked. Run with -race.
func TestLockDuringUse(t *testing.T) {
	v, dir, _ := newTestVault(t)
	put(t, v, "case-a", "report", "x")
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; ; j++ {
				var err error
				if i%2 == 0 {
					_, err = v.Get("case-a", "report")
				} else {
					err = v.Update(func(tx *Tx) error { return tx.Put("case-a", "w", []byte{byte(j)}) })
				}
				if errors.Is(err, ErrLocked) {
					return
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	time.Sleep(50 * time.Millisecond)
	lockVault(t, v)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("operation during Lock: got %v, want nil or ErrLocked", err)
	}
	v = openTestVault(t, dir, testPassphrase)
	mustCheck(t, v)
}
