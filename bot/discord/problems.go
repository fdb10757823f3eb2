package discord

import (
	"errors"
	"net/http"
)

// problem is a catalogued, public reason for refusing a request. Discord
// (and anyone probing the endpoint) sees only its short text; the precise
// cause is wrapped around it and goes to the log.
type problem struct {
	status int
	text   string
}

// Error implements error with the public text.
func (p *problem) Error() string { return p.text }

// The catalogue. Texts are short and stable so operators can grep for them.
var (
	errUnauthorized   = &problem{http.StatusUnauthorized, "invalid request signature"}
	errTooLarge       = &problem{http.StatusRequestEntityTooLarge, "request too large"}
	errBadBody        = &problem{http.StatusBadRequest, "unreadable request body"}
	errBadInteraction = &problem{http.StatusBadRequest, "malformed interaction"}
	errUnsupported    = &problem{http.StatusBadRequest, "unsupported interaction"}
	errBadCustomID    = &problem{http.StatusBadRequest, "unknown component"}
	errUnavailable    = &problem{http.StatusServiceUnavailable, "temporarily unavailable"}
	errInternal       = &problem{http.StatusInternalServerError, http.StatusText(http.StatusInternalServerError)}
)

// problemOf finds the catalogued problem in err; anything uncatalogued is
// an internal error, so no unplanned text ever reaches a client.
func problemOf(err error) *problem {
	var p *problem
	if errors.As(err, &p) {
		return p
	}
	return errInternal
}
