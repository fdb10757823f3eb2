package bottest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/directory"
)

// revokeLostPhone: "/reset revoke @user <passkey name>" removes that
// passkey only, tells the user by direct message, records it in the
// helpdesk channel, and "enroll-for" then sends a set-up link. Someone
// outside the helpdesk gets the helpdesk refusal and removes nothing. (A
// privileged target waits for a second member: revokePrivileged.)
func revokeLostPhone(t *testing.T, s *scenario) {
	added := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	s.SetDetails(t, "spare1", bot.FactorDetails{Passkeys: []bot.PasskeyInfo{
		{Name: "iPhone 15", AddedAt: added, Synced: true}, {Name: "YubiKey 5C", AddedAt: added},
	}})
	factors := s.factorsOf(t)

	s.d.Command(t, s.user("pwuser"), "revoke "+mentionText(s.d, "spare1")+" all", s.user("spare1"))
	s.Settle(t)
	mustContain(t, "outsider", lastInbox(t, s.d, s.user("pwuser")).Text, "Only")
	if d := factors("spare1"); len(d.Passkeys) != 2 {
		t.Fatalf("an outsider's revoke removed something: %+v", d)
	}

	s.d.Command(t, s.user("jdoe"), "revoke "+mentionText(s.d, "spare1")+" iPhone 15", s.user("spare1"))
	s.Settle(t)
	mustContain(t, "helpdesk answer", lastInbox(t, s.d, s.user("jdoe")).Text, "Removed", "iPhone 15", "told by direct message", "enroll-for")
	mustContain(t, "user's notice", lastInbox(t, s.d, s.user("spare1")).Text, "removed", "iPhone 15", "#it-help")
	if d := factors("spare1"); len(d.Passkeys) != 1 || d.Passkeys[0].Name != "YubiKey 5C" {
		t.Fatalf("after the revoke: %+v", d)
	}
	var recorded bool
	for _, th := range s.d.Threads(t) {
		recorded = recorded || strings.Contains(th.Parent.Text, "Removed from spare1") && strings.Contains(th.Parent.Text, "iPhone 15")
	}
	if !recorded {
		t.Errorf("the helpdesk channel does not record the revoke: %+v", s.d.Threads(t))
	}

	s.d.Command(t, s.user("jdoe"), "enroll-for "+mentionText(s.d, "spare1"), s.user("spare1"))
	s.Settle(t)
	mustContain(t, "re-enrollment", lastInbox(t, s.d, s.user("spare1")).Text, "Set up your passkey")
}

// factorsOf reads an account's factors from the rig's credentials.
func (s *scenario) factorsOf(t *testing.T) func(account string) bot.FactorDetails {
	return func(account string) bot.FactorDetails {
		t.Helper()
		u, err := s.Dir.Find(context.Background(), directory.Lookup{Kind: directory.ByAccountName, Value: account})
		if err != nil {
			t.Fatal(err)
		}
		d, _ := s.Factors.FactorDetails(context.Background(), u.ID)
		return d
	}
}

// revokePrivileged: revoking a privileged account's factors waits in the
// helpdesk channel for a second member's approval. The requester, the
// target (a helpdesk member too, here) and an outsider cannot decide; a
// denial removes nothing; an approval by the second member removes what
// was asked, tells the user and is recorded in the thread.
func revokePrivileged(t *testing.T, s *scenario) {
	s.SetDetails(t, "alice", bot.FactorDetails{TOTP: true, Passkeys: []bot.PasskeyInfo{
		{Name: "Admin key", AddedAt: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}}})
	for _, m := range []string{"alice", "spare2"} {
		if err := s.Dir.AddMember("helpdesk", m); err != nil {
			t.Fatal(err)
		}
	}
	factors := s.factorsOf(t)
	unchanged := func(when string) {
		t.Helper()
		if d := factors("alice"); len(d.Passkeys) != 1 || !d.TOTP {
			t.Fatalf("%s: alice's factors changed: %+v", when, d)
		}
	}
	request := func(what string) Thread {
		t.Helper()
		s.d.Command(t, s.user("jdoe"), "revoke "+mentionText(s.d, "alice")+" "+what, s.user("alice"))
		s.Settle(t)
		mustContain(t, "requester's answer", lastInbox(t, s.d, s.user("jdoe")).Text, "second helpdesk member's approval")
		threads := s.d.Threads(t)
		th := threads[len(threads)-1]
		if len(th.Parent.Buttons) != 2 {
			t.Fatalf("the request's thread has no Approve and Deny: %+v", th.Parent)
		}
		mustContain(t, "thread parent", th.Parent.Text, "Sign-in method removal", what)
		return th
	}

	th := request("all")
	unchanged("asked")
	for _, c := range []struct{ account, want string }{
		{"jdoe", "can't"}, {"alice", "can't"}, {"pwuser", "Only helpdesk"},
	} {
		s.d.Click(t, s.user(c.account), th, th.Parent.Buttons[0])
		s.Settle(t)
		mustContain(t, c.account+" approving", lastInbox(t, s.d, s.user(c.account)).Text, c.want)
	}
	unchanged("refused clicks")
	s.d.Click(t, s.user("spare2"), th, th.Parent.Buttons[1])
	s.Settle(t)
	mustContain(t, "denial", lastInbox(t, s.d, s.user("spare2")).Text, "Nothing was removed")
	unchanged("denied")

	th = request("Admin key")
	s.d.Click(t, s.user("spare2"), th, th.Parent.Buttons[0])
	s.Settle(t)
	mustContain(t, "approval", lastInbox(t, s.d, s.user("spare2")).Text, "Approved", "being removed")
	if d := factors("alice"); len(d.Passkeys) != 0 || !d.TOTP {
		t.Fatalf("after the approval: %+v, want the passkey gone and the app kept", d)
	}
	mustContain(t, "user's notice", lastInbox(t, s.d, s.user("alice")).Text, "removed", "Admin key", "#it-help")
	threads := s.d.Threads(t)
	var replies []string
	for _, r := range threads[len(threads)-1].Replies {
		replies = append(replies, r.Text)
	}
	mustContain(t, "thread", strings.Join(replies, "\n"), "Approved by", "Removed from alice", "Admin key")
}
