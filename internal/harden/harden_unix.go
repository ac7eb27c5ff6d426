//go:build unix && !linux

package harden

func process() error { return noCore() }

func check() error { return checkCore() }
