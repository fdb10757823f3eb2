package config

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net"
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
	for i, cidr := range w.TrustedProxies {
		if _, _, err := net.ParseCIDR(cidr); err != nil {
			v.add(fmt.Sprintf("web.trusted_proxies[%d]", i), "%q is not a CIDR like 10.0.0.0/8", cidr)
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
	if !w.CSRFKey.IsSet() {
		v.add("web.csrf_key", "required: a random secret of at least 32 bytes ({env: NAME} or {file: PATH})")
	}
	if !w.TOTPKey.IsSet() {
		v.add("web.totp_key", "required: 32 random bytes, base64-encoded ({env: NAME} or {file: PATH})")
	}
}

func (v *validator) helpdesk() {
	h := v.c.Helpdesk
	v.dn("helpdesk.group", h.Group, false)
	if h.CostPerTicket < 0 {
		v.add("helpdesk.cost_per_ticket", "%v is negative", h.CostPerTicket)
	}
	if _, err := time.LoadLocation(h.Timezone); err != nil {
		v.add("helpdesk.timezone", "%q is not an IANA time zone like Europe/Berlin", h.Timezone)
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

// platforms checks the section of every platform identity enables.
func (v *validator) platforms() {
	if _, on := v.c.Identity[PlatformSlack]; on {
		s := v.c.Slack
		v.oneOf("slack.mode", s.Mode, "http", "socket")
		if s.Mode == "http" && !s.SigningSecret.IsSet() {
			v.add("slack.signing_secret", "required in http mode")
		}
		if s.Mode == "socket" && !s.AppToken.IsSet() {
			v.add("slack.app_token", "required in socket mode")
		}
		if !s.BotToken.IsSet() {
			v.add("slack.bot_token", "required")
		}
		if !slackChannel.MatchString(s.HelpdeskChannel) {
			v.add("slack.helpdesk_channel", "%q is not a channel id like C0123ABCD (names change, ids do not)", s.HelpdeskChannel)
		}
		if s.HelpdeskUsergroup != "" && !slackUsergroup.MatchString(s.HelpdeskUsergroup) {
			v.add("slack.helpdesk_usergroup", "%q is not a user group id like S0123ABCD", s.HelpdeskUsergroup)
		}
		if s.APIURL != "" && !strings.HasSuffix(s.APIURL, "/") {
			v.add("slack.api_url", "%q must end with /", s.APIURL)
		}
		if !slackTeam.MatchString(s.TeamID) {
			v.add("slack.team_id", "required: the workspace id (T…), or the Enterprise Grid organisation id (E…) for an org-wide install; requests from any other workspace are refused")
		}
		if s.AppID != "" && !slackApp.MatchString(s.AppID) {
			v.add("slack.app_id", "%q is not an app id like A0123ABCD", s.AppID)
		}
	}
	if _, on := v.c.Identity[PlatformTeams]; on {
		t := v.c.Teams
		if t.AppID == "" {
			v.add("teams.app_id", "required")
		}
		if !t.AppPassword.IsSet() {
			v.add("teams.app_password", "required")
		}
		switch {
		case t.TenantID == "":
			v.add("teams.tenant_id", "required: the Directory (tenant) ID of your Entra tenant; activities from any other tenant are refused")
		case !guidPattern.MatchString(t.TenantID):
			v.add("teams.tenant_id", "%q is not a GUID (the Directory (tenant) ID of your Entra tenant)", t.TenantID)
		}
		if t.HelpdeskChannelID == "" {
			v.add("teams.helpdesk_channel_id", "required")
		}
		if u, err := url.Parse(t.HelpdeskServiceURL); err != nil || u.Scheme != "https" || u.Host == "" {
			v.add("teams.helpdesk_service_url", "%q is not an https URL", t.HelpdeskServiceURL)
		}
	}
	if _, on := v.c.Identity[PlatformDiscord]; on {
		d := v.c.Discord
		if d.ApplicationID == "" {
			v.add("discord.application_id", "required")
		}
		if !hexKey.MatchString(d.PublicKey) {
			v.add("discord.public_key", "required: the application's public key, 64 hex digits")
		}
		if !d.BotToken.IsSet() {
			v.add("discord.bot_token", "required")
		}
		if d.HelpdeskChannelID == "" {
			v.add("discord.helpdesk_channel_id", "required")
		}
		if v.c.Identity[PlatformDiscord].By == ByEmail {
			v.add("identity.discord.by", "Discord gives bots no email: use chat_id_attribute")
		}
	}
}

// checkKeys checks resolved key material; it runs after secrets resolve.
func (c *Config) checkKeys() []error {
	var probs []error
	if c.Web.CSRFKey.IsSet() && c.Web.CSRFKey.Reveal() != "" && len(c.Web.CSRFKey.Reveal()) < 32 {
		probs = append(probs, c.problemf("web.csrf_key", "is shorter than 32 bytes"))
	}
	if c.Web.TOTPKey.IsSet() && c.Web.TOTPKey.Reveal() != "" {
		if _, err := c.TOTPKeyBytes(); err != nil {
			probs = append(probs, c.problemf("web.totp_key", "%v", err))
		}
	}
	return probs
}

// TOTPKeyBytes decodes web.totp_key (base64, or 64 hex digits).
func (c *Config) TOTPKeyBytes() ([]byte, error) {
	raw := strings.TrimSpace(c.Web.TOTPKey.Reveal())
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
