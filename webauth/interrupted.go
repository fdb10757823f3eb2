package webauth

import (
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/i18n"
)

// interrupted words the end of a flow whose directory write was
// interrupted (its process died or lost the store) and which the
// reconciler then ended in StateFailed: what happened, by the directory's
// evidence (what), and what to do next (next), apart so a page says each
// once. Such a flow did not fail by too many
// attempts, and "nothing was changed" is said only when the directory
// shows it. ok is false for every other flow.
func interrupted(l i18n.Lang, f *flows.Flow) (headline, what, next string, ok bool) {
	if f.State != flows.StateFailed {
		return "", "", "", false
	}
	switch f.Recovery {
	case flows.RecoveryNotApplied:
		switch f.Kind {
		case flows.KindUnlock:
			return l.T("web.interrupted.unlock_title"), l.T("web.interrupted.unlock"), l.T("web.error.restart"), true
		case flows.KindApprove:
			return l.T("web.interrupted.approve_title"), l.T("web.interrupted.approve"), l.T("web.interrupted.approve_next"), true
		}
		return l.T("web.interrupted.not_written_title"), l.T("web.interrupted.not_written"), l.T("web.error.restart"), true
	case flows.RecoveryUnknown:
		return l.T("web.interrupted.unknown_title"), l.T("web.interrupted.unknown"), l.T("web.error.restart"), true
	}
	return "", "", "", false
}
