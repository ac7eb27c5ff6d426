package vault

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestBadgerLoggerLevels(t *testing.T) {
	tests := []struct {
		name  string
		log   func(badgerLogger)
		shown bool // at the default (warning) level
	}{
		{"error", func(b badgerLogger) { b.Errorf("failed to open %s", "000001.sst") }, true},
		{"warning", func(b badgerLogger) { b.Warningf("value log %d truncated", 3) }, true},
		{"busy compaction", func(b badgerLogger) {
			b.Warningf("While running doCompact with %+v. Error: %v", struct{ Level int }{5}, "Unable to fill tables")
		}, false},
		{"info", func(b badgerLogger) { b.Infof("Replaying file id: %d", 5) }, false},
		{"debug", func(b badgerLogger) { b.Debugf("flushing memtable") }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			tt.log(badgerLogger{slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelWarn}))})
			if shown := strings.Contains(out.String(), "badger: "); shown != tt.shown {
				t.Errorf("shown = %v, want %v: %q", shown, tt.shown, out.String())
			}
		})
	}
}
