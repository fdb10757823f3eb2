// Package flows is the heart of resetbot: the reset, unlock and enroll state
// machine, the Store that keeps flows in Redis with compare-and-swap updates,
// the audit events every transition appends in the same atomic step, and the
// limits that slow down abuse. It knows nothing of chat platforms or HTTP:
// the bot core and the web app drive it through Engine, and sinks consume its
// audit stream.
package flows

import "time"

// Kind is what a flow does for its subject.
type Kind string

// The kinds of flow.
const (
	// KindReset verifies the user and sets a new password.
	KindReset Kind = "reset"
	// KindUnlock verifies the user and clears a lockout.
	KindUnlock Kind = "unlock"
	// KindEnroll proves the user (directory password or helpdesk link) and
	// registers a passkey or TOTP factor.
	KindEnroll Kind = "enroll"
	// KindApprove is a helpdesk member confirming an approval (or denial)
	// of another flow with their own passkey, when policy demands it. Its
	// subject is the approver; Target names the flow being decided.
	KindApprove Kind = "approve"
)

// Valid reports whether k is a kind a user can start from chat.
func (k Kind) Valid() bool {
	return k == KindReset || k == KindChange || k == KindUnlock || k == KindEnroll
}

// ChatIdentity is the immutable chat-side id of a person: platform plus the
// platform's own user id (Slack user id, Entra object id, Discord user id).
type ChatIdentity struct {
	Platform string `json:"platform"`
	UserID   string `json:"user_id"`
}

// String renders the identity as "platform:id" for audit and limit keys.
func (c ChatIdentity) String() string {
	if c.Platform == "" && c.UserID == "" {
		return ""
	}
	return c.Platform + ":" + c.UserID
}

// Subject is whose account a flow acts on: the directory account, resolved
// once at start, and the chat identity it was resolved from.
type Subject struct {
	// AccountID is the directory's immutable id; limits and the one-live-flow
	// rule key on it, never on the alias that was typed.
	AccountID   string `json:"account_id"`
	AccountName string `json:"account_name"`
	// The account's DN is not kept: every directory write re-reads the
	// account by AccountID first, so a rename or move in between is seen.
	DisplayName string `json:"display_name,omitempty"`
	// Department feeds per-department alert rules and reports.
	Department string       `json:"department,omitempty"`
	Chat       ChatIdentity `json:"chat"`
	// Privileged is true when the account is in a configured privileged
	// group: it then needs a passkey and a helpdesk approval.
	Privileged bool `json:"privileged,omitempty"`
}

// Locale is how a person reads: their language (a catalogue tag, "de") and
// time zone (IANA, "Europe/Berlin"), as their chat platform gave them when
// the flow started. Empty fields mean the configured defaults. Background
// messages (the link, notices) and the web pages use it.
type Locale struct {
	Lang     string `json:"lang,omitempty"`
	TimeZone string `json:"tz,omitempty"`
}

// Attempts counts failures inside one flow.
type Attempts struct {
	Verify   int `json:"verify,omitempty"`
	Password int `json:"password,omitempty"`
}

// Approval records the helpdesk decision on a privileged flow.
type Approval struct {
	Required bool         `json:"required,omitempty"`
	Decided  bool         `json:"decided,omitempty"`
	Granted  bool         `json:"granted,omitempty"`
	By       ChatIdentity `json:"by,omitempty"`
	// ByAccountID is the approver's directory account, compared with the
	// subject's so nobody approves their own reset through a second alias.
	ByAccountID string    `json:"by_account_id,omitempty"`
	At          time.Time `json:"at,omitempty"`
	Reason      string    `json:"reason,omitempty"`
}

// ApproveFields are what only a KindApprove flow carries: the flow an
// approver's own passkey confirmation decides, and how. Kept apart, so a
// reader of Flow sees at once which fields belong to every flow.
type ApproveFields struct {
	// Target is the id of the flow being decided.
	Target string `json:"target,omitempty"`
	// TargetAccount is its subject's account name, for the confirmation
	// page.
	TargetAccount string `json:"target_account,omitempty"`
	// TargetKind is its kind: the approver's link and pages say "removal
	// of a passkey" for a KindRevoke, not "password reset".
	TargetKind Kind `json:"target_kind,omitempty"`
	// Grant is the decision being confirmed: approve (true) or deny.
	Grant bool `json:"grant,omitempty"`
}

// Flow is one reset, unlock or enrollment in progress. It is stored as JSON
// under a hash-tagged key and changed only by compare-and-swap on Version.
type Flow struct {
	ID      string  `json:"id"`
	Kind    Kind    `json:"kind"`
	Subject Subject `json:"subject"`
	// RequestedBy is who asked for the flow: the subject, or a helpdesk
	// member pushing a link to them.
	RequestedBy ChatIdentity `json:"requested_by"`
	// RequestedByAccountID is the requester's directory account when it is
	// known (helpdesk pushes); approvers must differ from it too.
	RequestedByAccountID string    `json:"requested_by_account_id,omitempty"`
	State                State     `json:"state"`
	IssuedAt             time.Time `json:"issued_at"`
	// LinkSentAt is when the bot recorded the link as delivered to the
	// user (zero: not yet). The helpdesk says "Link sent" only after it,
	// and the link delivery job resends a link that never got there.
	LinkSentAt time.Time `json:"link_sent_at,omitzero"`
	ExpiresAt  time.Time `json:"expires_at"`
	Attempts   Attempts  `json:"attempts"`
	// Verified lists the factors that succeeded in this flow ("passkey",
	// "totp", "password" for enrollment proof).
	Verified []string `json:"verified,omitempty"`
	// Changed lists the factors this enroll flow added ("passkey:<id>",
	// "totp"): a flow proven only by the current password may change those
	// and nothing older (see MayChangeFactors).
	Changed  []string `json:"changed,omitempty"`
	Approval Approval `json:"approval"`
	// Locale is the subject's language and time zone.
	Locale Locale `json:"locale,omitzero"`
	// Claim binds a helpdesk-pushed link to its recipient's chat identity:
	// the link works only after they confirmed it in chat (see Engine.Claim).
	Claim Claim `json:"claim,omitzero"`
	// Risk holds the codes of the risk rules that fired for this flow
	// (RiskRule: "new_browser", "velocity", ...), whatever the policy did
	// with them; the helpdesk thread shows them.
	Risk []string `json:"risk,omitempty"`
	// RiskSeen is what a completed flow remembers for its account: the
	// browser ("dev:<id>") and country ("ctry:<code>") it was verified
	// from, so they are not new next time.
	RiskSeen []string `json:"risk_seen,omitempty"`
	// RiskDenied is the rule whose deny ended the flow, so its link's page
	// tells the user to contact the helpdesk rather than to try again.
	RiskDenied string `json:"risk_denied,omitempty"`
	// Thread is the chat audit thread reference, set by the bot core once
	// the parent message exists.
	Thread string `json:"thread,omitempty"`
	// TokenHash is the SHA-256 of the live link token (purpose, flow id and
	// secret). It is kept after redemption so a second use is recognised as
	// "already used" rather than "unknown"; the state makes it single-use.
	TokenHash string `json:"token_hash,omitempty"`
	// Binding is the hash of the browser-binding secret set at redemption;
	// later web steps must present the secret.
	Binding string `json:"binding,omitempty"`
	// Approve is, for KindApprove, the decision the flow confirms; zero
	// for every other kind.
	Approve ApproveFields `json:"approve,omitzero"`
	// Factor is, for KindRevoke, what the helpdesk asked to remove: a
	// passkey's name (as typed; matched case-insensitively) or "all". A
	// KindApprove confirming a revoke carries its target's Factor, so the
	// approver reads what they approve.
	Factor string `json:"factor,omitempty"`
	// Revoking is, for a KindRevoke in StateApplying, what matched Factor
	// just before the removal began (names as enrolled). A crash after the
	// removal and before RecordRevoke leaves nothing to match on the
	// retry: these names, gone since, are what it removed.
	Revoking []string `json:"revoking,omitempty"`
	// PasswordExpiry is, for KindChange, when the password being changed
	// was due to expire, as the reminder that started the change said.
	// The report counts a change completed before it as one made in time.
	PasswordExpiry time.Time `json:"password_expiry,omitzero"`
	// EndedAt is when the flow reached a terminal state, so a link opened
	// afterwards can say what happened and when ("already changed at
	// 10:41"). Zero while the flow is live.
	EndedAt time.Time `json:"ended_at,omitempty"`
	// ApplyingAt is when the flow last entered StateApplying: the start of
	// the directory write. The reconciler compares the directory's password
	// change time with it after a crash.
	ApplyingAt time.Time `json:"applying_at,omitzero"`
	// ReconcileAt is when a flow still in StateApplying is taken to be
	// orphaned (its process died or lost Redis), so the reconciler decides
	// its outcome from the directory's evidence: ApplyingAt plus the write
	// and record deadlines.
	ReconcileAt time.Time `json:"reconcile_at,omitzero"`
	// Recovery is, for a flow the reconciler ended in StateFailed, what the
	// directory's evidence said of the interrupted write: RecoveryNotApplied
	// or RecoveryUnknown. The link's page words the ending by it, since
	// such a flow did not fail by too many attempts.
	Recovery string `json:"recovery,omitempty"`
	// Version increases with every stored change; updates compare it.
	Version int64 `json:"version"`
}

// DueAt is when the sweeper must next look at the flow: its expiry, or
// earlier, for a flow in StateApplying, the time its write is presumed
// orphaned. Stores schedule flows by it.
func (f *Flow) DueAt() time.Time {
	if f.State == StateApplying && !f.ReconcileAt.IsZero() && f.ReconcileAt.Before(f.ExpiresAt) {
		return f.ReconcileAt
	}
	return f.ExpiresAt
}

// Live reports whether the flow can still change at time now.
func (f *Flow) Live(now time.Time) bool {
	return !f.State.Terminal() && now.Before(f.ExpiresAt)
}

// HasVerified reports whether the factor succeeded in this flow.
func (f *Flow) HasVerified(method string) bool {
	for _, m := range f.Verified {
		if m == method {
			return true
		}
	}
	return false
}
