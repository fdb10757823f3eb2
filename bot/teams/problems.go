package teams

import (
	"errors"
	"net/http"
)

// problem is a catalogued, public reason for refusing a request. Teams
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
	errUnauthorized = &problem{http.StatusUnauthorized, http.StatusText(http.StatusUnauthorized)}
	errForbidden    = &problem{http.StatusForbidden, "service URL not vouched for by the token"}
	errMethod       = &problem{http.StatusMethodNotAllowed, http.StatusText(http.StatusMethodNotAllowed)}
	errTooLarge     = &problem{http.StatusRequestEntityTooLarge, "request too large"}
	errBadBody      = &problem{http.StatusBadRequest, "unreadable request body"}
	errBadActivity  = &problem{http.StatusBadRequest, "malformed activity"}
	errNotHandled   = &problem{http.StatusNotImplemented, "invoke not handled"}
	errUnavailable  = &problem{http.StatusServiceUnavailable, "temporarily unavailable"}
	errInternal     = &problem{http.StatusInternalServerError, http.StatusText(http.StatusInternalServerError)}
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
