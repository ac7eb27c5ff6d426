package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"casebook/app"
	"casebook/vault"
)

// withStore runs fn on the case book of the unlocked vault.
func (c *command) withStore(fn func(s *app.Store) error) error {
	return c.withVault(func(v *vault.Vault) error {
		s, err := app.OpenStore(v, c.env.Now)
		if err != nil {
			return err
		}
		return fn(s)
	})
}

func (c *command) now() time.Time {
	if c.env.Now != nil {
		return c.env.Now()
	}
	return time.Now()
}

// printJSONList prints a list as a JSON array: [] when it is empty, never
// null, so that scripts can iterate over it as it is.
func printJSONList[T any](w io.Writer, items []T) error {
	if items == nil {
		items = []T{}
	}
	return printJSON(w, items)
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// parseDate reads a date (2026-11-02, that day in the committee's time
// zone) or an RFC 3339 time.
func parseDate(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.ParseInLocation(time.DateOnly, s, loc); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, usageError{fmt.Errorf("%q is not a date such as 2026-11-02", s)}
}

// readText returns --text, or the contents of --text-file ("-" is
// standard input).
func (c *command) readText(text, file string) (string, error) {
	if file == "" {
		return text, nil
	}
	if text != "" {
		return "", usageError{fmt.Errorf("give --text or --text-file, not both")}
	}
	var r io.Reader = c.env.Stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return "", err
		}
		defer f.Close()
		r = f
	}
	const limit = 10 << 20
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return "", err
	}
	if len(b) > limit {
		return "", fmt.Errorf("%w: the text is longer than 10 MiB", app.ErrInvalid)
	}
	return string(b), nil
}

func (c *command) caseCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "case",
		Short: "File, list, show and work on cases",
		Args:  noArgs,
	}
	cmd.AddCommand(c.caseNewCommand(), c.caseListCommand(), c.caseShowCommand(), c.caseStepCommand(),
		c.caseNoteCommand(), c.caseMessageCommand(), c.caseEvidenceCommand(), c.caseCorroborateCommand(),
		c.caseWorksheetCommand(), c.caseCategoryCommand(), c.caseArchiveSummaryCommand())
	return cmd
}

func (c *command) caseNewCommand() *cobra.Command {
	var from, category string
	cmd := &cobra.Command{
		Use:   "new --from FILE.json [--category CATEGORY]",
		Short: "File a new report from an intake file and print its code name",
		Long: `File a new report. The intake format is described in docs/intake.md ('-' reads
standard input). Invalid input is refused with every problem listed by its
field path, and nothing is stored. --category sets the kind of behaviour
reported (` + categoryNames() + `), in place of the intake's.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if from == "" {
				return usageError{fmt.Errorf("name the intake file with --from FILE.json ('-' for standard input)")}
			}
			var cat app.Category
			if category != "" {
				var err error
				if cat, err = app.ParseCategory(category); err != nil {
					return usageError{err}
				}
			}
			var r io.Reader = c.env.Stdin
			if from != "-" {
				f, err := os.Open(from)
				if err != nil {
					return err
				}
				defer f.Close()
				r = f
			}
			return c.withStore(func(s *app.Store) error {
				in, err := app.ParseIntake(r, s.Config().Location())
				if err != nil {
					return err
				}
				if cat != "" {
					in.Category = cat
				}
				k, err := s.NewCase(in)
				if err != nil {
					return err
				}
				fmt.Fprintln(c.env.Stdout, k.Code)
				if s.IsShutOut(k.Code) {
					fmt.Fprintf(c.env.Stderr, "The report is about you, so you are shut out of %s and Casebook shows you nothing of it. "+
						"Send it to the committee now: casebook bundle export %s --to MEMBER… --out FILE (until then, casebook due lists it)\n", k.Code, k.Code)
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "the intake `FILE` ('-' for standard input)")
	cmd.Flags().StringVar(&category, "category", "", "the kind of behaviour reported: a `CATEGORY` such as harassment")
	return cmd
}

func (c *command) caseListCommand() *cobra.Command {
	var stage string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List cases, newest first",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var st app.Stage
			if stage != "" {
				var err error
				if st, err = app.ParseStage(stage); err != nil {
					return usageError{err}
				}
			}
			return c.withStore(func(s *app.Store) error {
				list := s.List(st)
				if asJSON {
					return printJSON(c.env.Stdout, list)
				}
				roster := s.Roster()
				loc := s.Config().Location()
				tw := tabwriter.NewWriter(c.env.Stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "CODE\tSTAGE\tRESPONDER\tAGE\tNEXT DUE")
				for _, k := range list {
					resp := "-"
					if m := roster.Member(k.Responder); m != nil {
						resp = m.Name
					}
					next := "-"
					if !k.NextDue.IsZero() {
						next = k.NextDue.In(loc).Format("2006-01-02 15:04") + " " + string(k.NextAction)
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k.Code, stageLabel(k.Stage, k.Outcome), resp, age(k.Received, c.now()), next)
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().StringVar(&stage, "stage", "", "only cases at this `STAGE`")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func stageLabel(s app.Stage, o app.Outcome) string {
	if o != "" {
		return string(s) + " (" + string(o) + ")"
	}
	return string(s)
}

func age(since, now time.Time) string {
	d := int(now.Sub(since).Hours() / 24)
	if d < 1 {
		return "today"
	}
	if d == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", d)
}

// caseView is what `case show --json` prints.
type caseView struct {
	*app.Case
	Messages []*app.Message `json:"messages"`
	Allowed  []app.Action   `json:"allowed_actions"`
}

func (c *command) caseShowCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show CODE",
		Short: "Show a case: its stage, next steps, parties, timeline and correspondence",
		Args:  exactArgs(1, "the case's CODE name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withStore(func(s *app.Store) error {
				k, err := s.Case(args[0])
				if err != nil {
					return err
				}
				msgs, err := s.Messages(k.Code)
				if err != nil {
					return err
				}
				ctx := s.Context()
				view := caseView{Case: k, Messages: msgs, Allowed: k.Allowed(ctx)}
				if asJSON {
					return printJSON(c.env.Stdout, view)
				}
				return writeCase(c.env.Stdout, view, ctx)
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func visibilityLabel(v app.Visibility) string {
	if v.CommitteeOnly() {
		return "committee only"
	}
	return "shared with " + strings.Join(v.SharedWith, ", ")
}

func writeCase(w io.Writer, v caseView, ctx app.Context) error {
	k := v.Case
	loc := ctx.Config.Location()
	day := func(t time.Time) string { return t.In(loc).Format("2006-01-02 15:04") }
	fmt.Fprintf(w, "%s — %s\n", k.Code, k.Stage.Title())
	fmt.Fprintf(w, "Received %s by %s. %s\n", day(k.Received), k.Channel, k.Summary)
	if k.Outcome != "" {
		fmt.Fprintf(w, "Outcome: %s.\n", k.Outcome.Title())
	}
	if k.Urgent {
		fmt.Fprintln(w, "Marked urgent: someone may be in danger.")
	}
	if k.RecordOnly {
		fmt.Fprintln(w, "For the record only: no action requested.")
	}
	if k.Category != "" {
		fmt.Fprintf(w, "Category: %s.\n", k.Category.Title())
	}
	if k.ArchiveSummary != "" {
		fmt.Fprintf(w, "Archive summary: %s\n", oneLine(k.ArchiveSummary))
	}
	if m := ctx.Roster.Member(k.Responder); m != nil {
		fmt.Fprintf(w, "Responder: %s.\n", m.Name)
	}
	fmt.Fprintln(w, "\nNext steps:")
	if len(v.Allowed) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, a := range v.Allowed {
		fmt.Fprintf(w, "  %-22s %s\n", a, a.Help())
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nParties:")
	fmt.Fprintln(tw, "  ID\tROLE\tNAME\tCONTACT\tOUTREACH\tLAST UPDATE")
	for _, p := range k.Parties {
		last := "-"
		if !p.LastUpdateAt.IsZero() {
			last = day(p.LastUpdateAt)
		}
		contact := p.Contact
		if contact == "" {
			contact = "-"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", p.ID, p.Role, p.DisplayName(), contact, p.Outreach, last)
	}
	tw.Flush()
	if len(k.Conflicts) > 0 {
		fmt.Fprintln(w, "\nConflicts of interest:")
		for _, x := range k.Conflicts {
			name := x.MemberID
			if m := ctx.Roster.Member(x.MemberID); m != nil {
				name = m.Name
			}
			fmt.Fprintf(w, "  %s: %s — %s\n", name, x.Kind, x.Reason)
		}
	}
	if len(k.Evidence) > 0 {
		fmt.Fprintln(w, "\nEvidence:")
		for _, e := range k.Evidence {
			fmt.Fprintf(w, "  %s %s %s [%s; %s]\n", e.ID, e.URL, e.Note, e.Corroboration, visibilityLabel(e.Visibility))
		}
	}
	if len(k.Worksheet) > 0 {
		fmt.Fprintln(w, "\nCorroboration worksheet:")
		for _, x := range k.Worksheet {
			fmt.Fprintf(w, "  %s %s (ask: %s) [%s] %s\n", x.ID, x.What, x.Source, x.Status, x.Result)
		}
	}
	for _, vt := range k.Votes {
		f, a, n := vt.Tally()
		state := "open"
		if !vt.Open() {
			state = map[bool]string{true: "adopted", false: "not adopted"}[vt.Adopted]
		}
		fmt.Fprintf(w, "\nVote %s on %s: %d for, %d against, %d abstaining (%s).\n", vt.ID, vt.Proposal, f, a, n, state)
	}
	fmt.Fprintln(w, "\nTimeline:")
	type line struct {
		at   time.Time
		text string
	}
	var lines []line
	for _, e := range k.History {
		t := string(e.Action)
		if e.Party != "" {
			t += " " + e.Party
		}
		if e.Text != "" {
			t += ": " + e.Text
		}
		lines = append(lines, line{e.At, t})
	}
	for _, n := range k.Notes {
		lines = append(lines, line{n.At, fmt.Sprintf("note %s [%s]: %s", n.ID, visibilityLabel(n.Visibility), n.Text)})
	}
	for _, d := range k.Decisions {
		lines = append(lines, line{d.At, fmt.Sprintf("decision %s [%s]: %s", d.ID, visibilityLabel(d.Visibility), d.Text)})
	}
	for _, m := range v.Messages {
		arrow := "from"
		if m.Direction == app.Out {
			arrow = "to"
		}
		lines = append(lines, line{m.At, messageLine(m, arrow)})
	}
	slices.SortStableFunc(lines, func(a, b line) int { return a.at.Compare(b.at) })
	for _, l := range lines {
		fmt.Fprintf(w, "  %s  %s\n", day(l.at), l.text)
	}
	return nil
}

// messageLine is a message in the timeline: a draft not sent is marked,
// and each attachment and the count of defects get a line of their own.
func messageLine(m *app.Message, arrow string) string {
	vis := visibilityLabel(m.Visibility)
	if m.Pending {
		vis = "draft, not sent; " + vis
	}
	text := m.Text
	if m.Subject != "" && m.Channel == app.ChannelEmail {
		text = m.Subject + " — " + text
	}
	s := fmt.Sprintf("message %s %s %s [%s]: %s", m.ID, arrow, m.PartyID, vis, oneLine(text))
	const indent = "\n                    "
	for _, a := range m.Attachments {
		s += fmt.Sprintf("%sattachment %s: %s (%s, %s)", indent, a.ID, oneLine(a.Name), a.Type, app.FormatSize(a.Size))
	}
	if n := len(m.Defects); n > 0 {
		s += fmt.Sprintf("%sthe message had %s when imported; part of it may be missing (see --json)", indent, plural(n, "defect"))
	}
	return s
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 120 {
		return string(r[:119]) + "…"
	}
	return s
}

func (c *command) caseStepCommand() *cobra.Command {
	var s struct {
		party, member, responder, outcome, choice, kind, text, textFile, date string
		scope, impact, risk                                                   string
	}
	var list bool
	cmd := &cobra.Command{
		Use:   "step CODE [ACTION]",
		Short: "Take the next step of the process on a case; without ACTION, list the allowed ones",
		Long:  "Take one step of the committee's process on a case. Actions:\n\n" + actionHelp(),
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 1 || len(args) > 2 {
				return usageError{fmt.Errorf("%s needs the case's CODE and an ACTION", cmd.CommandPath())}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withStore(func(st *app.Store) error {
				if len(args) == 1 || list {
					k, err := st.Case(args[0])
					if err != nil {
						return err
					}
					for _, a := range k.Allowed(st.Context()) {
						fmt.Fprintf(c.env.Stdout, "%-22s %s\n", a, a.Help())
					}
					return nil
				}
				action, err := app.ParseAction(args[1])
				if err != nil {
					return usageError{err}
				}
				step := app.Step{Action: action, Party: s.party, Kind: app.ConflictKind(s.kind), Choice: app.Choice(s.choice),
					Assessment: app.Assessment{Scope: s.scope, Impact: s.impact, Risk: s.risk}}
				if step.Text, err = c.readText(s.text, s.textFile); err != nil {
					return err
				}
				roster := st.Roster()
				for _, m := range []struct {
					name string
					dst  *string
				}{{s.member, &step.Member}, {s.responder, &step.Responder}} {
					if m.name == "" {
						continue
					}
					found, err := findMember(roster, m.name)
					if err != nil {
						return err
					}
					*m.dst = found.ID
				}
				if s.outcome != "" {
					if step.Outcome, err = app.ParseOutcome(s.outcome); err != nil {
						return usageError{err}
					}
				}
				if s.date != "" {
					if step.Date, err = parseDate(s.date, st.Config().Location()); err != nil {
						return err
					}
				}
				k, err := st.Step(args[0], step)
				if err != nil {
					return err
				}
				fmt.Fprintf(c.env.Stdout, "%s: %s done; the case is at the stage %q.\n", k.Code, action, k.Stage.Title())
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&s.party, "party", "", "the party's `ID` (see case show)")
	f.StringVar(&s.member, "member", "", "a committee member, by `ID or name`")
	f.StringVar(&s.responder, "responder", "", "the responder, by `ID or name`")
	f.StringVar(&s.outcome, "outcome", "", "an `OUTCOME`: "+outcomeNames())
	f.StringVar(&s.choice, "choice", "", "a vote: for, against or abstain")
	f.StringVar(&s.kind, "kind", "", "a conflict of interest: hard or soft")
	f.StringVar(&s.text, "text", "", "a reason, summary or what was done")
	f.StringVar(&s.textFile, "text-file", "", "read the text from `FILE` ('-' for standard input)")
	f.StringVar(&s.date, "date", "", "a `DATE` such as 2026-12-01")
	f.StringVar(&s.scope, "scope", "", "triage: the scope")
	f.StringVar(&s.impact, "impact", "", "triage: the impact")
	f.StringVar(&s.risk, "risk", "", "triage: the risk")
	f.BoolVar(&list, "list", false, "list the allowed actions")
	return cmd
}

func actionHelp() string {
	var b strings.Builder
	for _, a := range app.Actions() {
		fmt.Fprintf(&b, "  %-22s %s\n", a, a.Help())
	}
	return b.String()
}

func outcomeNames() string {
	names := make([]string, len(app.Outcomes))
	for i, o := range app.Outcomes {
		names[i] = string(o)
	}
	return strings.Join(names, ", ")
}

func (c *command) caseNoteCommand() *cobra.Command {
	var text, textFile string
	var share []string
	cmd := &cobra.Command{
		Use:   "note CODE --text TEXT [--share-with PARTY]…",
		Short: "Add an internal note; committee only unless shared with named parties",
		Args:  exactArgs(1, "the case's CODE name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := c.readText(text, textFile)
			if err != nil {
				return err
			}
			return c.withStore(func(s *app.Store) error {
				n, err := s.AddNote(args[0], t, app.Visibility{SharedWith: share})
				if err != nil {
					return err
				}
				fmt.Fprintf(c.env.Stdout, "Added note %s (%s).\n", n.ID, visibilityLabel(n.Visibility))
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&text, "text", "", "the note")
	cmd.Flags().StringVar(&textFile, "text-file", "", "read the note from `FILE` ('-' for standard input)")
	cmd.Flags().StringSliceVar(&share, "share-with", nil, "a party `ID` who may see it (repeatable)")
	return cmd
}

func (c *command) caseMessageCommand() *cobra.Command {
	var party, direction, text, textFile, subject, channel, at string
	var share []string
	cmd := &cobra.Command{
		Use:   "message CODE --party PARTY --direction in|out --text TEXT",
		Short: "Record a message received from or sent to a party",
		Args:  exactArgs(1, "the case's CODE name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := c.readText(text, textFile)
			if err != nil {
				return err
			}
			return c.withStore(func(s *app.Store) error {
				m := app.Message{PartyID: party, Direction: app.Direction(direction), Text: t, Subject: subject,
					Channel: app.Channel(channel), Visibility: app.Visibility{SharedWith: share}}
				if at != "" {
					if m.At, err = parseDate(at, s.Config().Location()); err != nil {
						return err
					}
				}
				out, err := s.AddMessage(args[0], m)
				if err != nil {
					return err
				}
				fmt.Fprintf(c.env.Stdout, "Recorded message %s.\n", out.ID)
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&party, "party", "", "the party's `ID`")
	f.StringVar(&direction, "direction", "", "in (received) or out (sent)")
	f.StringVar(&text, "text", "", "the message, or a summary of it")
	f.StringVar(&textFile, "text-file", "", "read the message from `FILE` ('-' for standard input)")
	f.StringVar(&subject, "subject", "", "the subject")
	f.StringVar(&channel, "channel", "email", "how it came or went: form, email, chat, in-person, other")
	f.StringVar(&at, "date", "", "when (default now)")
	f.StringSliceVar(&share, "share-with", nil, "a party `ID` who may see it (repeatable)")
	return cmd
}

func (c *command) caseEvidenceCommand() *cobra.Command {
	var url, note string
	var share []string
	cmd := &cobra.Command{
		Use:   "evidence CODE [--url URL] [--note TEXT]",
		Short: "Add an evidence item (unverified until corroborated)",
		Args:  exactArgs(1, "the case's CODE name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withStore(func(s *app.Store) error {
				e, err := s.AddEvidence(args[0], url, note, app.Visibility{SharedWith: share})
				if err != nil {
					return err
				}
				fmt.Fprintf(c.env.Stdout, "Added evidence %s.\n", e.ID)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&url, "url", "", "a link")
	cmd.Flags().StringVar(&note, "note", "", "what it shows")
	cmd.Flags().StringSliceVar(&share, "share-with", nil, "a party `ID` who may see it (repeatable)")
	return cmd
}

func (c *command) caseCorroborateCommand() *cobra.Command {
	var status, how string
	cmd := &cobra.Command{
		Use:   "corroborate CODE EVIDENCE --status corroborated|not-corroborated|unverified --how TEXT",
		Short: "Record how far an evidence item was verified",
		Args:  exactArgs(2, "the case's CODE and the EVIDENCE id"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withStore(func(s *app.Store) error {
				if _, err := s.Corroborate(args[0], args[1], app.Corroboration(status), how); err != nil {
					return err
				}
				fmt.Fprintf(c.env.Stdout, "Recorded: %s is %s.\n", args[1], status)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&status, "status", "", "corroborated, not-corroborated or unverified")
	cmd.Flags().StringVar(&how, "how", "", "how it was verified, or why it could not be")
	return cmd
}

func (c *command) caseWorksheetCommand() *cobra.Command {
	var what, source, status, result string
	cmd := &cobra.Command{
		Use:   "worksheet CODE [CHECK]",
		Short: "Add a line to an anonymous report's corroboration worksheet, or record its result",
		Long: `With --what (and --source), add a line: something that could be verified and
where. With a CHECK id, --status and --result, record what was found.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 1 || len(args) > 2 {
				return usageError{fmt.Errorf("%s needs the case's CODE and, to record a result, the CHECK id", cmd.CommandPath())}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withStore(func(s *app.Store) error {
				if len(args) == 2 {
					if _, err := s.ResolveCheck(args[0], args[1], app.Corroboration(status), result); err != nil {
						return err
					}
					fmt.Fprintf(c.env.Stdout, "Recorded the result of %s.\n", args[1])
					return nil
				}
				k, err := s.AddCheck(args[0], what, source)
				if err != nil {
					return err
				}
				fmt.Fprintf(c.env.Stdout, "Added worksheet line %s.\n", k.ID)
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&what, "what", "", "the claim or link to verify")
	f.StringVar(&source, "source", "", "a public link, or a person to ask")
	f.StringVar(&status, "status", "", "corroborated, not-corroborated or unverified")
	f.StringVar(&result, "result", "", "what was found")
	return cmd
}
