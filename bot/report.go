package bot

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/resetbot/resetbot/flows"
)

// reportDays is the period "/reset report" covers.
const reportDays = 7

// report answers "/reset report" for the helpdesk.
func (b *Bot) report(ctx context.Context, r Request) {
	if _, ok, err := b.helpdeskAccount(ctx, r.From); err != nil {
		b.respond(ctx, r.Respond, b.msgTrouble(b.langFor(r.From), b.fail("report: helpdesk check failed", err)))
		return
	} else if !ok {
		b.respond(ctx, r.Respond, msgNotHelpdesk(b.langFor(r.From)))
		return
	}
	st, err := b.Collect(ctx, reportDays)
	if err != nil {
		b.respond(ctx, r.Respond, b.msgTrouble(b.langFor(r.From), b.fail("report failed", err)))
		return
	}
	b.respond(ctx, r.Respond, b.reportMessage(st))
}

// reportMessage renders the figures.
func (b *Bot) reportMessage(st Stats) Message {
	outcomes := func(k flows.Kind) string {
		o := st.Outcomes[k]
		if len(o) == 0 {
			return "none finished"
		}
		names := make([]string, 0, len(o))
		for name := range o {
			names = append(names, name)
		}
		sort.Strings(names)
		parts := make([]string, len(names))
		for i, n := range names {
			parts[i] = fmt.Sprintf("%d %s", o[n], n)
		}
		return strings.Join(parts, ", ")
	}
	median := "n/a"
	if st.MedianToComplete > 0 {
		median = "under " + st.MedianToComplete.String()
	}
	verified := st.Methods[flows.MethodPasskey] + st.Methods[flows.MethodTOTP]
	passkeyShare := "n/a"
	if verified > 0 {
		passkeyShare = fmt.Sprintf("%d%% passkey, %d%% authenticator app",
			st.Methods[flows.MethodPasskey]*100/verified, st.Methods[flows.MethodTOTP]*100/verified)
	}
	saved := fmt.Sprintf("%d tickets", st.TicketsAvoided)
	if b.cfg.CostPerTicket > 0 {
		saved += fmt.Sprintf(" ≈ %s %.0f", orDefault(b.cfg.Currency, "USD"), float64(st.TicketsAvoided)*b.cfg.CostPerTicket)
	}
	return Message{
		Summary: fmt.Sprintf("Last %d days: %d resets requested, %d tickets avoided", st.Days, st.Requested[flows.KindReset], st.TicketsAvoided),
		Title:   fmt.Sprintf("Self-service report · last %d days", st.Days),
		Fields: []Field{
			{Label: "Resets", Value: fmt.Sprintf("%d requested: %s", st.Requested[flows.KindReset], outcomes(flows.KindReset))},
			{Label: "Unlocks", Value: fmt.Sprintf("%d requested: %s", st.Requested[flows.KindUnlock], outcomes(flows.KindUnlock))},
			{Label: "Enrollments", Value: fmt.Sprintf("%d passkeys, %d authenticator apps", st.Enrolled[flows.MethodPasskey], st.Enrolled[flows.MethodTOTP])},
			{Label: "Verified with", Value: passkeyShare},
			{Label: "Median time to finish", Value: median},
			{Label: "Helpdesk tickets avoided", Value: saved},
			{Label: "Expiry reminders", Value: b.reminderFigures(st)},
		},
	}
}
