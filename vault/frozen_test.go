package vault

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The frozen vault under testdata/v1/vault was written once by this
// file's generator, with the format version 1 code, and is committed. Every
// later Casebook must open it: see testdata/v1/README.md. It must never be
// deleted or regenerated; -update-frozen refuses to overwrite it.

var updateFrozen = flag.Bool("update-frozen", false, "write the frozen format-1 vault under testdata/v1 (only if it does not exist)")

const (
	frozenDir        = "testdata/v1"
	frozenPassphrase = "frozen v1 synthetic passphrase"
	frozenActor      = "frozen-generator"
)

var frozenTime = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func frozenBinary() string {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i)
	}
	return string(b)
}

// frozenRecords are the records the frozen vault holds.
var frozenRecords = map[tamperRecord]string{
	{"case-0001", "report"}:   "Synthetic incident report, frozen format v1.",
	{"case-0001", "msg/0001"}: "Synthetic reply one.",
	{"case-0001", "msg/0002"}: frozenBinary(),
	{"case-0002", "report"}:   "Second synthetic report.",
	{"case-0002", "empty"}:    "",
}

// frozenAudit is the frozen vault's audit log, kind and record.
var frozenAudit = []pendingEntry{
	{"vault.create", ""},
	{"namespace.create", "case-0001"},
	{"create", "case-0001/report"},
	{"create", "case-0001/msg/0001"},
	{"create", "case-0001/msg/0002"},
	{"create", "case-0001/msg/0003"},
	{"namespace.create", "case-0002"},
	{"create", "case-0002/report"},
	{"create", "case-0002/empty"},
	{"namespace.create", "case-0003"},
	{"create", "case-0003/report"},
	{"update", "case-0002/report"},
	{"delete", "case-0001/msg/0003"},
	{"namespace.destroy", "case-0003"},
	{"keys.rotate", ""},
	{"passphrase.change", ""},
	{"export.pdf", "case-0001"},
}

// writeFrozenVault is the generator. It ran once; see the top of the file.
func writeFrozenVault(t *testing.T, dir string) {
	opts := Options{Actor: frozenActor, Now: func() time.Time { return frozenTime }}
	v, code, err := Create(dir, []byte("frozen v1 first passphrase"), opts)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	puts := func(ns string, kv ...string) {
		err := v.Update(func(tx *Tx) error {
			for i := 0; i < len(kv); i += 2 {
				if err := tx.Put(ns, kv[i], []byte(kv[i+1])); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("Update: %v", err)
		}
	}
	puts("case-0001", "report", frozenRecords[tamperRecord{"case-0001", "report"}],
		"msg/0001", frozenRecords[tamperRecord{"case-0001", "msg/0001"}],
		"msg/0002", frozenBinary(), "msg/0003", "deleted later")
	puts("case-0002", "report", "draft", "empty", "")
	puts("case-0003", "report", "destroyed later")
	lockVault(t, v)
	if v, err = Open(dir, []byte("frozen v1 first passphrase"), opts); err != nil {
		t.Fatalf("Open: %v", err)
	}
	err = v.Update(func(tx *Tx) error {
		if err := tx.Put("case-0002", "report", []byte(frozenRecords[tamperRecord{"case-0002", "report"}])); err != nil {
			return err
		}
		return tx.Delete("case-0001", "msg/0003")
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if err := v.DestroyNamespaces("case-0003"); err != nil {
		t.Fatalf("DestroyNamespaces: %v", err)
	}
	if err := v.ChangePassphrase([]byte(frozenPassphrase)); err != nil {
		t.Fatalf("ChangePassphrase: %v", err)
	}
	err = v.Update(func(tx *Tx) error { tx.Record("export.pdf", "case-0001"); return nil })
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	lockVault(t, v)
	if err := os.WriteFile(filepath.Join(frozenDir, "recovery-code.txt"), []byte(code+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFrozenV1(t *testing.T) {
	src := filepath.Join(frozenDir, "vault")
	if *updateFrozen {
		if _, err := os.Stat(src); err == nil {
			t.Fatalf("%s exists: the frozen vault must never be regenerated", src)
		}
		writeFrozenVault(t, src)
	}
	if !Exists(src) {
		t.Fatalf("frozen vault %s is missing: it must never be deleted", src)
	}
	before := treeState(t, frozenDir)
	defer func() { sameTree(t, "testdata after the test", treeState(t, frozenDir), before) }()
	code, err := os.ReadFile(filepath.Join(frozenDir, "recovery-code.txt"))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "vault")
	copyTree(t, src, dir)

	v, err := Open(dir, []byte(frozenPassphrase), Options{})
	if err != nil {
		t.Fatalf("Open frozen vault: got %v, want nil", err)
	}
	defer v.Lock()
	if v.hdr.Version != 1 {
		t.Errorf("format version: got %d, want 1", v.hdr.Version)
	}
	for r, want := range frozenRecords {
		mustGet(t, v, r.ns, r.key, want)
	}
	for _, r := range []tamperRecord{{"case-0001", "msg/0003"}, {"case-0003", "report"}} {
		if _, err := v.Get(r.ns, r.key); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get(%s, %s): got %v, want ErrNotFound", r.ns, r.key, err)
		}
	}
	if names, err := v.Namespaces(); err != nil || !slices.Equal(names, []string{"case-0001", "case-0002"}) {
		t.Errorf("Namespaces: got %v, %v; want [case-0001 case-0002]", names, err)
	}
	if keys, err := v.Keys("case-0001", "msg/"); err != nil || !slices.Equal(keys, []string{"msg/0001", "msg/0002"}) {
		t.Errorf("Keys: got %v, %v; want [msg/0001 msg/0002]", keys, err)
	}
	entries, err := v.Audit()
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	if len(entries) != len(frozenAudit) {
		t.Errorf("audit: got %d entries, want %d", len(entries), len(frozenAudit))
	}
	for i, e := range entries[:min(len(entries), len(frozenAudit))] {
		w := frozenAudit[i]
		if e.Kind != w.kind || e.Record != w.record || e.Actor != frozenActor || !e.Time.Equal(frozenTime) {
			t.Errorf("audit entry %d: got %s %q by %q at %v, want %s %q by %q at %v",
				i+1, e.Kind, e.Record, e.Actor, e.Time, w.kind, w.record, frozenActor, frozenTime)
		}
	}
	rep := mustCheck(t, v)
	if rep.Namespaces != 2 || rep.Records != len(frozenRecords) || rep.AuditEntries != len(frozenAudit) {
		t.Errorf("Check: got %d namespaces, %d records, %d audit entries; want 2, %d, %d",
			rep.Namespaces, rep.Records, rep.AuditEntries, len(frozenRecords), len(frozenAudit))
	}
	// A later Casebook goes on writing to it.
	put(t, v, "case-0002", "msg/0001", "written by a later version")
	mustCheck(t, v)
	lockVault(t, v)

	v, err = OpenWithRecoveryCode(dir, strings.TrimSpace(string(code)), Options{})
	if err != nil {
		t.Fatalf("OpenWithRecoveryCode frozen vault: got %v, want nil", err)
	}
	mustGet(t, v, "case-0002", "msg/0001", "written by a later version")
	lockVault(t, v)
}
