package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/i18n"
)

// maxReportDays bounds -days: a year of daily counters.
const maxReportDays = 366

// groupFlags collects a repeatable -group flag.
type groupFlags []string

func (g *groupFlags) String() string { return strings.Join(*g, "; ") }

// Set implements flag.Value.
func (g *groupFlags) Set(v string) error {
	if !strings.Contains(v, "=") {
		return fmt.Errorf("%q is not a distinguished name (attr=value,...)", v)
	}
	*g = append(*g, v)
	return nil
}

// runReport is `resetbot report`: the figures of "/reset report", with
// enrollment compliance, as text, CSV or JSON for a spreadsheet or a
// dashboard. The bot core computes them (bot.Figures) from the same Redis,
// credential store and directory serve uses; this command only renders.
func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "text", "text, csv or json")
	days := fs.Int("days", 7, "days the counters cover, 1..366")
	var groups groupFlags
	fs.Var(&groups, "group", "a group DN whose enrollment to show (repeatable; default report.groups)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"report: want [--format text|csv|json] [--days N] [--group DN]... CONFIG"}
	}
	switch *format {
	case "text", "csv", "json":
	default:
		return usageError{fmt.Sprintf("report: --format %q: want text, csv or json", *format)}
	}
	if *days < 1 || *days > maxReportDays {
		return usageError{fmt.Sprintf("report: --days %d is out of range 1..%d", *days, maxReportDays)}
	}
	cfg, err := loadConfig(fs.Arg(0))
	if err != nil {
		return err
	}
	keys, err := readTOTPKeys(cfg)
	if err != nil {
		return err
	}
	rdb, err := newRedis(cfg.Redis)
	if err != nil {
		return err
	}
	defer rdb.Close()
	if err := pingRedis(ctx, rdb); err != nil {
		return atKey("redis.addrs", err)
	}
	dir, err := openDirectory(ctx, cfg.Directory)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if c, ok := dir.(io.Closer); ok {
		defer c.Close()
	}
	creds, err := keys.store(cfg, rdb)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	store := newStore(rdb, cfg)
	core, err := newBot(cfg, flows.NewEngine(store, dir, engineConfig(cfg), flows.WithLogger(log)), dir, store, creds, log, nil)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	defer core.Close()
	figures, err := core.Figures(ctx, *days, groups)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	switch *format {
	case "csv":
		return figures.WriteCSV(stdout)
	case "json":
		return figures.WriteJSON(stdout)
	}
	return core.WriteText(stdout, i18n.For(cfg.Helpdesk.Language), figures)
}
