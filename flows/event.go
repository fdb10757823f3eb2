package flows

import "time"

// EventType names what happened in an audit event. The set is closed: sinks
// (the JSON audit log, chat threads) render each type in their own words.
type EventType string

// The audit event types, one per kind of transition or notable refusal.
const (
	EventRequested  EventType = "flow.requested"
	EventSuperseded EventType = "flow.superseded"
	EventRefused    EventType = "flow.refused"
	EventLinkSent   EventType = "link.sent"
	// EventLinkReissued: the first link was never recorded as delivered
	// (the process died between issuing and sending it, or the send
	// failed), so a new one replaced it and was sent in its place.
	EventLinkReissued EventType = "link.reissued"
	EventLinkOpened   EventType = "link.opened"
	// EventLinkPreviewed: a chat unfurler or mail scanner (recognised by
	// the web app from its User-Agent) fetched the link ahead of the
	// person. It is not the person opening it, so it is its own type with
	// the system as actor: nothing that counts opens can count it.
	EventLinkPreviewed    EventType = "link.previewed"
	EventLinkRedeemed     EventType = "link.redeemed"
	EventVerified         EventType = "verify.succeeded"
	EventVerifyFailed     EventType = "verify.failed"
	EventApprovalRequired EventType = "approval.requested"
	EventApproved         EventType = "approval.granted"
	EventDenied           EventType = "approval.denied"
	// EventClickRefused: an Approve or Deny click that did not count (by
	// the requester, the target, someone outside the helpdesk, an unknown
	// user). Reason says who and why, and how often they tried.
	EventClickRefused    EventType = "approval.click_refused"
	EventApplying        EventType = "change.applying"
	EventApplyFailed     EventType = "change.failed"
	EventPasswordSet     EventType = "password.set"
	EventPasswordRefused EventType = "password.refused"
	EventUnlocked        EventType = "account.unlocked"
	EventEnrolled        EventType = "factor.enrolled"
	EventCompleted       EventType = "flow.completed"
	EventCancelled       EventType = "flow.cancelled"
	EventExpired         EventType = "flow.expired"
	EventFailed          EventType = "flow.failed"
	// EventRecoveredCompleted and EventRecoveredFailed are the reconciler's
	// verdicts on a flow whose process died (or lost Redis) during its
	// directory write: the directory's own evidence (its password change
	// time, the lockout cleared) shows the change was, or was not, made.
	EventRecoveredCompleted EventType = "recovery.completed"
	EventRecoveredFailed    EventType = "recovery.failed"
)

// The factor-change events: one passkey or authenticator app added to or
// removed from the subject's account in an enroll flow. The bot core tells
// the user privately and posts them in the helpdesk thread.
const (
	EventFactorAdded   EventType = "factor.added"
	EventFactorRemoved EventType = "factor.removed"
)

// Event is one audit record. It is appended to the audit stream in the same
// atomic step as the state change it describes, so a crash can never lose it.
// It never holds a password, token or code: only what happened, to whom, by
// whom, when and from where.
type Event struct {
	// ID is the stream entry id, assigned by the store when the event is
	// read back; it is unique and increases, so sinks deduplicate on it.
	ID string `json:"id,omitempty"`
	// Time is when the transition happened, in UTC.
	Time time.Time `json:"time"`
	Type EventType `json:"type"`
	// FlowID and Kind identify the flow; Account is the canonical directory
	// account name of the subject, AccountID its immutable id.
	FlowID    string `json:"flow_id"`
	Kind      Kind   `json:"kind"`
	Account   string `json:"account,omitempty"`
	AccountID string `json:"account_id,omitempty"`
	// Department of the subject, for per-department alerts and reports.
	Department string `json:"department,omitempty"`
	// Actor is who caused the event: the chat identity of the requester or
	// helpdesk member ("slack:U123"), or "system".
	Actor string `json:"actor"`
	// From and To are the states around the transition, when there is one.
	From State `json:"from,omitempty"`
	To   State `json:"to,omitempty"`
	// Outcome is "ok" for a step that succeeded, else a short code such as
	// "denied", "policy", "expired", "limit".
	Outcome string `json:"outcome"`
	// Reason is a human-readable detail safe for audit: a policy reason, a
	// refusal cause. Never a secret.
	Reason string `json:"reason,omitempty"`
	// Method is the verification factor ("passkey", "totp") when relevant.
	Method string `json:"method,omitempty"`
	// SourceIP and Device describe where a web step came from, when known.
	SourceIP string `json:"source_ip,omitempty"`
	Device   string `json:"device,omitempty"`
	// Thread is the chat audit-thread reference of the flow, if any.
	Thread string `json:"thread,omitempty"`
}
