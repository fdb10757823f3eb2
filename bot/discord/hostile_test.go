package discord

import (
	"regexp"
	"testing"

	"github.com/resetbot/resetbot/bot/bottest"
)

// TestHostileMessagesRenderInert renders every message outside text
// reaches (bottest.HostileMessages) for Discord: in the texts Discord
// parses as markdown (content, embed descriptions and field values; titles
// and footers are shown as typed) no unescaped <@…>, <@&…> or <#…> and no
// markdown link, and allowed_mentions parses nothing, so @everyone and
// @here stay text.
func TestHostileMessagesRenderInert(t *testing.T) {
	live := regexp.MustCompile(`(^|[^\\])(<[@#][^>\s]*>|\[[^\]]*\]\()`)
	msgs := bottest.HostileMessages(t)
	for _, m := range msgs {
		r, err := render(m)
		if err != nil {
			t.Fatal(err)
		}
		if r.AllowedMentions == nil || len(r.AllowedMentions.Parse) != 0 {
			t.Errorf("allowed_mentions %+v lets Discord parse mentions", r.AllowedMentions)
		}
		texts := bottest.WireStrings(t, bottest.WireText(t, r), func(obj map[string]any, key string) bool {
			_, inline := obj["inline"]
			return key == "description" || key == "content" || (key == "value" && inline)
		})
		for _, text := range texts {
			if tok := live.FindString(text); tok != "" {
				t.Errorf("live %q in %s", tok, text)
			}
		}
	}
	if len(msgs) < 10 {
		t.Fatalf("only %d messages", len(msgs))
	}
}
