package webauth

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/resetbot/resetbot/credentials"
	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/memory"
	"github.com/resetbot/resetbot/flows"
)

// oldPasskey is a passkey the account had before the flow: its id is
// what a removal posts.
var oldPasskey = credentials.Passkey{Credential: webauthn.Credential{ID: []byte("old-phone-credential")}, Name: "Old phone"}

// accountIDOf returns the directory id of an example account.
func accountIDOf(t *testing.T, r *rig, account string) string {
	t.Helper()
	u, err := r.dir.Find(context.Background(), directory.Lookup{Kind: directory.ByAccountName, Value: account})
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// bodyCSRF is the flow's CSRF token as the layout gives it to scripts
// (pages with no form of their own).
func bodyCSRF(t *testing.T, page string) string {
	t.Helper()
	const marker = `data-csrf="`
	i := strings.Index(page, marker)
	if i < 0 {
		t.Fatalf("no data-csrf in page:\n%s", page)
	}
	rest := page[i+len(marker):]
	return rest[:strings.IndexByte(rest, '"')]
}

// TestHandlerPasswordOnlyEnrollsTheFirstFactor: with someone's chat
// session and current password, an attacker gets an enrollment link of
// their own. When the account already has a passkey or an authenticator
// app, the password proves nothing: the page asks for an existing factor,
// the proof is refused without asking the directory, and the user's
// factors can be neither removed nor joined by a new passkey.
func TestHandlerPasswordOnlyEnrollsTheFirstFactor(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, r *rig, id string)
	}{
		{"existing passkey", func(t *testing.T, r *rig, id string) {
			if err := r.creds.AddPasskey(context.Background(), id, oldPasskey); err != nil {
				t.Fatal(err)
			}
		}},
		{"existing authenticator app", func(t *testing.T, r *rig, id string) {
			if err := r.creds.SetTOTPSecret(context.Background(), id, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, rigOptions{totp: true})
			ts := r.server(t)
			ctx := context.Background()
			id := accountIDOf(t, r, "pwuser")
			tc.setup(t, r, id)
			before, _ := r.creds.Summary(ctx, id)

			is := r.start(t, flows.KindEnroll, "pwuser")
			b := newBrowser(t, ts)
			b.redeem(is.Token)
			fid := is.Flow.ID
			st, _, page, _ := b.get("/f/" + fid + "/enroll")
			if st != http.StatusOK || strings.Contains(page, "Current password") || !strings.Contains(page, `id="enroll-needs-factor"`) {
				t.Fatalf("enroll page of an account with a factor: %d, want the existing-factor step, not the password:\n%s", st, page)
			}
			csrf := bodyCSRF(t, page)
			st, loc, body, _ := b.postForm("/f/"+fid+"/enroll/proof", map[string]string{"csrf": csrf, "password": memory.ExamplePassword})
			if st != http.StatusForbidden || !strings.Contains(body, "Confirm with your passkey") {
				t.Fatalf("password proof with a factor enrolled: %d %q, want 403 needs-factor", st, loc)
			}
			if f, _ := r.eng.Get(ctx, fid); f.State != flows.StateRedeemed || len(f.Verified) != 0 {
				t.Fatalf("after the password: state %s, verified %v", f.State, f.Verified)
			}
			// Whatever else the attacker posts changes nothing.
			b.postForm("/f/"+fid+"/enroll/passkey/remove", map[string]string{"csrf": csrf, "id": b64url(oldPasskey.Credential.ID)})
			b.postForm("/f/"+fid+"/enroll/totp/remove", map[string]string{"csrf": csrf})
			if st, _, _, _ := b.postJSON("/f/"+fid+"/enroll/passkey/begin", csrf, "{}"); st < 400 {
				t.Fatalf("registration options after a refused proof: %d", st)
			}
			if after, _ := r.creds.Summary(ctx, id); after != before {
				t.Fatalf("factors changed from %+v to %+v", before, after)
			}
			for _, ev := range r.events(t, fid) {
				if ev.Type == flows.EventVerified || ev.Type == flows.EventFactorAdded || ev.Type == flows.EventFactorRemoved {
					t.Fatalf("unexpected %s event", ev.Type)
				}
			}
		})
	}
}

// TestHandlerPasswordFlowCannotTouchOlderFactors: a flow proven by the
// password (the account had nothing then) may change what it added
// itself, never a factor that appeared otherwise: the engine checks the
// proof against the account's factors at every change.
func TestHandlerPasswordFlowCannotTouchOlderFactors(t *testing.T) {
	r := newRig(t, rigOptions{totp: true})
	ts := r.server(t)
	ctx := context.Background()
	b := newBrowser(t, ts)
	fid := enrollVerified(t, r, b, "spare1")
	id := accountIDOf(t, r, "spare1")
	if err := r.creds.AddPasskey(ctx, id, oldPasskey); err != nil {
		t.Fatal(err)
	}
	_, _, page, _ := b.get("/f/" + fid + "/enroll")
	csrf := csrfOf(t, page)
	st, _, _, _ := b.postForm("/f/"+fid+"/enroll/passkey/remove", map[string]string{"csrf": csrf, "id": b64url(oldPasskey.Credential.ID)})
	if st != Classify(flows.ErrNeedsFactor).Status {
		t.Fatalf("remove an older passkey from a password-proven flow: %d", st)
	}
	if st, _, _, _ := b.postJSON("/f/"+fid+"/enroll/passkey/begin", csrf, "{}"); st != Classify(flows.ErrNeedsFactor).Status {
		t.Fatalf("registration options beside an older passkey: %d", st)
	}
	if st, _, _, _ := b.get("/f/" + fid + "/enroll/totp"); st != Classify(flows.ErrNeedsFactor).Status {
		t.Fatalf("authenticator-app setup beside an older passkey: %d", st)
	}
	if pks, _ := r.creds.Passkeys(ctx, id); len(pks) != 1 {
		t.Fatalf("%d passkeys, want the older one kept", len(pks))
	}
}

// TestHandlerFactorChangesAreAudited: with an existing factor as proof,
// removing a passkey and setting and removing an authenticator app each
// append an audit event naming the factor, device and address, before the
// store changes; an unknown passkey id is a catalogued 404.
func TestHandlerFactorChangesAreAudited(t *testing.T) {
	r := newRig(t, rigOptions{totp: true})
	ts := r.server(t)
	ctx := context.Background()
	id := accountIDOf(t, r, "pwuser")
	if err := r.creds.AddPasskey(ctx, id, oldPasskey); err != nil {
		t.Fatal(err)
	}
	is := r.start(t, flows.KindEnroll, "pwuser")
	b := newBrowser(t, ts)
	b.redeem(is.Token)
	fid := is.Flow.ID
	// The web app checked the old passkey's assertion (the Chromium tests
	// do that part for real).
	if _, err := r.eng.RecordVerification(ctx, fid, readJarBinding(t, b, fid), flows.Verification{Method: flows.MethodPasskey, OK: true}); err != nil {
		t.Fatal(err)
	}
	_, _, page, _ := b.get("/f/" + fid + "/enroll")
	csrf := csrfOf(t, page)

	st, _, body, _ := b.postForm("/f/"+fid+"/enroll/passkey/remove", map[string]string{"csrf": csrf, "id": b64url([]byte("no-such-credential"))})
	if st != http.StatusNotFound || !strings.Contains(body, "Passkey not found") || !strings.Contains(body, `id="error-id"`) {
		t.Fatalf("remove an unknown passkey: %d, want the catalogued 404:\n%s", st, body)
	}
	if st, loc, _, _ := b.postForm("/f/"+fid+"/enroll/passkey/remove", map[string]string{"csrf": csrf, "id": b64url(oldPasskey.Credential.ID)}); st != http.StatusSeeOther || loc != "/f/"+fid+"/enroll" {
		t.Fatalf("remove the old passkey: %d %q", st, loc)
	}
	page, secret := totpSetup(t, b, fid)
	if st, _, _, _ := b.postForm("/f/"+fid+"/enroll/totp", map[string]string{"csrf": csrfOf(t, page), "code": totpCode(t, secret, r.clock.Now())}); st != http.StatusSeeOther {
		t.Fatalf("confirm the authenticator app: %d", st)
	}
	r.clock.Advance(time.Minute)
	if st, _, _, _ := b.postForm("/f/"+fid+"/enroll/totp/remove", map[string]string{"csrf": csrf}); st != http.StatusSeeOther {
		t.Fatalf("remove the authenticator app: %d", st)
	}
	if st, _, body, _ := b.postForm("/f/"+fid+"/enroll/totp/remove", map[string]string{"csrf": csrf}); st != http.StatusNotFound || !strings.Contains(body, "No authenticator app") {
		t.Fatalf("remove it again: %d", st)
	}
	if sum, _ := r.creds.Summary(ctx, id); sum.Passkeys != 0 || sum.TOTP {
		t.Fatalf("factors left: %+v", sum)
	}

	var got []string
	for _, ev := range r.events(t, fid) {
		if ev.Type != flows.EventFactorAdded && ev.Type != flows.EventFactorRemoved {
			continue
		}
		if ev.Device == "" || ev.SourceIP == "" || ev.Account != "pwuser" || ev.Actor != "slack:U-pwuser" {
			t.Errorf("event without device, address or subject: %+v", ev)
		}
		got = append(got, string(ev.Type)+" "+ev.Method+" "+ev.Reason)
	}
	want := []string{`factor.removed passkey passkey "Old phone"`, "factor.added totp authenticator app", "factor.removed totp authenticator app"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("factor events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestHandlerPushedLinkChangesFactors: a helpdesk-issued enrollment link
// is the proof for an account that already has a factor (a lost phone).
func TestHandlerPushedLinkChangesFactors(t *testing.T) {
	r := newRig(t, rigOptions{})
	ts := r.server(t)
	ctx := context.Background()
	id := accountIDOf(t, r, "spare2")
	if err := r.creds.AddPasskey(ctx, id, oldPasskey); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, ts)
	fid := enrollPushed(t, r, b, "spare2")
	_, _, page, _ := b.get("/f/" + fid + "/enroll")
	if st, _, _, _ := b.postForm("/f/"+fid+"/enroll/passkey/remove", map[string]string{"csrf": csrfOf(t, page), "id": b64url(oldPasskey.Credential.ID)}); st != http.StatusSeeOther {
		t.Fatalf("remove the lost passkey with a helpdesk link: %d", st)
	}
	if pks, _ := r.creds.Passkeys(ctx, id); len(pks) != 0 {
		t.Fatalf("%d passkeys left", len(pks))
	}
}

// TestHandlerDailyBudgetSaysSo: once the account's daily budget of failed
// verifications is used up, a correct factor is refused too (by design);
// the page says so plainly, distinct from a wrong code, and the audit
// trail (the helpdesk thread) records that a correct factor was refused.
func TestHandlerDailyBudgetSaysSo(t *testing.T) {
	r := newRig(t, rigOptions{totp: true})
	ts := r.server(t)
	ctx := context.Background()
	id := accountIDOf(t, r, "jdoe")
	secret := "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	if err := r.creds.SetTOTPSecret(ctx, id, secret); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ { // the rig's FailedVerifyPerAccountDay
		if _, err := r.store.Take(ctx, "fail:"+id, 24*time.Hour, 20, r.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	is := r.start(t, flows.KindReset, "jdoe")
	b := newBrowser(t, ts)
	b.redeem(is.Token)
	_, _, page, _ := b.get("/f/" + is.Flow.ID + "/verify")
	st, _, body, _ := b.postForm("/f/"+is.Flow.ID+"/totp", map[string]string{"csrf": csrfOf(t, page), "code": totpCode(t, secret, r.clock.Now())})
	if st != http.StatusForbidden || !containsAll(body, "Too many failed attempts today", "even with the right passkey", "Contact the helpdesk") ||
		strings.Contains(body, "That did not work") || strings.Contains(body, "Slow down") {
		t.Fatalf("correct code after the daily budget: %d\n%s", st, body)
	}
	var reasons []string
	for _, ev := range r.events(t, is.Flow.ID) {
		if ev.Type == flows.EventFailed {
			reasons = append(reasons, ev.Reason)
		}
	}
	if len(reasons) != 1 || !containsAll(reasons[0], "daily limit", "a correct authenticator code was refused too") {
		t.Fatalf("failure events: %q", reasons)
	}
}

// TestHandlerPushedLinkForPrivilegedWaitsForApproval: a helpdesk-issued
// enrollment link of a privileged account changes nothing until a second
// helpdesk member approves it.
func TestHandlerPushedLinkForPrivilegedWaitsForApproval(t *testing.T) {
	r := newRig(t, rigOptions{})
	ts := r.server(t)
	ctx := context.Background()
	is := r.startBy(t, flows.KindEnroll, "alice", "U-helpdesk")
	b := newBrowser(t, ts)
	b.redeem(is.Token)
	f, _ := r.eng.Get(ctx, is.Flow.ID)
	if f.State != flows.StateAwaitingApproval {
		t.Fatalf("pushed link of a privileged account: %s, want awaiting approval", f.State)
	}
	_, _, page, _ := b.get("/f/" + f.ID + "/verify")
	if st, _, _, _ := b.postJSON("/f/"+f.ID+"/enroll/passkey/begin", bodyCSRF(t, page), "{}"); st != http.StatusConflict {
		t.Fatalf("registration before the approval: %d", st)
	}
	if _, err := r.eng.Decide(ctx, f.ID, flows.Decision{Approver: flows.ChatIdentity{Platform: "slack", UserID: "U-other"}, ApproverAccountID: "other", Grant: true}); err != nil {
		t.Fatal(err)
	}
	if st, _, _, _ := b.postJSON("/f/"+f.ID+"/enroll/passkey/begin", bodyCSRF(t, page), "{}"); st != http.StatusOK {
		t.Fatalf("registration after the approval: %d", st)
	}
}
