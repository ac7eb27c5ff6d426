package app

// A look at a message's MIME structure before enmime parses it. enmime
// reads a multipart inside a multipart through one more layer of readers
// and one more level of recursion, and every byte of the innermost part
// passes through every layer: a message nested n deep costs n times its
// size in time, and n levels of stack. A few hundred kilobytes nested
// 100,000 deep would take hours, and nesting deep enough ends the program
// (Go's stack limit is a fatal error, which recover cannot catch). So
// ParseMail first checks the structure, two ways:
//
//   - mimeShape scans it the way enmime reads it, and ParseMail refuses a
//     message nested more than maxMailDepth deep or divided into more
//     than maxMailParts parts. enmime is lenient in ways a scan can only
//     approximate, so this gives the clear answer for real messages,
//     not the guarantee.
//   - mimeLevels counts what every level of nesting needs: a Content-Type
//     with a boundary parameter, whose name is written out ("boundary", in
//     any case) or hidden in an RFC 2047 encoded word ("=?"). No message
//     nests deeper than that count, so refusing a count over
//     maxMailLevels bounds the stack, and refusing a count times the size
//     over maxMailWork bounds the time, whatever enmime makes of the rest.

import (
	"bytes"
	"strings"
	"unicode"

	"github.com/jhillyerd/enmime/v2/mediatype"
)

const (
	// maxMailDepth bounds how deeply multiparts nest. Real mail nests a
	// few levels: a reply with an attachment and an HTML alternative is
	// three.
	maxMailDepth = 50
	// maxMailParts bounds how many parts a message has, at all levels.
	maxMailParts = 1000
	// maxMailLevels bounds mimeLevels: 10,000 levels of enmime's readers
	// are read without trouble (in a minute), far within Go's stack limit.
	maxMailLevels = 10_000
	// maxMailWork bounds mimeLevels times the message's size: enmime
	// takes 8 to 20 ns a byte a level, so a minute at the very worst, for
	// a message made to be slow. A 25 MiB message may have 160 boundaries
	// and encoded words.
	maxMailWork = 1 << 32
)

// mimeLevels returns how many levels of multipart a message could nest,
// at most, however it is read: the count of "boundary" (in any case) and
// of "=?" in it.
func mimeLevels(raw []byte) int {
	n := bytes.Count(raw, []byte("=?"))
	for rest := raw; ; {
		i := indexFold(rest, "boundary")
		if i < 0 {
			return n
		}
		n++
		rest = rest[i+len("boundary"):]
	}
}

// indexFold is bytes.Index ignoring ASCII case, for a lower-case word of
// letters.
func indexFold(b []byte, word string) int {
	for i := 0; i+len(word) <= len(b); i++ {
		j := bytes.IndexAny(b[i:len(b)-len(word)+1], word[:1]+strings.ToUpper(word[:1]))
		if j < 0 {
			return -1
		}
		i += j
		k := 1
		for k < len(word) && b[i+k]|0x20 == word[k] {
			k++
		}
		if k == len(word) {
			return i
		}
	}
	return -1
}

// mimeLevel is one multipart being read.
type mimeLevel struct {
	delim []byte // "--" and the boundary
	parts int    // parts begun so far
}

// mimeShape scans raw's MIME structure and returns its deepest nesting
// of multiparts (0 for a message that is not multipart) and its number
// of parts. It stops early, with a result over the limit, once depth
// passes maxDepth or parts passes maxParts. It follows enmime's reading:
// a line that begins with "--boundary" and a space, or with
// "--boundary--", ends the part of the outermost multipart it belongs
// to and every part nested in it; before its first part, a multipart
// also takes a boundary anywhere in a line; a part whose Content-Type
// has a boundary is read as a multipart.
func mimeShape(raw []byte, maxDepth, maxParts int) (depth, parts int) {
	var stack []*mimeLevel
	inHeader, root := true, true
	// ctype is the Content-Type field of the header being read; inCtype
	// says whether the header's last field was it.
	var ctype []byte
	inCtype, haveCtype := false, false
	endHeader := func() {
		inHeader, inCtype, haveCtype = false, false, false
		isRoot := root
		root = false
		if len(ctype) == 0 {
			return
		}
		mtype, params, _, err := mediatype.Parse(string(ctype))
		ctype = ctype[:0]
		b := params["boundary"]
		if err != nil || b == "" || (isRoot && !strings.HasPrefix(mtype, "multipart/")) {
			return
		}
		stack = append(stack, &mimeLevel{delim: []byte("--" + b)})
		depth = max(depth, len(stack))
	}
	// delimits reports whether rest, what follows a boundary in a line,
	// makes the line a delimiter (a space follows, or the line ends) or
	// the final one ("--" follows).
	delimits := func(rest []byte, nl bool) (delim, final bool) {
		switch {
		case bytes.HasPrefix(rest, []byte("--")):
			return true, true
		case len(rest) > 0:
			return unicode.IsSpace(rune(rest[0])), false
		default:
			return nl, false
		}
	}
	for len(raw) > 0 && depth <= maxDepth && parts <= maxParts {
		if !inHeader && len(stack) == 0 {
			break // the rest is a single part's body, or an epilogue
		}
		var line []byte
		nl := false
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			line, raw, nl = raw[:i], raw[i+1:], true
		} else {
			line, raw = raw, nil
		}
		// The outermost multipart whose boundary begins the line takes it.
		level, final := -1, false
		for i, l := range stack {
			if rest, ok := bytes.CutPrefix(line, l.delim); ok {
				if d, f := delimits(rest, nl); d {
					level, final = i, f
					break
				}
			}
		}
		// Before its first part, the innermost also takes one anywhere.
		if top := len(stack) - 1; level < 0 && top >= 0 && !inHeader && stack[top].parts == 0 {
			if i := bytes.Index(line, stack[top].delim); i >= 0 {
				if d, f := delimits(line[i+len(stack[top].delim):], nl); d {
					level, final = top, f
				}
			}
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		if level >= 0 && inHeader {
			// The part's header ends here, and a multipart it starts
			// is read, though empty.
			endHeader()
		}
		switch {
		case level >= 0 && final:
			stack = stack[:level]
		case level >= 0:
			stack = stack[:level+1]
			stack[level].parts++
			parts++
			inHeader, inCtype, haveCtype, ctype = true, false, false, ctype[:0]
		case !inHeader:
		case len(line) == 0:
			endHeader()
		default:
			// enmime's header reading: a line that begins with white space,
			// or has no colon, continues the field before it; a line with a
			// colon first or a bad field name is skipped.
			colon := bytes.IndexByte(line, ':')
			switch {
			case bytes.IndexByte([]byte(" \t\r\n"), line[0]) >= 0 || colon < 0:
				if inCtype && len(ctype) < 64<<10 {
					ctype = append(append(ctype, ' '), bytes.TrimSpace(line)...)
				}
			case colon == 0 || !validFieldName(line[:colon]):
			default:
				inCtype = !haveCtype && strings.EqualFold(string(bytes.TrimSpace(line[:colon])), "Content-Type")
				if inCtype {
					haveCtype = true
					v := bytes.TrimSpace(line[colon+1:])
					ctype = append(ctype[:0], v[:min(len(v), 64<<10)]...)
				}
			}
		}
	}
	if inHeader {
		endHeader()
	}
	return depth, parts
}

// validFieldName is enmime's test of a header field's name: printable
// ASCII and spaces.
func validFieldName(b []byte) bool {
	for _, c := range b {
		if c != ' ' && (c < '!' || c > '~') {
			return false
		}
	}
	return true
}
