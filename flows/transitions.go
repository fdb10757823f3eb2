package flows

// transitions lists every legal move. A self-loop (a failed attempt that
// stays in place) is legal where listed. Terminal states have no exits.
var transitions = map[State][]State{
	StateIssued:           {StateRedeemed, StateCancelled, StateSuperseded, StateExpired},
	StateRedeemed:         {StateRedeemed, StateVerified, StateAwaitingApproval, StateFailed, StateCancelled, StateSuperseded, StateExpired},
	StateAwaitingApproval: {StateVerified, StateDenied, StateCancelled, StateSuperseded, StateExpired},
	StateVerified:         {StateApplying, StateFailed, StateCancelled, StateSuperseded, StateExpired},
	StateApplying:         {StateCompleted, StateVerified, StateAwaitingApproval, StateFailed, StateExpired},
	StateCompleted:        {},
	StateDenied:           {},
	StateFailed:           {},
	StateCancelled:        {},
	StateSuperseded:       {},
	StateExpired:          {},
}

// CanMove reports whether from -> to is a legal transition.
func CanMove(from, to State) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}
