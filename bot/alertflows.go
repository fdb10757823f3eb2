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

// departmentFlows remembers ev's flow among its department's requests in
// the window and, when want, returns the latest of them (oldest first),
// for the alert to name. A store that cannot keep them names none.
func (b *Bot) departmentFlows(ctx context.Context, ev flows.Event, window time.Duration, want bool) ([]string, error) {
	rk, ok := b.deps.Store.(flows.RecentKeeper)
	if !ok || ev.FlowID == "" {
		return nil, nil
	}
	key := "alert:dept-flows:" + ev.Department
	if err := rk.Remember(ctx, key, ev.FlowID, window, ev.Time); err != nil {
		return nil, err
	}
	if !want {
		return nil, nil
	}
	ids, err := rk.Recent(ctx, key, window, ev.Time, 1<<10)
	if err != nil {
		return nil, err
	}
	if len(ids) > maxAlertFlows {
		ids = ids[len(ids)-maxAlertFlows:]
	}
	return ids, nil
}

// alertFlows is the alert's line naming its flows, in the helpdesk's
// language, or nothing.
func (b *Bot) alertFlows(a alert) []string {
	if len(a.Flows) == 0 {
		return nil
	}
	return []string{b.helpdeskLang().T("chat.alert.flows", "List", strings.Join(a.Flows, ", "))}
}
