package webauth

import (
	"html/template"
	"net/http"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/webauth/totp"
)

// totpSetupData is what the setup page shows.
type totpSetupData struct {
	QR     template.URL
	Secret string
	// OTPAuth is the otpauth:// URI: on a phone, "Add to authenticator
	// app" opens the app with it (the QR code cannot be scanned from the
	// screen that shows it).
	OTPAuth template.URL
	// Phone puts that button first; on a computer the QR code is.
	Phone bool
}

// totpSetupPage is GET /f/{id}/enroll/totp: a fresh secret as a QR code
// (and as text for manual entry), and the field for one code.
func (s *Server) totpSetupPage(w http.ResponseWriter, r *http.Request, fc *flowCtx) {
	f := fc.flow
	if err := enrollReady(f); err != nil {
		s.fail(w, r, fc, err)
		return
	}
	if !s.totpAllowed(f) {
		s.fail(w, r, fc, flows.ErrFactorNotAllowed)
		return
	}
	if err := s.mayChange(r, f); err != nil {
		s.fail(w, r, fc, err)
		return
	}
	var p pendingTOTP
	var err error
	p.Secret, p.URL, err = totp.Generate(s.cfg.TOTPIssuer, f.Subject.AccountName)
	if err != nil {
		s.fail(w, r, fc, err)
		return
	}
	if err := s.putPendingTOTP(r.Context(), f, p); err != nil {
		s.fail(w, r, fc, err)
		return
	}
	s.renderTOTPSetup(w, r, fc, http.StatusOK, p, nil)
}

func (s *Server) renderTOTPSetup(w http.ResponseWriter, r *http.Request, fc *flowCtx, status int, p pendingTOTP, prob *shownProblem) {
	png, err := totp.QRPNG(p.URL, 256)
	if err != nil {
		s.fail(w, r, fc, err)
		return
	}
	pg := basePage(fc, "web.totp.title", 2)
	pg.Problem = prob
	pg.Data = totpSetupData{QR: template.URL(pngDataURI(png)), Secret: p.Secret,
		OTPAuth: template.URL(p.URL), // built by totp.Generate, not input
		Phone:   isMobile(r.UserAgent())}
	s.render(w, r, status, "totp", pg)
}

// totpSetupConfirm is POST /f/{id}/enroll/totp: one valid code proves the
// app holds the secret; the secret is then stored (encrypted by the
// credential store) and the confirming code's step is used up.
func (s *Server) totpSetupConfirm(w http.ResponseWriter, r *http.Request, fc *flowCtx) {
	f, ctx := fc.flow, r.Context()
	if err := enrollReady(f); err != nil {
		s.fail(w, r, fc, err)
		return
	}
	if !s.totpAllowed(f) {
		s.fail(w, r, fc, flows.ErrFactorNotAllowed)
		return
	}
	p, err := s.pendingTOTP(ctx, f)
	if err != nil {
		s.fail(w, r, fc, err)
		return
	}
	step, ok := totp.Verify(p.Secret, r.PostForm.Get("code"), s.now())
	if !ok {
		sp := s.report(r, f.ID, flows.ErrVerificationFailed)
		sp.Title, sp.Message = "That code did not match", "Enter the 6-digit code your app shows now."
		s.renderTOTPSetup(w, r, fc, http.StatusUnprocessableEntity, p, &sp)
		return
	}
	e, err := s.enrolledFactors(ctx, f.Subject.AccountID)
	if err != nil {
		s.fail(w, r, fc, err)
		return
	}
	if err := s.recordChange(r, fc, flows.FactorChange{Method: flows.MethodTOTP, Key: flows.FactorTOTP, Replaced: e.totp}); err != nil {
		s.fail(w, r, fc, err)
		return
	}
	if err := s.deps.Credentials.SetTOTPSecret(ctx, f.Subject.AccountID, p.Secret); err != nil {
		s.fail(w, r, fc, err)
		return
	}
	if err := s.deps.Credentials.UseTOTPStep(ctx, f.Subject.AccountID, step); err != nil {
		s.fail(w, r, fc, err)
		return
	}
	if err := s.sessions.del(ctx, ceremonyTOTP, f.ID); err != nil {
		s.fail(w, r, fc, err)
		return
	}
	http.Redirect(w, r, "/f/"+f.ID+"/enroll", http.StatusSeeOther)
}
