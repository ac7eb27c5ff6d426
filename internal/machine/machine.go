// Package machine describes the computer that measurements ran on, for the
// generated pages docs/BENCHMARKS.md and docs/RELIABILITY.md.
package machine

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// Info describes the machine and the source a measurement ran on.
type Info struct {
	Date    string // UTC, to the minute
	Commit  string // short hash, "+changes" when the work tree differs
	CPU     string // model name
	CPUs    int
	MemGiB  float64
	Kernel  string
	Go      string
	LoadAvg string // the 1, 5 and 15 minute load averages when described
}

// Describe reads what it can; what it cannot read is left empty.
func Describe() Info {
	m := Info{
		Date:   time.Now().UTC().Format("2006-01-02 15:04 UTC"),
		Commit: commit(),
		CPUs:   runtime.NumCPU(),
		Go:     runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH,
	}
	m.CPU = field("/proc/cpuinfo", "model name")
	if kb := field("/proc/meminfo", "MemTotal"); kb != "" {
		var n float64
		fmt.Sscanf(kb, "%f", &n)
		m.MemGiB = n / (1 << 20)
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = "Linux " + strings.TrimSpace(string(b))
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 3 {
			m.LoadAvg = strings.Join(f[:3], " ")
		}
	}
	return m
}

// Summary is the machine on one line.
func (m Info) Summary() string {
	parts := []string{fmt.Sprintf("%d CPUs", m.CPUs)}
	if m.CPU != "" {
		parts[0] += " (" + m.CPU + ")"
	}
	if m.MemGiB > 0 {
		parts = append(parts, fmt.Sprintf("%.0f GiB memory", m.MemGiB))
	}
	for _, s := range []string{m.Kernel, m.Go} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if m.LoadAvg != "" {
		parts = append(parts, "load average "+m.LoadAvg+" when written")
	}
	return strings.Join(parts, ", ")
}

// field returns the value of the first "key: value" line of a /proc file.
func field(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func commit() string {
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	c := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(strings.TrimSpace(string(st))) > 0 {
		c += "+changes"
	}
	return c
}
