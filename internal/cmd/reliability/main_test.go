package main

import (
	"bytes"
	"strings"
	"testing"

	"casebook/internal/machine"
)

func TestRender(t *testing.T) {
	in := `{"area":"input","scenario":"10 MB intake","test":"TestFaultHugeIntake","runs":1,"lost":0,"passed":true,"note":"refused | whole"}
{"area":"crash","scenario":"SIGKILL during writes","test":"TestFaultKill","runs":100,"lost":0,"passed":true,"note":"every reported write present"}

{"area":"disk","scenario":"full disk at backup","test":"TestFaultFullDisk/backup","runs":3,"lost":2,"passed":false,"note":"no partial file"}
`
	entries, err := parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	render(&buf, entries, machine.Info{Date: "2026-11-30 05:00 UTC", Commit: "abc1234", CPUs: 2})
	got := buf.String()
	for _, want := range []string{
		"- Result: 2 of 3 scenarios passed, 104 runs in all, 2 records lost",
		"| SIGKILL during writes | 100 | 0 | pass | every reported write present | `TestFaultKill` |",
		"| full disk at backup | 3 | 2 | **FAIL** |",
		`refused \| whole`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
	// Sections follow areaOrder: crashes, then the disk, then input.
	crash, disk, input := strings.Index(got, "## Crashes"), strings.Index(got, "## A full disk"), strings.Index(got, "## Huge and hostile input")
	if crash < 0 || !(crash < disk && disk < input) {
		t.Errorf("sections out of order (%d, %d, %d):\n%s", crash, disk, input, got)
	}
}

func TestParseRejectsMalformedLine(t *testing.T) {
	if _, err := parse(strings.NewReader("{\"area\":\"crash\"}\nnot json\n")); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("parse of a malformed line: err = %v, want one naming line 2", err)
	}
}
