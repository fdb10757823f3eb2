package bottest

import (
	"strings"
	"testing"

	"github.com/resetbot/resetbot/bot"
)

// Run runs every cross-platform scenario against fresh drivers. newDriver
// is called once per scenario.
func Run(t *testing.T, newDriver func(t *testing.T) Driver) {
	for _, sc := range []struct {
		name string
		run  func(t *testing.T, s *scenario)
	}{
		{"StandardResetThreadHasEveryStep", standardReset},
		{"PrivilegedNeedsApproval", privilegedApproval},
		{"RequesterCannotApproveOwnPush", selfApproval},
		{"OutsiderClickRefused", outsiderClick},
		{"DuplicateDeliveryCreatesNothingNew", duplicateDelivery},
		{"UnknownUserGetsTheSameReply", unknownSameReply},
		{"HelpdeskForAndEnrollFor", helpdeskPush},
		{"CommandsAndClicksAreBudgetedPerIdentity", interactionBudget},
		{"DisabledHelpdeskMemberHasNoPower", helpdeskPowersFollowDirectory(memberDisabled, 0)},
		{"LockedHelpdeskMemberHasNoPower", helpdeskPowersFollowDirectory(memberLocked, 1)},
		{"FormerHelpdeskMemberHasNoPower", helpdeskPowersFollowDirectory(memberRemoved, 0)},
		{"RefusedClicksAreAudited", refusedClicksAudited},
		{"UnenrolledUserGetsNoDeadEnd", unenrolledNoDeadEnd},
		{"PushedLinkIsBoundToTheRecipient", pushedLinkBoundToRecipient},
		{"WhoShowsFactorsToTheHelpdeskOnly", whoShowsFactors},
		{"WhoRefusedForOutsider", whoRefusedForOutsider},
		{"RevokeLostPhone", revokeLostPhone},
		{"PrivilegedRevokeNeedsASecondMember", revokePrivileged},
		{"VerifyCallerRefusals", verifyRefusals},
		{"VerifyCallerConfirmed", verifyConfirmed},
		{"VerifyCallerDeclined", verifyDeclined},
		{"VerifyCallerExpired", verifyExpired},
		{"RiskPolicyStepsUpAndDenies", riskInChat},
	} {
		t.Run(sc.name, func(t *testing.T) {
			d := newDriver(t)
			opt := Options{Identity: map[string]bot.IdentityRule{d.Platform(): d.Identity()}, InteractionsPerMinute: SuiteInteractionsPerMinute}
			if d.Identity().By != bot.IdentityByEmail {
				opt.ChatIDs = func(account string) (string, string) { return d.Platform(), d.User(account).ID.UserID }
			}
			if sc.name == "RiskPolicyStepsUpAndDenies" {
				opt.Risk = riskInChatPolicy
			}
			rig := NewRig(t, opt)
			d.Start(t, Env{Bot: rig.Bot, Once: bot.NewOnce(rig.Store)})
			sc.run(t, &scenario{Rig: rig, d: d})
		})
	}
}

// scenario is one run's rig and driver with helpers in the user's terms.
type scenario struct {
	*Rig
	d Driver
}

func (s *scenario) user(account string) bot.User { return s.d.User(account) }

// linkFor waits for work to settle and returns the newest link in the
// account's inbox.
func (s *scenario) linkFor(t *testing.T, account string) string {
	t.Helper()
	s.Settle(t)
	inbox := s.d.Inbox(t, s.user(account))
	for i := len(inbox) - 1; i >= 0; i-- {
		if inbox[i].Link != "" {
			if !strings.HasPrefix(inbox[i].Link, BaseURL+"/r/") {
				t.Fatalf("link %q is not on the configured origin", inbox[i].Link)
			}
			return strings.TrimPrefix(inbox[i].Link, BaseURL+"/r/")
		}
	}
	t.Fatalf("no link in %s's inbox: %+v", account, inbox)
	return ""
}

func (s *scenario) onlyThread(t *testing.T) Thread {
	t.Helper()
	s.Settle(t)
	var flowThreads []Thread
	for _, th := range s.d.Threads(t) {
		if len(th.Replies) > 0 {
			flowThreads = append(flowThreads, th)
		}
	}
	if len(flowThreads) != 1 {
		t.Fatalf("%d helpdesk threads, want exactly one: %+v", len(flowThreads), flowThreads)
	}
	return flowThreads[0]
}

func lastInbox(t *testing.T, d Driver, u bot.User) Seen {
	t.Helper()
	inbox := d.Inbox(t, u)
	if len(inbox) == 0 {
		t.Fatalf("%s saw nothing privately", u.ID)
	}
	return inbox[len(inbox)-1]
}

func mustContain(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s does not contain %q:\n%s", what, w, text)
		}
	}
}

func standardReset(t *testing.T, s *scenario) {
	first := s.d.Command(t, s.user("pwuser"), "")
	mustContain(t, "first reply", first.Text, "Got it")
	f, binding := s.Verify(t, s.linkFor(t, "pwuser"))
	s.Complete(t, f, binding, "Correct-Horse-Battery-9")
	th := s.onlyThread(t)
	mustContain(t, "thread parent", th.Parent.Text, "Pat Writer", "pwuser", "Completed")
	steps := []string{"Requested by", "Link sent", "Link used", "Verified with passkey", "Writing to the directory", "New password written", "Completed"}
	if len(th.Replies) != len(steps) {
		t.Fatalf("thread has %d replies, want %d: %+v", len(th.Replies), len(steps), th.Replies)
	}
	for i, st := range steps {
		mustContain(t, "reply "+st, th.Replies[i].Text, st)
	}
	mustContain(t, "change notice", lastInbox(t, s.d, s.user("pwuser")).Text, "Your password was changed", "iPhone")
}

func privilegedApproval(t *testing.T, s *scenario) {
	s.d.Command(t, s.user("alice"), "")
	f, binding := s.Verify(t, s.linkFor(t, "alice"))
	th := s.onlyThread(t)
	mustContain(t, "parent", th.Parent.Text, "privileged")
	if len(th.Parent.Buttons) != 2 {
		t.Fatalf("parent buttons %+v, want Approve and Deny", th.Parent.Buttons)
	}
	s.d.Click(t, s.user("jdoe"), th, th.Parent.Buttons[0])
	s.Settle(t)
	mustContain(t, "approver's answer", lastInbox(t, s.d, s.user("jdoe")).Text, "Approved")
	th = s.onlyThread(t)
	if len(th.Parent.Buttons) != 0 {
		t.Errorf("buttons still shown after the decision: %+v", th.Parent.Buttons)
	}
	mustContain(t, "parent after approval", th.Parent.Text, "Approved by")
	s.Complete(t, f, binding, "Correct-Horse-Battery-9")
	// A late second click is answered, and changes nothing.
	s.d.Click(t, s.user("jdoe"), th, SeenButton{ActionID: bot.ActionDeny, Value: f.ID, Label: "Deny"})
	s.Settle(t)
	mustContain(t, "late click", lastInbox(t, s.d, s.user("jdoe")).Text, "Already resolved")
}

func selfApproval(t *testing.T, s *scenario) {
	s.d.Command(t, s.user("jdoe"), "for "+mentionText(s.d, "alice"), s.user("alice"))
	s.Verify(t, s.linkFor(t, "alice"))
	th := s.onlyThread(t)
	s.d.Click(t, s.user("jdoe"), th, th.Parent.Buttons[0])
	s.Settle(t)
	mustContain(t, "requester's click", lastInbox(t, s.d, s.user("jdoe")).Text, "can't decide")
	s.d.Click(t, s.user("alice"), th, th.Parent.Buttons[0])
	s.Settle(t)
	mustContain(t, "target's click", lastInbox(t, s.d, s.user("alice")).Text, "Only helpdesk")
	if th := s.onlyThread(t); len(th.Parent.Buttons) != 2 {
		t.Fatalf("refused clicks changed the approval: %+v", th.Parent)
	}
}

func outsiderClick(t *testing.T, s *scenario) {
	s.d.Command(t, s.user("alice"), "")
	s.Verify(t, s.linkFor(t, "alice"))
	th := s.onlyThread(t)
	s.d.Click(t, s.user("pwuser"), th, th.Parent.Buttons[0])
	s.Settle(t)
	mustContain(t, "outsider's click", lastInbox(t, s.d, s.user("pwuser")).Text, "Only helpdesk")
	if th := s.onlyThread(t); len(th.Parent.Buttons) != 2 {
		t.Fatalf("an outsider's click changed the approval: %+v", th.Parent)
	}
}

func duplicateDelivery(t *testing.T, s *scenario) {
	s.d.Command(t, s.user("spare1"), "")
	s.d.RedeliverLast(t)
	s.Settle(t)
	links := 0
	for _, m := range s.d.Inbox(t, s.user("spare1")) {
		if m.Link != "" {
			links++
		}
	}
	if links != 1 {
		t.Fatalf("%d links after a redelivered command, want 1", links)
	}
	s.onlyThread(t)
}

func unknownSameReply(t *testing.T, s *scenario) {
	known := s.d.Command(t, s.user("spare2"), "")
	for _, account := range []string{"nobody", "bob", "alice"} {
		if got := s.d.Command(t, s.user(account), ""); got.Text != known.Text {
			t.Errorf("%s's first reply %q differs from a standard user's %q", account, got.Text, known.Text)
		}
	}
}

func helpdeskPush(t *testing.T, s *scenario) {
	s.d.Command(t, s.user("jdoe"), "for "+mentionText(s.d, "spare1"), s.user("spare1"))
	s.linkFor(t, "spare1")
	mustContain(t, "helpdesk answer", lastInbox(t, s.d, s.user("jdoe")).Text, "Sent a verified reset link")
	s.d.Command(t, s.user("jdoe"), "enroll-for "+mentionText(s.d, "spare2"), s.user("spare2"))
	s.claim(t, "spare2")
	mustContain(t, "enrollment link", lastInbox(t, s.d, s.user("spare2")).Text, "Set up your passkey")
	s.d.Command(t, s.user("pwuser"), "for "+mentionText(s.d, "spare1"), s.user("spare1"))
	s.Settle(t)
	mustContain(t, "non-member", lastInbox(t, s.d, s.user("pwuser")).Text, "Only")
}

// mentionText is a neutral mention in command text; drivers rewrite it to
// their platform's syntax when they deliver the command.
func mentionText(d Driver, account string) string { return bot.Mention(d.User(account).ID) }

// SuiteInteractionsPerMinute is the interaction budget the scenarios run
// with: small, so spending it takes few requests.
const SuiteInteractionsPerMinute = 6

// interactionBudget: commands that start no flow and button clicks are
// budgeted per chat identity. Over the budget, the answer is one sentence
// that is the same whoever asks (known, unknown, privileged), so it is no
// oracle; another identity, and the requester's own flow starts, which
// have the engine's limits, are unaffected.
func interactionBudget(t *testing.T, s *scenario) {
	s.d.Command(t, s.user("alice"), "")
	s.Verify(t, s.linkFor(t, "alice"))
	th := s.onlyThread(t)
	spend := func(account string) Seen {
		u := s.user(account)
		for i := 0; i < SuiteInteractionsPerMinute; i++ {
			s.d.Command(t, u, []string{"status", "help", "cancel", "report"}[i%4])
		}
		s.Settle(t)
		s.d.Command(t, u, "status")
		s.Settle(t)
		inbox := s.d.Inbox(t, u)
		slowed := 0
		for _, m := range inbox {
			if strings.Contains(m.Text, "faster than I can answer") {
				slowed++
			}
		}
		if slowed != 1 {
			t.Fatalf("%s: %d answers over the budget after %d commands, want exactly one: %+v", account, slowed, SuiteInteractionsPerMinute+1, inbox)
		}
		return inbox[len(inbox)-1]
	}
	limited := map[string]string{}
	for _, account := range []string{"pwuser", "nobody", "bob"} {
		got := spend(account)
		mustContain(t, account+"'s answer over the budget", got.Text, "faster than I can answer")
		limited[account] = got.Text
	}
	if limited["nobody"] != limited["pwuser"] || limited["bob"] != limited["pwuser"] {
		t.Errorf("the answer over the budget differs by account: %q", limited)
	}
	// A click is on the same budget: pwuser's is spent, so no helpdesk
	// check runs and the answer is the same sentence.
	s.d.Click(t, s.user("pwuser"), th, th.Parent.Buttons[1])
	s.Settle(t)
	mustContain(t, "click over the budget", lastInbox(t, s.d, s.user("pwuser")).Text, "faster than I can answer")
	for i := 0; i < SuiteInteractionsPerMinute+1; i++ {
		s.d.Click(t, s.user("spare1"), th, th.Parent.Buttons[1])
	}
	s.Settle(t)
	got := s.d.Inbox(t, s.user("spare1"))
	refused, slowed := 0, 0
	for _, m := range got {
		switch {
		case strings.Contains(m.Text, "Only helpdesk"):
			refused++
		case strings.Contains(m.Text, "faster than I can answer"):
			slowed++
		}
	}
	if refused != SuiteInteractionsPerMinute || slowed != 1 {
		t.Errorf("clicks: %d refused as outsider, %d over the budget; want %d and 1", refused, slowed, SuiteInteractionsPerMinute)
	}
	if th := s.onlyThread(t); len(th.Parent.Buttons) != 2 {
		t.Fatalf("budgeted clicks changed the approval: %+v", th.Parent)
	}
	// Another identity still has its budget; a flow start is not on it.
	mustContain(t, "fresh identity", s.d.Command(t, s.user("jdoe"), "help").Text, "reset")
	s.d.Command(t, s.user("pwuser"), "")
	s.linkFor(t, "pwuser")
}
