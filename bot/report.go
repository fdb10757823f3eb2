package bot

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/i18n"
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
	f, err := b.Figures(ctx, reportDays, nil)
	if err != nil {
		b.respond(ctx, r.Respond, b.msgTrouble(b.langFor(r.From), b.fail("report failed", err)))
		return
	}
	b.respond(ctx, r.Respond, b.ReportMessage(b.langFor(r.From), f))
}

// ReportMessage renders the figures in l (the asking member's language in
// chat, helpdesk.language for `resetbot report --format text`), every
// count with its CLDR plural form.
func (b *Bot) ReportMessage(l i18n.Lang, f Figures) Message {
	st := f.Stats
	outcomes := func(k flows.Kind) string {
		o := st.Outcomes[k]
		if len(o) == 0 {
			return l.T("chat.report.none_finished")
		}
		names := make([]string, 0, len(o))
		for name := range o {
			names = append(names, name)
		}
		sort.Strings(names)
		parts := make([]string, len(names))
		for i, n := range names {
			parts[i] = l.N("chat.report.outcome."+n, int(o[n]))
		}
		return strings.Join(parts, ", ")
	}
	requested := func(k flows.Kind) string {
		return l.N("chat.report.requested", int(st.Requested[k]), "Outcomes", outcomes(k))
	}
	median := l.T("chat.report.na")
	if st.MedianToComplete > 0 {
		median = l.T("chat.report.under", "Duration", st.MedianToComplete.String())
	}
	verified := st.Methods[flows.MethodPasskey] + st.Methods[flows.MethodTOTP]
	passkeyShare := l.T("chat.report.na")
	if verified > 0 {
		passkeyShare = l.T("chat.report.share", "Passkey", st.Methods[flows.MethodPasskey]*100/verified,
			"TOTP", st.Methods[flows.MethodTOTP]*100/verified)
	}
	saved := l.N("chat.report.tickets", int(st.TicketsAvoided))
	if b.cfg.CostPerTicket > 0 {
		saved = l.T("chat.report.saved", "Tickets", saved, "Currency", orDefault(b.cfg.Currency, "USD"),
			"Amount", fmt.Sprintf("%.0f", float64(st.TicketsAvoided)*b.cfg.CostPerTicket))
	}
	fields := []Field{
		{Label: l.T("chat.report.resets"), Value: requested(flows.KindReset)},
		{Label: l.T("chat.report.unlocks"), Value: requested(flows.KindUnlock)},
		{Label: l.T("chat.report.enrollments"), Value: l.N("chat.report.passkeys", int(st.Enrolled[flows.MethodPasskey])) +
			", " + l.N("chat.report.apps", int(st.Enrolled[flows.MethodTOTP]))},
		{Label: l.T("chat.report.verified_with"), Value: passkeyShare},
		{Label: l.T("chat.report.median"), Value: median},
		{Label: l.T("chat.report.avoided"), Value: saved},
		{Label: l.T("chat.report.reminders_label"), Value: b.reminderFigures(l, st)},
	}
	fields = append(fields, complianceFields(l, f.Compliance)...)
	if len(f.Campaigns) > 0 {
		lines := make([]string, len(f.Campaigns))
		for i, p := range f.Campaigns {
			lines[i] = l.T("chat.report.campaign", "Name", p.Name, "Targeted", p.Targeted, "Messaged", p.Messaged, "Enrolled", p.EnrolledSince)
		}
		fields = append(fields, Field{Label: l.T("chat.report.campaigns"), Value: strings.Join(lines, "; ")})
	}
	return Message{
		Summary: l.T("chat.report.summary", "Period", l.N("chat.report.period", st.Days),
			"Resets", l.N("chat.report.resets_requested", int(st.Requested[flows.KindReset])),
			"Avoided", l.N("chat.report.tickets_avoided", int(st.TicketsAvoided))),
		Title:  l.N("chat.report.title", st.Days),
		Fields: fields,
	}
}

// complianceFields are the report's passkey enrollment lines, by group and
// by department; none when the report has no groups.
func complianceFields(l i18n.Lang, c Compliance) []Field {
	if len(c.Groups) == 0 {
		return nil
	}
	line := func(es []Enrollment, name func(string) string) string {
		parts := make([]string, len(es))
		for i, e := range es {
			pct := 0
			if e.Total > 0 {
				pct = e.Enrolled * 100 / e.Total
			}
			parts[i] = l.T("chat.report.enrolled_of", "Name", name(e.Name), "Enrolled", e.Enrolled, "Total", e.Total, "Percent", pct)
		}
		return strings.Join(parts, ", ")
	}
	dept := func(n string) string {
		if n == "" {
			return l.T("chat.report.no_department")
		}
		return n
	}
	return []Field{
		{Label: l.T("chat.report.compliance_groups"), Value: line(c.Groups, groupName)},
		{Label: l.T("chat.report.compliance_departments"), Value: line(c.Departments, dept)},
	}
}

// groupName is the value of a group DN's first RDN ("staff" for
// cn=staff,ou=Groups,...), how people know the group; the DN itself when it
// does not parse that way.
func groupName(dn string) string {
	first, _, _ := strings.Cut(dn, ",")
	if _, v, ok := strings.Cut(first, "="); ok && strings.TrimSpace(v) != "" && !strings.Contains(first, `\`) {
		return strings.TrimSpace(v)
	}
	return dn
}
