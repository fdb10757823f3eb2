package webauth

import (
	"context"
	"errors"
	"net/http"

	"github.com/resetbot/resetbot/credentials"
	"github.com/resetbot/resetbot/flows"
)

// errUnknownPasskey: the passkey to remove is not (or no longer) one of
// the account's.
var errUnknownPasskey = errors.New("webauth: no such passkey on this account")

// errUnknownTOTP: there is no authenticator app to remove.
var errUnknownTOTP = errors.New("webauth: no authenticator app on this account")

// enrolled is what an account has right now, with the keys the engine
// uses to decide whether this flow's proof covers a change.
type enrolled struct {
	passkeys []credentials.Passkey
	totp     bool
	keys     []string
}

// any reports whether the account has at least one factor.
func (e enrolled) any() bool { return len(e.keys) > 0 }

// passkey returns the stored passkey with credential id b64 (base64url).
func (e enrolled) passkey(b64 string) (credentials.Passkey, bool) {
	for _, p := range e.passkeys {
		if b64url(p.Credential.ID) == b64 {
			return p, true
		}
	}
	return credentials.Passkey{}, false
}

// enrolledFactors reads the account's passkeys and authenticator app.
func (s *Server) enrolledFactors(ctx context.Context, accountID string) (enrolled, error) {
	pks, err := s.deps.Credentials.Passkeys(ctx, accountID)
	if err != nil && !errors.Is(err, credentials.ErrNotFound) {
		return enrolled{}, err
	}
	sum, err := s.deps.Credentials.Summary(ctx, accountID)
	if err != nil {
		return enrolled{}, err
	}
	e := enrolled{passkeys: pks, totp: sum.TOTP}
	for _, p := range pks {
		e.keys = append(e.keys, flows.PasskeyKey(b64url(p.Credential.ID)))
	}
	if sum.TOTP {
		e.keys = append(e.keys, flows.FactorTOTP)
	}
	return e, nil
}

// recordChange asks the engine to record a factor change (and to check
// that this flow's proof covers it) before the credential store is
// written. The engine's audit event is what tells the user and the
// helpdesk.
func (s *Server) recordChange(r *http.Request, fc *flowCtx, c flows.FactorChange) error {
	e, err := s.enrolledFactors(r.Context(), fc.flow.Subject.AccountID)
	if err != nil {
		return err
	}
	c.Existing, c.Client = e.keys, s.client(r)
	nf, err := s.deps.Engine.RecordFactorChange(r.Context(), fc.flow.ID, fc.binding, c)
	if err != nil {
		return err
	}
	fc.flow = nf
	return nil
}

// mayChange is the early form of the engine's check, for steps that only
// prepare a change (creation options): it spares the user a prompt that
// the engine would refuse.
func (s *Server) mayChange(r *http.Request, f *flows.Flow) error {
	e, err := s.enrolledFactors(r.Context(), f.Subject.AccountID)
	if err != nil {
		return err
	}
	return f.MayChangeFactors(e.keys)
}

// totpRemove is POST /f/{id}/enroll/totp/remove: the user removes their
// authenticator app, after proving who they are with a factor this flow
// accepts for the change.
func (s *Server) totpRemove(w http.ResponseWriter, r *http.Request, fc *flowCtx) {
	f, ctx := fc.flow, r.Context()
	if err := enrollReady(f); err != nil {
		s.fail(w, r, fc, err)
		return
	}
	e, err := s.enrolledFactors(ctx, f.Subject.AccountID)
	if err != nil {
		s.fail(w, r, fc, err)
		return
	}
	if !e.totp {
		s.fail(w, r, fc, errUnknownTOTP)
		return
	}
	if err := s.recordChange(r, fc, flows.FactorChange{Removed: true, Method: flows.MethodTOTP, Key: flows.FactorTOTP}); err != nil {
		s.fail(w, r, fc, err)
		return
	}
	if err := s.deps.Credentials.RemoveTOTP(ctx, f.Subject.AccountID); err != nil && !errors.Is(err, credentials.ErrNotFound) {
		s.fail(w, r, fc, err)
		return
	}
	http.Redirect(w, r, "/f/"+f.ID+"/enroll", http.StatusSeeOther)
}
