package vault

import (
	"os"
	"path/filepath"
	"runtime"
)

// DefaultDir returns the per-user directory where Casebook keeps its vault
// when none is named: $XDG_DATA_HOME/casebook (else ~/.local/share/casebook)
// on Linux and other Unix systems, ~/Library/Application Support/Casebook on
// macOS, and %LOCALAPPDATA%\Casebook on Windows.
func DefaultDir() (string, error) {
	switch runtime.GOOS {
	case "windows":
		if d := os.Getenv("LOCALAPPDATA"); d != "" {
			return filepath.Join(d, "Casebook", "vault"), nil
		}
		d, err := os.UserConfigDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(d, "Casebook", "vault"), nil
	case "darwin", "ios":
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(home, "Library", "Application Support", "Casebook", "vault"), nil
	default:
		if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
			return filepath.Join(d, "casebook"), nil
		}
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(home, ".local", "share", "casebook"), nil
	}
}
