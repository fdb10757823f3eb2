package platform

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
)

// ReadBody reads a request body of at most max bytes, before anything is
// parsed: a larger body is ErrTooLarge, an unreadable one ErrBadBody.
func ReadBody(w http.ResponseWriter, r *http.Request, max int64) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, fmt.Errorf("%w: over %d bytes", ErrTooLarge, max)
		}
		return nil, fmt.Errorf("%w: %w", ErrBadBody, err)
	}
	return body, nil
}

// Refuse logs why a request was refused, at warning level, or error level
// for our own failures (5xx), and answers with the problem's public status
// and text. It is the one place where a platform's errors become status
// codes and log lines.
func Refuse(w http.ResponseWriter, r *http.Request, log *slog.Logger, msg string, err error) {
	p := ProblemOf(err)
	level := slog.LevelWarn
	if p.Status >= 500 {
		level = slog.LevelError
	}
	log.Log(r.Context(), level, msg, "path", r.URL.Path, "status", p.Status, "cause", err)
	WriteProblem(w, err)
}
