package teams_test

import (
	"strings"
	"testing"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/bottest"
	"github.com/resetbot/resetbot/bot/teams"
)

// TestTeamsFirstReplyInActivityLocale: Teams says the sender's language
// on the activity itself, so the very first reply, and the link after it,
// are German for a client set to de-DE, with nothing asked of Graph.
func TestTeamsFirstReplyInActivityLocale(t *testing.T) {
	d := newTeamsDriver(t).(*teamsDriver)
	rig := bottest.NewRig(t, bottest.Options{
		Identity: map[string]bot.IdentityRule{teams.Platform: d.Identity()},
		ChatIDs:  func(account string) (string, string) { return teams.Platform, d.User(account).ID.UserID },
	})
	d.Start(t, bottest.Env{Bot: rig.Bot, Once: bot.NewOnce(rig.Store)})
	u := d.User("spare1")
	a := d.fake.Message(d.member(t, u.ID.UserID), "reset")
	a.Locale, a.LocalTimezone = "de-DE", "Europe/Berlin"
	first := d.deliver(t, a)
	if !strings.Contains(first.Text, "Alles klar") || strings.Contains(first.Text, "Got it") {
		t.Fatalf("first reply to a de-DE activity = %q, want German", first.Text)
	}
	rig.Settle(t)
	// The link's message, wherever it is in the conversation: the first
	// reply goes out on its own call to the Bot Connector, so it may land
	// before or after the link.
	inbox := d.Inbox(t, u)
	if m, ok := bottest.LinkMessage(inbox); !ok || !strings.Contains(m.Text, "Passwort zurücksetzen") {
		t.Fatalf("the link message is not German: %+v", inbox)
	}
}
