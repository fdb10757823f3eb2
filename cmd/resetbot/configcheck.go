package main

import (
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
// laptop); -resolve does, where the server runs.
func runConfigCheck(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("config check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	resolve := fs.Bool("resolve", false, "also resolve secrets and check referenced files exist")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"config check: want exactly one FILE"}
	}
	path := fs.Arg(0)
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
	fmt.Fprintf(stdout, "ok: %s\n%s\n", path, summary(c, *resolve))
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
