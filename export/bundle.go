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
	return WriteFile(path, bundlePerm, out.Write)
}
