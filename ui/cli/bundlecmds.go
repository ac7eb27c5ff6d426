package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"casebook/app"
	"casebook/export"
)

// Commands for handing cases between members' vaults (casebook key,
// member key, bundle …) and for retention (casebook expunge).

func (c *command) keyCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "key",
		Short: "Print this vault's public keys as one line, to give to the other members",
		Long: `Print this vault's public keys as one line. Give it to each other member of the
committee (by e-mail or chat: it holds no secret); they record it with
'casebook member key YOUR-NAME LINE'. Bundles for you are encrypted to it, and
the bundles you send are signed with its private half, which never leaves
this vault. The keys are made the first time they are needed.

Compare the fingerprint printed below the line with theirs, by voice or on
paper: a key line swapped on the way would let someone else read the cases
sent to you.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.withStore(func(s *app.Store) error {
				k, err := s.MyKey()
				if err != nil {
					return err
				}
				line, err := s.MyKeyLine()
				if err != nil {
					return err
				}
				fmt.Fprintln(c.env.Stdout, line)
				fmt.Fprintf(c.env.Stderr, "Fingerprint: %s\n", k.Fingerprint())
				if s.Roster().Member(s.Roster().Me) == nil {
					fmt.Fprintln(c.env.Stderr, "Say which member uses this vault ('casebook member me NAME') so that the line carries your name.")
				}
				return nil
			})
		},
	}
}

// memberKeyCommand is 'casebook member key'.
func (c *command) memberKeyCommand() *cobra.Command {
	var replace bool
	cmd := &cobra.Command{
		Use:   "key MEMBER LINE",
		Short: "Record a member's public keys from the line 'casebook key' printed for them",
		Long: `Record a member's public keys from the line their 'casebook key' printed (quote
it, or give it as several arguments). A member who has keys already keeps
them unless --replace is given: when they made a new vault on a new laptop.
Compare the fingerprint this prints with the one they see.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 2 {
				return usageError{fmt.Errorf("%s needs the MEMBER and their key LINE", cmd.CommandPath())}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			k, name, err := app.ParseMemberKey(strings.Join(args[1:], " "))
			if err != nil {
				return err
			}
			return c.withStore(func(s *app.Store) error {
				m, err := s.SetMemberKey(args[0], k, replace)
				if err != nil {
					return err
				}
				fmt.Fprintf(c.env.Stdout, "Recorded the keys of %s, fingerprint %s: compare it with theirs.\n", m.Name, k.Fingerprint())
				warnOtherName(c.env, name, m.Name)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&replace, "replace", false, "replace the keys the member has")
	return cmd
}

// warnOtherName says when a key line names someone else than the member
// it is recorded for.
func warnOtherName(env Env, lineName, member string) {
	if lineName != "" && !strings.EqualFold(lineName, member) {
		fmt.Fprintf(env.Stderr, "Note: the line says it is %s's; check that it is the right line.\n", lineName)
	}
}

func (c *command) bundleCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bundle",
		Short: "Hand cases to other members: export, import, and settle merge conflicts",
		Long: `A bundle carries cases, with their correspondence and attachments, from one
member's vault to others'. It is encrypted to the members it is for and to
you, and signed by you; only they can open it, and they can tell it comes
from you unaltered. Send it any way you like: e-mail, a shared folder, a USB
stick.

Importing merges each case with the one in the vault: what changed on one
side only is taken; where both sides changed the same thing differently,
yours stays and a merge conflict waits for you to settle ('bundle conflicts',
'bundle resolve'). See docs/bundle.md.`,
		Args: noArgs,
	}
	cmd.AddCommand(c.bundleExportCommand(), c.bundleImportCommand(), c.bundleConflictsCommand(), c.bundleResolveCommand())
	return cmd
}

func (c *command) bundleExportCommand() *cobra.Command {
	var to []string
	var out string
	var opts app.BundleOptions
	cmd := &cobra.Command{
		Use:   "export CODE... --to MEMBER... --out FILE",
		Short: "Write cases to a bundle for other members",
		Long: `Write the cases named by their codes, with their correspondence and
attachments, to FILE, encrypted to each member named with --to and to you,
and signed by you. A member who is no longer on the committee, has no keys
yet, or has a conflict of interest on any of the cases is refused by name,
with the reason, and nothing is written. A soft conflict can be allowed with
--allow-soft-conflicts.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError{fmt.Errorf("%s needs the CODE of at least one case", cmd.CommandPath())}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usageError{errors.New("name the file to write with --out")}
			}
			if len(to) == 0 {
				return usageError{errors.New("name the members to send the cases to with --to")}
			}
			if fi, err := os.Stat(out); err == nil && fi.IsDir() {
				return usageError{fmt.Errorf("%s is a directory; name a file to write, such as %s", out, out+"/cases.casebook")}
			}
			return c.withStore(func(s *app.Store) error {
				o, err := s.PrepareBundle(args, to, opts)
				if err != nil {
					return err
				}
				if err := export.WriteBundle(out, o); errors.Is(err, export.ErrBundleNotRecorded) {
					fmt.Fprintln(c.env.Stderr, "The vault could not record that the bundle was written; 'casebook due' may still ask you to send its cases.")
				} else if err != nil {
					return fmt.Errorf("write the bundle %s: %w", out, err)
				}
				fmt.Fprintf(c.env.Stdout, "Wrote %s: %s for %s (and you). Only you and they can open it.\n",
					out, plural(len(o.Codes), "case"), joinNames(o.To))
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&to, "to", nil, "a `MEMBER` to send the cases to, by name or ID (repeatable)")
	f.StringVar(&out, "out", "", "write the bundle to `FILE`")
	f.BoolVar(&opts.AllowSoftConflicts, "allow-soft-conflicts", false, "send to members with a soft conflict of interest on a case")
	return cmd
}

// joinNames is "A", "A and B", "A, B and C".
func joinNames(names []string) string {
	if len(names) <= 1 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

func (c *command) bundleImportCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Import a bundle: add its new cases and merge the others",
		Long: `Import a bundle another member sent you. It is refused, and nothing changes,
when it is not addressed to you, not signed by an active member on your
roster with the key you recorded for them, or altered or cut short on the
way. New cases are added; cases you have are merged. Where both sides
changed the same thing differently, yours stays and a merge conflict waits
for you to settle. A case you have a conflict of interest on, or that was
expunged here, is skipped. Importing the same bundle twice changes nothing.`,
		Args: exactArgs(1, "the bundle FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			return c.withStore(func(s *app.Store) error {
				rep, err := s.ImportBundle(f)
				var partial *app.PartialImportError
				if errors.As(err, &partial) && rep != nil && !asJSON {
					// Say which cases are in before saying why the rest
					// are not.
					writeImportReport(c.env, rep, s.Config().Location())
				}
				if err != nil {
					return err
				}
				if asJSON {
					return printJSON(c.env.Stdout, rep)
				}
				return writeImportReport(c.env, rep, s.Config().Location())
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func writeImportReport(env Env, rep *app.ImportReport, loc *time.Location) error {
	fmt.Fprintf(env.Stdout, "Imported a bundle from %s, made %s:\n", rep.From, rep.Created.In(loc).Format("2006-01-02 15:04"))
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	for _, k := range rep.Cases {
		code := k.Code
		if code == "" {
			code = "(a case)"
		}
		var what string
		switch k.Status {
		case app.ImportAdded:
			what = "added"
		case app.ImportUnchanged:
			what = "unchanged: you had it all"
		case app.ImportSkipped:
			what = "skipped: " + k.Reason
		default:
			parts := []string{plural(k.Taken, "change") + " taken"}
			if k.Conflicts > 0 {
				parts = append(parts, plural(k.Conflicts, "conflict")+" to settle")
			}
			what = "merged: " + strings.Join(parts, ", ")
		}
		if k.Renamed > 0 {
			what += fmt.Sprintf(" (%s renumbered: the same number was used on both sides)", plural(k.Renamed, "item"))
		}
		fmt.Fprintf(tw, "  %s\t%s\n", code, what)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if rep.Conflicts() > 0 {
		fmt.Fprintln(env.Stdout, "See the conflicts with 'casebook bundle conflicts' and settle each with 'casebook bundle resolve'.")
	}
	return nil
}

func (c *command) bundleConflictsCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "conflicts [CODE]",
		Short: "List the merge conflicts waiting to be settled: yours and theirs, in words",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageError{fmt.Errorf("%s takes at most one case CODE", cmd.CommandPath())}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			code := ""
			if len(args) == 1 {
				code = args[0]
			}
			return c.withStore(func(s *app.Store) error {
				list, err := s.MergeConflicts(code)
				if err != nil {
					return err
				}
				if asJSON {
					return printJSONList(c.env.Stdout, list)
				}
				if len(list) == 0 {
					fmt.Fprintln(c.env.Stdout, "No merge conflicts to settle.")
					return nil
				}
				loc := s.Config().Location()
				for _, x := range list {
					fmt.Fprintf(c.env.Stdout, "%s %s  %s  (from %s, %s)\n", x.Code, x.ID, x.What, x.From, x.At.In(loc).Format("2006-01-02 15:04"))
					fmt.Fprintf(c.env.Stdout, "    yours:  %s\n    theirs: %s\n    before: %s\n", x.Mine, x.Theirs, x.Was)
				}
				fmt.Fprintln(c.env.Stdout, "Settle each with 'casebook bundle resolve CODE CONFLICT --keep mine' or '--keep theirs'.")
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (c *command) bundleResolveCommand() *cobra.Command {
	var keep string
	cmd := &cobra.Command{
		Use:   "resolve CODE CONFLICT --keep mine|theirs",
		Short: "Settle one merge conflict: keep yours, or take theirs",
		Args:  exactArgs(2, "the case's CODE and the CONFLICT (such as c1)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			k := app.Keep(strings.ToLower(strings.TrimSpace(keep)))
			if k == "yours" {
				k = app.KeepMine
			}
			if k != app.KeepMine && k != app.KeepTheirs {
				return usageError{errors.New("say which to keep: --keep mine or --keep theirs")}
			}
			return c.withStore(func(s *app.Store) error {
				if err := s.ResolveConflict(args[0], args[1], k); err != nil {
					return err
				}
				if k == app.KeepMine {
					fmt.Fprintf(c.env.Stdout, "Settled %s: kept yours.\n", args[1])
				} else {
					fmt.Fprintf(c.env.Stdout, "Settled %s: took theirs.\n", args[1])
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&keep, "keep", "", "`mine` or `theirs`")
	return cmd
}

func (c *command) expungeCommand() *cobra.Command {
	var asOf string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "expunge [--as-of DATE] [--dry-run]",
		Short: "Destroy the closed cases whose retention period has ended",
		Long: `Destroy every closed case whose expunge date has come (the due list shows it):
its data key is destroyed, so that nothing of it can be read again, even
with the passphrase; its records are deleted; only the counts the archive
keeps (quarter received, category, outcome) remain. The audit log records
each case, and the vault is then compacted so that its files shrink.

This cannot be undone. --dry-run lists the cases without touching them.
--as-of expunges what was due by an earlier date; only --dry-run looks
ahead.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.withStore(func(s *app.Store) error {
				loc := s.Config().Location()
				when, err := c.asOfFlag(asOf, loc)
				if err != nil {
					return err
				}
				if dryRun {
					due := s.ExpungeDue(when)
					if len(due) == 0 {
						fmt.Fprintln(c.env.Stdout, "No closed case has reached its expunge date.")
						return nil
					}
					fmt.Fprintf(c.env.Stdout, "Would expunge %s:\n", plural(len(due), "case"))
					writeExpunged(c.env, due, loc)
					return nil
				}
				done, err := s.Expunge(when)
				if len(done) > 0 {
					fmt.Fprintf(c.env.Stdout, "Expunged %s; their keys are destroyed:\n", plural(len(done), "case"))
					writeExpunged(c.env, done, loc)
				} else if err == nil {
					fmt.Fprintln(c.env.Stdout, "No closed case has reached its expunge date.")
				}
				return err
			})
		},
	}
	cmd.Flags().StringVar(&asOf, "as-of", "", "as of `DATE` (default now)")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "list the cases, destroy nothing")
	return cmd
}

func writeExpunged(env Env, list []app.ExpungeCandidate, loc *time.Location) {
	hidden := 0
	for _, x := range list {
		if x.Hidden {
			hidden++
			continue
		}
		fmt.Fprintf(env.Stdout, "  %s  (expunge date %s)\n", x.Code, x.ExpungeOn.In(loc).Format(time.DateOnly))
	}
	if hidden > 0 {
		fmt.Fprintf(env.Stdout, "  and %s you have a conflict of interest on\n", plural(hidden, "case"))
	}
}

// describeHandoff turns the errors of keys, bundles and expunging into the
// sentence a person reads; ok is false for any other error. describe calls
// it.
func describeHandoff(err error) (msg string, code int, ok bool) {
	var recipients *app.RecipientError
	switch {
	case errors.As(err, &recipients):
		return "Cannot send the bundle: " + recipients.Error() + "; nothing was written.", ExitError, true
	case errors.Is(err, app.ErrNotBundle):
		return "That file is not a Casebook bundle; nothing was changed.", ExitError, true
	case errors.Is(err, app.ErrBundleVersion):
		return "The bundle was made by a newer version of Casebook; update Casebook to import it. Nothing was changed.", ExitError, true
	case errors.Is(err, app.ErrNotForYou):
		return "The bundle is not addressed to you (" + detail(err, app.ErrNotForYou, "it was not encrypted to this vault's keys") +
			"); nothing was changed.", ExitError, true
	case errors.Is(err, app.ErrBundleTruncated):
		return "The bundle is incomplete: it was cut short in a copy or a download. Nothing was changed; ask for it again.", ExitIntegrity, true
	case errors.Is(err, app.ErrBundleDamaged):
		return "The bundle is damaged or was altered after it was made (" + detail(err, app.ErrBundleDamaged, "it fails its check") +
			"); nothing was changed — ask the sender for a new one.", ExitIntegrity, true
	case errors.Is(err, app.ErrUnsigned):
		return "The bundle is not signed, so nobody can tell who made it; nothing was changed.", ExitIntegrity, true
	case errors.Is(err, app.ErrBadSignature):
		return "The bundle's signature does not match its sender: it was altered, or signed by someone else. Nothing was changed.", ExitIntegrity, true
	case errors.Is(err, app.ErrUnknownSigner):
		why := "not an active member on your roster with the key you recorded for them"
		if d := detail(err, app.ErrUnknownSigner, ""); d != "" {
			why = d
		}
		return "The bundle was signed by someone who is " + why + "; nothing was changed. If you trust them, record their key with 'casebook member key'.", ExitError, true
	case errors.Is(err, app.ErrUnknownMembers):
		var u *app.UnknownMembersError
		names := ""
		if errors.As(err, &u) {
			names = ": " + strings.Join(u.Names, ", ")
		}
		return "The bundle names committee members who are not on your roster" + names +
			"; add them with 'casebook member add' (and 'member leave' for former members), then import it again. Nothing was changed.", ExitError, true
	case errors.Is(err, app.ErrKeyLine):
		return sentence(err.Error()) + " Nothing was changed.", ExitError, true
	case errors.Is(err, app.ErrKeyInUse):
		return sentence(err.Error()) + " Nothing was changed.", ExitError, true
	case errors.Is(err, app.ErrKeyChange):
		return "That member already has different keys; if they made a new vault, compare the fingerprint with them and use --replace. Nothing was changed.", ExitError, true
	case errors.Is(err, app.ErrOwnKey):
		return "That is not this vault's key: the member using this vault has the vault's own keys ('casebook key' prints them). Nothing was changed.", ExitError, true
	case errors.Is(err, app.ErrNoConflict):
		return sentence(err.Error()) + " See 'casebook bundle conflicts'.", ExitError, true
	case errors.Is(err, app.ErrConflictGone):
		return sentence(err.Error()) + " Nothing was changed.", ExitError, true
	case errors.Is(err, app.ErrCompact):
		return "The cases were expunged, but the vault could not be compacted now; it compacts itself in the background later.", ExitError, true
	case errors.Is(err, export.ErrIsDir):
		return sentence(err.Error()) + " Nothing was written.", ExitUsage, true
	}
	return "", 0, false
}

// detail is what an error adds after its sentinel ("sentinel: detail"),
// or def.
func detail(err, sentinel error, def string) string {
	s := err.Error()
	if i := strings.Index(s, sentinel.Error()+": "); i >= 0 {
		return s[i+len(sentinel.Error())+2:]
	}
	return def
}
