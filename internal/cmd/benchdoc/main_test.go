package main

import (
	"bytes"
	"strings"
	"testing"

	"casebook/internal/machine"
)

const sample = `goos: linux
pkg: casebook/app
BenchmarkStoreSearch/cases=1000-2   	     100	    200000 ns/op	  1000 B/op	  10 allocs/op
BenchmarkStoreSearch/cases=1000-2   	     100	    220000 ns/op	  1000 B/op	  10 allocs/op
BenchmarkStoreSearch/cases=1000-2   	     100	    180000 ns/op	  1000 B/op	  10 allocs/op
BenchmarkStoreSearch/cases=10000-2  	      50	   1000000 ns/op	  2000 B/op	  20 allocs/op
BenchmarkStoreDue/cases=1000-2      	     100	   1000000 ns/op
BenchmarkStoreDue/cases=10000-2     	       5	  60000000 ns/op
BenchmarkTokens-2                   	  100000	      1234 ns/op	  64 B/op	   2 allocs/op
--- FAIL: BenchmarkBroken
pkg: casebook/vault
BenchmarkOverheadWriteSynced2KiB-2  	     200	   9000000 ns/op	  1.20 vault/badger	 8000000 vault-ns/op
ok  	casebook/vault	12.3s
pkg: casebook/ui/desktop
BenchmarkDesktopIdleRSS/cases=10000/screen=week 1 500000000 rss-bytes
`

func TestRender(t *testing.T) {
	results, err := parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 7 {
		t.Fatalf("parsed %d benchmarks, want 7", len(results))
	}
	var buf bytes.Buffer
	render(&buf, results, machine.Info{Date: "2026-11-30 06:00 UTC", Commit: "abc1234", CPUs: 2}, 3)
	got := buf.String()
	for _, want := range []string{
		"| search under 50 ms at 10,000 cases | 1.00 ms | yes |",
		"| the due list under 50 ms at 10,000 cases (the store) | 60.00 ms | **no** |",
		"| our synced write within 1.5 × plain Badger's (paired) | 1.20 × | yes |",
		"under 150 MB resident | 500.0 MB | **no** |",
		"| `casebook demo --cases 10000` under a minute | not measured | — |",
		// Search: the median of three runs, ± the farthest run.
		"| `app.StoreSearch` | 200.0 µs ± 10 % | 1.00 ms | 5.0 × | 2.0 kB | 20 |",
		"| `app.StoreDue` | 1.00 ms | 60.00 ms | **60.0 ×** |",
		"**no**: 1 of 2 grew faster",
		"| `app.Tokens` | 1.2 µs | 64 B | 2 |",
		"8.00 ms vault-ns/op",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("page lacks %q:\n%s", want, got)
		}
	}
}

func TestSplice(t *testing.T) {
	page := []byte("# Title\n\nkept\n" + beginMarker + "\nold\n" + endMarker + "\n\n## Findings\nkept too\n")
	out, err := splice(page, []byte(beginMarker+"\nnew\n"+endMarker+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := "# Title\n\nkept\n" + beginMarker + "\nnew\n" + endMarker + "\n\n## Findings\nkept too\n"
	if string(out) != want {
		t.Errorf("spliced:\n%s\nwant:\n%s", out, want)
	}
	if _, err := splice([]byte("# no markers\n"), nil); err == nil {
		t.Error("a page without markers was accepted")
	}
}
