package slack

import (
	"strings"
	"testing"
)

func TestConfigValidate(t *testing.T) {
	valid := Config{SigningSecret: "s", BotToken: "xoxb-1", HelpdeskChannel: "C0123ABCD", TeamID: "T0123ABCD"}
	tests := []struct {
		name   string
		change func(*Config)
		want   []string // substrings, one per expected error
	}{
		{"valid http", func(*Config) {}, nil},
		{"valid socket", func(c *Config) { c.Mode, c.SigningSecret, c.AppToken = ModeSocket, "", "xapp-1" }, nil},
		{"valid api url and group", func(c *Config) { c.APIURL, c.HelpdeskUsergroup = "https://proxy.example/api/", "S0123" }, nil},
		{"unknown mode", func(c *Config) { c.Mode = "rtm" }, []string{"mode:"}},
		{"http without secret", func(c *Config) { c.SigningSecret = "" }, []string{"signing_secret: required"}},
		{"socket without app token", func(c *Config) { c.Mode = ModeSocket }, []string{"app_token: required"}},
		{"user token", func(c *Config) { c.BotToken = "xoxp-1" }, []string{"bot_token: is not a bot token"}},
		{"api url without slash", func(c *Config) { c.APIURL = "https://proxy.example/api" }, []string{"must end with a slash"}},
		{"api url with credentials", func(c *Config) { c.APIURL = "https://u:p@proxy.example/api/" }, []string{"credentials"}},
		{"channel name", func(c *Config) { c.HelpdeskChannel = "#helpdesk" }, []string{"helpdesk_channel:"}},
		{"group name", func(c *Config) { c.HelpdeskUsergroup = "@helpdesk" }, []string{"helpdesk_usergroup:"}},
		{"valid app id and grid organisation", func(c *Config) { c.TeamID, c.AppID = "E0123ABCD", "A0123ABCD" }, nil},
		{"workspace required", func(c *Config) { c.TeamID = "" }, []string{"team_id: required"}},
		{"workspace name", func(c *Config) { c.TeamID, c.AppID = "acme", "resetbot" }, []string{"team_id:", "app_id:"}},
		{"everything wrong at once", func(c *Config) { *c = Config{Mode: ModeSocket, AppToken: "xoxb-2"} },
			[]string{"bot_token: required", "app_token: is not", "helpdesk_channel: required", "team_id: required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid
			tt.change(&c)
			errs := c.Validate()
			if len(errs) != len(tt.want) {
				t.Fatalf("got %d errors %v, want %d", len(errs), errs, len(tt.want))
			}
			for i, want := range tt.want {
				if !strings.Contains(errs[i].Error(), want) {
					t.Errorf("error %d = %q, want it to contain %q", i, errs[i], want)
				}
			}
		})
	}
}

func TestConfigErrorsNeverShowSecrets(t *testing.T) {
	c := Config{SigningSecret: "topsecret", BotToken: "xoxp-topsecret", AppToken: "xoxb-topsecret", HelpdeskChannel: "C1"}
	for _, err := range c.Validate() {
		if strings.Contains(err.Error(), "topsecret") {
			t.Errorf("error shows a secret: %v", err)
		}
	}
}
