package slack

import (
	"regexp"
	"testing"

	"github.com/resetbot/resetbot/bot/bottest"
)

// TestHostileMessagesRenderInert renders every message outside text
// reaches (bottest.HostileMessages) as Block Kit: in the texts Slack
// parses (mrkdwn objects and the notification text; plain_text is shown
// as typed) the only <…> sequences are mentions of the people involved;
// no <!here>, <!channel>, <@U0CEO> or <https://…|…> link comes out.
func TestHostileMessagesRenderInert(t *testing.T) {
	live := regexp.MustCompile(`<[@!#][^>]*>|<https?:[^>]*>`)
	allowed := map[string]bool{}
	for _, id := range bottest.HostileUsers {
		allowed["<@"+id+">"] = true
	}
	msgs := bottest.HostileMessages(t)
	for _, m := range msgs {
		r := render(m)
		texts := bottest.WireStrings(t, bottest.WireText(t, r), func(obj map[string]any, key string) bool {
			return key == "text" && obj["type"] == "mrkdwn"
		})
		for _, text := range append(texts, r.Text) {
			for _, tok := range live.FindAllString(text, -1) {
				if !allowed[tok] {
					t.Errorf("live %s in %s", tok, text)
				}
			}
		}
	}
	if len(msgs) < 10 {
		t.Fatalf("only %d messages", len(msgs))
	}
}
