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
	m := msg(f, a)
	if strings.Contains(m, benignCompaction) {
		b.l.Debug(m)
		return
	}
	b.l.Warn(m)
}

// benignCompaction ends the warning Badger gives when a compaction finds
// its tables taken by another one (as when the vault is compacted at
// once, after the demo or an expunge): nothing is wrong, and it is retried.
const benignCompaction = "Error: Unable to fill tables"

func (b badgerLogger) Infof(f string, a ...any)  { b.l.Debug(msg(f, a)) }
func (b badgerLogger) Debugf(f string, a ...any) { b.l.Debug(msg(f, a)) }

func msg(f string, a []any) string {
	return "badger: " + strings.TrimSpace(fmt.Sprintf(f, a...))
}
