package config

import (
	"regexp"
	"strings"

	"github.com/resetbot/resetbot/bot/discord"
	"github.com/resetbot/resetbot/bot/slack"
	"github.com/resetbot/resetbot/bot/teams"
	"github.com/resetbot/resetbot/directory/ldap"
	"github.com/resetbot/resetbot/internal/i18n"
	"github.com/resetbot/resetbot/webauth"
)

// The sections below are handed to their packages as those packages' own
// Config, through these functions only: `serve` builds its components from
// them and Validate runs the packages' own Validate on them, so the file
// `config check` accepts is the file `serve` starts with.

// LDAP is the directory section as the LDAP backend's configuration.
func (d Directory) LDAP() ldap.Config {
	return ldap.Config{
		Flavour:          ldap.Flavour(d.Flavour),
		URLs:             d.URLs,
		StartTLS:         d.StartTLS,
		CAFile:           d.CAFile,
		ServerName:       d.ServerName,
		BindDN:           d.BindDN,
		BindPassword:     d.BindPassword.Reveal(),
		UserBaseDN:       d.UserBaseDN,
		GroupBaseDN:      d.GroupBaseDN,
		PasswordPolicyDN: d.PasswordPolicyDN,
		GroupMembership:  ldap.GroupMembership(d.GroupMembership),
		AccountAttr:      d.AccountAttribute,
		EmailAttr:        d.EmailAttribute,
		ChatIDAttrs:      d.ChatIDAttributes,
		Timeout:          d.Timeout,
		PoolSize:         d.PoolSize,
		EnforceHistory:   d.EnforceHistory,
	}
}

// App is the slack section as the Slack package's configuration.
func (s Slack) App() slack.Config {
	return slack.Config{
		Mode:              s.Mode,
		SigningSecret:     s.SigningSecret.Reveal(),
		BotToken:          s.BotToken.Reveal(),
		AppToken:          s.AppToken.Reveal(),
		APIURL:            s.APIURL,
		HelpdeskChannel:   s.HelpdeskChannel,
		HelpdeskUsergroup: s.HelpdeskUsergroup,
		TeamID:            s.TeamID,
		AppID:             s.AppID,
	}
}

// App is the teams section as the Teams package's configuration.
func (t Teams) App() teams.Config {
	return teams.Config{
		AppID:              t.AppID,
		AppPassword:        t.AppPassword.Reveal(),
		TenantID:           t.TenantID,
		HelpdeskChannelID:  t.HelpdeskChannelID,
		HelpdeskServiceURL: t.HelpdeskServiceURL,
		OpenIDMetadataURL:  t.OpenIDMetadataURL,
		TokenURL:           t.TokenURL,
	}
}

// App is the discord section as the Discord package's configuration.
func (d Discord) App() discord.Config {
	return discord.Config{
		ApplicationID:     d.ApplicationID,
		PublicKey:         d.PublicKey,
		BotToken:          d.BotToken.Reveal(),
		HelpdeskChannelID: d.HelpdeskChannelID,
		APIURL:            d.APIURL,
	}
}

// WebApp is the web section (with the public origin and the key prefix) as
// the web app's configuration. A key that does not decode is handed on
// empty; Validate has named it already.
func (c *Config) WebApp() webauth.Config {
	totpKey, _ := c.TOTPKeyBytes()
	previous, _ := c.TOTPPreviousKeys()
	var csrf []byte
	if k := c.Web.CSRFKey.Reveal(); k != "" {
		csrf = []byte(k)
	}
	return webauth.Config{
		PublicBaseURL:   c.Server.PublicBaseURL,
		RPID:            c.Web.RPID,
		RPName:          c.Web.RPName,
		AllowTOTP:       c.Web.AllowTOTP,
		ConfirmPassword: c.Web.ConfirmPassword,
		Language:        c.Helpdesk.Language,
		HelpdeskContact: c.Helpdesk.Contact,
		Branding: webauth.Branding{
			CompanyName: c.Web.Branding.CompanyName, PrimaryColor: c.Web.Branding.PrimaryColor, LogoFile: c.Web.Branding.LogoFile,
		},
		TemplatesDir:     c.Web.TemplatesDir,
		TrustedProxies:   c.Web.TrustedProxies,
		CSRFKey:          csrf,
		TOTPKey:          totpKey,
		TOTPPreviousKeys: previous,
		KeyPrefix:        c.Redis.KeyPrefix + "web",
	}
}

// Locale is the helpdesk section's language and time zone as the message
// catalogue's fallback locale.
func (h Helpdesk) Locale() i18n.Config {
	return i18n.Config{Language: h.Language, TimeZone: h.Timezone}
}

// packageKey matches the key a package's problem starts with: "bot_token",
// "urls[1]", "chat_id_attributes.slack", "branding.logo_file".
var packageKey = regexp.MustCompile(`^[a-z_]+(\[[0-9]+\]|\.[a-z_]+)?$`)

// packages runs each configured package's own Validate and ties its
// problems to the file's key paths. Problems about a secret that is given
// but not resolved (offline), or about a file on the server's host
// (offline), are left out: only the host can judge them.
func (v *validator) packages() {
	c := v.c
	add := func(section string, errs []error, path func(key string) string) {
		for _, e := range errs {
			key, msg, ok := strings.Cut(e.Error(), ": ")
			if !ok || !packageKey.MatchString(key) {
				key, msg = "", e.Error()
			}
			p := path(key)
			if p == "" {
				p = section
			}
			if c.hostOnly(p) || v.reported(p) {
				continue
			}
			v.add(p, "%s", msg)
		}
	}
	in := func(section string) func(string) string {
		return func(key string) string {
			if key == "" {
				return ""
			}
			return section + "." + key
		}
	}
	add("helpdesk", c.Helpdesk.Locale().Validate(), in("helpdesk"))
	switch c.Directory.Flavour {
	case FlavourActiveDirectory, FlavourOpenLDAP, Flavour389DS:
		add("directory", c.Directory.LDAP().Validate(), in("directory"))
	}
	add("web", c.WebApp().Validate(), func(key string) string {
		switch key {
		case "public_base_url":
			return "server.public_base_url"
		case "totp_previous_keys[0]":
			return "web.totp_previous_key"
		}
		return in("web")(key)
	})
	if _, on := c.Identity[PlatformSlack]; on {
		add("slack", c.Slack.App().Validate(), in("slack"))
	}
	if _, on := c.Identity[PlatformTeams]; on {
		add("teams", c.Teams.App().Validate(), in("teams"))
	}
	if _, on := c.Identity[PlatformDiscord]; on {
		add("discord", c.Discord.App().Validate(), in("discord"))
	}
}

// hostOnly reports whether a problem at path can only be judged on the
// server's host and this load did not look there: a secret given by
// reference but not resolved, or a file checked offline.
func (c *Config) hostOnly(path string) bool {
	if s := c.secret(path); s != nil {
		return s.set && !s.ok
	}
	if !c.offline {
		return false
	}
	switch path {
	case "directory.ca_file", "web.branding.logo_file", "web.templates_dir":
		return true
	}
	return false
}
