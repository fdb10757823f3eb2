package webauth

import "github.com/resetbot/resetbot/flows"

// interrupted words the end of a flow whose directory write was
// interrupted (its process died or lost the store) and which the
// reconciler then ended in StateFailed: what happened, by the directory's
// evidence, and what to do next. Such a flow did not fail by too many
// attempts, and "nothing was changed" is said only when the directory
// shows it. ok is false for every other flow.
func interrupted(f *flows.Flow) (headline, next string, ok bool) {
	if f.State != flows.StateFailed {
		return "", "", false
	}
	switch f.Recovery {
	case flows.RecoveryNotApplied:
		switch f.Kind {
		case flows.KindUnlock:
			return "Your account was not unlocked",
				"The service was interrupted while unlocking it, and the directory shows it is still locked. Ask the bot for a new link to try again.", true
		case flows.KindApprove:
			return "Your decision was not recorded",
				"The service was interrupted before it was recorded. If the request is still open, decide on it again in the helpdesk thread.", true
		}
		return "Your new password was not written; nothing was changed",
			"The service was interrupted while writing it, and the directory shows no change: your old password still works. Ask the bot for a new link to try again.", true
	case flows.RecoveryUnknown:
		return "Your new password could not be confirmed as written",
			"The service was interrupted while writing it, and the directory cannot say whether it was written. Try signing in with the new password: if it works, it was written. If it does not, your old password still works; ask the bot for a new link.", true
	}
	return "", "", false
}
