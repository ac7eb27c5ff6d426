package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"casebook/app"
	"casebook/export"
	"casebook/vault"
)

func (c *command) passphrase() secret {
	return secret{what: "passphrase", envVar: "CASEBOOK_PASSPHRASE", flag: "passphrase-file", file: c.passphraseFile}
}

func newPassphrase(file string) secret {
	return secret{what: "new passphrase", envVar: "CASEBOOK_NEW_PASSPHRASE", flag: "new-passphrase-file", file: file, confirm: true}
}

func recoveryCode(file string) secret {
	return secret{what: "recovery code", envVar: "CASEBOOK_RECOVERY_CODE", flag: "recovery-code-file", file: file}
}

// readNewPassphrase reads a new passphrase and refuses a weak one.
func (c *command) readNewPassphrase(s secret) ([]byte, error) {
	p, err := s.read(c.env)
	if err != nil {
		return nil, err
	}
	if err := app.CheckNewPassphrase(p); err != nil {
		clear(p)
		return nil, err
	}
	return p, nil
}

// open unlocks the vault with the passphrase.
func (c *command) open() (*vault.Vault, error) {
	if !vault.Exists(c.vaultDir) {
		return nil, vault.ErrNoVault
	}
	p, err := c.passphrase().read(c.env)
	if err != nil {
		return nil, err
	}
	defer clear(p)
	return vault.Open(c.vaultDir, p, vault.Options{})
}

// withVault runs fn on the unlocked vault and locks it afterwards.
func (c *command) withVault(fn func(v *vault.Vault) error) error {
	v, err := c.open()
	if err != nil {
		return err
	}
	err = fn(v)
	if lerr := v.Lock(); err == nil {
		err = lerr
	}
	return err
}

func (c *command) initCommand() *cobra.Command {
	var sheet string
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Create a new vault and show its recovery code once",
		Long: `Create a new, empty vault. The passphrase is asked for twice (or read from
CASEBOOK_PASSPHRASE or --passphrase-file) and must be hard to guess.

The recovery code is printed once. Write it down, or print it, and keep it
somewhere safe: with it you can set a new passphrase if you forget yours.
If a vault already exists, init refuses and changes nothing.

With --recovery-sheet, the code is also written to a one-page PDF to print;
print it, lock the paper away, and delete the file.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if vault.Exists(c.vaultDir) {
				return vault.ErrExists
			}
			if err := checkSheetDir(sheet); err != nil {
				return err
			}
			s := c.passphrase()
			s.confirm = true
			p, err := c.readNewPassphrase(s)
			if err != nil {
				return err
			}
			defer clear(p)
			fmt.Fprintln(c.env.Stderr, "Creating the vault; measuring this computer to set the key derivation cost…")
			v, code, err := vault.Create(c.vaultDir, p, vault.Options{})
			if err != nil {
				return err
			}
			if err := v.Lock(); err != nil {
				return err
			}
			out := c.env.Stdout
			fmt.Fprintf(out, "Created a vault in %s.\n\n", c.vaultDir)
			fmt.Fprintf(out, "Recovery code (shown only now):\n\n    %s\n\n", code)
			fmt.Fprintln(out, "Write it down and keep it somewhere safe, away from this computer.")
			fmt.Fprintln(out, "With it, anyone can set a new passphrase for this vault: `casebook recover`.")
			writeRecoverySheet(c.env.Stderr, sheet, code, c.now())
			return nil
		},
	}
	cmd.Flags().StringVar(&sheet, "recovery-sheet", "", "also write the recovery code to `FILE.pdf`, to print")
	return cmd
}

func (c *command) checkCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Decrypt and authenticate every record and verify the audit chain",
		Long: `Check reads every record of the vault, decrypts it and verifies that it has
not been altered, and verifies the audit chain from its first entry to its
last. It exits 0 when all is well, and 5 naming each damaged part otherwise.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.withVault(func(v *vault.Vault) error {
				rep, err := v.Check()
				if rep == nil {
					return err
				}
				if asJSON {
					problems := make([]string, 0, len(rep.Problems))
					for _, p := range rep.Problems {
						problems = append(problems, p.Error())
					}
					enc := json.NewEncoder(c.env.Stdout)
					enc.SetIndent("", "  ")
					if jerr := enc.Encode(map[string]any{
						"ok": err == nil, "namespaces": rep.Namespaces, "records": rep.Records,
						"audit_entries": rep.AuditEntries, "problems": problems,
					}); jerr != nil {
						return jerr
					}
				} else if err == nil {
					fmt.Fprintf(c.env.Stdout, "The vault is intact: %s in %s and an audit chain of %s, all verified.\n",
						plural(rep.Records, "record"), plural(rep.Namespaces, "namespace"), plural(rep.AuditEntries, "entry"))
				}
				if err != nil {
					for _, p := range rep.Problems {
						fmt.Fprintf(c.env.Stderr, "damaged: %v\n", p)
					}
				}
				return err
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}

func (c *command) passwdCommand() *cobra.Command {
	var newFile string
	cmd := &cobra.Command{
		Use:   "passwd",
		Short: "Change the vault's passphrase",
		Long: `Change the passphrase. Only the vault's header is rewritten; the recovery
code stays valid. The current passphrase comes from the prompt,
CASEBOOK_PASSPHRASE or --passphrase-file; the new one from the prompt (twice),
CASEBOOK_NEW_PASSPHRASE or --new-passphrase-file.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.withVault(func(v *vault.Vault) error {
				p, err := c.readNewPassphrase(newPassphrase(newFile))
				if err != nil {
					return err
				}
				defer clear(p)
				if err := v.ChangePassphrase(p); err != nil {
					return err
				}
				fmt.Fprintln(c.env.Stdout, "The passphrase is changed.")
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&newFile, "new-passphrase-file", "", "read the new passphrase from the first line of `FILE`")
	return cmd
}

func (c *command) recoverCommand() *cobra.Command {
	var newFile, codeFile string
	cmd := &cobra.Command{
		Use:   "recover",
		Short: "Set a new passphrase using the recovery code",
		Long: `Unlock the vault with the recovery code shown when it was created, and set a
new passphrase. The code comes from the prompt, CASEBOOK_RECOVERY_CODE or
--recovery-code-file; the new passphrase from the prompt (twice),
CASEBOOK_NEW_PASSPHRASE or --new-passphrase-file. The recovery code stays
valid afterwards.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !vault.Exists(c.vaultDir) {
				return vault.ErrNoVault
			}
			code, err := recoveryCode(codeFile).read(c.env)
			if err != nil {
				return err
			}
			defer clear(code)
			v, err := vault.OpenWithRecoveryCode(c.vaultDir, string(code), vault.Options{})
			if err != nil {
				return err
			}
			defer v.Lock()
			p, err := c.readNewPassphrase(newPassphrase(newFile))
			if err != nil {
				return err
			}
			defer clear(p)
			if err := v.ChangePassphrase(p); err != nil {
				return err
			}
			if err := v.Lock(); err != nil {
				return err
			}
			fmt.Fprintln(c.env.Stdout, "The vault has a new passphrase.")
			return nil
		},
	}
	cmd.Flags().StringVar(&newFile, "new-passphrase-file", "", "read the new passphrase from the first line of `FILE`")
	cmd.Flags().StringVar(&codeFile, "recovery-code-file", "", "read the recovery code from the first line of `FILE`")
	return cmd
}

func (c *command) backupCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE",
		Short: "Write the whole vault to one encrypted backup file",
		Long: `Write the whole vault to FILE, encrypted and authenticated. The backup opens
with the vault's passphrase or recovery code as they are now. FILE appears
only when it is complete; an existing FILE is replaced only then.`,
		Args: exactArgs(1, "the backup FILE to write"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.withVault(func(v *vault.Vault) error {
				if err := export.WriteFile(args[0], 0o600, v.Backup); err != nil {
					return fmt.Errorf("write the backup %s: %w", args[0], err)
				}
				fmt.Fprintf(c.env.Stdout, "Backed up the vault to %s.\n", args[0])
				return nil
			})
		},
	}
}

func (c *command) restoreCommand() *cobra.Command {
	var useCode bool
	var codeFile string
	cmd := &cobra.Command{
		Use:   "restore FILE",
		Short: "Recreate the vault from a backup file, into an empty directory",
		Long: `Recreate a vault from a backup made with 'casebook backup'. The vault
directory (--vault, CASEBOOK_VAULT or the default) must not exist or be empty.
The backup is checked in full before the vault appears; a damaged or altered
backup is refused and nothing is written. Unlock it with the passphrase the
vault had when the backup was made, or with --recovery-code and the code.`,
		Args: exactArgs(1, "the backup FILE to read"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if vault.Exists(c.vaultDir) {
				return vault.ErrExists
			}
			f, err := os.Open(args[0])
			if err != nil {
				return fmt.Errorf("open the backup: %w", err)
			}
			defer f.Close()
			if useCode || codeFile != "" {
				code, err := recoveryCode(codeFile).read(c.env)
				if err != nil {
					return err
				}
				defer clear(code)
				err = vault.RestoreWithRecoveryCode(c.vaultDir, f, string(code), vault.Options{})
				if err != nil {
					return err
				}
			} else {
				p, err := c.passphrase().read(c.env)
				if err != nil {
					return err
				}
				defer clear(p)
				if err := vault.Restore(c.vaultDir, f, p, vault.Options{}); err != nil {
					return err
				}
			}
			fmt.Fprintf(c.env.Stdout, "Restored the vault into %s and checked every record.\n", c.vaultDir)
			return nil
		},
	}
	cmd.Flags().BoolVar(&useCode, "recovery-code", false, "unlock the backup with the recovery code instead of the passphrase")
	cmd.Flags().StringVar(&codeFile, "recovery-code-file", "", "read the recovery code from the first line of `FILE`")
	return cmd
}

func (c *command) auditCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "List the audit log: who changed what, and when",
		Long: `List every change made to the vault, oldest first: time, acting member, kind
of change and record name. The log holds no case content. Run 'casebook check'
to verify the chain.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.withVault(func(v *vault.Vault) error {
				entries, err := v.Audit()
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSONLines(c.env.Stdout, entries)
				}
				return writeAuditTable(c.env.Stdout, entries)
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per line")
	return cmd
}

func writeJSONLines[T any](w io.Writer, items []T) error {
	enc := json.NewEncoder(w)
	for _, it := range items {
		if err := enc.Encode(it); err != nil {
			return err
		}
	}
	return nil
}

func writeAuditTable(w io.Writer, entries []vault.AuditEntry) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tTIME (UTC)\tMEMBER\tCHANGE\tRECORD")
	for _, e := range entries {
		actor := e.Actor
		if actor == "" {
			actor = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", e.Seq, e.Time.UTC().Format(time.DateTime), actor, e.Kind, e.Record)
	}
	return tw.Flush()
}

// plural writes a count with its noun: "1 record", "2 records", "3 entries".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "y") {
		return fmt.Sprintf("%d %sies", n, noun[:len(noun)-1])
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
