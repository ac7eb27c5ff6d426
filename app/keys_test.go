package app

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"filippo.io/age"

	"casebook/vault"
)

func mustKey(t *testing.T, s *Store) MemberKey {
	t.Helper()
	k, err := s.MyKey()
	if err != nil {
		t.Fatalf("MyKey: %v", err)
	}
	return k
}

func newIdentity(t testing.TB) *identity {
	t.Helper()
	a, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &identity{age: a, sign: priv}
}

func auditKinds(t *testing.T, v *vault.Vault) []string {
	t.Helper()
	entries, err := v.Audit()
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range entries {
		kinds = append(kinds, e.Kind+" "+e.Record)
	}
	return kinds
}

func TestKeyLine(t *testing.T) {
	id := newIdentity(t)
	k := id.public()
	line := k.Line("Alex  Example")
	if !strings.HasPrefix(line, "casebook-key1 age1") || !strings.HasSuffix(line, " Alex Example") || strings.Count(line, " ") != 4 {
		t.Fatalf("Line: got %q, want casebook-key1, the age key, the signing key and the name on one line", line)
	}
	got, name, err := ParseMemberKey(line)
	if err != nil || !got.Equal(k) || name != "Alex Example" {
		t.Fatalf("ParseMemberKey(Line): got %+v, %q, %v; want the same keys and the name", got, name, err)
	}
	// White space from a paste is fine; the name is optional.
	fields := strings.Fields(line)
	for _, ok := range []string{
		"  " + strings.Join(fields[:3], "\t") + "\n",
		strings.Join(fields[:3], "\n  "),
	} {
		if got, name, err := ParseMemberKey(ok); err != nil || !got.Equal(k) || name != "" {
			t.Errorf("ParseMemberKey(%q): got %+v, %q, %v; want the keys", ok, got, name, err)
		}
	}
	if k.Fingerprint() != id.public().Fingerprint() || len(k.Fingerprint()) != 19 {
		t.Errorf("Fingerprint: got %q, want 4 groups of 4", k.Fingerprint())
	}

	// Every change to a key character is refused.
	keyPart := len(fields[0]) + 1 + len(fields[1]) + 1 + len(fields[2])
	for i := len(fields[0]) + 1; i < keyPart; i++ {
		if line[i] == ' ' {
			continue
		}
		for _, repl := range []byte{'a', 'Q', '7', '-'} {
			if line[i] == repl {
				continue
			}
			bad := line[:i] + string(repl) + line[i+1:]
			if _, _, err := ParseMemberKey(bad); !errors.Is(err, ErrKeyLine) {
				t.Fatalf("character %d changed to %q: got %v, want ErrKeyLine", i, repl, err)
			}
		}
	}
	tests := []struct{ name, line, why string }{
		{"empty", "  ", "empty"},
		{"another kind of line", "ssh-ed25519 AAAA", "does not start"},
		{"newer", strings.Replace(line, "casebook-key1", "casebook-key2", 1), "newer"},
		{"cut short", strings.Join(fields[:2], " "), "cut short"},
		{"cut in the signing key", fields[0] + " " + fields[1] + " " + fields[2][:40], "signing key"},
		{"age key swapped", fields[0] + " " + newIdentity(t).public().Age + " " + fields[2], "checksum"},
		{"age key damaged", fields[0] + " " + fields[1][:20] + " " + fields[2], "age key"},
	}
	for _, tc := range tests {
		_, _, err := ParseMemberKey(tc.line)
		if !errors.Is(err, ErrKeyLine) || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("%s: got %v, want ErrKeyLine saying %q", tc.name, err, tc.why)
		}
		if err != nil && (strings.Contains(err.Error(), fields[1]) || strings.Contains(err.Error(), fields[2][:10])) {
			t.Errorf("%s: the error %q quotes the key", tc.name, err)
		}
	}
}

func TestMyKeyAndSetMemberKey(t *testing.T) {
	e := newStoreEnv(t)
	k := mustKey(t, e.s)
	if again := mustKey(t, e.s); !again.Equal(k) {
		t.Fatalf("MyKey twice: got two keys, want one identity")
	}
	if got := e.s.Roster().Member("m1").Key; got == nil || !got.Equal(k) {
		t.Errorf("roster entry of the member using the vault: got %v, want the vault's key", got)
	}
	line, err := e.s.MyKeyLine()
	if err != nil || !strings.HasSuffix(line, " Alex Example") {
		t.Errorf("MyKeyLine: got %q, %v; want the line with the name", line, err)
	}
	if again := mustKey(t, e.reopen(t)); !again.Equal(k) {
		t.Errorf("MyKey after reopening: got another key")
	}

	other, third := newIdentity(t).public(), newIdentity(t).public()
	m, err := e.s.SetMemberKey("Blair Sample", other, false)
	if err != nil || m.ID != "m2" || !m.Key.Equal(other) {
		t.Fatalf("SetMemberKey: got %+v, %v", m, err)
	}
	if _, err := e.s.SetMemberKey("blair sample", other, false); err != nil {
		t.Errorf("setting the same key again: got %v, want nil", err)
	}
	if _, err := e.s.SetMemberKey("Blair Sample", third, false); !errors.Is(err, ErrKeyChange) {
		t.Errorf("replacing without asking: got %v, want ErrKeyChange", err)
	}
	if _, err := e.s.SetMemberKey("Casey Placeholder", other, false); !errors.Is(err, ErrKeyInUse) {
		t.Errorf("another member's key: got %v, want ErrKeyInUse", err)
	}
	if _, err := e.s.SetMemberKey("Alex Example", other, true); !errors.Is(err, ErrOwnKey) {
		t.Errorf("a foreign key for the member using the vault: got %v, want ErrOwnKey", err)
	}
	if _, err := e.s.SetMemberKey("Nobody", other, false); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown member: got %v, want ErrInvalid", err)
	}
	if m, err := e.s.SetMemberKey("Blair Sample", third, true); err != nil || !m.Key.Equal(third) {
		t.Errorf("replacing: got %+v, %v", m, err)
	}
	if got := e.reopen(t).Roster().Find("Blair Sample").Key; got == nil || !got.Equal(third) {
		t.Errorf("after reopening: got %v, want the replaced key", got)
	}
	kinds := strings.Join(auditKinds(t, e.v), "\n")
	if strings.Count(kinds, "member.key m2") != 2 || !strings.Contains(kinds, "member.identity") {
		t.Errorf("audit: got\n%s\nwant the identity made and two key changes for m2", kinds)
	}
}
