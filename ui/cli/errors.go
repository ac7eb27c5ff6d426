package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"syscall"

	"casebook/app"
	"casebook/export"
	"casebook/vault"
)

// describe turns an error into the one sentence a person reads, and the
// exit code. It is the only place where the command line speaks of errors.
//
// The rules for these sentences:
//   - One sentence, saying what happened and, where it helps, what to do.
//   - Say when nothing was changed: people fear that a failed command broke
//     something.
//   - Never include case content. Record names, file names and directory
//     names are fine; values are not. Lower layers are written so that their
//     error text holds no content, and only what they name is repeated here.
//   - Details that help a developer go to the log (--verbose), not here.
func describe(err error, vaultDir string) (string, int) {
	var corrupt *vault.CorruptError
	var usage usageError
	var invalid *app.InvalidError
	var importFailed importFailedError
	var partial *app.PartialImportError
	switch {
	case errors.As(err, &partial):
		if isDiskFull(partial.Err) {
			return fmt.Sprintf("The disk is full: the import stopped after %s; free some space and import the bundle again, which takes only what is missing.", partial.Progress()), ExitError
		}
		which := partial.Stopped()
		if errors.Is(partial.Err, vault.ErrRecordTooBig) {
			return fmt.Sprintf("The import stopped after %s: %s holds a record of more than the vault keeps in one (%s).", partial.Progress(), which, app.FormatSize(vault.MaxRecord)), ExitError
		}
		if errors.Is(partial.Err, vault.ErrTooBig) {
			return fmt.Sprintf("The import stopped after %s: %s is more than the vault takes in one write (%s, attachments over 64 KiB aside).", partial.Progress(), which, app.FormatSize(vault.MaxWrite)), ExitError
		}
		if errors.As(partial.Err, &corrupt) || errors.Is(partial.Err, vault.ErrCorrupt) {
			// describe would say that nothing was changed.
			return fmt.Sprintf("The import stopped after %s: the vault is damaged; restore it from a backup.", partial.Progress()), ExitIntegrity
		}
		msg, code := describe(partial.Err, vaultDir)
		return fmt.Sprintf("The import stopped after %s (%s); import the bundle again to take the rest.", partial.Progress(), strings.TrimSuffix(msg, ".")), code
	case errors.As(err, &usage):
		return sentence(strings.TrimPrefix(usage.Error(), app.ErrInvalid.Error()+": ")), ExitUsage
	case errors.Is(err, vault.ErrWrongPassphrase):
		return "That passphrase (or recovery code) does not unlock the vault; nothing was changed.", ExitWrongPassphrase
	case errors.Is(err, vault.ErrInUse):
		return "The vault is open elsewhere (another Casebook window or command); close it there and try again.", ExitInUse
	case errors.As(err, &corrupt):
		return fmt.Sprintf("The vault is damaged (%s: %v); nothing was changed — restore it from a backup.", corrupt.Record, corrupt.Err), ExitIntegrity
	case errors.Is(err, vault.ErrCorrupt):
		return fmt.Sprintf("The vault failed its integrity check (%v); restore it from a backup.", err), ExitIntegrity
	case errors.Is(err, vault.ErrUnsupportedVersion):
		return "This vault was made by a newer version of Casebook; update Casebook to open it.", ExitError
	case errors.Is(err, vault.ErrNoVault):
		return fmt.Sprintf("There is no vault in %s; create one with 'casebook init' or name another with --vault.", vaultDir), ExitError
	case errors.Is(err, vault.ErrExists):
		return fmt.Sprintf("A vault already exists in %s; nothing was changed.", vaultDir), ExitError
	case errors.Is(err, vault.ErrNotEmpty):
		return fmt.Sprintf("%s is not empty; restore needs a new or empty directory, and nothing was changed.", vaultDir), ExitError
	case errors.Is(err, export.ErrDirNotEmpty), errors.Is(err, export.ErrNotDir):
		return sentence(err.Error()) + " Name a new or empty directory for the archive; nothing was written.", ExitError
	case isDiskFull(err):
		return "The disk is full: nothing was changed or written; free some space and try again.", ExitError
	case errors.Is(err, vault.ErrRecordTooBig):
		return fmt.Sprintf("That holds a record of more than the vault keeps in one (%s); nothing was changed.", app.FormatSize(vault.MaxRecord)), ExitError
	case errors.Is(err, vault.ErrTooBig):
		return fmt.Sprintf("That is more than the vault takes in one write (%s, attachments over 64 KiB aside); nothing was changed.", app.FormatSize(vault.MaxWrite)), ExitError
	case errors.As(err, &invalid):
		var b strings.Builder
		fmt.Fprintf(&b, "The input has %s; nothing was stored:", plural(len(invalid.Problems), "problem"))
		for _, p := range invalid.Problems {
			if p.Path != "" {
				fmt.Fprintf(&b, "\n  %s: %s", p.Path, p.Message)
			} else {
				fmt.Fprintf(&b, "\n  %s", p.Message)
			}
		}
		return b.String(), ExitError
	case errors.Is(err, app.ErrMalformedMail):
		msg := "The file is not a readable e-mail message"
		if _, why, ok := strings.Cut(err.Error(), app.ErrMalformedMail.Error()+": "); ok {
			msg += ": " + why
		}
		return msg + "; nothing of it was stored.", ExitError
	case errors.Is(err, app.ErrMailTooLarge):
		return sentence(err.Error()) + " Nothing of it was stored.", ExitError
	case errors.Is(err, app.ErrAttachmentTooLarge):
		return sentence(err.Error()) + fmt.Sprintf(" Nothing of the message was stored; the committee can raise the limit with 'casebook settings set max_attachment_mib N' (at most %d).", app.MaxAttachmentLimitMiB), ExitError
	case errors.Is(err, app.ErrUnknownSender):
		return sentence(err.Error()) + " Name it with --party; nothing was stored.", ExitError
	case errors.Is(err, app.ErrNoAddress):
		return sentence(strings.TrimPrefix(err.Error(), app.ErrNoAddress.Error()+": ")) + " No draft was written.", ExitError
	case errors.Is(err, app.ErrNoAttachment):
		return sentence(err.Error()) + " See 'casebook case show'.", ExitError
	case errors.As(err, &importFailed):
		return sentence(importFailed.Error()) + " Nothing of them was stored; the lines above say why.", ExitError
	case errors.Is(err, app.ErrBundleStale):
		return "The case book changed after the bundle was prepared (a case in it was expunged, or a member it is for may no longer receive one), so nothing was written; prepare it again.", ExitError
	case errors.Is(err, app.ErrNotAllowed):
		return sentence(err.Error()) + " Nothing was changed.", ExitError
	case errors.Is(err, app.ErrExcluded):
		return "You have a conflict of interest on this case, so Casebook does not show it to you.", ExitError
	case errors.Is(err, export.ErrArchiveShutOut):
		return "You are shut out of some cases, so the archive, which covers every case, is not yours to export; nothing was written. Ask a member who is shut out of none.", ExitError
	case errors.Is(err, export.ErrArchiveNoMe):
		return "This vault does not say which member uses it, and a member is shut out of some case, so the archive, which covers every case, was not written: say who you are with 'casebook member me NAME'.", ExitError
	case errors.Is(err, app.ErrNoMe):
		return "A member is shut out of this case, and this vault does not say which member uses it, so Casebook does not show it: say who you are with 'casebook member me NAME'.", ExitError
	case errors.Is(err, export.ErrNoParty):
		return capitalizeSentence(err.Error()) + "; nothing was written — see 'casebook case show'.", ExitError
	case errors.Is(err, app.ErrNoCase):
		return sentence(err.Error()) + " See 'casebook case list'.", ExitError
	case errors.Is(err, app.ErrInvalid):
		return sentence(strings.TrimPrefix(err.Error(), app.ErrInvalid.Error()+": ")) + " Nothing was changed.", ExitError
	case errors.Is(err, app.ErrWeakPassphrase):
		return capitalizeSentence(err.Error()) + "; nothing was changed.", ExitError
	case errors.Is(err, errMismatch):
		return "The two passphrases do not match; nothing was changed.", ExitError
	case errors.Is(err, errEmptySecret):
		return capitalizeSentence(err.Error()) + "; nothing was changed.", ExitError
	case errors.Is(err, fs.ErrPermission):
		return fmt.Sprintf("Permission denied (%v); nothing was changed.", err), ExitError
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Sprintf("Not found (%v); nothing was changed.", err), ExitError
	}
	if msg, code, ok := describeHandoff(err); ok {
		return msg, code
	}
	return fmt.Sprintf("Something went wrong: %v.", err), ExitError
}

// sentence capitalizes s and ends it with a full stop.
func sentence(s string) string {
	s = capitalizeSentence(s)
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

func capitalizeSentence(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// isDiskFull reports whether err is a full disk, however it arrived: the
// vault's or the exports' sentinel, or the system's own error.
func isDiskFull(err error) bool {
	return errors.Is(err, vault.ErrNoSpace) || errors.Is(err, export.ErrNoSpace) ||
		errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}
