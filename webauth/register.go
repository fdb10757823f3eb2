package webauth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/resetbot/resetbot/credentials"
	"github.com/resetbot/resetbot/flows"
)

// maxDeviceName bounds the name a user gives a passkey.
const maxDeviceName = 64

// registerRequest is the body of the registration finish call: the name
// the user gave the device and the browser's attestation response.
type registerRequest struct {
	Name       string          `json:"name"`
	Credential json.RawMessage `json:"credential"`
}

// parseRegisterRequest reads the finish body and cleans the device name.
func parseRegisterRequest(body []byte) (registerRequest, error) {
	var req registerRequest
	if err := json.Unmarshal(body, &req); err != nil || len(req.Credential) == 0 {
		return req, fmt.Errorf("%w: registration body", errBadRequest)
	}
	req.Name = deviceName(req.Name)
	return req, nil
}

// deviceName keeps printable characters, trims and bounds the name.
func deviceName(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return -1
	}, s)
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > maxDeviceName {
		s = string(r[:maxDeviceName])
	}
	if s == "" {
		s = "Passkey"
	}
	return s
}

// enrollReady checks a registration call belongs to a verified enroll flow.
func enrollReady(f *flows.Flow) error {
	if f.Kind != flows.KindEnroll {
		return errWrongKind
	}
	if f.State != flows.StateVerified {
		return &flows.TransitionError{Op: "register passkey", From: f.State}
	}
	return nil
}

// registerBegin is POST /f/{id}/enroll/passkey/begin: creation options with
// a discoverable credential preferred, user verification required and the
// user's existing passkeys excluded.
func (s *Server) registerBegin(w http.ResponseWriter, r *http.Request, fc *flowCtx) {
	f := fc.flow
	if err := enrollReady(f); err != nil {
		s.failJSON(w, r, fc, err)
		return
	}
	if err := s.mayChange(r, f); err != nil {
		s.failJSON(w, r, fc, err)
		return
	}
	user, err := s.user(r, f)
	if err != nil {
		s.failJSON(w, r, fc, err)
		return
	}
	creds := webauthn.Credentials(user.WebAuthnCredentials())
	creation, session, err := s.wa.BeginRegistration(user,
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
			ResidentKey:        protocol.ResidentKeyRequirementPreferred,
			RequireResidentKey: protocol.ResidentKeyNotRequired(),
			UserVerification:   protocol.VerificationRequired,
		}),
		webauthn.WithExclusions(creds.CredentialDescriptors()),
	)
	if err != nil {
		s.failJSON(w, r, fc, fmt.Errorf("webauth: begin registration: %w", err))
		return
	}
	if err := s.sessions.put(r.Context(), ceremonyRegister, f.ID, session, ceremonyTTL); err != nil {
		s.failJSON(w, r, fc, err)
		return
	}
	writeJSON(w, http.StatusOK, creation)
}

// registerFinish is POST /f/{id}/enroll/passkey/finish: it verifies the
// attestation against the stored ceremony, has the engine record the
// addition (and check this flow's proof covers it), and stores the passkey
// under the name the user gave it.
func (s *Server) registerFinish(w http.ResponseWriter, r *http.Request, fc *flowCtx) {
	f, ctx := fc.flow, r.Context()
	if err := enrollReady(f); err != nil {
		s.failJSON(w, r, fc, err)
		return
	}
	var session webauthn.SessionData
	if err := s.sessions.take(ctx, ceremonyRegister, f.ID, &session); err != nil {
		s.failJSON(w, r, fc, err)
		return
	}
	body, err := readAll(r)
	if err != nil {
		s.failJSON(w, r, fc, err)
		return
	}
	req, err := parseRegisterRequest(body)
	if err != nil {
		s.failJSON(w, r, fc, err)
		return
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(req.Credential)
	if err != nil {
		s.failJSON(w, r, fc, fmt.Errorf("%w: attestation: %s", errBadRequest, protocolReason(err)))
		return
	}
	user, err := s.user(r, f)
	if err != nil {
		s.failJSON(w, r, fc, err)
		return
	}
	cred, err := s.wa.CreateCredential(user, session, parsed)
	if err != nil {
		s.failJSON(w, r, fc, fmt.Errorf("%w: registration refused: %s", errBadRequest, protocolReason(err)))
		return
	}
	for _, p := range user.passkeys {
		if bytes.Equal(p.Credential.ID, cred.ID) {
			s.failJSON(w, r, fc, credentials.ErrExists)
			return
		}
	}
	if err := s.recordChange(r, fc, flows.FactorChange{Method: flows.MethodPasskey, Key: flows.PasskeyKey(b64url(cred.ID)), Name: req.Name}); err != nil {
		s.failJSON(w, r, fc, err)
		return
	}
	pk := credentials.Passkey{Credential: *cred, Name: req.Name, CreatedAt: s.now().UTC()}
	if err := s.deps.Credentials.AddPasskey(ctx, f.Subject.AccountID, pk); err != nil {
		s.failJSON(w, r, fc, err)
		return
	}
	// ?added says so on the reloaded page (a success state, not a silent
	// list change).
	writeJSON(w, http.StatusOK, nextData{Next: "/f/" + f.ID + "/enroll?added=" + b64url(cred.ID)})
}
