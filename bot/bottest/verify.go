package bottest

import (
	"context"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/flows"
)

// verifyRequest runs "/reset verify @account <reason>" as jdoe (a helpdesk
// member), checks the member's private answer and returns the target's
// private request, with its link.
func (s *scenario) verifyRequest(t *testing.T, account, reason string) (Seen, string) {
	t.Helper()
	s.d.Command(t, s.user("jdoe"), strings.TrimSpace("verify "+mentionText(s.d, account)+" "+reason), s.user(account))
	token := s.linkFor(t, account)
	mustContain(t, "member's answer", lastInbox(t, s.d, s.user("jdoe")).Text, "Verification request sent", "thread")
	return lastInbox(t, s.d, s.user(account)), token
}

// verifyThread is the helpdesk channel's one caller verification thread
// (a decline's warning is a message of its own).
func (s *scenario) verifyThread(t *testing.T) Thread {
	t.Helper()
	s.Settle(t)
	var found []Thread
	for _, th := range s.d.Threads(t) {
		if strings.Contains(th.Parent.Text, "Caller verification") && !strings.Contains(th.Parent.Text, "did not call") {
			found = append(found, th)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d caller verification threads, want one: %+v", len(found), s.d.Threads(t))
	}
	return found[0]
}

// onlyOutcome checks that a verification thread says its outcome and
// nothing else: one reply, and no account details in the parent
// (department, account name, tier, factors).
func onlyOutcome(t *testing.T, th Thread, account, department string, want ...string) {
	t.Helper()
	if len(th.Replies) != 1 {
		t.Fatalf("verification thread has %d replies, want the outcome only: %+v", len(th.Replies), th.Replies)
	}
	mustContain(t, "outcome", th.Replies[0].Text, want...)
	for _, leak := range []string{department, "(" + account + ")", "privileged", "standard", "Department", "Authenticator"} {
		if containsWord(th.Parent.Text, leak) || containsWord(th.Replies[0].Text, leak) {
			t.Errorf("verification thread tells %q about the account:\n%s\n%s", leak, th.Parent.Text, th.Replies[0].Text)
		}
	}
}

// containsWord reports whether text holds w other than inside a longer
// word: a flow id is random letters and digits, and "…xIT9B…" in it is no
// department named.
func containsWord(text, w string) bool {
	word := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
	for i := 0; i < len(text); {
		j := strings.Index(text[i:], w)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(w)
		before, _ := utf8.DecodeLastRuneInString(text[:start])
		after, _ := utf8.DecodeRuneInString(text[end:])
		if !word(before) && !word(after) {
			return true
		}
		i = start + 1
	}
	return false
}

// verifyRefusals: an outsider's "/reset verify" gets the helpdesk refusal
// and the target hears nothing; a member cannot verify their own account;
// a target with no passkey is named to the member at once and gets no
// link. Every refusal is audited.
func verifyRefusals(t *testing.T, s *scenario) {
	s.d.Command(t, s.user("pwuser"), "verify "+mentionText(s.d, "spare1")+" caller on line 2", s.user("spare1"))
	s.Settle(t)
	mustContain(t, "outsider", lastInbox(t, s.d, s.user("pwuser")).Text, "Only")

	s.d.Command(t, s.user("jdoe"), "verify "+mentionText(s.d, "jdoe"), s.user("jdoe"))
	s.Settle(t)
	mustContain(t, "own account", lastInbox(t, s.d, s.user("jdoe")).Text, "Not for your own account")

	s.SetFactors(t, "spare2", bot.FactorCount{TOTP: true})
	s.d.Command(t, s.user("jdoe"), "verify "+mentionText(s.d, "spare2"), s.user("spare2"))
	s.Settle(t)
	mustContain(t, "unenrolled target", lastInbox(t, s.d, s.user("jdoe")).Text, "has no passkey; cannot be verified this way", "enroll-for")

	for _, account := range []string{"spare1", "spare2", "jdoe"} {
		for _, m := range s.d.Inbox(t, s.user(account)) {
			if m.Link != "" {
				t.Errorf("%s got a link from a refused verification: %+v", account, m)
			}
		}
	}
	refused := map[string]bool{}
	for _, ev := range s.auditEvents(t) {
		if ev.Type == flows.EventRefused && strings.HasPrefix(ev.Reason, "verify: ") {
			refused[ev.Reason] = true
		}
		if ev.Kind == flows.KindVerify {
			t.Errorf("a refused verification started a flow: %+v", ev)
		}
	}
	for _, why := range []string{"verify: not a helpdesk member", "verify: own account", "verify: no passkey enrolled"} {
		if !refused[why] {
			t.Errorf("refusal %q not audited; audited: %v", why, refused)
		}
	}
}

// verifyConfirmed: the target gets a private request saying who asked and
// why, with the link; confirming with their passkey puts "Verified with
// passkey <name>, <time>" in the verification's one thread, and nothing
// else about the account. A privileged target is verified the same way,
// with no approval.
func verifyConfirmed(t *testing.T, s *scenario) {
	dm, token := s.verifyRequest(t, "alice", "Caller says her laptop was stolen")
	mustContain(t, "target's request", dm.Text, "asks you to confirm", "Caller says her laptop was stolen", "I did not call the helpdesk")
	th := s.verifyThread(t)
	if len(th.Replies) != 0 || len(th.Parent.Buttons) != 0 {
		t.Fatalf("an open verification's thread: %+v, want a parent alone, no buttons", th)
	}
	mustContain(t, "open verification", th.Parent.Text, "Waiting for the user to confirm")

	f, binding := s.Verify(t, token)
	if f.State != flows.StateVerified {
		t.Fatalf("a privileged target's passkey left the verification %q, want verified with no approval", f.State)
	}
	if _, err := s.Engine.ConfirmVerify(context.Background(), f.ID, binding, "Work phone"); err != nil {
		t.Fatal(err)
	}
	th = s.verifyThread(t)
	onlyOutcome(t, th, "alice", "IT", "Verified with passkey", "Work phone")
	mustContain(t, "thread parent", th.Parent.Text, "Verified")
}

// verifyDeclined: "I did not call the helpdesk" ends the verification as
// declined in its thread and posts a warning in the helpdesk channel.
func verifyDeclined(t *testing.T, s *scenario) {
	_, token := s.verifyRequest(t, "pwuser", "")
	ctx := context.Background()
	f, binding, err := s.Engine.Redeem(ctx, token, flows.Client{IP: "203.0.113.7", Device: "iPhone"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Engine.DeclineVerify(ctx, f.ID, binding); err != nil {
		t.Fatal(err)
	}
	th := s.verifyThread(t)
	onlyOutcome(t, th, "pwuser", "Finance", "Not verified (declined)")
	warnings := 0
	for _, m := range s.d.Threads(t) {
		if strings.Contains(m.Parent.Text, "says they did not call the helpdesk") {
			warnings++
		}
	}
	if warnings != 1 {
		t.Fatalf("%d warnings in the helpdesk channel after a decline, want one: %+v", warnings, s.d.Threads(t))
	}
}

// verifyExpired: a verification nobody answers ends after five minutes,
// when the sweeper expires it, and its thread says "Not verified
// (expired)".
func verifyExpired(t *testing.T, s *scenario) {
	s.verifyRequest(t, "spare1", "")
	s.Advance(flows.VerifyTTL)
	if n, err := s.Engine.ExpireDue(context.Background()); err != nil || n != 1 {
		t.Fatalf("ExpireDue = %d, %v; want the verification expired", n, err)
	}
	onlyOutcome(t, s.verifyThread(t), "spare1", "Engineering", "Not verified (expired)")
}
