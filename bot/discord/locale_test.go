package discord

import (
	"strings"
	"testing"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/bottest"
	"github.com/resetbot/resetbot/bot/discord/discordfake"
)

// TestDiscordFirstReplyInInteractionLocale: Discord says the invoking
// user's client language on the interaction, so the immediate answer and
// the link are German for a client set to "de".
func TestDiscordFirstReplyInInteractionLocale(t *testing.T) {
	d := &discordDriver{}
	rig := bottest.NewRig(t, bottest.Options{
		Identity: map[string]bot.IdentityRule{Platform: d.Identity()},
		ChatIDs:  func(account string) (string, string) { return Platform, d.User(account).ID.UserID },
	})
	d.Start(t, bottest.Env{Bot: rig.Bot, Once: bot.NewOnce(rig.Store)})
	u := d.User("spare1")
	in := d.r.fake.CommandWith(testGuild, d.r.general, CommandName, SubPassword, discordfake.User{ID: u.ID.UserID, Username: u.Name}, nil, nil).WithLocale("de")
	first := d.answer(t, in)
	if !strings.Contains(first.Text, "Alles klar") || strings.Contains(first.Text, "Got it") {
		t.Fatalf("first answer to a German client = %q, want German", first.Text)
	}
	rig.Settle(t)
	// The interaction's answer and the link's DM are separate calls, so
	// the link can land before or after the answer.
	inbox := d.Inbox(t, u)
	if m, ok := bottest.LinkMessage(inbox); !ok || !strings.Contains(m.Text, "Passwort zurücksetzen") {
		t.Fatalf("the link message is not German: %+v", inbox)
	}
}
