package discord

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/bottest"
	"github.com/resetbot/resetbot/flows"
)

func discordUser(id string) string { return bot.Mention(identity(id)) }

// goldens are representative messages of the core in the wire form each
// takes: the body Discord receives.
var goldens = []struct {
	name string
	msg  bot.Message
	wire func(rendered) any
}{
	{"ephemeral_link_reply", bot.Message{
		Summary: "Reset your password: your private link (expires 10:42)",
		Title:   "Reset your password",
		Body:    []string{"Open this link *on your phone* to reset your password. You'll confirm it's you with your passkey."},
		Link:    &bot.Link{URL: "https://reset.example.test/r/abc123", Label: "Reset my password"},
		Note:    "The link works once and expires at 10:42 (10 minutes).",
	}, func(r rendered) any { return r.asResponse() }},
	{"helpdesk_parent_approval", bot.Message{
		Summary: "Password reset for Alice Admin (alice): awaiting approval",
		Title:   "Password reset · Alice Admin (alice)",
		Fields: []bot.Field{
			{Label: "User", Value: discordUser("1200000000000000001")},
			{Label: "Account", Value: "*privileged*: passkey and approval required"},
			{Label: "Requested by", Value: discordUser("1200000000000000001")},
			{Label: "Status", Value: "awaiting approval"},
		},
		Buttons: []bot.Button{
			{ActionID: bot.ActionApprove, Value: "0a-AAAAAAAAAAAAAAAAAAAAAA", Label: "Approve", Style: bot.StylePrimary},
			{ActionID: bot.ActionDeny, Value: "0a-AAAAAAAAAAAAAAAAAAAAAA", Label: "Deny", Style: bot.StyleDanger},
		},
		Note: "Flow 0a-AAAAAAAAAAAAAAAAAAAAAA · started 10:32",
		Tone: bot.ToneWarning,
	}, func(r rendered) any { return r.asSend() }},
	{"helpdesk_parent_approved", bot.Message{
		Summary: "Password reset for Alice Admin (alice): approved",
		Title:   "Password reset · Alice Admin (alice)",
		Body:    []string{"Approved by " + discordUser("1200000000000000002") + " at 10:35"},
		Fields: []bot.Field{
			{Label: "User", Value: discordUser("1200000000000000001")},
			{Label: "Status", Value: "approved"},
		},
		Note: "Flow 0a-AAAAAAAAAAAAAAAAAAAAAA · started 10:32",
		Tone: bot.ToneGood,
	}, func(r rendered) any { return r.asEdit("1100000000000000010", "1100000000000000011") }},
	{"thread_reply", bot.Message{
		Summary: "10:33 · Verified with passkey (iPhone)",
		Title:   "Verified with passkey",
		Body:    []string{"10:33 · from 203.0.113.7 on iPhone"},
		Note:    "Flow 0a-AAAAAAAAAAAAAAAAAAAAAA",
		Tone:    bot.ToneGood,
	}, func(r rendered) any { return r.asSend() }},
	{"ephemeral_followup", bot.Message{
		Summary: "Approved. The user can now finish on their phone.",
		Body:    []string{"Approved. The user can now finish on their phone."},
		Tone:    bot.ToneGood,
	}, func(r rendered) any { return r.asFollowup() }},
	{"hostile_user_text", bot.Message{
		Summary: "Password reset for @everyone [click](https://evil.example) (x)",
		Title:   "Password reset · **Mallory** `_~|",
		Body:    []string{"# Heading\n> quote @here <@&123> <#456> [free](https://evil.example) <@discord:999> \uE0000\uE001"},
		Fields:  []bot.Field{{Label: "Department", Value: "- list ||spoiler|| <@slack:U1>"}, {Label: "", Value: ""}},
		Note:    "*not bold in a footer* <@discord:1>",
	}, func(r rendered) any { return r.asSend() }},
}

func TestRenderGolden(t *testing.T) {
	for _, g := range goldens {
		t.Run(g.name, func(t *testing.T) {
			r, err := render(g.msg)
			if err != nil {
				t.Fatal(err)
			}
			got := bottest.GoldenJSON(t, filepath.Join("testdata", g.name+".golden.json"), g.wire(r))
			for _, bad := range []string{"@everyone", "@here"} {
				if bytes.Contains(got, []byte(bad)) && !bytes.Contains(got, []byte(`"parse": []`)) {
					t.Errorf("%s can ping %s", g.name, bad)
				}
			}
		})
	}
}

func TestMarkdown(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"bold", "Open it *on your phone* now", "Open it **on your phone** now"},
		{"lone asterisk", "5 * 3", `5 \* 3`},
		{"code span kept", "`/reset unlock` unlocks", "`/reset unlock` unlocks"},
		{"masked link defused", "[x](https://e.example)", `\[x\]\(https://e.example\)`},
		{"heading at line start", "# big\nnot # here", `\# big` + "\n" + `not # here`},
		{"list at line start", "- a - b", `\- a - b`},
		{"discord mention", "by " + discordUser("123"), "by <@123>"},
		{"mention in bold", "*" + discordUser("123") + "*", "**<@123>**"},
		{"foreign mention is text", "by " + bot.Mention(flows.ChatIdentity{Platform: "slack", UserID: "U1"}), "by @slack:U1"},
		{"forged placeholder dropped", "a\uE0000\uE001b", "a0b"},
		{"raw mention syntax defused", "<@123> <@&5>", `\<@123\> \<@&5\>`},
		{"underscores", "pw_user", `pw\_user`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := markdown(tc.in); got != tc.want {
				t.Errorf("markdown(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestRenderRespectsDiscordLimits(t *testing.T) {
	long := strings.Repeat("é", 5000)
	m := bot.Message{Title: long, Body: []string{long}, Note: long, Link: &bot.Link{URL: "https://reset.example.test/r/x", Label: long}}
	for i := 0; i < 30; i++ {
		m.Fields = append(m.Fields, bot.Field{Label: long, Value: long})
	}
	r, err := render(m)
	if err != nil {
		t.Fatal(err)
	}
	e := r.Embeds[0]
	if n := len([]rune(e.Title)); n > maxTitle {
		t.Errorf("title %d runes", n)
	}
	if n := len([]rune(e.Description)); n > maxDescription {
		t.Errorf("description %d runes", n)
	}
	if len(e.Fields) != maxFields {
		t.Errorf("%d fields, want the first %d", len(e.Fields), maxFields)
	}
	tooLong := bot.Message{Buttons: []bot.Button{{ActionID: bot.ActionApprove, Value: strings.Repeat("x", 100), Label: "Approve"}}}
	if _, err := render(tooLong); err == nil {
		t.Error("a button whose custom_id cannot fit was rendered (it would come back as another action)")
	}
}

func TestThreadRef(t *testing.T) {
	for _, tc := range []struct {
		ref string
		ok  bool
	}{
		{"1/2/3", true},
		{"1/2/", true},
		{"1/2", false},
		{"a/2/3", false},
		{"1/2/3/4", false},
		{"", false},
	} {
		t.Run(tc.ref, func(t *testing.T) {
			r, err := parseThreadRef(tc.ref)
			if (err == nil) != tc.ok {
				t.Fatalf("parse %q: %v", tc.ref, err)
			}
			if tc.ok && r.String() != tc.ref {
				t.Errorf("round trip %q -> %q", tc.ref, r.String())
			}
		})
	}
}
