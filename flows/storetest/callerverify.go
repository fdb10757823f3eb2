package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
)

// verifyOf asks, as the helpdesk member jdoe, for a caller verification
// of the account chatID maps to.
func (r *rig) verifyOf(t *testing.T, chatID string) (*flows.Issued, error) {
	t.Helper()
	u, err := r.dir.Find(ctx(t), directory.Lookup{Kind: directory.ByChatID, Platform: "slack", Value: chatID})
	if err != nil {
		t.Fatalf("Find(%s): %v", chatID, err)
	}
	member, _ := r.dir.Find(ctx(t), directory.Lookup{Kind: directory.ByAccountName, Value: "jdoe"})
	return r.eng.RequestVerify(ctx(t), flows.VerifyRequest{Account: u, Chat: slack(chatID),
		RequestedBy: slack("U0JDOE"), RequestedByAccountID: member.ID, Reason: "caller on the phone"})
}

// runCallerVerify is the caller verification ("/reset verify"): a passkey
// only, no approval even for a privileged target, five minutes, one live
// per target, its own rate limits, and a decline recorded as a risk
// signal.
func runCallerVerify(t *testing.T, newStore NewStore) {
	t.Run("VerifiedWithPasskeyEvenWhenPrivileged", func(t *testing.T) {
		r := newRig(t, newStore)
		is, err := r.verifyOf(t, "U0ALICE")
		if err != nil {
			t.Fatal(err)
		}
		if !is.Flow.Subject.Privileged || is.Flow.Kind != flows.KindVerify {
			t.Fatalf("flow = %+v; want a verify flow of privileged alice", is.Flow)
		}
		if got := is.Flow.ExpiresAt.Sub(is.Flow.IssuedAt); got != flows.VerifyTTL {
			t.Fatalf("lifetime %v, want %v", got, flows.VerifyTTL)
		}
		f, binding, err := r.eng.Redeem(ctx(t), is.Token, flows.Client{IP: "192.0.2.1"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.eng.RecordVerification(ctx(t), f.ID, binding, flows.Verification{Method: flows.MethodTOTP, OK: true}); !errors.Is(err, flows.ErrFactorNotAllowed) {
			t.Fatalf("an authenticator code = %v, want ErrFactorNotAllowed", err)
		}
		f, err = r.eng.RecordVerification(ctx(t), f.ID, binding, flows.Verification{Method: flows.MethodPasskey, OK: true})
		if err != nil || f.State != flows.StateVerified {
			t.Fatalf("passkey: %v, state %q; want verified with no approval", err, f.State)
		}
		if _, err := r.eng.ConfirmVerify(ctx(t), f.ID, "another-browser", "iPhone"); !errors.Is(err, flows.ErrBinding) {
			t.Fatalf("confirm from another browser = %v, want ErrBinding", err)
		}
		f, err = r.eng.ConfirmVerify(ctx(t), f.ID, binding, "iPhone")
		if err != nil || f.State != flows.StateCompleted {
			t.Fatalf("confirm: %v, state %q", err, f.State)
		}
		if _, err := r.eng.ConfirmVerify(ctx(t), f.ID, binding, "iPhone"); !errors.Is(err, flows.ErrAlreadyDecided) {
			t.Fatalf("second confirm = %v, want ErrAlreadyDecided", err)
		}
		evs := drain(t, r.st, "verify-ok")
		i := slices.IndexFunc(evs, func(ev flows.Event) bool { return ev.Type == flows.EventCallerVerified })
		if i < 0 || evs[i].Reason != "iPhone" || evs[i].FlowID != f.ID {
			t.Fatalf("no caller.verified naming the passkey in %v", types(evs))
		}
	})

	t.Run("DeclineIsARiskSignal", func(t *testing.T) {
		r := newRig(t, newStore)
		is, err := r.verifyOf(t, "U0PWUSER")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.eng.DeclineVerify(ctx(t), is.Flow.ID, ""); !errors.Is(err, flows.ErrBinding) {
			t.Fatalf("decline without the link's browser = %v, want ErrBinding", err)
		}
		f, binding, err := r.eng.Redeem(ctx(t), is.Token, flows.Client{})
		if err != nil {
			t.Fatal(err)
		}
		f, err = r.eng.DeclineVerify(ctx(t), f.ID, binding)
		if err != nil || f.State != flows.StateCancelled {
			t.Fatalf("decline: %v, state %q", err, f.State)
		}
		if _, err := r.eng.DeclineVerify(ctx(t), f.ID, binding); !errors.Is(err, flows.ErrAlreadyDecided) {
			t.Fatalf("second decline = %v, want ErrAlreadyDecided", err)
		}
		n := 0
		for _, ev := range drain(t, r.st, "verify-decline") {
			if slices.Contains(flows.RiskEventTypes, ev.Type) {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%d risk signals, want 1", n)
		}
	})

	t.Run("ExpiresAfterFiveMinutes", func(t *testing.T) {
		r := newRig(t, newStore)
		is, err := r.verifyOf(t, "U0PWUSER")
		if err != nil {
			t.Fatal(err)
		}
		r.clock.Advance(flows.VerifyTTL)
		if _, _, err := r.eng.Redeem(ctx(t), is.Token, flows.Client{}); err == nil {
			t.Fatal("a verification link redeemed after five minutes")
		}
		if _, err := r.eng.ExpireDue(ctx(t)); err != nil {
			t.Fatal(err)
		}
		f, err := r.eng.Get(ctx(t), is.Flow.ID)
		if err != nil || f.State != flows.StateExpired {
			t.Fatalf("after expiry: %v, state %q", err, f.State)
		}
	})

	t.Run("RedeemKeepsTheFiveMinutes", func(t *testing.T) {
		// Opening the link late must not give the verification a reset
		// flow's lifetime: five minutes from the request, redeemed or not.
		r := newRig(t, newStore)
		is, err := r.verifyOf(t, "U0PWUSER")
		if err != nil {
			t.Fatal(err)
		}
		r.clock.Advance(flows.VerifyTTL - time.Minute)
		f, binding, err := r.eng.Redeem(ctx(t), is.Token, flows.Client{})
		if err != nil {
			t.Fatal(err)
		}
		if !f.ExpiresAt.Equal(is.Flow.ExpiresAt) {
			t.Fatalf("redeemed verification expires %v, want %v (five minutes from the request)", f.ExpiresAt, is.Flow.ExpiresAt)
		}
		r.clock.Advance(time.Minute)
		if _, err := r.eng.RecordVerification(ctx(t), f.ID, binding, flows.Verification{Method: flows.MethodPasskey, OK: true}); !errors.Is(err, flows.ErrExpired) {
			t.Fatalf("a passkey five minutes after the request = %v, want ErrExpired", err)
		}
	})

	t.Run("OneLivePerTargetAndNotOneself", func(t *testing.T) {
		r := newRig(t, newStore)
		first, err := r.verifyOf(t, "U0PWUSER")
		if err != nil {
			t.Fatal(err)
		}
		second, err := r.verifyOf(t, "U0PWUSER")
		if err != nil {
			t.Fatal(err)
		}
		if f, _ := r.eng.Get(ctx(t), first.Flow.ID); f.State != flows.StateSuperseded {
			t.Fatalf("first verification %q after a second, want superseded", f.State)
		}
		if id, _ := r.st.LiveID(ctx(t), second.Flow.Subject.AccountID, flows.KindVerify); id != second.Flow.ID {
			t.Fatalf("live verification %q, want %q", id, second.Flow.ID)
		}
		if _, err := r.verifyOf(t, "U0JDOE"); !errors.Is(err, flows.ErrOwnAccount) {
			t.Fatalf("verifying oneself = %v, want ErrOwnAccount", err)
		}
	})

	t.Run("RateLimitedPerTarget", func(t *testing.T) {
		r := newRig(t, newStore)
		var err error
		for i := 0; i < 10 && err == nil; i++ {
			_, err = r.verifyOf(t, "U0PWUSER")
		}
		if !errors.Is(err, flows.ErrRateLimited) {
			t.Fatalf("ten verifications of one target in an hour = %v, want ErrRateLimited", err)
		}
		// The target's own reset budget is untouched.
		if _, err := r.start(t, flows.KindReset, "U0PWUSER"); err != nil {
			t.Fatalf("the target's own reset after verifications: %v", err)
		}
	})
}
