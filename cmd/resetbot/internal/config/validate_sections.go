package config

import (
	"encoding/base64"
	"encoding/hex"
	"regexp"
	"strings"
	"time"

	"github.com/resetbot/resetbot/credentials/seal"
)

// web checks the spelling of the section's keys: the web app's own rules
// (the public origin, rp_id, the keys' sizes, a previous key that is the
// current one) are its package's (packages), and the backup key is judged
// here because no package has a configuration for it.
func (v *validator) web() {
	w := v.c.Web
	v.between("web.min_password_length", w.MinPasswordLength, 8, 128)
	v.between("web.min_strength", w.MinStrength, 1, 4)
	for _, k := range []struct {
		path string
		s    Secret
	}{{"web.totp_key", w.TOTPKey}, {"web.totp_previous_key", w.TOTPPreviousKey}} {
		if k.s.Reveal() != "" {
			if _, err := decodeKey(k.s); err != nil {
				v.add(k.path, "%v", err)
			}
		}
	}
	if w.CredentialsBackupKey.Reveal() != "" {
		if _, err := v.c.CredentialsBackupKeyBytes(); err != nil {
			v.add("web.credentials_backup_key", "%v", err)
		}
	}
}

func (v *validator) helpdesk() {
	h := v.c.Helpdesk
	v.dn("helpdesk.group", h.Group, false)
	if h.CostPerTicket < 0 {
		v.add("helpdesk.cost_per_ticket", "%v is negative", h.CostPerTicket)
	}
}

func (v *validator) alerts() {
	a := v.c.Alerts
	if a.SpikeRequests < -1 {
		v.add("alerts.spike_requests", "%d: use a positive number, or -1 for off", a.SpikeRequests)
	}
	if a.SpikeWindow < time.Minute || a.SpikeWindow > 24*time.Hour {
		v.add("alerts.spike_window", "%s is out of range 1m..24h", a.SpikeWindow)
	}
	if a.DepartmentRequests < 0 {
		v.add("alerts.department_requests", "%d is negative", a.DepartmentRequests)
	}
	if a.FailedVerifications < -1 {
		v.add("alerts.failed_verifications", "%d: use a positive number, or -1 for off", a.FailedVerifications)
	}
}

// platforms checks what the identity mapping needs of a platform; each
// platform's own settings are its package's rules (packages).
func (v *validator) platforms() {
	if v.c.Identity[PlatformDiscord].By == ByEmail {
		v.add("identity.discord.by", "Discord gives bots no email: use chat_id_attribute")
	}
}

// TOTPKeyBytes decodes web.totp_key (base64, or 64 hex digits); its size
// is the web app's rule, which Validate ran.
func (c *Config) TOTPKeyBytes() ([]byte, error) { return decodeKey(c.Web.TOTPKey) }

// TOTPPreviousKeys decodes web.totp_previous_key: none if it is not set.
func (c *Config) TOTPPreviousKeys() ([][]byte, error) {
	if c.Web.TOTPPreviousKey.Reveal() == "" {
		return nil, nil
	}
	k, err := decodeKey(c.Web.TOTPPreviousKey)
	if err != nil {
		return nil, err
	}
	return [][]byte{k}, nil
}

// CredentialsBackupKeyBytes decodes web.credentials_backup_key, a key of
// the size the sealed backup needs.
func (c *Config) CredentialsBackupKeyBytes() ([]byte, error) {
	key, err := decodeKey(c.Web.CredentialsBackupKey)
	if err == nil && len(key) != seal.KeySize {
		return nil, errKeyText
	}
	return key, err
}

// hexKey is a key written as 64 hex digits.
var hexKey = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)

// decodeKey decodes a key given base64-encoded or as 64 hex digits: the
// file's spelling of a key. How long it must be is the rule of whoever
// uses it.
func decodeKey(s Secret) ([]byte, error) {
	raw := strings.TrimSpace(s.Reveal())
	if hexKey.MatchString(raw) {
		return hex.DecodeString(raw)
	}
	key, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return nil, errKeyText
	}
	return key, nil
}

// errKeyText never quotes the key.
var errKeyText = errorString("must be 32 bytes, base64-encoded (openssl rand -base64 32)")

type errorString string

func (e errorString) Error() string { return string(e) }
