package app

import (
	"errors"
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
)

// ErrWeakPassphrase means a new passphrase is too easy to guess. The error
// text says why, in words for people.
var ErrWeakPassphrase = errors.New("passphrase too weak")

// MinPassphraseScore is the lowest zxcvbn score (0 to 4) accepted for a
// vault passphrase: 3 means "safely unguessable", about 10^8 guesses or
// more, which Argon2id at half a second per guess turns into years.
const MinPassphraseScore = 3

// PassphraseStrength rates a passphrase from 0 (trivial) to 4 (very
// strong), with an estimate of the guesses needed, as log10. It rates the
// first maxRatedRunes characters: zxcvbn's time grows faster than the
// square of the length (1,000 characters took 10 seconds, a pasted page
// would take hours), and a passphrase whose first 100 characters are easy
// to guess is better made again than rated on the rest.
func PassphraseStrength(p []byte, related ...string) (score int, log10Guesses float64) {
	end, n := 0, 0
	for end < len(p) && n < maxRatedRunes {
		_, size := utf8.DecodeRune(p[end:])
		end, n = end+size, n+1
	}
	s := string(p[:end])
	r := zxcvbn.PasswordStrength(s, related)
	return r.Score, math.Log10(max(r.Guesses, 1))
}

// maxRatedRunes is how much of a passphrase PassphraseStrength rates, as
// zxcvbn's authors advise.
const maxRatedRunes = 100

// CheckNewPassphrase refuses a passphrase a person should not use for a
// vault, with a reason. related are words an attacker would try first,
// such as the member's name.
func CheckNewPassphrase(p []byte, related ...string) error {
	if len(p) < 10 {
		return fmt.Errorf("%w: use at least 10 characters — four or five unrelated words are easy to remember", ErrWeakPassphrase)
	}
	if score, _ := PassphraseStrength(p, related...); score < MinPassphraseScore {
		return fmt.Errorf("%w: it is too easy to guess — add unrelated words rather than symbols", ErrWeakPassphrase)
	}
	return nil
}
