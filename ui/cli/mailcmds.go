package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"casebook/app"
	"casebook/export"
)

// Mail files and attachments hold confidential content: only their owner
// may read them.
const mailPerm = 0o600

// importFailedError says how many files of an import were refused; each
// was reported on its own line.
type importFailedError struct{ refused, total int }

func (e importFailedError) Error() string {
	return fmt.Sprintf("%d of %d files were refused", e.refused, e.total)
}

func (c *command) importCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Import e-mail messages into a case",
		Args:  noArgs,
	}
	var party string
	eml := &cobra.Command{
		Use:   "eml CODE FILE.eml… [--party PARTY]",
		Short: "Import .eml files into a case, with their attachments, each matched to a party by its sender",
		Long: `Import e-mail messages saved as .eml files ('-' reads one from standard input)
into a case. Each is matched to the party whose contact holds the sender's
address; a message a member sent (from an address on the roster) is stored
as sent to the party among its recipients. When no party matches, name it
with --party. The message keeps its date, subject, text and attachments,
sealed in the vault; it is committee only until shared.

Each file is reported on its own line: imported, skipped (imported before:
the same Message-ID) or refused, with the reason. Nothing of a refused file
is stored: not a readable message, an attachment over the limit
('casebook settings set max_attachment_mib N'), or an unknown sender.
The exit code is 1 when any file was refused. See docs/mail.md.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 2 {
				return usageError{fmt.Errorf("%s needs the case's CODE and at least one FILE.eml", cmd.CommandPath())}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withStore(func(s *app.Store) error {
				k, err := s.Case(args[0])
				if err != nil {
					return err
				}
				refused := 0
				for _, file := range args[1:] {
					if line, ok := c.importFile(s, k.Code, file, party); ok {
						fmt.Fprintln(c.env.Stdout, file+": "+line)
					} else {
						refused++
						fmt.Fprintln(c.env.Stdout, file+": refused: "+line)
					}
				}
				if refused > 0 {
					return importFailedError{refused, len(args) - 1}
				}
				return nil
			})
		},
	}
	eml.Flags().StringVar(&party, "party", "", "the party the messages are from (or, sent by a member, to), by `ID` such as p2")
	cmd.AddCommand(eml)
	return cmd
}

// importFile imports one file and says what came of it; ok is false when
// the file was refused.
func (c *command) importFile(s *app.Store, code, file, party string) (line string, ok bool) {
	var r io.Reader = c.env.Stdin
	if file != "-" {
		if fi, err := os.Stat(file); err == nil && fi.IsDir() {
			return file + " is a directory; name .eml files.", false
		}
		f, err := os.Open(file)
		if err != nil {
			msg, _ := describe(err, c.vaultDir)
			return msg, false
		}
		defer f.Close()
		r = f
	}
	m, err := app.ParseMail(r)
	if err == nil {
		var msg *app.Message
		msg, err = s.ImportMail(code, m, party)
		if err == nil {
			role := ""
			if k, kerr := s.Case(code); kerr == nil {
				if p := k.Party(msg.PartyID); p != nil {
					role = " (" + string(p.Role) + ")"
				}
			}
			dir := "from"
			if msg.Direction == app.Out {
				dir = "sent to"
			}
			line = fmt.Sprintf("imported as %s %s %s%s", msg.ID, dir, msg.PartyID, role)
			if n := len(msg.Attachments); n > 0 {
				line += ", with " + plural(n, "attachment")
			}
			if len(msg.Defects) > 0 {
				line += "; see its notes on the message's defects in 'casebook case show'"
			}
			return line, true
		}
	}
	if dup, isDup := errors.AsType[*app.DuplicateError](err); isDup {
		if dup.Draft {
			return fmt.Sprintf("skipped: it is the draft %s; once sent, mark it so with 'casebook message sent %s %s'", dup.MessageID, code, dup.MessageID), true
		}
		return "skipped: already imported as " + dup.MessageID, true
	}
	msg, _ := describe(err, c.vaultDir)
	return msg, false
}

func (c *command) draftCommand() *cobra.Command {
	var party, kind, out, reach, textFile string
	var print bool
	cmd := &cobra.Command{
		Use:   "draft CODE --party PARTY --kind KIND --out FILE.eml",
		Short: "Write an e-mail draft to a party from a letter template, and record it as a message not yet sent",
		Long: `Write a letter to a party as an unsent e-mail (an .eml file with X-Unsent: 1)
for your mail program to open, edit and send: Outlook opens it as a draft;
in Thunderbird use "Edit as New Message", in Apple Mail "Send Again".
It is addressed to the party's contact, and a status update carries the
party's PDF update (only what they may see). The draft is recorded in the
case as a message not yet sent; once you have sent it, say so with
'casebook message sent CODE MSGID', which also takes the step it stands
for (a status update counts for the due list).

Kinds: ` + templateKindNames() + `.
--text-file replaces the template's text with yours; --print shows the
letter and writes and records nothing. See docs/mail.md.`,
		Args: exactArgs(1, "the case's CODE name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if party == "" || kind == "" || (out == "" && !print) {
				return usageError{errors.New("name the party (--party p2), the letter (--kind status-update) and the file (--out FILE.eml)")}
			}
			k, err := app.ParseTemplateKind(kind)
			if err != nil {
				return usageError{err}
			}
			body, err := c.readText("", textFile)
			if err != nil {
				return err
			}
			return c.withStore(func(s *app.Store) error {
				cs, err := s.Case(args[0])
				if err != nil {
					return err
				}
				ctx := s.Context()
				l, err := app.Template(k, cs, party, ctx)
				if err != nil {
					return err
				}
				if textFile != "" {
					l.Body = body
				}
				if print {
					fmt.Fprintf(c.env.Stdout, "To: %s\nSubject: %s\n\n%s", orDash(l.To), l.Subject, l.Body)
					return nil
				}
				msgs, err := s.Messages(cs.Code)
				if err != nil {
					return err
				}
				d, err := export.NewDraft(cs, msgs, l, ctx, export.DraftOptions{Reach: reach})
				if err != nil {
					return err
				}
				if err := writeOut(out, "draft.eml", d.Write); err != nil {
					return err
				}
				m, err := s.AddDraft(cs.Code, l, d.MessageID)
				if err != nil {
					os.Remove(out) // a draft not in the case would be forgotten
					return err
				}
				fmt.Fprintf(c.env.Stdout, "Wrote %s and recorded it as %s, not yet sent.\n", out, m.ID)
				fmt.Fprintf(c.env.Stdout, "Open it in your mail program, edit it and send it; then: casebook message sent %s %s\n", cs.Code, m.ID)
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&party, "party", "", "the party's `ID`, such as p2 (see 'casebook case show')")
	f.StringVar(&kind, "kind", "", "the letter: "+templateKindNames())
	f.StringVar(&out, "out", "", "write the draft to `FILE.eml`")
	f.StringVar(&reach, "reach", "", "a status update's PDF: how parties reach the committee (`TEXT`)")
	f.StringVar(&textFile, "text-file", "", "use the letter's text from `FILE` ('-' for standard input)")
	f.BoolVar(&print, "print", false, "show the letter; write and record nothing")
	return cmd
}

func templateKindNames() string {
	names := make([]string, len(app.TemplateKinds))
	for i, k := range app.TemplateKinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (c *command) messageCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "message",
		Short: "Work on a case's messages: mark a draft as sent",
		Args:  noArgs,
	}
	sent := &cobra.Command{
		Use:   "sent CODE MSGID",
		Short: "Mark a draft as sent, and take the step it stands for when the process allows it",
		Long: `Mark a draft made with 'casebook draft' as sent, now. The step of the process
the letter stands for is taken with it when it is allowed now: an
acknowledgement acknowledges the report, outreach records the party as
contacted, a status update counts as the party's update, an outcome letter
records the party as told, and a request for information to the reporter
is recorded. When the step is not allowed yet, the message is marked as
sent all the same and the reason is shown.`,
		Args: exactArgs(2, "the case's CODE and the message's ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withStore(func(s *app.Store) error {
				res, err := s.MarkSent(args[0], args[1])
				if err != nil {
					return err
				}
				m := res.Message
				switch {
				case res.Step != "":
					fmt.Fprintf(c.env.Stdout, "Marked %s as sent and recorded the step %s for %s.\n", m.ID, res.Step, m.PartyID)
				case res.NotTaken != "":
					fmt.Fprintf(c.env.Stdout, "Marked %s as sent. The step %s was not taken: %s; take it with 'casebook case step' once it is allowed.\n",
						m.ID, m.Kind.Step(), res.NotTaken)
				default:
					fmt.Fprintf(c.env.Stdout, "Marked %s as sent.\n", m.ID)
				}
				return nil
			})
		},
	}
	cmd.AddCommand(sent)
	return cmd
}

func (c *command) attachmentCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "attachment",
		Short: "Save an imported message's attachment to a file",
		Args:  noArgs,
	}
	var out string
	save := &cobra.Command{
		Use:   "save CODE ID --out FILE",
		Short: "Write an attachment (listed by 'casebook case show') to a file you choose",
		Long: `Write an attachment of an imported message to a file. Attachments stay
sealed in the vault and leave it only this way: the file is readable by
you alone, written whole or not at all. Open attachments with care; they
come from outside.`,
		Args: exactArgs(2, "the case's CODE and the attachment's ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usageError{errors.New("name the file to write with --out")}
			}
			return c.withStore(func(s *app.Store) error {
				ref, data, err := s.Attachment(args[0], args[1])
				if err != nil {
					return err
				}
				if err := writeOut(out, "attachment"+safeExt(ref.Name), func(w io.Writer) error {
					_, err := w.Write(data)
					return err
				}); err != nil {
					return err
				}
				fmt.Fprintf(c.env.Stdout, "Wrote %s (%s).\n", out, app.FormatSize(ref.Size))
				return nil
			})
		},
	}
	save.Flags().StringVar(&out, "out", "", "write to `FILE`")
	cmd.AddCommand(save)
	return cmd
}

// safeExt returns the extension of a file name when it is short and
// plain, such as ".pdf", for a suggestion that quotes nothing else of it.
func safeExt(name string) string {
	ext := strings.ToLower(filepath.Ext(name))
	if len(ext) < 2 || len(ext) > 6 || strings.ContainsFunc(ext[1:], func(r rune) bool { return (r < 'a' || r > 'z') && (r < '0' || r > '9') }) {
		return ""
	}
	return ext
}

// writeOut writes a file of the member's choosing whole or not at all,
// readable by them alone, after refusing a path that names a directory
// with a plain sentence that suggests a file name in it.
func writeOut(path, suggest string, write func(w io.Writer) error) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return usageError{fmt.Errorf("%s is a directory; name a file to write, such as %s", path, filepath.Join(path, filepath.Base(suggest)))}
	}
	return export.WriteFile(path, mailPerm, write)
}
