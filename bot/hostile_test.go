package bot_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/bottest"
	"github.com/resetbot/resetbot/flows"
)

// TestHostileTextNeverMentions feeds directory, browser and passkey text
// that carries mention syntax through every message it reaches and checks
// the only mentions in them are the core's own, of the people involved.
// Before mentions were made by construction, the department alert turned
// "Sales <@slack:U0CEO>" into a live mention of U0CEO.
func TestHostileTextNeverMentions(t *testing.T) {
	msgs := bottest.HostileMessages(t)
	var kinds []string
	for _, m := range msgs {
		for _, text := range bottest.MessageTexts(m) {
			bot.ReplaceMentions(text, func(id flows.ChatIdentity) string {
				if id.Platform != "slack" || !slices.Contains(slices.Collect(maps.Values(bottest.HostileUsers)), id.UserID) {
					t.Errorf("%q mentions %v", bot.ShowMentions(text), id)
				}
				return ""
			})
		}
		all := strings.Join(bottest.MessageTexts(m), "\n")
		switch {
		case strings.Contains(all, "reset requests from"):
			kinds = append(kinds, "department alert")
		case strings.Contains(all, "reset requests within"):
			kinds = append(kinds, "spike alert")
		case strings.Contains(all, "failed verifications for"):
			kinds = append(kinds, "verification alert")
		}
	}
	for _, want := range []string{"spike alert", "department alert", "verification alert"} {
		if !slices.Contains(kinds, want) {
			t.Errorf("no %s among the %d messages", want, len(msgs))
		}
	}
	joined := ""
	for _, m := range msgs {
		joined += strings.Join(bottest.MessageTexts(m), "\n")
	}
	for _, want := range []string{"Sales <@slack:U0CEO>", "Link opened from Sales", "Verification failed",
		"Sign-in methods of Sales <@slack:U0CEO>", "Your password was changed at", "Approved by", "Approve"} {
		if !strings.Contains(joined, want) {
			t.Errorf("no message shows %q as text", want)
		}
	}
}
