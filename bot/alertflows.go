package bot

import (
	"context"
	"strings"
	"time"

	"github.com/resetbot/resetbot/flows"
)

// maxAlertFlows is how many flows a department alert names: enough to
// open the threads of a burst, few enough to read.
const maxAlertFlows = 10

// rememberDepartmentFlow keeps ev's flow among its department's requests
// in the window. It is called before the request is counted, so that when
// a count reaches the threshold every request counted so far is already
// kept, whatever order concurrent readers handle them in. A store that
// cannot keep them keeps none.
func (b *Bot) rememberDepartmentFlow(ctx context.Context, ev flows.Event, window time.Duration) error {
	rk, ok := b.deps.Store.(flows.RecentKeeper)
	if !ok || ev.FlowID == "" {
		return nil
	}
	return rk.Remember(ctx, departmentFlowsKey(ev.Department), ev.FlowID, window, ev.Time)
}

// departmentFlows returns the latest of ev's department's requests in the
// window (oldest first), for the alert to name. The window ends now, not
// at ev: a request that happened after ev may have been counted before it.
func (b *Bot) departmentFlows(ctx context.Context, ev flows.Event, window time.Duration) ([]string, error) {
	rk, ok := b.deps.Store.(flows.RecentKeeper)
	if !ok || ev.FlowID == "" {
		return nil, nil
	}
	end := ev.Time
	if now := b.now(); now.After(end) {
		end = now
	}
	ids, err := rk.Recent(ctx, departmentFlowsKey(ev.Department), window, end, 1<<10)
	if err != nil {
		return nil, err
	}
	if len(ids) > maxAlertFlows {
		ids = ids[len(ids)-maxAlertFlows:]
	}
	return ids, nil
}

// departmentFlowsKey is where a department's recent requests are kept.
func departmentFlowsKey(department string) string { return "alert:dept-flows:" + department }

// alertFlows is the alert's line naming its flows, in the helpdesk's
// language, or nothing.
func (b *Bot) alertFlows(a alert) []string {
	if len(a.Flows) == 0 {
		return nil
	}
	return []string{b.helpdeskLang().T("chat.alert.flows", "List", strings.Join(a.Flows, ", "))}
}
