package webauth

import (
	"context"
	"errors"
	"net/http"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/i18n"
)

// completeWithin runs Engine.Complete detached from the request, so that a
// phone that gives up (or a slow directory) never cuts the write or its
// recording short, and waits for it only until r's deadline (the submit
// bound, SubmitWait). known=false means the outcome is not known yet: the
// write may still run, or it ran and its record is pending. The caller must
// then say "still writing", never "failed".
func (s *Server) completeWithin(r *http.Request, fc *flowCtx, c flows.Completion) (f *flows.Flow, known bool, err error) {
	type result struct {
		f   *flows.Flow
		err error
	}
	done := make(chan result, 1)
	detached := context.WithoutCancel(r.Context())
	go func() {
		nf, err := s.deps.Engine.Complete(detached, fc.flow.ID, fc.binding, c)
		done <- result{nf, err}
	}()
	select {
	case res := <-done:
		if errors.Is(res.err, flows.ErrOutcomePending) {
			s.deps.Logger.Warn("webauth: outcome of a directory write not recorded in time", "flow", fc.flow.ID, "err", res.err)
			return nil, false, nil
		}
		return res.f, true, res.err
	case <-r.Context().Done():
		s.deps.Logger.Warn("webauth: directory write still running when the submit bound ran out; the page polls for the outcome",
			"flow", fc.flow.ID, "wait", s.cfg.SubmitWait)
		return nil, false, nil
	}
}

// renderPending answers a submit whose outcome is not known yet: the page
// says the change is still being written and polls the flow's status
// until it ends.
func (s *Server) renderPending(w http.ResponseWriter, r *http.Request, fc *flowCtx, status int) {
	p := basePage(fc, "web.done.almost", 3)
	p.Scripts = []string{"status.js"}
	p.Data = pendingData(s.tr(r), fc.flow)
	s.render(w, r, status, "done", p)
}

// pendingData is the "still writing" page of a flow.
func pendingData(l i18n.Lang, f *flows.Flow) doneData {
	headline := l.T("web.done.writing_password")
	if f.Kind == flows.KindUnlock {
		headline = l.T("web.done.writing_unlock")
	}
	return doneData{Pending: true, Headline: headline, StatusURL: "/f/" + f.ID + "/status", WaitState: string(flows.StateApplying)}
}
