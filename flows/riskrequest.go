package flows

import (
	"context"
	"errors"
	"time"

	"github.com/resetbot/resetbot/directory"
)

// riskCount is the most uses a risk counter keeps in its window: far above
// any sensible threshold, and a bound on the memory one account or
// department can take.
const riskCount = 1 << 12

// The risk counters' keys (sliding windows, Store.Take and Store.Used).
func riskRequestsKey(accountID string) string   { return "risk:req:" + accountID }
func riskDepartmentKey(dept string) string      { return "risk:dept:" + dept }
func riskFailuresKey(accountID string) string   { return "risk:fail:" + accountID }
func riskDeclinedKey(accountID string) string   { return "risk:declined:" + accountID }
func riskBrowserKey(accountID, d string) string { return "risk:dev:" + accountID + ":" + d }
func riskCountryKey(accountID, c string) string { return "risk:ctry:" + accountID + ":" + c }
func riskAnyCountryKey(accountID string) string { return "risk:ctry:" + accountID }

// requestRiskReads are the request-time risk signals' window counts that
// are only read (failed verifications and declined caller verifications
// of the account), for the start's one round trip with the account's
// budget (Store.Admit).
func (e *Engine) requestRiskReads(kind Kind, u *directory.User) []Window {
	if !riskKind(kind) {
		return nil
	}
	p := e.cfg.Risk
	var reads []Window
	if p.AccountFailures > 0 {
		reads = append(reads, Window{riskFailuresKey(u.ID), p.Window})
	}
	return append(reads, Window{riskDeclinedKey(u.ID), p.Window})
}

// requestRisk counts this request and returns the request-time findings
// for the account: velocity (requests and failed verifications of the
// account, requests from its department, within the window) and a caller
// verification its owner declined within the window. It runs in Start,
// after the hard rate limits, so every platform's requests get it; counts
// are the answers to reads (requestRiskReads), read with the account's
// budget. The velocity counters, when set, count this request first, so
// only an admitted request counts.
func (e *Engine) requestRisk(ctx context.Context, kind Kind, u *directory.User, reads []Window, counts []int64, now time.Time) ([]RiskFinding, error) {
	if !riskKind(kind) {
		return nil, nil
	}
	p := e.cfg.Risk
	read := countsOf(reads, counts)
	// The velocity counters this request counts in: one round trip to
	// count it, one to read them.
	var velocity []Window
	if p.AccountRequests > 0 {
		velocity = append(velocity, Window{riskRequestsKey(u.ID), p.Window})
	}
	if p.DepartmentRequests > 0 && u.Department != "" {
		velocity = append(velocity, Window{riskDepartmentKey(u.Department), p.Window})
	}
	count := func(string) int64 { return 0 }
	if len(velocity) > 0 {
		budgets := make([]Budget, len(velocity))
		for i, w := range velocity {
			budgets[i] = Budget{Key: w.Key, Window: w.Window, Max: riskCount}
		}
		if _, err := e.store.TakeAll(ctx, budgets, now); err != nil {
			return nil, err
		}
		n, err := e.store.UsedAll(ctx, velocity, now)
		if err != nil {
			return nil, err
		}
		count = countsOf(velocity, n)
	}
	var out []RiskFinding
	if p.AccountRequests > 0 {
		if n := count(riskRequestsKey(u.ID)); n > int64(p.AccountRequests) {
			out = append(out, RiskFinding{RiskVelocity, RiskFacts{Fact: FactAccountRequests, Count: int(n), Limit: p.Window, Threshold: p.AccountRequests}.Detail()})
		}
	}
	if p.AccountFailures > 0 {
		if n := read(riskFailuresKey(u.ID)); n >= int64(p.AccountFailures) {
			out = append(out, RiskFinding{RiskVelocity, RiskFacts{Fact: FactAccountFailures, Count: int(n), Limit: p.Window, Threshold: p.AccountFailures}.Detail()})
		}
	}
	if p.DepartmentRequests > 0 && u.Department != "" {
		if n := count(riskDepartmentKey(u.Department)); n > int64(p.DepartmentRequests) {
			out = append(out, RiskFinding{RiskVelocity, RiskFacts{Fact: FactDepartmentRequests, Count: int(n), Department: u.Department, Limit: p.Window, Threshold: p.DepartmentRequests}.Detail()})
		}
	}
	if n := read(riskDeclinedKey(u.ID)); n > 0 {
		out = append(out, RiskFinding{RiskCallerDeclined, RiskFacts{Fact: FactCallerDeclined, Count: int(n), Limit: p.Window}.Detail()})
	}
	return out, nil
}

// riskRefusal audits a request denied by the risk policy: the decisions,
// with no flow (none is made, so no link is spent on a dead end), and
// ends the account's live flow of the kind, whose link an earlier request
// sent: the signal is about the account, not only this request.
func (e *Engine) riskRefusal(ctx context.Context, kind Kind, actor string, u *directory.User, d riskDecision, now time.Time) error {
	f := &Flow{Kind: kind, Subject: Subject{AccountID: u.ID, AccountName: u.AccountName, Department: u.Department}}
	evs := e.riskEvents(f, d, actor, now)
	if err := e.store.Append(ctx, u.ID, evs); err != nil {
		return err
	}
	for attempt := 0; attempt < 8; attempt++ {
		_, err := e.supersedeFor(ctx, u.ID, kind, actor, "denied by risk policy: "+d.cause.Signal())
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			return errors.Join(&RiskDeniedError{Rule: d.cause}, err)
		}
		break
	}
	return &RiskDeniedError{Rule: d.cause}
}
