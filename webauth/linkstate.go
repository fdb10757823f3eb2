package webauth

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/i18n"
)

// Link states a person can meet after their flow ended. "Already used" is
// true of all of them but tells nobody what to do: each gets its own words.
var (
	errLinkReplaced  = errors.New("webauth: link replaced by a newer one")
	errLinkCancelled = errors.New("webauth: request cancelled")
	errLinkDenied    = errors.New("webauth: request denied by the helpdesk")
	errLinkFailed    = errors.New("webauth: request stopped")
	// errLinkRiskDenied: the risk policy ended the flow (Flow.RiskDenied).
	errLinkRiskDenied = errors.New("webauth: request denied by the risk policy")
	// errLinkNotApplied and errLinkUnconfirmed end a flow whose directory
	// write was interrupted (its process died or lost the store) and which
	// the reconciler then found not made, or could not tell.
	errLinkNotApplied  = errors.New("webauth: interrupted change not made")
	errLinkUnconfirmed = errors.New("webauth: interrupted change not confirmed")
	errLinkCompleted   = errors.New("webauth: request already completed")
)

// linkStateErr refines a link error by the state the flow ended in. The
// token was checked before (the flow is the one the link names), so saying
// how it ended reveals nothing a holder of the link could not learn.
func linkStateErr(f *flows.Flow, err error) error {
	if f == nil || !(errors.Is(err, flows.ErrTokenUsed) || errors.Is(err, flows.ErrExpired)) {
		return err
	}
	switch f.State {
	case flows.StateSuperseded:
		return fmt.Errorf("%w: %w", errLinkReplaced, err)
	case flows.StateCancelled:
		return fmt.Errorf("%w: %w", errLinkCancelled, err)
	case flows.StateDenied:
		return fmt.Errorf("%w: %w", errLinkDenied, err)
	case flows.StateFailed:
		if f.RiskDenied != "" {
			return fmt.Errorf("%w: %w", errLinkRiskDenied, err)
		}
		switch f.Recovery {
		case flows.RecoveryNotApplied:
			return fmt.Errorf("%w: %w", errLinkNotApplied, err)
		case flows.RecoveryUnknown:
			return fmt.Errorf("%w: %w", errLinkUnconfirmed, err)
		}
		return fmt.Errorf("%w: %w", errLinkFailed, err)
	case flows.StateCompleted:
		return fmt.Errorf("%w: %w", errLinkCompleted, err)
	}
	return err
}

// completedMessage says what was done and when, and what to do if it was
// not the person reading.
func completedMessage(l i18n.Lang, f *flows.Flow, loc *time.Location) string {
	when := f.EndedAt
	if when.IsZero() {
		when = f.ExpiresAt // never zero; an ended flow has EndedAt set
	}
	when = when.In(loc)
	t := when.Format("15:04 MST") + ", " + l.DayMonth(when)
	switch f.Kind {
	case flows.KindUnlock:
		return l.T("web.linkstate.completed.unlock", "Time", t)
	case flows.KindEnroll:
		return l.T("web.linkstate.completed.enroll", "Time", t)
	case flows.KindApprove:
		return l.T("web.linkstate.completed.approve", "Time", t)
	}
	return l.T("web.linkstate.completed.reset", "Time", t)
}

// failLink renders the page for a link that cannot continue, in the words
// of the state its flow is in.
func (s *Server) failLink(w http.ResponseWriter, r *http.Request, f *flows.Flow, err error) {
	if f != nil && f.Kind == flows.KindVerify && (errors.Is(err, flows.ErrTokenUsed) || errors.Is(err, flows.ErrExpired)) {
		s.callerLinkState(w, r, f, err)
		return
	}
	err = linkStateErr(f, err)
	flowID := ""
	if f != nil {
		flowID = f.ID
	}
	sp := s.report(r, flowID, err)
	switch {
	case errors.Is(err, errLinkCompleted):
		sp.Message = completedMessage(s.tr(r), f, s.readerOf(r).zone)
	case errors.Is(err, errLinkNotApplied), errors.Is(err, errLinkUnconfirmed):
		sp.Title, sp.Message, sp.Hint, _ = interrupted(s.tr(r), f)
	}
	s.render(w, r, Classify(err).Status, "error", page{Title: sp.Title, Problem: &sp, Change: isChange(f), Kind: kindOf(f)})
}
