package cli

import (
	"fmt"
	"strings"
	"testing"

	"casebook/app"
	"casebook/export"
)

// TestDescribeShutOut: each way of being kept from cases gets its own
// sentence, the archive's about the archive and not about "this case".
func TestDescribeShutOut(t *testing.T) {
	for _, tc := range []struct {
		err        error
		want, miss string
	}{
		{fmt.Errorf("read: %w: x-1", app.ErrNoMe), "this case", "archive"},
		{fmt.Errorf("export: %w", export.ErrArchiveNoMe), "the archive, which covers every case, was not written", "this case"},
		{fmt.Errorf("export: %w", export.ErrArchiveShutOut), "You are shut out of some cases", "this case"},
		{fmt.Errorf("read: %w: x-1", app.ErrExcluded), "conflict of interest on this case", "archive"},
		{fmt.Errorf("write the bundle: %w: a case in it was expunged since", app.ErrBundleStale), "changed after the bundle was prepared", "this case"},
	} {
		if msg, code := describe(tc.err, t.TempDir()); code != ExitError || !strings.Contains(msg, tc.want) || strings.Contains(msg, tc.miss) {
			t.Errorf("describe(%v): got %q (exit %d), want %q in it and not %q", tc.err, msg, code, tc.want, tc.miss)
		}
	}
}
