package bot_test

import (
	"strings"
	"testing"

	"github.com/resetbot/resetbot/bot"
)

// FuzzParseCommand: any text and mention count parses or is a
// CommandError; a helpdesk verb always has its target, and revoke its
// non-empty passkey argument without the mention in it.
func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"", "revoke <m> iphone 15", "revoke <m>", "who <m>", "for <m> <m>", "reset unlock", "revoke all <m>", "verify <m> caller on line 2", "verify <m>"} {
		f.Add(s, 1)
	}
	f.Fuzz(func(t *testing.T, text string, n int) {
		var ms []bot.User
		for i := 0; i < n%3; i++ {
			ms = append(ms, user("U1"))
		}
		if len(ms) > 0 {
			text = strings.ReplaceAll(text, "<m>", bot.Mention(ms[0].ID))
		}
		cmd, err := bot.ParseCommand(text, ms)
		if err != nil {
			return
		}
		switch cmd.Verb {
		case bot.VerbFor, bot.VerbEnrollFor, bot.VerbWho, bot.VerbRevoke, bot.VerbVerify:
			if cmd.Target == nil {
				t.Fatalf("%q: %s without a target", text, cmd.Verb)
			}
		}
		if cmd.Verb == bot.VerbRevoke && (cmd.Passkey == "" || strings.Contains(cmd.Passkey, strings.ToLower(bot.Mention(ms[0].ID)))) {
			t.Fatalf("%q: revoke argument %q", text, cmd.Passkey)
		}
		if cmd.Verb == bot.VerbVerify && (strings.Contains(strings.ToLower(cmd.Reason), strings.ToLower(bot.Mention(ms[0].ID))) || len([]rune(cmd.Reason)) > bot.MaxVerifyReason) {
			t.Fatalf("%q: verify reason %q", text, cmd.Reason)
		}
	})
}

// TestRevokeArgument: the passkey's name is kept as typed (case kept,
// spaces made single), so the helpdesk reads back what they wrote; "all"
// in any case is RevokeAll; "reset revoke" where there is no slash command.
func TestRevokeArgument(t *testing.T) {
	u := user("U1")
	m := bot.Mention(u.ID)
	for _, c := range []struct{ text, want string }{
		{"revoke " + m + "  iPhone   15 ", "iPhone 15"},
		{"REVOKE " + m + " ALL", bot.RevokeAll},
		{"reset revoke " + m + " Pixel 8 Pro", "Pixel 8 Pro"},
		{"revoke Work " + m + " Phone", "Work Phone"},
		{"revoke " + m + " " + m + "Pixel", "Pixel"},
	} {
		cmd, err := bot.ParseCommand(c.text, []bot.User{u})
		if err != nil || cmd.Verb != bot.VerbRevoke || cmd.Passkey != c.want || cmd.Target == nil || cmd.Target.ID != u.ID {
			t.Errorf("%q: got %+v, %v; want passkey %q", c.text, cmd, err, c.want)
		}
	}
}
