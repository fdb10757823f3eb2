package teams

import (
	"strings"
	"testing"
)

func validConfig() Config {
	return Config{
		AppID:             "6f0c2b7e-1a2b-4c3d-8e9f-0a1b2c3d4e5f",
		AppPassword:       "secret",
		TenantID:          "11111111-2222-4333-8444-555555555555",
		HelpdeskChannelID: "19:abc123@thread.tacv2",
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Config)
		want   []string // substrings, one per expected error
	}{
		{"valid", func(*Config) {}, nil},
		{"multi-tenant refused: the tenant is required", func(c *Config) { c.TenantID = "" }, []string{"tenant_id: required"}},
		{"valid with fakes on loopback", func(c *Config) {
			c.OpenIDMetadataURL = "http://127.0.0.1:9/v1/.well-known/openidconfiguration"
			c.TokenURL = "http://localhost:9/token"
		}, nil},
		{"everything missing", func(c *Config) { *c = Config{} }, []string{"app_id", "app_password", "tenant_id", "helpdesk_channel_id"}},
		{"ids malformed", func(c *Config) {
			c.AppID, c.TenantID, c.HelpdeskChannelID = "bot", "contoso", "General"
		}, []string{"app_id", "tenant_id", "helpdesk_channel_id"}},
		{"clear-text URLs off loopback", func(c *Config) {
			c.OpenIDMetadataURL = "http://login.example.com/meta"
			c.TokenURL = "ftp://x/y"
			c.HelpdeskServiceURL = "https://user:pw@smba.example.com/"
		}, []string{"helpdesk_service_url", "openid_metadata_url", "token_url"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := validConfig()
			tc.change(&c)
			errs := c.Validate()
			if len(errs) != len(tc.want) {
				t.Fatalf("errors %v, want %d", errs, len(tc.want))
			}
			for i, w := range tc.want {
				if !strings.HasPrefix(errs[i].Error(), w) {
					t.Errorf("error %d %q does not name %s", i, errs[i], w)
				}
				if strings.Contains(errs[i].Error(), "pw@") {
					t.Errorf("error %d shows credentials: %v", i, errs[i])
				}
			}
		})
	}
}

func TestTokenURL(t *testing.T) {
	for _, tc := range []struct{ name, tenant, override, want string }{
		{"tenant", "11111111-2222-4333-8444-555555555555", "", "https://login.microsoftonline.com/11111111-2222-4333-8444-555555555555/oauth2/v2.0/token"},
		{"override", "11111111-2222-4333-8444-555555555555", "http://127.0.0.1:1/t", "http://127.0.0.1:1/t"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := validConfig()
			c.TenantID, c.TokenURL = tc.tenant, tc.override
			if got := c.tokenURL(); got != tc.want {
				t.Errorf("tokenURL %q, want %q", got, tc.want)
			}
		})
	}
}
