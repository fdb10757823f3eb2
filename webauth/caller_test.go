package webauth

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
)

// verifyOf asks, as the helpdesk member jdoe, for a caller verification
// of account (its chat identity "U-<account>", like start's).
func (r *rig) verifyOf(t *testing.T, account string) *flows.Issued {
	t.Helper()
	ctx := context.Background()
	u, err := r.dir.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: account})
	if err != nil {
		t.Fatal(err)
	}
	member, err := r.dir.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: "jdoe"})
	if err != nil {
		t.Fatal(err)
	}
	is, err := r.eng.RequestVerify(ctx, flows.VerifyRequest{Account: u, Chat: flows.ChatIdentity{Platform: "slack", UserID: "U-" + account},
		RequestedBy: flows.ChatIdentity{Platform: "slack", UserID: "U-jdoe"}, RequestedByAccountID: member.ID, Reason: "caller on line 2"})
	if err != nil {
		t.Fatalf("RequestVerify(%s): %v", account, err)
	}
	return is
}

func (r *rig) stateOf(t *testing.T, id string) flows.State {
	t.Helper()
	f, err := r.eng.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return f.State
}

// TestCallerLandingNeverRedeems: the verification's landing, fetched any
// number of times (an unfurler, the person), leaves the link usable; it
// offers the passkey and "I did not call the helpdesk", in the
// verification's words, never a reset's.
func TestCallerLandingNeverRedeems(t *testing.T) {
	r := newRig(t, rigOptions{})
	ts := r.server(t)
	is := r.verifyOf(t, "pwuser")
	for i := 0; i < 3; i++ {
		st, _, body, _ := newBrowser(t, ts).get("/r/" + is.Token)
		if st != http.StatusOK {
			t.Fatalf("landing: %d\n%s", st, body)
		}
		for _, want := range []string{"Confirm it is you to the helpdesk", "I did not call the helpdesk", `action="/r/` + is.Token + `/decline"`, "pwuser"} {
			if !strings.Contains(body, want) {
				t.Errorf("landing lacks %q", want)
			}
		}
		// The service's name in the brand line is the only "password".
		content := body[strings.Index(body, "</ol>"):]
		if strings.Contains(strings.ToLower(content), "password") || strings.Contains(strings.ToLower(content), "reset") {
			t.Errorf("the verification's landing speaks of a reset:\n%s", body)
		}
	}
	if st := r.stateOf(t, is.Flow.ID); st != flows.StateIssued {
		t.Fatalf("after three GETs the verification is %q, want issued", st)
	}
}

// TestCallerDeclineFromLanding: "I did not call the helpdesk" on the
// landing redeems and declines in one POST, needs the landing's CSRF
// token, and is audited as caller.declined; the outcome page says the
// helpdesk was warned, and the link, opened again elsewhere, says it was
// answered. A reset link cannot be "declined".
func TestCallerDeclineFromLanding(t *testing.T) {
	r := newRig(t, rigOptions{})
	ts := r.server(t)
	is := r.verifyOf(t, "pwuser")
	b := newBrowser(t, ts)
	_, _, body, _ := b.get("/r/" + is.Token)
	if st, _, _, _ := b.postForm("/r/"+is.Token+"/decline", map[string]string{"csrf": "forged"}); st != http.StatusForbidden {
		t.Fatalf("decline with a forged CSRF token: %d, want 403", st)
	}
	if st := r.stateOf(t, is.Flow.ID); st != flows.StateIssued {
		t.Fatalf("a forged decline moved the verification to %q", st)
	}
	st, loc, _, _ := b.postForm("/r/"+is.Token+"/decline", map[string]string{"csrf": csrfOf(t, body)})
	if st != http.StatusSeeOther || loc != "/f/"+is.Flow.ID+"/caller" {
		t.Fatalf("decline: %d to %q", st, loc)
	}
	if _, _, page, _ := b.get(loc); !strings.Contains(page, "the helpdesk was warned") {
		t.Fatalf("outcome page after a decline:\n%s", page)
	}
	if st := r.stateOf(t, is.Flow.ID); st != flows.StateCancelled {
		t.Fatalf("declined verification is %q, want cancelled", st)
	}
	declined := 0
	for _, ev := range r.events(t, is.Flow.ID) {
		if ev.Type == flows.EventCallerDeclined {
			declined++
		}
	}
	if declined != 1 {
		t.Fatalf("%d caller.declined events, want 1", declined)
	}
	if st, _, page, _ := newBrowser(t, ts).get("/r/" + is.Token); st == http.StatusOK || !strings.Contains(page, "the helpdesk was warned") {
		t.Fatalf("the declined link opened elsewhere: %d\n%s", st, page)
	}

	reset := r.start(t, flows.KindReset, "spare1")
	b = newBrowser(t, ts)
	_, _, body, _ = b.get("/r/" + reset.Token)
	if st, _, _, _ := b.postForm("/r/"+reset.Token+"/decline", map[string]string{"csrf": csrfOf(t, body)}); st < 400 {
		t.Fatalf("declining a reset link: %d, want refused", st)
	}
	if st := r.stateOf(t, reset.Flow.ID); st != flows.StateIssued {
		t.Fatalf("a decline POST moved a reset link to %q", st)
	}
}

// TestCallerExpiredPage: after five minutes the link says the request
// expired, in the verification's words, both on the landing and on the
// page of the browser that redeemed it.
func TestCallerExpiredPage(t *testing.T) {
	r := newRig(t, rigOptions{})
	ts := r.server(t)
	is := r.verifyOf(t, "pwuser")
	b := newBrowser(t, ts)
	if st, loc := b.redeem(is.Token); st != http.StatusSeeOther || loc != "/f/"+is.Flow.ID+"/caller" {
		t.Fatalf("redeem: %d to %q", st, loc)
	}
	r.clock.Advance(flows.VerifyTTL)
	if _, _, page, _ := b.get("/f/" + is.Flow.ID + "/caller"); !strings.Contains(page, "This request expired") {
		t.Fatalf("the redeemed browser's page after five minutes:\n%s", page)
	}
	other := r.verifyOf(t, "spare1")
	r.clock.Advance(flows.VerifyTTL)
	if st, _, page, _ := newBrowser(t, ts).get("/r/" + other.Token); st == http.StatusOK || !strings.Contains(page, "This request expired") {
		t.Fatalf("an expired verification link: %d\n%s", st, page)
	}
}

// TestCallerVerificationSetsNoPassword: a verified caller verification
// cannot be completed like a reset: it ends by ConfirmVerify only.
func TestCallerVerificationSetsNoPassword(t *testing.T) {
	r := newRig(t, rigOptions{})
	is := r.verifyOf(t, "pwuser")
	ctx := context.Background()
	f, binding, err := r.eng.Redeem(ctx, is.Token, flows.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.eng.RecordVerification(ctx, f.ID, binding, flows.Verification{Method: flows.MethodPasskey, OK: true}); err != nil {
		t.Fatal(err)
	}
	var te *flows.TransitionError
	if _, err := r.eng.Complete(ctx, f.ID, binding, flows.Completion{NewPassword: "Correct-Horse-Battery-9"}); !errors.As(err, &te) {
		t.Fatalf("Complete of a caller verification = %v, want a TransitionError", err)
	}
	if st := r.stateOf(t, f.ID); st != flows.StateVerified {
		t.Fatalf("after the refused Complete: %q", st)
	}
}
