package bot_test

import (
	"context"
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
