package flows

import "time"

// KindChange is a password change the directory's expiry asked for: the
// owner of a password about to expire follows an expiry reminder's button.
// It is the same verified path as KindReset (the link, a passkey or an
// authenticator-app code, then the new password; a privileged account needs
// its passkey and a helpdesk approval) and is audited as its own kind, so
// the audit log, the helpdesk thread and the report tell a change asked for
// ahead of a deadline from a forgotten password.
const KindChange Kind = "change"

// SetsPassword reports whether a flow of kind k ends by writing a new
// password to the directory: a reset or a change. The engine, the web app
// and the reconciler treat both alike; only their words and counts differ.
func (k Kind) SetsPassword() bool { return k == KindReset || k == KindChange }

// passwordSibling is the other password-setting kind: a change and a reset
// of one account end each other, so an account never has two links that
// would each write a password.
func passwordSibling(k Kind) Kind {
	switch k {
	case KindReset:
		return KindChange
	case KindChange:
		return KindReset
	}
	return ""
}

// changeDeadline is the password expiry a change answers, kept on the flow
// (Flow.PasswordExpiry) so the report counts changes made before it from
// the change's own completion event. Zero when it is not known.
func changeDeadline(req StartRequest) time.Time {
	if req.Kind != KindChange {
		return time.Time{}
	}
	return req.PasswordExpiry.UTC()
}
