package webauth

import (
	"fmt"
	"net/http"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/i18n"
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
	f, l := fc.flow, s.tr(r)
	p := basePage(fc, "web.done.title", 3)
	var d doneData
	switch f.State {
	case flows.StateCompleted:
		d = doneData{OK: true, Headline: successHeadline(l, f.Kind), Next: nextSteps(l, f.Kind)}
		if f.Kind == flows.KindApprove && f.Approve.TargetKind == flows.KindRevoke {
			d.Next[0] = l.T("web.revoke.done_next") // nobody finishes a reset after this approval
		}
	case flows.StateApplying:
		p.Title = "web.done.almost"
		p.Scripts = []string{"status.js"}
		d = pendingData(l, f)
	case flows.StateDenied, flows.StateFailed, flows.StateExpired, flows.StateCancelled, flows.StateSuperseded:
		sp := s.report(r, f.ID, fmt.Errorf("%w: state %s", errFlowEnded, f.State))
		p.Title = "web.done.not_completed"
		// The bar stops at the step the flow reached: it never reads as
		// finished for a flow that was not.
		p.Step, p.Stopped = stoppedAt(f), true
		d = doneData{Headline: endedHeadline(l, f.State), ErrorID: sp.ID, Next: []string{l.T("web.done.ended.next")}}
		if f.RiskDenied != "" {
			// No retry would get further: the helpdesk is the way on.
			d.Headline = l.T("web.problem.risk_denied.title")
			d.Next = []string{l.T("web.problem.risk_denied.message", "Contact", s.helpdeskContact())}
		}
		if headline, what, next, ok := interrupted(l, f); ok {
			d.Headline = headline + "."
			d.Next = []string{what + " " + next, l.T("web.done.ended.help")}
		}
	default:
		http.Redirect(w, r, nextPage(f), http.StatusSeeOther)
		return
	}
	p.Data = d
	s.render(w, r, http.StatusOK, "done", p)
}

func successHeadline(l i18n.Lang, k flows.Kind) string {
	switch k {
	case flows.KindUnlock:
		return l.T("web.done.ok.unlock")
	case flows.KindEnroll:
		return l.T("web.done.ok.enroll")
	case flows.KindApprove:
		return l.T("web.done.ok.approve")
	}
	return l.T("web.done.ok.reset")
}

func nextSteps(l i18n.Lang, k flows.Kind) []string {
	switch k {
	case flows.KindUnlock:
		return []string{l.T("web.done.next.unlock1"), l.T("web.done.next.unlock2")}
	case flows.KindEnroll:
		return []string{l.T("web.done.next.enroll1"), l.T("web.done.next.close")}
	case flows.KindApprove:
		return []string{l.T("web.done.next.approve1"), l.T("web.done.next.close")}
	}
	return []string{l.T("web.done.next.reset1"), l.T("web.done.next.reset2"), l.T("web.done.next.close")}
}

func endedHeadline(l i18n.Lang, st flows.State) string {
	switch st {
	case flows.StateDenied:
		return l.T("web.done.ended.denied")
	case flows.StateFailed:
		return l.T("web.done.ended.failed")
	case flows.StateExpired:
		return l.T("web.done.ended.expired")
	case flows.StateSuperseded:
		return l.T("web.done.ended.superseded")
	}
	return l.T("web.done.ended.cancelled")
}

// stoppedAt is the step an unsuccessful flow ended in: verification when
// it never verified, else the step after it.
func stoppedAt(f *flows.Flow) int {
	if len(f.Verified) == 0 {
		return 1
	}
	return 2
}
