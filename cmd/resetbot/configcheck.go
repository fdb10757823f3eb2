package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/resetbot/resetbot/cmd/resetbot/internal/config"
)

// runConfigCheck loads and validates a config file and prints every problem,
// one per line, so one run is enough to fix a whole file. By default it does
// not read secrets or referenced files (they rarely exist in CI or on a
// laptop); -resolve does, where the server runs, and -connect also logs in
// to Redis and the directory as serve would.
func runConfigCheck(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("config check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	resolve := fs.Bool("resolve", false, "also resolve secrets and check referenced files (exist, certificates parse, the audit log is writable)")
	connect := fs.Bool("connect", false, "also connect to Redis and the directory with the configured credentials (implies -resolve)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"config check: want exactly one FILE"}
	}
	path := fs.Arg(0)
	*resolve = *resolve || *connect
	c, err := config.Load(path, config.Options{Offline: !*resolve})
	var probs config.Problems
	switch {
	case errors.As(err, &probs):
		for _, p := range probs {
			fmt.Fprintln(stdout, p)
		}
		return errFound
	case err != nil:
		return err
	}
	var found []error
	if *resolve {
		found = hostProblems(c)
	}
	if *connect {
		probs, warnings := connectProblems(context.Background(), c)
		found = append(found, probs...)
		for _, w := range warnings {
			fmt.Fprintln(stdout, "warning: "+w)
		}
	}
	if len(found) > 0 {
		for _, p := range found {
			fmt.Fprintln(stdout, p)
		}
		return errFound
	}
	fmt.Fprintf(stdout, "ok: %s\n%s\n", path, summary(c, *resolve))
	if *connect {
		fmt.Fprintln(stdout, "connected: redis and directory accept the configured credentials")
	}
	return nil
}

// summary is one line an operator can eyeball to confirm the file says what
// they meant: which directory, which Redis, which platforms, which origin.
func summary(c *config.Config, resolved bool) string {
	platforms := make([]string, 0, len(c.Identity))
	for p := range c.Identity {
		platforms = append(platforms, p)
	}
	sort.Strings(platforms)
	audit := c.Audit.LogFile
	if audit == "" {
		audit = "off"
	}
	secrets := "secrets not resolved (use -resolve where the server runs)"
	if resolved {
		secrets = "secrets resolved"
	}
	return fmt.Sprintf("directory %s (%d urls), redis %s (%d addrs), platforms %s, links %s valid %s, audit log %s, %s",
		c.Directory.Flavour, len(c.Directory.URLs), c.Redis.Mode, len(c.Redis.Addrs),
		strings.Join(platforms, ","), c.Server.PublicBaseURL, c.Flows.LinkTTL, audit, secrets)
}
