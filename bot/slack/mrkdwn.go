package slack

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/flows"
)

// Platform is the flows.ChatIdentity platform name of Slack users.
const Platform = "slack"

// userID is a Slack user id as mentions may carry it. Anything else in a
// mention token is shown as text, so a crafted token cannot become
// <!channel> or a link.
var userID = regexp.MustCompile(`^[UWB][A-Z0-9]{2,30}$`)

// sentinel brackets a Slack user id between mention rendering and
// escaping. NUL never survives input (mrkdwn strips it), so it cannot be
// forged.
const sentinel = "\x00"

// mrkdwn turns a core text (plain text, *bold*, neutral mention tokens) into
// Slack mrkdwn: &, < and > are escaped so user-supplied text cannot inject
// links, @channel or user mentions, and only the core's own Slack mention
// tokens become <@U…>.
func mrkdwn(s string) string {
	s = strings.ReplaceAll(s, sentinel, "")
	s = bot.ReplaceMentions(s, func(id flows.ChatIdentity) string {
		if id.Platform == Platform && userID.MatchString(id.UserID) {
			return sentinel + id.UserID + sentinel
		}
		return "@" + id.UserID
	})
	s = escape(s)
	if !strings.Contains(s, sentinel) {
		return s
	}
	var b strings.Builder
	for i, part := range strings.Split(s, sentinel) {
		if i%2 == 1 {
			b.WriteString("<@" + part + ">")
		} else {
			b.WriteString(part)
		}
	}
	return b.String()
}

// plain turns a core text into Slack plain_text, which shows no markup and
// no mentions: mention tokens become "@U…".
func plain(s string) string {
	s = strings.ReplaceAll(s, sentinel, "")
	return bot.ReplaceMentions(s, func(id flows.ChatIdentity) string { return "@" + id.UserID })
}

// escape applies Slack's three mandatory entity escapes.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// unescape reverses escape, for text Slack sends us.
func unescape(s string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}

// clip shortens s to at most max characters (Slack counts characters, and
// rejects the whole message when a block is over its limit), never cutting
// an entity or a mention in half.
func clip(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	out := string([]rune(s)[:max-1])
	if i := strings.LastIndexByte(out, '&'); i >= 0 && !strings.Contains(out[i:], ";") {
		out = out[:i]
	}
	if i := strings.LastIndexByte(out, '<'); i >= 0 && !strings.Contains(out[i:], ">") {
		out = out[:i]
	}
	return out + "…"
}
