package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
)

// runChange: a password change (flows.KindChange, what an expiry
// reminder's button starts) is a reset's verified path audited as its own
// kind, with the expiry it answers kept on the flow; a change and a reset
// of one account end each other; a privileged account's change needs its
// passkey and a helpdesk approval like its reset.
func runChange(t *testing.T, newStore NewStore) {
	t.Run("ChangeHappyPath", func(t *testing.T) {
		r := newRig(t, newStore)
		expires := r.clock.Now().Add(13 * 24 * time.Hour).Truncate(time.Second)
		is, err := r.eng.Start(ctx(t), flows.StartRequest{
			Kind: flows.KindChange, Lookup: directory.Lookup{Kind: directory.ByChatID, Platform: "slack", Value: "U0PWUSER"},
			Chat: slack("U0PWUSER"), RequestedBy: slack("U0PWUSER"), PasswordExpiry: expires,
		})
		if err != nil {
			t.Fatalf("Start(change): %v", err)
		}
		stored, err := r.eng.Get(ctx(t), is.Flow.ID)
		if err != nil || stored.Kind != flows.KindChange || !stored.PasswordExpiry.Equal(expires) {
			t.Fatalf("stored change = %+v, %v; want kind change expiring %v", stored, err, expires)
		}
		f, binding, err := r.eng.Redeem(ctx(t), is.Token, flows.Client{IP: "192.0.2.1"})
		if err != nil {
			t.Fatalf("Redeem: %v", err)
		}
		// Not privileged: the authenticator-app fallback counts, as for a reset.
		f, err = r.eng.RecordVerification(ctx(t), f.ID, binding, flows.Verification{Method: flows.MethodTOTP, OK: true})
		if err != nil || f.State != flows.StateVerified {
			t.Fatalf("TOTP: %v, state %q; want verified", err, f.State)
		}
		if _, err := r.eng.Complete(ctx(t), f.ID, binding, flows.Completion{}); err == nil {
			t.Fatal("a change completed without a password")
		}
		f, err = r.eng.Complete(ctx(t), f.ID, binding, flows.Completion{NewPassword: "Fresh-Horse-Battery-42"})
		if err != nil || f.State != flows.StateCompleted {
			t.Fatalf("Complete: %v, state %q", err, f.State)
		}
		u, _ := r.dir.Find(ctx(t), directory.Lookup{Kind: directory.ByAccountName, Value: "pwuser"})
		if err := r.dir.VerifyPassword(ctx(t), u, "Fresh-Horse-Battery-42"); err != nil {
			t.Fatalf("new password does not work: %v", err)
		}
		evs := drain(t, r.st, "audit")
		want := []flows.EventType{flows.EventRequested, flows.EventLinkRedeemed, flows.EventVerified,
			flows.EventApplying, flows.EventPasswordSet, flows.EventCompleted}
		if got := types(evs); !slices.Equal(got, want) {
			t.Fatalf("audit trail = %v\nwant %v", got, want)
		}
		for _, ev := range evs {
			if ev.Kind != flows.KindChange {
				t.Errorf("%s audited as kind %q, want change", ev.Type, ev.Kind)
			}
		}
	})

	t.Run("ExpiryKeptOnlyOnChanges", func(t *testing.T) {
		r := newRig(t, newStore)
		is, err := r.eng.Start(ctx(t), flows.StartRequest{
			Kind: flows.KindReset, Lookup: directory.Lookup{Kind: directory.ByChatID, Platform: "slack", Value: "U0PWUSER"},
			Chat: slack("U0PWUSER"), RequestedBy: slack("U0PWUSER"), PasswordExpiry: r.clock.Now().Add(time.Hour),
		})
		if err != nil {
			t.Fatal(err)
		}
		if !is.Flow.PasswordExpiry.IsZero() {
			t.Errorf("a reset keeps a password expiry %v; only a change answers one", is.Flow.PasswordExpiry)
		}
	})

	t.Run("ChangeAndResetReplaceEachOther", func(t *testing.T) {
		r := newRig(t, newStore)
		reset := r.mustStart(t, flows.KindReset, "U0PWUSER")
		change := r.mustStart(t, flows.KindChange, "U0PWUSER")
		if old, _ := r.eng.Get(ctx(t), reset.Flow.ID); old.State != flows.StateSuperseded {
			t.Errorf("the reset after a change was started is %q, want superseded", old.State)
		}
		if _, _, err := r.eng.Redeem(ctx(t), reset.Token, flows.Client{}); err == nil {
			t.Error("the replaced reset's link still works")
		}
		again := r.mustStart(t, flows.KindReset, "U0PWUSER")
		if old, _ := r.eng.Get(ctx(t), change.Flow.ID); old.State != flows.StateSuperseded {
			t.Errorf("the change after a reset was started is %q, want superseded", old.State)
		}
		acct := again.Flow.Subject.AccountID
		if id, _ := r.st.LiveID(ctx(t), acct, flows.KindReset); id != again.Flow.ID {
			t.Errorf("live reset = %q, want %q", id, again.Flow.ID)
		}
		if _, _, err := r.eng.Redeem(ctx(t), again.Token, flows.Client{}); err != nil {
			t.Errorf("the newest link: %v", err)
		}
		// An unlock is no password write: it is left alone.
		unlock := r.mustStart(t, flows.KindUnlock, "U0PWUSER")
		r.mustStart(t, flows.KindChange, "U0PWUSER")
		if f, _ := r.eng.Get(ctx(t), unlock.Flow.ID); f.State != flows.StateIssued {
			t.Errorf("an unlock after a change was started is %q, want still issued", f.State)
		}
	})

	t.Run("PrivilegedChangeNeedsPasskeyAndApproval", func(t *testing.T) {
		r := newRig(t, newStore)
		is := r.mustStart(t, flows.KindChange, "U0ALICE")
		if !is.Flow.Subject.Privileged || !is.Flow.Approval.Required {
			t.Fatal("alice's change is not treated as privileged")
		}
		f, binding, _ := r.eng.Redeem(ctx(t), is.Token, flows.Client{})
		if _, err := r.eng.RecordVerification(ctx(t), f.ID, binding, flows.Verification{Method: flows.MethodTOTP, OK: true}); !errors.Is(err, flows.ErrFactorNotAllowed) {
			t.Fatalf("TOTP for a privileged change = %v, want ErrFactorNotAllowed", err)
		}
		f, err := r.eng.RecordVerification(ctx(t), f.ID, binding, flows.Verification{Method: flows.MethodPasskey, OK: true})
		if err != nil || f.State != flows.StateAwaitingApproval {
			t.Fatalf("passkey: %v, state %q; want awaiting approval", err, f.State)
		}
		if _, err := r.eng.Complete(ctx(t), f.ID, binding, flows.Completion{NewPassword: "Fresh-Horse-Battery-42"}); !errors.Is(err, flows.ErrIllegalTransition) {
			t.Fatalf("Complete before approval = %v", err)
		}
		if _, err := r.eng.Decide(ctx(t), f.ID, flows.Decision{Approver: slack("U0ALICE"), ApproverAccountID: "x", Grant: true}); !errors.Is(err, flows.ErrApproverNotAllowed) {
			t.Fatalf("alice approving her own change: %v, want ErrApproverNotAllowed", err)
		}
		jdoe, _ := r.dir.Find(ctx(t), directory.Lookup{Kind: directory.ByAccountName, Value: "jdoe"})
		if _, err := r.eng.Decide(ctx(t), f.ID, flows.Decision{Approver: slack("U0JDOE"), ApproverAccountID: jdoe.ID, Grant: true}); err != nil {
			t.Fatalf("approval: %v", err)
		}
		if f, err := r.eng.Complete(ctx(t), f.ID, binding, flows.Completion{NewPassword: "Fresh-Horse-Battery-42"}); err != nil || f.State != flows.StateCompleted {
			t.Fatalf("Complete after approval: %v", err)
		}
	})
}
