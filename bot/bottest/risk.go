package bottest

import (
	"strings"
	"testing"

	"github.com/resetbot/resetbot/flows"
)

// riskInChatPolicy steps a second request within the window up to a
// helpdesk approval and denies a request after a declined caller
// verification.
var riskInChatPolicy = flows.RiskPolicy{AccountRequests: 1, Actions: map[flows.RiskRule]flows.RiskAction{
	flows.RiskVelocity: flows.RiskStepUp, flows.RiskCallerDeclined: flows.RiskDeny}}

// riskInChat: the risk policy acts through the core on every platform. A
// second request of pwuser within the window is a velocity signal that
// steps the flow up: the link still comes, the thread says why, and after
// the passkey it waits for a helpdesk member's Approve, like a privileged
// reset. After spare1 declined a caller verification, spare1's own
// request is denied: the reply sends them to the helpdesk contact, no link
// is sent, and the helpdesk channel shows the denial with its signal.
func riskInChat(t *testing.T, s *scenario) {
	s.d.Command(t, s.user("pwuser"), "")
	s.linkFor(t, "pwuser")
	s.d.Command(t, s.user("pwuser"), "")
	f, binding := s.Verify(t, s.linkFor(t, "pwuser"))
	if f.State != flows.StateAwaitingApproval {
		t.Fatalf("stepped-up flow is %q after the passkey, want awaiting approval", f.State)
	}
	s.Settle(t)
	var th Thread
	for _, x := range s.d.Threads(t) {
		if strings.Contains(x.Parent.Text, "pwuser") && len(x.Parent.Buttons) == 2 {
			th = x
		}
	}
	if len(th.Parent.Buttons) != 2 {
		t.Fatalf("no thread with Approve and Deny for the stepped-up flow: %+v", s.d.Threads(t))
	}
	replies := ""
	for _, r := range th.Replies {
		replies += r.Text + "\n"
	}
	mustContain(t, "stepped-up thread", replies, "Risk signal: many requests or failed verifications", "A helpdesk approval is required")
	s.d.Click(t, s.user("pwuser"), th, th.Parent.Buttons[0]) // the target may not approve
	s.Settle(t)
	if got, err := s.Engine.Get(t.Context(), f.ID); err != nil || got.State != flows.StateAwaitingApproval {
		t.Fatalf("after the target's own Approve: %v, state %q; want still awaiting approval", err, got.State)
	}
	s.d.Click(t, s.user("jdoe"), th, th.Parent.Buttons[0])
	s.Settle(t)
	s.Complete(t, f, binding, "Correct-Horse-Battery-9")

	_, token := s.verifyRequest(t, "spare1", "")
	vf, vb, err := s.Engine.Redeem(t.Context(), token, flows.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Engine.DeclineVerify(t.Context(), vf.ID, vb); err != nil {
		t.Fatal(err)
	}
	s.Settle(t)
	before := len(s.d.Inbox(t, s.user("spare1")))
	first := s.d.Command(t, s.user("spare1"), "")
	s.Settle(t)
	inbox := s.d.Inbox(t, s.user("spare1"))
	said := first.Text
	for _, m := range inbox[before:] {
		if m.Link != "" {
			t.Fatalf("a denied request sent a link: %+v", m)
		}
		said += "\n" + m.Text
	}
	mustContain(t, "denied requester's answer", said, "This request needs the helpdesk", "#it-help")
	channel := ""
	for _, x := range s.d.Threads(t) {
		channel += x.Parent.Text + "\n"
	}
	mustContain(t, "helpdesk channel", channel, "declined caller verification", "Denied by policy")
}
