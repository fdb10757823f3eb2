package bot

import (
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/i18n"
)

// The words of the caller verification ("/reset verify"): the request the
// target reads, the member's private answers, and the helpdesk thread,
// which says whether the caller was verified and nothing else about the
// account (no factors, no account details: the member may be talking to
// an impostor).

// msgVerifyRequest is the target's private request: who asked and why,
// the link, and how long it works. It says the link changes nothing, so a
// person who did not call is not afraid to open it and decline.
func (b *Bot) msgVerifyRequest(f *flows.Flow, token, reason string) Message {
	l := b.langOf(f.Locale)
	body := []string{l.T("chat.verify.request.body", "Helpdesk", Mention(f.RequestedBy))}
	if reason != "" {
		body = append(body, l.T("chat.verify.request.reason", "Reason", reason))
	}
	body = append(body, l.T("chat.verify.request.what"))
	expires := b.clockIn(f.ExpiresAt, f.Locale)
	return Message{
		Summary: l.T("chat.verify.request.summary"),
		Title:   l.T("chat.verify.request.title"),
		Body:    body,
		Link:    &Link{URL: b.linkURL(token), Label: l.T("chat.verify.request.button")},
		Note:    l.T("chat.verify.request.note", "Time", expires, "Duration", minutesIn(l, f.ExpiresAt.Sub(f.IssuedAt))),
	}
}

// msgVerifySent is the member's private answer once the request is out.
func (b *Bot) msgVerifySent(l i18n.Lang, target flows.ChatIdentity, f *flows.Flow) Message {
	return Message{
		Summary: l.T("chat.verify.sent.summary"),
		Body:    []string{l.T("chat.verify.sent.body", "User", Mention(target), "Time", b.clock(f.ExpiresAt))},
		Tone:    ToneGood,
	}
}

// msgVerifyOwn refuses a member's verification of their own account.
func msgVerifyOwn(l i18n.Lang) Message {
	return Message{Summary: l.T("chat.verify.own.summary"), Body: []string{l.T("chat.verify.own.body")}, Tone: ToneWarning}
}

// msgVerifyNoPasskey tells the member at once that the target cannot
// confirm with a passkey, so no request was sent.
func msgVerifyNoPasskey(l i18n.Lang, target flows.ChatIdentity, enrollFor string) Message {
	return Message{
		Summary: l.T("chat.verify.nopasskey.summary"),
		Body:    []string{l.T("chat.verify.nopasskey.body", "User", Mention(target)), l.T("chat.verify.nopasskey.next", "Command", enrollFor)},
		Tone:    ToneWarning,
	}
}

// msgVerifyUndelivered tells the member the request did not reach the
// target.
func msgVerifyUndelivered(l i18n.Lang, target flows.ChatIdentity) Message {
	return Message{Summary: l.T("chat.verify.undelivered.summary"), Body: []string{l.T("chat.verify.undelivered.body", "User", Mention(target))}, Tone: ToneWarning}
}

// verifyParent is the thread parent of a caller verification: whom, asked
// by whom, and where it stands. No department, no account tier; the
// member's reason is in the target's request and the audit log.
func (b *Bot) verifyParent(f *flows.Flow) Message {
	l := b.helpdeskLang()
	status, tone := b.verifyStatus(l, f)
	title := l.T("chat.verify.thread.title")
	fields := []Field{
		{Label: l.T("chat.verify.thread.user"), Value: Mention(f.Subject.Chat)},
		{Label: l.T("chat.verify.thread.by"), Value: Mention(f.RequestedBy)},
	}
	fields = append(fields, Field{Label: l.T("chat.verify.thread.status"), Value: status})
	return Message{
		Summary: l.T("chat.verify.thread.summary", "Status", status),
		Title:   title,
		Fields:  fields,
		Note:    l.T("chat.verify.thread.note", "Flow", f.ID, "Time", b.clock(f.IssuedAt)),
		Tone:    tone,
	}
}

// verifyStatus is the parent's status line for the flow's state.
func (b *Bot) verifyStatus(l i18n.Lang, f *flows.Flow) (string, Tone) {
	switch f.State {
	case flows.StateIssued:
		if f.LinkSentAt.IsZero() {
			return l.T("chat.verify.status.unsent"), ToneNeutral
		}
		return l.T("chat.verify.status.waiting", "Time", b.clock(f.ExpiresAt)), ToneNeutral
	case flows.StateRedeemed, flows.StateVerified, flows.StateApplying:
		return l.T("chat.verify.status.opened"), ToneNeutral
	case flows.StateCompleted:
		return l.T("chat.verify.status.verified"), ToneGood
	}
	return l.T("chat.verify.not", "Why", verifyWhy(l, f.State)), ToneDanger
}

// verifyWhy is the one word of "Not verified (...)" for an ended state.
func verifyWhy(l i18n.Lang, s flows.State) string {
	switch s {
	case flows.StateExpired:
		return l.T("chat.verify.why.expired")
	case flows.StateCancelled:
		return l.T("chat.verify.why.declined")
	case flows.StateSuperseded:
		return l.T("chat.verify.why.replaced")
	}
	return l.T("chat.verify.why.failed")
}

// verifyOutcome is the thread reply for an event that ends a caller
// verification, and false for every other event (the thread tells the
// outcome only). ok is "Verified with passkey <name>, <time>"; anything
// else is "Not verified (expired | declined | failed | replaced)".
func (b *Bot) verifyOutcome(ev flows.Event) (Message, bool) {
	l := b.helpdeskLang()
	var line string
	tone := ToneDanger
	switch ev.Type {
	case flows.EventCallerVerified:
		line, tone = l.T("chat.verify.ok", "Name", orDefault(ev.Reason, l.T("chat.verify.unnamed")), "Time", b.clock(ev.Time)), ToneGood
	case flows.EventCallerDeclined:
		line = b.clock(ev.Time) + " · " + l.T("chat.verify.not", "Why", l.T("chat.verify.why.declined"))
	case flows.EventExpired:
		line = b.clock(ev.Time) + " · " + l.T("chat.verify.not", "Why", l.T("chat.verify.why.expired"))
	case flows.EventFailed, flows.EventCancelled:
		line = b.clock(ev.Time) + " · " + l.T("chat.verify.not", "Why", l.T("chat.verify.why.failed"))
	case flows.EventSuperseded:
		line = b.clock(ev.Time) + " · " + l.T("chat.verify.not", "Why", l.T("chat.verify.why.replaced"))
	default:
		return Message{}, false
	}
	return Message{Summary: line, Body: []string{line}, Tone: tone}, true
}

// msgDeclineWarning is the warning posted in the helpdesk channel when the
// target says they did not call: whoever is on the line is not them.
func (b *Bot) msgDeclineWarning(f *flows.Flow, ev flows.Event) Message {
	l := b.helpdeskLang()
	return Message{
		Summary: l.T("chat.verify.warning.summary"),
		Title:   l.T("chat.verify.warning.title"),
		Body: []string{
			l.T("chat.verify.warning.body", "User", Mention(f.Subject.Chat), "Helpdesk", Mention(f.RequestedBy), "Time", b.clock(ev.Time)),
			l.T("chat.verify.warning.next"),
		},
		Tone:   ToneDanger,
		Urgent: true,
	}
}
