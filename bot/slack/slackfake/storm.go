package slackfake

import (
	"net/http"
	"time"
)

// Fault is what the fake does to a call instead of answering it: the ways
// Slack's Web API fails that a client has to survive.
type Fault int

const (
	// NoFault answers the call as usual.
	NoFault Fault = iota
	// RateLimited answers 429 with the storm's Retry-After.
	RateLimited
	// ServerError answers 500 with a plain-text body, as Slack's edge
	// does when the API behind it is down; nothing is posted.
	ServerError
	// Timeout never answers: the call is held until the caller gives up
	// (its context or client timeout), and nothing is posted. A test that
	// needs a call to time out relies on the caller's own deadline.
	Timeout
)

// String names the fault in test messages and call records.
func (f Fault) String() string {
	switch f {
	case NoFault:
		return "none"
	case RateLimited:
		return "ratelimited"
	case ServerError:
		return "server_error"
	case Timeout:
		return "timeout"
	}
	return "unknown"
}

// storm is the fault pattern of one method, taken call by call in turn.
type storm struct {
	pattern    []Fault
	retryAfter time.Duration
	i          int
}

func (st *storm) next() Fault {
	f := st.pattern[st.i%len(st.pattern)]
	st.i++
	return f
}

// Storm makes the calls of method (or "response_url") meet pattern's
// faults in turn, one a call, over and over until CalmStorm: pattern
// {NoFault, RateLimited, NoFault, ServerError} answers every other call
// with an error. retryAfter is what its 429s ask for. Unlike FailNext, a
// storm lasts as long as a burst of traffic does, so a test can see a
// client recover from faults spread through its work, not only at its
// start.
func (s *Server) Storm(method string, retryAfter time.Duration, pattern ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(pattern) == 0 {
		delete(s.storms, method)
		return
	}
	s.storms[method] = &storm{pattern: append([]Fault(nil), pattern...), retryAfter: retryAfter}
}

// CalmStorm ends method's storm: its calls are answered as usual again.
func (s *Server) CalmStorm(method string) { s.Storm(method, 0) }

// Faulted returns how many calls of method met each fault so far.
func (s *Server) Faulted(method string) map[Fault]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[Fault]int{}
	for _, c := range s.calls {
		if c.Method != method {
			continue
		}
		for _, f := range []Fault{RateLimited, ServerError, Timeout} {
			if c.Error == f.String() {
				out[f]++
			}
		}
	}
	return out
}

// faultLocked answers (or, for Timeout, withholds the answer to) a call
// that meets fault, and records it with the fault's name as its Error.
// It is called with s.mu held and returns with it held; a Timeout waits
// without it.
func (s *Server) faultLocked(w http.ResponseWriter, r *http.Request, fault Fault, retryAfter time.Duration, c *Call) bool {
	c.Error = fault.String()
	s.calls = append(s.calls, *c)
	switch fault {
	case RateLimited:
		rateLimited(w, retryAfter)
	case ServerError:
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
	case Timeout:
		s.mu.Unlock()
		select {
		case <-r.Context().Done():
		case <-s.closed:
		}
		s.mu.Lock()
	}
	return false
}
