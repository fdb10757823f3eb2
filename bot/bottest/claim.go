package bottest

import (
	"testing"

	"github.com/resetbot/resetbot/bot"
)

// claimButton returns the "This is me" button of the newest pushed
// set-up link in the account's private conversation.
func (s *scenario) claimButton(t *testing.T, account string) SeenButton {
	t.Helper()
	s.Settle(t)
	inbox := s.d.Inbox(t, s.user(account))
	for i := len(inbox) - 1; i >= 0; i-- {
		for _, b := range inbox[i].Buttons {
			if b.ActionID == bot.ActionClaimLink {
				return b
			}
		}
	}
	t.Fatalf("no set-up link button in %s's inbox: %+v", account, inbox)
	return SeenButton{}
}

// claim presses the account's own "This is me" button and returns the
// link token it brings.
func (s *scenario) claim(t *testing.T, account string) string {
	t.Helper()
	s.d.ClickPrivate(t, s.user(account), s.user(account), s.claimButton(t, account))
	return s.linkFor(t, account)
}

// pushedLinkBoundToRecipient (#8 §4): a set-up link the helpdesk pushes
// arrives as a button, with no URL anyone could open; a click by anyone
// but the recipient (here the helpdesk member who pushed it) is refused
// and audited in the thread; the recipient's own click claims the flow
// and brings the link privately, once.
func pushedLinkBoundToRecipient(t *testing.T, s *scenario) {
	s.d.Command(t, s.user("jdoe"), "enroll-for "+mentionText(s.d, "spare2"), s.user("spare2"))
	s.Settle(t)
	if n := countLinks(s.d.Inbox(t, s.user("spare2"))); n != 0 {
		t.Fatalf("the pushed set-up message carries %d usable links before the recipient confirmed", n)
	}
	dm := lastInbox(t, s.d, s.user("spare2"))
	mustContain(t, "pushed set-up message", dm.Text, "Set up your passkey", "confirm it's you")
	button := s.claimButton(t, "spare2")
	if button.Label != "This is me: open my set-up link" {
		t.Errorf("claim button label %q", button.Label)
	}

	s.d.ClickPrivate(t, s.user("jdoe"), s.user("spare2"), button)
	s.Settle(t)
	mustContain(t, "someone else's click", lastInbox(t, s.d, s.user("jdoe")).Text, "not yours")
	if n := countLinks(s.d.Inbox(t, s.user("jdoe"))) + countLinks(s.d.Inbox(t, s.user("spare2"))); n != 0 {
		t.Fatalf("a click by someone else sent %d links", n)
	}
	th := s.onlyThread(t)
	mustContain(t, "thread after the refused claim", joinSeen(th.Replies), "claim refused", "the helpdesk member who sent it")

	token := s.claim(t, "spare2")
	if f, _ := s.Verify(t, token); f.Claim.By != s.user("spare2").ID {
		t.Errorf("flow claimed by %v, want the recipient", f.Claim.By)
	}
	mustContain(t, "thread after the claim", joinSeen(s.onlyThread(t).Replies), "confirmed in chat")

	s.d.ClickPrivate(t, s.user("spare2"), s.user("spare2"), button)
	s.Settle(t)
	mustContain(t, "second click", lastInbox(t, s.d, s.user("spare2")).Text, "already")
	if n := countLinks(s.d.Inbox(t, s.user("spare2"))); n != 1 {
		t.Fatalf("%d links after a second click, want 1", n)
	}
}
