package flows

import (
	"fmt"
	"strings"

	"github.com/resetbot/resetbot/directory"
)

// Reasons the engine records in Event.Reason (and RefusalError.Reason)
// for what a reader must tell apart: why a request was refused or needs
// an approval, which factor changed. A consumer that words them (the bot's
// helpdesk thread, in its language) compares these codes and never parses
// the text; the values are the audit log's words and stay as they were.
const (
	// ReasonPrivileged: the account needs a passkey and a helpdesk approval.
	ReasonPrivileged = "privileged account: passkey and helpdesk approval required"
	// ReasonNoAccountChatID and ReasonNoAccountEmail: the lookup found no
	// account (by the chat id attribute, by the verified email).
	ReasonNoAccountChatID = "no directory account matches chat-id"
	ReasonNoAccountEmail  = "no directory account matches email"
	// ReasonTooManyForIdentity and ReasonTooManyForAccount: a request
	// budget is spent.
	ReasonTooManyForIdentity = "too many requests from this chat identity"
	ReasonTooManyForAccount  = "too many requests for this account"
	// ReasonBreakGlass and ReasonDisabled: the policy refuses the account.
	ReasonBreakGlass = "break-glass"
	ReasonDisabled   = "disabled"
	// ReasonUnknown is RefusalError's reason for an account not found.
	ReasonUnknown = "unknown"
	// ReasonPasskey, ReasonTOTP and ReasonTOTPReplaced name the factor of a
	// factor event; a named passkey is ReasonPasskey, a space and its name
	// quoted (see PasskeyName).
	ReasonPasskey      = "passkey"
	ReasonTOTP         = "authenticator app"
	ReasonTOTPReplaced = "authenticator app (replacing the previous one)"
)

// noAccountReason is why a lookup of kind k found no account.
func noAccountReason(k directory.LookupKind) string {
	switch k {
	case directory.ByChatID:
		return ReasonNoAccountChatID
	case directory.ByEmail:
		return ReasonNoAccountEmail
	}
	return "no directory account matches " + k.String()
}

// factorReason describes the factor for the audit trail and the user's
// message: the passkey's name, never key material.
func factorReason(c FactorChange) string {
	switch {
	case c.Method == MethodPasskey && c.Name != "":
		return fmt.Sprintf("%s %q", ReasonPasskey, c.Name)
	case c.Method == MethodPasskey:
		return ReasonPasskey
	case c.Replaced:
		return ReasonTOTPReplaced
	}
	return ReasonTOTP
}

// PasskeyName is the name of the passkey a factor event names, quoted as
// the audit trail writes it; false when the event names no passkey by
// name. It reads what factorReason wrote, so no consumer parses it.
func PasskeyName(ev Event) (quoted string, ok bool) {
	if ev.Method != MethodPasskey {
		return "", false
	}
	quoted, ok = strings.CutPrefix(ev.Reason, ReasonPasskey+" ")
	if !ok {
		return "", false
	}
	return quoted, true
}
