package vault

import (
	"encoding/base32"
	"strings"
)

// recoveryCodeBytes is the entropy of a recovery code: 160 bits.
const recoveryCodeBytes = 20

// newRecoveryCode returns a random code written as eight groups of four
// letters and digits, such as "ABCD-EFGH-…", easy to copy by hand.
func newRecoveryCode() string {
	s := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(randomBytes(recoveryCodeBytes))
	var b strings.Builder
	for i := 0; i < len(s); i += 4 {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(s[i:min(i+4, len(s))])
	}
	return b.String()
}

// normalizeRecoveryCode forgives what people do when they copy a code:
// lower case, spaces, missing or extra dashes, and digits that look like
// letters of the code's alphabet.
func normalizeRecoveryCode(code string) []byte {
	var b []byte
	for _, r := range strings.ToUpper(code) {
		switch {
		case r == '-' || r == ' ' || r == '\t' || r == '\n' || r == '\r':
		case r == '0':
			b = append(b, 'O')
		case r == '1':
			b = append(b, 'I')
		case r == '8':
			b = append(b, 'B')
		case r < 128:
			b = append(b, byte(r))
		default:
			b = append(b, string(r)...)
		}
	}
	return b
}
