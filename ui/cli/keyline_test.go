package cli

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"slices"
	"strings"
	"testing"

	agelib "filippo.io/age"

	"casebook/app"
)

func TestJoinKeyLines(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"an unquoted line",
			[]string{"member", "key", "Henrik Lund", "casebook-key1", "age1xyz", "-QJAz", "Henrik", "Lund", "--replace"},
			[]string{"member", "key", "Henrik Lund", "casebook-key1 age1xyz -QJAz", "Henrik", "Lund", "--replace"}},
		{"as a flag's value",
			[]string{"member", "add", "Tomás Okafor", "--key", "casebook-key1", "age1abc", "-x9"},
			[]string{"member", "add", "Tomás Okafor", "--key", "casebook-key1 age1abc -x9"}},
		{"a quoted line is left alone",
			[]string{"member", "key", "Henrik Lund", "casebook-key1 age1xyz -QJAz Henrik Lund"},
			[]string{"member", "key", "Henrik Lund", "casebook-key1 age1xyz -QJAz Henrik Lund"}},
		{"cut short", []string{"member", "key", "Henrik Lund", "casebook-key1", "age1xyz"},
			[]string{"member", "key", "Henrik Lund", "casebook-key1", "age1xyz"}},
		{"not an age key next", []string{"case", "note", "casebook-key1", "--text", "-x"},
			[]string{"case", "note", "casebook-key1", "--text", "-x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := joinKeyLines(tt.args); !slices.Equal(got, tt.want) {
				t.Fatalf("joinKeyLines: got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestMemberKeyLineStartingWithDash records a key line whose signing key
// begins with '-' (one in 64 do), pasted without quotes, with --replace
// after it and before it. The parser read it as an option.
func TestMemberKeyLineStartingWithDash(t *testing.T) {
	var fields []string
	for fields == nil {
		id, err := agelib.GenerateX25519Identity()
		if err != nil {
			t.Fatal(err)
		}
		pub, _, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		k := app.MemberKey{Age: id.Recipient().String(), Signing: base64.RawURLEncoding.EncodeToString(pub)}
		if f := strings.Fields(k.Line("Henrik Lund")); strings.HasPrefix(f[2], "-") {
			fields = f
		}
	}
	e := newCaseEnv(t)
	first := e.ok(append([]string{"member", "key", "Henrik Lund"}, fields...)...)
	again := e.ok(append(append([]string{"member", "key", "Henrik Lund"}, fields...), "--replace")...)
	before := e.ok(append([]string{"member", "key", "--replace", "Henrik Lund"}, fields...)...)
	for _, out := range []string{first, again, before} {
		if !strings.Contains(out, "fingerprint") {
			t.Errorf("member key: got %q, want the fingerprint", out)
		}
	}
}
