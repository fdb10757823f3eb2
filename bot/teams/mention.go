package teams

import (
	"html"
	"regexp"
	"strings"
)

// part is a piece of a message's text: plain text, a mention of a user,
// or the bot's own mention (self), which is not part of the command.
type part struct {
	text    string
	mention *account
	self    bool
}

// splitMentions cuts a message's text at its mention entities, in text
// order. An entity whose text does not occur in the message is ignored, so
// a client cannot add a mention the user does not see. Mentions of the bot
// itself (the activity's recipient) are removed: in a channel the bot must
// be @mentioned, and that mention is not part of the command.
func splitMentions(a *activity) []part {
	text := a.Text
	var parts []part
	cursor := 0
	for _, e := range a.Entities {
		if e.Type != "mention" || e.Text == "" || e.Mentioned == nil || e.Mentioned.ID == "" {
			continue
		}
		i := strings.Index(text[cursor:], e.Text)
		if i < 0 {
			continue
		}
		i += cursor
		if i > cursor {
			parts = append(parts, part{text: text[cursor:i]})
		}
		if a.Recipient == nil || e.Mentioned.ID != a.Recipient.ID {
			m := *e.Mentioned
			parts = append(parts, part{mention: &m})
		} else {
			parts = append(parts, part{self: true})
		}
		cursor = i + len(e.Text)
	}
	if cursor < len(text) {
		parts = append(parts, part{text: text[cursor:]})
	}
	return parts
}

// tag is an HTML tag as Teams wraps message text in (<p>, <div>, <br>,
// <at>…); what remains after the mentions were cut out is formatting.
var tag = regexp.MustCompile(`</?[a-zA-Z][^<>]*>`)

// plainText turns a text piece of a message into the plain words the core
// parses: tags stripped, entities decoded, non-breaking spaces made
// spaces. A "<@" the user typed is broken up so it can never be taken for
// one of the core's mention tokens when echoed back.
func plainText(s string) string {
	s = tag.ReplaceAllString(s, " ")
	s = html.UnescapeString(s)
	s = strings.ReplaceAll(s, "\u00a0", " ")
	return strings.ReplaceAll(s, "<@", "< @")
}
