package app

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jhillyerd/enmime/v2"
)

// nestedMail is a message whose multiparts nest depth deep, with a text
// part at the bottom.
func nestedMail(depth int) []byte {
	var b bytes.Buffer
	b.WriteString("From: Alex Example <alex@example.org>\r\nSubject: nested\r\nMIME-Version: 1.0\r\n")
	for i := range depth {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n--b%d\r\n", i, i)
	}
	b.WriteString("Content-Type: text/plain\r\n\r\nSynthetic text at the bottom\r\n")
	for i := depth - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "--b%d--\r\n", i)
	}
	return b.Bytes()
}

// manyPartsMail is a message of n small attachments side by side.
func manyPartsMail(n int) []byte {
	var b bytes.Buffer
	b.WriteString("From: Alex Example <alex@example.org>\r\nSubject: parts\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n")
	for i := range n {
		fmt.Fprintf(&b, "--B\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=\"f%d.txt\"\r\n\r\nx\r\n", i)
	}
	b.WriteString("--B--\r\n")
	return b.Bytes()
}

func TestMimeShape(t *testing.T) {
	for _, tt := range []struct {
		name         string
		raw          []byte
		depth, parts int
	}{
		{"plain", []byte("From: a@example.org\r\n\r\n--B\r\nbody"), 0, 0},
		{"nested 1", nestedMail(1), 1, 1},
		{"nested 3", nestedMail(3), 3, 3},
		{"nested 50", nestedMail(50), 50, 50},
		{"nested 51", nestedMail(51), 51, 50},
		{"nested 100,000", nestedMail(100_000), maxMailDepth + 1, maxMailDepth},
		{"10 parts", manyPartsMail(10), 1, 10},
		{"10,000 parts", manyPartsMail(10_000), 1, maxMailParts + 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			depth, parts := mimeShape(tt.raw, maxMailDepth, maxMailParts)
			if depth != tt.depth || parts != tt.parts {
				t.Errorf("got depth %d and %d parts, want %d and %d", depth, parts, tt.depth, tt.parts)
			}
		})
	}
}

// enmimeShape is the depth of multipart nesting and the number of parts
// in the tree enmime read.
func enmimeShape(p *enmime.Part, root bool) (depth, parts int) {
	if !root {
		parts = 1
	}
	for c := p.FirstChild; c != nil; c = c.NextSibling {
		d, n := enmimeShape(c, false)
		depth, parts = max(depth, d), parts+n
	}
	if p.FirstChild != nil || p.Boundary != "" && strings.HasPrefix(p.ContentType, "multipart/") {
		depth++
	}
	return depth, parts
}

// checkShapeBound fails when enmime reads raw deeper, or into more parts,
// than mimeShape said: the limits would not hold.
func checkShapeBound(t *testing.T, raw []byte) {
	t.Helper()
	depth, parts := mimeShape(raw, maxMailDepth, maxMailParts)
	if depth > maxMailDepth || parts > maxMailParts {
		return
	}
	root, err := mailParser.ReadParts(bytes.NewReader(raw))
	if err != nil {
		return
	}
	d, n := enmimeShape(root, true)
	if d > depth || n > parts {
		t.Fatalf("enmime read depth %d and %d parts; mimeShape said %d and %d", d, n, depth, parts)
	}
}

// TestMimeShapeBoundsEnmime checks mimeShape against what enmime reads,
// on the sample messages and on messages made to the limits. (On inputs
// made to fool it, mimeShape can be wrong; mimeLevels is the bound that
// always holds, and FuzzParseMail checks that parsing stays quick.)
func TestMimeShapeBoundsEnmime(t *testing.T) {
	var inputs [][]byte
	samples, _ := filepath.Glob(filepath.Join("testdata", "mail", "*.eml"))
	for _, name := range samples {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, b)
	}
	inputs = append(inputs, nestedMail(1), nestedMail(50), manyPartsMail(1000))
	for _, raw := range inputs {
		checkShapeBound(t, raw)
	}
}

func TestMimeLevels(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int
	}{
		{"", 0}, {"boundary", 1}, {"BoUnDaRy=x; boundary", 2}, {"boundar", 0}, {"bboundaryb", 1},
		{"=?utf-8?q?boundary?==x", 2}, {"Content-Type: multipart/mixed; =?utf-8?b?Ym91bmRhcnk=?==x", 2},
	} {
		if got := mimeLevels([]byte(tt.in)); got != tt.want {
			t.Errorf("mimeLevels(%q): got %d, want %d", tt.in, got, tt.want)
		}
	}
	if got := mimeLevels(nestedMail(1000)); got < 1000 {
		t.Errorf("mimeLevels of a message nested 1,000 deep: got %d, want at least 1,000", got)
	}
}
