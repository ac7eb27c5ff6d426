//go:build !unix

package export

import (
	"errors"
	"time"
)

func backdateLink(string, time.Time) error { return errors.ErrUnsupported }
