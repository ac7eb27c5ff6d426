package vault

import (
	"fmt"
	"log/slog"
	"strings"
)

// badgerLogger routes Badger's messages into our logger. Badger's own
// information and debug messages are kept at debug level, so the vault is
// quiet unless something goes wrong. Badger logs file names and sizes, never
// values; our keys carry no case content.
type badgerLogger struct{ l *slog.Logger }

func (b badgerLogger) Errorf(f string, a ...any) { b.l.Error(msg(f, a)) }
func (b badgerLogger) Warningf(f string, a ...any) {
	b.l.Warn(msg(f, a))
}
func (b badgerLogger) Infof(f string, a ...any)  { b.l.Debug(msg(f, a)) }
func (b badgerLogger) Debugf(f string, a ...any) { b.l.Debug(msg(f, a)) }

func msg(f string, a []any) string {
	return "badger: " + strings.TrimSpace(fmt.Sprintf(f, a...))
}
