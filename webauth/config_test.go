package webauth

import (
	"bytes"
	"strings"
	"testing"
)

// TestConfigValidate covers the rules the web app owns beside the public
// origin: the relying party, the sealing keys and a rotation's previous
// key. resetbot's config loader runs this Validate for the web section.
func TestConfigValidate(t *testing.T) {
	key := bytes.Repeat([]byte{1}, 32)
	valid := Config{PublicBaseURL: "https://reset.example.com", CSRFKey: bytes.Repeat([]byte{2}, 32), TOTPKey: key}
	tests := []struct {
		name   string
		change func(c *Config)
		want   string // the one problem's start; "" means none
	}{
		{"valid", func(*Config) {}, ""},
		{"rp id is the host", func(c *Config) { c.RPID = "reset.example.com" }, ""},
		{"rp id is a parent domain", func(c *Config) { c.RPID = "example.com" }, ""},
		{"rp id of another site", func(c *Config) { c.RPID = "evil.example.net" }, `rp_id: "evil.example.net" is neither the host of public_base_url (reset.example.com)`},
		{"rp id a suffix but no parent", func(c *Config) { c.RPID = "ample.com" }, `rp_id: "ample.com" is neither`},
		{"totp key of 16 bytes", func(c *Config) { c.TOTPKey = key[:16] }, "totp_key: must be 32 bytes"},
		{"previous key of 16 bytes", func(c *Config) { c.TOTPPreviousKeys = [][]byte{key[:16]} }, "totp_previous_keys[0]: must be 32 bytes"},
		{"previous key is the key", func(c *Config) { c.TOTPPreviousKeys = [][]byte{bytes.Clone(key)} }, "totp_previous_keys[0]: is the same key as totp_key"},
		{"previous key rotated", func(c *Config) { c.TOTPPreviousKeys = [][]byte{bytes.Repeat([]byte{3}, 32)} }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid
			tt.change(&c)
			errs := c.Validate()
			if tt.want == "" {
				if len(errs) != 0 {
					t.Fatalf("Validate = %v, want none", errs)
				}
				return
			}
			if len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), tt.want) {
				t.Fatalf("Validate = %v, want one problem starting %q", errs, tt.want)
			}
		})
	}
}
