package bottest

import (
	"strings"
	"testing"
)

// helpdeskChange is one thing an administrator does to a helpdesk member's
// account, undo being its reverse.
type helpdeskChange struct {
	apply, undo func(s *scenario) error
	// audit is the reason the thread must give for a refused click.
	audit string
}

var (
	memberDisabled = helpdeskChange{
		func(s *scenario) error { return s.Dir.SetDisabled("jdoe", true) },
		func(s *scenario) error { return s.Dir.SetDisabled("jdoe", false) },
		"account disabled"}
	memberLocked = helpdeskChange{
		func(s *scenario) error { return s.Dir.SetLocked("jdoe", true) },
		func(s *scenario) error { return s.Dir.SetLocked("jdoe", false) },
		"account locked out"}
	memberRemoved = helpdeskChange{
		func(s *scenario) error { return s.Dir.RemoveMember("helpdesk", "jdoe") },
		func(s *scenario) error { return s.Dir.AddMember("helpdesk", "jdoe") },
		"not a helpdesk member"}
)

// helpdeskPowersFollowDirectory: a helpdesk member disabled, locked out or
// removed from the helpdesk group in the directory loses every helpdesk
// power at once: approve, deny, "/reset for", "enroll-for" and report; and
// has them back once the change is undone. Few interactions, to stay
// within the suite's per-identity interaction budget.
func helpdeskPowersFollowDirectory(c helpdeskChange, button int) func(t *testing.T, s *scenario) {
	return func(t *testing.T, s *scenario) {
		s.d.Command(t, s.user("alice"), "")
		s.Verify(t, s.linkFor(t, "alice"))
		th := s.onlyThread(t)
		jdoe := s.user("jdoe")
		if err := c.apply(s); err != nil {
			t.Fatal(err)
		}
		b := th.Parent.Buttons[button]
		s.d.Click(t, jdoe, th, b)
		s.Settle(t)
		mustContain(t, b.Label+" click", lastInbox(t, s.d, jdoe).Text, "Only helpdesk")
		commands := []struct{ text, account string }{
			{"for " + mentionText(s.d, "spare1"), "spare1"},
			{"enroll-for " + mentionText(s.d, "spare2"), "spare2"},
			{"report", ""},
		}
		for _, cmd := range commands {
			if cmd.account != "" {
				s.d.Command(t, jdoe, cmd.text, s.user(cmd.account))
			} else {
				s.d.Command(t, jdoe, cmd.text)
			}
			s.Settle(t)
			mustContain(t, cmd.text, lastInbox(t, s.d, jdoe).Text, "Only")
		}
		for _, account := range []string{"spare1", "spare2"} {
			if n := len(s.d.Inbox(t, s.user(account))); n != 0 {
				t.Fatalf("a push by a member who lost their power reached %s: %d messages", account, n)
			}
		}
		th = s.onlyThread(t)
		if len(th.Parent.Buttons) != 2 {
			t.Fatalf("the click changed the approval: %+v", th.Parent)
		}
		mustContain(t, "thread", th.Replies[len(th.Replies)-1].Text, "Click refused", c.audit)
		if err := c.undo(s); err != nil {
			t.Fatal(err)
		}
		s.d.Click(t, jdoe, th, th.Parent.Buttons[0])
		s.Settle(t)
		mustContain(t, "approval after the change was undone", lastInbox(t, s.d, jdoe).Text, "Approved")
	}
}

// refusedClicksAudited: every refused Approve or Deny click (the target,
// the requester, an outsider, an unknown user) is an audit event in the
// request's thread, and a repeated one says so.
func refusedClicksAudited(t *testing.T, s *scenario) {
	s.d.Command(t, s.user("jdoe"), "for "+mentionText(s.d, "alice"), s.user("alice"))
	s.Verify(t, s.linkFor(t, "alice"))
	th := s.onlyThread(t)
	approve, deny := th.Parent.Buttons[0], th.Parent.Buttons[1]
	clicks := []struct {
		name    string
		account string
		button  SeenButton
		want    []string
	}{
		{"target", "alice", approve, []string{"Approve by the target", "not a helpdesk member"}},
		{"target again", "alice", approve, []string{"Approve by the target", "refused click 2 by this user"}},
		{"requester", "jdoe", approve, []string{"Approve by the requester", "may not decide"}},
		{"outsider", "pwuser", deny, []string{"Deny: not a helpdesk member"}},
		{"unknown user", "nobody", approve, []string{"Approve: no directory account"}},
	}
	for _, c := range clicks {
		before := len(s.onlyThread(t).Replies)
		s.d.Click(t, s.user(c.account), th, c.button)
		s.Settle(t)
		got := s.onlyThread(t)
		if len(got.Replies) != before+1 {
			t.Fatalf("%s: thread went from %d to %d replies, want one more: %+v", c.name, before, len(got.Replies), got.Replies)
		}
		last := got.Replies[len(got.Replies)-1].Text
		mustContain(t, c.name+": thread reply", last, append([]string{"Click refused"}, c.want...)...)
		if c.account != "nobody" && !strings.Contains(last, mentionText(s.d, c.account)) && !strings.Contains(last, "@") {
			t.Errorf("%s: the reply does not name who clicked: %s", c.name, last)
		}
		if len(got.Parent.Buttons) != 2 {
			t.Fatalf("%s: a refused click changed the approval: %+v", c.name, got.Parent)
		}
	}
}
