package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/resetbot/resetbot/bot/discord/discordfake"
)

func TestDiscordRegister(t *testing.T) {
	fake := discordfake.New("bot-token", "4242")
	t.Cleanup(fake.Close)
	env := map[string]string{"RESETBOT_DISCORD_TOKEN": "bot-token", "RESETBOT_DISCORD_APP_ID": "4242"}
	getenv := func(k string) string { return env[k] }
	for _, tc := range []struct {
		name, guild, want string
	}{
		{"global", "", "registered /reset (id "},
		{"one server", "777", "in server 777"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			args := []string{"--api-url", fake.APIURL()}
			if tc.guild != "" {
				args = append(args, "--guild", tc.guild)
			}
			if err := discordRegister(context.Background(), args, getenv, &out); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), tc.want) {
				t.Fatalf("output %q lacks %q", out.String(), tc.want)
			}
			if cmds := string(fake.Commands(tc.guild)); !strings.Contains(cmds, `"name":"reset"`) {
				t.Fatalf("fake holds no /reset command: %s", cmds)
			}
		})
	}
	if err := discordRegister(context.Background(), nil, func(string) string { return "" }, &bytes.Buffer{}); err == nil {
		t.Fatal("registered without an app id or token")
	}
}
