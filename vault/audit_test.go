package vault

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
)

var auditTestTime = time.Date(2025, 3, 4, 5, 6, 7, 890_000_000, time.UTC)

// newAuditVault makes a vault with a fixed clock and a known history.
func newAuditVault(t *testing.T) (*Vault, []pendingEntry) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "vault")
	v, _, err := Create(dir, []byte(testPassphrase), Options{Actor: "member-1", Now: func() time.Time { return auditTestTime }})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() { v.Lock() })
	put(t, v, "case-a", "report", "one")
	put(t, v, "case-a", "report", "two")
	v.SetActor("member-2")
	err = v.Update(func(tx *Tx) error {
		if err := tx.Put("case-b", "report", []byte("three")); err != nil {
			return err
		}
		if err := tx.Delete("case-a", "report"); err != nil {
			return err
		}
		tx.Record("export.pdf", "case-b")
		return nil
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	want := []pendingEntry{
		{"vault.create", ""},
		{"namespace.create", "case-a"}, {"create", "case-a/report"},
		{"update", "case-a/report"},
		{"namespace.create", "case-b"}, {"create", "case-b/report"}, {"delete", "case-a/report"}, {"export.pdf", "case-b"},
	}
	return v, want
}

func TestAuditChain(t *testing.T) {
	v, want := newAuditVault(t)
	entries, err := v.Audit()
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	if len(entries) != len(want) {
		t.Fatalf("Audit: got %d entries, want %d", len(entries), len(want))
	}
	prev := ""
	for i, e := range entries {
		if e.Seq != uint64(i+1) {
			t.Errorf("entry %d: got seq %d, want %d", i+1, e.Seq, i+1)
		}
		if e.Kind != want[i].kind || e.Record != want[i].record {
			t.Errorf("entry %d: got %s %q, want %s %q", i+1, e.Kind, e.Record, want[i].kind, want[i].record)
		}
		if e.Prev != prev {
			t.Errorf("entry %d: got prev %q, want %q", i+1, e.Prev, prev)
		}
		if e.Hash != e.computeHash() || len(e.Hash) != 64 {
			t.Errorf("entry %d: got hash %q, want %q", i+1, e.Hash, e.computeHash())
		}
		if !e.Time.Equal(auditTestTime.Truncate(time.Millisecond)) {
			t.Errorf("entry %d: got time %v, want %v", i+1, e.Time, auditTestTime)
		}
		wantActor := "member-1"
		if i >= 4 {
			wantActor = "member-2"
		}
		if e.Actor != wantActor {
			t.Errorf("entry %d: got actor %q, want %q", i+1, e.Actor, wantActor)
		}
		prev = e.Hash
	}
	// The hash is the SHA-256 of the entry's JSON with hash empty, as doc.go says.
	e := entries[2]
	js := fmt.Sprintf(`{"seq":3,"time":%q,"actor":"member-1","kind":"create","record":"case-a/report","prev":%q,"hash":""}`,
		auditTestTime.Truncate(time.Millisecond).Format(time.RFC3339Nano), entries[1].Hash)
	if got := fmt.Sprintf("%x", sha256.Sum256([]byte(js))); got != e.Hash {
		t.Errorf("entry 3 hash: got %s, want SHA-256 of %s = %s", e.Hash, js, got)
	}
	mustCheck(t, v)
}

// TestCheckDetectsAuditTampering changes the stored audit log behind the
// vault's back, each change sealed properly so that only the chain check
// can catch it.
func TestCheckDetectsAuditTampering(t *testing.T) {
	reseal := func(t *testing.T, v *Vault, seq uint64, change func(e *AuditEntry)) {
		name := auditKeyName(seq)
		e, err := v.openAuditEntry(name, rawValue(t, v, name))
		if err != nil {
			t.Fatal(err)
		}
		change(&e)
		b, _ := json.Marshal(e)
		err = v.db.Update(func(txn *badger.Txn) error {
			return txn.Set(name, seal(v.keys.audit, b, v.auditAD(name)))
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	del := func(t *testing.T, v *Vault, key []byte) {
		if err := v.db.Update(func(txn *badger.Txn) error { return txn.Delete(key) }); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name    string
		tamper  func(t *testing.T, v *Vault)
		problem string
	}{
		{"entry deleted", func(t *testing.T, v *Vault) { del(t, v, auditKeyName(4)) }, "audit entry 5"},
		{"first entry deleted", func(t *testing.T, v *Vault) { del(t, v, auditKeyName(1)) }, "audit entry 2"},
		{"last entry deleted", func(t *testing.T, v *Vault) { del(t, v, auditKeyName(8)) }, "audit head"},
		{"head deleted", func(t *testing.T, v *Vault) { del(t, v, auditHeadKey) }, "audit head"},
		{"kind changed", func(t *testing.T, v *Vault) {
			reseal(t, v, 7, func(e *AuditEntry) { e.Kind = "create" })
		}, "audit entry 7"},
		{"actor changed, hash recomputed", func(t *testing.T, v *Vault) {
			reseal(t, v, 3, func(e *AuditEntry) { e.Actor = "someone else"; e.Hash = e.computeHash() })
		}, "audit entry 4"},
		{"last entry changed, hash recomputed", func(t *testing.T, v *Vault) {
			reseal(t, v, 8, func(e *AuditEntry) { e.Record = "case-a"; e.Hash = e.computeHash() })
		}, "audit head"},
		{"time changed", func(t *testing.T, v *Vault) {
			reseal(t, v, 2, func(e *AuditEntry) { e.Time = e.Time.Add(-time.Hour) })
		}, "audit entry 2"},
		{"entry sealed under another name", func(t *testing.T, v *Vault) {
			stored := rawValue(t, v, auditKeyName(5))
			if err := v.db.Update(func(txn *badger.Txn) error { return txn.Set(auditKeyName(6), stored) }); err != nil {
				t.Fatal(err)
			}
		}, "audit entry 6"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, _ := newAuditVault(t)
			tt.tamper(t, v)
			rep, err := v.Check()
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Check: got %v, want an error matching ErrCorrupt", err)
			}
			var named []string
			for _, p := range rep.Problems {
				named = append(named, p.Error())
			}
			if !slices.ContainsFunc(named, func(s string) bool { return strings.HasPrefix(s, tt.problem+":") }) {
				t.Errorf("Check problems: got %q, want one about %s", named, tt.problem)
			}
		})
	}
}
