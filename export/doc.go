// Package export writes what leaves the vault: files a member chose to
// make. Every file is written whole or not at all.
package export
