//go:build !linux

package vault

// ReleaseMappedPages asks the kernel to take back the pages of the vault's
// files that this process has mapped and read. It does so on Linux only;
// elsewhere it does nothing.
func ReleaseMappedPages() error { return nil }
