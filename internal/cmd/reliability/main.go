// Command reliability turns the JSON lines that the fault tests append
// (see casebook/internal/faultlog) into docs/RELIABILITY.md. `make faults`
// runs it; it is not part of Casebook itself.
//
//	go run ./internal/cmd/reliability -in faults.jsonl -out docs/RELIABILITY.md
package main

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"casebook/internal/faultlog"
	"casebook/internal/machine"
)

func main() {
	in := flag.String("in", "", "the JSON lines the fault tests wrote")
	out := flag.String("out", "docs/RELIABILITY.md", "the Markdown file to write")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "reliability:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	f, err := os.Open(in)
	if err != nil {
		return fmt.Errorf("read the fault report: %w", err)
	}
	defer f.Close()
	entries, err := parse(f)
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return fmt.Errorf("%s holds no results: did the fault tests run?", in)
	}
	var buf bytes.Buffer
	render(&buf, entries, machine.Describe())
	return os.WriteFile(out, buf.Bytes(), 0o644)
}

func parse(r io.Reader) ([]faultlog.Entry, error) {
	var entries []faultlog.Entry
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var e faultlog.Entry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			return nil, fmt.Errorf("line %d of the fault report: %w", n, err)
		}
		entries = append(entries, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read the fault report: %w", err)
	}
	return entries, nil
}

// areaOrder is the order of the table's sections.
var areaOrder = []string{"crash", "disk", "damage", "passphrase", "process", "clock", "input"}

var areaTitle = map[string]string{
	"crash":      "Crashes",
	"disk":       "A full disk",
	"damage":     "Damaged vault files",
	"passphrase": "Wrong secrets",
	"process":    "Two processes",
	"clock":      "The clock",
	"input":      "Huge and hostile input",
}

func render(w io.Writer, entries []faultlog.Entry, m machine.Info) {
	slices.SortStableFunc(entries, func(a, b faultlog.Entry) int {
		ia, ib := slices.Index(areaOrder, a.Area), slices.Index(areaOrder, b.Area)
		if ia < 0 {
			ia = len(areaOrder)
		}
		if ib < 0 {
			ib = len(areaOrder)
		}
		return cmp.Or(cmp.Compare(ia, ib), cmp.Compare(a.Area, b.Area))
	})
	passed, runs, lost := 0, 0, 0
	for _, e := range entries {
		if e.Passed {
			passed++
		}
		runs += e.Runs
		lost += e.Lost
	}
	fmt.Fprintf(w, "# Reliability\n\n")
	fmt.Fprintf(w, "This file is written by `make faults`, which runs every fault test (the\n")
	fmt.Fprintf(w, "tests named `TestFault…`) with its full number of rounds and tabulates\n")
	fmt.Fprintf(w, "what each reported. `make test` runs the same tests with fewer rounds.\n")
	fmt.Fprintf(w, "Do not edit it by hand; change the tests and run `make faults` again.\n\n")
	fmt.Fprintf(w, "- Measured: %s, commit %s\n", m.Date, m.Commit)
	fmt.Fprintf(w, "- Machine: %s\n", m.Summary())
	fmt.Fprintf(w, "- Result: %d of %d scenarios passed, %d runs in all, %d records lost\n\n", passed, len(entries), runs, lost)
	fmt.Fprintf(w, "\"Runs\" counts rounds, damaged files, attempts or inputs, as the scenario\n")
	fmt.Fprintf(w, "says. \"Records lost\" counts writes that were reported done and then\n")
	fmt.Fprintf(w, "missing or different.\n")
	area := ""
	for _, e := range entries {
		if e.Area != area {
			area = e.Area
			title := areaTitle[area]
			if title == "" {
				title = area
			}
			fmt.Fprintf(w, "\n## %s\n\n", title)
			fmt.Fprintf(w, "| Scenario | Runs | Records lost | Result | What was checked | Test |\n")
			fmt.Fprintf(w, "|---|--:|--:|---|---|---|\n")
		}
		result := "pass"
		if !e.Passed {
			result = "**FAIL**"
		}
		fmt.Fprintf(w, "| %s | %d | %d | %s | %s | `%s` |\n", cell(e.Scenario), e.Runs, e.Lost, result, cell(e.Note), e.Test)
	}
}

// cell makes s safe inside a Markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	return strings.ReplaceAll(s, "|", `\|`)
}
