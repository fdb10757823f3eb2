package slack

import "log/slog"

// slogLevel picks how loudly a refused request is logged: a bad signature
// or our own failure deserves attention, a malformed payload is noise.
func slogLevel(status int) slog.Level {
	switch {
	case status >= 500, status == 401:
		return slog.LevelWarn
	default:
		return slog.LevelInfo
	}
}
