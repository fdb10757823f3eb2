package discord

import (
	"encoding/hex"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// DefaultAPIURL is Discord's REST API, the version discordgo speaks.
// Proxies and tests point Config.APIURL elsewhere.
var DefaultAPIURL = discordgo.EndpointAPI

// Config is the discord section of resetbot's configuration. Secrets arrive
// here already resolved (the caller handles env and file references), so
// this package never reads the environment.
type Config struct {
	// ApplicationID is the application's id (General Information in the
	// developer portal); interaction follow-ups are addressed with it.
	ApplicationID string
	// PublicKey is the application's Ed25519 public key, hex encoded, that
	// every inbound interaction is verified with.
	PublicKey string
	// BotToken authenticates REST calls (without the "Bot " prefix).
	BotToken string
	// HelpdeskChannelID is the text channel where every flow gets a
	// parent message and a thread. An id, not a name: names change.
	HelpdeskChannelID string
	// APIURL is the REST API base URL; empty means DefaultAPIURL.
	APIURL string
}

// snowflake is a Discord id: a 64-bit integer in decimal.
var snowflake = regexp.MustCompile(`^[0-9]{1,20}$`)

// apiURL returns the REST API base URL with its default applied and a
// trailing slash, as discordgo's endpoints are built.
func (c Config) apiURL() string {
	if c.APIURL == "" {
		return DefaultAPIURL
	}
	if !strings.HasSuffix(c.APIURL, "/") {
		return c.APIURL + "/"
	}
	return c.APIURL
}

// publicKey decodes PublicKey; Validate has checked it.
func (c Config) publicKey() []byte {
	k, _ := hex.DecodeString(c.PublicKey)
	return k
}

// Validate reports every problem in the configuration at once, so an
// administrator fixes their file in one round. Each problem starts with the
// key of the section it is about ("bot_token: ") and never quotes a secret;
// resetbot's config loader runs this same function, so `config check` and
// `serve` refuse the same files.
func (c Config) Validate() []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if c.ApplicationID == "" {
		add("application_id: required (General Information > Application ID)")
	} else if !snowflake.MatchString(c.ApplicationID) {
		add("application_id: %q is not a Discord id (digits only)", c.ApplicationID)
	}
	if c.PublicKey == "" {
		add("public_key: required (every interaction is verified with it)")
	} else if k, err := hex.DecodeString(c.PublicKey); err != nil || len(k) != 32 {
		add("public_key: is not a 64-digit hex Ed25519 public key")
	}
	switch {
	case c.BotToken == "":
		add("bot_token: required (Bot > Token; it posts messages)")
	case strings.HasPrefix(c.BotToken, "Bot "):
		add(`bot_token: give the token without the "Bot " prefix`)
	case strings.ContainsAny(c.BotToken, " \t\r\n"):
		add("bot_token: contains white space")
	}
	if c.HelpdeskChannelID == "" {
		add("helpdesk_channel_id: required (the channel id where reset threads are posted)")
	} else if !snowflake.MatchString(c.HelpdeskChannelID) {
		add("helpdesk_channel_id: %q is not a channel id (digits only; names change, ids do not)", c.HelpdeskChannelID)
	}
	if err := validateAPIURL(c.APIURL); err != nil {
		errs = append(errs, err)
	}
	return errs
}

// validateAPIURL checks an api_url setting; empty is the default.
func validateAPIURL(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return fmt.Errorf("api_url: %w", err)
	case u.Scheme != "https" && u.Scheme != "http":
		return fmt.Errorf("api_url: %q is not an http(s) URL", s)
	case u.Host == "":
		return fmt.Errorf("api_url: %q has no host", s)
	case u.User != nil:
		return fmt.Errorf("api_url: credentials do not belong in the URL")
	case u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("api_url: %q must not have a query or fragment", s)
	}
	return nil
}
