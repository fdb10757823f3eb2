package flows

// State is where a flow stands. States are typed constants; the legal moves
// between them are listed once in transitions and drawn in state.mermaid (a
// test keeps the two in sync).
type State string

// The flow states.
const (
	// StateIssued: the flow exists and its link was issued; nobody has
	// redeemed the link yet. Opening it (GET) keeps this state.
	StateIssued State = "issued"
	// StateRedeemed: the link was redeemed by a POST, which bound the flow
	// to one browser; verification is next.
	StateRedeemed State = "redeemed"
	// StateAwaitingApproval: the user verified, but the account is
	// privileged and a helpdesk member must approve. A flow also comes back
	// here from StateApplying when the re-read before the directory write
	// finds the account privileged since the request.
	StateAwaitingApproval State = "awaiting_approval"
	// StateVerified: every requirement is met; the final action (set the
	// password, unlock, enroll) may run.
	StateVerified State = "verified"
	// StateApplying: the final action is being written to the directory.
	// The audit event is stored before the side effect runs (outbox); a
	// flow whose process died here is reconciled from the directory's
	// evidence (Engine.ExpireDue), never left here or half-recorded.
	StateApplying State = "applying"
	// StateCompleted: done.
	StateCompleted State = "completed"
	// StateDenied: a helpdesk member denied the approval.
	StateDenied State = "denied"
	// StateFailed: too many failed attempts; the user must start over.
	StateFailed State = "failed"
	// StateCancelled: the requester or helpdesk cancelled.
	StateCancelled State = "cancelled"
	// StateSuperseded: a newer request for the same account and kind
	// replaced this flow.
	StateSuperseded State = "superseded"
	// StateExpired: the flow's lifetime ended before completion.
	StateExpired State = "expired"
)

// Terminal reports whether no transition leaves s.
func (s State) Terminal() bool {
	switch s {
	case StateCompleted, StateDenied, StateFailed, StateCancelled, StateSuperseded, StateExpired:
		return true
	}
	return false
}

// Known reports whether s is one of the declared states. A flow read back
// with an unknown state (an older or newer binary wrote it) is restarted.
func (s State) Known() bool {
	_, ok := transitions[s]
	return ok
}
