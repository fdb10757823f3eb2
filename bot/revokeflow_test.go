package bot_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/bottest"
	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
)

// revokeRig is a core with a privileged alice holding a passkey and the
// authenticator app, and spare2 a second helpdesk member beside jdoe.
func revokeRig(t *testing.T, opt bottest.Options) (*bottest.Rig, *bottest.Messenger) {
	t.Helper()
	rig, ms := newCore(t, opt)
	rig.SetDetails(t, "alice", bot.FactorDetails{TOTP: true, Passkeys: []bot.PasskeyInfo{
		{Name: "Admin key", AddedAt: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}}})
	if err := rig.Dir.AddMember("helpdesk", "spare2"); err != nil {
		t.Fatal(err)
	}
	return rig, ms
}

// aliceFactors is what alice has left: passkey names and the app.
func aliceFactors(t *testing.T, rig *bottest.Rig) ([]string, bool) {
	t.Helper()
	d, err := rig.Factors.FactorDetails(context.Background(), aliceID(t, rig))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range d.Passkeys {
		names = append(names, p.Name)
	}
	return names, d.TOTP
}

func aliceID(t *testing.T, rig *bottest.Rig) string {
	t.Helper()
	u, err := rig.Dir.Find(context.Background(), directory.Lookup{Kind: directory.ByAccountName, Value: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// requestAliceRevoke has jdoe ask to revoke alice's factors and returns
// the flow awaiting approval.
func requestAliceRevoke(t *testing.T, rig *bottest.Rig, what string) *flows.Flow {
	t.Helper()
	_, resp := command(rig, "U0JDOE", "revoke "+bot.Mention(bottest.Slack("U0ALICE"))+" "+what, "U0ALICE")
	rig.Settle(t)
	got := resp.Messages()
	if len(got) != 1 || !strings.Contains(got[0].Summary, "second helpdesk member's approval") {
		t.Fatalf("requester's answer: %+v", got)
	}
	id, err := rig.Store.LiveID(context.Background(), aliceID(t, rig), flows.KindRevoke)
	if err != nil || id == "" {
		t.Fatalf("no live revoke flow: %q %v", id, err)
	}
	f, err := rig.Engine.Get(context.Background(), id)
	if err != nil || f.State != flows.StateAwaitingApproval || f.Factor != what || !f.Approval.Required {
		t.Fatalf("revoke flow %+v, %v", f, err)
	}
	return f
}

func clickOn(rig *bottest.Rig, who, action, flowID string) []bot.Message {
	resp := &bottest.Responder{}
	rig.Bot.HandleAction(context.Background(), bot.Action{From: user(who), ActionID: action, Value: flowID, Respond: resp})
	rig.Bot.Wait()
	return resp.Messages()
}

// TestPrivilegedRevokeNeedsASecondMember: revoking a privileged account's
// factors waits for a second helpdesk member; the requester, the target
// (even as a helpdesk member) and outsiders cannot decide; a denial keeps
// everything, an approval removes what was asked, tells the user and
// records it in the thread and the audit stream.
func TestPrivilegedRevokeNeedsASecondMember(t *testing.T) {
	rig, ms := revokeRig(t, bottest.Options{})
	if err := rig.Dir.AddMember("helpdesk", "alice"); err != nil {
		t.Fatal(err)
	}
	f := requestAliceRevoke(t, rig, "all")
	threads := ms.Threads()
	if len(threads) != 1 {
		t.Fatalf("%d threads, want the request's", len(threads))
	}
	parent, _ := ms.Parent(threads[0])
	if len(parent.Buttons) != 2 || parent.Buttons[0].Value != f.ID || !strings.Contains(parent.Title, "Sign-in method removal") {
		t.Fatalf("thread parent: %+v", parent)
	}
	for _, c := range []struct{ who, want string }{
		{"U0JDOE", "can't"}, {"U0ALICE", "can't"}, {"U0PWUSER", "Only helpdesk"},
	} {
		if got := clickOn(rig, c.who, bot.ActionApprove, f.ID); len(got) != 1 || !strings.Contains(got[0].Summary, c.want) {
			t.Errorf("%s approving: %+v", c.who, got)
		}
	}
	rig.Settle(t)
	if names, totp := aliceFactors(t, rig); len(names) != 1 || !totp {
		t.Fatalf("refused clicks removed factors: %v %v", names, totp)
	}
	if got := clickOn(rig, "U0SPARE2", bot.ActionDeny, f.ID); len(got) != 1 || !strings.Contains(got[0].Summary, "Nothing was removed") {
		t.Fatalf("denial answer: %+v", got)
	}
	rig.Settle(t)
	if names, totp := aliceFactors(t, rig); len(names) != 1 || !totp {
		t.Fatalf("a denial removed factors: %v %v", names, totp)
	}
	if len(ms.DMs("U0ALICE")) != 0 {
		t.Fatalf("alice was told of a denied revoke: %+v", ms.DMs("U0ALICE"))
	}

	f = requestAliceRevoke(t, rig, "admin key")
	if got := clickOn(rig, "U0SPARE2", bot.ActionApprove, f.ID); len(got) != 1 || !strings.Contains(got[0].Summary, "being removed") {
		t.Fatalf("approval answer: %+v", got)
	}
	rig.Settle(t)
	if names, totp := aliceFactors(t, rig); len(names) != 0 || !totp {
		t.Fatalf("after the approval alice has %v, app %v; want no passkey and the app kept", names, totp)
	}
	if got, _ := rig.Engine.Get(context.Background(), f.ID); got.State != flows.StateCompleted {
		t.Fatalf("revoke flow ended in %q", got.State)
	}
	dm := ms.DMs("U0ALICE")
	if len(dm) != 1 || !strings.Contains(bot.ShowMentions(dm[0].Body[0]), "helpdesk (<@slack:U0JDOE>) removed *Admin key*") {
		t.Fatalf("alice's notice: %+v", dm)
	}
	threads = ms.Threads()
	replies := bot.ShowMentions(strings.Join(ms.Replies(threads[len(threads)-1]), "\n"))
	for _, want := range []string{"Approved by <@slack:U0SPARE2>", "Removed from alice", "Admin key"} {
		if !strings.Contains(replies, want) {
			t.Errorf("thread lacks %q:\n%s", want, replies)
		}
	}
	// A late click changes nothing and removes nothing more.
	if got := clickOn(rig, "U0SPARE2", bot.ActionApprove, f.ID); len(got) != 1 || !strings.Contains(got[0].Summary, "Already resolved") {
		t.Errorf("late click: %+v", got)
	}
}

// TestPrivilegedRevokeConfirmedWithApproversPasskey: when policy wants the
// approver's passkey, a revoke's approval counts (and the factors go) only
// once the approver confirmed in the web app.
func TestPrivilegedRevokeConfirmedWithApproversPasskey(t *testing.T) {
	rig, ms := revokeRig(t, bottest.Options{ApproverPasskey: true})
	f := requestAliceRevoke(t, rig, "all")
	if got := clickOn(rig, "U0SPARE2", bot.ActionApprove, f.ID); len(got) != 1 || !strings.Contains(got[0].Summary, "Confirm with your passkey") {
		t.Fatalf("clicker's answer: %+v", got)
	}
	rig.Settle(t)
	if names, totp := aliceFactors(t, rig); len(names) != 1 || !totp {
		t.Fatalf("the click alone removed factors: %v %v", names, totp)
	}
	cf, cb := rig.Verify(t, bottest.TokenFrom(t, ms.DMs("U0SPARE2")[0]))
	if _, err := rig.Engine.Complete(context.Background(), cf.ID, cb, flows.Completion{}); err != nil {
		t.Fatalf("confirming: %v", err)
	}
	rig.Settle(t)
	if names, totp := aliceFactors(t, rig); len(names) != 0 || totp {
		t.Fatalf("after the confirmed approval alice has %v, app %v", names, totp)
	}
	if len(ms.DMs("U0ALICE")) != 1 {
		t.Fatalf("alice's notices: %+v", ms.DMs("U0ALICE"))
	}
}

// TestPrivilegedRevokeInterruptedAfterRemoval: the process dies after the
// factors were removed and before the removal was recorded; the job's
// retry finds nothing left to remove and still records (and tells the
// user) what was removed, never "nothing matched".
func TestPrivilegedRevokeInterruptedAfterRemoval(t *testing.T) {
	rig, ms := revokeRig(t, bottest.Options{})
	f := requestAliceRevoke(t, rig, "ADMIN KEY")
	rig.Factors.CrashAfterNextRevoke()
	if got := clickOn(rig, "U0SPARE2", bot.ActionApprove, f.ID); len(got) != 1 || !strings.Contains(got[0].Summary, "being removed") {
		t.Fatalf("approval answer: %+v", got)
	}
	crashed := false
	for i := 0; i < 5 && !crashed; i++ {
		rig.Bot.Wait()
		_, err := rig.Reader.Pump(context.Background())
		crashed = errors.Is(err, bottest.ErrCrashedAfterRevoke)
	}
	if !crashed {
		t.Fatal("the removal never ran")
	}
	if names, _ := aliceFactors(t, rig); len(names) != 0 {
		t.Fatalf("alice still has %v after the interrupted removal", names)
	}
	if got, _ := rig.Engine.Get(context.Background(), f.ID); got.State != flows.StateApplying || len(got.Revoking) != 1 || got.Revoking[0] != "Admin key" {
		t.Fatalf("interrupted flow %q noting %v; want removing, Admin key noted", got.State, got.Revoking)
	}
	rig.Settle(t) // the retry
	if got, _ := rig.Engine.Get(context.Background(), f.ID); got.State != flows.StateCompleted {
		t.Fatalf("revoke flow ended in %q", got.State)
	}
	threads := ms.Threads()
	replies := bot.ShowMentions(strings.Join(ms.Replies(threads[len(threads)-1]), "\n"))
	for _, want := range []string{"Removing Admin key", "Removed from alice", "Admin key (removed before an interruption)"} {
		if !strings.Contains(replies, want) {
			t.Errorf("thread lacks %q:\n%s", want, replies)
		}
	}
	if strings.Contains(replies, "nothing matched") {
		t.Errorf("thread says nothing matched:\n%s", replies)
	}
	dm := ms.DMs("U0ALICE")
	if len(dm) != 1 || !strings.Contains(dm[0].Body[0], "*Admin key*") {
		t.Fatalf("alice's notice: %+v", dm)
	}
}

// TestRevokeApproverIsToldItIsARemoval: the approver's confirmation link
// names the removal of the passkey, as the helpdesk typed it, and never
// a password reset.
func TestRevokeApproverIsToldItIsARemoval(t *testing.T) {
	rig, ms := revokeRig(t, bottest.Options{ApproverPasskey: true})
	for _, c := range []struct{ what, want string }{
		{"Admin Key", "You approved removing *Admin Key* from the sign-in methods of *alice*"},
		{"all", "You approved removing *every passkey and the authenticator app* from the sign-in methods of *alice*"},
	} {
		f := requestAliceRevoke(t, rig, c.what)
		parent, _ := ms.Parent(ms.Threads()[len(ms.Threads())-1])
		if status := parent.Fields[len(parent.Fields)-1].Value; !strings.Contains(status, "*"+c.what+"*") {
			t.Errorf("thread status %q does not name %q as typed", status, c.what)
		}
		before := len(ms.DMs("U0SPARE2"))
		clickOn(rig, "U0SPARE2", bot.ActionApprove, f.ID)
		dms := ms.DMs("U0SPARE2")
		if len(dms) != before+1 {
			t.Fatalf("approver's DMs: %+v", dms)
		}
		dm := dms[len(dms)-1]
		text := strings.ToLower(dm.Summary + " " + strings.Join(dm.Body, " "))
		if !strings.Contains(dm.Body[0], c.want) || strings.Contains(text, "password") || strings.Contains(text, "reset") {
			t.Errorf("approver's DM for %q: %+v", c.what, dm)
		}
	}
}
