package slack

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/bottest"
	"github.com/resetbot/resetbot/flows"
)

func slackUser(id string) string {
	return bot.Mention(flows.ChatIdentity{Platform: Platform, UserID: id})
}

// goldenMessages is a representative set of what the core sends.
var goldenMessages = []struct {
	name string
	msg  bot.Message
}{
	{"link_dm", bot.Message{
		Summary: "Your password reset link",
		Title:   "Reset your password",
		Body:    []string{"Open the link *on your phone* and confirm with your passkey."},
		Link:    &bot.Link{URL: "https://reset.example.com/r/flow-1", Label: "Reset my password"},
		Note:    "The link works once and expires at 10:42.",
	}},
	{"helpdesk_parent_approval", bot.Message{
		Summary: "Password reset for alice: approval needed",
		Title:   "Password reset: alice",
		Body:    []string{slackUser("U0ALICE") + " verified with a passkey. *Approval needed* (privileged account)."},
		Fields: []bot.Field{
			{Label: "Account", Value: "alice"}, {Label: "Tier", Value: "privileged"},
			{Label: "Kind", Value: "reset"}, {Label: "Status", Value: "awaiting approval"},
		},
		Buttons: []bot.Button{
			{ActionID: bot.ActionApprove, Value: "flow-1", Label: "Approve", Style: bot.StylePrimary},
			{ActionID: bot.ActionDeny, Value: "flow-1", Label: "Deny", Style: bot.StyleDanger},
		},
		Tone: bot.ToneWarning,
	}},
	{"helpdesk_parent_approved", bot.Message{
		Summary: "Password reset for alice: approved",
		Title:   "Password reset: alice",
		Body:    []string{"Approved by " + slackUser("U0BOB") + " at 10:41."},
		Fields: []bot.Field{
			{Label: "Account", Value: "alice"}, {Label: "Tier", Value: "privileged"},
			{Label: "Kind", Value: "reset"}, {Label: "Status", Value: "approved"},
		},
		Tone: bot.ToneGood,
	}},
	{"thread_reply", bot.Message{
		Summary: "Link opened",
		Body:    []string{"10:40:12 *Link opened* on iPhone from 203.0.113.7"},
	}},
	{"alert", bot.Message{
		Summary: "Alert: 12 reset requests in 5 minutes",
		Title:   "Unusual number of reset requests",
		Body:    []string{"*12* reset requests in the last 5 minutes (threshold 10), department *Finance*."},
		Note:    "Error id: ab12cd",
		Tone:    bot.ToneDanger,
	}},
	{"hostile_user_text", bot.Message{
		Summary: "Reset for <!channel> & co",
		Title:   "Reset: <b>&amp;",
		Body: []string{
			"Display name: <!here> <https://evil.example|click> & " + slackUser("U0ALICE"),
			"Forged: <@slack:U1|x> <@teams:abc> \x00U0EVIL\x00",
		},
		Fields: []bot.Field{{Label: "Name <x>", Value: "a&b"}},
	}},
}

func TestRenderGolden(t *testing.T) {
	for _, tt := range goldenMessages {
		t.Run(tt.name, func(t *testing.T) {
			bottest.GoldenJSON(t, filepath.Join("testdata", tt.name+".golden.json"), render(tt.msg))
		})
	}
}

func TestMrkdwn(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "hello", "hello"},
		{"bold kept", "*alice* was reset", "*alice* was reset"},
		{"entities escaped", "a & b < c > d", "a &amp; b &lt; c &gt; d"},
		{"special mention defused", "<!channel>", "&lt;!channel&gt;"},
		{"link defused", "<https://evil|x>", "&lt;https://evil|x&gt;"},
		{"slack mention rendered", "by " + slackUser("U0BOB"), "by <@U0BOB>"},
		{"enterprise user", slackUser("W0BOB"), "<@W0BOB>"},
		{"neutral text is no mention", "<@slack:U0BOB> <@slack:U0BOB|evil>", "&lt;@slack:U0BOB&gt; &lt;@slack:U0BOB|evil&gt;"},
		{"lowercase id refused", slackUser("u0bob"), "@u0bob"},
		{"other platform", bot.Mention(flows.ChatIdentity{Platform: "teams", UserID: "abc-1"}), "@abc-1"},
		{"NUL cannot forge", "\x00U0EVIL\x00", "U0EVIL"},
		{"unterminated token", "<@slack:U0BOB", "&lt;@slack:U0BOB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mrkdwn(tt.in); got != tt.want {
				t.Errorf("mrkdwn(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestClip(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"short", "abc", 5, "abc"},
		{"exact", "abcde", 5, "abcde"},
		{"cut", "abcdef", 5, "abcd…"},
		{"runes not bytes", "ééééé é", 5, "éééé…"},
		{"never half an entity", "ab&amp;cd", 5, "ab…"},
		{"never half a mention", "ab<@U0BOB> x", 6, "ab…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := clip(tt.in, tt.max); got != tt.want {
				t.Errorf("clip(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
		})
	}
}

func TestRenderLimits(t *testing.T) {
	long := strings.Repeat("x", 5000)
	var fields []bot.Field
	for range 13 {
		fields = append(fields, bot.Field{Label: "L", Value: long})
	}
	r := render(bot.Message{Summary: long, Title: long, Body: []string{long}, Fields: fields, Note: long,
		Buttons: []bot.Button{{ActionID: "a", Value: "v", Label: long}}})
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var wire struct {
		Text   string `json:"text"`
		Blocks []struct {
			Type     string `json:"type"`
			Text     *struct{ Text string }
			Fields   []struct{ Text string }
			Elements []map[string]any
		} `json:"blocks"`
	}
	if err := json.Unmarshal(b, &wire); err != nil {
		t.Fatal(err)
	}
	count := func(s string) int { return len([]rune(s)) }
	if count(wire.Text) > maxFallback {
		t.Errorf("fallback text has %d characters", count(wire.Text))
	}
	sections := 0
	for _, bl := range wire.Blocks {
		if bl.Text != nil && count(bl.Text.Text) > maxSection {
			t.Errorf("%s block text has %d characters", bl.Type, count(bl.Text.Text))
		}
		if bl.Type == "header" && count(bl.Text.Text) > maxHeader {
			t.Errorf("header has %d characters", count(bl.Text.Text))
		}
		if len(bl.Fields) > maxFields {
			t.Errorf("section has %d fields", len(bl.Fields))
		}
		if len(bl.Fields) > 0 {
			sections++
		}
		for _, f := range bl.Fields {
			if count(f.Text) > maxField {
				t.Errorf("field has %d characters", count(f.Text))
			}
		}
		for _, el := range bl.Elements {
			switch text := el["text"].(type) {
			case map[string]any: // a button's label
				if s, _ := text["text"].(string); count(s) > maxButtonText {
					t.Errorf("button label has %d characters", count(s))
				}
			case string: // a context text
				if count(text) > maxContext {
					t.Errorf("context has %d characters", count(text))
				}
			}
		}
	}
	if sections != 2 {
		t.Errorf("13 fields rendered in %d sections, want 2", sections)
	}
}
