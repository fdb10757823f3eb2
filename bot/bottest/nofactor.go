package bottest

import (
	"strings"
	"testing"

	"github.com/resetbot/resetbot/bot"
)

// threadOf returns the helpdesk thread whose parent names the account, and
// the button with the action id among its replies.
func (s *scenario) threadOf(t *testing.T, account, actionID string) (Thread, SeenButton) {
	t.Helper()
	s.Settle(t)
	for _, th := range s.d.Threads(t) {
		if len(th.Replies) == 0 || !strings.Contains(th.Parent.Text, "("+account+")") {
			continue
		}
		for _, r := range th.Replies {
			for _, b := range r.Buttons {
				if b.ActionID == actionID {
					return th, b
				}
			}
		}
		t.Fatalf("thread of %s has no %s button: %+v", account, actionID, th)
	}
	t.Fatalf("no helpdesk thread for %s: %+v", account, s.d.Threads(t))
	return Thread{}, SeenButton{}
}

func countLinks(seen []Seen) int {
	n := 0
	for _, m := range seen {
		if m.Link != "" {
			n++
		}
	}
	return n
}

// unenrolledNoDeadEnd: a user with no usable factor is never sent a reset
// link that leads nowhere: they are told privately what happens next, the
// helpdesk thread says why, and its button sends a one-time enrollment
// link (helpdesk only; a privileged account's enrollment is privileged).
func unenrolledNoDeadEnd(t *testing.T, s *scenario) {
	s.SetFactors(t, "spare1", bot.FactorCount{})
	s.SetFactors(t, "alice", bot.FactorCount{TOTP: true}) // privileged: TOTP does not count
	enrolled := s.d.Command(t, s.user("pwuser"), "")
	tests := []struct {
		account, why string
	}{
		{"spare1", "no passkey enrolled"},
		{"alice", "privileged account cannot use its authenticator app"},
	}
	for _, tc := range tests {
		first := s.d.Command(t, s.user(tc.account), "")
		if first.Text != enrolled.Text {
			t.Errorf("%s: first reply %q differs from an enrolled user's %q", tc.account, first.Text, enrolled.Text)
		}
		s.Settle(t)
		inbox := s.d.Inbox(t, s.user(tc.account))
		if n := countLinks(inbox); n != 0 {
			t.Fatalf("%s: %d links sent to a user with no usable factor", tc.account, n)
		}
		mustContain(t, tc.account+"'s answer", lastInbox(t, s.d, s.user(tc.account)).Text, "no passkey yet", "set-up link", "#it-help")
		th, send := s.threadOf(t, tc.account, bot.ActionSendEnroll)
		mustContain(t, tc.account+"'s thread", joinSeen(th.Replies), "No link sent", tc.why)

		// Not for someone outside the helpdesk.
		s.d.Click(t, s.user("spare2"), th, send)
		s.Settle(t)
		mustContain(t, "outsider's click", lastInbox(t, s.d, s.user("spare2")).Text, "Only")
		if n := countLinks(s.d.Inbox(t, s.user(tc.account))); n != 0 {
			t.Fatalf("%s: an outsider's click sent a link", tc.account)
		}

		s.d.Click(t, s.user("jdoe"), th, send)
		s.Settle(t)
		mustContain(t, "helpdesk answer", lastInbox(t, s.d, s.user("jdoe")).Text, "Sent a one-time enrollment link")
		s.claim(t, tc.account)
		mustContain(t, tc.account+"'s enrollment link", lastInbox(t, s.d, s.user(tc.account)).Text, "Set up your passkey")
		if n := countLinks(s.d.Inbox(t, s.user(tc.account))); n != 1 {
			t.Fatalf("%s: %d links after the helpdesk's click, want 1", tc.account, n)
		}
	}
	// The privileged account's enrollment still needs an approval.
	var enrollThread string
	for _, th := range s.d.Threads(t) {
		if strings.Contains(th.Parent.Text, "(alice)") && strings.Contains(th.Parent.Text, "enrollment") {
			enrollThread = th.Parent.Text
		}
	}
	mustContain(t, "alice's enrollment thread", enrollThread, "privileged")
}

func joinSeen(seen []Seen) string {
	parts := make([]string, len(seen))
	for i, m := range seen {
		parts[i] = m.Text
	}
	return strings.Join(parts, "\n")
}
