package webauth

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/resetbot/resetbot/credentials"
	"github.com/resetbot/resetbot/flows"
)

// Ceremony kinds kept in the session store.
const (
	ceremonyLogin    = "wa-login"
	ceremonyRegister = "wa-register"
)

// nextData tells a script where to go after a successful call.
type nextData struct {
	Next string `json:"next"`
}

// passkeyBegin is POST /f/{id}/passkey/begin: the assertion options for
// this user's own passkeys, with user verification required (in an enroll
// flow too: an existing passkey is the proof for changing factors). The session
// data (challenge, allowed credentials) stays in Redis.
func (s *Server) passkeyBegin(w http.ResponseWriter, r *http.Request, fc *flowCtx) {
	f := fc.flow
	if f.State != flows.StateRedeemed {
		s.failJSON(w, r, fc, &flows.TransitionError{Op: "passkey", From: f.State})
		return
	}
	assertion, err := s.beginLogin(r, f)
	if err != nil {
		s.failJSON(w, r, fc, err)
		return
	}
	writeJSON(w, http.StatusOK, assertion)
}

// beginLogin starts an assertion ceremony for the flow's subject and keeps
// its session data in Redis; errNoFactor when they have no passkey.
func (s *Server) beginLogin(r *http.Request, f *flows.Flow) (*protocol.CredentialAssertion, error) {
	user, err := s.user(r, f)
	if err != nil {
		return nil, err
	}
	if len(user.passkeys) == 0 {
		return nil, errNoFactor
	}
	assertion, session, err := s.wa.BeginLogin(user, webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return nil, fmt.Errorf("webauth: begin login: %w", err)
	}
	if err := s.sessions.put(r.Context(), ceremonyLogin, f.ID, session, ceremonyTTL); err != nil {
		return nil, err
	}
	return assertion, nil
}

// passkeyFinish is POST /f/{id}/passkey/finish: it validates the assertion
// against the stored ceremony and the user's credentials, persists the new
// sign count and backup state, and records the outcome with the engine. A
// clone warning or a backup-flag violation is a failed verification.
func (s *Server) passkeyFinish(w http.ResponseWriter, r *http.Request, fc *flowCtx) {
	f, ctx := fc.flow, r.Context()
	var session webauthn.SessionData
	if err := s.sessions.take(ctx, ceremonyLogin, f.ID, &session); err != nil {
		s.failJSON(w, r, fc, err)
		return
	}
	parsed, err := protocol.ParseCredentialRequestResponseBody(r.Body)
	if err != nil {
		s.failJSON(w, r, fc, fmt.Errorf("%w: assertion: %w", errBadRequest, err))
		return
	}
	user, err := s.user(r, f)
	if err != nil {
		s.failJSON(w, r, fc, err)
		return
	}
	reason := ""
	cred, err := s.wa.ValidateLogin(user, session, parsed)
	switch {
	case err != nil:
		reason = "passkey rejected: " + protocolReason(err)
	case cred.Authenticator.CloneWarning:
		reason = "clone warning: the passkey's sign count did not increase"
	default:
		if err := s.touchPasskey(r, f, user, cred); err != nil {
			s.failJSON(w, r, fc, err)
			return
		}
	}
	var used []byte
	if cred != nil {
		used = cred.ID
	}
	nf, err := s.deps.Engine.RecordVerification(ctx, f.ID, fc.binding, flows.Verification{
		Method: flows.MethodPasskey, OK: reason == "", Reason: reason, Client: s.client(r),
		Evidence: s.riskEvidence(w, r, user.passkeys, used),
	})
	if errors.Is(err, flows.ErrRiskDenied) && nf != nil {
		// The done page tells them to contact the helpdesk.
		writeJSON(w, http.StatusOK, nextData{Next: nextPage(nf)})
		return
	}
	if err != nil {
		s.failJSON(w, r, fc, fmt.Errorf("%w (%s)", err, reason))
		return
	}
	if nf.Kind == flows.KindVerify {
		if nf, err = s.confirmCaller(r, fc, user, cred); err != nil {
			s.failJSON(w, r, fc, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, nextData{Next: nextPage(nf)})
}

// touchPasskey stores what a login changed: sign count, flags (backup
// state), last use.
func (s *Server) touchPasskey(r *http.Request, f *flows.Flow, user waUser, cred *webauthn.Credential) error {
	for _, p := range user.passkeys {
		if bytes.Equal(p.Credential.ID, cred.ID) {
			p.Credential = *cred
			p.LastUsedAt = s.now().UTC()
			return s.deps.Credentials.UpdatePasskey(r.Context(), f.Subject.AccountID, p)
		}
	}
	return fmt.Errorf("webauth: validated credential not among the user's: %w", credentials.ErrNotFound)
}

// user loads the flow subject's passkeys for a ceremony.
func (s *Server) user(r *http.Request, f *flows.Flow) (waUser, error) {
	pks, err := s.deps.Credentials.Passkeys(r.Context(), f.Subject.AccountID)
	if err != nil && !errors.Is(err, credentials.ErrNotFound) {
		return waUser{}, err
	}
	return waUser{subject: f.Subject, passkeys: pks}, nil
}

// protocolReason is the library's safe description of a refused assertion,
// for the audit trail (it names the check, never key material).
func protocolReason(err error) string {
	var unknown *protocol.ErrorUnknownCredential
	if errors.As(err, &unknown) {
		return "unknown credential"
	}
	var pe *protocol.Error
	if errors.As(err, &pe) {
		if pe.Details != "" {
			return pe.Details
		}
		return pe.Type
	}
	return "invalid assertion"
}
