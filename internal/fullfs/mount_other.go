//go:build !linux

package fullfs

import "errors"

func mount(string, int64) error { return errors.New("tmpfs mounts are a Linux feature") }

func unmount(string) error { return nil }
