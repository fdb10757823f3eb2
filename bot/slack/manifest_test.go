package slack

import (
	"net/url"
	"os"
	"slices"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestManifest keeps the shipped app manifest in step with the code: the
// scopes the Messenger needs and no more, request URLs on our routes, and
// escaped mentions, without which "/reset for @user" cannot name anyone.
func TestManifest(t *testing.T) {
	raw, err := os.ReadFile("../../deploy/slack/manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Features struct {
			SlashCommands []struct {
				Command      string `yaml:"command"`
				URL          string `yaml:"url"`
				UsageHint    string `yaml:"usage_hint"`
				ShouldEscape bool   `yaml:"should_escape"`
			} `yaml:"slash_commands"`
		} `yaml:"features"`
		OAuth struct {
			Scopes struct {
				Bot []string `yaml:"bot"`
			} `yaml:"scopes"`
		} `yaml:"oauth_config"`
		Settings struct {
			Interactivity struct {
				Enabled    bool   `yaml:"is_enabled"`
				RequestURL string `yaml:"request_url"`
			} `yaml:"interactivity"`
			EventSubscriptions any  `yaml:"event_subscriptions"`
			SocketMode         bool `yaml:"socket_mode_enabled"`
		} `yaml:"settings"`
	}
	if err := yaml.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	scopes := slices.Sorted(slices.Values(m.OAuth.Scopes.Bot))
	want := []string{"chat:write", "commands", "im:write", "usergroups:read", "users:read", "users:read.email"}
	if !slices.Equal(scopes, want) {
		t.Errorf("bot scopes %v, want exactly %v", scopes, want)
	}
	path := func(raw string) string {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		return u.Path
	}
	if len(m.Features.SlashCommands) != 1 {
		t.Fatalf("%d slash commands, want /reset only", len(m.Features.SlashCommands))
	}
	c := m.Features.SlashCommands[0]
	if c.Command != "/reset" || path(c.URL) != PathCommands || !c.ShouldEscape || c.UsageHint == "" {
		t.Errorf("slash command %+v", c)
	}
	if !m.Settings.Interactivity.Enabled || path(m.Settings.Interactivity.RequestURL) != PathInteractivity {
		t.Errorf("interactivity %+v", m.Settings.Interactivity)
	}
	if m.Settings.EventSubscriptions != nil || m.Settings.SocketMode {
		t.Error("the manifest should ship in HTTP mode without event subscriptions")
	}
}
