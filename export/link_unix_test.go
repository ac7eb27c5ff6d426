//go:build unix

package export

import (
	"time"

	"golang.org/x/sys/unix"
)

// backdateLink sets the modification time of a symbolic link itself.
func backdateLink(path string, when time.Time) error {
	tv := unix.NsecToTimeval(when.UnixNano())
	return unix.Lutimes(path, []unix.Timeval{tv, tv})
}
