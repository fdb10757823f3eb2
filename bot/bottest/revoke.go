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
// helpdesk channel, and "enroll-for" then sends a set-up link. A
// privileged target is refused with nothing removed; someone outside the
// helpdesk gets the helpdesk refusal and removes nothing.
func revokeLostPhone(t *testing.T, s *scenario) {
	added := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	s.SetDetails(t, "spare1", bot.FactorDetails{Passkeys: []bot.PasskeyInfo{
		{Name: "iPhone 15", AddedAt: added, Synced: true}, {Name: "YubiKey 5C", AddedAt: added},
	}})
	s.SetDetails(t, "alice", bot.FactorDetails{TOTP: true, Passkeys: []bot.PasskeyInfo{{Name: "Admin key", AddedAt: added}}})
	factors := func(account string) bot.FactorDetails {
		u, err := s.Dir.Find(context.Background(), directory.Lookup{Kind: directory.ByAccountName, Value: account})
		if err != nil {
			t.Fatal(err)
		}
		d, _ := s.Factors.FactorDetails(context.Background(), u.ID)
		return d
	}

	s.d.Command(t, s.user("pwuser"), "revoke "+mentionText(s.d, "spare1")+" all", s.user("spare1"))
	s.Settle(t)
	mustContain(t, "outsider", lastInbox(t, s.d, s.user("pwuser")).Text, "Only")
	if d := factors("spare1"); len(d.Passkeys) != 2 {
		t.Fatalf("an outsider's revoke removed something: %+v", d)
	}

	s.d.Command(t, s.user("jdoe"), "revoke "+mentionText(s.d, "alice")+" all", s.user("alice"))
	s.Settle(t)
	mustContain(t, "privileged target", lastInbox(t, s.d, s.user("jdoe")).Text, "Nothing was removed", "privileged")
	if d := factors("alice"); len(d.Passkeys) != 1 || !d.TOTP {
		t.Fatalf("a privileged account's factors were removed: %+v", d)
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
