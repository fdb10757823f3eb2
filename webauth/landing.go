package webauth

import (
	"errors"
	"html/template"
	"net/http"
	"time"

	"github.com/go-webauthn/webauthn/protocol"

	"github.com/resetbot/resetbot/flows"
)

// landingData is what the landing page shows.
type landingData struct {
	Action  string
	Account string
	Display string
	Verb    string
	QR      template.URL
	Helpdsk bool
	// Passkey makes the button "Continue with passkey": its script redeems
	// the link and starts the passkey prompt in the same tap.
	Passkey bool
	// Expires is when the link stops working, in the user's time zone
	// (ExpiresISO the same instant for the time element).
	Expires, ExpiresISO string
	// Enroll makes the QR code's screen-sharing warning say what a
	// stolen enrollment link gives away.
	Enroll bool
}

// landing is GET /r/{token}: it says what the link is for and offers one
// Continue button. It never redeems: chat unfurlers and mail scanners fetch
// links before people do, and a GET must leave the link usable.
func (s *Server) landing(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	f, err := s.deps.Engine.Open(r.Context(), token, s.client(r))
	if errors.Is(err, flows.ErrTokenUsed) && s.resume(w, r, token) {
		return
	}
	s.forFlow(r, f)
	if err != nil {
		s.failLink(w, r, f, err)
		return
	}
	csrf, err := s.landingCSRF(w, token)
	if err != nil {
		s.fail(w, r, nil, err)
		return
	}
	if f.Kind == flows.KindVerify {
		s.callerLanding(w, r, f, token, csrf)
		return
	}
	d := landingData{
		Action:  "/r/" + token,
		Account: f.Subject.AccountName,
		Display: f.Subject.DisplayName,
		Verb:    verb(f.Kind),
		Helpdsk: helpdeskPushed(f),
		Enroll:  f.Kind == flows.KindEnroll,
		Expires: clock(f.ExpiresAt, s.readerOf(r).zone), ExpiresISO: f.ExpiresAt.UTC().Format(time.RFC3339),
	}
	if f.Kind != flows.KindEnroll {
		// Read before the tap, so the label is honest; the redeem answer
		// decides again.
		if sum, err := s.deps.Credentials.Summary(r.Context(), f.Subject.AccountID); err == nil {
			d.Passkey = sum.Passkeys > 0
		}
	}
	if f.Kind == flows.KindApprove {
		// The approver reads whose reset they are approving.
		d.Account, d.Display = f.Approve.TargetAccount, ""
		if f.Approve.TargetKind == flows.KindRevoke {
			d.Verb = "web.revoke.landing_verb" // a sign-in method's removal, not a reset
		}
	}
	if !isMobile(r.UserAgent()) {
		// Shown only after a click, below a warning not to show it while
		// sharing the screen: the code is the link itself. The page names
		// the image; the browser fetches it when it is shown (lazy, inside
		// the closed details), so a landing costs no QR code.
		d.QR = template.URL(s.landingQRPath(token)) // a path this package built, not input
	}
	s.render(w, r, http.StatusOK, "landing", page{Title: s.tr(r).T(d.Verb) + " " + d.Account, Steps: steps(f.Kind), Step: 1, CSRF: csrf, Data: d,
		Early: []string{"common.js", "landing.js"}, Change: isChange(f), Kind: f.Kind})
}

// resume sends a browser that already redeemed this link (a reload, the
// back button) to where its flow stands, instead of "link already used".
func (s *Server) resume(w http.ResponseWriter, r *http.Request, token string) bool {
	id, _, err := flows.ParseToken(token)
	if err != nil {
		return false
	}
	binding := readBinding(r, id)
	if binding == "" {
		return false
	}
	f, err := s.deps.Engine.Authorize(r.Context(), id, binding)
	if err != nil {
		return false
	}
	http.Redirect(w, r, nextPage(f), http.StatusSeeOther)
	return true
}

// redeemData is the answer to the landing script's redeem: where the flow
// continues and, when the flow verifies with a passkey the user has, the
// assertion options, so that the passkey prompt opens in the same tap.
type redeemData struct {
	Next string `json:"next"`
	// CSRF is the flow's token for the finish call (the page that holds it
	// is not loaded yet).
	CSRF string `json:"csrf"`
	// Finish is where the signed assertion goes.
	Finish    string                        `json:"finish,omitempty"`
	Assertion *protocol.CredentialAssertion `json:"assertion,omitempty"`
}

// redeem is POST /r/{token}: the Continue button. It checks the CSRF token,
// redeems the link (exactly one browser wins), binds the flow to this
// browser with the __Host- cookie and continues with verification. The
// landing script posts the same form asking for JSON and gets the passkey
// options with the answer (one tap to the passkey prompt); without the
// script the form posts as it is and the answer is the verify page.
func (s *Server) redeem(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	token := r.PathValue("token")
	failure := s.fail
	if isJSONRequest(r) {
		failure = s.failJSON
	}
	if !s.sameOrigin(r) || r.ParseForm() != nil || !s.checkLandingCSRF(r, token, r.PostForm.Get(csrfField)) {
		failure(w, r, nil, errCSRF)
		return
	}
	client := s.client(r)
	f, binding, err := s.deps.Engine.Redeem(r.Context(), token, client)
	if err != nil {
		if isJSONRequest(r) {
			failure(w, r, nil, err) // the script reloads: the landing then shows the link's state
			return
		}
		s.failLink(w, r, f, err)
		return
	}
	s.setBinding(w, f.ID, binding, f.ExpiresAt)
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Path: "/", MaxAge: -1, Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	if f.Kind == flows.KindEnroll && helpdeskPushed(f) {
		// The helpdesk pushed this link to the person after checking who
		// they are; redeeming it, once, in this browser, is the proof.
		nf, err := s.deps.Engine.RecordVerification(flows.WithRead(r.Context(), f), f.ID, binding,
			flows.Verification{Method: flows.MethodHelpdeskLink, OK: true, Client: client})
		if err != nil {
			failure(w, r, &flowCtx{flow: f}, err)
			return
		}
		f = nf
	}
	if isJSONRequest(r) {
		s.redeemJSON(w, r, &flowCtx{flow: f, binding: binding, csrf: s.flowCSRF(f.ID, binding)})
		return
	}
	http.Redirect(w, r, nextPage(f), http.StatusSeeOther)
}

// redeemJSON answers the landing script after a redeem. A flow that
// verifies with a passkey the user holds gets the assertion options right
// away; any other flow (enrollment, authenticator app only) just its next
// page. A failure to start the ceremony is not fatal: the verify page
// offers the passkey button again.
func (s *Server) redeemJSON(w http.ResponseWriter, r *http.Request, fc *flowCtx) {
	d := redeemData{Next: nextPage(fc.flow), CSRF: fc.csrf}
	if fc.flow.State == flows.StateRedeemed && fc.flow.Kind != flows.KindEnroll {
		a, err := s.beginLogin(r, fc.flow)
		switch {
		case err == nil:
			d.Assertion, d.Finish = a, "/f/"+fc.flow.ID+"/passkey/finish"
		case !errors.Is(err, errNoFactor):
			s.log.Warn("webauth: passkey options with the redeem", "flow", fc.flow.ID, "cause", err)
		}
	}
	writeJSON(w, http.StatusOK, d)
}

// clock is a time of day as pages show it, with the zone's abbreviation
// ("10:41 CET"): links live minutes, so the day goes without saying.
func clock(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("15:04 MST")
}

// helpdeskPushed reports whether a helpdesk member issued the flow for the
// subject (rather than the subject asking themselves).
func helpdeskPushed(f *flows.Flow) bool {
	return f.RequestedBy != f.Subject.Chat
}

// verb is the message id of the landing page's heading for a flow kind.
func verb(k flows.Kind) string {
	switch k {
	case flows.KindUnlock:
		return "web.landing.verb.unlock"
	case flows.KindEnroll:
		return "web.landing.verb.enroll"
	case flows.KindApprove:
		return "web.landing.verb.approve"
	case flows.KindChange:
		return "web.change.landing_verb"
	}
	return "web.landing.verb.reset"
}
