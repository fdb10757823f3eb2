package slack

import (
	"net/http"

	"github.com/resetbot/resetbot/bot/platform"
)

// Slack's own entries in the catalogue of public refusals; the shared ones
// (unauthorized, too large, unreadable body, unavailable, internal) are in
// package platform. Slack (and anyone probing the endpoint) sees only the
// short text; the precise cause is wrapped around it and goes to the log.
var (
	errBadCommand     = platform.NewProblem(http.StatusBadRequest, "malformed slash command")
	errBadInteraction = platform.NewProblem(http.StatusBadRequest, "malformed interaction payload")
	errBadEvent       = platform.NewProblem(http.StatusBadRequest, "malformed event")
	errNotServed      = platform.NewProblem(http.StatusForbidden, "workspace or app not served")
)
