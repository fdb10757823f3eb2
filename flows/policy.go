package flows

import (
	"strings"

	"github.com/resetbot/resetbot/directory"
)

// Policy decides who may use the bot and what an account needs. It is plain
// configuration, evaluated on facts read fresh from the directory for every
// start, so a group change takes effect on the next request.
type Policy struct {
	// PrivilegedGroups are group DNs (nested membership counts) whose
	// members need a passkey and a helpdesk approval.
	PrivilegedGroups []string
	// BreakGlass lists accounts that are never resettable through the
	// bot, whatever else is true: by any login name, by DN or by
	// immutable id (objectGUID, entryUUID).
	BreakGlass []string
	// ApproverGroup is the helpdesk's directory group (nested membership
	// counts), if it has one. An approval confirmed with the approver's
	// passkey counts only if the approver is still in it, enabled and not
	// locked out when the confirmation completes.
	ApproverGroup string
}

// refusal returns why the account may not start a flow, or "" if it may.
func (p Policy) refusal(u *directory.User) string {
	if p.BreakGlassAccount(u) {
		return ReasonBreakGlass
	}
	if u.Disabled {
		return ReasonDisabled
	}
	return ""
}

// BreakGlassAccount reports whether the account is listed as break-glass.
// It is matched on the canonical account, never on one alias: every login
// name it has (all uid values; on AD sAMAccountName and userPrincipalName,
// whose local part also matches a listed name without "@"), its DN and its
// immutable id.
func (p Policy) BreakGlassAccount(u *directory.User) bool {
	for _, ref := range p.BreakGlass {
		if u.Is(ref) {
			return true
		}
		if strings.Contains(ref, "@") {
			continue
		}
		for _, n := range u.Names {
			if local, _, ok := strings.Cut(n, "@"); ok && strings.EqualFold(local, strings.TrimSpace(ref)) {
				return true
			}
		}
	}
	return false
}

// Privileged reports whether the account is in a privileged group.
func (p Policy) Privileged(u *directory.User) bool {
	for _, g := range p.PrivilegedGroups {
		if u.MemberOf(g) {
			return true
		}
	}
	return false
}

// factorAllowed reports whether a verification method counts for the flow.
// Privileged accounts resetting or unlocking need their own passkey; the
// TOTP fallback is for everyone else.
func factorAllowed(f *Flow, method string) bool {
	if f.Kind == KindApprove || f.Kind == KindVerify {
		// An approver proves it with their own passkey; so does a caller.
		return method == MethodPasskey
	}
	if f.Subject.Privileged && f.Kind != KindEnroll {
		return method == MethodPasskey
	}
	return true
}

// The verification methods the engine knows.
const (
	// MethodPasskey is a WebAuthn assertion with user verification.
	MethodPasskey = "passkey"
	// MethodTOTP is an authenticator-app code.
	MethodTOTP = "totp"
	// MethodPassword is the current directory password (enrollment proof).
	MethodPassword = "password"
	// MethodHelpdeskLink is a one-time enrollment link the helpdesk issued
	// (enrollment proof for new hires and lost phones).
	MethodHelpdeskLink = "helpdesk-link"
)
