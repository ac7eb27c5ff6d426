package cli

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// secret says where one kind of secret comes from: a file named by a flag,
// an environment variable, or a prompt without echo on the terminal.
type secret struct {
	what    string // in sentences: "passphrase", "new passphrase", "recovery code"
	envVar  string
	flag    string // name of the file flag, for messages
	file    string // the file flag's value
	confirm bool   // a new secret typed at a terminal is asked for twice
}

// errMismatch means the two entries of a new passphrase differ.
var errMismatch = errors.New("the two passphrases do not match")

// errEmptySecret means an empty passphrase or code was given.
var errEmptySecret = errors.New("empty secret")

const maxSecretFile = 64 << 10

// read obtains the secret. The caller zeroes the result when done.
func (s secret) read(env Env) ([]byte, error) {
	var p []byte
	switch {
	case s.file != "":
		b, err := readFirstLine(s.file, env.Stdin)
		if err != nil {
			return nil, fmt.Errorf("read the %s from %s: %w", s.what, s.file, err)
		}
		p = b
	case env.Getenv(s.envVar) != "":
		p = []byte(env.Getenv(s.envVar))
	case env.ReadSecret != nil:
		b, err := env.ReadSecret(capitalize(s.what) + ": ")
		if err != nil {
			return nil, fmt.Errorf("read the %s: %w", s.what, err)
		}
		if s.confirm && len(b) > 0 {
			again, err := env.ReadSecret("Repeat the " + s.what + ": ")
			if err != nil {
				return nil, fmt.Errorf("read the %s: %w", s.what, err)
			}
			same := bytes.Equal(b, again)
			clear(again)
			if !same {
				clear(b)
				return nil, errMismatch
			}
		}
		p = b
	default:
		return nil, usageError{fmt.Errorf("no %s given: type it at a terminal, set %s, or use --%s", s.what, s.envVar, s.flag)}
	}
	if len(p) == 0 {
		return nil, fmt.Errorf("the %s is empty: %w", s.what, errEmptySecret)
	}
	return p, nil
}

// readFirstLine returns the first line of a file ("-" is standard input),
// without its line ending.
func readFirstLine(name string, stdin io.Reader) ([]byte, error) {
	var r io.Reader
	if name == "-" {
		r = stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	line, err := bufio.NewReaderSize(io.LimitReader(r, maxSecretFile), 4096).ReadBytes('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	line = bytes.TrimSuffix(line, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	return line, nil
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
