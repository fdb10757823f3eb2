package discord

import (
	"errors"
	"strings"
	"testing"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/platform"
	"github.com/resetbot/resetbot/flows"
)

// FuzzParseInteraction feeds arbitrary (as if signed) bodies through the
// whole inbound translation: it must never panic, every refusal must be
// catalogued, and whatever it accepts must be something the core can be
// given safely.
func FuzzParseInteraction(f *testing.F) {
	f.Add([]byte(`{"type":1}`))
	f.Add([]byte(`{"id":"1","application_id":"2","type":2,"token":"t","member":{"user":{"id":"3"}},"data":{"name":"reset","options":[{"name":"for","type":1,"options":[{"name":"user","type":6,"value":"4"}]}],"resolved":{"users":{"4":{"id":"4","username":"x"}}}}}`))
	f.Add([]byte(`{"id":"1","application_id":"2","type":3,"token":"t","user":{"id":"3"},"data":{"custom_id":"rb1:resetbot.approve:0a-x","component_type":2}}`))
	f.Add([]byte(`{"id":"1","application_id":"2","type":2,"token":"t","user":{"id":"3"},"data":{"name":"reset","options":[{"name":"x","type":1,"options":[{"name":"user","type":6,"value":7}]}]}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := parseInteraction(body)
		if err != nil {
			mustBeCatalogued(t, err)
			return
		}
		if in.Type == interactionPing {
			return
		}
		if _, err := in.invoker(); err != nil {
			mustBeCatalogued(t, err)
		}
		switch in.Type {
		case interactionCommand:
			text, mentions, err := translateCommand(in.Data)
			if err != nil {
				mustBeCatalogued(t, err)
				return
			}
			for _, m := range mentions {
				if m.ID.Platform != Platform || !snowflake.MatchString(m.ID.UserID) {
					t.Fatalf("mention %+v is not a Discord user id", m.ID)
				}
			}
			// The text is one subcommand name and mention tokens of the
			// resolved users, nothing a user typed.
			words := strings.Fields(text)
			if len(words) > 0 && !subcommandName.MatchString(words[0]) {
				t.Fatalf("text %q does not start with a subcommand name", text)
			}
			if len(words) != 1+len(mentions) && !(len(words) == 0 && len(mentions) == 0) {
				t.Fatalf("text %q has %d words for %d mentions", text, len(words), len(mentions))
			}
			for i, w := range words[min(1, len(words)):] {
				if w != bot.Mention(mentions[i].ID) {
					t.Fatalf("word %q of %q is not the mention of %v", w, text, mentions[i].ID)
				}
			}
		case interactionComponent:
			action, value, err := translateComponent(in.Data)
			if err != nil {
				mustBeCatalogued(t, err)
				return
			}
			if id, err := encodeCustomID(action, value); err != nil || id == "" {
				t.Fatalf("accepted a click the bot could not have rendered: %q %q", action, value)
			}
		}
	})
}

func mustBeCatalogued(t *testing.T, err error) {
	t.Helper()
	var p *platform.Problem
	if !errors.As(err, &p) {
		t.Fatalf("uncatalogued error %v", err)
	}
}

// FuzzCustomID checks the codec both ways: everything encoded decodes to
// itself, and everything that decodes is the canonical encoding of what
// it decoded to (no two custom_ids mean the same action).
func FuzzCustomID(f *testing.F) {
	f.Add(bot.ActionApprove, "0a-AAAAAAAAAAAAAAAAAAAAAA", "rb1:resetbot.deny:0a-x")
	f.Add("a:b", "%3A%", "rb1:a%3Ab:%253A%25")
	f.Add("", "", "rb1::")
	f.Fuzz(func(t *testing.T, action, value, raw string) {
		if id, err := encodeCustomID(action, value); err == nil {
			if len(id) > maxCustomID {
				t.Fatalf("custom_id %q is over %d", id, maxCustomID)
			}
			a, v, err := decodeCustomID(id)
			if err != nil || a != action || v != value {
				t.Fatalf("round trip (%q,%q) -> %q -> (%q,%q,%v)", action, value, id, a, v, err)
			}
		}
		a, v, err := decodeCustomID(raw)
		if err != nil {
			mustBeCatalogued(t, err)
			return
		}
		if id, err := encodeCustomID(a, v); err != nil || id != raw {
			t.Fatalf("%q decodes to (%q,%q), which encodes to %q", raw, a, v, id)
		}
	})
}

// FuzzMarkdown checks that no text the core passes on, whatever users put
// in it, renders a mention the core did not write.
func FuzzMarkdown(f *testing.F) {
	f.Add("*bold* <@123> `code` [x](y)")
	f.Add("<@discord:1> \uE0000\uE001")
	f.Fuzz(func(t *testing.T, s string) {
		out := markdown(s)
		var want int
		bot.ReplaceMentions(s, func(id flows.ChatIdentity) string {
			if id.Platform == Platform && snowflake.MatchString(id.UserID) {
				want++
			}
			return ""
		})
		if got := liveMentions(out); got > want {
			t.Fatalf("markdown(%q) = %q has %d live mentions, the core wrote %d", s, out, got, want)
		}
	})
}

// liveMentions counts what Discord would render as a mention in s: an
// unescaped "<@" (or "<@!", "<@&", "<#") with digits and ">", outside code
// spans.
func liveMentions(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '`':
			if j := strings.IndexByte(s[i+1:], '`'); j >= 0 {
				i += j + 1
			}
		case '<':
			rest := s[i+1:]
			if !strings.HasPrefix(rest, "@") && !strings.HasPrefix(rest, "#") {
				continue
			}
			rest = strings.TrimLeft(rest[1:], "!&")
			k := 0
			for k < len(rest) && rest[k] >= '0' && rest[k] <= '9' {
				k++
			}
			if k > 0 && k < len(rest) && rest[k] == '>' {
				n++
			}
		}
	}
	return n
}
