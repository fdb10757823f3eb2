package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/memory"
	"github.com/resetbot/resetbot/flows"
)

// rig is an engine on the store under test and an in-memory directory
// seeded with the example company.
type rig struct {
	st     flows.Store
	dir    *memory.Directory
	eng    *flows.Engine
	clock  *Clock
	policy flows.Policy
}

const (
	privilegedGroup = "cn=tier0-admins,ou=Groups,dc=example,dc=test"
	helpdeskGroup   = "cn=helpdesk,ou=Groups,dc=example,dc=test"
)

// newRig builds the rig; breakGlass, when given, replaces the default
// break-glass list, computed from the seeded directory (ids are random).
func newRig(t *testing.T, newStore NewStore, breakGlass ...func(dir *memory.Directory) []string) *rig {
	t.Helper()
	dir, err := memory.New(memory.ExampleSeed())
	if err != nil {
		t.Fatal(err)
	}
	policy := flows.Policy{PrivilegedGroups: []string{privilegedGroup}, BreakGlass: []string{"spare3"}, ApproverGroup: helpdeskGroup}
	for _, bg := range breakGlass {
		policy.BreakGlass = bg(dir)
	}
	clock := NewClock()
	dir.SetClock(clock.Now)
	r := &rig{st: newStore(t), dir: dir, clock: clock, policy: policy}
	r.eng = r.engine(r.st, dir)
	return r
}

// engine is a further engine on the rig's clock and configuration, over the
// given store and directory (a wrapped one, a second replica).
func (r *rig) engine(st flows.Store, dir directory.Directory) *flows.Engine {
	return flows.NewEngine(st, dir, engineConfig(r.policy), flows.WithClock(r.clock.Now))
}

// engineConfig is the rig's engine configuration with the given policy.
func engineConfig(policy flows.Policy) flows.Config {
	return flows.Config{
		LinkTTL: 10 * time.Minute, FlowTTL: 15 * time.Minute, ApprovalTTL: 30 * time.Minute,
		MaxVerifyAttempts: 3, MaxPasswordAttempts: 3,
		Limits: flows.Limits{RequestsPerAccountPerHour: 5, RequestsPerIdentityPerHour: 8, FailedVerifyPerAccountDay: 5},
		Policy: policy,
	}
}

func slack(id string) flows.ChatIdentity { return flows.ChatIdentity{Platform: "slack", UserID: id} }

// start asks for a flow for the chat user id as that user.
func (r *rig) start(t *testing.T, kind flows.Kind, chatID string) (*flows.Issued, error) {
	t.Helper()
	return r.eng.Start(ctx(t), flows.StartRequest{
		Kind:        kind,
		Lookup:      directory.Lookup{Kind: directory.ByChatID, Platform: "slack", Value: chatID},
		Chat:        slack(chatID),
		RequestedBy: slack(chatID),
	})
}

func (r *rig) mustStart(t *testing.T, kind flows.Kind, chatID string) *flows.Issued {
	t.Helper()
	is, err := r.start(t, kind, chatID)
	if err != nil {
		t.Fatalf("Start(%s, %s): %v", kind, chatID, err)
	}
	return is
}

// verified runs a flow to StateVerified (or awaiting approval) with a passkey.
func (r *rig) verified(t *testing.T, kind flows.Kind, chatID string) (*flows.Flow, string) {
	t.Helper()
	is := r.mustStart(t, kind, chatID)
	f, binding, err := r.eng.Redeem(ctx(t), is.Token, flows.Client{IP: "192.0.2.1", Device: "test"})
	if err != nil {
		t.Fatalf("Redeem: %v", err)
	}
	f, err = r.eng.RecordVerification(ctx(t), f.ID, binding, flows.Verification{Method: flows.MethodPasskey, OK: true})
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return f, binding
}

func runEngine(t *testing.T, newStore NewStore) {
	t.Run("ResetHappyPath", func(t *testing.T) {
		r := newRig(t, newStore)
		f, binding := r.verified(t, flows.KindReset, "U0PWUSER")
		if f.State != flows.StateVerified {
			t.Fatalf("state after verify = %q", f.State)
		}
		f, err := r.eng.Complete(ctx(t), f.ID, binding, flows.Completion{NewPassword: "Fresh-Horse-Battery-42"})
		if err != nil {
			t.Fatalf("Complete: %v", err)
		}
		if f.State != flows.StateCompleted {
			t.Fatalf("state = %q, want completed", f.State)
		}
		u, _ := r.dir.Find(ctx(t), directory.Lookup{Kind: directory.ByAccountName, Value: "pwuser"})
		if err := r.dir.VerifyPassword(ctx(t), u, "Fresh-Horse-Battery-42"); err != nil {
			t.Fatalf("new password does not work: %v", err)
		}
		want := []flows.EventType{flows.EventRequested, flows.EventLinkRedeemed, flows.EventVerified,
			flows.EventApplying, flows.EventPasswordSet, flows.EventCompleted}
		if got := types(drain(t, r.st, "audit")); !reflect.DeepEqual(got, want) {
			t.Fatalf("audit trail = %v\nwant %v", got, want)
		}
	})

	t.Run("PasswordNeverInEvents", func(t *testing.T) {
		r := newRig(t, newStore)
		f, binding := r.verified(t, flows.KindReset, "U0PWUSER")
		const pw = "Secret-Canary-Value-99"
		if _, err := r.eng.Complete(ctx(t), f.ID, binding, flows.Completion{NewPassword: "pwuser" + pw}); !errors.Is(err, directory.ErrPasswordPolicy) {
			t.Fatalf("a password containing the account name: %v, want policy error", err)
		}
		if _, err := r.eng.Complete(ctx(t), f.ID, binding, flows.Completion{NewPassword: pw}); err != nil {
			t.Fatal(err)
		}
		for _, e := range drain(t, r.st, "audit") {
			if s := e.Reason + e.Device + e.Actor; containsFold(s, "Canary") {
				t.Fatalf("event %s carries the password: %+v", e.Type, e)
			}
		}
	})

	t.Run("PolicyRefusalKeepsFlowOpen", func(t *testing.T) {
		r := newRig(t, newStore)
		f, binding := r.verified(t, flows.KindReset, "U0POLICY")
		for i := 1; i <= 2; i++ {
			got, err := r.eng.Complete(ctx(t), f.ID, binding, flows.Completion{NewPassword: "short"})
			var pe *directory.PolicyError
			if !errors.As(err, &pe) || pe.Reason == "" {
				t.Fatalf("attempt %d: err = %v, want a PolicyError with a reason", i, err)
			}
			if got.State != flows.StateVerified {
				t.Fatalf("attempt %d: state %q, want verified (try again)", i, got.State)
			}
		}
		got, err := r.eng.Complete(ctx(t), f.ID, binding, flows.Completion{NewPassword: "short"})
		if !errors.Is(err, flows.ErrTooManyAttempts) || got.State != flows.StateFailed {
			t.Fatalf("third refusal: %v, state %q; want too many attempts, failed", err, got.State)
		}
	})

	t.Run("GetNeverConsumesLink", func(t *testing.T) {
		r := newRig(t, newStore)
		is := r.mustStart(t, flows.KindReset, "U0JDOE")
		for i := 0; i < 3; i++ {
			if _, err := r.eng.Open(ctx(t), is.Token, flows.Client{Device: "Slackbot-LinkExpanding"}); err != nil {
				t.Fatalf("Open #%d: %v", i, err)
			}
		}
		if _, _, err := r.eng.Redeem(ctx(t), is.Token, flows.Client{}); err != nil {
			t.Fatalf("Redeem after opens: %v", err)
		}
		if _, _, err := r.eng.Redeem(ctx(t), is.Token, flows.Client{}); !errors.Is(err, flows.ErrTokenUsed) {
			t.Fatalf("second Redeem = %v, want ErrTokenUsed", err)
		}
		if _, err := r.eng.Open(ctx(t), is.Token, flows.Client{}); !errors.Is(err, flows.ErrTokenUsed) {
			t.Fatalf("Open after redeem = %v, want ErrTokenUsed", err)
		}
	})

	t.Run("ConcurrentRedeemOneWinner", func(t *testing.T) {
		r := newRig(t, newStore)
		is := r.mustStart(t, flows.KindReset, "U0JDOE")
		var wins, used atomic.Int32
		var wg sync.WaitGroup
		for i := 0; i < 24; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, binding, err := r.eng.Redeem(ctx(t), is.Token, flows.Client{})
				switch {
				case err == nil && binding != "":
					wins.Add(1)
				case errors.Is(err, flows.ErrTokenUsed):
					used.Add(1)
				default:
					t.Errorf("Redeem: %v", err)
				}
			}()
		}
		wg.Wait()
		if wins.Load() != 1 || used.Load() != 23 {
			t.Fatalf("wins=%d used=%d, want exactly one redemption", wins.Load(), used.Load())
		}
	})

	t.Run("BadTokens", func(t *testing.T) {
		r := newRig(t, newStore)
		jdoe := r.mustStart(t, flows.KindReset, "U0JDOE")
		pat := r.mustStart(t, flows.KindReset, "U0PWUSER")
		id, _, _ := flows.ParseToken(jdoe.Token)
		_, patSecret, _ := flows.ParseToken(pat.Token)
		for name, tok := range map[string]string{
			"empty":              "",
			"garbage":            "not a token",
			"other user secret":  id + "." + patSecret,
			"truncated":          jdoe.Token[:len(jdoe.Token)-1],
			"flipped last char":  jdoe.Token[:len(jdoe.Token)-1] + flip(jdoe.Token[len(jdoe.Token)-1]),
			"unknown flow":       "0a-AAAAAAAAAAAAAAAAAAAAAA." + patSecret,
			"injection in shard": "zz-AAAAAAAAAAAAAAAAAAAAAA." + patSecret,
		} {
			if _, _, err := r.eng.Redeem(ctx(t), tok, flows.Client{}); !errors.Is(err, flows.ErrInvalidToken) {
				t.Errorf("%s: Redeem = %v, want ErrInvalidToken", name, err)
			}
		}
		if _, _, err := r.eng.Redeem(ctx(t), jdoe.Token, flows.Client{}); err != nil {
			t.Fatalf("the real token stopped working after bad tries: %v", err)
		}
	})

	t.Run("LinkExpiresWithInjectedClock", func(t *testing.T) {
		r := newRig(t, newStore)
		is := r.mustStart(t, flows.KindReset, "U0JDOE")
		r.clock.Advance(10*time.Minute - time.Millisecond)
		if _, err := r.eng.Open(ctx(t), is.Token, flows.Client{}); err != nil {
			t.Fatalf("Open just before expiry: %v", err)
		}
		r.clock.Advance(time.Millisecond)
		if _, err := r.eng.Open(ctx(t), is.Token, flows.Client{}); !errors.Is(err, flows.ErrExpired) {
			t.Fatalf("Open at expiry = %v, want ErrExpired", err)
		}
		if _, _, err := r.eng.Redeem(ctx(t), is.Token, flows.Client{}); !errors.Is(err, flows.ErrExpired) {
			t.Fatalf("Redeem at expiry = %v, want ErrExpired", err)
		}
		n, err := r.eng.ExpireDue(ctx(t))
		if err != nil || n != 1 {
			t.Fatalf("ExpireDue = %d, %v; want 1", n, err)
		}
		if n, _ := r.eng.ExpireDue(ctx(t)); n != 0 {
			t.Fatalf("second ExpireDue expired %d again", n)
		}
		f, _ := r.eng.Get(ctx(t), is.Flow.ID)
		if f.State != flows.StateExpired {
			t.Fatalf("state = %q, want expired", f.State)
		}
		evs := drain(t, r.st, "audit")
		if last := evs[len(evs)-1]; last.Type != flows.EventExpired {
			t.Fatalf("last event %s, want %s", last.Type, flows.EventExpired)
		}
		// A new request works at once: the expired flow is not live.
		r.mustStart(t, flows.KindReset, "U0JDOE")
	})

	t.Run("NewRequestSupersedes", func(t *testing.T) {
		r := newRig(t, newStore)
		old := r.mustStart(t, flows.KindReset, "U0JDOE")
		unlock := r.mustStart(t, flows.KindUnlock, "U0JDOE")
		nu := r.mustStart(t, flows.KindReset, "U0JDOE")
		if _, _, err := r.eng.Redeem(ctx(t), old.Token, flows.Client{}); !errors.Is(err, flows.ErrTokenUsed) {
			t.Fatalf("superseded link: %v, want it dead (ErrTokenUsed)", err)
		}
		f, _ := r.eng.Get(ctx(t), old.Flow.ID)
		if f.State != flows.StateSuperseded {
			t.Fatalf("old state %q", f.State)
		}
		if _, _, err := r.eng.Redeem(ctx(t), unlock.Token, flows.Client{}); err != nil {
			t.Fatalf("a flow of another kind was touched: %v", err)
		}
		if _, _, err := r.eng.Redeem(ctx(t), nu.Token, flows.Client{}); err != nil {
			t.Fatalf("new link: %v", err)
		}
	})

	t.Run("ConcurrentStartsLeaveOneLiveFlow", func(t *testing.T) {
		r := newRig(t, newStore)
		var wg sync.WaitGroup
		tokens := make(chan string, 4)
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				is, err := r.start(t, flows.KindReset, "U0SPARE1")
				if err != nil {
					t.Errorf("Start: %v", err)
					return
				}
				tokens <- is.Token
			}()
		}
		wg.Wait()
		close(tokens)
		live := 0
		for tok := range tokens {
			if _, err := r.eng.Open(ctx(t), tok, flows.Client{}); err == nil {
				live++
			}
		}
		if live != 1 {
			t.Fatalf("%d usable links after concurrent starts, want 1", live)
		}
	})

	t.Run("RefusalsLookAlike", func(t *testing.T) {
		r := newRig(t, newStore)
		for name, chat := range map[string]string{"unknown": "U0NOBODY", "disabled": "U0BOB", "break-glass": "U0SPARE3"} {
			_, err := r.start(t, flows.KindReset, chat)
			var re *flows.RefusalError
			if !errors.As(err, &re) || re.Reason != name {
				t.Errorf("%s: err = %v, want RefusalError(%s)", name, err, name)
			}
		}
		evs := drain(t, r.st, "audit")
		if len(evs) != 3 {
			t.Fatalf("%d refusal events, want 3", len(evs))
		}
		for _, e := range evs {
			if e.Type != flows.EventRefused || e.Reason == "" {
				t.Errorf("refusal event %+v lacks type or reason", e)
			}
		}
	})

	t.Run("RequestLimitPerAccountAcrossAliases", func(t *testing.T) {
		r := newRig(t, newStore)
		lookups := []directory.Lookup{
			{Kind: directory.ByAccountName, Value: "jdoe"},
			{Kind: directory.ByEmail, Value: "jdoe@example.test"},
			{Kind: directory.ByChatID, Platform: "slack", Value: "U0JDOE"},
		}
		var err error
		for i := 0; i < 6; i++ {
			_, err = r.eng.Start(ctx(t), flows.StartRequest{
				Kind: flows.KindReset, Lookup: lookups[i%3],
				Chat: slack("U0JDOE"), RequestedBy: slack("HELPER" + string(rune('A'+i))),
			})
		}
		if !errors.Is(err, flows.ErrRateLimited) {
			t.Fatalf("sixth request for one account = %v, want ErrRateLimited", err)
		}
		r.clock.Advance(time.Hour)
		if _, err := r.start(t, flows.KindReset, "U0JDOE"); err != nil {
			t.Fatalf("after the window: %v", err)
		}
	})

	// A fixed window lets a burst just before its end and another just
	// after both through: twice the limit within milliseconds.
	t.Run("LimitsSlideAcrossWindowBoundary", func(t *testing.T) {
		tests := []struct {
			name   string
			window time.Duration
			max    int
			try    func(t *testing.T, r *rig, i int) error
		}{
			{"per account, per hour", time.Hour, 5, func(t *testing.T, r *rig, i int) error {
				_, err := r.eng.Start(ctx(t), flows.StartRequest{
					Kind: flows.KindReset, Lookup: directory.Lookup{Kind: directory.ByAccountName, Value: "jdoe"},
					Chat: slack("U0JDOE"), RequestedBy: slack(fmt.Sprintf("HELPER%02d", i)),
				})
				return err
			}},
			{"per chat identity, per hour", time.Hour, 8, func(t *testing.T, r *rig, i int) error {
				_, err := r.eng.Start(ctx(t), flows.StartRequest{
					Kind: flows.KindReset, Lookup: directory.Lookup{Kind: directory.ByChatID, Platform: "slack", Value: fmt.Sprintf("U0NOBODY%02d", i)},
					Chat: slack("U0FLOOD"), RequestedBy: slack("U0FLOOD"),
				})
				if errors.Is(err, flows.ErrNotEligible) {
					return nil // counted, then refused for the unknown account
				}
				return err
			}},
			{"engine budget, per minute", time.Minute, 3, func(t *testing.T, r *rig, i int) error {
				return r.eng.Allow(ctx(t), "pwcheck:flow-1", time.Minute, 3)
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := newRig(t, newStore)
				now := r.clock.Now()
				edge := now.Truncate(tt.window).Add(tt.window)
				r.clock.Advance(edge.Sub(now) - time.Millisecond)
				passed, i := 0, 0
				for ; i < tt.max; i++ {
					if err := tt.try(t, r, i); err != nil {
						t.Fatalf("request %d, just before the boundary: %v", i+1, err)
					}
					passed++
				}
				r.clock.Advance(2 * time.Millisecond)
				for ; i < 2*tt.max; i++ {
					err := tt.try(t, r, i)
					if err == nil {
						passed++
					} else if !errors.Is(err, flows.ErrRateLimited) {
						t.Fatalf("request %d: %v", i+1, err)
					}
				}
				if passed != tt.max {
					t.Fatalf("%d requests passed within 2 ms of a window boundary, want the limit of %d", passed, tt.max)
				}
				r.clock.Advance(tt.window - 2*time.Millisecond)
				if err := tt.try(t, r, i); err != nil {
					t.Fatalf("one window after the burst: %v", err)
				}
			})
		}
	})

	t.Run("VerifyFailuresFailTheFlow", func(t *testing.T) {
		r := newRig(t, newStore)
		is := r.mustStart(t, flows.KindReset, "U0JDOE")
		f, binding, _ := r.eng.Redeem(ctx(t), is.Token, flows.Client{})
		bad := flows.Verification{Method: flows.MethodTOTP, OK: false, Reason: "wrong code"}
		for i := 1; i <= 2; i++ {
			if _, err := r.eng.RecordVerification(ctx(t), f.ID, binding, bad); !errors.Is(err, flows.ErrVerificationFailed) {
				t.Fatalf("failure %d = %v", i, err)
			}
		}
		got, err := r.eng.RecordVerification(ctx(t), f.ID, binding, bad)
		if !errors.Is(err, flows.ErrTooManyAttempts) || got.State != flows.StateFailed {
			t.Fatalf("third failure: %v, state %q", err, got.State)
		}
		if _, err := r.eng.Complete(ctx(t), f.ID, binding, flows.Completion{NewPassword: "Whatever-Long-1"}); !errors.Is(err, flows.ErrIllegalTransition) {
			t.Fatalf("complete on a failed flow = %v, want ErrIllegalTransition", err)
		}
	})

	t.Run("PasswordUnreachableWithoutVerification", func(t *testing.T) {
		r := newRig(t, newStore)
		is := r.mustStart(t, flows.KindReset, "U0JDOE")
		f, binding, _ := r.eng.Redeem(ctx(t), is.Token, flows.Client{})
		_, err := r.eng.Complete(ctx(t), f.ID, binding, flows.Completion{NewPassword: "Fresh-Horse-Battery-42"})
		if !errors.Is(err, flows.ErrIllegalTransition) {
			t.Fatalf("Complete before verification = %v, want ErrIllegalTransition", err)
		}
		if _, err := r.eng.RecordVerification(ctx(t), f.ID, "another-browser", flows.Verification{Method: flows.MethodPasskey, OK: true}); !errors.Is(err, flows.ErrBinding) {
			t.Fatalf("verification from another browser = %v, want ErrBinding", err)
		}
		u, _ := r.dir.Find(ctx(t), directory.Lookup{Kind: directory.ByAccountName, Value: "jdoe"})
		if err := r.dir.VerifyPassword(ctx(t), u, memory.ExamplePassword); err != nil {
			t.Fatalf("the old password changed: %v", err)
		}
	})

	t.Run("PrivilegedNeedsPasskeyAndApproval", func(t *testing.T) {
		r := newRig(t, newStore)
		is := r.mustStart(t, flows.KindReset, "U0ALICE")
		if !is.Flow.Subject.Privileged {
			t.Fatal("alice (nested in tier0-admins) not detected as privileged")
		}
		f, binding, _ := r.eng.Redeem(ctx(t), is.Token, flows.Client{})
		if _, err := r.eng.RecordVerification(ctx(t), f.ID, binding, flows.Verification{Method: flows.MethodTOTP, OK: true}); !errors.Is(err, flows.ErrFactorNotAllowed) {
			t.Fatalf("TOTP for a privileged account = %v, want ErrFactorNotAllowed", err)
		}
		f, err := r.eng.RecordVerification(ctx(t), f.ID, binding, flows.Verification{Method: flows.MethodPasskey, OK: true})
		if err != nil || f.State != flows.StateAwaitingApproval {
			t.Fatalf("passkey: %v, state %q; want awaiting approval", err, f.State)
		}
		if _, err := r.eng.Complete(ctx(t), f.ID, binding, flows.Completion{NewPassword: "Fresh-Horse-Battery-42"}); !errors.Is(err, flows.ErrIllegalTransition) {
			t.Fatalf("Complete before approval = %v", err)
		}
		aliceID := is.Flow.Subject.AccountID
		jdoe, _ := r.dir.Find(ctx(t), directory.Lookup{Kind: directory.ByAccountName, Value: "jdoe"})
		for name, d := range map[string]flows.Decision{
			"self by chat id":      {Approver: slack("U0ALICE"), ApproverAccountID: "someone-else", Grant: true},
			"self by account":      {Approver: slack("U0OTHER"), ApproverAccountID: aliceID, Grant: true},
			"no directory account": {Approver: slack("U0JDOE"), Grant: true},
		} {
			if _, err := r.eng.Decide(ctx(t), f.ID, d); !errors.Is(err, flows.ErrApproverNotAllowed) {
				t.Errorf("%s: %v, want ErrApproverNotAllowed", name, err)
			}
		}
		f, err = r.eng.Decide(ctx(t), f.ID, flows.Decision{Approver: slack("U0JDOE"), ApproverAccountID: jdoe.ID, Grant: true})
		if err != nil || f.State != flows.StateVerified || f.Approval.By != slack("U0JDOE") {
			t.Fatalf("approval: %v, %+v", err, f)
		}
		if _, err := r.eng.Decide(ctx(t), f.ID, flows.Decision{Approver: slack("U0JDOE"), ApproverAccountID: jdoe.ID, Grant: false}); !errors.Is(err, flows.ErrAlreadyDecided) {
			t.Fatalf("second click = %v, want ErrAlreadyDecided", err)
		}
		if _, err := r.eng.Complete(ctx(t), f.ID, binding, flows.Completion{NewPassword: "Fresh-Horse-Battery-42"}); err != nil {
			t.Fatalf("Complete after approval: %v", err)
		}
	})

	t.Run("ConcurrentApprovalClicksOneCounts", func(t *testing.T) {
		r := newRig(t, newStore)
		f, _ := r.verified(t, flows.KindUnlock, "U0ALICE")
		jdoe, _ := r.dir.Find(ctx(t), directory.Lookup{Kind: directory.ByAccountName, Value: "jdoe"})
		var wins, late atomic.Int32
		var wg sync.WaitGroup
		for i := 0; i < 12; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				_, err := r.eng.Decide(ctx(t), f.ID, flows.Decision{Approver: slack("U0JDOE"), ApproverAccountID: jdoe.ID, Grant: i%2 == 0})
				switch {
				case err == nil:
					wins.Add(1)
				case errors.Is(err, flows.ErrAlreadyDecided):
					late.Add(1)
				default:
					t.Errorf("Decide: %v", err)
				}
			}(i)
		}
		wg.Wait()
		if wins.Load() != 1 || late.Load() != 11 {
			t.Fatalf("wins=%d late=%d", wins.Load(), late.Load())
		}
	})

	t.Run("UnlockAfterLockout", func(t *testing.T) {
		r := newRig(t, newStore)
		u, _ := r.dir.Find(ctx(t), directory.Lookup{Kind: directory.ByAccountName, Value: "lockme"})
		for i := 0; i < 3; i++ {
			_ = r.dir.VerifyPassword(ctx(t), u, "wrong-password")
		}
		if u, _ = r.dir.Find(ctx(t), directory.Lookup{Kind: directory.ByAccountName, Value: "lockme"}); !u.Locked {
			t.Fatal("lockme is not locked after 3 failures")
		}
		f, binding := r.verified(t, flows.KindUnlock, "U0LOCKME")
		if _, err := r.eng.Complete(ctx(t), f.ID, binding, flows.Completion{}); err != nil {
			t.Fatal(err)
		}
		if u, _ = r.dir.Find(ctx(t), directory.Lookup{Kind: directory.ByAccountName, Value: "lockme"}); u.Locked {
			t.Fatal("still locked after the unlock flow")
		}
	})

	t.Run("CancelEndsFlow", func(t *testing.T) {
		r := newRig(t, newStore)
		is := r.mustStart(t, flows.KindReset, "U0JDOE")
		if _, err := r.eng.Cancel(ctx(t), is.Flow.ID, slack("U0JDOE"), "changed my mind"); err != nil {
			t.Fatal(err)
		}
		if _, err := r.eng.Cancel(ctx(t), is.Flow.ID, slack("U0JDOE"), ""); !errors.Is(err, flows.ErrIllegalTransition) {
			t.Fatalf("second cancel = %v", err)
		}
		if _, _, err := r.eng.Redeem(ctx(t), is.Token, flows.Client{}); !errors.Is(err, flows.ErrTokenUsed) {
			t.Fatalf("cancelled link = %v", err)
		}
	})
}

func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}

func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if equalFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i]|0x20, b[i]|0x20
		if x != y {
			return false
		}
	}
	return true
}

// runConfirmation covers approvals that policy wants confirmed with the
// approver's own passkey: the click only issues a link; the approval counts
// when the approver verifies.
func runConfirmation(t *testing.T, newStore NewStore) {
	r := newRig(t, newStore)
	f, binding := r.verified(t, flows.KindReset, "U0ALICE")
	if f.State != flows.StateAwaitingApproval {
		t.Fatalf("state %q", f.State)
	}
	confirm := func(chat string, grant bool) (*flows.Issued, error) {
		// The caller resolves the approver's account (the bot core does, to
		// check helpdesk membership); nobody found is a nil account.
		acct, _ := r.dir.Find(ctx(t), directory.Lookup{Kind: directory.ByChatID, Platform: "slack", Value: chat})
		return r.eng.StartConfirmation(ctx(t), flows.ConfirmRequest{Target: f.ID, Approver: slack(chat), Account: acct, Grant: grant})
	}
	if _, err := confirm("U0ALICE", true); !errors.Is(err, flows.ErrApproverNotAllowed) {
		t.Fatalf("the target confirming her own approval: %v", err)
	}
	if _, err := confirm("U0NOBODY", true); !errors.Is(err, flows.ErrApproverNotAllowed) {
		t.Fatalf("an approver without an account: %v", err)
	}
	is, err := confirm("U0JDOE", true)
	if err != nil {
		t.Fatal(err)
	}
	if is.Flow.Kind != flows.KindApprove || is.Flow.Approve.TargetAccount != "alice" || !is.Flow.ExpiresAt.After(r.clock.Now()) {
		t.Fatalf("confirmation flow %+v", is.Flow)
	}
	if got, _ := r.eng.Get(ctx(t), f.ID); got.State != flows.StateAwaitingApproval {
		t.Fatalf("a click without confirmation decided the flow: %q", got.State)
	}
	cf, cb, err := r.eng.Redeem(ctx(t), is.Token, flows.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.eng.RecordVerification(ctx(t), cf.ID, cb, flows.Verification{Method: flows.MethodTOTP, OK: true}); !errors.Is(err, flows.ErrFactorNotAllowed) {
		t.Fatalf("TOTP for a confirmation = %v, want ErrFactorNotAllowed", err)
	}
	if _, err := r.eng.RecordVerification(ctx(t), cf.ID, cb, flows.Verification{Method: flows.MethodPasskey, OK: true}); err != nil {
		t.Fatal(err)
	}
	done, err := r.eng.Complete(ctx(t), cf.ID, cb, flows.Completion{})
	if err != nil || done.State != flows.StateCompleted {
		t.Fatalf("confirming: %v, %+v", err, done)
	}
	got, _ := r.eng.Get(ctx(t), f.ID)
	if got.State != flows.StateVerified || got.Approval.By != slack("U0JDOE") {
		t.Fatalf("target after confirmation: %q by %v", got.State, got.Approval.By)
	}
	if _, err := confirm("U0JDOE", false); !errors.Is(err, flows.ErrAlreadyDecided) {
		t.Fatalf("a second confirmation: %v", err)
	}
	if _, err := r.eng.Complete(ctx(t), f.ID, binding, flows.Completion{NewPassword: "Fresh-Horse-Battery-42"}); err != nil {
		t.Fatalf("reset after the confirmed approval: %v", err)
	}
}
