package bot

import (
	"fmt"
	"strings"

	"github.com/resetbot/resetbot/flows"
)

// The catalogue of what the bot says to requesters. Every refusal a
// requester can see is one of these, so wording stays consistent across
// platforms and never reveals which accounts exist.

// msgWorking is the first reply to every reset, unlock and enroll request,
// whoever asks and whatever the outcome: same words, no I/O before it.
func msgWorking(v Verb) Message {
	what := map[Verb]string{VerbReset: "a password reset link", VerbUnlock: "an account unlock link", VerbEnroll: "a passkey setup link"}[v]
	return Message{
		Summary: "Got it: I'm preparing " + what + ". Check your direct messages.",
		Body:    []string{"Got it: I'm preparing " + what + ". I'll send it to you privately in a moment."},
	}
}

func kindWords(k flows.Kind) (title, action, button string) {
	switch k {
	case flows.KindApprove:
		return "Confirm your approval", "confirm your approval", "Confirm with passkey"
	case flows.KindUnlock:
		return "Unlock your account", "unlock your account", "Unlock my account"
	case flows.KindEnroll:
		return "Set up your passkey", "set up a passkey for password resets", "Set up passkey"
	}
	return "Reset your password", "reset your password", "Reset my password"
}

// msgLink is the private message carrying a link.
func (b *Bot) msgLink(f *flows.Flow, token string, pushedBy *flows.ChatIdentity) Message {
	title, action, button := kindWords(f.Kind)
	body := []string{fmt.Sprintf("Open this link *on your phone* to %s. You'll confirm it's you with your passkey.", action)}
	switch f.Kind {
	case flows.KindEnroll:
		body = []string{fmt.Sprintf("Open this link *on your phone* to %s. Have your current password ready, or use this link from the helpdesk.", action)}
	case flows.KindApprove:
		body = []string{"You approved the password reset of *" + f.TargetAccount + "*. It counts once you confirm with your passkey: open this link *on your phone*."}
	}
	if pushedBy != nil {
		body = append(body, "The helpdesk ("+Mention(*pushedBy)+") sent you this link. They never see or choose your password.")
	}
	if f.Subject.Privileged && f.Kind != flows.KindEnroll && f.Kind != flows.KindApprove {
		body = append(body, "Your account is privileged: after you verify, a helpdesk colleague approves the change.")
	}
	return Message{
		Summary: title + ": your private link (expires " + b.clock(f.ExpiresAt) + ")",
		Title:   title,
		Body:    body,
		Link:    &Link{URL: b.linkURL(token), Label: button},
		Note: fmt.Sprintf("The link works once and expires at %s (%s). If you didn't ask for this, don't open it and tell %s.",
			b.clock(f.ExpiresAt), minutes(f.ExpiresAt.Sub(f.IssuedAt)), b.cfg.HelpdeskContact),
	}
}

// msgUnavailable answers a request that cannot go ahead for the account
// (unknown, disabled, break-glass). The requester asked about their own
// chat identity, so this reveals nothing about anybody else's account.
func (b *Bot) msgUnavailable(errID string) Message {
	return Message{
		Summary: "Self-service isn't available for your account.",
		Body:    []string{"I can't do this for your account through chat. Please contact " + b.cfg.HelpdeskContact + "."},
		Note:    "Reference " + errID,
		Tone:    ToneWarning,
	}
}

func (b *Bot) msgRateLimited() Message {
	return Message{
		Summary: "Too many requests. Please try again later.",
		Body:    []string{"There have been too many requests for this account recently. Please try again in an hour, or contact " + b.cfg.HelpdeskContact + "."},
		Tone:    ToneWarning,
	}
}

func (b *Bot) msgTrouble(errID string) Message {
	return Message{
		Summary: "Something went wrong on our side. Please try again in a minute.",
		Body:    []string{"Something went wrong on our side. Please try again in a minute. If it keeps happening, contact " + b.cfg.HelpdeskContact + " and give them the reference below."},
		Note:    "Reference " + errID,
		Tone:    ToneDanger,
	}
}

func msgHelp(helpdesk bool, cmd func(args string) string) Message {
	line := func(args, what string) string { return "*" + cmd(args) + "* " + what }
	lines := []string{
		line("", "reset your password (verified with your passkey on your phone)"),
		line("unlock", "unlock your account after too many wrong passwords"),
		line("enroll", "set up a passkey or authenticator app for resets"),
		line("status", "see what you have set up"),
		line("cancel", "cancel a link you asked for"),
	}
	if helpdesk {
		lines = append(lines,
			line("for @user", "send someone a verified reset link (you never see their password)"),
			line("enroll-for @user", "send someone a one-time link to set up a passkey"),
			line("revoke @user <passkey name | all>", "remove a lost phone's passkey (or every factor) from someone's account"),
			line("who @user", "see someone's passkeys, authenticator app and account state (only you see it)"),
			line("report", "resets, outcomes and time saved"))
	}
	return Message{Summary: "How to use " + cmd(""), Title: "Self-service password reset", Body: lines}
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
func msgBusy() Message {
	return Message{Summary: "I'm very busy right now. Please try again in a minute.", Body: []string{"I'm very busy right now. Please try again in a minute."}, Tone: ToneWarning}
}

// msgSlowDown answers a chat identity that spent its interaction budget.
// It names no account: every requester over the budget reads the same.
func msgSlowDown() Message {
	return Message{Summary: "You're going faster than I can answer. Please wait a minute, then try again.", Body: []string{"You're sending commands faster than I can answer. Please wait a minute, then try again."}, Tone: ToneWarning}
}

func msgNotHelpdesk() Message {
	return Message{Summary: "Only the helpdesk can do that.", Body: []string{"Only members of the helpdesk can do that."}, Tone: ToneWarning}
}

func msgNotUnderstood(e *CommandError, cmd func(string) string) Message {
	m := msgHelp(false, cmd)
	m.Summary = "Sorry, I didn't understand that."
	m.Body = append([]string{"Sorry, I didn't understand that (" + e.Why + "). Here's what I can do:"}, m.Body...)
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
