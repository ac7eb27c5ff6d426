package vault

import (
	"bytes"
	"errors"
	"fmt"
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
// the header holds is in the audit log once: one finished, one cut short
// after its header write (recorded by the next open), and none for a
// vault made before the slot's fingerprint was kept, which keeps none until
// its next change, or for an open with nothing changed.
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
		noFP  bool     // the vault keeps no fingerprint afterwards
	}{
		{"nothing changed", func(t *testing.T, v *Vault) string { return testPassphrase }, nil, nil, false},
		{"a change", func(t *testing.T, v *Vault) string {
			if err := v.ChangePassphrase([]byte("new horse")); err != nil {
				t.Fatalf("ChangePassphrase: %v", err)
			}
			return "new horse"
		}, nil, []string{""}, false},
		{"a change cut short after the header", func(t *testing.T, v *Vault) string {
			v.wmu.Lock()
			defer v.wmu.Unlock()
			if _, err := v.writePassphraseHeader([]byte("new horse")); err != nil {
				t.Fatalf("writePassphraseHeader: %v", err)
			}
			return "new horse"
		}, nil, []string{passChangeLate}, false},
		{"a vault made before fingerprints", func(t *testing.T, v *Vault) string {
			if err := v.db.Update(func(txn *badger.Txn) error { return txn.Delete(passSlotKey) }); err != nil {
				t.Fatal(err)
			}
			return testPassphrase
		}, nil, nil, true},
		{"an unreadable fingerprint", func(t *testing.T, v *Vault) string {
			stored := rawValue(t, v, passSlotKey)
			stored[len(stored)-1] ^= 1
			if err := v.db.Update(func(txn *badger.Txn) error { return txn.Set(passSlotKey, stored) }); err != nil {
				t.Fatal(err)
			}
			return testPassphrase
		}, ErrCorrupt, []string{passChangeLate}, false},
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
				switch {
				case err != nil:
					t.Errorf("open %d: the fingerprint: %v", open+1, err)
				case tt.noFP && ok:
					t.Errorf("open %d: an open gave the vault a fingerprint", open+1)
				case !tt.noFP && !bytes.Equal(fp, slotFingerprint(v.hdr.slot(slotPassphrase))):
					t.Errorf("open %d: the fingerprint is not the header's slot's (found %v)", open+1, ok)
				}
				mustCheck(t, v)
				lockVault(t, v)
			}
		})
	}
}
