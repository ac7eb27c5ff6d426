package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"casebook/app"
)

func (c *command) memberCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "member",
		Short: "The committee roster, who uses this vault, and conflicts of interest",
		Args:  noArgs,
	}
	var asJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List the committee's members",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.withStore(func(s *app.Store) error {
				r := s.Roster()
				if asJSON {
					return printJSON(c.env.Stdout, r)
				}
				tw := tabwriter.NewWriter(c.env.Stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tNAME\tCONTACT\tSTATUS\tKEY")
				for _, m := range r.Members {
					status := "active"
					if !m.Active {
						status = "former"
					}
					if m.ID == r.Me {
						status += ", uses this vault"
					}
					key := "none yet"
					if m.Key != nil {
						key = m.Key.Fingerprint()
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", m.ID, m.Name, m.Contact, status, key)
				}
				return tw.Flush()
			})
		},
	}
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")

	var contact, keyLine string
	var me bool
	add := &cobra.Command{
		Use:   "add NAME",
		Short: "Add a member to the roster (with --key, their public keys)",
		Args:  exactArgs(1, "the member's NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			var key *app.MemberKey
			var lineName string
			if keyLine != "" {
				if me {
					return usageError{errors.New("the member using this vault has the vault's own keys; leave out --key with --me")}
				}
				k, name, err := app.ParseMemberKey(keyLine)
				if err != nil {
					return err
				}
				key, lineName = &k, name
			}
			return c.withStore(func(s *app.Store) error {
				var added *app.Member
				err := s.UpdateRoster(func(r *app.Roster) error {
					m, err := r.Add(args[0], contact)
					if err != nil {
						return err
					}
					if key != nil {
						if err := r.SetKey(m, *key); err != nil {
							return err
						}
					}
					if me || len(r.Members) == 1 && key == nil {
						r.Me = m.ID
					}
					added = m
					return nil
				})
				if err != nil {
					return err
				}
				fmt.Fprintf(c.env.Stdout, "Added %s as %s.\n", added.Name, added.ID)
				if key != nil {
					fmt.Fprintf(c.env.Stdout, "Their keys' fingerprint is %s: compare it with theirs.\n", key.Fingerprint())
					warnOtherName(c.env, lineName, added.Name)
				}
				return nil
			})
		},
	}
	add.Flags().StringVar(&contact, "contact", "", "how the committee reaches the member")
	add.Flags().BoolVar(&me, "me", false, "this member uses this vault")
	add.Flags().StringVar(&keyLine, "key", "", "the member's key `LINE`, as their 'casebook key' printed it (quoted)")

	var change bool
	setMe := &cobra.Command{
		Use:   "me MEMBER",
		Short: "Say which member uses this vault (recorded as the actor of every change)",
		Long: `Say which member uses this vault. Every change is recorded in the audit log
under that member, and cases they have a hard conflict of interest on are
hidden from them. Once set, it changes only with --change (when the laptop
passes to another member); the change itself is in the audit log.`,
		Args: exactArgs(1, "the MEMBER, by ID or name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withStore(func(s *app.Store) error {
				return s.UpdateRoster(func(r *app.Roster) error {
					m, err := findMember(r, args[0])
					if err != nil {
						return err
					}
					if r.Me != "" && r.Me != m.ID && !change {
						return fmt.Errorf("%w: this vault is already %s's; use --change if the laptop has passed to another member", app.ErrInvalid, r.Member(r.Me).Name)
					}
					r.Me = m.ID
					return nil
				})
			})
		},
	}
	setMe.Flags().BoolVar(&change, "change", false, "hand this vault to another member")

	deactivate := &cobra.Command{
		Use:   "leave MEMBER",
		Short: "Mark a member as no longer on the committee (their history stays)",
		Args:  exactArgs(1, "the MEMBER, by ID or name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withStore(func(s *app.Store) error {
				return s.UpdateRoster(func(r *app.Roster) error {
					m, err := findMember(r, args[0])
					if err != nil {
						return err
					}
					if m.ID == r.Me {
						return fmt.Errorf("%w: %s uses this vault; hand it to another member first (casebook member me --change)", app.ErrInvalid, m.Name)
					}
					m.Active = false
					return nil
				})
			})
		},
	}

	var kind, reason string
	conflict := &cobra.Command{
		Use:   "conflict CODE MEMBER --kind hard|soft --reason TEXT",
		Short: "Declare a member's conflict of interest on a case (hard: shut out; soft: recorded)",
		Args:  exactArgs(2, "the case's CODE and the MEMBER"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withStore(func(s *app.Store) error {
				m, err := findMember(s.Roster(), args[1])
				if err != nil {
					return err
				}
				if _, err := s.DeclareConflict(args[0], m.ID, app.ConflictKind(kind), reason); err != nil {
					return err
				}
				fmt.Fprintf(c.env.Stdout, "Recorded a %s conflict of interest for %s.\n", kind, m.Name)
				return nil
			})
		},
	}
	conflict.Flags().StringVar(&kind, "kind", "hard", "hard (shut out of the case) or soft (declared)")
	conflict.Flags().StringVar(&reason, "reason", "", "why")

	cmd.AddCommand(list, add, c.memberKeyCommand(), setMe, deactivate, conflict)
	return cmd
}

// findMember finds a member by ID or name, or says there is none.
func findMember(r *app.Roster, idOrName string) (*app.Member, error) {
	if m := r.Find(idOrName); m != nil {
		return m, nil
	}
	return nil, fmt.Errorf("%w: no member %q on the roster", app.ErrInvalid, idOrName)
}

func (c *command) dueCommand() *cobra.Command {
	var asOf string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "due [--as-of DATE]",
		Short: "List what is due: overdue first, then today and this week",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.withStore(func(s *app.Store) error {
				loc := s.Config().Location()
				when, err := c.asOfFlag(asOf, loc)
				if err != nil {
					return err
				}
				items := s.Due(when)
				if asJSON {
					return printJSONList(c.env.Stdout, items)
				}
				if len(items) == 0 {
					fmt.Fprintln(c.env.Stdout, "Nothing is due this week.")
					return nil
				}
				tw := tabwriter.NewWriter(c.env.Stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "DUE\t\tCASE\tWHAT\tSTEP")
				for _, it := range items {
					flag := ""
					if it.Overdue {
						flag = "OVERDUE"
					}
					step := string(it.Action)
					if it.Kind == app.DueSendOn {
						step = "casebook bundle export " + it.Code + " --to MEMBER… --out FILE"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", it.Due.In(loc).Format("Mon 2006-01-02 15:04"), flag, it.Code, it.Text, step)
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().StringVar(&asOf, "as-of", "", "as of `DATE` (default now)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (c *command) searchCommand() *cobra.Command {
	var asJSON bool
	var limit int
	cmd := &cobra.Command{
		Use:   "search QUERY",
		Short: "Find words in cases and correspondence (accents and case ignored)",
		Args:  exactArgs(1, "the QUERY (quote several words)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withStore(func(s *app.Store) error {
				hits, err := s.Search(args[0], limit)
				if err != nil {
					return err
				}
				if asJSON {
					return printJSONList(c.env.Stdout, hits)
				}
				if len(hits) == 0 {
					fmt.Fprintln(c.env.Stdout, "Nothing found.")
					return nil
				}
				for _, h := range hits {
					where := h.Kind
					if h.ItemID != "" {
						where += " " + h.ItemID
					}
					fmt.Fprintf(c.env.Stdout, "%s  %s  %s\n", h.Code, where, oneLine(h.Snippet))
				}
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().IntVar(&limit, "limit", 50, "at most `N` results")
	return cmd
}

func (c *command) demoCommand() *cobra.Command {
	var n int
	var seed uint64
	cmd := &cobra.Command{
		Use:   "demo [--cases N]",
		Short: "Fill the vault with synthetic cases, for trying Casebook out",
		Long: `Fill the vault with realistic synthetic cases across every stage and outcome,
with a synthetic committee if the roster is empty. Every person is invented.
Use a vault of its own for this: the cases mix with real ones otherwise.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if n < 1 || n > 1_000_000 {
				return usageError{fmt.Errorf("--cases takes a number from 1 to 1000000")}
			}
			return c.withStore(func(s *app.Store) error {
				cases, msgs, err := s.AddDemo(app.DemoOptions{Cases: n, Seed: seed, Now: c.now(), Config: s.Config()})
				if err != nil {
					return err
				}
				fmt.Fprintf(c.env.Stdout, "Added %d synthetic cases with %d messages.\n", cases, msgs)
				return nil
			})
		},
	}
	cmd.Flags().IntVar(&n, "cases", 30, "how many cases")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "the random seed (the same seed makes the same cases)")
	return cmd
}

func (c *command) settingsCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "settings",
		Short: "Show the committee's settings: deadlines, the weekly meeting, time zone, retention",
		Long: `Show the settings as JSON. 'casebook settings set KEY VALUE' changes one, e.g.
  casebook settings set time_zone Europe/Berlin
  casebook settings set ack_within_hours 48
  casebook settings set meeting_weekday 3      (0 is Sunday)
  casebook settings set meeting_time 19:30
  casebook settings set brigade.window_days 21
  casebook settings set max_attachment_mib 10  (imported e-mail; 1 to 50)
  casebook settings set committee_name "the Community Working Group"
  casebook settings set committee_contact cwg@example.org`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.withStore(func(s *app.Store) error { return printJSON(c.env.Stdout, s.Config()) })
		},
	}
	set := &cobra.Command{
		Use:   "set KEY VALUE",
		Short: "Change one setting",
		Args:  exactArgs(2, "a KEY and a VALUE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withStore(func(s *app.Store) error {
				cfg, err := setSetting(s.Config(), args[0], args[1])
				if err != nil {
					return err
				}
				if err := s.SetConfig(cfg); err != nil {
					return err
				}
				fmt.Fprintf(c.env.Stdout, "Set %s.\n", args[0])
				return nil
			})
		},
	}
	cmd.AddCommand(set)
	return cmd
}

// setSetting changes one setting named by its JSON key ("brigade.window_days"
// for a nested one). The value is read as JSON, or else as a string.
func setSetting(cfg app.Config, key, value string) (app.Config, error) {
	b, err := json.Marshal(cfg)
	if err != nil {
		return cfg, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return cfg, err
	}
	parts := strings.Split(key, ".")
	target := m
	for _, p := range parts[:len(parts)-1] {
		next, ok := target[p].(map[string]any)
		if !ok {
			return cfg, fmt.Errorf("%w: there is no setting %q", app.ErrInvalid, key)
		}
		target = next
	}
	last := parts[len(parts)-1]
	if _, ok := target[last]; !ok && key != "time_zone" {
		return cfg, fmt.Errorf("%w: there is no setting %q; 'casebook settings' lists them", app.ErrInvalid, key)
	}
	var v any
	if err := json.Unmarshal([]byte(value), &v); err != nil {
		v = value
	}
	target[last] = v
	b, err = json.Marshal(m)
	if err != nil {
		return cfg, err
	}
	var out app.Config
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		return cfg, fmt.Errorf("%w: %s takes a value of another kind", app.ErrInvalid, key)
	}
	return out, nil
}
