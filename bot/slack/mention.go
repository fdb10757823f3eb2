package slack

import (
	"strings"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/flows"
)

// parseMentions translates slash command text as Slack sends it (with
// "Escape channels, users, and links" on: <@U123|name> or <@U123>, and
// &amp; &lt; &gt; entities) into the core's neutral form: mentions become
// bot.Mention tokens and are returned in order, entities are decoded.
//
// Users can type text that would decode into a neutral token ("&lt;@slack:U1&gt;");
// such a "<@" is left as "&lt;@" so only Slack's own mentions, which Slack
// resolved to ids, ever become tokens.
func parseMentions(text string) (string, []bot.User) {
	var (
		b        strings.Builder
		mentions []bot.User
	)
	for {
		i := strings.Index(text, "<@")
		if i < 0 {
			b.WriteString(decodeText(text))
			return b.String(), mentions
		}
		b.WriteString(decodeText(text[:i]))
		rest := text[i+2:]
		j := strings.IndexAny(rest, "<>")
		if j < 0 || rest[j] != '>' {
			// Not a mention Slack made: keep the "<@" as text and go on.
			b.WriteString("&lt;@")
			text = rest
			continue
		}
		id, name, _ := strings.Cut(rest[:j], "|")
		if !userID.MatchString(id) {
			b.WriteString("&lt;@")
			text = rest
			continue
		}
		u := bot.User{ID: flows.ChatIdentity{Platform: Platform, UserID: id}, Name: decodeText(name)}
		mentions = append(mentions, u)
		b.WriteString(bot.Mention(u.ID))
		text = rest[j+1:]
	}
}

// decodeText decodes Slack's entities in user text and defuses anything
// that would read as a mention token afterwards.
func decodeText(s string) string {
	return strings.ReplaceAll(unescape(s), "<@", "&lt;@")
}
