package storetest

import (
	"errors"
	"strings"
	"testing"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/memory"
	"github.com/resetbot/resetbot/flows"
)

// runPolicy checks that policy is applied to the canonical account, at the
// start and again right before the directory write.
func runPolicy(t *testing.T, newStore NewStore) {
	t.Run("BreakGlassOnEveryName", func(t *testing.T) {
		find := func(dir *memory.Directory, name string) *directory.User {
			u, err := dir.Find(ctx(t), directory.Lookup{Kind: directory.ByAccountName, Value: name})
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		tests := []struct {
			name   string
			chatID string // the account's chat id; the lookup goes by it
			listed func(dir *memory.Directory) []string
		}{
			// bg2 has two uid values, bg2 and breakglass2.
			{"second login name", "U0BG2", func(*memory.Directory) []string { return []string{"breakglass2"} }},
			{"second login name upper case", "U0BG2", func(*memory.Directory) []string { return []string{"BREAKGLASS2"} }},
			{"first login name", "U0BG2", func(*memory.Directory) []string { return []string{"bg2"} }},
			{"DN", "U0SPARE2", func(*memory.Directory) []string { return []string{"UID=spare2, ou=People, dc=example, dc=test"} }},
			{"immutable id", "U0SPARE1", func(dir *memory.Directory) []string { return []string{strings.ToUpper(find(dir, "spare1").ID)} }},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := newRig(t, newStore, tc.listed)
				for _, kind := range []flows.Kind{flows.KindReset, flows.KindUnlock} {
					_, err := r.start(t, kind, tc.chatID)
					var re *flows.RefusalError
					if !errors.As(err, &re) || re.Reason != "break-glass" {
						t.Errorf("%s start = %v, want RefusalError(break-glass)", kind, err)
					}
				}
				if _, err := r.start(t, flows.KindReset, "U0PWUSER"); err != nil {
					t.Errorf("an account not listed is refused too: %v", err)
				}
			})
		}
	})

	// An account listed as break-glass after its flow started: the write
	// is refused by the re-read, by whichever name it is listed.
	t.Run("BreakGlassAliasAtReRead", func(t *testing.T) {
		r := newRig(t, newStore)
		f, binding := r.verified(t, flows.KindReset, "U0BG2")
		// The administrator lists the account by its second name; the
		// engine serving the completion has the new configuration.
		later := flows.NewEngine(r.st, r.dir, engineConfig(flows.Policy{
			PrivilegedGroups: []string{privilegedGroup}, BreakGlass: []string{"breakglass2"},
		}), flows.WithClock(r.clock.Now))
		got, err := later.Complete(ctx(t), f.ID, binding, flows.Completion{NewPassword: "Fresh-Horse-Battery-42"})
		if !errors.Is(err, flows.ErrNotEligible) || got.State != flows.StateFailed {
			t.Fatalf("Complete = %v, state %q; want ErrNotEligible, failed", err, got.State)
		}
		r.passwordUnchanged(t, "bg2")
	})

	t.Run("NewlyPrivilegedNeedsApproval", func(t *testing.T) {
		r := newRig(t, newStore)
		f, binding := r.verified(t, flows.KindReset, "U0SPARE1")
		if f.State != flows.StateVerified || f.Subject.Privileged {
			t.Fatalf("before the change: state %q, privileged %v", f.State, f.Subject.Privileged)
		}
		drain(t, r.st, "audit")
		// An administrator puts spare1 into a team nested in tier0-admins.
		if err := r.dir.AddMember("infra-team", "spare1"); err != nil {
			t.Fatal(err)
		}
		got, err := r.eng.Complete(ctx(t), f.ID, binding, flows.Completion{NewPassword: "Fresh-Horse-Battery-42"})
		if !errors.Is(err, flows.ErrApprovalRequired) {
			t.Fatalf("Complete = %v, want ErrApprovalRequired", err)
		}
		if got == nil || got.State != flows.StateAwaitingApproval || !got.Subject.Privileged || !got.Approval.Required {
			t.Fatalf("flow after the refused write = %+v; want awaiting approval, privileged", got)
		}
		r.passwordUnchanged(t, "spare1")
		evs := drain(t, r.st, "audit")
		last := evs[len(evs)-1]
		if last.Type != flows.EventApprovalRequired || !strings.Contains(last.Reason, "privileged since the request") {
			t.Fatalf("last event = %+v; want approval required, saying why", last)
		}
		if _, err := r.eng.Complete(ctx(t), f.ID, binding, flows.Completion{NewPassword: "Fresh-Horse-Battery-42"}); !errors.Is(err, flows.ErrIllegalTransition) {
			t.Fatalf("second Complete before approval = %v, want ErrIllegalTransition", err)
		}
		jdoe, _ := r.dir.Find(ctx(t), directory.Lookup{Kind: directory.ByAccountName, Value: "jdoe"})
		if _, err := r.eng.Decide(ctx(t), f.ID, flows.Decision{Approver: slack("U0JDOE"), ApproverAccountID: jdoe.ID, Grant: true}); err != nil {
			t.Fatalf("approval: %v", err)
		}
		if got, err := r.eng.Complete(ctx(t), f.ID, binding, flows.Completion{NewPassword: "Fresh-Horse-Battery-42"}); err != nil || got.State != flows.StateCompleted {
			t.Fatalf("Complete after approval = %v, state %v", err, got)
		}
	})

	t.Run("NewlyPrivilegedWithoutPasskeyFails", func(t *testing.T) {
		r := newRig(t, newStore)
		is := r.mustStart(t, flows.KindUnlock, "U0SPARE2")
		f, binding, err := r.eng.Redeem(ctx(t), is.Token, flows.Client{})
		if err != nil {
			t.Fatal(err)
		}
		if f, err = r.eng.RecordVerification(ctx(t), f.ID, binding, flows.Verification{Method: flows.MethodTOTP, OK: true}); err != nil || f.State != flows.StateVerified {
			t.Fatalf("verify with TOTP: %v", err)
		}
		if err := r.dir.SetLocked("spare2", true); err != nil {
			t.Fatal(err)
		}
		if err := r.dir.AddMember("tier0-admins", "spare2"); err != nil {
			t.Fatal(err)
		}
		got, err := r.eng.Complete(ctx(t), f.ID, binding, flows.Completion{})
		if !errors.Is(err, flows.ErrFactorNotAllowed) || got.State != flows.StateFailed {
			t.Fatalf("Complete = %v, state %q; want ErrFactorNotAllowed, failed", err, got.State)
		}
		if u, _ := r.dir.Find(ctx(t), directory.Lookup{Kind: directory.ByAccountName, Value: "spare2"}); !u.Locked {
			t.Fatal("the account was unlocked without approval")
		}
	})

	t.Run("ApproverReReadAtConfirmation", func(t *testing.T) { runApproverReRead(t, newStore) })

	t.Run("DisabledSinceStartRefused", func(t *testing.T) {
		r := newRig(t, newStore)
		f, binding := r.verified(t, flows.KindReset, "U0SPARE1")
		if err := r.dir.SetDisabled("spare1", true); err != nil {
			t.Fatal(err)
		}
		got, err := r.eng.Complete(ctx(t), f.ID, binding, flows.Completion{NewPassword: "Fresh-Horse-Battery-42"})
		if !errors.Is(err, flows.ErrNotEligible) || got.State != flows.StateFailed {
			t.Fatalf("Complete = %v, state %q; want ErrNotEligible, failed", err, got.State)
		}
		if err := r.dir.SetDisabled("spare1", false); err != nil {
			t.Fatal(err)
		}
		r.passwordUnchanged(t, "spare1")
	})
}

// passwordUnchanged fails the test when the account's seeded password no
// longer works: something was written.
func (r *rig) passwordUnchanged(t *testing.T, account string) {
	t.Helper()
	u, err := r.dir.Find(ctx(t), directory.Lookup{Kind: directory.ByAccountName, Value: account})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.dir.VerifyPassword(ctx(t), u, memory.ExamplePassword); err != nil {
		t.Fatalf("the password of %s was written: %v", account, err)
	}
}

// runApproverReRead: an approval confirmed with the approver's passkey
// counts only if the approver may still act when the confirmation
// completes: enabled, not locked out, still in the helpdesk group.
func runApproverReRead(t *testing.T, newStore NewStore) {
	changes := []struct {
		name        string
		apply, undo func(d *memory.Directory) error
		reason      string
	}{
		{"disabled", func(d *memory.Directory) error { return d.SetDisabled("jdoe", true) }, func(d *memory.Directory) error { return d.SetDisabled("jdoe", false) }, "approver account disabled"},
		{"locked out", func(d *memory.Directory) error { return d.SetLocked("jdoe", true) }, func(d *memory.Directory) error { return d.SetLocked("jdoe", false) }, "approver account locked out"},
		{"left the helpdesk", func(d *memory.Directory) error { return d.RemoveMember("helpdesk", "jdoe") }, func(d *memory.Directory) error { return d.AddMember("helpdesk", "jdoe") }, "no longer in the helpdesk group"},
	}
	for _, c := range changes {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, newStore)
			f, _ := r.verified(t, flows.KindReset, "U0ALICE")
			jdoe, err := r.dir.Find(ctx(t), directory.Lookup{Kind: directory.ByAccountName, Value: "jdoe"})
			if err != nil {
				t.Fatal(err)
			}
			is, err := r.eng.StartConfirmation(ctx(t), flows.ConfirmRequest{Target: f.ID, Approver: slack("U0JDOE"), Account: jdoe, Grant: true})
			if err != nil {
				t.Fatal(err)
			}
			cf, cb, err := r.eng.Redeem(ctx(t), is.Token, flows.Client{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.eng.RecordVerification(ctx(t), cf.ID, cb, flows.Verification{Method: flows.MethodPasskey, OK: true}); err != nil {
				t.Fatal(err)
			}
			if err := c.apply(r.dir); err != nil {
				t.Fatal(err)
			}
			drain(t, r.st, "audit")
			done, err := r.eng.Complete(ctx(t), cf.ID, cb, flows.Completion{})
			if !errors.Is(err, flows.ErrNotEligible) || done.State != flows.StateFailed {
				t.Fatalf("confirming = %v, state %v; want ErrNotEligible, failed", err, done)
			}
			if got, _ := r.eng.Get(ctx(t), f.ID); got.State != flows.StateAwaitingApproval || got.Approval.Decided {
				t.Fatalf("the target was decided by an approver who lost the power: %q", got.State)
			}
			evs := drain(t, r.st, "audit")
			if last := evs[len(evs)-1]; !strings.Contains(last.Reason, c.reason) {
				t.Errorf("last event %+v does not say %q", last, c.reason)
			}
			_ = c.undo(r.dir)
		})
	}
}
