package webauth

import (
	"crypto/hmac"
	"errors"
	"net/http"
	"strings"

	"github.com/resetbot/resetbot/flows"
)

// maxBody bounds every request body: forms and WebAuthn responses are small.
const maxBody = 64 << 10

// flowCtx is an authorized flow request: the flow as read by the engine,
// the browser's binding secret and the flow's CSRF token.
type flowCtx struct {
	flow    *flows.Flow
	binding string
	csrf    string
}

// flowHandler handles a request for a flow that this browser holds.
type flowHandler func(w http.ResponseWriter, r *http.Request, fc *flowCtx)

// authorize checks the path's flow id against the binding cookie through
// the engine. Without the cookie of this very flow nothing is shown.
func (s *Server) authorize(r *http.Request) (*flowCtx, error) {
	id := r.PathValue("id")
	if _, err := flows.ShardOfFlow(id); err != nil {
		return nil, flows.ErrNotFound
	}
	binding := readBinding(r, id)
	f, err := s.deps.Engine.Authorize(r.Context(), id, binding)
	if err != nil {
		if errors.Is(err, flows.ErrBinding) {
			return nil, err // never reveal anything about a flow to another browser
		}
		if f != nil {
			s.forFlow(r, f)
			return &flowCtx{flow: f, binding: binding}, err
		}
		return nil, err
	}
	s.forFlow(r, f)
	return &flowCtx{flow: f, binding: binding, csrf: s.flowCSRF(f.ID, binding)}, nil
}

// flowPage wraps a GET page of a flow.
func (s *Server) flowPage(h flowHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		fc, err := s.authorize(r)
		if err != nil {
			if isJSONRequest(r) {
				s.failJSON(w, r, fc, err)
				return
			}
			s.fail(w, r, fc, err)
			return
		}
		h(w, withFlowRead(r, fc), fc)
	}
}

// flowPost wraps a POST of a flow: same-origin, authorized, and carrying
// the flow's CSRF token (form field or header).
func (s *Server) flowPost(h flowHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		jsonReq := isJSONRequest(r)
		failure := s.fail
		if jsonReq {
			failure = s.failJSON
		}
		if !s.sameOrigin(r) {
			failure(w, r, nil, errCSRF)
			return
		}
		fc, err := s.authorize(r)
		if err != nil {
			failure(w, r, fc, err)
			return
		}
		// A JSON body carries the token in its header; a form (posted by
		// the browser, or by a script asking for a JSON answer) in its field.
		token := r.Header.Get(csrfHeader)
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			if err := r.ParseForm(); err != nil {
				failure(w, r, fc, errBadRequest)
				return
			}
			token = r.PostForm.Get(csrfField)
		}
		if !hmac.Equal([]byte(token), []byte(fc.csrf)) {
			failure(w, r, fc, errCSRF)
			return
		}
		h(w, withFlowRead(r, fc), fc)
	}
}

// withFlowRead hands the flow authorize read on to the engine's step in
// the same request (flows.WithRead): a request reads its flow once, and
// the step's compare-and-swap carries the version read.
func withFlowRead(r *http.Request, fc *flowCtx) *http.Request {
	return r.WithContext(flows.WithRead(r.Context(), fc.flow))
}

// isJSONRequest reports whether a script (not a form) made the request.
func isJSONRequest(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") ||
		strings.Contains(r.Header.Get("Accept"), "application/json")
}

// nextPage is where a flow in its current state continues.
func nextPage(f *flows.Flow) string {
	base := "/f/" + f.ID
	switch {
	case f.Kind == flows.KindVerify:
		return base + "/caller" // every state of a caller verification (caller.go)
	case f.State == flows.StateRedeemed && f.Kind == flows.KindEnroll:
		return base + "/enroll"
	case f.State == flows.StateRedeemed, f.State == flows.StateAwaitingApproval:
		return base + "/verify"
	case f.State == flows.StateVerified && f.Kind == flows.KindEnroll:
		return base + "/enroll"
	case f.State == flows.StateVerified && f.Kind == flows.KindApprove:
		return base + "/approve"
	case f.State == flows.StateVerified:
		return base + "/password"
	}
	return base + "/done"
}

// steps are the step-indicator labels of a flow kind (message ids).
func steps(k flows.Kind) []string {
	switch k {
	case flows.KindUnlock:
		return []string{"web.step.verify", "web.step.unlock", "web.step.done"}
	case flows.KindEnroll:
		return []string{"web.step.verify", "web.step.add_signin", "web.step.done"}
	case flows.KindApprove:
		return []string{"web.step.verify", "web.step.approve", "web.step.done"}
	case flows.KindVerify:
		return []string{"web.step.verify", "web.step.done"}
	}
	return []string{"web.step.verify", "web.step.new_password", "web.step.done"}
}

// basePage fills the common page fields for a flow; title is a message
// id, translated by render.
func basePage(fc *flowCtx, title string, step int) page {
	return page{Title: title, Steps: steps(fc.flow.Kind), Step: step, CSRF: fc.csrf, FlowID: fc.flow.ID, Change: isChange(fc.flow), Kind: fc.flow.Kind}
}
