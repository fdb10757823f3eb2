package discord

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/resetbot/resetbot/bot"
)

// Every subcommand the definitions register must translate into a command
// the core understands: the definitions and translate are one contract.
func TestDefinitionMatchesTheCore(t *testing.T) {
	defs := Commands()
	if len(defs) != 2 || defs[0].Name != CommandName || defs[1].Name != HelpdeskCommandName {
		t.Fatalf("definitions %+v", defs)
	}
	for _, def := range defs {
		for _, sub := range def.Options {
			t.Run(def.Name+"/"+sub.Name, func(t *testing.T) {
				if helpdeskSub(sub.Name) != (def.Name == HelpdeskCommandName) {
					t.Fatalf("%s is under /%s", sub.Name, def.Name)
				}
				opt := map[string]any{"name": sub.Name, "type": int(sub.Type)}
				var opts []any
				for _, o := range sub.Options {
					value := "1200000000000000009" // a user
					if o.Type == discordgo.ApplicationCommandOptionString {
						value = "all"
					}
					opts = append(opts, map[string]any{"name": o.Name, "type": int(o.Type), "value": value})
				}
				if opts != nil {
					opt["options"] = opts
				}
				raw, _ := json.Marshal(map[string]any{"name": def.Name, "options": []any{opt}})
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
}

// TestHelpdeskCommandIsHiddenByDefault: the helpdesk verbs live under a
// command of their own whose default_member_permissions is "0" (server
// administrators only, until they grant it to the helpdesk role), sent as
// Discord's string-encoded permission set; /reset has none, for everyone.
func TestHelpdeskCommandIsHiddenByDefault(t *testing.T) {
	raw, err := json.Marshal(Commands())
	if err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if p, ok := got[1]["default_member_permissions"]; !ok || p != "0" {
		t.Errorf("/%s default_member_permissions = %#v, want \"0\"", HelpdeskCommandName, p)
	}
	if p, ok := got[0]["default_member_permissions"]; ok {
		t.Errorf("/%s default_member_permissions = %#v, want none (everyone)", CommandName, p)
	}
	var names []string
	for _, o := range got[1]["options"].([]any) {
		names = append(names, o.(map[string]any)["name"].(string))
	}
	if strings.Join(names, ",") != "for,enroll-for,report,who,revoke,verify" {
		t.Errorf("/%s subcommands = %v", HelpdeskCommandName, names)
	}
}

// TestCommandDescriptionsAreLocalized: every description the picker shows
// (commands, subcommands, options) has a German, French and Spanish
// version, distinct from the English one and within Discord's 100
// characters.
func TestCommandDescriptionsAreLocalized(t *testing.T) {
	want := []discordgo.Locale{discordgo.German, discordgo.French, discordgo.SpanishES, discordgo.SpanishLATAM}
	check := func(where, en string, loc map[discordgo.Locale]string) {
		for _, l := range want {
			s := loc[l]
			if s == "" || s == en || utf8.RuneCountInString(s) > 100 {
				t.Errorf("%s: %s description %q (English %q)", where, l, s, en)
			}
		}
	}
	var walk func(where string, opts []*discordgo.ApplicationCommandOption)
	walk = func(where string, opts []*discordgo.ApplicationCommandOption) {
		for _, o := range opts {
			check(where+"."+o.Name, o.Description, o.DescriptionLocalizations)
			walk(where+"."+o.Name, o.Options)
		}
	}
	for _, c := range Commands() {
		if c.DescriptionLocalizations == nil {
			t.Fatalf("/%s has no localized description", c.Name)
		}
		check("/"+c.Name, c.Description, *c.DescriptionLocalizations)
		walk("/"+c.Name, c.Options)
	}
}

// TestCommandTextNamesTheRightCommand: help texts show the helpdesk verbs
// under /reset-helpdesk and the others under /reset.
func TestCommandTextNamesTheRightCommand(t *testing.T) {
	m := &Messenger{}
	for args, want := range map[string]string{
		"":                "/reset password",
		"unlock":          "/reset unlock",
		"for <@x>":        "/reset-helpdesk for user:<@x>",
		"enroll-for <@x>": "/reset-helpdesk enroll-for user:<@x>",
		"report":          "/reset-helpdesk report",
	} {
		if got := m.CommandText(args); got != want {
			t.Errorf("CommandText(%q) = %q, want %q", args, got, want)
		}
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
			if len(got) != 2 || got[0].Name != CommandName || got[1].Name != HelpdeskCommandName || got[0].ID == "" {
				t.Fatalf("Discord stored %+v", got)
			}
			var stored []struct {
				Name    string `json:"name"`
				Options []struct {
					Name string `json:"name"`
				} `json:"options"`
			}
			cmds := Commands()
			if err := json.Unmarshal(r.fake.Commands(tc.guild), &stored); err != nil || len(stored) != 2 || len(stored[0].Options) != len(cmds[0].Options) || len(stored[1].Options) != len(cmds[1].Options) {
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
