package teams

import (
	"path/filepath"
	"testing"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/bottest"
	"github.com/resetbot/resetbot/flows"
)

const (
	aliceID = "0b9d1c2e-3f4a-4b5c-8d6e-7f8091a2b3c4"
	bobID   = "1c2d3e4f-5a6b-4c7d-8e9f-a0b1c2d3e4f5"
)

func teamsMention(id string) string {
	return bot.Mention(flows.ChatIdentity{Platform: Platform, UserID: id})
}

// goldenMessages is a representative set of what the core sends.
var goldenMessages = []struct {
	name string
	msg  bot.Message
}{
	{"link_dm", bot.Message{
		Summary: "Reset your password: your private link (expires 10:42)",
		Title:   "Reset your password",
		Body:    []string{"Open this link *on your phone* to reset your password. You'll confirm it's you with your passkey."},
		Link:    &bot.Link{URL: "https://reset.example.com/r/abc123", Label: "Reset my password"},
		Note:    "The link works once and expires at 10:42 (10 minutes).",
	}},
	{"helpdesk_parent_approval", bot.Message{
		Summary: "Password reset for Alice Admin (alice): waiting for helpdesk approval",
		Title:   "Password reset · Alice Admin (alice)",
		Fields: []bot.Field{
			{Label: "User", Value: teamsMention(aliceID)},
			{Label: "Account", Value: "*privileged*: passkey and approval required"},
			{Label: "Requested by", Value: teamsMention(aliceID)},
			{Label: "Status", Value: "Verified with passkey, waiting for helpdesk approval"},
		},
		Buttons: []bot.Button{
			{ActionID: bot.ActionApprove, Value: "flow-1", Label: "Approve", Style: bot.StylePrimary},
			{ActionID: bot.ActionDeny, Value: "flow-1", Label: "Deny", Style: bot.StyleDanger},
		},
		Note: "Flow flow-1 · started 10:32",
		Tone: bot.ToneWarning,
	}},
	{"helpdesk_parent_approved", bot.Message{
		Summary: "Password reset for Alice Admin (alice): Verified, choosing a new password",
		Title:   "Password reset · Alice Admin (alice)",
		Body:    []string{"Approved by " + teamsMention(bobID) + " at 10:41"},
		Fields: []bot.Field{
			{Label: "User", Value: teamsMention(aliceID)},
			{Label: "Account", Value: "*privileged*: passkey and approval required"},
			{Label: "Status", Value: "Verified, choosing a new password"},
		},
		Note: "Flow flow-1 · started 10:32",
	}},
	{"thread_reply", bot.Message{
		Summary: "10:40 · Link used on iPhone",
		Body:    []string{"10:40 · Link used on iPhone"},
		Tone:    bot.ToneGood,
	}},
	{"hostile_user_text", bot.Message{
		Summary: "Reset for [click](https://evil.example) <at>Bob</at>",
		Title:   "Reset: **not bold** _x_",
		Body: []string{
			"Name: <at>" + "Bob</at> [link](https://evil.example) # heading \\ end",
			"Forged: <@slack:U1> <@teams:not-a-guid> \x00 *really bold*",
		},
		Fields: []bot.Field{{Label: "Name [x](y)", Value: "a*b"}},
	}},
}

func TestRenderGolden(t *testing.T) {
	names := map[string]string{aliceID: "Alice Admin", bobID: "Bob <b>Helpdesk</b>"}
	for _, g := range goldenMessages {
		t.Run(g.name, func(t *testing.T) {
			act := renderActivity(g.msg, func(id string) string { return names[id] })
			bottest.GoldenJSON(t, filepath.Join("testdata", g.name+".golden.json"), act)
		})
	}
}

func TestBold(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"pair", "a *b* c", "a **b** c"},
		{"lone star", "a * b", `a \* b`},
		{"spaced stars", "a * b * c", `a \* b \* c`},
		{"empty pair", "a ** b", `a \*\* b`},
		{"two pairs", "*a* and *b*", "**a** and **b**"},
		{"markup inside bold escaped", "*[x](y)*", `**\[x\]\(y\)**`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := bold(tc.in); got != tc.want {
				t.Errorf("bold(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
