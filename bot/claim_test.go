package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/bottest"
	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
)

// TestClaimBoundLinkIsResentAsAButton (#8 §4): when the delivery of a
// pushed set-up link was lost (the replica died before sending), the
// link-delivery job sends the "This is me" button again, never a URL,
// and a claimed flow gets nothing more from it.
func TestClaimBoundLinkIsResentAsAButton(t *testing.T) {
	rig, ms := newCore(t, bottest.Options{LinkResendAfter: time.Millisecond})
	ctx := context.Background()
	is, err := rig.Engine.Start(ctx, flows.StartRequest{Kind: flows.KindEnroll,
		Lookup: directory.Lookup{Kind: directory.ByChatID, Platform: "slack", Value: "U0PWUSER"},
		Chat:   bottest.Slack("U0PWUSER"), RequestedBy: bottest.Slack("U0JDOE"), ClaimInChat: true})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond) // past the resend delay
	rig.Settle(t)
	dms := ms.DMs("U0PWUSER")
	if len(dms) != 1 {
		t.Fatalf("%d DMs after the resend, want the button once", len(dms))
	}
	if dms[0].Link != nil || len(dms[0].Buttons) != 1 || dms[0].Buttons[0].ActionID != bot.ActionClaimLink || dms[0].Buttons[0].Value != is.Flow.ID {
		t.Fatalf("resent message is not the claim button: %+v", dms[0])
	}
	if f, _ := rig.Engine.Get(ctx, is.Flow.ID); f.TokenHash != is.Flow.TokenHash {
		t.Fatal("the resend minted a token before the claim")
	}
}
