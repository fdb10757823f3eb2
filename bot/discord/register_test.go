package discord

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/resetbot/resetbot/bot"
)

// Every subcommand the definition registers must translate into a command
// the core understands: the definition and translate are one contract.
func TestDefinitionMatchesTheCore(t *testing.T) {
	def := Command()
	if def.Name != CommandName || len(def.Options) == 0 {
		t.Fatalf("definition %+v", def)
	}
	for _, sub := range def.Options {
		t.Run(sub.Name, func(t *testing.T) {
			opt := map[string]any{"name": sub.Name, "type": int(sub.Type)}
			if len(sub.Options) > 0 {
				opt["options"] = []any{map[string]any{"name": sub.Options[0].Name, "type": int(sub.Options[0].Type), "value": "1200000000000000009"}}
			}
			raw, _ := json.Marshal(map[string]any{"name": CommandName, "options": []any{opt}})
			text, mentions, err := translateCommand(raw)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := bot.ParseCommand(text, mentions); err != nil {
				t.Fatalf("the core does not understand %q: %v", text, err)
			}
		})
	}
}

func TestRegisterGlobalAndGuild(t *testing.T) {
	r := newRig(t)
	for _, tc := range []struct {
		name, guild string
	}{
		{"global", ""},
		{"guild", testGuild},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Register(context.Background(), Registration{ApplicationID: testAppID, BotToken: testToken, GuildID: tc.guild, APIURL: r.fake.APIURL()},
				WithHTTPClient(r.fake.Client()))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Name != CommandName || got[0].ID == "" {
				t.Fatalf("Discord stored %+v", got)
			}
			var stored []struct {
				Name    string `json:"name"`
				Options []struct {
					Name string `json:"name"`
				} `json:"options"`
			}
			if err := json.Unmarshal(r.fake.Commands(tc.guild), &stored); err != nil || len(stored) != 1 || len(stored[0].Options) != 9 {
				t.Fatalf("registered %s (%v)", r.fake.Commands(tc.guild), err)
			}
		})
	}
	for _, tc := range []struct {
		name string
		reg  Registration
	}{
		{"no token", Registration{ApplicationID: testAppID}},
		{"bad app id", Registration{ApplicationID: "app", BotToken: testToken}},
		{"bad guild", Registration{ApplicationID: testAppID, BotToken: testToken, GuildID: "my-server"}},
		{"wrong token", Registration{ApplicationID: testAppID, BotToken: "nope", APIURL: r.fake.APIURL()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Register(context.Background(), tc.reg, WithHTTPClient(r.fake.Client())); err == nil {
				t.Error("registered anyway")
			}
		})
	}
}
