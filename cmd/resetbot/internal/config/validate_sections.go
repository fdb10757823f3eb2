package config

import (
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// totpKeySize is the AES-256 key size of web.totp_key.
const totpKeySize = 32

func (v *validator) web() {
	w := v.c.Web
	v.between("web.min_password_length", w.MinPasswordLength, 8, 128)
	v.between("web.min_strength", w.MinStrength, 1, 4)
	for _, k := range []struct {
		path string
		s    Secret
	}{{"web.totp_previous_key", w.TOTPPreviousKey}, {"web.credentials_backup_key", w.CredentialsBackupKey}} {
		if k.s.Reveal() != "" {
			if _, err := decodeKey(k.s); err != nil {
				v.add(k.path, "%v", err)
			}
		}
	}
	if prev, cur := w.TOTPPreviousKey.Reveal(), w.TOTPKey.Reveal(); prev != "" && cur != "" {
		p, errP := decodeKey(w.TOTPPreviousKey)
		c, errC := decodeKey(w.TOTPKey)
		if errP == nil && errC == nil && string(p) == string(c) {
			v.add("web.totp_previous_key", "is the same key as web.totp_key: during a rotation it is the old key, afterwards remove it")
		}
	}
	if w.RPID != "" {
		host := ""
		if u, err := url.Parse(v.c.Server.PublicBaseURL); err == nil {
			host = u.Hostname()
		}
		if host != "" && host != w.RPID && !strings.HasSuffix(host, "."+w.RPID) {
			v.add("web.rp_id", "%q is neither the host of server.public_base_url (%s) nor a parent domain of it", w.RPID, host)
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

var (
	slackChannel   = regexp.MustCompile(`^[CG][A-Z0-9]{2,}$`)
	slackUsergroup = regexp.MustCompile(`^S[A-Z0-9]{2,}$`)
	slackTeam      = regexp.MustCompile(`^[TE][A-Z0-9]{2,}$`)
	slackApp       = regexp.MustCompile(`^A[A-Z0-9]{2,}$`)
	hexKey         = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)
	guidPattern    = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

// platforms checks what the identity mapping needs of a platform; each
// platform's own settings are its package's rules (packages).
func (v *validator) platforms() {
	if v.c.Identity[PlatformDiscord].By == ByEmail {
		v.add("identity.discord.by", "Discord gives bots no email: use chat_id_attribute")
	}
}

// TOTPKeyBytes decodes web.totp_key (base64, or 64 hex digits).
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

// CredentialsBackupKeyBytes decodes web.credentials_backup_key.
func (c *Config) CredentialsBackupKeyBytes() ([]byte, error) {
	return decodeKey(c.Web.CredentialsBackupKey)
}

// decodeKey decodes a 32-byte key given base64-encoded or as 64 hex digits.
func decodeKey(s Secret) ([]byte, error) {
	raw := strings.TrimSpace(s.Reveal())
	var key []byte
	var err error
	if hexKey.MatchString(raw) {
		key, err = hex.DecodeString(raw)
	} else {
		key, err = base64.StdEncoding.DecodeString(raw)
	}
	if err != nil || len(key) != totpKeySize {
		return nil, errTOTPKey
	}
	return key, nil
}

// errTOTPKey never quotes the key.
var errTOTPKey = errorString("must be 32 bytes, base64-encoded (openssl rand -base64 32)")

type errorString string

func (e errorString) Error() string { return string(e) }
