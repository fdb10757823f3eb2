package teams

import (
	"net/http"

	"github.com/resetbot/resetbot/bot/platform"
)

// Teams' own entries in the catalogue of public refusals; the shared ones
// (unauthorized, too large, unreadable body, unavailable, internal) are in
// package platform. Teams (and anyone probing the endpoint) sees only the
// short text; the precise cause is wrapped around it and goes to the log.
var (
	errForbidden        = platform.NewProblem(http.StatusForbidden, "service URL not vouched for by the token")
	errChannelNotServed = platform.NewProblem(http.StatusForbidden, "channel not served")
	errNotEndorsed      = platform.NewProblem(http.StatusForbidden, "channel not vouched for by the signing key")
	errTenantNotServed  = platform.NewProblem(http.StatusForbidden, "tenant not served")
	errMethod           = platform.NewProblem(http.StatusMethodNotAllowed, http.StatusText(http.StatusMethodNotAllowed))
	errBadActivity      = platform.NewProblem(http.StatusBadRequest, "malformed activity")
	errNotHandled       = platform.NewProblem(http.StatusNotImplemented, "invoke not handled")
)
