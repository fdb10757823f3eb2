package slack

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// Ingress modes. HTTP needs a public endpoint and the signing secret;
// Socket Mode needs only outbound connections and an app-level token.
const (
	ModeHTTP   = "http"
	ModeSocket = "socket"
)

// DefaultAPIURL is Slack's public Web API. Enterprise Grid proxies and
// tests point APIURL elsewhere.
const DefaultAPIURL = "https://slack.com/api/"

// Config is the slack section of resetbot's configuration. Secrets arrive
// here already resolved (the caller handles env and file references), so
// this package never reads the environment.
type Config struct {
	// Mode is how Slack reaches us: "http" (default) or "socket".
	Mode string
	// SigningSecret verifies every HTTP request (HTTP mode only).
	SigningSecret string
	// BotToken (xoxb-) authenticates outbound Web API calls.
	BotToken string
	// AppToken (xapp-) opens the Socket Mode connection (socket mode only).
	AppToken string
	// APIURL is the Web API base URL; empty means DefaultAPIURL. It must
	// end with a slash because slack-go appends method names to it.
	APIURL string
	// HelpdeskChannel is the channel id (C…, G…) where every flow gets its
	// thread. An id, not a name: names change, ids do not.
	HelpdeskChannel string
	// HelpdeskUsergroup is an optional Slack user group id (S…) whose
	// members count as helpdesk in addition to the directory group.
	HelpdeskUsergroup string
	// TeamID is the company's workspace id (T…), or for an app installed
	// org-wide on Enterprise Grid the organisation id (E…). Required:
	// commands and clicks from any other workspace are refused, whatever
	// their signature (workspace.go).
	TeamID string
	// AppID is the Slack app's id (A…). Optional: the signing secret and
	// the app-level token already belong to one app, so this is a second
	// check that a request is meant for this app; when set, requests
	// naming another api_app_id are refused.
	AppID string
}

var (
	channelID   = regexp.MustCompile(`^[CG][A-Z0-9]{2,}$`)
	usergroupID = regexp.MustCompile(`^S[A-Z0-9]{2,}$`)
	teamID      = regexp.MustCompile(`^[TE][A-Z0-9]{2,}$`)
	appID       = regexp.MustCompile(`^A[A-Z0-9]{2,}$`)
)

// mode returns the configured mode with its default applied.
func (c Config) mode() string {
	if c.Mode == "" {
		return ModeHTTP
	}
	return c.Mode
}

// apiURL returns the Web API base URL with its default applied.
func (c Config) apiURL() string {
	if c.APIURL == "" {
		return DefaultAPIURL
	}
	return c.APIURL
}

// Validate reports every problem in the configuration at once, so an
// administrator fixes their file in one round. Each problem starts with the
// key of the section it is about ("bot_token: ") and never quotes a secret;
// resetbot's config loader runs this same function, so `config check` and
// `serve` refuse the same files.
func (c Config) Validate() []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	mode := c.mode()
	switch mode {
	case ModeHTTP, ModeSocket:
	default:
		add("mode: %q is not %q or %q", c.Mode, ModeHTTP, ModeSocket)
	}
	if mode == ModeHTTP && c.SigningSecret == "" {
		add("signing_secret: required in http mode (every request is verified with it)")
	}
	if c.BotToken == "" {
		add("bot_token: required (the xoxb- token that posts messages)")
	} else if !strings.HasPrefix(c.BotToken, "xoxb-") {
		add("bot_token: is not a bot token (it must start with xoxb-)")
	}
	switch {
	case mode == ModeSocket && c.AppToken == "":
		add("app_token: required in socket mode (the xapp- token with connections:write)")
	case c.AppToken != "" && !strings.HasPrefix(c.AppToken, "xapp-"):
		add("app_token: is not an app-level token (it must start with xapp-)")
	}
	if c.APIURL != "" {
		u, err := url.Parse(c.APIURL)
		switch {
		case err != nil:
			add("api_url: %v", err)
		case u.Scheme != "https" && u.Scheme != "http":
			add("api_url: %q is not an http(s) URL", c.APIURL)
		case u.Host == "":
			add("api_url: %q has no host", c.APIURL)
		case u.User != nil:
			add("api_url: credentials do not belong in the URL")
		case !strings.HasSuffix(u.Path, "/"):
			add("api_url: %q must end with a slash (method names are appended to it)", c.APIURL)
		}
	}
	if c.HelpdeskChannel == "" {
		add("helpdesk_channel: required (the channel id, e.g. C0123ABCD, where reset threads are posted)")
	} else if !channelID.MatchString(c.HelpdeskChannel) {
		add("helpdesk_channel: %q is not a channel id (C… or G…; names change, ids do not)", c.HelpdeskChannel)
	}
	if c.HelpdeskUsergroup != "" && !usergroupID.MatchString(c.HelpdeskUsergroup) {
		add("helpdesk_usergroup: %q is not a user group id (S…)", c.HelpdeskUsergroup)
	}
	if c.TeamID == "" {
		add("team_id: required (the workspace id, T…, or the Enterprise Grid organisation id, E…; requests from any other workspace are refused)")
	} else if !teamID.MatchString(c.TeamID) {
		add("team_id: %q is not a workspace id (T…) or organisation id (E…)", c.TeamID)
	}
	if c.AppID != "" && !appID.MatchString(c.AppID) {
		add("app_id: %q is not an app id (A…)", c.AppID)
	}
	return errs
}
