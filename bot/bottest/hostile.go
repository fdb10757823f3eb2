package bottest

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/memory"
	"github.com/resetbot/resetbot/flows"
)

// Hostile is outside text (a directory department or display name, a
// browser's user agent, a passkey's name, a refusal reason) that tries
// every mention and link syntax of the three platforms, and the core's own
// neutral mention form.
const Hostile = "Sales <@slack:U0CEO> <@U0CEO> <!here> <!channel> @everyone @here **x** <at>CEO</at> <@&123> [a](http://evil.example) <https://evil.example|click>"

// HostileUsers are the accounts HostileMessages acts for, with their chat
// ids: the only people a message may mention.
var HostileUsers = map[string]string{"pwuser": "U0PWUSER", "spare1": "U0SPARE1", "alice": "U0ALICE", "jdoe": "U0JDOE"}

// hostileDirectory answers every lookup with Hostile as the user's display
// name and department, as a directory an attacker can edit would.
type hostileDirectory struct{ directory.Directory }

func (d hostileDirectory) Find(ctx context.Context, l directory.Lookup) (*directory.User, error) {
	u, err := d.Directory.Find(ctx, l)
	if err != nil {
		return u, err
	}
	c := *u
	c.DisplayName, c.Department = Hostile, Hostile
	return &c, nil
}

// HostileMessages drives the core through the messages outside text
// reaches, with Hostile in every outside field: a reset request (the link,
// the thread's parent and its lines), the link opened and redeemed from a
// hostile device, failed verifications with a hostile reason, an enrolled
// passkey with a hostile name (the user's notice and the thread line), and
// every alert (request spike, department spike, failed verifications). It
// returns every message the core sent; platform tests render each and
// check that no live mention or link comes out.
func HostileMessages(t *testing.T) []bot.Message {
	t.Helper()
	rig := NewRig(t, Options{
		Alerts:    bot.AlertConfig{SpikeRequests: 1, DepartmentRequests: 1, FailedVerifications: 1},
		Directory: func(m *memory.Directory) directory.Directory { return hostileDirectory{m} },
	})
	ms := NewMessenger()
	rig.Bot.AddPlatform("slack", ms)
	ctx := context.Background()
	client := flows.Client{IP: Hostile, Device: Hostile}
	request := func(account, text string) string {
		id := HostileUsers[account]
		rig.Bot.HandleCommand(ctx, bot.Request{From: bot.User{ID: Slack(id), Name: Hostile}, Text: text, Respond: &Responder{}})
		rig.Settle(t)
		dms := ms.DMs(id)
		if len(dms) == 0 {
			t.Fatalf("%s got no link", account)
		}
		return TokenFrom(t, dms[len(dms)-1])
	}

	tok := request("pwuser", "")
	if _, err := rig.Engine.Open(ctx, tok, client); err != nil {
		t.Fatal(err)
	}
	f, binding, err := rig.Engine.Redeem(ctx, tok, client)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rig.Engine.RecordVerification(ctx, f.ID, binding, flows.Verification{Method: flows.MethodPasskey, Reason: Hostile, Client: client}); !errors.Is(err, flows.ErrVerificationFailed) {
		t.Fatal(err)
	}

	tok = request("spare1", "enroll")
	f, binding, err = rig.Engine.Redeem(ctx, tok, client)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rig.Engine.RecordVerification(ctx, f.ID, binding, flows.Verification{Method: flows.MethodPassword, OK: true, Client: client}); err != nil {
		t.Fatal(err)
	}
	if _, err := rig.Engine.RecordFactorChange(ctx, f.ID, binding, flows.FactorChange{Method: flows.MethodPasskey, Key: flows.PasskeyKey("hostile"), Name: Hostile, Existing: nil}); err != nil {
		t.Fatal(err)
	}
	rig.Settle(t)

	// A privileged reset from the hostile device, approved by the
	// helpdesk and completed: the approval's buttons and decision, the
	// approver's answer and the user's change notice.
	var out []bot.Message
	tok = request("alice", "")
	f, binding, err = rig.Engine.Redeem(ctx, tok, client)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rig.Engine.RecordVerification(ctx, f.ID, binding, flows.Verification{Method: flows.MethodPasskey, OK: true, Client: client}); err != nil {
		t.Fatal(err)
	}
	rig.Settle(t)
	answer := &Responder{}
	rig.Bot.HandleAction(ctx, bot.Action{From: bot.User{ID: Slack("U0JDOE"), Name: Hostile}, ActionID: bot.ActionApprove, Value: f.ID, Respond: answer})
	rig.Settle(t)
	if _, err := rig.Engine.Complete(ctx, f.ID, binding, flows.Completion{NewPassword: "Correct-Horse-Battery-9", Client: client}); err != nil {
		t.Fatal(err)
	}
	rig.Settle(t)
	out = append(out, answer.Messages()...)

	// "/reset who" of an account whose passkey has the hostile name.
	rig.SetDetails(t, "pwuser", bot.FactorDetails{Passkeys: []bot.PasskeyInfo{{Name: Hostile, AddedAt: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)}}})
	answer = &Responder{}
	rig.Bot.HandleCommand(ctx, bot.Request{From: bot.User{ID: Slack("U0JDOE"), Name: Hostile}, Text: "who <@U0PWUSER>",
		Mentions: []bot.User{{ID: Slack("U0PWUSER"), Name: Hostile}}, Respond: answer})
	rig.Bot.Wait()
	out = append(out, answer.Messages()...)

	for _, p := range ms.Posts() {
		out = append(out, p.Message)
	}
	return out
}

// MessageTexts is every text of m a person can read, in order.
func MessageTexts(m bot.Message) []string {
	texts := append([]string{m.Summary, m.Title}, m.Body...)
	for _, f := range m.Fields {
		texts = append(texts, f.Label, f.Value)
	}
	if m.Link != nil {
		texts = append(texts, m.Link.Label)
	}
	for _, b := range m.Buttons {
		texts = append(texts, b.Label)
	}
	return append(texts, m.Note)
}

// WireText is v as the platform's API receives it (JSON without HTML
// escaping, so "<" reads as "<"), for checking rendered messages.
func WireText(t *testing.T, v any) string {
	t.Helper()
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// WireStrings decodes wire (WireText's output) and returns the strings a
// platform parses for markup: keep says, for each JSON object, which of its
// string members those are (Slack: the text of a mrkdwn object; Discord:
// an embed's description and field values).
func WireStrings(t *testing.T, wire string, keep func(obj map[string]any, key string) bool) []string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(wire), &v); err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, sub := range v {
				if s, ok := sub.(string); ok && keep(v, k) {
					out = append(out, s)
				}
				walk(sub)
			}
		case []any:
			for _, sub := range v {
				walk(sub)
			}
		}
	}
	walk(v)
	return out
}
