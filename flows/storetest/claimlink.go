package storetest

import (
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
)

// runLinkClaim (#8 §4): a helpdesk-pushed set-up link bound to its
// recipient's chat identity opens nothing before the recipient claimed it
// (and consumes nothing: the GET and the POST both refuse), is claimed by
// the recipient only (anyone else is refused and audited), exactly once
// among concurrent claims on any replica, and the claim mints a new token:
// the one minted at the start no longer works.
func runLinkClaim(t *testing.T, newStore NewStore) {
	r := newRig(t, newStore)
	start := func() *flows.Issued {
		t.Helper()
		is, err := r.eng.Start(ctx(t), flows.StartRequest{
			Kind: flows.KindEnroll, Lookup: directory.Lookup{Kind: directory.ByChatID, Platform: "slack", Value: "U0PWUSER"},
			Chat: slack("U0PWUSER"), RequestedBy: slack("U0JDOE"), ClaimInChat: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		return is
	}
	is := start()
	drain(t, r.st, "audit")
	if _, err := r.eng.Open(ctx(t), is.Token, flows.Client{}); !errors.Is(err, flows.ErrUnclaimed) {
		t.Fatalf("opening before the claim: %v, want ErrUnclaimed", err)
	}
	if _, _, err := r.eng.Redeem(ctx(t), is.Token, flows.Client{}); !errors.Is(err, flows.ErrUnclaimed) {
		t.Fatalf("redeeming before the claim: %v, want ErrUnclaimed", err)
	}
	if f, _ := r.eng.Get(ctx(t), is.Flow.ID); f.State != flows.StateIssued || f.Binding != "" {
		t.Fatalf("a refused redemption changed the flow: %q bound %t", f.State, f.Binding != "")
	}

	if _, err := r.eng.Claim(ctx(t), is.Flow.ID, slack("U0JDOE")); !errors.Is(err, flows.ErrNotSubject) {
		t.Fatalf("the pusher claiming: %v, want ErrNotSubject", err)
	}
	evs := drain(t, r.st, "audit")
	if !slices.Equal(types(evs), []flows.EventType{flows.EventClaimRefused}) || evs[0].Actor != "slack:U0JDOE" {
		t.Fatalf("refused claim audited as %+v", evs)
	}

	// Two replicas, eight clicks at once: one claim.
	engines := []*flows.Engine{r.eng, r.engine(r.st, r.dir)}
	tokens := make(chan string, 8)
	var n atomic.Int32
	won := wins(t, 8, func() (bool, error) {
		got, err := engines[n.Add(1)%2].Claim(ctx(t), is.Flow.ID, slack("U0PWUSER"))
		if errors.Is(err, flows.ErrAlreadyClaimed) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		tokens <- got.Token
		return true, nil
	})
	if won != 1 {
		t.Fatalf("%d concurrent claims won, want 1", won)
	}
	token := <-tokens
	if token == is.Token {
		t.Fatal("the claim did not mint a new token")
	}
	if _, err := r.eng.Open(ctx(t), is.Token, flows.Client{}); !errors.Is(err, flows.ErrInvalidToken) {
		t.Fatalf("the token from before the claim: %v, want ErrInvalidToken", err)
	}
	f, _, err := r.eng.Redeem(ctx(t), token, flows.Client{})
	if err != nil {
		t.Fatalf("redeeming the claimed link: %v", err)
	}
	if f.Claim.By != slack("U0PWUSER") {
		t.Fatalf("claimed by %v", f.Claim.By)
	}
	if got := types(drain(t, r.st, "audit")); !slices.Equal(got, []flows.EventType{flows.EventLinkClaimed, flows.EventLinkRedeemed}) {
		t.Fatalf("events %v", got)
	}
	if _, err := r.eng.Claim(ctx(t), is.Flow.ID, slack("U0PWUSER")); !errors.Is(err, flows.ErrAlreadyClaimed) {
		t.Fatalf("claiming a redeemed link: %v", err)
	}

	// A link left unclaimed past its lifetime cannot be claimed.
	late := start()
	r.clock.Advance(11 * time.Minute)
	if _, err := r.eng.Claim(ctx(t), late.Flow.ID, slack("U0PWUSER")); !errors.Is(err, flows.ErrExpired) {
		t.Fatalf("claiming an expired link: %v, want ErrExpired", err)
	}

	// A link that needs no claim cannot be claimed (nor is it blocked).
	own := r.mustStart(t, flows.KindEnroll, "U0PWUSER")
	if _, err := r.eng.Claim(ctx(t), own.Flow.ID, slack("U0PWUSER")); !errors.Is(err, flows.ErrAlreadyClaimed) {
		t.Fatalf("claiming a link that needs none: %v", err)
	}
	if _, err := r.eng.Open(ctx(t), own.Token, flows.Client{}); err != nil {
		t.Fatalf("opening a link that needs no claim: %v", err)
	}
}
