package platform

import (
	"errors"
	"net/http"
)

// Problem is a catalogued, public reason for refusing a request. The chat
// platform (and anyone probing the endpoint) sees only its short Text with
// its Status; the precise cause is wrapped around it with %w and goes to
// the log. Keeping refusals in a catalogue means no unplanned text, and no
// secret inside an error string, ever reaches a client.
type Problem struct {
	// Status is the HTTP status the refusal is answered with.
	Status int
	// Text is the public body. Keep it short and stable so operators can
	// grep for it.
	Text string
}

// NewProblem builds a catalogue entry. Platform packages use it for their
// own entries (a malformed slash command, an unknown component) so that
// ProblemOf and WriteProblem find them like the shared ones.
func NewProblem(status int, text string) *Problem {
	return &Problem{Status: status, Text: text}
}

// Error implements error with the public text.
func (p *Problem) Error() string { return p.Text }

// The entries every platform shares. Platform packages wrap them
// (fmt.Errorf("%w: ...", platform.ErrBadBody, err)) rather than define
// their own, so the same refusal reads the same on every platform.
var (
	// ErrUnauthorized refuses a request whose signature or token does not
	// verify.
	ErrUnauthorized = NewProblem(http.StatusUnauthorized, http.StatusText(http.StatusUnauthorized))
	// ErrTooLarge refuses a body over the platform's limit before it is
	// buffered.
	ErrTooLarge = NewProblem(http.StatusRequestEntityTooLarge, "request too large")
	// ErrBadBody refuses a body that could not be read.
	ErrBadBody = NewProblem(http.StatusBadRequest, "unreadable request body")
	// ErrUnavailable asks the platform to retry later: a dependency (the
	// redelivery memory, signing keys) cannot be reached.
	ErrUnavailable = NewProblem(http.StatusServiceUnavailable, "temporarily unavailable")
	// ErrInternal is our own failure, and what every uncatalogued error
	// becomes.
	ErrInternal = NewProblem(http.StatusInternalServerError, http.StatusText(http.StatusInternalServerError))
)

// ProblemOf finds the catalogued problem in err; anything uncatalogued is
// ErrInternal, so no unplanned text ever reaches a client.
func ProblemOf(err error) *Problem {
	var p *Problem
	if errors.As(err, &p) {
		return p
	}
	return ErrInternal
}

// WriteProblem answers a refused request with the public status and text
// of err's problem (see ProblemOf) and nothing of its cause. Log the cause
// before calling it.
func WriteProblem(w http.ResponseWriter, err error) {
	p := ProblemOf(err)
	http.Error(w, p.Text, p.Status)
}
