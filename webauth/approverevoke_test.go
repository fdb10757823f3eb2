package webauth

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
)

// TestApproverConfirmationOfARevoke: an approver confirming the removal
// of a privileged account's passkey ("/reset revoke") reads, on the
// landing, the approval page and the done page, that a sign-in method is
// removed (named as the helpdesk typed it), never a password reset.
func TestApproverConfirmationOfARevoke(t *testing.T) {
	r := newRig(t, rigOptions{})
	ts := r.server(t)
	ctx := context.Background()
	find := func(name string) *directory.User {
		u, err := r.dir.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: name})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	target, err := r.eng.RequestRevoke(ctx, flows.RevokeRequest{Account: find("alice"), Chat: flows.ChatIdentity{Platform: "slack", UserID: "U-alice"},
		RequestedBy: flows.ChatIdentity{Platform: "slack", UserID: "U-spare2"}, RequestedByAccountID: find("spare2").ID, Factor: "Admin Key"})
	if err != nil {
		t.Fatal(err)
	}
	is, err := r.eng.StartConfirmation(ctx, flows.ConfirmRequest{
		Target: target.ID, Approver: flows.ChatIdentity{Platform: "slack", UserID: "U-jdoe"}, Account: find("jdoe"), Grant: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	noReset := func(where, page string) {
		t.Helper()
		if strings.Contains(page, "password reset") || strings.Contains(page, "Approve the reset") || strings.Contains(page, "finish their reset") {
			t.Errorf("%s speaks of a password reset:\n%s", where, page)
		}
	}
	b := newBrowser(t, ts)
	_, _, page, _ := b.get("/r/" + is.Token)
	if !strings.Contains(page, "Approve removing a sign-in method of") || !strings.Contains(page, "alice") {
		t.Fatalf("landing does not name the removal:\n%s", page)
	}
	noReset("landing", page)
	b.redeem(is.Token)
	id := is.Flow.ID
	if _, err := r.eng.RecordVerification(ctx, id, readJarBinding(t, b, id), flows.Verification{Method: flows.MethodPasskey, OK: true}); err != nil {
		t.Fatal(err)
	}
	st, _, page, _ := b.get("/f/" + id + "/approve")
	if st != http.StatusOK || !strings.Contains(page, "Remove Admin Key from the sign-in methods of alice?") || !strings.Contains(page, "Approve the removal") {
		t.Fatalf("approve page: %d\n%s", st, page)
	}
	noReset("approve page", page)
	st, loc, _, _ := b.postForm("/f/"+id+"/approve", map[string]string{"csrf": csrfOf(t, page)})
	if st != http.StatusSeeOther {
		t.Fatalf("approve: %d", st)
	}
	_, _, done, _ := b.get(loc)
	if !strings.Contains(done, "Your approval is confirmed") || !strings.Contains(done, "The sign-in method is being removed") {
		t.Fatalf("done page:\n%s", done)
	}
	noReset("done page", done)
	if f, _ := r.eng.Get(ctx, target.ID); f.State != flows.StateVerified || !f.Approval.Granted || f.Approval.By.UserID != "U-jdoe" {
		t.Fatalf("revoke after the confirmation: %s by %v", f.State, f.Approval.By)
	}
}
