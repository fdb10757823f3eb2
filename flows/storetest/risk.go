package storetest

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
)

// riskRig is a rig whose engine applies the risk policy p.
func riskRig(t *testing.T, newStore NewStore, p flows.RiskPolicy) *rig {
	t.Helper()
	r := newRig(t, newStore)
	r.withRisk(p)
	return r
}

// withRisk replaces the rig's engine by one applying p, on the same store,
// directory and clock (what a configuration change and restart does).
func (r *rig) withRisk(p flows.RiskPolicy) {
	cfg := engineConfig(r.policy)
	cfg.Limits.RequestsPerAccountPerHour = 50
	cfg.Limits.RequestsPerIdentityPerHour = 50
	cfg.Risk = p
	r.eng = flows.NewEngine(r.st, r.dir, cfg, flows.WithClock(r.clock.Now))
}

// riskEvents are the risk decisions among events: "outcome reason".
func riskDecisions(evs []flows.Event) []flows.Event {
	var out []flows.Event
	for _, ev := range evs {
		if ev.Type == flows.EventRiskDecided {
			out = append(out, ev)
		}
	}
	return out
}

// webVerify redeems is and verifies it with a passkey and the evidence.
func (r *rig) webVerify(t *testing.T, is *flows.Issued, ev flows.RiskEvidence) (*flows.Flow, string, error) {
	t.Helper()
	f, binding, err := r.eng.Redeem(ctx(t), is.Token, flows.Client{IP: "192.0.2.9", Device: "test"})
	if err != nil {
		t.Fatalf("Redeem: %v", err)
	}
	f, err = r.eng.RecordVerification(ctx(t), f.ID, binding, flows.Verification{Method: flows.MethodPasskey, OK: true, Evidence: ev})
	return f, binding, err
}

// checkAction asserts what the policy's action did to a started flow (is,
// err from Start) or a verified one (f, err from RecordVerification),
// and that the decision was audited with the rule's code.
func checkAction(t *testing.T, r *rig, action flows.RiskAction, rule flows.RiskRule, f *flows.Flow, binding string, err error) {
	t.Helper()
	decisions := riskDecisions(drain(t, r.st, "risk"))
	if len(decisions) == 0 {
		t.Fatalf("no %s event; want one for %s", flows.EventRiskDecided, rule)
	}
	d := decisions[len(decisions)-1]
	if got, _ := flows.ParseRiskReason(d.Reason); got != rule || d.Outcome != string(action) {
		t.Fatalf("decision %q %q; want outcome %s for rule %s", d.Outcome, d.Reason, action, rule)
	}
	if d.AccountID == "" || d.Account == "" {
		t.Fatalf("decision %+v names no account", d)
	}
	switch action {
	case flows.RiskDeny:
		var de *flows.RiskDeniedError
		if !errors.As(err, &de) || de.Rule != rule {
			t.Fatalf("err = %v; want a risk denial by %s", err, rule)
		}
	case flows.RiskNote, flows.RiskStepUp:
		if err != nil {
			t.Fatalf("err = %v; want the flow to go on", err)
		}
		if !slices.Contains(f.Risk, string(rule)) {
			t.Fatalf("flow's risk %v lacks %s", f.Risk, rule)
		}
		if action == flows.RiskNote && f.Approval.Required {
			t.Fatal("a note made the flow need an approval")
		}
		if action == flows.RiskStepUp && !f.Approval.Required {
			t.Fatal("a step-up left the flow without an approval")
		}
	}
}

// stepUpNeedsApproval finishes a stepped-up, verified flow: nothing is
// written before the approval, the requester cannot approve, a helpdesk
// member can, and then the password is set.
func (r *rig) stepUpNeedsApproval(t *testing.T, f *flows.Flow, binding string) {
	t.Helper()
	if f.State != flows.StateAwaitingApproval {
		t.Fatalf("state %q after the passkey; want awaiting approval", f.State)
	}
	if _, err := r.eng.Complete(ctx(t), f.ID, binding, flows.Completion{NewPassword: "Fresh-Horse-Battery-42"}); !errors.Is(err, flows.ErrIllegalTransition) {
		t.Fatalf("Complete before the approval = %v; want refused", err)
	}
	if _, err := r.eng.Decide(ctx(t), f.ID, flows.Decision{Approver: f.Subject.Chat, ApproverAccountID: f.Subject.AccountID, Grant: true}); !errors.Is(err, flows.ErrApproverNotAllowed) {
		t.Fatalf("the target approving = %v; want ErrApproverNotAllowed", err)
	}
	jdoe, _ := r.dir.Find(ctx(t), directory.Lookup{Kind: directory.ByAccountName, Value: "jdoe"})
	if _, err := r.eng.Decide(ctx(t), f.ID, flows.Decision{Approver: slack("U0JDOE"), ApproverAccountID: jdoe.ID, Grant: true}); err != nil {
		t.Fatalf("helpdesk approval: %v", err)
	}
	if got, err := r.eng.Complete(ctx(t), f.ID, binding, flows.Completion{NewPassword: "Fresh-Horse-Battery-42"}); err != nil || got.State != flows.StateCompleted {
		t.Fatalf("Complete after the approval: %v", err)
	}
}

var riskActions = []flows.RiskAction{flows.RiskNote, flows.RiskStepUp, flows.RiskDeny}

// RunRisk is the risk policy on a store: each signal, at request time
// (velocity, a declined caller verification) and at web time (passkey
// age, browser, country), driving note, step-up and deny, with its
// counters and memory in the store.
func RunRisk(t *testing.T, newStore NewStore) {
	// requestTime starts a flow for chatID after prepare, under a policy
	// mapping rule to each action in turn.
	requestTime := func(t *testing.T, p flows.RiskPolicy, rule flows.RiskRule, chatID string, prepare func(t *testing.T, r *rig)) {
		for _, action := range riskActions {
			t.Run(string(action), func(t *testing.T) {
				p := p
				p.Actions = map[flows.RiskRule]flows.RiskAction{rule: action}
				r := riskRig(t, newStore, p)
				prepare(t, r)
				drain(t, r.st, "risk")
				is, err := r.start(t, flows.KindReset, chatID)
				var f *flows.Flow
				if is != nil {
					f = is.Flow
				}
				checkAction(t, r, action, rule, f, "", err)
				if action == flows.RiskDeny {
					u, _ := r.dir.Find(ctx(t), directory.Lookup{Kind: directory.ByChatID, Platform: "slack", Value: chatID})
					if id, _ := r.st.LiveID(ctx(t), u.ID, flows.KindReset); id != "" {
						if live, _ := r.eng.Get(ctx(t), id); live != nil && !live.State.Terminal() {
							t.Fatalf("a denied request left live flow %s: no link may be spent on a dead end", id)
						}
					}
					return
				}
				f, binding, err := r.webVerify(t, is, flows.RiskEvidence{})
				if err != nil {
					t.Fatal(err)
				}
				if action == flows.RiskStepUp {
					r.stepUpNeedsApproval(t, f, binding)
				} else if f.State != flows.StateVerified {
					t.Fatalf("a noted flow is %q after the passkey; want verified", f.State)
				}
			})
		}
	}

	t.Run("VelocityAccountRequests", func(t *testing.T) {
		requestTime(t, flows.RiskPolicy{AccountRequests: 1}, flows.RiskVelocity, "U0PWUSER", func(t *testing.T, r *rig) {
			r.mustStart(t, flows.KindReset, "U0PWUSER")
		})
	})
	t.Run("VelocityAccountFailures", func(t *testing.T) {
		requestTime(t, flows.RiskPolicy{AccountFailures: 2}, flows.RiskVelocity, "U0PWUSER", func(t *testing.T, r *rig) {
			is := r.mustStart(t, flows.KindReset, "U0PWUSER")
			f, binding, _ := r.eng.Redeem(ctx(t), is.Token, flows.Client{})
			for range 2 {
				if _, err := r.eng.RecordVerification(ctx(t), f.ID, binding, flows.Verification{Method: flows.MethodTOTP, Reason: "wrong code"}); !errors.Is(err, flows.ErrVerificationFailed) {
					t.Fatalf("failed verification = %v", err)
				}
			}
		})
	})
	t.Run("VelocityDepartmentRequests", func(t *testing.T) {
		// spare1 and spare2 are both in Engineering.
		requestTime(t, flows.RiskPolicy{DepartmentRequests: 1}, flows.RiskVelocity, "U0SPARE2", func(t *testing.T, r *rig) {
			r.mustStart(t, flows.KindReset, "U0SPARE1")
		})
	})
	t.Run("CallerDeclined", func(t *testing.T) {
		requestTime(t, flows.RiskPolicy{}, flows.RiskCallerDeclined, "U0PWUSER", func(t *testing.T, r *rig) {
			is, err := r.verifyOf(t, "U0PWUSER")
			if err != nil {
				t.Fatal(err)
			}
			f, binding, err := r.eng.Redeem(ctx(t), is.Token, flows.Client{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.eng.DeclineVerify(ctx(t), f.ID, binding); err != nil {
				t.Fatal(err)
			}
		})
	})
	t.Run("QuietWithoutSignals", func(t *testing.T) {
		r := riskRig(t, newStore, flows.RiskPolicy{AccountRequests: 3, Actions: map[flows.RiskRule]flows.RiskAction{flows.RiskVelocity: flows.RiskDeny}})
		for range 3 {
			if _, err := r.start(t, flows.KindReset, "U0PWUSER"); err != nil {
				t.Fatalf("request within the threshold: %v", err)
			}
		}
		if d := riskDecisions(drain(t, r.st, "risk")); len(d) != 0 {
			t.Fatalf("decisions %v within the threshold", d)
		}
		r.clock.Advance(25 * time.Hour) // the window passed
		if _, err := r.start(t, flows.KindReset, "U0PWUSER"); err != nil {
			t.Fatalf("request after the window: %v", err)
		}
	})

	// webTime verifies a fresh flow of pwuser with ev after prepare, under
	// a policy mapping rule to each action in turn.
	webTime := func(t *testing.T, p flows.RiskPolicy, rule flows.RiskRule, ev func(r *rig) flows.RiskEvidence, prepare func(t *testing.T, r *rig)) {
		for _, action := range riskActions {
			t.Run(string(action), func(t *testing.T) {
				p := p
				p.Actions = map[flows.RiskRule]flows.RiskAction{rule: action}
				r := riskRig(t, newStore, flows.RiskPolicy{}) // what came before was only noted
				prepare(t, r)
				r.withRisk(p)
				drain(t, r.st, "risk")
				is := r.mustStart(t, flows.KindReset, "U0PWUSER")
				f, binding, err := r.webVerify(t, is, ev(r))
				checkAction(t, r, action, rule, f, binding, err)
				switch action {
				case flows.RiskDeny:
					got, _ := r.eng.Get(ctx(t), is.Flow.ID)
					if got.State != flows.StateFailed || got.RiskDenied != string(rule) {
						t.Fatalf("denied flow is %q (denied by %q); want failed by %s", got.State, got.RiskDenied, rule)
					}
					if _, err := r.eng.Complete(ctx(t), got.ID, binding, flows.Completion{NewPassword: "Fresh-Horse-Battery-42"}); !errors.Is(err, flows.ErrIllegalTransition) {
						t.Fatalf("Complete after a deny = %v; want refused", err)
					}
				case flows.RiskStepUp:
					r.stepUpNeedsApproval(t, f, binding)
				case flows.RiskNote:
					if f.State != flows.StateVerified {
						t.Fatalf("noted flow is %q; want verified", f.State)
					}
				}
			})
		}
	}
	// completeFrom runs one whole reset of pwuser with ev, so the account
	// has used that browser and country.
	completeFrom := func(ev flows.RiskEvidence) func(t *testing.T, r *rig) {
		return func(t *testing.T, r *rig) {
			is := r.mustStart(t, flows.KindReset, "U0PWUSER")
			f, binding, err := r.webVerify(t, is, ev)
			if err != nil {
				t.Fatal(err)
			}
			if f.State == flows.StateAwaitingApproval {
				jdoe, _ := r.dir.Find(ctx(t), directory.Lookup{Kind: directory.ByAccountName, Value: "jdoe"})
				if _, err := r.eng.Decide(ctx(t), f.ID, flows.Decision{Approver: slack("U0JDOE"), ApproverAccountID: jdoe.ID, Grant: true}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := r.eng.Complete(ctx(t), f.ID, binding, flows.Completion{NewPassword: "Earlier-Horse-Battery-41"}); err != nil {
				t.Fatal(err)
			}
			r.clock.Advance(time.Hour)
		}
	}
	none := func(*testing.T, *rig) {}

	t.Run("NewPasskey", func(t *testing.T) {
		webTime(t, flows.RiskPolicy{NewPasskeyAge: 24 * time.Hour}, flows.RiskNewPasskey,
			func(r *rig) flows.RiskEvidence {
				return flows.RiskEvidence{PasskeyAdded: r.clock.Now().Add(-3 * time.Hour)}
			}, none)
	})
	t.Run("NewBrowser", func(t *testing.T) {
		webTime(t, flows.RiskPolicy{}, flows.RiskNewBrowser,
			func(*rig) flows.RiskEvidence { return flows.RiskEvidence{Browser: "browser-two"} },
			completeFrom(flows.RiskEvidence{Browser: "browser-one"}))
	})
	t.Run("UnusualCountry", func(t *testing.T) {
		webTime(t, flows.RiskPolicy{}, flows.RiskUnusualCountry,
			func(*rig) flows.RiskEvidence { return flows.RiskEvidence{Country: "FR"} },
			completeFrom(flows.RiskEvidence{Country: "DE"}))
	})
	t.Run("DeniedCountry", func(t *testing.T) {
		webTime(t, flows.RiskPolicy{DenyCountries: []string{"KP"}}, flows.RiskDeniedCountry,
			func(*rig) flows.RiskEvidence { return flows.RiskEvidence{Country: "kp"} }, none)
	})
	t.Run("CountryNotAllowed", func(t *testing.T) {
		webTime(t, flows.RiskPolicy{AllowCountries: []string{"DE", "AT", "CH"}}, flows.RiskDeniedCountry,
			func(*rig) flows.RiskEvidence { return flows.RiskEvidence{Country: "BR"} }, none)
	})

	t.Run("KnownBrowserAndCountryAreQuiet", func(t *testing.T) {
		p := flows.RiskPolicy{Actions: map[flows.RiskRule]flows.RiskAction{
			flows.RiskNewBrowser: flows.RiskDeny, flows.RiskUnusualCountry: flows.RiskDeny, flows.RiskNewPasskey: flows.RiskDeny}}
		r := riskRig(t, newStore, flows.RiskPolicy{})
		completeFrom(flows.RiskEvidence{Browser: "b1", Country: "DE"})(t, r)
		r.withRisk(p)
		drain(t, r.st, "risk")
		r.clock.Advance(24 * time.Hour)
		is := r.mustStart(t, flows.KindReset, "U0PWUSER")
		f, _, err := r.webVerify(t, is, flows.RiskEvidence{Browser: "b1", Country: "DE", PasskeyAdded: r.clock.Now().Add(-30 * 24 * time.Hour)})
		if err != nil || f.State != flows.StateVerified || len(f.Risk) != 0 {
			t.Fatalf("known browser and country, old passkey: %v, state %q, risk %v; want verified, no signal", err, f.State, f.Risk)
		}
		if d := riskDecisions(drain(t, r.st, "risk")); len(d) != 0 {
			t.Fatalf("decisions %+v for a known browser and country", d)
		}
		// Another account has used neither.
		is = r.mustStart(t, flows.KindReset, "U0SPARE1")
		if _, _, err := r.webVerify(t, is, flows.RiskEvidence{Browser: "b1"}); !errors.Is(err, flows.ErrRiskDenied) {
			t.Fatalf("pwuser's browser for spare1 = %v; want new_browser denied (memory is per account)", err)
		}
	})

	t.Run("RefusedWriteRemembersNothing", func(t *testing.T) {
		// The browser is remembered with the record of a completion, in
		// the same round trip: a write the directory refused teaches the
		// signal nothing, a later completion does.
		deny := flows.RiskPolicy{Actions: map[flows.RiskRule]flows.RiskAction{flows.RiskNewBrowser: flows.RiskDeny}}
		r := riskRig(t, newStore, flows.RiskPolicy{})
		is := r.mustStart(t, flows.KindReset, "U0PWUSER")
		f, binding, err := r.webVerify(t, is, flows.RiskEvidence{Browser: "b2"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.eng.Complete(ctx(t), f.ID, binding, flows.Completion{NewPassword: "pwuser-Fresh-Horse-42"}); !errors.Is(err, directory.ErrPasswordPolicy) {
			t.Fatalf("a password containing the account name: %v, want the directory's refusal", err)
		}
		r.withRisk(deny)
		is = r.mustStart(t, flows.KindReset, "U0PWUSER")
		if _, _, err := r.webVerify(t, is, flows.RiskEvidence{Browser: "b2"}); !errors.Is(err, flows.ErrRiskDenied) {
			t.Fatalf("the browser of a refused write = %v; want still new (denied)", err)
		}
		r.withRisk(flows.RiskPolicy{})
		is = r.mustStart(t, flows.KindReset, "U0PWUSER")
		f, binding, err = r.webVerify(t, is, flows.RiskEvidence{Browser: "b2"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.eng.Complete(ctx(t), f.ID, binding, flows.Completion{NewPassword: "Fresh-Horse-Battery-42"}); err != nil {
			t.Fatal(err)
		}
		r.withRisk(deny)
		is = r.mustStart(t, flows.KindReset, "U0PWUSER")
		if f, _, err := r.webVerify(t, is, flows.RiskEvidence{Browser: "b2"}); err != nil || f.State != flows.StateVerified {
			t.Fatalf("the browser of a completed reset = %v; want known (verified)", err)
		}
	})

	t.Run("RecentKeepsTheWindow", func(t *testing.T) {
		st := newStore(t)
		rk, ok := st.(flows.RecentKeeper)
		if !ok {
			t.Skip("the store keeps no recent values")
		}
		clock := NewClock()
		for _, id := range []string{"f1", "f2", "f3"} {
			if err := rk.Remember(ctx(t), "dept:Sales", id, 10*time.Minute, clock.Now()); err != nil {
				t.Fatal(err)
			}
			clock.Advance(4 * time.Minute)
		}
		// Now 12 minutes after f1: it left the window; f2 and f3 remain.
		got, err := rk.Recent(ctx(t), "dept:Sales", 10*time.Minute, clock.Now(), 10)
		if err != nil || !slices.Equal(got, []string{"f2", "f3"}) {
			t.Fatalf("Recent = %v, %v; want [f2 f3]", got, err)
		}
		if got, _ := rk.Recent(ctx(t), "dept:Sales", 10*time.Minute, clock.Now(), 1); !slices.Equal(got, []string{"f2"}) {
			t.Fatalf("Recent with max 1 = %v", got)
		}
		if got, _ := rk.Recent(ctx(t), "dept:Finance", 10*time.Minute, clock.Now(), 10); len(got) != 0 {
			t.Fatalf("another key = %v", got)
		}
		// Events of different shards arrive out of their time order: a
		// value remembered with a later time than the one asked about was
		// added before it and is returned.
		if err := rk.Remember(ctx(t), "dept:Ops", "late", 10*time.Minute, clock.Now().Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		if err := rk.Remember(ctx(t), "dept:Ops", "early", 10*time.Minute, clock.Now()); err != nil {
			t.Fatal(err)
		}
		if got, _ := rk.Recent(ctx(t), "dept:Ops", 10*time.Minute, clock.Now(), 10); !slices.Equal(got, []string{"early", "late"}) {
			t.Fatalf("Recent after an out-of-order Remember = %v; want [early late]", got)
		}
	})

	t.Run("ReasonNamesTheSignal", func(t *testing.T) {
		for rule, want := range map[flows.RiskRule]string{flows.RiskUnusualCountry: "country unusual_country: ", flows.RiskVelocity: "velocity: "} {
			got := flows.RiskReason(rule, "detail")
			if !strings.HasPrefix(got, want) {
				t.Errorf("RiskReason(%s) = %q; want it to start %q", rule, got, want)
			}
			if r, d := flows.ParseRiskReason(got); r != rule || d != "detail" {
				t.Errorf("ParseRiskReason(%q) = %s, %q", got, r, d)
			}
		}
	})
}
