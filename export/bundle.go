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
	// The file is in place: its cases are held by another member now. Not
	// recording it (a vault write failing just after the file's) leaves
	// the due list asking for the cases to be sent, the safe side, and
	// takes nothing from the bundle written, so it is not an error here.
	_ = out.Written()
	return nil
}
