package webauth

import (
	"fmt"
	"net/http"

	"github.com/resetbot/resetbot/flows"
)

// doneData is what the last page says.
type doneData struct {
	OK       bool
	Pending  bool
	Headline string
	Next     []string
	ErrorID  string
	// StatusURL and WaitState drive the pending page's poll: it reloads
	// once the flow's state is no longer WaitState.
	StatusURL string
	WaitState string
}

// errFlowEnded: the flow ended without success (denied, failed, expired,
// cancelled, superseded); the state is in the log line.
var errFlowEnded = fmt.Errorf("webauth: flow ended without success")

// donePage is GET /f/{id}/done: what happened and what to do next, or the
// error id to give the helpdesk.
func (s *Server) donePage(w http.ResponseWriter, r *http.Request, fc *flowCtx) {
	f := fc.flow
	p := basePage(fc, "Done", 3)
	var d doneData
	switch f.State {
	case flows.StateCompleted:
		d = doneData{OK: true, Headline: successHeadline(f.Kind), Next: nextSteps(f.Kind)}
	case flows.StateApplying:
		p.Title = "Almost done"
		p.Scripts = []string{"status.js"}
		d = pendingData(f)
	case flows.StateDenied, flows.StateFailed, flows.StateExpired, flows.StateCancelled, flows.StateSuperseded:
		sp := s.report(r, f.ID, fmt.Errorf("%w: state %s", errFlowEnded, f.State))
		p.Title = "Not completed"
		// The bar stops at the step the flow reached: it never reads as
		// finished for a flow that was not.
		p.Step, p.Stopped = stoppedAt(f), true
		d = doneData{Headline: endedHeadline(f.State), ErrorID: sp.ID,
			Next: []string{"Ask the bot for a new link, or contact the helpdesk and give them the error id below."}}
		if headline, next, ok := interrupted(f); ok {
			d.Headline = headline + "."
			d.Next = []string{next, "If you need help, contact the helpdesk and give them the error id below."}
		}
	default:
		http.Redirect(w, r, nextPage(f), http.StatusSeeOther)
		return
	}
	p.Data = d
	s.render(w, http.StatusOK, "done", p)
}

func successHeadline(k flows.Kind) string {
	switch k {
	case flows.KindUnlock:
		return "Your account is unlocked."
	case flows.KindEnroll:
		return "Your sign-in is set up."
	case flows.KindApprove:
		return "Your approval is confirmed."
	}
	return "Your password was changed."
}

func nextSteps(k flows.Kind) []string {
	switch k {
	case flows.KindUnlock:
		return []string{"Sign in again with your current password.", "If you do not remember it, ask the bot for a password reset."}
	case flows.KindEnroll:
		return []string{"Next time you need a reset, you can confirm it is you with this passkey.", "You can close this page."}
	case flows.KindApprove:
		return []string{"The user can now finish their reset; the helpdesk thread shows your approval.", "You can close this page."}
	}
	return []string{"Sign in again on your other devices (laptop, phone mail, VPN) with the new password.",
		"Update any saved passwords in your browser or password manager.", "You can close this page."}
}

func endedHeadline(st flows.State) string {
	switch st {
	case flows.StateDenied:
		return "The helpdesk did not approve this request."
	case flows.StateFailed:
		return "This request was stopped after too many attempts."
	case flows.StateExpired:
		return "This request expired before it was finished."
	case flows.StateSuperseded:
		return "A newer request replaced this one."
	}
	return "This request was cancelled."
}

// stoppedAt is the step an unsuccessful flow ended in: verification when
// it never verified, else the step after it.
func stoppedAt(f *flows.Flow) int {
	if len(f.Verified) == 0 {
		return 1
	}
	return 2
}
