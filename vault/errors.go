package vault

import (
	"errors"
	"fmt"
)

// Sentinel errors. Callers test for them with errors.Is; the faces of the
// program (desktop and command line) turn them into sentences for people.
var (
	// ErrWrongPassphrase means the passphrase or recovery code does not
	// unlock the vault. Nothing on disk was changed.
	ErrWrongPassphrase = errors.New("wrong passphrase")
	// ErrInUse means another process has the vault open.
	ErrInUse = errors.New("vault is open elsewhere")
	// ErrCorrupt means stored data failed authentication or could not be
	// parsed. It is usually wrapped in a *CorruptError naming the record.
	ErrCorrupt = errors.New("vault data is damaged")
	// ErrUnsupportedVersion means the vault was written by a newer or
	// unknown version of Casebook.
	ErrUnsupportedVersion = errors.New("unsupported vault format version")
	// ErrNotFound means the record asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrNoVault means the directory holds no vault.
	ErrNoVault = errors.New("no vault here")
	// ErrExists means a vault (or other files) already occupy the directory.
	ErrExists = errors.New("a vault already exists here")
	// ErrNotEmpty means a restore target directory is not empty.
	ErrNotEmpty = errors.New("directory is not empty")
	// ErrLocked means the vault has been locked and can no longer be used.
	ErrLocked = errors.New("vault is locked")
	// ErrNoSpace means the disk is full; the write did not happen.
	ErrNoSpace = errors.New("no space left on the disk")
	// ErrInvalidName means a namespace or record key is empty, too long,
	// not UTF-8 or contains a zero byte.
	ErrInvalidName = errors.New("invalid record name")
	// ErrTooBig means one transaction holds more changes than fit in one
	// atomic write (MaxWrite); nothing of it was written.
	ErrTooBig = errors.New("too many changes in one write")
	// ErrRecordTooBig means one record is larger than the vault keeps in
	// one (MaxRecord); an error matching it also matches ErrTooBig.
	ErrRecordTooBig = errors.New("record too large")
)

// CorruptError names the damaged part of a vault. It matches ErrCorrupt with
// errors.Is. Record is a record identifier or a file name, never content.
type CorruptError struct {
	Record string
	Err    error
}

func (e *CorruptError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("%s: %s", e.Record, ErrCorrupt)
	}
	return fmt.Sprintf("%s: %s: %v", e.Record, ErrCorrupt, e.Err)
}

// Is reports whether target is ErrCorrupt.
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

// Unwrap returns the underlying cause.
func (e *CorruptError) Unwrap() error { return e.Err }

func corrupt(record string, err error) error {
	return &CorruptError{Record: record, Err: err}
}
