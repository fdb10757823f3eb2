package webauth

import (
	"net/http"
	"strings"

	"github.com/resetbot/resetbot/flows"
)

// approveData is what the approval confirmation page shows.
type approveData struct {
	// Target is the account whose reset the approver confirms.
	Target string
	// Revoke is set when the approval removes Target's sign-in methods
	// (flows.KindRevoke): Factor names what goes, and the page says so
	// rather than "password reset".
	Revoke bool
	Factor string
}

// approvePage is GET /f/{id}/approve: after the approver verified with
// their own passkey, one button confirms the approval. Reachable only in
// StateVerified of an approval flow.
func (s *Server) approvePage(w http.ResponseWriter, r *http.Request, fc *flowCtx) {
	f := fc.flow
	switch {
	case f.Kind != flows.KindApprove:
		s.fail(w, r, fc, errWrongKind)
	case f.State != flows.StateVerified:
		http.Redirect(w, r, nextPage(f), http.StatusSeeOther)
	default:
		p := basePage(fc, "web.approve.title", 2)
		d := approveData{Target: f.Approve.TargetAccount, Revoke: f.Approve.TargetKind == flows.KindRevoke, Factor: f.Factor}
		if d.Revoke && strings.EqualFold(d.Factor, flows.RevokeAll) {
			d.Factor = s.tr(r).T("web.revoke.everything")
		}
		p.Data = d
		if f.Approve.TargetKind == flows.KindRevoke {
			p.Title = "web.revoke.approve_title"
		}
		s.render(w, r, http.StatusOK, "approve", p)
	}
}

// approveSubmit is POST /f/{id}/approve: completing the approval flow
// decides the flow it approves, as the verified approver.
func (s *Server) approveSubmit(w http.ResponseWriter, r *http.Request, fc *flowCtx) {
	if fc.flow.Kind != flows.KindApprove {
		s.fail(w, r, fc, errWrongKind)
		return
	}
	nf, err := s.deps.Engine.Complete(r.Context(), fc.flow.ID, fc.binding, flows.Completion{Client: s.client(r)})
	if err != nil {
		s.fail(w, r, fc, err)
		return
	}
	http.Redirect(w, r, nextPage(nf), http.StatusSeeOther)
}
