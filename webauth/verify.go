package webauth

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/resetbot/resetbot/credentials"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/i18n"
	"github.com/resetbot/resetbot/webauth/totp"
)

// errNoFactor: the user has nothing enrolled that this flow accepts.
var errNoFactor = errors.New("webauth: no usable factor enrolled")

// errNeedsHelpdesk: the account has factors, but none this flow accepts
// as proof for changing them (an authenticator app where codes are off):
// only a helpdesk-issued enrollment link can help.
var errNeedsHelpdesk = errors.New("webauth: existing factors, none usable as proof")

// verifyData is what the verification page offers.
type verifyData struct {
	Passkey bool
	TOTP    bool
	Account string
	// Enroll is true when an enroll flow asks for an existing factor
	// before factors change.
	Enroll bool
	// Notice says why the page is shown again after a passkey prompt
	// (closed, or the passkey refused); Tries counts those prompts.
	Notice string
	Tries  int
	// Devices, after two missed prompts, are the user's passkeys: the
	// likely fix is opening the link on the device that holds one.
	Devices []passkeyView
}

// wrongDeviceAfter is how many missed passkey prompts show the list of the
// user's passkeys ("open the link on that device").
const wrongDeviceAfter = 2

// maxTries bounds the try counter taken from the URL.
const maxTries = 99

// passkeyNotice reads the verify page's ?passkey=…&try=… (set by the
// scripts after a prompt): the words to show and the number of tries.
func passkeyNotice(l i18n.Lang, r *http.Request) (string, int) {
	q := r.URL.Query()
	tries, _ := strconv.Atoi(q.Get("try"))
	tries = min(max(tries, 0), maxTries)
	switch q.Get("passkey") {
	case "cancelled":
		return l.T("web.verify.cancelled"), max(tries, 1)
	case "refused":
		return l.T("web.verify.refused"), max(tries, 1)
	}
	return "", 0
}

// verifyPage is GET /f/{id}/verify: the passkey button and, where allowed,
// the authenticator-app form; or, for a privileged account that verified,
// the page that waits for the helpdesk's approval.
func (s *Server) verifyPage(w http.ResponseWriter, r *http.Request, fc *flowCtx) {
	switch fc.flow.State {
	case flows.StateAwaitingApproval:
		p := basePage(fc, "web.waiting.title", 1)
		p.Scripts = []string{"status.js"}
		s.render(w, r, http.StatusOK, "waiting", p)
		return
	case flows.StateRedeemed:
		if fc.flow.Kind == flows.KindEnroll || fc.flow.Kind == flows.KindVerify {
			http.Redirect(w, r, nextPage(fc.flow), http.StatusSeeOther)
			return
		}
	default:
		http.Redirect(w, r, nextPage(fc.flow), http.StatusSeeOther)
		return
	}
	s.renderVerify(w, r, fc, http.StatusOK, nil)
}

// renderVerify shows the verification page, with a problem after a failed
// attempt.
func (s *Server) renderVerify(w http.ResponseWriter, r *http.Request, fc *flowCtx, status int, prob *shownProblem) {
	d, err := s.factors(r, fc.flow)
	if err != nil {
		s.fail(w, r, fc, err)
		return
	}
	p := basePage(fc, "web.verify.title", 1)
	p.Early = []string{"common.js", "passkey-login.js"}
	p.Problem = prob
	if d.Passkey {
		d.Notice, d.Tries = passkeyNotice(s.tr(r), r)
		if d.Tries >= wrongDeviceAfter || fc.flow.Attempts.Verify >= wrongDeviceAfter {
			if d.Devices, err = s.devices(r, fc.flow); err != nil {
				s.fail(w, r, fc, err)
				return
			}
		}
	}
	switch {
	case d.Passkey || d.TOTP || prob != nil:
	case d.Enroll:
		sp := s.report(r, fc.flow.ID, errNeedsHelpdesk)
		p.Problem = &sp
	default:
		sp := s.report(r, fc.flow.ID, errNoFactor)
		sp.Title, sp.Message = s.tr(r).T("web.verify.no_factor_title"), s.tr(r).T("web.verify.no_factor")
		p.Problem = &sp
	}
	p.Data = d
	s.render(w, r, status, "verify", p)
}

// devices lists the subject's passkeys by name and date added.
func (s *Server) devices(r *http.Request, f *flows.Flow) ([]passkeyView, error) {
	pks, err := s.deps.Credentials.Passkeys(r.Context(), f.Subject.AccountID)
	if err != nil && !errors.Is(err, credentials.ErrNotFound) {
		return nil, err
	}
	out := make([]passkeyView, 0, len(pks))
	for _, pk := range pks {
		out = append(out, passkeyView{Name: pk.Name, Created: s.day(r, pk.CreatedAt)})
	}
	return out, nil
}

// factors reads which factors the user has and this flow accepts.
func (s *Server) factors(r *http.Request, f *flows.Flow) (verifyData, error) {
	sum, err := s.deps.Credentials.Summary(r.Context(), f.Subject.AccountID)
	if err != nil {
		return verifyData{}, err
	}
	return verifyData{
		Passkey: sum.Passkeys > 0,
		TOTP:    sum.TOTP && s.totpAllowed(f),
		Account: f.Subject.AccountName,
		Enroll:  f.Kind == flows.KindEnroll,
	}, nil
}

// totpAllowed: the fallback is configurable, and never for privileged
// accounts, approvers or a caller verification (the engine refuses it too).
func (s *Server) totpAllowed(f *flows.Flow) bool {
	return s.cfg.AllowTOTP && !f.Subject.Privileged && f.Kind != flows.KindApprove && f.Kind != flows.KindVerify
}

// statusData is the answer of the status poll.
type statusData struct {
	State string `json:"state"`
	Next  string `json:"next"`
}

// status is GET /f/{id}/status, polled by the waiting page: where the flow
// stands now. It also renews the binding cookie, whose lifetime follows
// the flow's (approval extends it).
func (s *Server) status(w http.ResponseWriter, r *http.Request, fc *flowCtx) {
	s.setBinding(w, fc.flow.ID, fc.binding, fc.flow.ExpiresAt)
	writeJSON(w, http.StatusOK, statusData{State: string(fc.flow.State), Next: nextPage(fc.flow)})
}

// totpVerify is POST /f/{id}/totp: an authenticator-app code. The code must
// verify and its time step must be newer than every step used before, so
// each code works once.
func (s *Server) totpVerify(w http.ResponseWriter, r *http.Request, fc *flowCtx) {
	f := fc.flow
	if f.State != flows.StateRedeemed {
		http.Redirect(w, r, nextPage(f), http.StatusSeeOther)
		return
	}
	if !s.totpAllowed(f) {
		s.fail(w, r, fc, flows.ErrFactorNotAllowed)
		return
	}
	ctx := r.Context()
	secret, err := s.deps.Credentials.TOTPSecret(ctx, f.Subject.AccountID)
	if err != nil {
		s.fail(w, r, fc, err)
		return
	}
	client := s.client(r)
	verdict, reason := error(nil), ""
	step, ok := totp.Verify(secret, r.PostForm.Get("code"), s.now())
	switch {
	case !ok:
		verdict, reason = flows.ErrVerificationFailed, "wrong authenticator code"
	default:
		if err := s.deps.Credentials.UseTOTPStep(ctx, f.Subject.AccountID, step); errors.Is(err, credentials.ErrReplay) {
			verdict, reason = credentials.ErrReplay, "authenticator code already used"
		} else if err != nil {
			s.fail(w, r, fc, err)
			return
		}
	}
	nf, err := s.deps.Engine.RecordVerification(ctx, f.ID, fc.binding, flows.Verification{
		Method: flows.MethodTOTP, OK: verdict == nil, Reason: reason, Client: client,
		Evidence: s.riskEvidence(w, r, nil, nil),
	})
	if errors.Is(err, flows.ErrRiskDenied) && nf != nil {
		http.Redirect(w, r, nextPage(nf), http.StatusSeeOther) // the done page names the helpdesk
		return
	}
	if errors.Is(err, flows.ErrVerificationFailed) {
		fc.flow = nf
		sp := s.report(r, f.ID, verdict)
		s.renderVerify(w, r, fc, Classify(verdict).Status, &sp)
		return
	}
	if err != nil {
		s.fail(w, r, fc, err)
		return
	}
	http.Redirect(w, r, nextPage(nf), http.StatusSeeOther)
}
