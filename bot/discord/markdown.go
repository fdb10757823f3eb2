package discord

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/flows"
)

// Text in the core's messages is the core's wording with user-supplied
// parts (display names, departments) mixed in. Discord's markdown would
// turn some of those into formatting, masked links or headings, so every
// text is escaped on the way out; only the core's own markup survives:
// *bold* (as **bold**), `code` and mention tokens (as <@id>).

// Private-use runes mark where a mention goes while the rest is escaped.
const (
	mentionOpen  = '\uE000'
	mentionClose = '\uE001'
)

// escapeSet is what Discord's markdown gives a meaning to in message
// bodies and field values. A backslash before any of them shows it as is.
const escapeSet = "\\*_~`|[]()<>"

// escapeLineStart is what only means something at the start of a line
// (headings, lists, quotes).
const escapeLineStart = "#->"

// titleEscapeSet is what Discord's markdown interprets in embed titles and
// field names, which render emphasis but no links, lists or headings; an
// escaped bracket there would show its backslash.
const titleEscapeSet = "\\*_~`|"

// markdown renders a body paragraph or field value.
func markdown(s string) string {
	s, ids := hideMentions(s)
	var b strings.Builder
	lineStart := true
	for len(s) > 0 {
		switch s[0] {
		case '*', '`':
			mark := s[0]
			if j := strings.IndexByte(s[1:], mark); j > 0 {
				inner := s[1 : 1+j]
				if mark == '`' {
					b.WriteString("`" + showMentions(inner, ids, mentionPlain) + "`")
				} else {
					b.WriteString("**" + escape(inner, escapeSet) + "**")
				}
				s = s[2+j:]
				lineStart = false
				continue
			}
		}
		r, n := utf8.DecodeRuneInString(s)
		switch {
		case strings.ContainsRune(escapeSet, r), lineStart && strings.ContainsRune(escapeLineStart, r):
			b.WriteByte('\\')
		}
		b.WriteString(s[:n])
		s = s[n:]
		switch {
		case r == '\n':
			lineStart = true
		case r != ' ' && r != '\t':
			lineStart = false
		}
	}
	return showMentions(b.String(), ids, mentionNative)
}

// inline renders a title or field name: emphasis markers are escaped,
// mentions become plain text (Discord does not render them there).
func inline(s string) string {
	s, ids := hideMentions(s)
	return showMentions(escape(s, titleEscapeSet), ids, mentionPlain)
}

// plain renders text Discord shows without markdown: footers, button
// labels, thread names.
func plain(s string) string {
	s, ids := hideMentions(s)
	return showMentions(s, ids, mentionPlain)
}

// escape backslash-escapes every rune of s in set.
func escape(s, set string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(set, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// hideMentions replaces the core's mention tokens with placeholders that
// escaping leaves alone, and returns the identities in order. Placeholder
// runes already in s are dropped first, so user text cannot forge one.
func hideMentions(s string) (string, []flows.ChatIdentity) {
	s = strings.Map(func(r rune) rune {
		if r == mentionOpen || r == mentionClose {
			return -1
		}
		return r
	}, s)
	var ids []flows.ChatIdentity
	s = bot.ReplaceMentions(s, func(id flows.ChatIdentity) string {
		ids = append(ids, id)
		return string(mentionOpen) + strconv.Itoa(len(ids)-1) + string(mentionClose)
	})
	return s, ids
}

// mentionNative is a mention as Discord renders it: <@id> for Discord users
// (a pill; allowed_mentions keeps it from pinging). A user of another
// platform, possible when one bot serves several, is named as text.
func mentionNative(id flows.ChatIdentity) string {
	if id.Platform == Platform && snowflake.MatchString(id.UserID) {
		return "<@" + id.UserID + ">"
	}
	return escape(mentionPlain(id), escapeSet)
}

// mentionPlain is a mention where Discord renders none.
func mentionPlain(id flows.ChatIdentity) string {
	if id.Platform == Platform {
		return "@" + id.UserID
	}
	return "@" + id.Platform + ":" + id.UserID
}

// showMentions puts the mentions back where hideMentions left placeholders.
func showMentions(s string, ids []flows.ChatIdentity, render func(flows.ChatIdentity) string) string {
	if len(ids) == 0 {
		return s
	}
	var b strings.Builder
	for {
		i := strings.IndexRune(s, mentionOpen)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.IndexRune(s[i:], mentionClose)
		if j < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		n, err := strconv.Atoi(s[i+len(string(mentionOpen)) : i+j])
		if err == nil && n >= 0 && n < len(ids) {
			b.WriteString(render(ids[n]))
		}
		s = s[i+j+len(string(mentionClose)):]
	}
}

// clip shortens s to at most n runes, marking the cut with an ellipsis, so
// an over-long user-supplied text cannot make Discord refuse a message.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimRight(string(r[:n-1]), "\\") + "…"
}
