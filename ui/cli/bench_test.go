package cli

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkDemoCommand measures `casebook demo --cases N` on a new vault
// (made before the clock starts, with the low-cost key derivation of
// tests): making N synthetic cases of about ten messages each and storing
// them.
func BenchmarkDemoCommand(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		b.Run(fmt.Sprintf("cases=%d", n), func(b *testing.B) {
			env := map[string]string{"CASEBOOK_PASSPHRASE": goodPass, "CASEBOOK_NEW_PASSPHRASE": goodPass}
			cmd := func(args ...string) {
				var out, errb bytes.Buffer
				code := Run(args, Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
					Getenv: func(k string) string { return env[k] }})
				if code != 0 {
					b.Fatalf("casebook %s: exit %d: %s", strings.Join(args, " "), code, errb.String())
				}
			}
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				dir := filepath.Join(b.TempDir(), "vault")
				cmd("--vault", dir, "init")
				b.StartTimer()
				cmd("--vault", dir, "demo", "--cases", fmt.Sprint(n))
			}
		})
	}
}
