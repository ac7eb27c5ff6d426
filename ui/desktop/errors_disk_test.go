package desktop

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"

	"casebook/app"
	"casebook/export"
	"casebook/internal/fullfs"
	"casebook/vault"
)

// TestDescribeDiskFull checks the sentence the desktop app gives a full
// disk, however the error reached it.
func TestDescribeDiskFull(t *testing.T) {
	w := &fullfs.Writer{Limit: 10}
	_, werr := w.Write(make([]byte, 20))
	for _, err := range []error{
		fmt.Errorf("write: %w", vault.ErrNoSpace),
		fmt.Errorf("write the bundle: %w: %w", export.ErrNoSpace, syscall.ENOSPC),
		&os.PathError{Op: "write", Path: "/media/usb/report.pdf", Err: syscall.ENOSPC},
		fmt.Errorf("sync: %w", syscall.EDQUOT),
		werr,
	} {
		if msg := describe(err); !strings.HasPrefix(msg, "The disk is full: ") {
			t.Errorf("describe(%v): got %q, want a sentence beginning \"The disk is full: \"", err, msg)
		}
	}
	msg := describe(&app.PartialImportError{Imported: 1, Total: 3, Err: fmt.Errorf("%w: %w", vault.ErrNoSpace, syscall.ENOSPC)})
	if want := "The disk is full: the import stopped after 1 of the bundle's 3 cases"; !strings.HasPrefix(msg, want) || strings.Contains(msg, "nothing was changed") {
		t.Errorf("partial import on a full disk: got %q, want it to begin %q and not claim nothing changed", msg, want)
	}
}
