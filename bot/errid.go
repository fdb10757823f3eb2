package bot

import (
	"context"
	"crypto/rand"
	"log/slog"
)

// newErrorID returns a short id a user can read out to the helpdesk, which
// finds the precise cause in the log under the same id.
func newErrorID() string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789" // no 0/O, 1/I
	var b [6]byte
	_, _ = rand.Read(b[:])
	out := make([]byte, 0, 8)
	out = append(out, 'E', '-')
	for _, c := range b {
		out = append(out, alphabet[int(c)%len(alphabet)])
	}
	return string(out)
}

// fail logs the precise cause of a failure under a new error id and
// returns the id.
func (b *Bot) fail(msg string, err error, attrs ...any) string {
	return b.logID(slog.LevelError, msg, err, attrs...)
}

// refused logs an expected refusal (an ineligible account) under a new
// reference id, at info level: it is policy working, not a fault.
func (b *Bot) refused(msg string, err error, attrs ...any) string {
	return b.logID(slog.LevelInfo, msg, err, attrs...)
}

func (b *Bot) logID(level slog.Level, msg string, err error, attrs ...any) string {
	id := newErrorID()
	b.deps.Log.Log(context.Background(), level, msg, append([]any{"error_id", id, "err", err}, attrs...)...)
	return id
}
