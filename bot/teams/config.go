package teams

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
)

// Platform is the flows.ChatIdentity platform name of Teams users. Their
// UserID is the Entra object id (aadObjectId): immutable and the same in
// every conversation, unlike the per-app "29:" ids.
const Platform = "teams"

// Microsoft's public endpoints, the defaults of Config.
const (
	// DefaultOpenIDMetadataURL lists the keys that sign Bot Framework tokens.
	DefaultOpenIDMetadataURL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
	// DefaultServiceURL is the global Teams connector, used for users and
	// the helpdesk channel before an activity told us their regional one.
	DefaultServiceURL = "https://smba.trafficmanager.net/teams/"
	// tokenURLFormat builds the client-credentials endpoint of the tenant.
	tokenURLFormat = "https://login.microsoftonline.com/%s/oauth2/v2.0/token"
)

// Config is the teams section of resetbot's configuration. Secrets arrive
// here already resolved (the caller handles env and file references), so
// this package never reads the environment.
type Config struct {
	// AppID is the bot's Microsoft App ID (the Entra app registration's
	// client id). Inbound tokens must carry it as audience.
	AppID string
	// AppPassword is the app registration's client secret, used only to
	// obtain outbound tokens.
	AppPassword string
	// TenantID is the company's Entra tenant (Directory ID). Required: a
	// bot that serves one company serves one tenant, and an activity from
	// any other tenant is refused before it is read further (tenant.go).
	// Microsoft stopped the creation of multi-tenant bots in 2025; an older
	// multi-tenant registration sets TokenURL to the botframework.com
	// authority and still names its company's tenant here.
	TenantID string
	// HelpdeskChannelID is the Teams channel id (19:…@thread.tacv2) where
	// every flow gets its conversation. An id, not a name: names change.
	HelpdeskChannelID string
	// HelpdeskServiceURL is the connector base URL used for the helpdesk
	// channel and for users no activity has come from yet; empty means
	// DefaultServiceURL.
	HelpdeskServiceURL string
	// OpenIDMetadataURL is where the token signing keys are found; empty
	// means DefaultOpenIDMetadataURL. Tests point it at a fake.
	OpenIDMetadataURL string
	// TokenURL overrides the client-credentials endpoint; empty means the
	// Entra endpoint of TenantID. Tests point it at a fake.
	TokenURL string
}

var (
	guid      = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	channelID = regexp.MustCompile(`^19:[^\s/?#]+@thread\.(tacv2|skype)$`)
)

func (c Config) serviceURL() string {
	if c.HelpdeskServiceURL == "" {
		return DefaultServiceURL
	}
	return c.HelpdeskServiceURL
}

func (c Config) metadataURL() string {
	if c.OpenIDMetadataURL == "" {
		return DefaultOpenIDMetadataURL
	}
	return c.OpenIDMetadataURL
}

func (c Config) tokenURL() string {
	if c.TokenURL != "" {
		return c.TokenURL
	}
	return fmt.Sprintf(tokenURLFormat, c.TenantID)
}

// Validate reports every problem in the configuration at once, so an
// administrator fixes their file in one round. Each problem starts with the
// key of the section it is about ("bot_token: ") and never quotes a secret;
// resetbot's config loader runs this same function, so `config check` and
// `serve` refuse the same files.
func (c Config) Validate() []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	switch {
	case c.AppID == "":
		add("app_id: required (the bot's Microsoft App ID; inbound tokens are checked against it)")
	case !guid.MatchString(c.AppID):
		add("app_id: %q is not a GUID", c.AppID)
	}
	if c.AppPassword == "" {
		add("app_password: required (the client secret that obtains outbound tokens)")
	}
	switch {
	case c.TenantID == "":
		add("tenant_id: required (the company's Entra tenant id; activities from any other tenant are refused)")
	case !guid.MatchString(c.TenantID):
		add("tenant_id: %q is not a GUID (the Directory (tenant) ID of the Entra tenant)", c.TenantID)
	}
	switch {
	case c.HelpdeskChannelID == "":
		add("helpdesk_channel_id: required (the channel id, 19:…@thread.tacv2, where reset threads are posted)")
	case !channelID.MatchString(c.HelpdeskChannelID):
		add("helpdesk_channel_id: %q is not a channel id (19:…@thread.tacv2; names change, ids do not)", c.HelpdeskChannelID)
	}
	for _, u := range []struct{ key, val string }{
		{"helpdesk_service_url", c.HelpdeskServiceURL},
		{"openid_metadata_url", c.OpenIDMetadataURL},
		{"token_url", c.TokenURL},
	} {
		if u.val == "" {
			continue
		}
		if err := checkURL(u.val); err != nil {
			add("%s: %v", u.key, err)
		}
	}
	return errs
}

// checkURL accepts https URLs, and http only on loopback addresses (a
// local fake): keys, tokens and secrets never travel in clear text.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return err
	case u.Host == "":
		return fmt.Errorf("%q has no host", raw)
	case u.User != nil:
		return fmt.Errorf("credentials do not belong in the URL")
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && isLoopback(u.Hostname()):
		return nil
	}
	return fmt.Errorf("%q is not an https URL", raw)
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
