package desktop

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"

	"casebook/app"
	"casebook/export"
	"casebook/vault"
)

// describe turns an error into the one sentence a person reads. It is the
// only place where the desktop app speaks of errors.
//
// The rules for these sentences, as for the command line's:
//   - One calm sentence: what happened and, where it helps, what to do.
//   - Say when nothing was changed: people fear a failure broke something.
//   - Never include case content. Lower layers keep content out of their
//     error text; only what they name (a record, a file) is repeated here.
//   - Details go to the log, never to the person.
func describe(err error) string {
	var corrupt *vault.CorruptError
	var invalid *app.InvalidError
	var recipients *app.RecipientError
	var unknownMembers *app.UnknownMembersError
	var partial *app.PartialImportError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &partial):
		if isDiskFull(partial.Err) {
			return fmt.Sprintf("The disk is full: the import stopped after %s. Free some space and import the bundle again; it takes only what is missing.", partial.Progress())
		}
		which := partial.Stopped()
		if errors.Is(partial.Err, vault.ErrRecordTooBig) {
			return fmt.Sprintf("The import stopped after %s: %s holds a record of more than the vault keeps in one (%s).", partial.Progress(), which, app.FormatSize(vault.MaxRecord))
		}
		if errors.Is(partial.Err, vault.ErrTooBig) {
			return fmt.Sprintf("The import stopped after %s: %s is more than the vault takes in one write (%s, attachments over 64 KiB aside).", partial.Progress(), which, app.FormatSize(vault.MaxWrite))
		}
		if errors.As(partial.Err, &corrupt) || errors.Is(partial.Err, vault.ErrCorrupt) {
			// describe would say that nothing was changed.
			return fmt.Sprintf("The import stopped after %s: the vault failed its integrity check. Restore it from a backup ('casebook restore').", partial.Progress())
		}
		return fmt.Sprintf("The import stopped after %s: %s Import the bundle again to take the rest.", partial.Progress(), describe(partial.Err))
	case errors.Is(err, vault.ErrWrongPassphrase):
		return "That passphrase does not unlock the vault. Check Caps Lock and try again; nothing was changed."
	case errors.Is(err, vault.ErrInUse):
		return "The vault is open elsewhere (another Casebook window or command); close it there and try again."
	case errors.As(err, &corrupt), errors.Is(err, vault.ErrCorrupt):
		return "The vault failed its integrity check; nothing was changed. Restore it from a backup ('casebook restore')."
	case errors.Is(err, vault.ErrUnsupportedVersion):
		return "This vault was made by a newer version of Casebook; update Casebook to open it."
	case errors.Is(err, vault.ErrNoVault):
		return "There is no vault here yet."
	case errors.Is(err, vault.ErrExists), errors.Is(err, vault.ErrNotEmpty):
		return "The vault's folder is not empty, so no vault was created there; nothing was changed."
	case isDiskFull(err):
		return "The disk is full: nothing was changed or written. Free some space and try again."
	case errors.Is(err, vault.ErrLocked):
		return "The vault is locked; unlock it and try again."
	case errors.Is(err, vault.ErrRecordTooBig):
		return fmt.Sprintf("That holds a record of more than the vault keeps in one (%s); nothing was changed.", app.FormatSize(vault.MaxRecord))
	case errors.Is(err, vault.ErrTooBig):
		return fmt.Sprintf("That is more than the vault takes in one write (%s, attachments over 64 KiB aside); nothing was changed.", app.FormatSize(vault.MaxWrite))
	case errors.Is(err, app.ErrMalformedMail):
		return "The file is not a readable e-mail message; nothing of it was stored."
	case errors.Is(err, app.ErrMailTooLarge):
		return sentence(err.Error()) + " Nothing of it was stored."
	case errors.Is(err, app.ErrAttachmentTooLarge):
		return sentence(err.Error()) + fmt.Sprintf(" Nothing of the message was stored; the limit is a setting (at most %d MiB).", app.MaxAttachmentLimitMiB)
	case errors.Is(err, app.ErrDuplicate):
		return sentence("this message is "+err.Error()) + " Nothing was stored again."
	case errors.Is(err, app.ErrNoAddress):
		return sentence(strings.TrimPrefix(err.Error(), app.ErrNoAddress.Error()+": ")) + " No draft was written."
	case errors.Is(err, app.ErrNoAttachment):
		return "That attachment is not in this case."
	case errors.As(err, &recipients):
		return "The case cannot be sent: " + recipients.Error() + "; nothing was written."
	case errors.Is(err, app.ErrBundleStale):
		return "The case book changed after the bundle was prepared (a case in it was expunged, or a member it is for may no longer receive one), so nothing was written; prepare it again."
	case errors.Is(err, app.ErrNotBundle):
		return "That file is not a Casebook bundle; nothing was changed."
	case errors.Is(err, app.ErrBundleVersion):
		return "The bundle was made by a newer version of Casebook; update Casebook to import it. Nothing was changed."
	case errors.Is(err, app.ErrNotForYou):
		return "The bundle is not addressed to you; nothing was changed."
	case errors.Is(err, app.ErrBundleTruncated):
		return "The bundle is incomplete: it was cut short in a copy or a download. Nothing was changed; ask for it again."
	case errors.Is(err, app.ErrBundleDamaged):
		return "The bundle is damaged or was altered after it was made; nothing was changed. Ask the sender for a new one."
	case errors.Is(err, app.ErrUnsigned):
		return "The bundle is not signed, so nobody can tell who made it; nothing was changed."
	case errors.Is(err, app.ErrBadSignature):
		return "The bundle's signature does not match its sender: it was altered, or signed by someone else. Nothing was changed."
	case errors.Is(err, app.ErrUnknownSigner):
		return "The bundle was signed by someone whose key is not on your roster; nothing was changed. If you trust them, record their key in Settings."
	case errors.As(err, &unknownMembers):
		return "The bundle names committee members who are not on your roster (" + strings.Join(unknownMembers.Names, ", ") + "); add them in Settings, then import it again. Nothing was changed."
	case errors.Is(err, app.ErrKeyLine):
		return sentence(err.Error()) + " Nothing was changed."
	case errors.Is(err, app.ErrKeyInUse), errors.Is(err, app.ErrConflictGone):
		return sentence(err.Error()) + " Nothing was changed."
	case errors.Is(err, app.ErrKeyChange):
		return "That member already has a different key; if they made a new vault, compare the fingerprint with them and tick Replace. Nothing was changed."
	case errors.Is(err, app.ErrOwnKey):
		return "That is this vault's own key, not another member's. Nothing was changed."
	case errors.As(err, &invalid):
		return fmt.Sprintf("Casebook found %s in what was entered; nothing was stored.", plural(len(invalid.Problems), "problem"))
	case errors.Is(err, app.ErrNotAllowed):
		return sentence(err.Error()) + " Nothing was changed."
	case errors.Is(err, app.ErrExcluded):
		return "You have a conflict of interest on this case, so Casebook does not show it to you."
	case errors.Is(err, export.ErrArchiveShutOut):
		return "You are shut out of some cases, so the archive, which covers every case, is not yours to export; nothing was written. Ask a member who is shut out of none."
	case errors.Is(err, export.ErrArchiveNoMe):
		return "This vault does not say which member uses it, and a member is shut out of some case, so the archive, which covers every case, was not written. Say who you are with 'casebook member me NAME'."
	case errors.Is(err, app.ErrNoMe):
		return "A member is shut out of this case, and this vault does not say which member uses it, so Casebook does not show it. Say who you are with 'casebook member me NAME'."
	case errors.Is(err, app.ErrNoCase):
		return "That case is not in this vault."
	case errors.Is(err, app.ErrWeakPassphrase):
		return sentence(err.Error())
	case errors.Is(err, app.ErrInvalid):
		return sentence(strings.TrimPrefix(err.Error(), app.ErrInvalid.Error()+": ")) + " Nothing was changed."
	case errors.Is(err, fs.ErrPermission):
		return "Casebook may not write there; nothing was written. Choose another place."
	default:
		return "Something went wrong, and the last step may not have been done; the details are in the log."
	}
}

// sentence makes s start with a capital and end with a full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// plural says n noun, with an s when n is not 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// showError tells the person what went wrong, in one place, and logs the
// detail.
func (g *gui) showError(title string, err error) {
	g.log.Warn(title, "err", logSafe(err))
	g.info(title, describe(err))
}

// logSafe is what the log may say of err: a path in it (a file the
// member chose, often named after its content) is left out.
func logSafe(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Op + ": " + pe.Err.Error()
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Op + ": " + le.Err.Error()
	}
	return err.Error()
}

// isDiskFull reports whether err is a full disk, however it arrived: the
// vault's or the exports' sentinel, or the system's own error.
func isDiskFull(err error) bool {
	return errors.Is(err, vault.ErrNoSpace) || errors.Is(err, export.ErrNoSpace) ||
		errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}
