package config

import "time"

// Web is the web app behind the links.
type Web struct {
	// RPID is the WebAuthn relying-party id; default: the host of
	// server.public_base_url. Passkeys are bound to it: changing it later
	// orphans every enrolled passkey.
	RPID string `yaml:"rp_id"`
	// RPName is what the phone shows when it asks to use a passkey, and
	// the issuer authenticator apps show for the code; default
	// Branding.CompanyName when set, else DefaultRPName.
	RPName string `yaml:"rp_name"`
	// AllowTOTP lets non-privileged users verify with an authenticator-app
	// code when they enrolled one (privileged accounts always need a
	// passkey).
	AllowTOTP bool `yaml:"allow_totp"`
	// ConfirmPassword adds a "type it again" field to the new-password
	// form (default: one field with a show toggle).
	ConfirmPassword bool `yaml:"confirm_password"`
	// Branding makes the pages the company's own.
	Branding Branding `yaml:"branding"`
	// TemplatesDir holds page templates that replace the built-in ones of
	// the same file name (docs/templates.md lists the names and the data
	// of each); parsed at start, so a broken one stops the start.
	TemplatesDir string `yaml:"templates_dir"`
	// TrustedProxies are CIDRs whose X-Forwarded-For is believed, for the
	// audit trail's source address only.
	TrustedProxies []string `yaml:"trusted_proxies"`
	// CSRFKey signs the landing page's CSRF tokens: at least 32 bytes, the
	// same on every replica.
	CSRFKey Secret `yaml:"csrf_key"`
	// TOTPKey encrypts TOTP secrets at rest (AES-256-GCM): exactly 32 bytes,
	// given base64-encoded. Losing it orphans every enrolled TOTP.
	TOTPKey Secret `yaml:"totp_key"`
	// TOTPPreviousKey is the key web.totp_key replaced: still read, never
	// written, so a key rotation needs no downtime. It stays until
	// `resetbot credentials rotate-key` reports nothing left under it.
	TOTPPreviousKey Secret `yaml:"totp_previous_key"`
	// CredentialsBackupKey encrypts the files of `resetbot credentials
	// export` and opens them for import: 32 bytes, base64. It is not the
	// TOTP key, so a backup's holder cannot read Redis dumps with it.
	CredentialsBackupKey Secret `yaml:"credentials_backup_key"`
	// BlocklistFile is a breached-password filter built with `resetbot
	// blocklist build`; without it only the built-in list of common
	// passwords is refused.
	BlocklistFile string `yaml:"blocklist_file"`
	// MinPasswordLength is resetbot's floor, applied even when the
	// directory allows shorter passwords.
	MinPasswordLength int `yaml:"min_password_length"`
	// MinStrength is the minimum zxcvbn score, 1..4.
	MinStrength int `yaml:"min_strength"`
}

// Branding is the company's name, logo and primary colour on every page; no page
// names resetbot unless configured to.
type Branding struct {
	// CompanyName is shown at the top of every page and in its title.
	CompanyName string `yaml:"company_name"`
	// PrimaryColor ("#1d4ed8") colours buttons, links and the progress bar.
	PrimaryColor string `yaml:"primary_color"`
	// LogoFile is a PNG, JPEG or SVG (at most 256 KiB) shown at the top of
	// every page, with company_name as its alt text; read at start.
	LogoFile string `yaml:"logo_file"`
}

// Helpdesk is who the helpdesk is and how users reach them.
type Helpdesk struct {
	// Group is the directory group (DN; nested membership counts) whose
	// members may push links, read reports and approve privileged resets.
	Group string `yaml:"group"`
	// Contact is how users reach a person, shown when the bot cannot help
	// ("#it-help", "ext. 4357").
	Contact string `yaml:"contact"`
	// CostPerTicket is one manual reset's cost, for the report's "tickets
	// avoided" figure, in Currency.
	CostPerTicket float64 `yaml:"cost_per_ticket"`
	Currency      string  `yaml:"currency"`
	// Timezone is the IANA zone times are shown in ("Europe/Berlin") when
	// the person's platform gives none.
	Timezone string `yaml:"timezone"`
	// Language is the helpdesk channel's language and everyone's whose
	// platform gives none: a catalogue tag ("en", "de", "fr", "es").
	Language string `yaml:"language"`
	// ApproverPasskey makes an Approve click count only after the approver
	// confirms it with their own passkey through a private link, so a
	// hijacked chat session cannot approve anything.
	ApproverPasskey bool `yaml:"approver_passkey"`
}

// Alerts are the helpdesk channel's warnings.
type Alerts struct {
	// SpikeRequests alerts when this many requests arrive within
	// SpikeWindow (-1: off).
	SpikeRequests int           `yaml:"spike_requests"`
	SpikeWindow   time.Duration `yaml:"spike_window"`
	// DepartmentRequests alerts when one department reaches this many
	// requests within SpikeWindow (0: off).
	DepartmentRequests int `yaml:"department_requests"`
	// FailedVerifications warns when one account fails this many
	// verifications within an hour (-1: off).
	FailedVerifications int `yaml:"failed_verifications"`
}

// Slack is the Slack app. It is used when identity.slack is set.
type Slack struct {
	// Mode is http (Slack calls our endpoints) or socket (we connect out).
	Mode string `yaml:"mode"`
	// SigningSecret verifies every request in http mode.
	SigningSecret Secret `yaml:"signing_secret"`
	// BotToken (xoxb-) authenticates Web API calls.
	BotToken Secret `yaml:"bot_token"`
	// AppToken (xapp-) opens the Socket Mode connection in socket mode.
	AppToken Secret `yaml:"app_token"`
	// APIURL is the Web API base URL (Enterprise Grid proxies); ends in /.
	APIURL string `yaml:"api_url"`
	// HelpdeskChannel is the channel id (C…) of the helpdesk threads.
	HelpdeskChannel string `yaml:"helpdesk_channel"`
	// HelpdeskUsergroup is an optional user group id (S…) whose members
	// count as helpdesk besides helpdesk.group.
	HelpdeskUsergroup string `yaml:"helpdesk_usergroup"`
	// TeamID is the workspace (T…) or Enterprise Grid organisation (E…)
	// served; required, requests from any other are refused.
	TeamID string `yaml:"team_id"`
	// AppID is the Slack app's id (A…); optional, when set requests for
	// any other app are refused.
	AppID string `yaml:"app_id"`
}

// Teams is the Microsoft Teams bot. It is used when identity.teams is set.
type Teams struct {
	// AppID is the bot's Microsoft app id (the JWT audience).
	AppID string `yaml:"app_id"`
	// AppPassword is the app's client secret, for outbound tokens.
	AppPassword Secret `yaml:"app_password"`
	// TenantID is the company's Entra tenant; required, activities from
	// any other tenant are refused.
	TenantID string `yaml:"tenant_id"`
	// HelpdeskChannelID is the Teams channel id ("19:…@thread.tacv2").
	HelpdeskChannelID string `yaml:"helpdesk_channel_id"`
	// HelpdeskServiceURL is the Bot Framework service URL of the team.
	HelpdeskServiceURL string `yaml:"helpdesk_service_url"`
	// OpenIDMetadataURL and TokenURL override Microsoft's endpoints (for
	// sovereign clouds and tests).
	OpenIDMetadataURL string `yaml:"openid_metadata_url"`
	TokenURL          string `yaml:"token_url"`
}

// Discord is the Discord application. It is used when identity.discord is
// set.
type Discord struct {
	// ApplicationID is the application's id.
	ApplicationID string `yaml:"application_id"`
	// PublicKey (hex) verifies every interaction's Ed25519 signature.
	PublicKey string `yaml:"public_key"`
	// BotToken authenticates REST calls.
	BotToken Secret `yaml:"bot_token"`
	// HelpdeskChannelID is the channel where each flow gets a thread.
	HelpdeskChannelID string `yaml:"helpdesk_channel_id"`
	// APIURL overrides Discord's API base URL (proxies, tests).
	APIURL string `yaml:"api_url"`
}
