// Command resetbot is the self-service password reset bot. This package only
// loads configuration and wires components together; behaviour lives in the
// library packages, where it is tested without a process around it.
//
// Usage:
//
//	resetbot serve --config FILE     run the bot and its web app
//	resetbot demo                    run with an in-memory directory
//	resetbot config check [-resolve] FILE
//	                                 report every problem in a config file
//	resetbot audit verify FILE       check an audit log's hash chain
//	resetbot blocklist build|check   breached-password filter
//	resetbot discord register        register /reset with Discord
//	resetbot credentials export|import|rotate-key
//	                                 back up, migrate, re-key factors
//	resetbot report [--format text|csv|json] [--days N] [--group DN] CONFIG
//	                                 self-service figures and enrollment compliance
//	resetbot healthcheck [--url URL] probe the management listener
//	resetbot version                 print the version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/resetbot/resetbot/cmd/resetbot/internal/config"
)

const usage = `usage:
  resetbot serve --config FILE            run the bot and its web app
  resetbot demo                           run with an in-memory directory
  resetbot config check [-resolve] FILE   report every problem in a config file
  resetbot audit verify FILE              check an audit log's hash chain
  resetbot blocklist build --in FILE|- --out FILE
                                          build the breached-password filter
  resetbot blocklist check [--filter FILE] < password
                                          print "found" / "not found"
  resetbot discord register --app-id ID [--guild ID]
                                          register the /reset command with Discord
  resetbot identity export --platform slack [--format ldif|csv|powershell] FILE
                                          chat-id attribute values for the directory, by email
  resetbot credentials export CONFIG FILE | import CONFIG FILE | rotate-key CONFIG
                                          back up, migrate or re-key the enrolled factors
  resetbot report [--format text|csv|json] [--days N] [--group DN]... CONFIG
                                          self-service figures and enrollment compliance
  resetbot healthcheck [--url URL]        probe the management listener (container HEALTHCHECK)
  resetbot version                        print the version
`

// errFound means a command found problems and has already printed them; the
// process exits 1 without further output.
var errFound = errors.New("problems found")

// usageError is a mistake on the command line; the process prints it with
// the usage text and exits 2, like the flag package does.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func main() {
	// SIGINT and SIGTERM cancel the context so serve can drain and stop;
	// a second signal kills the process as usual once stop() ran.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches a command line and returns the exit code: 0 success, 1
// failure or problems found, 2 usage error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	err := dispatch(ctx, args, stdout, stderr)
	var ue usageError
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	case errors.Is(err, errFound):
		return 1
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "resetbot: %s\n%s", ue.msg, usage)
		return 2
	default:
		printError(stderr, err)
		return 1
	}
}

// printError prints a failure as one line per cause: each configuration
// problem on its own line (with its line number and key path), anything
// else as the one line that names the cause and the key to fix.
func printError(w io.Writer, err error) {
	var probs config.Problems
	if errors.As(err, &probs) {
		for _, p := range probs {
			fmt.Fprintf(w, "resetbot: %v\n", p)
		}
		return
	}
	fmt.Fprintf(w, "resetbot: %v\n", err)
}

// errHelp means -h printed the command's usage: a success, exit 0.
var errHelp = errors.New("help printed")

// parseFlags parses a sub-command's flags; -h prints the usage and ends the
// command successfully, a wrong flag is a usage error.
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return errHelp
	case err != nil:
		return usageError{err.Error()}
	}
	return nil
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"missing command"}
	}
	cmd, rest := args[0], args[1:]
	sub := func() (string, []string) {
		if len(rest) == 0 {
			return "", nil
		}
		return rest[0], rest[1:]
	}
	switch cmd {
	case "serve":
		return runServe(ctx, rest)
	case "demo":
		return runDemo(ctx, rest)
	case "config":
		switch s, r := sub(); s {
		case "check":
			return runConfigCheck(r, stdout, stderr)
		default:
			return usageError{fmt.Sprintf("config: unknown sub-command %q", s)}
		}
	case "audit":
		switch s, r := sub(); s {
		case "verify":
			return runAuditVerify(r, stdout, stderr)
		default:
			return usageError{fmt.Sprintf("audit: unknown sub-command %q", s)}
		}
	case "blocklist":
		return runBlocklist(ctx, rest, stdout)
	case "discord":
		switch s, r := sub(); s {
		case "register":
			return runDiscordRegister(ctx, r, stdout)
		default:
			return usageError{fmt.Sprintf("discord: unknown sub-command %q", s)}
		}
	case "identity":
		switch s, r := sub(); s {
		case "export":
			return runIdentityExport(ctx, r, stdout, stderr)
		default:
			return usageError{fmt.Sprintf("identity: unknown sub-command %q", s)}
		}
	case "credentials":
		return runCredentials(ctx, rest, stdout, stderr)
	case "report":
		return runReport(ctx, rest, stdout, stderr)
	case "healthcheck":
		return runHealthcheck(ctx, rest, stdout)
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, versionString())
		return nil
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		return usageError{fmt.Sprintf("unknown command %q", cmd)}
	}
}
