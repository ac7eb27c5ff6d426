package app

import (
	"errors"
	"fmt"
	"math"

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
// strong), with an estimate of the guesses needed, as log10.
func PassphraseStrength(p []byte, related ...string) (score int, log10Guesses float64) {
	r := zxcvbn.PasswordStrength(string(p), related)
	return r.Score, math.Log10(max(r.Guesses, 1))
}

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
