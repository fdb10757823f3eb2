package webauth

import (
	"bytes"
	"errors"
	"net/http"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/i18n"
)

// The caller verification's pages (flows.KindVerify, "/reset verify"): a
// helpdesk member on a call asks the person to confirm with their own
// passkey that it is them. The landing says so and offers two answers:
// the passkey (one tap to the prompt, as for a reset) or "I did not call
// the helpdesk". Then a page that says what was answered; every state the
// request can end in has its own words. Nothing here speaks of passwords:
// the verification changes nothing on the account.

// callerData is what the caller page shows, in one of three modes: the
// landing (Landing), the passkey prompt after the link was redeemed (Ask),
// or an outcome (Headline).
type callerData struct {
	Landing bool
	Ask     bool
	// Action and DeclineAction are the landing's two forms.
	Action, DeclineAction string
	Account               string
	Expires, ExpiresISO   string
	// Passkey is false when the account has no passkey (any more): only
	// the decline is offered.
	Passkey bool
	// Notice says why the prompt is shown again; Tries counts prompts.
	Notice string
	Tries  int
	// OK marks a confirmed verification's outcome.
	OK                bool
	Headline, Message string
}

// callerLanding is the landing page of a caller verification link: GET
// never redeems it, whichever answer the person gives next.
func (s *Server) callerLanding(w http.ResponseWriter, r *http.Request, f *flows.Flow, token, csrf string) {
	d := callerData{
		Landing: true, Action: "/r/" + token, DeclineAction: "/r/" + token + "/decline",
		Account: f.Subject.AccountName,
		Expires: clock(f.ExpiresAt, s.readerOf(r).zone), ExpiresISO: f.ExpiresAt.UTC().Format(time.RFC3339),
	}
	if sum, err := s.deps.Credentials.Summary(r.Context(), f.Subject.AccountID); err == nil {
		d.Passkey = sum.Passkeys > 0
	}
	s.render(w, r, http.StatusOK, "caller", page{Title: "web.caller.title", Kind: f.Kind, Steps: steps(f.Kind), Step: 1, CSRF: csrf, Data: d,
		Early: []string{"common.js", "landing.js"}})
}

// declineLink is POST /r/{token}/decline: "I did not call the helpdesk"
// from the landing. It redeems the link in this browser (exactly one
// browser wins, as with Continue) and declines in the same request, so a
// person who never called does not have to face a passkey prompt first.
func (s *Server) declineLink(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	token := r.PathValue("token")
	if !s.sameOrigin(r) || r.ParseForm() != nil || !s.checkLandingCSRF(r, token, r.PostForm.Get(csrfField)) {
		s.fail(w, r, nil, errCSRF)
		return
	}
	f, err := s.deps.Engine.Open(r.Context(), token, s.client(r))
	if err == nil && f.Kind != flows.KindVerify {
		s.fail(w, r, &flowCtx{flow: f}, errWrongKind) // only a verification can be declined
		return
	}
	f, binding, err := s.deps.Engine.Redeem(r.Context(), token, s.client(r))
	if err != nil {
		s.forFlow(r, f)
		s.failLink(w, r, f, err)
		return
	}
	s.forFlow(r, f)
	s.setBinding(w, f.ID, binding, f.ExpiresAt)
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Path: "/", MaxAge: -1, Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	fc := &flowCtx{flow: f, binding: binding}
	s.decline(w, withFlowRead(r, fc), fc)
}

// callerDecline is POST /f/{id}/caller/decline: the same answer from the
// page after the link was redeemed (a closed passkey prompt, no passkey).
func (s *Server) callerDecline(w http.ResponseWriter, r *http.Request, fc *flowCtx) {
	if fc.flow.Kind != flows.KindVerify {
		s.fail(w, r, fc, errWrongKind)
		return
	}
	s.decline(w, r, fc)
}

// decline ends the verification as declined (the helpdesk channel gets
// the warning from its audit event) and shows the outcome page.
func (s *Server) decline(w http.ResponseWriter, r *http.Request, fc *flowCtx) {
	nf, err := s.deps.Engine.DeclineVerify(r.Context(), fc.flow.ID, fc.binding)
	if err != nil && !errors.Is(err, flows.ErrAlreadyDecided) {
		s.fail(w, r, fc, err)
		return
	}
	if nf == nil {
		nf = fc.flow
	}
	http.Redirect(w, r, nextPage(nf), http.StatusSeeOther)
}

// callerPage is GET /f/{id}/caller: the passkey prompt while the link is
// redeemed and unanswered, else the outcome in the words of its state
// (an expired request included, which authorize reports as an error).
func (s *Server) callerPage(w http.ResponseWriter, r *http.Request) {
	fc, err := s.authorize(r)
	switch {
	case fc != nil && fc.flow.Kind != flows.KindVerify:
		s.fail(w, r, fc, errWrongKind)
		return
	case fc != nil && errors.Is(err, flows.ErrExpired):
		s.callerOutcome(w, r, fc, flows.StateExpired)
		return
	case err != nil:
		s.fail(w, r, fc, err)
		return
	}
	f := fc.flow
	if f.State != flows.StateRedeemed {
		s.callerOutcome(w, r, fc, f.State)
		return
	}
	d := callerData{Ask: true, Account: f.Subject.AccountName}
	sum, err := s.deps.Credentials.Summary(r.Context(), f.Subject.AccountID)
	if err != nil {
		s.fail(w, r, fc, err)
		return
	}
	d.Passkey = sum.Passkeys > 0
	d.Notice, d.Tries = passkeyNotice(s.tr(r), r)
	p := basePage(fc, "web.caller.title", 1)
	p.Early = []string{"common.js", "passkey-login.js"}
	p.Data = d
	s.render(w, r, http.StatusOK, "caller", p)
}

// callerOutcome shows how a verification ended, or that its confirmation
// is being recorded (verified, not yet confirmed).
func (s *Server) callerOutcome(w http.ResponseWriter, r *http.Request, fc *flowCtx, st flows.State) {
	headline, message, ok := callerWords(s.tr(r), st)
	p := basePage(fc, "web.caller.title", 2)
	p.Stopped = !ok
	p.Data = callerData{OK: ok, Headline: headline, Message: message}
	s.render(w, r, http.StatusOK, "caller", p)
}

// callerLinkState is the page of a verification link that cannot be used
// any more (answered, expired, replaced), opened without the browser that
// redeemed it: what happened, in the verification's words. The refusal is
// logged under an error id like every refused link.
func (s *Server) callerLinkState(w http.ResponseWriter, r *http.Request, f *flows.Flow, err error) {
	st := f.State
	if errors.Is(err, flows.ErrExpired) {
		st = flows.StateExpired
	}
	s.report(r, f.ID, linkStateErr(f, err))
	l, zone := s.tr(r), s.readerOf(r).zone
	headline, message, ok := callerWords(l, st)
	if ok {
		message = l.T("web.caller.used.completed", "Time", endedAt(f).In(zone).Format("15:04 MST, 2 Jan"))
	}
	s.render(w, r, Classify(err).Status, "caller", page{Title: "web.caller.title", Kind: f.Kind, Steps: steps(f.Kind), Step: 2, Stopped: !ok,
		Data: callerData{OK: ok, Headline: headline, Message: message}})
}

// callerWords are the headline and message of a verification in state
// st; ok is true only for a confirmed one.
func callerWords(l i18n.Lang, st flows.State) (headline, message string, ok bool) {
	switch st {
	case flows.StateCompleted:
		return l.T("web.caller.done.confirmed"), l.T("web.caller.done.confirmed_next"), true
	case flows.StateCancelled:
		return l.T("web.caller.done.declined"), l.T("web.caller.done.declined_next"), false
	case flows.StateExpired:
		return l.T("web.caller.done.expired"), l.T("web.caller.done.expired_next"), false
	case flows.StateSuperseded:
		return l.T("web.caller.done.replaced"), l.T("web.caller.done.replaced_next"), false
	case flows.StateVerified, flows.StateApplying:
		return l.T("web.caller.done.recording"), l.T("web.caller.done.recording_next"), false
	}
	return l.T("web.caller.done.failed"), l.T("web.caller.done.failed_next"), false
}

// endedAt is when a flow ended (its expiry when the record has no end).
func endedAt(f *flows.Flow) time.Time {
	if f.EndedAt.IsZero() {
		return f.ExpiresAt
	}
	return f.EndedAt
}

// confirmCaller completes a caller verification whose passkey check just
// succeeded, naming the passkey that was used: its name and the time are
// what the helpdesk member is told.
func (s *Server) confirmCaller(r *http.Request, fc *flowCtx, user waUser, cred *webauthn.Credential) (*flows.Flow, error) {
	name := ""
	for _, p := range user.passkeys {
		if bytes.Equal(p.Credential.ID, cred.ID) {
			name = p.Name
		}
	}
	return s.deps.Engine.ConfirmVerify(r.Context(), fc.flow.ID, fc.binding, name)
}
