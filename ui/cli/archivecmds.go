package cli

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"casebook/app"
	"casebook/export"
)

// The anonymized archive: a case's category and archive summary, and the
// export.

func categoryNames() string {
	names := make([]string, len(app.Categories))
	for i, c := range app.Categories {
		names[i] = string(c)
	}
	return strings.Join(names, ", ")
}

func categoryHelp() string {
	var b strings.Builder
	for _, c := range app.Categories {
		fmt.Fprintf(&b, "  %-18s %s\n", c, c.Title())
	}
	return b.String()
}

func (c *command) caseCategoryCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "category CODE CATEGORY",
		Short: "Set the kind of behaviour a case is about, for the archive's statistics",
		Long: "Set the kind of behaviour a case is about; the archive and the transparency\n" +
			"report count cases by it. 'none' clears it. Categories:\n\n" + categoryHelp(),
		Args: exactArgs(2, "the case's CODE and a CATEGORY"),
		RunE: func(cmd *cobra.Command, args []string) error {
			var cat app.Category
			if !strings.EqualFold(strings.TrimSpace(args[1]), "none") {
				var err error
				if cat, err = app.ParseCategory(args[1]); err != nil {
					return usageError{err}
				}
			}
			return c.withStore(func(s *app.Store) error {
				k, err := s.SetCategory(args[0], cat)
				if err != nil {
					return err
				}
				if cat == "" {
					fmt.Fprintf(c.env.Stdout, "%s: category cleared.\n", k.Code)
				} else {
					fmt.Fprintf(c.env.Stdout, "%s: category set to %s.\n", k.Code, cat.Title())
				}
				return nil
			})
		},
	}
	return cmd
}

func (c *command) caseArchiveSummaryCommand() *cobra.Command {
	var text, textFile string
	var clear bool
	cmd := &cobra.Command{
		Use:   "archive-summary CODE [--text TEXT | --text-file FILE | --clear]",
		Short: "Write the neutral summary of a case that goes into the anonymized archive",
		Long: fmt.Sprintf(`Write the neutral summary of a case that the anonymized archive keeps: what
kind of thing happened and what the committee did, in a few sentences, at
most %s characters. The text comes from --text, --text-file, or else
standard input. Write it without names, handles or contacts: the archive
removes every one the vault knows, and every e-mail address, link, @handle,
IP address and phone number, but it cannot know a nickname or a
description that identifies someone. After saving, the command prints the
summary as the archive will show it. --clear removes it.`, thousands(app.MaxArchiveSummary)),
		Args: exactArgs(1, "the case's CODE name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if clear && (text != "" || textFile != "") {
				return usageError{errors.New("give --clear alone, without a text")}
			}
			t := ""
			if !clear {
				var err error
				if text == "" && textFile == "" {
					textFile = "-"
				}
				if t, err = c.readText(text, textFile); err != nil {
					return err
				}
				if strings.TrimSpace(t) == "" {
					return fmt.Errorf("%w: an archive summary needs text; use --clear to remove one", app.ErrInvalid)
				}
			}
			return c.withStore(func(s *app.Store) error {
				k, err := s.SetArchiveSummary(args[0], t)
				if err != nil {
					return err
				}
				if clear {
					fmt.Fprintf(c.env.Stdout, "%s: archive summary removed.\n", k.Code)
					return nil
				}
				r := export.AnonymizeCase(k, "0000000000000000", s.Config().Location(), export.NewScrubber(s.VisibleIdentities()))
				fmt.Fprintf(c.env.Stdout, "%s: archive summary saved. In the archive it reads:\n\n%s\n", k.Code, r.Summary)
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&text, "text", "", "the summary")
	f.StringVar(&textFile, "text-file", "", "read the summary from `FILE` ('-' for standard input, the default)")
	f.BoolVar(&clear, "clear", false, "remove the archive summary")
	return cmd
}

// archivePeriod reads --from and --to: the first and the last day
// received, both included.
func archivePeriod(from, to string, loc *time.Location) (time.Time, time.Time, error) {
	var start, until time.Time
	if from != "" {
		t, err := parseDate(from, loc)
		if err != nil {
			return start, until, err
		}
		start = t
	}
	if to != "" {
		t, err := parseDate(to, loc)
		if err != nil {
			return start, until, err
		}
		if len(strings.TrimSpace(to)) == len(time.DateOnly) {
			until = t.AddDate(0, 0, 1) // the whole last day
		} else {
			until = t.Add(time.Nanosecond)
		}
	}
	if !start.IsZero() && !until.IsZero() && !start.Before(until) {
		return start, until, usageError{errors.New("--from must not come after --to")}
	}
	return start, until, nil
}

func (c *command) exportCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Export what may leave the vault: the anonymized archive",
		Args:  noArgs,
	}
	cmd.AddCommand(c.exportArchiveCommand())
	return cmd
}

func (c *command) exportArchiveCommand() *cobra.Command {
	var out, from, to string
	var k int
	var seed uint64
	cmd := &cobra.Command{
		Use:   "archive --out DIR [--from DATE] [--to DATE] [--k N] [--seed N]",
		Short: "Write the anonymized archive of the cases and the transparency report",
		Long: fmt.Sprintf(`Write the anonymized archive into DIR, a new or empty directory:

  cases.jsonl    one anonymized record per case
  cases.csv      the same, for spreadsheets
  schema.json    the JSON Schema of a record
  summary.pdf    the transparency report, with charts, for publishing
  manifest.json  the rules applied, k, counts and the program's version

People become role pseudonyms within each case; each case gets a fresh
random ID; dates become a year and quarter; the only free text is each
case's archive summary, scrubbed of every name, handle and contact the
vault knows. In summary.pdf every figure counts at least k cases (default
%d, at least %d); smaller groups are merged into wider ones or left out.
Cases you have a conflict of interest on are left out. docs/archive.md
describes the files.

--from and --to bound the days received, both included. --seed makes the
archive IDs, and so every file, the same each time: for tests and to
reproduce an export, never for an archive you share.`, export.DefaultK, export.MinK),
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return usageError{errors.New("name the directory to write the archive to with --out")}
			}
			if k < export.MinK {
				return usageError{fmt.Errorf("--k must be at least %d", export.MinK)}
			}
			if err := export.CheckArchiveDir(out); err != nil {
				return err
			}
			opts := export.ArchiveOptions{K: k, Generated: c.now(), Program: Version}
			if cmd.Flags().Changed("seed") {
				opts.Seed = &seed
			}
			return c.withStore(func(s *app.Store) error {
				start, until, err := archivePeriod(from, to, s.Config().Location())
				if err != nil {
					return err
				}
				a, err := export.BuildArchiveFrom(s, start, until, opts)
				if err != nil {
					return err
				}
				// Recorded before anything is written: the audit log may
				// over-report an export, never miss one.
				if err := s.RecordExport("archive"); err != nil {
					return err
				}
				if err := export.WriteArchive(out, a, export.PDFOptions{}); err != nil {
					return err
				}
				writeArchiveReport(c.env.Stdout, out, a)
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&out, "out", "", "write into `DIR`, which must be new or empty")
	f.StringVar(&from, "from", "", "only cases received on or after `DATE`")
	f.StringVar(&to, "to", "", "only cases received on or before `DATE`")
	f.IntVar(&k, "k", export.DefaultK, "the smallest group the report shows (`N`, at least 3)")
	f.Uint64Var(&seed, "seed", 0, "make the archive IDs reproducible from `N` (for tests)")
	return cmd
}

// writeArchiveReport says what was written, and what members could
// still add.
func writeArchiveReport(w io.Writer, dir string, a *export.Archive) {
	m := a.Manifest.Counts
	fmt.Fprintf(w, "Wrote the archive of %s to %s: %s, %s, %s, %s, %s.\n", plural(m.Cases, "case"), dir,
		export.FileRecords, export.FileCSV, export.FileSchema, export.FileReport, export.FileManifest)
	if m.Expunged > 0 {
		fmt.Fprintf(w, "It counts %s expunged before.\n", plural(m.Expunged, "case"))
	}
	if !a.Report.Enough {
		fmt.Fprintf(w, "With fewer than %d cases, %s shows no figures.\n", a.Manifest.K, export.FileReport)
	}
	noSummary := m.Closed - countSummarized(a)
	if noSummary > 0 || m.WithoutCategory > 0 {
		fmt.Fprintf(w, "%s no archive summary and %s no category: see 'casebook case archive-summary' and 'casebook case category'.\n",
			capitalizeSentence(plural(noSummary, "closed case")+" "+hasHave(noSummary)), plural(m.WithoutCategory, "case"))
	}
}

func countSummarized(a *export.Archive) int {
	n := 0
	for _, r := range a.Records {
		if r.Status == "closed" && r.Summary != "" {
			n++
		}
	}
	return n
}

// thousands writes n with commas between groups of three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func hasHave(n int) string {
	if n == 1 {
		return "has"
	}
	return "have"
}
