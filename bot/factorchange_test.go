package bot_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/bottest"
	"github.com/resetbot/resetbot/flows"
)

// TestFactorChangesReachUserAndThread: every passkey or authenticator app
// added or removed in an enrollment sends the user a private message with
// what, when and from which device, and whom to call if it was not them,
// and shows in the helpdesk thread. Text the user or browser chose (the
// passkey's name, the user agent) cannot become a mention.
func TestFactorChangesReachUserAndThread(t *testing.T) {
	rig, ms := newCore(t, bottest.Options{})
	ctx := context.Background()
	command(rig, "U0PWUSER", "enroll")
	rig.Settle(t)
	f, binding := rig.Verify(t, bottest.TokenFrom(t, ms.DMs("U0PWUSER")[0]))
	client := flows.Client{IP: "198.51.100.9", Device: "Pixel <@slack:U0JDOE> 8"}
	changes := []struct {
		name   string
		change flows.FactorChange
		dm     []string
		thread string
	}{
		{"passkey added", flows.FactorChange{Method: flows.MethodPasskey, Key: flows.PasskeyKey("cred-1"), Name: "Work <@slack:U0JDOE> phone"},
			[]string{"Sign-in added", `A passkey "Work`, "was added to pwuser", "Pixel", "198.51.100.9", "If this wasn't you", "contact "}, `Added: passkey "Work`},
		{"authenticator app set", flows.FactorChange{Method: flows.MethodTOTP, Key: flows.FactorTOTP},
			[]string{"Sign-in added", "An authenticator app was added to pwuser", "If this wasn't you"}, "Added: authenticator app"},
		{"passkey removed", flows.FactorChange{Removed: true, Method: flows.MethodPasskey, Key: flows.PasskeyKey("cred-1"), Name: "Work phone", Existing: []string{flows.PasskeyKey("cred-1")}},
			[]string{"Sign-in removed", `A passkey "Work phone" was removed from pwuser`, "no longer", "If this wasn't you"}, `Removed: passkey "Work phone"`},
	}
	for _, c := range changes {
		before := len(ms.DMs("U0PWUSER"))
		c.change.Client = client
		if _, err := rig.Engine.RecordFactorChange(ctx, f.ID, binding, c.change); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		rig.Settle(t)
		dms := ms.DMs("U0PWUSER")
		if len(dms) != before+1 {
			t.Fatalf("%s: %d new private messages, want one", c.name, len(dms)-before)
		}
		dm := dms[len(dms)-1]
		text := dm.Title + "\n" + strings.Join(dm.Body, "\n")
		for _, w := range c.dm {
			if !strings.Contains(text, w) {
				t.Errorf("%s: the user's message lacks %q:\n%s", c.name, w, text)
			}
		}
		replies := ms.Replies(ms.Threads()[0])
		last := replies[len(replies)-1]
		if !strings.Contains(last, c.thread) {
			t.Errorf("%s: thread reply %q, want %q", c.name, last, c.thread)
		}
		for _, s := range []string{text, last} {
			var pinged []string
			bot.ReplaceMentions(s, func(id flows.ChatIdentity) string { pinged = append(pinged, id.UserID); return "" })
			if len(pinged) != 0 {
				t.Errorf("%s: outside text became a mention of %v: %q", c.name, pinged, s)
			}
		}
	}
}

// TestFactorChangeReachesEveryLinkedPlatform (#8 §4): a factor change
// started from Slack tells the user on Discord too, where the account has
// a chat identity; a platform that fails for a moment is retried without
// repeating the message on the one that worked.
func TestFactorChangeReachesEveryLinkedPlatform(t *testing.T) {
	rig := bottest.NewRig(t, bottest.Options{ChatIDs: func(account string) (string, string) { return "discord", "D-" + account }})
	slack, discord := bottest.NewMessenger(), bottest.NewMessenger()
	rig.Bot.AddPlatform("slack", slack)
	rig.Bot.AddPlatform("discord", discord)
	ctx := context.Background()
	command(rig, "U0PWUSER", "enroll")
	rig.Settle(t)
	f, binding := rig.Verify(t, bottest.TokenFrom(t, slack.DMs("U0PWUSER")[0]))
	beforeSlack := len(slack.DMs("U0PWUSER"))
	change := flows.FactorChange{Method: flows.MethodPasskey, Key: flows.PasskeyKey("cred-1"), Name: "Work phone", Client: flows.Client{IP: "198.51.100.9", Device: "Pixel"}}
	if _, err := rig.Engine.RecordFactorChange(ctx, f.ID, binding, change); err != nil {
		t.Fatal(err)
	}
	rig.Settle(t)
	for _, c := range []struct {
		name string
		got  []bot.Message
		want int
	}{{"slack", slack.DMs("U0PWUSER"), beforeSlack + 1}, {"discord", discord.DMs("D-pwuser"), 1}} {
		if len(c.got) != c.want {
			t.Fatalf("%s: %d private messages, want %d", c.name, len(c.got), c.want)
		}
		if last := c.got[len(c.got)-1]; !strings.Contains(last.Title, "Sign-in added") || !strings.Contains(strings.Join(last.Body, "\n"), "If this wasn't you") {
			t.Errorf("%s: last message is not the factor change notice: %+v", c.name, last)
		}
	}
	if n := len(slack.Replies(slack.Threads()[0])); n == 0 || !strings.Contains(slack.Replies(slack.Threads()[0])[n-1], `Added: passkey "Work phone"`) {
		t.Errorf("helpdesk thread lacks the factor change line: %q", slack.Replies(slack.Threads()[0]))
	}

	// Slack down for a moment: Discord hears once, Slack once it is back.
	slack.FailIf = func(p bottest.Posted) error {
		if p.Kind == "dm" {
			return errors.New("slack is down")
		}
		return nil
	}
	change.Key, change.Name = flows.PasskeyKey("cred-2"), "Laptop"
	if _, err := rig.Engine.RecordFactorChange(ctx, f.ID, binding, change); err != nil {
		t.Fatal(err)
	}
	rig.Bot.Wait()
	if _, err := rig.Reader.Pump(ctx); err == nil {
		t.Fatal("a failed private message was not reported for a retry")
	}
	slack.FailIf = nil
	rig.Settle(t)
	if got := len(slack.DMs("U0PWUSER")); got != beforeSlack+2 {
		t.Errorf("slack: %d private messages after the retry, want %d", got, beforeSlack+2)
	}
	if got := len(discord.DMs("D-pwuser")); got != 2 {
		t.Errorf("discord: %d private messages, want 2 (the retry must not repeat the one delivered)", got)
	}
}
