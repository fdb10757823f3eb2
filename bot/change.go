package bot

import (
	"strconv"
	"time"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/i18n"
)

// A password change (flows.KindChange) is what an expiry reminder's button
// starts: a reset's verified path for someone who did not forget anything.
// What the person reads says "change your password", never "reset" or
// "forgot"; the helpdesk thread names the kind; the report counts the
// changes completed before the expiry the reminder named.

// statChangedBeforeExpiry counts, per day, password changes completed
// before the expiry their reminder named; statRemindersSent the reminders
// delivered.
const (
	statRemindersSent       = "stats:reminders:sent"
	statChangedBeforeExpiry = "stats:reminders:changed_in_time"
)

// msgWorkingChange is the first reply to a reminder's button, whoever
// clicks: the same words whatever follows, no I/O before it.
func msgWorkingChange(l i18n.Lang) Message {
	return Message{Summary: l.T("chat.working.change.summary"), Body: []string{l.T("chat.working.change.body")}}
}

// reminderValue is the value of a reminder's change button: the expiry the
// reminder names, in Unix seconds. It names no account; a forged value can
// only move the clicker's own change in or out of the report's count.
func reminderValue(expires time.Time) string { return strconv.FormatInt(expires.Unix(), 10) }

// reminderExpiry reads a change button's value; anything else (a button
// from before the value existed, a forged one) is no known expiry.
func reminderExpiry(v string) time.Time {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}

// changedInTime reports whether ev completes a password change before the
// expiry its reminder named: counted from the change's own completion
// event, not estimated from who was reminded.
func changedInTime(f *flows.Flow, ev flows.Event) bool {
	return ev.Type == flows.EventCompleted && f.Kind == flows.KindChange &&
		!f.PasswordExpiry.IsZero() && ev.Time.Before(f.PasswordExpiry)
}

// reminderFigures is the report's line on expiry reminders, in l.
func (b *Bot) reminderFigures(l i18n.Lang, st Stats) string {
	return l.T("chat.report.reminders", "Sent", st.RemindersSent,
		"Started", st.Requested[flows.KindChange], "InTime", st.ChangedBeforeExpiry)
}
