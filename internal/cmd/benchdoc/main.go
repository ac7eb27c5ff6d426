// Command benchdoc turns the output of `go test -bench` (several packages,
// -count N, and the lines of scripts/idle-rss.sh) into the generated part
// of docs/BENCHMARKS.md: the goals and whether they are met, every
// benchmark measured at 1,000 and 10,000 cases side by side with how its
// cost grew, and the rest. `make bench` runs it; it is not part of
// Casebook itself.
//
//	go run ./internal/cmd/benchdoc -in bench.txt -out docs/BENCHMARKS.md
//
// The text between the markers "<!-- benchdoc:begin -->" and
// "<!-- benchdoc:end -->" is replaced; everything else in the file, the
// findings written by hand, is kept.
package main

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"casebook/internal/machine"
)

const (
	beginMarker = "<!-- benchdoc:begin -->"
	endMarker   = "<!-- benchdoc:end -->"
)

func main() {
	in := flag.String("in", "bench.txt", "the output of go test -bench")
	out := flag.String("out", "docs/BENCHMARKS.md", "the Markdown file whose generated part to replace")
	count := flag.Int("count", 0, "the -count the benchmarks ran with, for the page")
	flag.Parse()
	if err := run(*in, *out, *count); err != nil {
		fmt.Fprintln(os.Stderr, "benchdoc:", err)
		os.Exit(1)
	}
}

func run(in, out string, count int) error {
	f, err := os.Open(in)
	if err != nil {
		return fmt.Errorf("read the benchmark results: %w", err)
	}
	defer f.Close()
	results, err := parse(f)
	if err != nil {
		return err
	}
	if len(results) == 0 {
		return fmt.Errorf("%s holds no benchmark results", in)
	}
	page, err := os.ReadFile(out)
	if err != nil {
		return fmt.Errorf("read %s: %w", out, err)
	}
	var gen bytes.Buffer
	render(&gen, results, machine.Describe(), count)
	updated, err := splice(page, gen.Bytes())
	if err != nil {
		return fmt.Errorf("%s: %w", out, err)
	}
	return os.WriteFile(out, updated, 0o644)
}

// result is one benchmark's measurements over every run.
type result struct {
	pkg, name string
	values    map[string][]float64 // unit → one value per run
	order     int
}

var procSuffix = regexp.MustCompile(`-\d+$`)

// parse reads go test -bench output. A "pkg:" line names the package of
// the benchmarks after it.
func parse(r io.Reader) ([]*result, error) {
	byKey := map[string]*result{}
	var list []*result
	pkg := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = strings.TrimSpace(p)
			continue
		}
		if !strings.HasPrefix(line, "Benchmark") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || len(f)%2 != 0 {
			continue // a benchmark's log line, or its name before a failure
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		name := procSuffix.ReplaceAllString(strings.TrimPrefix(f[0], "Benchmark"), "")
		key := pkg + "\x00" + name
		res := byKey[key]
		if res == nil {
			res = &result{pkg: pkg, name: name, values: map[string][]float64{}, order: len(list)}
			byKey[key] = res
			list = append(list, res)
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("benchmark %s: value %q: %w", name, f[i], err)
			}
			res.values[f[i+1]] = append(res.values[f[i+1]], v)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read the benchmark results: %w", err)
	}
	return list, nil
}

// median and spread (the largest distance from the median, as a fraction
// of it) of vs.
func median(vs []float64) (float64, float64) {
	if len(vs) == 0 {
		return math.NaN(), 0
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	spread := 0.0
	if m != 0 {
		spread = max(m-s[0], s[len(s)-1]-m) / math.Abs(m)
	}
	return m, spread
}

func (r *result) get(unit string) (float64, bool) {
	vs := r.values[unit]
	if len(vs) == 0 {
		return 0, false
	}
	m, _ := median(vs)
	return m, true
}

// short is the package's last element and the benchmark's name.
func (r *result) short() string {
	p := r.pkg[strings.LastIndex(r.pkg, "/")+1:]
	if p == "" {
		return r.name
	}
	return p + "." + r.name
}

// goal is a target from issue #10 and the benchmark that measures it.
type goal struct {
	what  string
	bench string // short name
	unit  string
	limit float64
	show  func(float64) string
}

var goals = []goal{
	{"`casebook demo --cases 10000` under a minute", "cli.DemoCommand/cases=10000", "ns/op", 60e9, fmtNs},
	{"search under 50 ms at 10,000 cases", "app.StoreSearch/cases=10000", "ns/op", 50e6, fmtNs},
	{"the due list under 50 ms at 10,000 cases (the store)", "app.StoreDue/cases=10000", "ns/op", 50e6, fmtNs},
	{"the due list under 50 ms at 10,000 cases, right after a note (the store)", "app.StoreDueAfterChange/cases=10000/change=note", "ns/op", 50e6, fmtNs},
	{"the due list under 50 ms at 10,000 cases, right after a new report (the store)", "app.StoreDueAfterChange/cases=10000/change=report", "ns/op", 50e6, fmtNs},
	{"the due list under 50 ms at 10,000 cases, after 20 notes and a new report (the store)", "app.StoreDueAfterChange/cases=10000/change=notes-then-report", "ns/op", 50e6, fmtNs},
	{"the due list under 50 ms at 10,000 cases (This week, drawn)", "desktop.DesktopDueList/cases=10000", "ns/op", 50e6, fmtNs},
	{"opening the case list under 50 ms at 10,000 cases (the store)", "app.StoreCaseList/cases=10000", "ns/op", 50e6, fmtNs},
	{"opening the case list under 50 ms at 10,000 cases (Cases, drawn)", "desktop.DesktopCaseList/cases=10000", "ns/op", 50e6, fmtNs},
	{"our synced write within 1.5 × plain Badger's (paired)", "vault.OverheadWriteSynced2KiB", "vault/badger", 1.5, fmtRatio},
	{"the desktop app idle on This week, 10,000 cases, under 150 MB resident", "desktop.DesktopIdleRSS/cases=10000/screen=week", "rss-bytes", 150e6, fmtBytes},
	{"the desktop app idle on Cases, 10,000 cases, under 150 MB resident", "desktop.DesktopIdleRSS/cases=10000/screen=cases", "rss-bytes", 150e6, fmtBytes},
}

// scalePair is a benchmark measured at 1,000 and at 10,000 cases.
type scalePair struct {
	name       string
	small, big *result
	unit       string
}

var casesPart = regexp.MustCompile(`cases=(10000|1000)(/|$)`)

func pairs(results []*result) (ps []scalePair, rest []*result) {
	small := map[string]*result{}
	big := map[string]*result{}
	for _, r := range results {
		m := casesPart.FindStringSubmatch(r.name)
		if m == nil {
			rest = append(rest, r)
			continue
		}
		key := r.pkg + "\x00" + casesPart.ReplaceAllString(r.name, "cases=N$2")
		if m[1] == "1000" {
			small[key] = r
		} else {
			big[key] = r
		}
	}
	for key, s := range small {
		b := big[key]
		if b == nil {
			rest = append(rest, s)
			continue
		}
		unit := "ns/op"
		if _, ok := s.get("rss-bytes"); ok {
			unit = "rss-bytes"
		}
		name := strings.Replace(casesPart.ReplaceAllString(s.short(), "$2"), "//", "/", 1)
		name = strings.TrimSuffix(name, "/")
		ps = append(ps, scalePair{name: name, small: s, big: b, unit: unit})
	}
	for key, b := range big {
		if small[key] == nil {
			rest = append(rest, b)
		}
	}
	slices.SortFunc(ps, func(a, b scalePair) int { return cmp.Compare(a.small.order, b.small.order) })
	slices.SortFunc(rest, func(a, b *result) int { return cmp.Compare(a.order, b.order) })
	return ps, rest
}

func render(w io.Writer, results []*result, m machine.Info, count int) {
	byShort := map[string]*result{}
	for _, r := range results {
		byShort[r.short()] = r
	}
	fmt.Fprintf(w, "%s\n", beginMarker)
	fmt.Fprintf(w, "<!-- Written by `make bench` (internal/cmd/benchdoc); edit outside the markers. -->\n\n")
	fmt.Fprintf(w, "## Results\n\n")
	fmt.Fprintf(w, "- Measured: %s, commit %s", m.Date, m.Commit)
	if count > 0 {
		fmt.Fprintf(w, ", each benchmark run %d times (medians; ± is the largest distance of a run from the median)", count)
	}
	fmt.Fprintf(w, "\n- Machine: %s\n\n", m.Summary())

	fmt.Fprintf(w, "### Goals\n\n| Goal | Measured | Met |\n|---|--:|---|\n")
	for _, g := range goals {
		r := byShort[g.bench]
		v, ok := 0.0, false
		if r != nil {
			v, ok = r.get(g.unit)
		}
		if !ok {
			fmt.Fprintf(w, "| %s | not measured | — |\n", g.what)
			continue
		}
		met := "yes"
		if v >= g.limit {
			met = "**no**"
		}
		fmt.Fprintf(w, "| %s | %s | %s |\n", g.what, g.show(v), met)
	}
	ps, rest := pairs(results)
	faster := 0
	for _, p := range ps {
		if growth(p) > 10 {
			faster++
		}
	}
	met := "yes"
	if faster > 0 {
		met = fmt.Sprintf("**no**: %d of %d grew faster", faster, len(ps))
	}
	fmt.Fprintf(w, "| cost growing no faster than the number of cases (10 × the cases, at most 10 × the cost) | %d benchmarks at both sizes | %s |\n", len(ps), met)

	fmt.Fprintf(w, "\n### At 1,000 and 10,000 cases\n\n")
	fmt.Fprintf(w, "| Benchmark | 1,000 cases | 10,000 cases | Growth | Memory at 10,000 | Allocations at 10,000 |\n|---|--:|--:|--:|--:|--:|\n")
	for _, p := range ps {
		show := fmtNs
		if p.unit == "rss-bytes" {
			show = fmtBytes
		}
		g := fmt.Sprintf("%.1f ×", growth(p))
		if growth(p) > 10 {
			g = "**" + g + "**"
		}
		fmt.Fprintf(w, "| `%s` | %s | %s | %s | %s | %s |\n", p.name, cell(p.small, p.unit, show), cell(p.big, p.unit, show), g,
			opt(p.big, "B/op", fmtBytes), opt(p.big, "allocs/op", fmtCount))
	}

	fmt.Fprintf(w, "\n### The others\n\n| Benchmark | Time | Memory | Allocations | Other |\n|---|--:|--:|--:|---|\n")
	for _, r := range rest {
		var other []string
		units := make([]string, 0, len(r.values))
		for u := range r.values {
			units = append(units, u)
		}
		slices.Sort(units)
		for _, u := range units {
			if u == "ns/op" || u == "B/op" || u == "allocs/op" || u == "MB/s" {
				continue
			}
			v, _ := r.get(u)
			other = append(other, fmt.Sprintf("%s %s", fmtOther(u, v), u))
		}
		fmt.Fprintf(w, "| `%s` | %s | %s | %s | %s |\n", r.short(), cell(r, "ns/op", fmtNs), opt(r, "B/op", fmtBytes), opt(r, "allocs/op", fmtCount), strings.Join(other, ", "))
	}
	fmt.Fprintf(w, "\n%s\n", endMarker)
}

func growth(p scalePair) float64 {
	s, _ := p.small.get(p.unit)
	b, _ := p.big.get(p.unit)
	if s == 0 {
		return math.Inf(1)
	}
	return b / s
}

func cell(r *result, unit string, show func(float64) string) string {
	vs := r.values[unit]
	if len(vs) == 0 {
		return "—"
	}
	m, spread := median(vs)
	if len(vs) > 1 && spread >= 0.005 {
		return fmt.Sprintf("%s ± %.0f %%", show(m), spread*100)
	}
	return show(m)
}

func opt(r *result, unit string, show func(float64) string) string {
	v, ok := r.get(unit)
	if !ok {
		return "—"
	}
	return show(v)
}

func fmtNs(ns float64) string {
	switch {
	case ns >= 1e9:
		return fmt.Sprintf("%.2f s", ns/1e9)
	case ns >= 1e6:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	default:
		return fmt.Sprintf("%.0f ns", ns)
	}
}

func fmtBytes(b float64) string {
	switch {
	case b >= 1e9:
		return fmt.Sprintf("%.2f GB", b/1e9)
	case b >= 1e6:
		return fmt.Sprintf("%.1f MB", b/1e6)
	case b >= 1e3:
		return fmt.Sprintf("%.1f kB", b/1e3)
	default:
		return fmt.Sprintf("%.0f B", b)
	}
}

func fmtCount(n float64) string { return strconv.FormatFloat(n, 'f', 0, 64) }

func fmtRatio(r float64) string { return fmt.Sprintf("%.2f ×", r) }

func fmtOther(unit string, v float64) string {
	switch {
	case strings.HasSuffix(unit, "ns/op"):
		return fmtNs(v)
	case strings.HasSuffix(unit, "bytes"):
		return fmtBytes(v)
	case v == math.Trunc(v) && math.Abs(v) < 1e15:
		return fmtCount(v)
	default:
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
}

// splice puts gen between the markers of page.
func splice(page, gen []byte) ([]byte, error) {
	b := bytes.Index(page, []byte(beginMarker))
	e := bytes.Index(page, []byte(endMarker))
	if b < 0 || e < b {
		return nil, errors.New("the markers " + beginMarker + " and " + endMarker + " are missing")
	}
	var out bytes.Buffer
	out.Write(page[:b])
	out.Write(bytes.TrimRight(gen, "\n"))
	out.Write(page[e+len(endMarker):])
	return out.Bytes(), nil
}
