package bot

import (
	"context"
	"strings"
	"time"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/i18n"
)

// What the bot says to requesters, from the message catalogue
// (internal/i18n, ids "chat.*") in the requester's language. Every refusal a
// requester can see is one of these, so wording stays consistent across
// platforms and never reveals which accounts exist.

// msgWorking is the first reply to every reset, unlock and enroll request,
// whoever asks and whatever the outcome: same words, no I/O before it.
func msgWorking(l i18n.Lang, v Verb) Message {
	id := "chat.working." + map[Verb]string{VerbReset: "reset", VerbUnlock: "unlock", VerbEnroll: "enroll"}[v]
	return Message{Summary: l.T(id + ".summary"), Body: []string{l.T(id + ".body")}}
}

// kindID is the catalogue prefix of a kind's link words.
func kindID(k flows.Kind) string {
	switch k {
	case flows.KindApprove:
		return "chat.link.approve"
	case flows.KindUnlock:
		return "chat.link.unlock"
	case flows.KindEnroll:
		return "chat.link.enroll"
	case flows.KindChange:
		return "chat.link.change"
	}
	return "chat.link.reset"
}

// msgLink is the private message carrying a link, in its subject's
// language and time zone.
func (b *Bot) msgLink(f *flows.Flow, token string, pushedBy *flows.ChatIdentity) Message {
	l := b.langOf(f.Locale)
	id := kindID(f.Kind)
	name := f.Factor
	if f.Kind == flows.KindApprove && f.Approve.TargetKind == flows.KindRevoke {
		id = "chat.revoke.link" // the approver removes a sign-in method, nobody resets a password
		if name == RevokeAll {
			name = l.T("chat.revoke.link.everything")
		}
	}
	title := l.T(id + ".title")
	body := []string{l.T(id+".body", "Account", f.Approve.TargetAccount, "Name", name)}
	if pushedBy != nil {
		body = append(body, l.T("chat.link.pushed", "Helpdesk", Mention(*pushedBy)))
	}
	if f.Subject.Privileged && f.Kind != flows.KindEnroll && f.Kind != flows.KindApprove {
		body = append(body, l.T("chat.link.privileged"))
	}
	expires := b.clockIn(f.ExpiresAt, f.Locale)
	return Message{
		Summary: l.T("chat.link.summary", "Title", title, "Time", expires),
		Title:   title,
		Body:    body,
		Link:    &Link{URL: b.linkURL(token), Label: l.T(id + ".button")},
		Note: l.T("chat.link.note", "Time", expires, "Duration", minutesIn(l, f.ExpiresAt.Sub(f.IssuedAt)),
			"Contact", b.cfg.HelpdeskContact),
	}
}

// msgUnavailable answers a request that cannot go ahead for the account
// (unknown, disabled, break-glass). The requester asked about their own
// chat identity, so this reveals nothing about anybody else's account.
func (b *Bot) msgUnavailable(l i18n.Lang, errID string) Message {
	return Message{
		Summary: l.T("chat.unavailable.summary"),
		Body:    []string{l.T("chat.unavailable.body", "Contact", b.cfg.HelpdeskContact)},
		Note:    l.T("chat.reference", "ID", errID),
		Tone:    ToneWarning,
	}
}

func (b *Bot) msgRateLimited(l i18n.Lang) Message {
	return Message{
		Summary: l.T("chat.ratelimited.summary"),
		Body:    []string{l.T("chat.ratelimited.body", "Contact", b.cfg.HelpdeskContact)},
		Tone:    ToneWarning,
	}
}

func (b *Bot) msgTrouble(l i18n.Lang, errID string) Message {
	return Message{
		Summary: l.T("chat.trouble.summary"),
		Body:    []string{l.T("chat.trouble.body", "Contact", b.cfg.HelpdeskContact)},
		Note:    l.T("chat.reference", "ID", errID),
		Tone:    ToneDanger,
	}
}

func msgHelp(l i18n.Lang, helpdesk bool, cmd func(args string) string) Message {
	line := func(args, what string) string { return "*" + cmd(args) + "* " + l.T("chat.help."+what) }
	lines := []string{
		line("", "reset"),
		line("unlock", "unlock"),
		line("enroll", "enroll"),
		line("status", "status"),
		line("cancel", "cancel"),
	}
	if helpdesk {
		lines = append(lines,
			line("for @user", "for"),
			line("enroll-for @user", "enroll_for"),
			line("revoke @user <passkey name | all>", "revoke"),
			line("verify @user [reason]", "verify"),
			line("who @user", "who"),
			line("report", "report"))
	}
	return Message{Summary: l.T("chat.help.summary", "Command", cmd("")), Title: l.T("chat.help.title"), Body: lines}
}

// slashCommand is the default command syntax.
func slashCommand(args string) string { return strings.TrimSpace("/reset " + args) }

// syntaxFor returns how a platform's users type commands.
func (b *Bot) syntaxFor(platform string) func(string) string {
	if m, err := b.messenger(platform); err == nil {
		if cs, ok := m.(CommandSyntax); ok {
			return cs.CommandText
		}
	}
	return slashCommand
}

// msgBusy is the answer when the bot has accepted as much work as it can
// finish in time.
func msgBusy(l i18n.Lang) Message {
	return Message{Summary: l.T("chat.busy"), Body: []string{l.T("chat.busy")}, Tone: ToneWarning}
}

// msgSlowDown answers a chat identity that spent its interaction budget.
// It names no account: every requester over the budget reads the same.
func msgSlowDown(l i18n.Lang) Message {
	return Message{Summary: l.T("chat.slowdown.summary"), Body: []string{l.T("chat.slowdown.body")}, Tone: ToneWarning}
}

func msgNotHelpdesk(l i18n.Lang) Message {
	return Message{Summary: l.T("chat.not_helpdesk.summary"), Body: []string{l.T("chat.not_helpdesk.body")}, Tone: ToneWarning}
}

func msgNotUnderstood(l i18n.Lang, e *CommandError, cmd func(string) string) Message {
	m := msgHelp(l, false, cmd)
	m.Summary = l.T("chat.not_understood.summary")
	m.Body = append([]string{l.T("chat.not_understood.body", "Why", e.Why)}, m.Body...)
	return m
}

// joinList joins words for a sentence.
func joinList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// langOf is the translator for a person's locale: their platform's
// language when it gave one, else the configured language.
func (b *Bot) langOf(loc flows.Locale) i18n.Lang {
	if loc.Lang != "" {
		return i18n.For(loc.Lang)
	}
	return i18n.For(b.cfg.Language)
}

// langFor is the translator for the user who sent a request or a click.
func (b *Bot) langFor(u User) i18n.Lang { return b.langOf(u.Locale) }

// helpdeskLang is the helpdesk channel's language, the configured one.
func (b *Bot) helpdeskLang() i18n.Lang { return i18n.For(b.cfg.Language) }

// clockIn shows t in the person's time zone when their platform gave one
// (and it loads), else in the configured zone.
func (b *Bot) clockIn(t time.Time, loc flows.Locale) string {
	if loc.TimeZone != "" {
		if z, err := time.LoadLocation(loc.TimeZone); err == nil {
			return t.In(z).Format("15:04 MST")
		}
	}
	return b.clock(t)
}

// minutesIn is a duration in whole minutes (at least one), in l.
func minutesIn(l i18n.Lang, d time.Duration) string {
	return l.N("chat.minutes", max(int(d.Round(time.Minute).Minutes()), 1))
}

// withLocale fills in u's locale from their platform when the request did
// not carry it (Slack asks users.info). A failed lookup costs only the
// language: the configured one is used, and the request goes on.
func (b *Bot) withLocale(ctx context.Context, u User) User {
	if u.Locale == (flows.Locale{}) {
		u.Locale = b.localeOf(ctx, u.ID)
	}
	return u
}
