package discord

import (
	"net/http"

	"github.com/resetbot/resetbot/bot/platform"
)

// Discord's own entries in the catalogue of public refusals; the shared
// ones (too large, unreadable body, unavailable, internal) are in package
// platform. Discord (and anyone probing the endpoint) sees only the short
// text; the precise cause is wrapped around it and goes to the log.
var (
	// errUnauthorized is Discord's own: its endpoint check expects a 401
	// for a bad signature, and the text says which check failed.
	errUnauthorized   = platform.NewProblem(http.StatusUnauthorized, "invalid request signature")
	errBadInteraction = platform.NewProblem(http.StatusBadRequest, "malformed interaction")
	errUnsupported    = platform.NewProblem(http.StatusBadRequest, "unsupported interaction")
	errBadCustomID    = platform.NewProblem(http.StatusBadRequest, "unknown component")
)
