package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"casebook/app"
	"casebook/export"
)

// PDFs hold confidential content: only their owner may read them.
const pdfPerm = 0o600

func (c *command) reportCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Make PDF status updates for the parties, case summaries and the meeting agenda",
		Long: `Make PDF documents from the case book.

A status update holds only what its party may see: items shared with them,
and the case's stage in words fit for them. Nothing committee only, no
other party's contact, and never anything that names the reporter to a
reported person. Case summaries and the agenda are marked CONFIDENTIAL and
are for the committee only.`,
		Args: noArgs,
	}
	cmd.AddCommand(c.reportUpdatesCommand(), c.reportUpdateCommand(), c.reportCaseCommand(), c.reportAgendaCommand())
	return cmd
}

// asOfFlag reads --as-of, defaulting to now.
func (c *command) asOfFlag(s string, loc *time.Location) (time.Time, error) {
	if s == "" {
		return c.now(), nil
	}
	return parseDate(s, loc)
}

func (c *command) reportUpdatesCommand() *cobra.Command {
	var asOf, out, reach string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "updates [--as-of DATE] [--dry-run] --out DIR",
		Short: "Write a status update for every party owed one, and record each as sent",
		Long: `Write one PDF status update for every party owed one as of the date, into
DIR as CODE-PARTY.pdf, and record in each case that the update was sent.
With --dry-run the PDFs are written but nothing is recorded.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return usageError{errors.New("name the directory to write to with --out")}
			}
			return c.withStore(func(s *app.Store) error {
				cfg := s.Config()
				when, err := c.asOfFlag(asOf, cfg.Location())
				if err != nil {
					return err
				}
				owed, err := export.OwedUpdates(s, when, export.UpdateOptions{Reach: reach})
				if err != nil {
					return err
				}
				jobs := make([]updateJob, len(owed))
				for i, o := range owed {
					jobs[i] = updateJob{OwedUpdate: o}
				}
				if len(jobs) == 0 {
					fmt.Fprintln(c.env.Stdout, "No status update is owed.")
					return nil
				}
				for i := range jobs {
					jobs[i].path = filepath.Join(out, jobs[i].FileName())
				}
				errs := export.Parallel(len(jobs), func(i int) error {
					j := jobs[i]
					return export.WriteFile(j.path, pdfPerm, func(w io.Writer) error {
						return export.WriteUpdate(w, j.Update, export.PDFOptions{})
					})
				})
				var first error
				written := 0
				for i, j := range jobs {
					if errs[i] != nil {
						first = firstErr(first, errs[i])
						continue
					}
					if !dryRun {
						if _, err := s.Step(j.Code, app.Step{Action: app.ActStatusUpdate, Party: j.Party}); err != nil {
							fmt.Fprintf(c.env.Stdout, "Wrote %s, but could not record it as sent.\n", j.path)
							first = firstErr(first, err)
							continue
						}
					}
					written++
					fmt.Fprintf(c.env.Stdout, "Wrote %s\n", j.path)
					if note := export.WithheldNote(j.Code+" "+j.Party, j.Update.Withheld); note != "" {
						fmt.Fprintln(c.env.Stdout, note)
					}
				}
				switch {
				case dryRun:
					fmt.Fprintf(c.env.Stdout, "Dry run: %d of %d written; none recorded as sent.\n", written, len(jobs))
				default:
					fmt.Fprintf(c.env.Stdout, "%d of %d written and recorded as sent.\n", written, len(jobs))
				}
				return first
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&asOf, "as-of", "", "as of `DATE` (default now)")
	f.BoolVar(&dryRun, "dry-run", false, "write the PDFs but record nothing")
	f.StringVar(&out, "out", "", "write into `DIR`")
	f.StringVar(&reach, "reach", "", "how parties reach the committee, e.g. its shared address (`TEXT`)")
	return cmd
}

// updateJob is an owed update and the file it goes to.
type updateJob struct {
	export.OwedUpdate
	path string
}

// firstErr keeps the first error.
func firstErr(first, err error) error {
	if first == nil {
		return err
	}
	return first
}

func (c *command) reportUpdateCommand() *cobra.Command {
	var party, out, reach, asOf string
	cmd := &cobra.Command{
		Use:   "update CODE --party PARTY --out FILE.pdf",
		Short: "Write a status update for one party of a case, owed or not; nothing is recorded",
		Args:  exactArgs(1, "a case code name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if party == "" || out == "" {
				return usageError{errors.New("name the party (--party p2) and the file (--out FILE.pdf)")}
			}
			return c.withStore(func(s *app.Store) error {
				cfg := s.Config()
				when, err := c.asOfFlag(asOf, cfg.Location())
				if err != nil {
					return err
				}
				k, err := s.Case(args[0])
				if err != nil {
					return err
				}
				msgs, err := s.Messages(k.Code)
				if err != nil {
					return err
				}
				u, err := export.BuildPartyUpdate(k, msgs, party, cfg, export.UpdateOptions{Reach: reach}, when)
				if err != nil {
					return err
				}
				if err := writePDF(out, func(w io.Writer) error {
					return export.WriteUpdate(w, u, export.PDFOptions{})
				}); err != nil {
					return err
				}
				fmt.Fprintf(c.env.Stdout, "Wrote %s\n", out)
				if note := export.WithheldNote(k.Code+" "+party, u.Withheld); note != "" {
					fmt.Fprintln(c.env.Stdout, note)
				}
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&party, "party", "", "the party's `ID`, such as p2 (see 'casebook case show')")
	f.StringVar(&out, "out", "", "write to `FILE`")
	f.StringVar(&reach, "reach", "", "how parties reach the committee, e.g. its shared address (`TEXT`)")
	f.StringVar(&asOf, "as-of", "", "as of `DATE` (default now)")
	return cmd
}

func (c *command) reportCaseCommand() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "case CODE --out FILE.pdf",
		Short: "Write the committee's confidential summary of a case",
		Args:  exactArgs(1, "a case code name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usageError{errors.New("name the file to write with --out")}
			}
			return c.withStore(func(s *app.Store) error {
				k, err := s.Case(args[0])
				if err != nil {
					return err
				}
				msgs, err := s.Messages(k.Code)
				if err != nil {
					return err
				}
				sum := export.BuildCaseSummary(k, msgs, s.Roster(), s.Config(), c.now())
				if err := writePDF(out, func(w io.Writer) error {
					return export.WriteCaseSummary(w, sum, export.PDFOptions{})
				}); err != nil {
					return err
				}
				fmt.Fprintf(c.env.Stdout, "Wrote %s\n", out)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "write to `FILE`")
	return cmd
}

func (c *command) reportAgendaCommand() *cobra.Command {
	var out, asOf string
	cmd := &cobra.Command{
		Use:   "agenda [--as-of DATE] --out FILE.pdf",
		Short: "Write the agenda of the next weekly meeting",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return usageError{errors.New("name the file to write with --out")}
			}
			return c.withStore(func(s *app.Store) error {
				cfg := s.Config()
				when, err := c.asOfFlag(asOf, cfg.Location())
				if err != nil {
					return err
				}
				a := export.BuildAgenda(s.Due(when), s.Brigading(), s.ShutOut(), cfg, when)
				if err := writePDF(out, func(w io.Writer) error {
					return export.WriteAgenda(w, a, export.PDFOptions{})
				}); err != nil {
					return err
				}
				fmt.Fprintf(c.env.Stdout, "Wrote %s\n", out)
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&asOf, "as-of", "", "as of `DATE` (default now)")
	f.StringVar(&out, "out", "", "write to `FILE`")
	return cmd
}

// writePDF writes a PDF at path whole or not at all, after refusing a
// path that names a directory with a plain sentence.
func writePDF(path string, write func(w io.Writer) error) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return usageError{fmt.Errorf("%s is a directory; name a file to write, such as %s", path, filepath.Join(path, "report.pdf"))}
	}
	return export.WriteFile(path, pdfPerm, write)
}

// checkSheetDir refuses, before a vault is made, a recovery sheet that
// could not be written because its directory is missing.
func checkSheetDir(path string) error {
	if path == "" {
		return nil
	}
	fi, err := os.Stat(filepath.Dir(path))
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return usageError{fmt.Errorf("%s is not a directory", filepath.Dir(path))}
	}
	return nil
}

// writeRecoverySheet writes the recovery sheet when path is set. The vault
// exists and the code was printed by then, so a failure is a warning: the
// printed code is still there to write down.
func writeRecoverySheet(stderr io.Writer, path, code string, now time.Time) {
	if path == "" {
		return
	}
	err := export.WriteFile(path, pdfPerm, func(w io.Writer) error {
		return export.WriteRecoverySheet(w, &export.RecoverySheet{Code: code, Made: now}, export.PDFOptions{})
	})
	if err != nil {
		fmt.Fprintf(stderr, "Could not write the recovery sheet (%v); write down the code above instead.\n", err)
		return
	}
	fmt.Fprintf(stderr, "Wrote the recovery sheet to %s: print it, lock it away, and delete the file.\n", path)
}
