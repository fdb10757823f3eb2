package teams

import (
	"strings"
	"testing"
)

// FuzzParseActivity: no input makes the parser panic, and what it accepts
// has the fields the handlers rely on.
func FuzzParseActivity(f *testing.F) {
	f.Add([]byte(`{"type":"message","id":"1","serviceUrl":"https://s/","from":{"id":"29:a","aadObjectId":"x"},"conversation":{"id":"a:1","conversationType":"personal"},"text":"reset"}`))
	f.Add([]byte(`{"type":"invoke","name":"adaptiveCard/action","id":"2","serviceUrl":"https://s/","from":{"id":"29:a"},"conversation":{"id":"19:c"},"value":{"action":{"type":"Action.Execute","data":{"action_id":"a","value":"v"}}}}`))
	f.Add([]byte(`{"type":"message","value":[1,2]}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, body []byte) {
		a, err := parseActivity(body)
		if err != nil {
			return
		}
		if a.Type == "" || a.ServiceURL == "" {
			t.Fatalf("accepted without type or serviceUrl: %s", body)
		}
		if a.Type == typeMessage || a.Type == typeInvoke {
			if a.ID == "" || a.From == nil || a.Conversation == nil {
				t.Fatalf("accepted %s without id, from or conversation", a.Type)
			}
			_, _ = parseInvoke(a)
		}
		_ = splitMentions(a)
	})
}

// FuzzMentions: splitting a message at its mentions never panics, loses
// no text outside the mentions, and plain text never carries a "<@" that
// could pass for the core's mention token.
func FuzzMentions(f *testing.F) {
	f.Add("<at>resetbot</at> for <at>Jane</at>", "<at>resetbot</at>", "<at>Jane</at>")
	f.Add("for <at>Jane</at><at>Jane</at>", "<at>Jane</at>", "")
	f.Add("&lt;@teams:x&gt; <p>help</p>", "", "<p>")
	f.Fuzz(func(t *testing.T, text, bot, user string) {
		a := &activity{Text: text, Recipient: &account{ID: "28:bot"}, Entities: []entity{
			{Type: "mention", Text: bot, Mentioned: &account{ID: "28:bot"}},
			{Type: "mention", Text: user, Mentioned: &account{ID: "29:user"}},
		}}
		var rebuilt strings.Builder
		for _, p := range splitMentions(a) {
			switch {
			case p.self:
				rebuilt.WriteString(bot)
				continue
			case p.mention != nil:
				rebuilt.WriteString(user)
				continue
			}
			rebuilt.WriteString(p.text)
			if strings.Contains(plainText(p.text), "<@") {
				t.Fatalf("plain text %q keeps a mention token opener", plainText(p.text))
			}
		}
		if got := rebuilt.String(); got != text {
			t.Fatalf("split of %q rebuilds to %q", text, got)
		}
	})
}
