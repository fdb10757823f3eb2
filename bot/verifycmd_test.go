package bot_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/resetbot/resetbot/bot"
)

// TestVerifyCommand: "verify @user [reason]" needs exactly one mention;
// the reason is optional, kept as typed (the target reads it), and
// bounded.
func TestVerifyCommand(t *testing.T) {
	u := user("U1")
	m := bot.Mention(u.ID)
	for _, tc := range []struct {
		name, text string
		mentions   []bot.User
		reason     string
		err        bool
	}{
		{"mention only", "verify " + m, []bot.User{u}, "", false},
		{"reason kept as typed", "verify " + m + "  Caller on LINE 2,   says  laptop stolen ", []bot.User{u}, "Caller on LINE 2, says laptop stolen", false},
		{"reason before the mention", "verify urgent " + m, []bot.User{u}, "urgent", false},
		{"typed with the command name", "reset Verify " + m + " VIP", []bot.User{u}, "VIP", false},
		{"mention glued to text", "verify " + m + ", caller " + strings.ToUpper(m) + "0 " + m, []bot.User{u}, ", caller 0", false},
		{"no mention", "verify caller", nil, "", true},
		{"two mentions", "verify " + m + " " + m, []bot.User{u, u}, "", true},
		{"reason too long", "verify " + m + " " + strings.Repeat("x", bot.MaxVerifyReason+1), []bot.User{u}, "", true},
		{"longest reason", "verify " + m + " " + strings.Repeat("é", bot.MaxVerifyReason), []bot.User{u}, strings.Repeat("é", bot.MaxVerifyReason), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd, err := bot.ParseCommand(tc.text, tc.mentions)
			var ce *bot.CommandError
			if tc.err {
				if !errors.As(err, &ce) {
					t.Fatalf("ParseCommand(%q) = %+v, %v; want a CommandError", tc.text, cmd, err)
				}
				return
			}
			if err != nil || cmd.Verb != bot.VerbVerify || cmd.Target == nil || cmd.Target.ID != u.ID || cmd.Reason != tc.reason {
				t.Fatalf("ParseCommand(%q) = %+v, %v; want verify of U1 with reason %q", tc.text, cmd, err, tc.reason)
			}
		})
	}
}
