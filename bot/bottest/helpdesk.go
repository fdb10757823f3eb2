package bottest

import (
	"strings"
	"testing"
)

// helpdeskPowersFollowDirectory: a helpdesk member disabled, locked out or
// removed from the helpdesk group in the directory loses every helpdesk
// power at once: approve, deny, "/reset for", "enroll-for" and report.
func helpdeskPowersFollowDirectory(t *testing.T, s *scenario) {
	s.d.Command(t, s.user("alice"), "")
	s.Verify(t, s.linkFor(t, "alice"))
	th := s.onlyThread(t)
	jdoe := s.user("jdoe")
	changes := []struct {
		name        string
		apply, undo func() error
		audit       string
	}{
		{"disabled",
			func() error { return s.Dir.SetDisabled("jdoe", true) },
			func() error { return s.Dir.SetDisabled("jdoe", false) },
			"account disabled"},
		{"locked out",
			func() error { return s.Dir.SetLocked("jdoe", true) },
			func() error { return s.Dir.SetLocked("jdoe", false) },
			"account locked out"},
		{"removed from the helpdesk group",
			func() error { return s.Dir.RemoveMember("helpdesk", "jdoe") },
			func() error { return s.Dir.AddMember("helpdesk", "jdoe") },
			"not a helpdesk member"},
	}
	for _, c := range changes {
		if err := c.apply(); err != nil {
			t.Fatal(err)
		}
		for _, b := range th.Parent.Buttons {
			s.d.Click(t, jdoe, th, b)
			s.Settle(t)
			mustContain(t, c.name+": "+b.Label+" click", lastInbox(t, s.d, jdoe).Text, "Only helpdesk")
		}
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
			mustContain(t, c.name+": "+cmd.text, lastInbox(t, s.d, jdoe).Text, "Only")
		}
		for _, account := range []string{"spare1", "spare2"} {
			if n := len(s.d.Inbox(t, s.user(account))); n != 0 {
				t.Fatalf("%s: a push by a member who lost their power reached %s: %d messages", c.name, account, n)
			}
		}
		th = s.onlyThread(t)
		if len(th.Parent.Buttons) != 2 {
			t.Fatalf("%s: the click changed the approval: %+v", c.name, th.Parent)
		}
		mustContain(t, c.name+": thread", th.Replies[len(th.Replies)-1].Text, "Click refused", c.audit)
		if err := c.undo(); err != nil {
			t.Fatal(err)
		}
	}
	// With every change undone the same member approves again.
	s.d.Click(t, jdoe, th, th.Parent.Buttons[0])
	s.Settle(t)
	mustContain(t, "approval after the changes were undone", lastInbox(t, s.d, jdoe).Text, "Approved")
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
