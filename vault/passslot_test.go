package vault

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/dgraph-io/badger/v4"
)

// passChanges returns the record field of each passphrase change in the
// vault's audit log, oldest first.
func passChanges(t *testing.T, v *Vault) []string {
	t.Helper()
	entries, err := v.Audit()
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	var got []string
	for _, e := range entries {
		if e.Kind == "passphrase.change" {
			got = append(got, e.Record)
		}
	}
	return got
}

// TestPassphraseChangesAreAllRecorded checks that every passphrase change
// the header holds is in the audit log once: one finished; one cut short
// after its header write, which Check reports and the next open records;
// one cut short and then another made in the same session; one assumed
// when the fingerprint is unreadable; and none for a vault made before the
// slot's fingerprint was kept, which its first open gives one, or for an
// open with nothing changed.
func TestPassphraseChangesAreAllRecorded(t *testing.T) {
	tests := []struct {
		name string
		// change does something to the open vault and returns the
		// passphrase it opens with afterwards.
		change func(t *testing.T, v *Vault) string
		// check is what Check says before the vault is opened again: nil
		// or a problem that Is it.
		check error
		want  []string // the records of its passphrase changes after reopening
	}{
		{"nothing changed", func(t *testing.T, v *Vault) string { return testPassphrase }, nil, nil},
		{"a change", func(t *testing.T, v *Vault) string {
			if err := v.ChangePassphrase([]byte("new horse")); err != nil {
				t.Fatalf("ChangePassphrase: %v", err)
			}
			return "new horse"
		}, nil, []string{""}},
		{"a change cut short after the header", func(t *testing.T, v *Vault) string {
			v.wmu.Lock()
			defer v.wmu.Unlock()
			if err := v.writeHeader(v.passphraseHeader([]byte("new horse"))); err != nil {
				t.Fatalf("writeHeader: %v", err)
			}
			return "new horse"
		}, ErrCorrupt, []string{passChangeLate}},
		{"a change after one cut short", func(t *testing.T, v *Vault) string {
			v.wmu.Lock()
			err := v.writeHeader(v.passphraseHeader([]byte("new horse")))
			v.wmu.Unlock()
			if err != nil {
				t.Fatalf("writeHeader: %v", err)
			}
			if err := v.ChangePassphrase([]byte("newer horse")); err != nil {
				t.Fatalf("ChangePassphrase: %v", err)
			}
			return "newer horse"
		}, nil, []string{passChangeLate, ""}},
		{"a vault made before fingerprints", func(t *testing.T, v *Vault) string {
			if err := v.db.Update(func(txn *badger.Txn) error { return txn.Delete(passSlotKey) }); err != nil {
				t.Fatal(err)
			}
			return testPassphrase
		}, nil, nil},
		{"an unreadable fingerprint", func(t *testing.T, v *Vault) string {
			stored := rawValue(t, v, passSlotKey)
			stored[len(stored)-1] ^= 1
			if err := v.db.Update(func(txn *badger.Txn) error { return txn.Set(passSlotKey, stored) }); err != nil {
				t.Fatal(err)
			}
			return testPassphrase
		}, ErrCorrupt, []string{passChangeAssumed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, dir, _ := newTestVault(t)
			if got := passChanges(t, v); len(got) != 0 {
				t.Fatalf("a new vault records passphrase changes: %q", got)
			}
			pass := tt.change(t, v)
			rep, err := v.Check()
			if !errors.Is(err, tt.check) {
				t.Errorf("Check before reopening: got %v (%v), want %v", err, rep.Problems, tt.check)
			}
			lockVault(t, v)

			for open := range 2 { // the second open records nothing more
				v := openTestVault(t, dir, pass)
				if got := passChanges(t, v); fmt.Sprint(got) != fmt.Sprint(tt.want) {
					t.Errorf("open %d: passphrase changes recorded: got %q, want %q", open+1, got, tt.want)
				}
				txn := v.db.NewTransaction(false)
				fp, ok, err := v.readPassSlot(txn)
				txn.Discard()
				if err != nil || !ok || !bytes.Equal(fp, slotFingerprint(v.hdr.slot(slotPassphrase))) {
					t.Errorf("open %d: the fingerprint is not the header's slot's (found %v, %v)", open+1, ok, err)
				}
				mustCheck(t, v)
				lockVault(t, v)
			}
		})
	}
}

// TestPassphraseChangeFailedLeavesTheOldOne fails the audit write of a
// passphrase change (its storage closed under it): the change returns the
// error, and the header on disk is the old one, which the old passphrase
// opens and the new one does not.
func TestPassphraseChangeFailedLeavesTheOldOne(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "vault")
	v, _, err := Create(dir, []byte(testPassphrase), Options{Logger: quietLogger})
	if err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(filepath.Join(dir, headerFile))
	if err != nil {
		t.Fatal(err)
	}
	close(v.stopGC)
	<-v.gcDone
	if err := v.db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := v.ChangePassphrase([]byte("new horse")); err == nil {
		t.Fatal("ChangePassphrase with its storage closed: got nil, want an error")
	}
	if after, err := os.ReadFile(filepath.Join(dir, headerFile)); err != nil || !bytes.Equal(after, before) {
		t.Errorf("the header after a failed change: %d bytes, %v; want the old header back", len(after), err)
	}
	v.lock.release()
	if _, err := Open(dir, []byte("new horse"), Options{}); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("Open with the new passphrase: got %v, want ErrWrongPassphrase", err)
	}
	lockVault(t, openTestVault(t, dir, testPassphrase))
}
