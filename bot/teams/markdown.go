package teams

import (
	"strings"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/flows"
)

// sentinel brackets a mention between token replacement and escaping. NUL
// is removed from all text first, so it cannot be forged.
const sentinel = "\x00"

// mentionText is one Teams mention as it appears in a card: <at>Name</at>
// in the text, and an entity naming the user it stands for.
type mentionText struct {
	id, name string
}

func (m mentionText) at() string { return "<at>" + m.name + "</at>" }

// markdownEscaper backslash-escapes what Teams' card markdown would
// interpret, so user-supplied text (display names, typed commands) cannot
// add links, emphasis, lists or <at> mentions of its own.
var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`, `(`, `\(`, `)`, `\)`,
	"`", "\\`", `~`, `\~`, `#`, `\#`, `<`, `\<`, `>`, `\>`, `|`, `\|`,
)

// renderer turns core text into Teams card markdown and collects the
// mentions it used, for the card's msteams.entities.
type renderer struct {
	names    func(userID string) string
	mentions []mentionText
}

// mention returns the mention of a Teams user, adding it to the card once.
// Other platforms' ids and malformed ones are shown as plain text.
func (r *renderer) mention(id flows.ChatIdentity) (mentionText, bool) {
	if id.Platform != Platform || !guid.MatchString(id.UserID) {
		return mentionText{}, false
	}
	for _, m := range r.mentions {
		if m.id == id.UserID {
			return m, true
		}
	}
	name := ""
	if r.names != nil {
		name = cleanName(r.names(id.UserID))
	}
	if name == "" {
		name = id.UserID
	}
	m := mentionText{id: id.UserID, name: name}
	r.mentions = append(r.mentions, m)
	return m, true
}

// cleanName keeps a display name usable inside <at>…</at>, where neither
// markup nor escapes are interpreted.
func cleanName(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		switch r {
		case '<', '>', '*', '_', '[', ']', '\\', '`', '\x00':
			return -1
		}
		return r
	}, s))
}

// markdown renders core text (plain words, *bold*, mention tokens) as card
// markdown: everything escaped, *bold* made **bold**, and the core's Teams
// mention tokens made <at> mentions.
func (r *renderer) markdown(s string) string {
	s = strings.ReplaceAll(s, sentinel, "")
	var ms []mentionText
	s = bot.ReplaceMentions(s, func(id flows.ChatIdentity) string {
		if m, ok := r.mention(id); ok {
			ms = append(ms, m)
			return sentinel
		}
		return "@" + id.UserID
	})
	s = bold(s)
	if len(ms) == 0 {
		return s
	}
	var b strings.Builder
	for i, piece := range strings.Split(s, sentinel) {
		if i > 0 {
			b.WriteString(ms[i-1].at())
		}
		b.WriteString(piece)
	}
	return b.String()
}

// plain renders core text for places without markup (the notification
// summary, fact titles): mention tokens become "@Name".
func (r *renderer) plain(s string) string {
	s = strings.ReplaceAll(s, sentinel, "")
	return bot.ReplaceMentions(s, func(id flows.ChatIdentity) string {
		if m, ok := r.mention(id); ok {
			return "@" + m.name
		}
		return "@" + id.UserID
	})
}

// bold escapes s and turns the core's *bold* spans into **bold**. A star
// without a partner, or around nothing, or next to a space, is a literal
// star: user text may contain them.
func bold(s string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '*')
		if i < 0 {
			b.WriteString(markdownEscaper.Replace(s))
			return b.String()
		}
		j := strings.IndexByte(s[i+1:], '*')
		if j < 0 {
			b.WriteString(markdownEscaper.Replace(s))
			return b.String()
		}
		inner := s[i+1 : i+1+j]
		if inner == "" || strings.TrimSpace(inner) != inner {
			b.WriteString(markdownEscaper.Replace(s[:i+1]))
			s = s[i+1:]
			continue
		}
		b.WriteString(markdownEscaper.Replace(s[:i]))
		b.WriteString("**" + markdownEscaper.Replace(inner) + "**")
		s = s[i+2+j:]
	}
}
