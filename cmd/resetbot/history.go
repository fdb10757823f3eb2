package main

import (
	"context"
	"log/slog"

	"github.com/resetbot/resetbot/directory"
)

// logHistoryEnforcement says once, at start-up, whether the directory will
// check the passwords resetbot writes against its history: on Active
// Directory that depends on the server (the policy-hints control) and is
// otherwise silently skipped, which an administrator must hear about.
func logHistoryEnforcement(ctx context.Context, dir directory.Directory, log *slog.Logger) {
	r, ok := dir.(directory.HistoryReporter)
	if !ok {
		return
	}
	h, err := r.HistoryEnforcement(ctx)
	switch {
	case err != nil:
		log.Warn("could not tell whether the directory enforces password history on resets", "err", err)
	case h.Enforced:
		log.Info("directory enforces password history on resets", "by", h.By)
	default:
		log.Warn("directory does NOT enforce password history on resets", "why", h.Why)
	}
}
