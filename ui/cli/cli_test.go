package cli

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"casebook/vault"
)

func TestMain(m *testing.M) {
	vault.UseLowCostKDFForTesting()
	os.Exit(m.Run())
}

const (
	goodPass  = "violet tractor migrates sideways"
	otherPass = "quiet harbour lanterns at dusk"
)

// run is one invocation of the command line in this process.
type run struct {
	args   []string
	env    map[string]string
	stdin  string
	typed  []string // lines typed at a fake terminal; nil means no terminal
	code   int
	stdout string
	stderr string
}

func execute(t *testing.T, r run) run {
	t.Helper()
	var out, errb bytes.Buffer
	env := Env{
		Stdin:  strings.NewReader(r.stdin),
		Stdout: &out,
		Stderr: &errb,
		Getenv: func(k string) string { return r.env[k] },
		Desktop: func(string) error {
			t.Fatal("the desktop app must not open in these tests")
			return nil
		},
	}
	if r.typed != nil {
		typed := r.typed
		env.ReadSecret = func(string) ([]byte, error) {
			if len(typed) == 0 {
				t.Fatal("asked for more secrets than were typed")
			}
			s := typed[0]
			typed = typed[1:]
			return []byte(s), nil
		}
	}
	r.code = Run(r.args, env)
	r.stdout, r.stderr = out.String(), errb.String()
	return r
}

// snapshot hashes every file under dir, so a test can show nothing changed.
func snapshot(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	files := map[string][32]byte{}
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, rerr := os.ReadFile(path)
		if rerr != nil {
			t.Fatal(rerr)
		}
		files[path] = sha256.Sum256(b)
		return nil
	})
	return files
}

func sameFiles(t *testing.T, before, after map[string][32]byte) {
	t.Helper()
	if len(before) != len(after) {
		t.Fatalf("got %d files after, want the %d there were before", len(after), len(before))
	}
	for p, h := range before {
		if after[p] != h {
			t.Fatalf("%s changed", p)
		}
	}
}

var codePattern = regexp.MustCompile(`[A-Z2-7]{4}(-[A-Z2-7]{4}){7}`)

// initVault creates a vault through the command line and returns its
// directory and recovery code.
func initVault(t *testing.T) (string, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "vault")
	r := execute(t, run{args: []string{"--vault", dir, "init"}, env: map[string]string{"CASEBOOK_PASSPHRASE": goodPass}})
	if r.code != ExitOK {
		t.Fatalf("init: exit %d, stderr %q", r.code, r.stderr)
	}
	code := codePattern.FindString(r.stdout)
	if code == "" {
		t.Fatalf("init printed no recovery code: %q", r.stdout)
	}
	return dir, code
}

func TestInit(t *testing.T) {
	t.Run("creates a vault and shows the recovery code", func(t *testing.T) {
		dir, code := initVault(t)
		if !vault.Exists(dir) {
			t.Fatal("no vault after init")
		}
		v, err := vault.OpenWithRecoveryCode(dir, code, vault.Options{})
		if err != nil {
			t.Fatalf("the printed recovery code does not open the vault: %v", err)
		}
		v.Lock()
	})
	t.Run("refuses an existing vault and changes nothing", func(t *testing.T) {
		dir, _ := initVault(t)
		before := snapshot(t, dir)
		r := execute(t, run{args: []string{"--vault", dir, "init"}, env: map[string]string{"CASEBOOK_PASSPHRASE": otherPass}})
		if r.code != ExitError || !strings.Contains(r.stderr, "already exists") {
			t.Fatalf("got exit %d %q, want %d and 'already exists'", r.code, r.stderr, ExitError)
		}
		sameFiles(t, before, snapshot(t, dir))
	})
	t.Run("asks twice at a terminal", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "v")
		r := execute(t, run{args: []string{"--vault", dir, "init"}, typed: []string{goodPass, goodPass}})
		if r.code != ExitOK {
			t.Fatalf("got exit %d %q, want 0", r.code, r.stderr)
		}
	})
	for _, tc := range []struct {
		name  string
		r     run
		code  int
		words string
	}{
		{"weak passphrase", run{env: map[string]string{"CASEBOOK_PASSPHRASE": "password1"}}, ExitError, "too weak"},
		{"guessable passphrase", run{env: map[string]string{"CASEBOOK_PASSPHRASE": "passwordpassword"}}, ExitError, "too weak"},
		{"no passphrase and no terminal", run{}, ExitUsage, "CASEBOOK_PASSPHRASE"},
		{"typed twice differently", run{typed: []string{goodPass, otherPass}}, ExitError, "do not match"},
		{"empty at the terminal", run{typed: []string{""}}, ExitError, "empty"},
		{"stray argument", run{args: []string{"extra"}, env: map[string]string{"CASEBOOK_PASSPHRASE": goodPass}}, ExitUsage, "no arguments"},
	} {
		t.Run("refuses: "+tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "v")
			tc.r.args = append([]string{"--vault", dir, "init"}, tc.r.args...)
			r := execute(t, tc.r)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.words) {
				t.Fatalf("got exit %d %q, want %d and %q", r.code, r.stderr, tc.code, tc.words)
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Fatalf("a refused init left %s behind", dir)
			}
		})
	}
}

func TestPassphraseSources(t *testing.T) {
	dir, _ := initVault(t)
	file := filepath.Join(t.TempDir(), "pass")
	if err := os.WriteFile(file, []byte(goodPass+"\r\nsecond line ignored\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		r    run
		code int
	}{
		{"environment", run{env: map[string]string{"CASEBOOK_PASSPHRASE": goodPass}}, ExitOK},
		{"file", run{args: []string{"--passphrase-file", file}}, ExitOK},
		{"standard input", run{args: []string{"--passphrase-file", "-"}, stdin: goodPass + "\n"}, ExitOK},
		{"terminal", run{typed: []string{goodPass}}, ExitOK},
		{"file wins over environment", run{args: []string{"--passphrase-file", file}, env: map[string]string{"CASEBOOK_PASSPHRASE": "wrong"}}, ExitOK},
		{"wrong in environment", run{env: map[string]string{"CASEBOOK_PASSPHRASE": otherPass}}, ExitWrongPassphrase},
		{"missing file", run{args: []string{"--passphrase-file", file + ".missing"}}, ExitError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.r.args = append([]string{"--vault", dir, "check"}, tc.r.args...)
			r := execute(t, tc.r)
			if r.code != tc.code {
				t.Fatalf("got exit %d (%q), want %d", r.code, r.stderr, tc.code)
			}
		})
	}
}

func TestVaultFromEnvironment(t *testing.T) {
	dir, _ := initVault(t)
	r := execute(t, run{args: []string{"check"}, env: map[string]string{"CASEBOOK_VAULT": dir, "CASEBOOK_PASSPHRASE": goodPass}})
	if r.code != ExitOK {
		t.Fatalf("got exit %d %q, want 0", r.code, r.stderr)
	}
}

func TestCheck(t *testing.T) {
	dir, _ := initVault(t)
	env := map[string]string{"CASEBOOK_PASSPHRASE": goodPass}
	r := execute(t, run{args: []string{"--vault", dir, "check"}, env: env})
	if r.code != ExitOK || !strings.Contains(r.stdout, "intact") {
		t.Fatalf("got exit %d %q %q, want 0 and 'intact'", r.code, r.stdout, r.stderr)
	}
	r = execute(t, run{args: []string{"--vault", dir, "check", "--json"}, env: env})
	var got struct {
		OK           bool `json:"ok"`
		AuditEntries int  `json:"audit_entries"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || !got.OK || got.AuditEntries < 1 {
		t.Fatalf("check --json: got %q (%v), want ok with audit entries", r.stdout, err)
	}

	// Damage the header's JSON line: the checksum no longer matches.
	hdr := filepath.Join(dir, "vault.hdr")
	b, err := os.ReadFile(hdr)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.IndexByte(b, '\n') + 5
	b[i] ^= 0x01
	if err := os.WriteFile(hdr, b, 0o600); err != nil {
		t.Fatal(err)
	}
	r = execute(t, run{args: []string{"--vault", dir, "check"}, env: env})
	if r.code != ExitIntegrity || !strings.Contains(r.stderr, "vault header") {
		t.Fatalf("damaged header: got exit %d %q, want %d naming the vault header", r.code, r.stderr, ExitIntegrity)
	}
}

func TestWrongPassphraseChangesNothing(t *testing.T) {
	dir, _ := initVault(t)
	before := snapshot(t, dir)
	for _, cmd := range [][]string{{"check"}, {"audit"}, {"passwd"}, {"backup", filepath.Join(t.TempDir(), "b")}} {
		r := execute(t, run{args: append([]string{"--vault", dir}, cmd...),
			env: map[string]string{"CASEBOOK_PASSPHRASE": otherPass, "CASEBOOK_NEW_PASSPHRASE": goodPass}})
		if r.code != ExitWrongPassphrase {
			t.Fatalf("%v: got exit %d %q, want %d", cmd, r.code, r.stderr, ExitWrongPassphrase)
		}
		if strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Fatalf("%v: want one sentence on stderr, got %q", cmd, r.stderr)
		}
	}
	sameFiles(t, before, snapshot(t, dir))
}

func TestPasswdAndRecover(t *testing.T) {
	dir, code := initVault(t)
	r := execute(t, run{args: []string{"--vault", dir, "passwd"},
		env: map[string]string{"CASEBOOK_PASSPHRASE": goodPass, "CASEBOOK_NEW_PASSPHRASE": otherPass}})
	if r.code != ExitOK {
		t.Fatalf("passwd: exit %d %q", r.code, r.stderr)
	}
	checkWith := func(pass string) int {
		return execute(t, run{args: []string{"--vault", dir, "check"}, env: map[string]string{"CASEBOOK_PASSPHRASE": pass}}).code
	}
	if got := checkWith(goodPass); got != ExitWrongPassphrase {
		t.Fatalf("old passphrase after passwd: got exit %d, want %d", got, ExitWrongPassphrase)
	}
	if got := checkWith(otherPass); got != ExitOK {
		t.Fatalf("new passphrase after passwd: got exit %d, want 0", got)
	}

	r = execute(t, run{args: []string{"--vault", dir, "passwd"},
		env: map[string]string{"CASEBOOK_PASSPHRASE": otherPass, "CASEBOOK_NEW_PASSPHRASE": "abc"}})
	if r.code != ExitError || !strings.Contains(r.stderr, "too weak") {
		t.Fatalf("weak new passphrase: got exit %d %q", r.code, r.stderr)
	}
	if got := checkWith(otherPass); got != ExitOK {
		t.Fatalf("a refused passwd changed the passphrase: exit %d", got)
	}

	codeFile := filepath.Join(t.TempDir(), "code")
	os.WriteFile(codeFile, []byte(strings.ToLower(code)+"\n"), 0o600)
	r = execute(t, run{args: []string{"--vault", dir, "recover", "--recovery-code-file", codeFile},
		env: map[string]string{"CASEBOOK_NEW_PASSPHRASE": goodPass}})
	if r.code != ExitOK {
		t.Fatalf("recover: exit %d %q", r.code, r.stderr)
	}
	if got := checkWith(goodPass); got != ExitOK {
		t.Fatalf("passphrase set by recover: got exit %d, want 0", got)
	}
	r = execute(t, run{args: []string{"--vault", dir, "recover"},
		env: map[string]string{"CASEBOOK_RECOVERY_CODE": "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH", "CASEBOOK_NEW_PASSPHRASE": otherPass}})
	if r.code != ExitWrongPassphrase {
		t.Fatalf("wrong recovery code: got exit %d %q, want %d", r.code, r.stderr, ExitWrongPassphrase)
	}

	r = execute(t, run{args: []string{"--vault", dir, "audit", "--json"}, env: map[string]string{"CASEBOOK_PASSPHRASE": goodPass}})
	kinds := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var e vault.AuditEntry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("audit --json line %q: %v", line, err)
		}
		kinds[e.Kind]++
	}
	if kinds["vault.create"] != 1 || kinds["passphrase.change"] != 2 {
		t.Fatalf("audit kinds: got %v, want one vault.create and two passphrase.change", kinds)
	}
	r = execute(t, run{args: []string{"--vault", dir, "audit"}, env: map[string]string{"CASEBOOK_PASSPHRASE": goodPass}})
	if !strings.Contains(r.stdout, "passphrase.change") || !strings.HasPrefix(r.stdout, "SEQ") {
		t.Fatalf("audit table: got %q", r.stdout)
	}
}

func TestBackupRestore(t *testing.T) {
	dir, code := initVault(t)
	v, err := vault.Open(dir, []byte(goodPass), vault.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Update(func(tx *vault.Tx) error { return tx.Put("case-one", "report", []byte("synthetic report text")) }); err != nil {
		t.Fatal(err)
	}
	v.Lock()
	env := map[string]string{"CASEBOOK_PASSPHRASE": goodPass}
	backup := filepath.Join(t.TempDir(), "casebook.backup")
	r := execute(t, run{args: []string{"--vault", dir, "backup", backup}, env: env})
	if r.code != ExitOK {
		t.Fatalf("backup: exit %d %q", r.code, r.stderr)
	}
	if entries, _ := os.ReadDir(filepath.Dir(backup)); len(entries) != 1 {
		t.Fatalf("backup left %d files in its directory, want 1", len(entries))
	}

	t.Run("into a new directory", func(t *testing.T) {
		target := filepath.Join(t.TempDir(), "restored")
		r := execute(t, run{args: []string{"--vault", target, "restore", backup}, env: env})
		if r.code != ExitOK {
			t.Fatalf("restore: exit %d %q", r.code, r.stderr)
		}
		v, err := vault.Open(target, []byte(goodPass), vault.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer v.Lock()
		got, err := v.Get("case-one", "report")
		if err != nil || string(got) != "synthetic report text" {
			t.Fatalf("restored record: got %q, %v", got, err)
		}
	})
	t.Run("with the recovery code", func(t *testing.T) {
		target := filepath.Join(t.TempDir(), "restored")
		r := execute(t, run{args: []string{"--vault", target, "restore", "--recovery-code", backup},
			env: map[string]string{"CASEBOOK_RECOVERY_CODE": code}})
		if r.code != ExitOK {
			t.Fatalf("restore: exit %d %q", r.code, r.stderr)
		}
	})
	t.Run("refuses an existing vault", func(t *testing.T) {
		before := snapshot(t, dir)
		r := execute(t, run{args: []string{"--vault", dir, "restore", backup}, env: env})
		if r.code != ExitError || !strings.Contains(r.stderr, "already exists") {
			t.Fatalf("got exit %d %q", r.code, r.stderr)
		}
		sameFiles(t, before, snapshot(t, dir))
	})
	t.Run("refuses a damaged backup and writes nothing", func(t *testing.T) {
		b, _ := os.ReadFile(backup)
		b[len(b)-10] ^= 0x40
		damaged := filepath.Join(t.TempDir(), "damaged.backup")
		os.WriteFile(damaged, b, 0o600)
		parent := t.TempDir()
		target := filepath.Join(parent, "restored")
		r := execute(t, run{args: []string{"--vault", target, "restore", damaged}, env: env})
		if r.code != ExitIntegrity {
			t.Fatalf("got exit %d %q, want %d", r.code, r.stderr, ExitIntegrity)
		}
		if entries, _ := os.ReadDir(parent); len(entries) != 0 {
			t.Fatalf("a refused restore left %v behind", entries)
		}
	})
	t.Run("refuses a wrong passphrase", func(t *testing.T) {
		target := filepath.Join(t.TempDir(), "restored")
		r := execute(t, run{args: []string{"--vault", target, "restore", backup}, env: map[string]string{"CASEBOOK_PASSPHRASE": otherPass}})
		if r.code != ExitWrongPassphrase {
			t.Fatalf("got exit %d %q, want %d", r.code, r.stderr, ExitWrongPassphrase)
		}
	})
	t.Run("backup into a missing directory", func(t *testing.T) {
		r := execute(t, run{args: []string{"--vault", dir, "backup", filepath.Join(t.TempDir(), "no", "such", "b")}, env: env})
		if r.code != ExitError {
			t.Fatalf("got exit %d %q, want %d", r.code, r.stderr, ExitError)
		}
	})
}

func TestInUse(t *testing.T) {
	dir, _ := initVault(t)
	v, err := vault.Open(dir, []byte(goodPass), vault.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Lock()
	r := execute(t, run{args: []string{"--vault", dir, "check"}, env: map[string]string{"CASEBOOK_PASSPHRASE": goodPass}})
	if r.code != ExitInUse || !strings.Contains(r.stderr, "open elsewhere") {
		t.Fatalf("got exit %d %q, want %d", r.code, r.stderr, ExitInUse)
	}
}

func TestUsageAndMissingVault(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none")
	for _, tc := range []struct {
		name  string
		args  []string
		code  int
		words string
	}{
		{"unknown command", []string{"--vault", missing, "frobnicate"}, ExitUsage, "unknown command"},
		{"unknown flag", []string{"--vault", missing, "check", "--frobnicate"}, ExitUsage, "frobnicate"},
		{"backup without a file", []string{"--vault", missing, "backup"}, ExitUsage, "backup FILE"},
		{"no vault", []string{"--vault", missing, "check"}, ExitError, "no vault in " + missing},
		{"no vault for recover", []string{"--vault", missing, "recover"}, ExitError, "casebook init"},
		{"help", []string{"--help"}, ExitOK, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := execute(t, run{args: tc.args, env: map[string]string{"CASEBOOK_PASSPHRASE": goodPass}})
			if r.code != tc.code || !strings.Contains(strings.ToLower(r.stderr), strings.ToLower(tc.words)) {
				t.Fatalf("got exit %d %q, want %d and %q", r.code, r.stderr, tc.code, tc.words)
			}
		})
	}
}
