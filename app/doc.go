// Package app is Casebook's domain: the rules a committee works by, in
// plain Go, with storage only through package vault.
package app
