package desktop

import (
	"errors"
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
	msg = describe(&app.PartialImportError{Imported: 0, Total: 1, Begun: true, Err: fmt.Errorf("%w: %w", vault.ErrNoSpace, syscall.ENOSPC)})
	if want := "The disk is full: the import stopped after part of the bundle's first case, which is not in your vault until the import is finished"; !strings.HasPrefix(msg, want) || strings.Contains(msg, "nothing was changed") {
		t.Errorf("import stopped part-way through a long case on a full disk: got %q, want it to begin %q and not claim nothing changed", msg, want)
	}
	msg = describe(&app.PartialImportError{Imported: 2, Total: 3, Err: &vault.CorruptError{Record: "case.x/msg.1", Err: errors.New("altered")}})
	if want := "The import stopped after 2 of the bundle's 3 cases, each of those whole: the vault failed its integrity check"; !strings.HasPrefix(msg, want) || strings.Contains(msg, "nothing was changed") {
		t.Errorf("partial import on damage: got %q, want it to begin %q and not claim nothing changed", msg, want)
	}
}

// TestDescribeTooBig checks the sentence for a write larger than the vault
// takes at once, alone and when it stopped a bundle's import.
func TestDescribeTooBig(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{fmt.Errorf("import mail: %w", vault.ErrTooBig), "That is more than the vault takes in one write (4.8 MiB, attachments over 64 KiB aside); nothing was changed."},
		{&app.PartialImportError{Imported: 2, Total: 5, Err: fmt.Errorf("case 3: %w", vault.ErrTooBig)},
			"The import stopped after 2 of the bundle's 5 cases, each of those whole: the next case is more than the vault takes in one write (4.8 MiB, attachments over 64 KiB aside)."},
		{fmt.Errorf("import bundle: %w: %w: one of 70 MiB", vault.ErrTooBig, vault.ErrRecordTooBig), "That holds a record of more than the vault keeps in one (64.0 MiB); nothing was changed."},
		{&app.PartialImportError{Imported: 2, Total: 5, Err: fmt.Errorf("case 3: %w: %w", vault.ErrTooBig, vault.ErrRecordTooBig)},
			"The import stopped after 2 of the bundle's 5 cases, each of those whole: the next case holds a record of more than the vault keeps in one (64.0 MiB)."},
	}
	for _, tt := range tests {
		if got := describe(tt.err); got != tt.want {
			t.Errorf("describe(%v):\ngot  %q\nwant %q", tt.err, got, tt.want)
		}
	}
}
