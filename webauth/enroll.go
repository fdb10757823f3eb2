package webauth

import (
	"errors"
	"net/http"
	"time"

	"github.com/resetbot/resetbot/credentials"
	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
)

// enrollData is what the enrollment page shows once the user proved who
// they are.
type enrollData struct {
	Account  string
	Passkeys []passkeyView
	TOTP     bool
	// TOTPAllowed offers the authenticator-app setup.
	TOTPAllowed bool
	// CanFinish is true once something is enrolled.
	CanFinish bool
	// Added is the name of the passkey just added (?added=its id), for the
	// success box.
	Added string
}

// passkeyView is one passkey in the list.
type passkeyView struct {
	ID       string
	Name     string
	Created  string
	LastUsed string
}

// enrollPage is GET /f/{id}/enroll: the proof form (current directory
// password) before verification, the passkey list and setup after it.
func (s *Server) enrollPage(w http.ResponseWriter, r *http.Request, fc *flowCtx) {
	f := fc.flow
	switch {
	case f.Kind != flows.KindEnroll:
		s.fail(w, r, fc, errWrongKind)
	case f.State == flows.StateRedeemed:
		e, err := s.enrolledFactors(r.Context(), f.Subject.AccountID)
		if err != nil {
			s.fail(w, r, fc, err)
			return
		}
		if e.any() {
			// The password only enrolls the first factor: whoever changes
			// existing ones confirms with one of them.
			s.renderVerify(w, r, fc, http.StatusOK, nil)
			return
		}
		s.renderProof(w, r, http.StatusOK, fc, nil)
	case f.State == flows.StateVerified:
		s.renderEnroll(w, r, fc, http.StatusOK, nil)
	default:
		http.Redirect(w, r, nextPage(f), http.StatusSeeOther)
	}
}

// renderProof shows the "enter your current password" form.
func (s *Server) renderProof(w http.ResponseWriter, r *http.Request, status int, fc *flowCtx, prob *shownProblem) {
	p := basePage(fc, "web.verify.title", 1)
	p.Problem = prob
	p.Data = enrollData{Account: fc.flow.Subject.AccountName}
	s.render(w, r, status, "proof", p)
}

// renderEnroll shows the passkey list, the add-passkey form and the
// authenticator-app option.
func (s *Server) renderEnroll(w http.ResponseWriter, r *http.Request, fc *flowCtx, status int, prob *shownProblem) {
	f := fc.flow
	user, err := s.user(r, f)
	if err != nil {
		s.fail(w, r, fc, err)
		return
	}
	sum, err := s.deps.Credentials.Summary(r.Context(), f.Subject.AccountID)
	if err != nil {
		s.fail(w, r, fc, err)
		return
	}
	d := enrollData{Account: f.Subject.AccountName, TOTP: sum.TOTP, TOTPAllowed: s.totpAllowed(f),
		CanFinish: sum.Passkeys > 0 || sum.TOTP}
	for _, pk := range user.passkeys {
		v := passkeyView{ID: b64url(pk.Credential.ID), Name: pk.Name, Created: s.day(r, pk.CreatedAt), LastUsed: s.day(r, pk.LastUsedAt)}
		d.Passkeys = append(d.Passkeys, v)
		if v.ID == r.URL.Query().Get("added") {
			d.Added = v.Name
		}
	}
	p := basePage(fc, "web.enroll.title", 2)
	p.Early = []string{"common.js", "passkey-register.js"} // no tap on Add a passkey is lost while it loads
	p.Problem = prob
	p.Data = d
	s.render(w, r, status, "enroll", p)
}

// day is a passkey's date (added, last used) as the reader reads dates:
// their language's month name and order, in their time zone.
func (s *Server) day(r *http.Request, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	rd := s.readerOf(r)
	return rd.lang.Date(t.In(rd.zone))
}

// enrollProof is POST /f/{id}/enroll/proof: the current directory password
// proves the person before they add their first factor. An account that
// already has one is sent to verify with it instead, and the password is
// not even checked. Attempts count against a daily budget well below the
// directory's lockout threshold (proofBudget), taken before the directory
// is asked, so wrong passwords here never lock the account. The outcome
// is recorded with the engine (which counts failures and fails the flow at
// the limit).
func (s *Server) enrollProof(w http.ResponseWriter, r *http.Request, fc *flowCtx) {
	f, ctx := fc.flow, r.Context()
	if f.Kind != flows.KindEnroll || f.State != flows.StateRedeemed {
		http.Redirect(w, r, nextPage(f), http.StatusSeeOther)
		return
	}
	e, err := s.enrolledFactors(ctx, f.Subject.AccountID)
	if err != nil {
		s.fail(w, r, fc, err)
		return
	}
	if e.any() {
		sp := s.report(r, f.ID, flows.ErrNeedsFactor)
		s.renderVerify(w, r, fc, Classify(flows.ErrNeedsFactor).Status, &sp)
		return
	}
	if err := s.spendProof(ctx, f); err != nil {
		if !errors.Is(err, errProofBudget) {
			s.fail(w, r, fc, err)
			return
		}
		nf, rerr := s.deps.Engine.RecordVerification(ctx, f.ID, fc.binding, flows.Verification{
			Method: flows.MethodPassword, Reason: "password not checked: the daily budget of password proofs is spent (kept below the directory's lockout threshold)", Client: s.client(r),
		})
		if rerr != nil && !errors.Is(rerr, flows.ErrVerificationFailed) {
			s.fail(w, r, fc, rerr)
			return
		}
		fc.flow = nf
		sp := s.report(r, f.ID, err)
		s.renderProof(w, r, Classify(err).Status, fc, &sp)
		return
	}
	u, err := s.deps.Directory.Find(ctx, directory.Lookup{Kind: directory.ByID, Value: f.Subject.AccountID})
	if err != nil {
		s.fail(w, r, fc, err)
		return
	}
	pw := r.PostForm.Get("password")
	reason := ""
	if len(pw) > maxPasswordLen || pw == "" {
		reason = "empty or oversized password"
	} else if err := s.deps.Directory.VerifyPassword(ctx, u, pw); errors.Is(err, directory.ErrInvalidCredentials) {
		reason = "wrong directory password"
	} else if err != nil {
		s.fail(w, r, fc, err)
		return
	}
	nf, err := s.deps.Engine.RecordVerification(ctx, f.ID, fc.binding, flows.Verification{
		Method: flows.MethodPassword, OK: reason == "", Reason: reason, Client: s.client(r),
	})
	if errors.Is(err, flows.ErrVerificationFailed) {
		fc.flow = nf
		sp := s.report(r, f.ID, directory.ErrInvalidCredentials)
		s.renderProof(w, r, http.StatusUnauthorized, fc, &sp)
		return
	}
	if err != nil {
		s.fail(w, r, fc, err)
		return
	}
	http.Redirect(w, r, nextPage(nf), http.StatusSeeOther)
}

// passkeyRemove is POST /f/{id}/enroll/passkey/remove: the user removes one
// of their own passkeys (a lost phone), after proving who they are with a
// factor this flow accepts for the change (MayChangeFactors). An id that
// is not one of the account's is a 404, not an internal error.
func (s *Server) passkeyRemove(w http.ResponseWriter, r *http.Request, fc *flowCtx) {
	f := fc.flow
	if f.Kind != flows.KindEnroll || f.State != flows.StateVerified {
		s.fail(w, r, fc, &flows.TransitionError{Op: "remove passkey", From: f.State})
		return
	}
	id, err := unb64url(r.PostForm.Get("id"))
	if err != nil || len(id) == 0 || len(id) > 1023 {
		s.fail(w, r, fc, errBadRequest)
		return
	}
	e, err := s.enrolledFactors(r.Context(), f.Subject.AccountID)
	if err != nil {
		s.fail(w, r, fc, err)
		return
	}
	pk, ok := e.passkey(b64url(id))
	if !ok {
		s.fail(w, r, fc, errUnknownPasskey)
		return
	}
	if err := s.recordChange(r, fc, flows.FactorChange{Removed: true, Method: flows.MethodPasskey, Key: flows.PasskeyKey(b64url(id)), Name: pk.Name}); err != nil {
		s.fail(w, r, fc, err)
		return
	}
	if err := s.deps.Credentials.RemovePasskey(r.Context(), f.Subject.AccountID, id); err != nil && !errors.Is(err, credentials.ErrNotFound) {
		s.fail(w, r, fc, err)
		return
	}
	http.Redirect(w, r, "/f/"+f.ID+"/enroll", http.StatusSeeOther)
}

// enrollFinish is POST /f/{id}/enroll/finish: completes the flow once a
// passkey or an authenticator app is stored.
func (s *Server) enrollFinish(w http.ResponseWriter, r *http.Request, fc *flowCtx) {
	f := fc.flow
	if f.Kind != flows.KindEnroll {
		s.fail(w, r, fc, errWrongKind)
		return
	}
	sum, err := s.deps.Credentials.Summary(r.Context(), f.Subject.AccountID)
	if err != nil {
		s.fail(w, r, fc, err)
		return
	}
	enrolled := ""
	switch {
	case sum.Passkeys > 0 && sum.TOTP:
		enrolled = "passkey+totp"
	case sum.Passkeys > 0:
		enrolled = flows.MethodPasskey
	case sum.TOTP:
		enrolled = flows.MethodTOTP
	default:
		sp := s.report(r, f.ID, errNoFactor)
		sp.Title, sp.Message = "Add a passkey first", "Add a passkey (or an authenticator app) before you finish."
		s.renderEnroll(w, r, fc, http.StatusConflict, &sp)
		return
	}
	nf, err := s.deps.Engine.Complete(r.Context(), f.ID, fc.binding, flows.Completion{Enrolled: enrolled, Client: s.client(r)})
	if err != nil {
		s.fail(w, r, fc, err)
		return
	}
	http.Redirect(w, r, nextPage(nf), http.StatusSeeOther)
}
