package bot_test

import (
	"context"
	"testing"

	"github.com/resetbot/resetbot/bot/bottest"
	"github.com/resetbot/resetbot/flows"
)

// TestCancelOwnLinks: "cancel" ends the requester's open link and says
// so, in the catalogue's words; asked again, or by someone with no
// account (the same answer: no enumeration), it says there was none; and
// with Redis gone it says something went wrong, never "no open links".
func TestCancelOwnLinks(t *testing.T) {
	rig, ms := newCore(t, bottest.Options{})
	command(rig, "U0PWUSER", "")
	rig.Bot.Wait()
	token := bottest.TokenFrom(t, ms.DMs("U0PWUSER")[0])
	answer := func(from string) string {
		t.Helper()
		_, r := command(rig, from, "cancel")
		rig.Bot.Wait()
		got := r.Messages()
		if len(got) == 0 {
			t.Fatalf("%s: no answer to cancel", from)
		}
		return got[len(got)-1].Summary
	}
	if got := answer("U0PWUSER"); got != "Done: your open links no longer work." {
		t.Fatalf("cancel with an open link answered %q", got)
	}
	if _, _, err := rig.Engine.Redeem(context.Background(), token, flows.Client{IP: "203.0.113.7", Device: "iPhone"}); err == nil {
		t.Fatal("the cancelled link still opened")
	}
	for _, who := range []string{"U0PWUSER", "U0NOBODY"} {
		if got := answer(who); got != "You had no open links." {
			t.Fatalf("%s: cancel with no open link answered %q", who, got)
		}
	}
	rig.Redis.Close()
	if got := answer("U0PWUSER"); got != "Something went wrong on our side. Please try again in a minute." {
		t.Fatalf("cancel with Redis gone answered %q", got)
	}
}
