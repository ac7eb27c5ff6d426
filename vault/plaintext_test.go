package vault

import (
	"bufio"
	"bytes"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dgraph-io/badger/v4"
)

// Canaries are distinctive strings written into a vault and then searched
// for in its files. None may appear: values, namespace names and keys are
// all encrypted at rest.
const (
	canaryValue     = "Canary-Value-q7XwZ3"
	canaryBigValue  = "Canary-BigValue-k2VbN8"
	canaryNamespace = "canary-namespace-J5tR"
	canaryKey       = "canary-key-M4pL"
	canaryActor     = "Canary-Actor-Y6hD"
)

// canaryForms are the byte strings searched for: each canary as written,
// in lower case and in upper case.
func canaryForms() []string {
	var forms []string
	for _, c := range []string{canaryValue, canaryBigValue, canaryNamespace, canaryKey, canaryActor} {
		forms = append(forms, c, strings.ToLower(c), strings.ToUpper(c))
	}
	return forms
}

// findCanaries returns "file: canary" for every canary form found in any
// file below root (or in root itself, if it is a file). Files are read in
// overlapping chunks, so that large preallocated files cost little memory.
func findCanaries(t *testing.T, root string) []string {
	t.Helper()
	forms := canaryForms()
	overlap := 0
	for _, f := range forms {
		overlap = max(overlap, len(f)-1)
	}
	var found []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		r := bufio.NewReaderSize(f, 1<<20)
		buf := make([]byte, 0, 1<<20+overlap)
		seen := map[string]bool{}
		for {
			chunk := make([]byte, 1<<20)
			n, rerr := io.ReadFull(r, chunk)
			buf = append(buf, chunk[:n]...)
			for _, c := range forms {
				if !seen[c] && bytes.Contains(buf, []byte(c)) {
					seen[c] = true
					found = append(found, p+": "+c)
				}
			}
			if rerr != nil {
				if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
					return nil
				}
				return rerr
			}
			buf = append(buf[:0], buf[len(buf)-overlap:]...)
		}
	})
	if err != nil {
		t.Fatalf("search %s: %v", root, err)
	}
	return found
}

// writeCanaries fills a vault with every canary: in small values (kept in
// Badger's tables), in a large value (kept in its value log), as a
// namespace name and a key (which the audit log repeats) and as the actor.
func writeCanaries(t *testing.T, v *Vault) {
	t.Helper()
	v.SetActor(canaryActor)
	big := make([]byte, 1<<20+4096)
	rand.NewChaCha8([32]byte{'c', 'a', 'n', 'a', 'r', 'y'}).Read(big)
	copy(big[1000:], canaryBigValue)
	copy(big[len(big)-1000:], canaryBigValue)
	err := v.Update(func(tx *Tx) error {
		for _, w := range []struct{ ns, key, value string }{
			{canaryNamespace, canaryKey, canaryValue},
			{canaryNamespace, "report", "text around " + canaryValue + " and more text"},
			{"case-plain", canaryKey + "/msg", strings.Repeat(canaryValue, 50)},
			{"case-plain", "big", string(big)},
		} {
			if err := tx.Put(w.ns, w.key, []byte(w.value)); err != nil {
				return err
			}
		}
		tx.Record("export.pdf", canaryNamespace+"/"+canaryKey)
		return nil
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func TestNoPlaintextOnDisk(t *testing.T) {
	logger, messages := newRecordingLogger()
	dir := filepath.Join(t.TempDir(), "vault")
	v, _, err := Create(dir, []byte(testPassphrase), Options{Logger: logger, Actor: canaryActor})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	writeCanaries(t, v)
	lockVault(t, v)
	// A second session, so that the files of a reopened store are there too.
	v, err = Open(dir, []byte(testPassphrase), Options{Logger: logger, Actor: canaryActor})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	put(t, v, canaryNamespace, canaryKey+"-2", canaryValue)
	if err := v.DestroyNamespaces("case-plain"); err != nil {
		t.Fatalf("DestroyNamespaces: %v", err)
	}
	// A copy taken while the vault is open is what a crash leaves behind:
	// it holds Badger's write-ahead log.
	crashImage := filepath.Join(t.TempDir(), "crash-image")
	copyTree(t, dir, crashImage)
	backup := filepath.Join(t.TempDir(), "vault.backup")
	f, err := os.Create(backup)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Backup(f); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	lockVault(t, v)

	hasWAL := false
	filepath.WalkDir(crashImage, func(p string, d fs.DirEntry, err error) error {
		hasWAL = hasWAL || strings.HasSuffix(p, ".mem")
		return err
	})
	if !hasWAL {
		t.Errorf("crash image: got no Badger write-ahead log (.mem), want one to search")
	}
	for _, root := range []string{dir, crashImage, backup} {
		if found := findCanaries(t, root); len(found) > 0 {
			t.Errorf("plaintext on disk: got %q, want none", found)
		}
	}
	for _, m := range messages() {
		for _, c := range canaryForms() {
			if strings.Contains(m, c) {
				t.Errorf("log message %q: got canary %q, want no names or content in logs", m, c)
			}
		}
	}
}

// TestFindCanariesFindsPlaintext is the control for TestNoPlaintextOnDisk:
// the same search finds the canaries in a plain file among the vault's and
// in a Badger store without encryption.
func TestFindCanariesFindsPlaintext(t *testing.T) {
	v, dir, _ := newTestVault(t)
	lockVault(t, v)
	// Split across the search's chunk boundary, to show the overlap works.
	plain := make([]byte, 1<<20-5)
	plain = append(plain, canaryValue...)
	if err := os.WriteFile(filepath.Join(dir, "data", "plain"), plain, 0o600); err != nil {
		t.Fatal(err)
	}
	if found := findCanaries(t, dir); len(found) != 1 || !strings.HasSuffix(found[0], ": "+canaryValue) {
		t.Errorf("plain file: got %q, want %s found once", found, canaryValue)
	}

	bdir := filepath.Join(t.TempDir(), "badger")
	db, err := badger.Open(badger.DefaultOptions(bdir).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(txn *badger.Txn) error {
		return txn.Set([]byte(canaryNamespace+"/"+canaryKey), []byte(strings.ToUpper(canaryValue)))
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	found := strings.Join(findCanaries(t, bdir), "\n")
	for _, c := range []string{canaryNamespace, canaryKey, strings.ToUpper(canaryValue)} {
		if !strings.Contains(found, c) {
			t.Errorf("unencrypted Badger: got %q, want %s found", found, c)
		}
	}
}
