package bot_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/bottest"
	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/memory"
	"github.com/resetbot/resetbot/flows"
)

func user(id string) bot.User { return bot.User{ID: bottest.Slack(id)} }

func newCore(t *testing.T, opt bottest.Options) (*bottest.Rig, *bottest.Messenger) {
	t.Helper()
	rig := bottest.NewRig(t, opt)
	ms := bottest.NewMessenger()
	rig.Bot.AddPlatform("slack", ms)
	return rig, ms
}

func command(rig *bottest.Rig, from, text string, mentions ...string) (bot.Message, *bottest.Responder) {
	resp := &bottest.Responder{}
	var ms []bot.User
	for _, m := range mentions {
		ms = append(ms, user(m))
	}
	first := rig.Bot.HandleCommand(context.Background(), bot.Request{From: user(from), Text: text, Mentions: ms, Respond: resp})
	return first, resp
}

func TestResetEndToEndThread(t *testing.T) {
	rig, ms := newCore(t, bottest.Options{})
	command(rig, "U0PWUSER", "")
	rig.Settle(t)
	dms := ms.DMs("U0PWUSER")
	if len(dms) != 1 {
		t.Fatalf("%d DMs, want the link", len(dms))
	}
	if !strings.Contains(dms[0].Note, "works once") {
		t.Errorf("link message does not say it works once: %q", dms[0].Note)
	}
	f, binding := rig.Verify(t, bottest.TokenFrom(t, dms[0]))
	rig.Complete(t, f, binding, "Correct-Horse-Battery-9")
	rig.Settle(t)

	threads := ms.Threads()
	if len(threads) != 1 {
		t.Fatalf("%d helpdesk threads, want one per flow", len(threads))
	}
	want := []string{"Requested by", "Link sent", "Link used from iPhone, 203.0.113.7", "Verified with passkey",
		"Writing to the directory", "New password written", "Completed"}
	replies := ms.Replies(threads[0])
	if len(replies) != len(want) {
		t.Fatalf("thread replies:\n%s\nwant %d steps", strings.Join(replies, "\n"), len(want))
	}
	for i, w := range want {
		if !strings.Contains(replies[i], w) {
			t.Errorf("reply %d = %q, want it to mention %q", i, replies[i], w)
		}
	}
	parent, _ := ms.Parent(threads[0])
	if !strings.Contains(parent.Summary, "Completed") {
		t.Errorf("parent not updated to completed: %q", parent.Summary)
	}
	dms = ms.DMs("U0PWUSER")
	if last := dms[len(dms)-1]; !strings.Contains(last.Summary, "Your password was changed") || !strings.Contains(last.Summary, "iPhone") {
		t.Errorf("no change notification with the device: %+v", last)
	}
	for _, p := range ms.Posts() {
		if strings.Contains(p.Message.Summary+strings.Join(p.Message.Body, ""), "Correct-Horse") {
			t.Fatalf("the password reached a chat message: %+v", p)
		}
	}
	u, _ := rig.Dir.Find(context.Background(), directory.Lookup{Kind: directory.ByAccountName, Value: "pwuser"})
	if err := rig.Dir.VerifyPassword(context.Background(), u, "Correct-Horse-Battery-9"); err != nil {
		t.Fatalf("new password not in the directory: %v", err)
	}
}

func TestRefusalsLookTheSame(t *testing.T) {
	rig, ms := newCore(t, bottest.Options{})
	standard, _ := command(rig, "U0JDOE", "")
	responses := map[string]*bottest.Responder{}
	for name, id := range map[string]string{"unknown": "U0NOBODY", "disabled": "U0BOB", "break-glass": "U0SPARE3", "privileged": "U0ALICE"} {
		first, resp := command(rig, id, "")
		if !reflect.DeepEqual(first, standard) {
			t.Errorf("%s: first reply %+v differs from a standard user's %+v", name, first, standard)
		}
		responses[id] = resp
	}
	rig.Settle(t)
	for _, id := range []string{"U0NOBODY", "U0BOB", "U0SPARE3"} {
		got := responses[id].Messages()
		if len(got) != 1 || got[0].Link != nil || !strings.Contains(got[0].Summary, "isn't available") || len(ms.DMs(id)) != 0 {
			t.Errorf("%s: answers %+v, want one private 'not available' answer without a link", id, got)
		}
	}
	if len(ms.DMs("U0ALICE")) != 1 {
		t.Errorf("the privileged user got no link")
	}
	var reasons []string
	for _, p := range ms.Posts() {
		if p.Kind == "parent" && p.Message.Title == "Request refused" {
			reasons = append(reasons, p.Message.Summary)
		}
	}
	joined := strings.Join(reasons, "\n")
	for _, want := range []string{"no directory account", "disabled", "break-glass"} {
		if !strings.Contains(joined, want) {
			t.Errorf("helpdesk did not see the reason %q:\n%s", want, joined)
		}
	}
}

func TestPrivilegedApproval(t *testing.T) {
	rig, ms := newCore(t, bottest.Options{})
	command(rig, "U0ALICE", "")
	rig.Settle(t)
	f, binding := rig.Verify(t, bottest.TokenFrom(t, ms.DMs("U0ALICE")[0]))
	if f.State != flows.StateAwaitingApproval {
		t.Fatalf("state %q", f.State)
	}
	rig.Settle(t)
	thread := ms.Threads()[0]
	parent, _ := ms.Parent(thread)
	if len(parent.Buttons) != 2 || parent.Buttons[0].ActionID != bot.ActionApprove || parent.Buttons[0].Value != f.ID {
		t.Fatalf("parent lacks Approve/Deny for the flow: %+v", parent.Buttons)
	}
	click := func(who string, action string) []bot.Message {
		resp := &bottest.Responder{}
		rig.Bot.HandleAction(context.Background(), bot.Action{From: user(who), ActionID: action, Value: f.ID, Respond: resp})
		rig.Bot.Wait()
		return resp.Messages()
	}
	if got := click("U0ALICE", bot.ActionApprove); len(got) != 1 || !strings.Contains(got[0].Summary, "Only helpdesk") {
		t.Errorf("self-approval by a non-member: %+v", got)
	}
	if got := click("U0PWUSER", bot.ActionApprove); len(got) != 1 || !strings.Contains(got[0].Summary, "Only helpdesk") {
		t.Errorf("outsider click: %+v", got)
	}
	if got := click("U0JDOE", bot.ActionApprove); len(got) != 1 || !strings.Contains(got[0].Summary, "Approved") {
		t.Fatalf("helpdesk approval: %+v", got)
	}
	if got := click("U0JDOE", bot.ActionDeny); len(got) != 1 || !strings.Contains(got[0].Summary, "Already resolved") {
		t.Errorf("second click: %+v", got)
	}
	rig.Settle(t)
	parent, _ = ms.Parent(thread)
	if len(parent.Buttons) != 0 || len(parent.Body) == 0 || !strings.Contains(bot.ShowMentions(parent.Body[0]), "Approved by <@slack:U0JDOE>") {
		t.Fatalf("parent after approval: %+v", parent)
	}
	rig.Complete(t, f, binding, "Correct-Horse-Battery-9")
}

// A helpdesk member approving a reset they pushed for someone else is
// refused by directory account, even though the chat ids differ.
func TestHelpdeskCannotApproveOwnPush(t *testing.T) {
	rig, ms := newCore(t, bottest.Options{})
	_, resp := command(rig, "U0JDOE", "for <@U0ALICE>", "U0ALICE")
	rig.Settle(t)
	if got := resp.Messages(); len(got) != 1 || !strings.Contains(got[0].Summary, "Sent a verified reset link") {
		t.Fatalf("push answer: %+v", got)
	}
	dm := ms.DMs("U0ALICE")
	if len(dm) != 1 || !strings.Contains(bot.ShowMentions(strings.Join(dm[0].Body, " ")), "helpdesk (<@slack:U0JDOE>) sent you") {
		t.Fatalf("pushed link DM: %+v", dm)
	}
	f, _ := rig.Verify(t, bottest.TokenFrom(t, dm[0]))
	r := &bottest.Responder{}
	rig.Bot.HandleAction(context.Background(), bot.Action{From: user("U0JDOE"), ActionID: bot.ActionApprove, Value: f.ID, Respond: r})
	rig.Bot.Wait()
	if got := r.Messages(); len(got) != 1 || !strings.Contains(got[0].Summary, "can't approve") {
		t.Fatalf("requester approving own push: %+v", got)
	}
}

func TestHelpdeskOnlyCommands(t *testing.T) {
	rig, ms := newCore(t, bottest.Options{})
	for _, text := range []string{"for <@U0SPARE1>", "enroll-for <@U0SPARE1>", "report"} {
		var mentions []string
		if strings.Contains(text, "@") {
			mentions = []string{"U0SPARE1"}
		}
		_, resp := command(rig, "U0PWUSER", text, mentions...)
		rig.Bot.Wait()
		if got := resp.Messages(); len(got) != 1 || !strings.Contains(got[0].Summary, "Only the helpdesk") {
			t.Errorf("%q by a non-member: %+v", text, got)
		}
	}
	if n := len(ms.DMs("U0SPARE1")); n != 0 {
		t.Fatalf("a non-member's push sent %d messages", n)
	}
	_, resp := command(rig, "U0JDOE", "enroll-for <@U0SPARE1>", "U0SPARE1")
	rig.Settle(t)
	dm := ms.DMs("U0SPARE1")
	if len(resp.Messages()) != 1 || len(dm) != 1 || dm[0].Title != "Set up your passkey" {
		t.Fatalf("enroll-for: answer %+v, DMs %+v", resp.Messages(), dm)
	}
}

func TestReport(t *testing.T) {
	rig, ms := newCore(t, bottest.Options{})
	command(rig, "U0PWUSER", "")
	rig.Settle(t)
	f, binding := rig.Verify(t, bottest.TokenFrom(t, ms.DMs("U0PWUSER")[0]))
	rig.Complete(t, f, binding, "Correct-Horse-Battery-9")
	rig.Settle(t)
	_, resp := command(rig, "U0JDOE", "report")
	rig.Bot.Wait()
	got := resp.Messages()
	if len(got) != 1 {
		t.Fatalf("report answers: %+v", got)
	}
	fields := map[string]string{}
	for _, f := range got[0].Fields {
		fields[f.Label] = f.Value
	}
	for label, want := range map[string]string{
		"Resets":                   "1 requested: 1 completed",
		"Verified with":            "100% passkey",
		"Median time to finish":    "under 15s",
		"Helpdesk tickets avoided": "1 ticket ≈ USD 70",
	} {
		if !strings.Contains(fields[label], want) {
			t.Errorf("%s = %q, want %q", label, fields[label], want)
		}
	}
}

func TestSpikeAndFailureAlerts(t *testing.T) {
	rig, ms := newCore(t, bottest.Options{Alerts: bot.AlertConfig{SpikeRequests: 3, FailedVerifications: 2}})
	for _, id := range []string{"U0JDOE", "U0PWUSER", "U0SPARE1", "U0SPARE2"} {
		command(rig, id, "")
	}
	rig.Settle(t)
	tok := bottest.TokenFrom(t, ms.DMs("U0SPARE1")[0])
	f, binding, err := rig.Engine.Redeem(context.Background(), tok, flows.Client{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		_, _ = rig.Engine.RecordVerification(context.Background(), f.ID, binding, flows.Verification{Method: flows.MethodTOTP, Reason: "wrong code"})
	}
	rig.Settle(t)
	var alerts []string
	for _, p := range ms.Posts() {
		if p.Kind == "parent" && strings.HasPrefix(p.Message.Summary, "Alert:") {
			alerts = append(alerts, p.Message.Summary)
		}
	}
	if len(alerts) != 2 || !strings.Contains(alerts[0], "3 reset requests") || !strings.Contains(alerts[1], "2 failed verifications for spare1") {
		t.Fatalf("alerts = %q", alerts)
	}
}

// blockingDir blocks every Find until released: the first reply must not
// wait for the directory.
type blockingDir struct {
	directory.Directory
	release chan struct{}
	entered chan struct{} // optional: told when a Find starts waiting
}

func (d blockingDir) Find(ctx context.Context, l directory.Lookup) (*directory.User, error) {
	if d.entered != nil {
		d.entered <- struct{}{}
	}
	select {
	case <-d.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return d.Directory.Find(ctx, l)
}

func TestFirstReplyDoesNotWaitForDirectory(t *testing.T) {
	release := make(chan struct{})
	rig, ms := newCore(t, bottest.Options{Directory: func(m *memory.Directory) directory.Directory {
		return blockingDir{Directory: m, release: release}
	}})
	first, _ := command(rig, "U0JDOE", "")
	if !strings.Contains(first.Summary, "Got it") {
		t.Fatalf("first reply = %+v", first)
	}
	if n := len(ms.DMs("U0JDOE")); n != 0 {
		t.Fatalf("link sent before the directory answered")
	}
	close(release)
	rig.Settle(t)
	if n := len(ms.DMs("U0JDOE")); n != 1 {
		t.Fatalf("%d DMs after the directory answered", n)
	}
}

func TestChatOutageDelaysThreadNeverLosesIt(t *testing.T) {
	rig, ms := newCore(t, bottest.Options{})
	command(rig, "U0JDOE", "")
	rig.Bot.Wait()
	ms.Fail = errors.New("chat API down")
	if _, err := rig.Reader.Pump(context.Background()); err == nil {
		t.Fatal("delivery succeeded during the outage")
	}
	ms.Fail = nil
	rig.Settle(t)
	threads := ms.Threads()
	if len(threads) != 1 || len(ms.Replies(threads[0])) != 2 {
		t.Fatalf("after the outage: threads %v, replies %v", threads, ms.Replies(threads[0]))
	}
}

func TestParseCommand(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		mentions   int
		want       bot.Verb
		err        bool
	}{
		{"empty is reset", "", 0, bot.VerbReset, false},
		{"unlock", "unlock", 0, bot.VerbUnlock, false},
		{"case and spaces", "  ENROLL ", 0, bot.VerbEnroll, false},
		{"status", "status", 0, bot.VerbStatus, false},
		{"for with mention", "for <@U1>", 1, bot.VerbFor, false},
		{"enroll-for", "enroll-for <@U1>", 1, bot.VerbEnrollFor, false},
		{"who with mention", "who <@U1>", 1, bot.VerbWho, false},
		{"who without mention", "who", 0, "", true},
		{"revoke a passkey", "revoke <@U1> iphone 15", 1, bot.VerbRevoke, false},
		{"revoke without a name", "revoke <@U1>", 1, "", true},
		{"revoke without mention", "revoke iphone", 0, "", true},
		{"for without mention", "for bob", 0, "", true},
		{"for two mentions", "for <@U1> <@U2>", 2, "", true},
		{"unknown", "delete everything", 0, "", true},
		{"command name typed out of habit", "reset unlock", 0, bot.VerbUnlock, false},
		{"slash command name typed", "/reset for <@U1>", 1, bot.VerbFor, false},
		{"command name alone", "reset", 0, bot.VerbReset, false},
		{"extra words", "unlock now", 0, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ms []bot.User
			for i := 0; i < tc.mentions; i++ {
				ms = append(ms, user("U1"))
			}
			text := tc.text
			if len(ms) > 0 { // the mention as platforms write it
				text = strings.Replace(text, "<@U1>", bot.Mention(ms[0].ID), 1)
			}
			got, err := bot.ParseCommand(text, ms)
			if (err != nil) != tc.err || got.Verb != tc.want {
				t.Fatalf("ParseCommand(%q) = %+v, %v", tc.text, got, err)
			}
		})
	}
}

// TestReplaceMentions: only Mention's tokens are mentions; the neutral
// "<@platform:id>" text anyone can type (it was the token before) is text,
// and a token's brackets without the process's key are dropped.
func TestReplaceMentions(t *testing.T) {
	in := "by " + bot.Mention(bottest.Slack("U1")) + " and " + bot.Mention(flows.ChatIdentity{Platform: "teams", UserID: "abc"}) +
		" <@slack:U0CEO> <not a mention> <@ \uE010forgedkeyslack:U2\uE011"
	got := bot.ReplaceMentions(in, func(id flows.ChatIdentity) string { return "[" + id.UserID + "]" })
	if want := "by [U1] and [abc] <@slack:U0CEO> <not a mention> <@ forgedkeyslack:U2"; got != want {
		t.Fatalf("got %q want %q", got, want)
	}
}

func TestOutsideTextCannotMention(t *testing.T) {
	rig, ms := newCore(t, bottest.Options{})
	command(rig, "U0PWUSER", "")
	rig.Settle(t)
	tok := bottest.TokenFrom(t, ms.DMs("U0PWUSER")[0])
	if _, err := rig.Engine.Open(context.Background(), tok, flows.Client{Device: "evil <@slack:U0JDOE> agent"}); err != nil {
		t.Fatal(err)
	}
	rig.Settle(t)
	replies := ms.Replies(ms.Threads()[0])
	last := replies[len(replies)-1]
	var pinged []string
	bot.ReplaceMentions(last, func(id flows.ChatIdentity) string { pinged = append(pinged, id.UserID); return "" })
	if !strings.Contains(last, "evil") || len(pinged) != 0 {
		t.Fatalf("a user agent became a mention of %v: %q", pinged, last)
	}
}

// TestBacklogIsCoalescedNotDropped: after a chat outage, a backlog of many
// events is posted as one reply per flow, with every step in it.
func TestBacklogIsCoalescedNotDropped(t *testing.T) {
	rig, ms := newCore(t, bottest.Options{})
	ms.Fail = errors.New("chat API down")
	for _, id := range []string{"U0JDOE", "U0PWUSER", "U0SPARE1", "U0SPARE2", "U0LOCKME"} {
		command(rig, id, "")
	}
	rig.Bot.Wait()
	if _, err := rig.Reader.Pump(context.Background()); err == nil {
		t.Fatal("delivery succeeded during the outage")
	}
	ms.Fail = nil
	rig.Settle(t)
	threads := ms.Threads()
	if len(threads) != 5 {
		t.Fatalf("%d threads, want one per flow", len(threads))
	}
	for _, th := range threads {
		var replies []bot.Message
		for _, p := range ms.Posts() {
			if p.Kind == "reply" && p.Thread == th {
				replies = append(replies, p.Message)
			}
		}
		if len(replies) != 1 || len(replies[0].Body) != 2 || !strings.Contains(replies[0].Body[0], "Requested") || !strings.Contains(replies[0].Body[1], "Link sent") {
			t.Errorf("thread %s replies %+v, want one reply with both steps", th, replies)
		}
	}
}

// TestApprovalConfirmedWithApproversPasskey: with approver_passkey on, a
// click only sends the approver a link; the approval counts once they
// verify with their own passkey, and the thread shows it.
func TestApprovalConfirmedWithApproversPasskey(t *testing.T) {
	rig, ms := newCore(t, bottest.Options{ApproverPasskey: true})
	command(rig, "U0ALICE", "")
	rig.Settle(t)
	f, binding := rig.Verify(t, bottest.TokenFrom(t, ms.DMs("U0ALICE")[0]))
	resp := &bottest.Responder{}
	rig.Bot.HandleAction(context.Background(), bot.Action{From: user("U0JDOE"), ActionID: bot.ActionApprove, Value: f.ID, Respond: resp})
	rig.Settle(t)
	if got := resp.Messages(); len(got) != 1 || !strings.Contains(got[0].Summary, "Confirm with your passkey") {
		t.Fatalf("clicker's answer: %+v", got)
	}
	if got, _ := rig.Engine.Get(context.Background(), f.ID); got.State != flows.StateAwaitingApproval {
		t.Fatalf("the click alone decided the flow: %q", got.State)
	}
	dm := ms.DMs("U0JDOE")
	if len(dm) != 1 || dm[0].Title != "Confirm your approval" || !strings.Contains(strings.Join(dm[0].Body, " "), "alice") {
		t.Fatalf("approver's DM: %+v", dm)
	}
	cf, cb := rig.Verify(t, bottest.TokenFrom(t, dm[0])) // the approver's own passkey
	if cf.Kind != flows.KindApprove || cf.State != flows.StateVerified {
		t.Fatalf("confirmation flow %s in %q", cf.Kind, cf.State)
	}
	if got, _ := rig.Engine.Get(context.Background(), f.ID); got.State != flows.StateAwaitingApproval {
		t.Fatalf("approval counted before the confirmation completed: %q", got.State)
	}
	if _, err := rig.Engine.Complete(context.Background(), cf.ID, cb, flows.Completion{}); err != nil {
		t.Fatalf("confirming: %v", err)
	}
	rig.Settle(t)
	if got, _ := rig.Engine.Get(context.Background(), f.ID); got.State != flows.StateVerified || got.Approval.By != bottest.Slack("U0JDOE") {
		t.Fatalf("target after confirmation: %q by %v", got.State, got.Approval.By)
	}
	threads := ms.Threads()
	if len(threads) != 1 {
		t.Fatalf("%d threads: the confirmation must post in the target's thread", len(threads))
	}
	replies := bot.ShowMentions(strings.Join(ms.Replies(threads[0]), "\n"))
	for _, want := range []string{"Approval confirmation by <@slack:U0JDOE>", "Verified with passkey", "Approved by <@slack:U0JDOE>"} {
		if !strings.Contains(replies, want) {
			t.Errorf("thread lacks %q:\n%s", want, replies)
		}
	}
	rig.Complete(t, f, binding, "Correct-Horse-Battery-9")
}

// TestOverloadAnswersBusy: work beyond the queue bound is refused at once
// with "busy", never accepted with a promise the bot cannot keep.
func TestOverloadAnswersBusy(t *testing.T) {
	release, entered := make(chan struct{}), make(chan struct{}, 8)
	rig, _ := newCore(t, bottest.Options{Workers: 1, MaxQueued: 2, Directory: func(m *memory.Directory) directory.Directory {
		return blockingDir{Directory: m, release: release, entered: entered}
	}})
	first, _ := command(rig, "U0JDOE", "")
	<-entered // the only worker is now busy in the directory
	second, _ := command(rig, "U0PWUSER", "")
	third, _ := command(rig, "U0SPARE1", "")
	fourth, _ := command(rig, "U0SPARE2", "")
	for i, m := range []bot.Message{first, second, third} {
		if !strings.Contains(m.Summary, "Got it") {
			t.Errorf("request %d: %q, want it accepted", i+1, m.Summary)
		}
	}
	if !strings.Contains(fourth.Summary, "busy") {
		t.Fatalf("request beyond the queue: %q, want busy", fourth.Summary)
	}
	close(release)
	rig.Settle(t)
}
