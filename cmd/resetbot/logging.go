package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/resetbot/resetbot/cmd/resetbot/internal/config"
)

// newLogger builds the process logger from the log section: JSON for log
// collectors, text for people. Secrets cannot reach it through the config
// (config.Secret redacts itself); the rest of the code must keep it so.
func newLogger(c config.Log, w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.Level)); err != nil {
		return nil, fmt.Errorf("log.level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch c.Format {
	case "json", "":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	default:
		return nil, fmt.Errorf("log.format: %q is not json or text", c.Format)
	}
}

// redisLog routes go-redis's own log lines (pool dial retries) into the
// process logger at debug level, so a start-up failure stays the one line
// that names its cause.
type redisLog struct{ log *slog.Logger }

// Printf implements go-redis's internal.Logging.
func (l redisLog) Printf(ctx context.Context, format string, v ...any) {
	l.log.DebugContext(ctx, "redis client", "line", fmt.Sprintf(format, v...))
}
