package webauth

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
)

// TestUnclaimedPushedLinkSaysConfirmInChat (#8 §4): a helpdesk-pushed
// set-up link bound to its recipient's chat identity, opened before the
// recipient confirmed in chat, says "confirm in chat first", shows no QR
// code or form and consumes nothing; after the claim, the new link works.
func TestUnclaimedPushedLinkSaysConfirmInChat(t *testing.T) {
	r := newRig(t, rigOptions{})
	ts := r.server(t)
	ctx := context.Background()
	subject := flows.ChatIdentity{Platform: "slack", UserID: "U-spare1"}
	is, err := r.eng.Start(ctx, flows.StartRequest{
		Kind: flows.KindEnroll, Lookup: directory.Lookup{Kind: directory.ByAccountName, Value: "spare1"},
		Chat: subject, RequestedBy: flows.ChatIdentity{Platform: "slack", UserID: "U-helpdesk"}, ClaimInChat: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, ts)
	st, _, body, _ := b.get("/r/"+is.Token, "User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0")
	if st != http.StatusForbidden || !strings.Contains(body, "Confirm in chat first") || !strings.Contains(body, "This is me") {
		t.Fatalf("unclaimed link: %d\n%s", st, body)
	}
	for _, leak := range []string{"data:image/png", `name="csrf"`, is.Token} {
		if strings.Contains(body, leak) {
			t.Errorf("the unclaimed link's page contains %q", leak)
		}
	}
	b.postForm("/r/"+is.Token, map[string]string{"csrf": "x"})
	if f, _ := r.eng.Get(ctx, is.Flow.ID); f.State != flows.StateIssued || f.Binding != "" {
		t.Fatalf("the unclaimed link was consumed: %s", f.State)
	}
	claimed, err := r.eng.Claim(ctx, is.Flow.ID, subject)
	if err != nil {
		t.Fatal(err)
	}
	if st, loc := newBrowser(t, ts).redeem(claimed.Token); st != http.StatusSeeOther || loc != "/f/"+is.Flow.ID+"/enroll" {
		t.Fatalf("claimed link: %d %q", st, loc)
	}
}
