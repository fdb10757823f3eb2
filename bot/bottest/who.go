package bottest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/flows"
)

// auditEvents reads the whole audit stream as a fresh consumer group.
func (s *scenario) auditEvents(t *testing.T) []flows.Event {
	t.Helper()
	evs, err := s.Store.ReadEvents(context.Background(), "scenario-audit", "test", 1000)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// whoShowsFactors: "/reset who @user" shows a helpdesk member, and only
// them, the target's passkeys (name, added, last used, synced or
// device-bound), TOTP, account state, privilege, failed verifications and
// open requests; the lookup is an audit event naming who looked.
func whoShowsFactors(t *testing.T, s *scenario) {
	used := time.Date(2026, 11, 30, 8, 15, 0, 0, time.UTC)
	s.SetDetails(t, "alice", bot.FactorDetails{TOTP: true, Passkeys: []bot.PasskeyInfo{
		{Name: "iPhone 15", AddedAt: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), LastUsed: used, Synced: true},
		{Name: "YubiKey 5C", AddedAt: time.Date(2026, 4, 9, 10, 0, 0, 0, time.UTC)},
	}})
	// alice asks for a reset and fails one verification.
	s.d.Command(t, s.user("alice"), "")
	token := s.linkFor(t, "alice")
	ctx := context.Background()
	f, binding, err := s.Engine.Redeem(ctx, token, flows.Client{IP: "203.0.113.7", Device: "iPhone"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Engine.RecordVerification(ctx, f.ID, binding, flows.Verification{Method: flows.MethodPasskey, Reason: "assertion rejected"}); !errors.Is(err, flows.ErrVerificationFailed) {
		t.Fatalf("a failed verification recorded as %v", err)
	}
	s.Settle(t)
	aliceBefore := len(s.d.Inbox(t, s.user("alice")))

	s.d.Command(t, s.user("jdoe"), "who "+mentionText(s.d, "alice"), s.user("alice"))
	s.Settle(t)
	got := lastInbox(t, s.d, s.user("jdoe")).Text
	mustContain(t, "who answer", got, "Alice Admin (alice)",
		"iPhone 15", "added 2 Mar 2026", "last used 30 Nov 2026", "synced",
		"YubiKey 5C", "added 9 Apr 2026", "never used", "device-bound",
		"Authenticator app", "Privileged", "enabled, not locked",
		"Failed verifications (24 h)", "reset (link opened")
	for _, want := range []string{"Authenticator app: yes", "Privileged: yes", "Failed verifications (24 h): 1"} {
		if !containsField(got, want) {
			t.Errorf("who answer lacks %q:\n%s", want, got)
		}
	}
	if n := len(s.d.Inbox(t, s.user("alice"))); n != aliceBefore {
		t.Errorf("the target was told about the lookup: %d messages, had %d", n, aliceBefore)
	}
	for _, th := range s.d.Threads(t) {
		for _, m := range append([]Seen{th.Parent}, th.Replies...) {
			if strings.Contains(m.Text, "YubiKey") {
				t.Errorf("the lookup reached the helpdesk channel: %s", m.Text)
			}
		}
	}
	var seen int
	for _, ev := range s.auditEvents(t) {
		if ev.Type == flows.EventFactorsViewed {
			seen++
			if ev.Actor != s.user("jdoe").ID.String() || ev.Account != "alice" || ev.AccountID == "" {
				t.Errorf("lookup audited as %+v", ev)
			}
		}
	}
	if seen != 1 {
		t.Errorf("%d lookup events in the audit stream, want 1", seen)
	}

	// A name the directory does not know: the member is told so.
	s.d.Command(t, s.user("jdoe"), "who "+mentionText(s.d, "nobody"), s.user("nobody"))
	s.Settle(t)
	mustContain(t, "unknown target", lastInbox(t, s.d, s.user("jdoe")).Text, "can't map")
}

// containsField matches "Label: value" however the platform lays fields
// out (on one line, or the value on the line after the label, with or
// without bold markup): the value must be the whole rest.
func containsField(text, want string) bool {
	label, value, _ := strings.Cut(want, ": ")
	lines := strings.Split(strings.ReplaceAll(text, "*", ""), "\n")
	for i, l := range lines {
		l = strings.TrimSpace(l)
		if l == label+": "+value || l == label && i+1 < len(lines) && strings.TrimSpace(lines[i+1]) == value {
			return true
		}
	}
	return false
}

// whoRefusedForOutsider: someone outside the helpdesk gets the helpdesk
// refusal, the same for a known and an unknown target (no enumeration),
// and each refusal is audited and shown in the helpdesk channel.
func whoRefusedForOutsider(t *testing.T, s *scenario) {
	s.d.Command(t, s.user("pwuser"), "who "+mentionText(s.d, "alice"), s.user("alice"))
	s.Settle(t)
	known := lastInbox(t, s.d, s.user("pwuser")).Text
	mustContain(t, "refusal", known, "Only")
	for _, leak := range []string{"Alice", "alice", "passkey", "Privileged", "Work phone"} {
		if strings.Contains(known, leak) {
			t.Errorf("the refusal reveals %q: %s", leak, known)
		}
	}
	s.d.Command(t, s.user("pwuser"), "who "+mentionText(s.d, "nobody"), s.user("nobody"))
	s.Settle(t)
	if unknown := lastInbox(t, s.d, s.user("pwuser")).Text; unknown != known {
		t.Errorf("a known and an unknown target read differently:\n%s\n---\n%s", known, unknown)
	}
	var refused int
	for _, ev := range s.auditEvents(t) {
		switch ev.Type {
		case flows.EventFactorsViewed:
			t.Errorf("an outsider's lookup was carried out: %+v", ev)
		case flows.EventRefused:
			if ev.Actor == s.user("pwuser").ID.String() && strings.Contains(ev.Reason, "who: not a helpdesk member") {
				refused++
			}
		}
	}
	if refused != 2 {
		t.Errorf("%d audited refusals, want 2", refused)
	}
	var posted bool
	for _, th := range s.d.Threads(t) {
		if strings.Contains(th.Parent.Text, "who: not a helpdesk member") {
			posted = true
		}
		for _, r := range th.Replies {
			posted = posted || strings.Contains(r.Text, "who: not a helpdesk member")
		}
	}
	if !posted {
		t.Errorf("the refusal is not in the helpdesk channel: %+v", s.d.Threads(t))
	}
}
