package export

import (
	"errors"
	"fmt"
	"os"

	"casebook/app"
)

// ErrIsDir means a file was to be written where a directory is.
var ErrIsDir = errors.New("is a directory")

// bundlePerm keeps a bundle readable by its owner only: it is encrypted,
// but its size and recipients' count are not.
const bundlePerm = 0o600

// WriteBundle writes a bundle made by Store.PrepareBundle to path, whole
// or not at all: the file appears only once complete, and a failure
// leaves no partial file and an existing file at path untouched. The
// bundle is recorded in the vault's audit log as it is written.
func WriteBundle(path string, out *app.Outgoing) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("%s %w; name a file to write", path, ErrIsDir)
	}
	if err := WriteFile(path, bundlePerm, out.Write); err != nil {
		return err
	}
	// The file is in place: its cases are held by another member now.
	if err := out.Written(); err != nil {
		return fmt.Errorf("%w: %w", ErrBundleNotRecorded, err)
	}
	return nil
}

// ErrBundleNotRecorded means the bundle was written whole, but the vault
// could not record that its cases left (app.Outgoing.Written): the due
// list may still ask for a case the member is shut out of to be sent on,
// the safe side. The bundle itself is good.
var ErrBundleNotRecorded = errors.New("the bundle was written, but the vault could not record it")
