// Package cli is Casebook's command line: every capability of the desktop
// app as a command of the same binary, for scripts, tests and terminals.
//
// Commands never take a secret as an argument. A passphrase comes from a
// prompt without echo when standard input is a terminal, else from the
// environment (CASEBOOK_PASSPHRASE, CASEBOOK_NEW_PASSPHRASE,
// CASEBOOK_RECOVERY_CODE) or from a file named with --passphrase-file and
// its siblings. Every command runs without a terminal when its inputs come
// from those.
package cli

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"casebook/app"
	"casebook/vault"
)

// Version is Casebook's version (app.Version).
const Version = app.Version

// Exit codes, as listed in the README.
const (
	ExitOK              = 0
	ExitError           = 1
	ExitUsage           = 2
	ExitWrongPassphrase = 3
	ExitInUse           = 4
	ExitIntegrity       = 5
)

// Env is what a command may touch of the world outside it. Tests supply
// their own.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads an environment variable.
	Getenv func(string) string
	// ReadSecret prompts on the terminal and reads a line without echo. It
	// is nil when standard input is not a terminal.
	ReadSecret func(prompt string) ([]byte, error)
	// Desktop opens the desktop app on a vault directory; it is what
	// `casebook` with no command does.
	Desktop func(vaultDir string) error
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Main runs the command line with the process's own environment and
// returns the exit code. desktop opens the desktop app.
func Main(args []string, desktop func(vaultDir string) error) int {
	env := Env{
		Stdin:   os.Stdin,
		Stdout:  os.Stdout,
		Stderr:  os.Stderr,
		Getenv:  os.Getenv,
		Desktop: desktop,
	}
	if fd := int(os.Stdin.Fd()); term.IsTerminal(fd) {
		env.ReadSecret = func(prompt string) ([]byte, error) {
			fmt.Fprint(os.Stderr, prompt)
			defer fmt.Fprintln(os.Stderr)
			return term.ReadPassword(fd)
		}
	}
	return Run(args, env)
}

// Run runs one command line and returns its exit code. Errors are written
// to env.Stderr as one sentence each.
func Run(args []string, env Env) int {
	c := &command{env: env}
	root := c.rootCommand()
	root.SetArgs(joinKeyLines(args))
	root.SetIn(env.Stdin)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	err := root.Execute()
	if err == nil {
		return ExitOK
	}
	msg, code := describe(err, c.vaultDir)
	fmt.Fprintln(env.Stderr, msg)
	if code == ExitUsage {
		fmt.Fprintln(env.Stderr, "Run 'casebook --help' for usage.")
	}
	return code
}

// command holds the state shared by the commands of one run.
type command struct {
	env            Env
	vaultFlag      string
	vaultDir       string
	verbose        bool
	passphraseFile string
}

func (c *command) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "casebook",
		Short: "A Code of Conduct committee's encrypted case book",
		Long: `Casebook keeps a Code of Conduct committee's incident reports, correspondence
and notes in an encrypted vault on this computer.

With no command, casebook opens the desktop app. The commands below do the
same work from a terminal or a script.

The vault is in the per-user data directory unless --vault or CASEBOOK_VAULT
names another. Passphrases are never given as arguments: casebook asks for
them without echo on a terminal, or reads CASEBOOK_PASSPHRASE,
CASEBOOK_NEW_PASSPHRASE and CASEBOOK_RECOVERY_CODE, or the files named by
--passphrase-file, --new-passphrase-file and --recovery-code-file.

Exit codes: 0 done, 1 error, 2 usage, 3 wrong passphrase, 4 vault in use,
5 integrity failure.`,
		Args:              noArgs,
		SilenceErrors:     true,
		SilenceUsage:      true,
		CompletionOptions: cobra.CompletionOptions{HiddenDefaultCmd: true},
		PersistentPreRunE: c.setup,
		RunE: func(cmd *cobra.Command, args []string) error {
			if c.env.Desktop == nil {
				return usageError{errors.New("no desktop available in this build")}
			}
			return c.env.Desktop(c.vaultDir)
		},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	pf := root.PersistentFlags()
	pf.StringVar(&c.vaultFlag, "vault", "", "vault `directory` (default: $CASEBOOK_VAULT, else the per-user data directory)")
	pf.StringVar(&c.passphraseFile, "passphrase-file", "", "read the passphrase from the first line of `FILE` ('-' for standard input)")
	pf.BoolVarP(&c.verbose, "verbose", "v", false, "log diagnostics to standard error (never case content)")
	root.AddCommand(
		c.initCommand(),
		c.checkCommand(),
		c.passwdCommand(),
		c.recoverCommand(),
		c.backupCommand(),
		c.restoreCommand(),
		c.auditCommand(),
		c.caseCommand(),
		c.memberCommand(),
		c.keyCommand(),
		c.bundleCommand(),
		c.expungeCommand(),
		c.dueCommand(),
		c.searchCommand(),
		c.demoCommand(),
		c.settingsCommand(),
		c.reportCommand(),
		c.importCommand(),
		c.draftCommand(),
		c.messageCommand(),
		c.attachmentCommand(),
		c.exportCommand(),
	)
	return root
}

// setup resolves the vault directory and the logger before any command.
func (c *command) setup(cmd *cobra.Command, _ []string) error {
	level := slog.LevelWarn
	if c.verbose {
		level = slog.LevelDebug
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(c.env.Stderr, &slog.HandlerOptions{Level: level})))
	switch {
	case c.vaultFlag != "":
		c.vaultDir = c.vaultFlag
	case c.env.Getenv("CASEBOOK_VAULT") != "":
		c.vaultDir = c.env.Getenv("CASEBOOK_VAULT")
	default:
		d, err := vault.DefaultDir()
		if err != nil {
			return fmt.Errorf("find the default vault directory: %w", err)
		}
		c.vaultDir = d
	}
	return nil
}

// usageError marks a mistake in how a command was called.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		if cmd.HasSubCommands() {
			return usageError{fmt.Errorf("unknown command %q", args[0])}
		}
		return usageError{fmt.Errorf("%s takes no arguments", cmd.CommandPath())}
	}
	return nil
}

func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageError{fmt.Errorf("%s needs %s", cmd.CommandPath(), what)}
		}
		return nil
	}
}

// joinKeyLines joins a member's key line given as several arguments (an
// unquoted paste: "casebook-key1", the age key, the signing key) back into
// one argument. The signing key is base64url, so one in 64 begins with a
// '-', which the parser would otherwise read as an option ("unknown
// shorthand flag"). The commands that take a key line split it into
// fields again.
func joinKeyLines(args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		if args[i] == keyLineKind && i+2 < len(args) && strings.HasPrefix(args[i+1], "age1") {
			out = append(out, strings.Join(args[i:i+3], " "))
			i += 2
			continue
		}
		out = append(out, args[i])
	}
	return out
}

// keyLineKind is the first field of a member's key line (see
// app.ParseMemberKey).
const keyLineKind = "casebook-key1"
