package teams

import (
	"regexp"
	"strings"
	"testing"

	"github.com/resetbot/resetbot/bot/bottest"
)

// TestHostileMessagesRenderInert renders every message outside text
// reaches (bottest.HostileMessages) as a Teams card: in the texts Teams
// parses as markdown (TextBlocks, facts, the message text; the summary is
// a plain notification) no <at> (the people involved are Slack users here,
// so Teams shows them as text), no mention entity and no markdown link.
func TestHostileMessagesRenderInert(t *testing.T) {
	link := regexp.MustCompile(`(^|[^\\])\[[^\]]*\]\(`)
	msgs := bottest.HostileMessages(t)
	for _, m := range msgs {
		a := renderActivity(m, func(string) string { return "" })
		if len(a.Entities) != 0 {
			t.Errorf("mention entities %+v", a.Entities)
		}
		texts := bottest.WireStrings(t, bottest.WireText(t, a), func(obj map[string]any, key string) bool {
			_, fact := obj["title"]
			return (key == "text" && (obj["type"] == "TextBlock" || obj["type"] == "message")) || (fact && (key == "title" || key == "value"))
		})
		for _, text := range texts {
			if strings.Contains(text, "<at>") {
				t.Errorf("a mention in %s", text)
			}
			if tok := link.FindString(text); tok != "" {
				t.Errorf("live link %q in %s", tok, text)
			}
		}
	}
	if len(msgs) < 10 {
		t.Fatalf("only %d messages", len(msgs))
	}
}
