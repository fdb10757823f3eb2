// Package totp is the authenticator-app fallback factor: it creates a secret
// for enrolment (with the otpauth:// URL and its QR code) and checks a code
// the user typed. It is deliberately pure: it returns the time step a code
// matched and leaves "a code works exactly once" to the credential store
// (credentials.Store.UseTOTPStep), which can enforce it atomically across
// replicas.
//
// Parameters are fixed to SHA-1, 6 digits and 30-second steps: the only
// combination every authenticator app (Google Authenticator, Microsoft
// Authenticator, 1Password, ...) honours. Anything else is silently ignored
// by some apps, which then show codes that never verify.
package totp

import "time"

// Period is the length of one TOTP time step.
const Period = 30 * time.Second

// periodSeconds is Period in whole seconds, for step arithmetic.
const periodSeconds = int64(Period / time.Second)

// Digits is the length of a code.
const Digits = 6

// Step returns the TOTP time step (RFC 6238 "T") that contains t. Times
// before the Unix epoch have no step and return -1.
func Step(t time.Time) int64 {
	u := t.Unix()
	if u < 0 {
		return -1
	}
	return u / periodSeconds
}
