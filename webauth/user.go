package webauth

import (
	"crypto/sha256"

	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/resetbot/resetbot/credentials"
	"github.com/resetbot/resetbot/flows"
)

// waUser adapts a flow's subject and their stored passkeys to go-webauthn's
// User. The user handle is a hash of the immutable directory id: stable for
// the account's life, and it tells an authenticator nothing about the
// account.
type waUser struct {
	subject  flows.Subject
	passkeys []credentials.Passkey
}

var _ webauthn.User = waUser{}

// userHandle derives the WebAuthn user handle of an account.
func userHandle(accountID string) []byte {
	sum := sha256.Sum256([]byte("resetbot-user\x00" + accountID))
	return sum[:]
}

// WebAuthnID implements webauthn.User.
func (u waUser) WebAuthnID() []byte { return userHandle(u.subject.AccountID) }

// WebAuthnName implements webauthn.User: the login name.
func (u waUser) WebAuthnName() string { return u.subject.AccountName }

// WebAuthnDisplayName implements webauthn.User.
func (u waUser) WebAuthnDisplayName() string {
	if u.subject.DisplayName != "" {
		return u.subject.DisplayName
	}
	return u.subject.AccountName
}

// WebAuthnCredentials implements webauthn.User: only this account's
// passkeys, so an assertion by anyone else's credential cannot match.
func (u waUser) WebAuthnCredentials() []webauthn.Credential {
	out := make([]webauthn.Credential, len(u.passkeys))
	for i, p := range u.passkeys {
		out[i] = p.Credential
	}
	return out
}
