package discord

import (
	"strings"
	"testing"
)

func TestConfigValidate(t *testing.T) {
	good := Config{
		ApplicationID:     testAppID,
		PublicKey:         strings.Repeat("ab", 32),
		BotToken:          "MTEx.secret-token",
		HelpdeskChannelID: "1100000000000000003",
	}
	for _, tc := range []struct {
		name  string
		edit  func(*Config)
		wants []string
	}{
		{"valid", func(*Config) {}, nil},
		{"valid with api_url", func(c *Config) { c.APIURL = "http://127.0.0.1:8080/api/v10/" }, nil},
		{"everything missing", func(c *Config) { *c = Config{} }, []string{"application_id: required", "public_key: required", "bot_token: required", "helpdesk_channel_id: required"}},
		{"names instead of ids", func(c *Config) { c.ApplicationID, c.HelpdeskChannelID = "resetbot", "#it-help" }, []string{"application_id:", "helpdesk_channel_id:"}},
		{"short key", func(c *Config) { c.PublicKey = "abcd" }, []string{"public_key: is not"}},
		{"key not hex", func(c *Config) { c.PublicKey = strings.Repeat("zz", 32) }, []string{"public_key: is not"}},
		{"token with prefix", func(c *Config) { c.BotToken = "Bot abc" }, []string{`without the "Bot " prefix`}},
		{"api_url scheme", func(c *Config) { c.APIURL = "ftp://x/" }, []string{"api_url:"}},
		{"api_url credentials", func(c *Config) { c.APIURL = "https://u:p@x/" }, []string{"api_url: credentials"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := good
			tc.edit(&c)
			errs := c.Validate()
			if len(errs) != len(tc.wants) {
				t.Fatalf("got %d problems %v, want %d", len(errs), errs, len(tc.wants))
			}
			for i, w := range tc.wants {
				if !strings.Contains(errs[i].Error(), w) {
					t.Errorf("problem %d %q does not say %q", i, errs[i], w)
				}
				if strings.Contains(errs[i].Error(), c.BotToken) && c.BotToken != "" {
					t.Errorf("problem %q shows the token", errs[i])
				}
			}
		})
	}
}
