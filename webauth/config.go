package webauth

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/credentials"
	"github.com/resetbot/resetbot/credentials/seal"
	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/webauth/password"
)

// Config is the web app's own configuration. Everything that ends up in a
// page a user trusts (link origins, the WebAuthn relying party) is here, so
// no request header can change it.
type Config struct {
	// PublicBaseURL is the only origin the app prints: links, the QR code
	// and the WebAuthn relying-party origin ("https://reset.example.com").
	PublicBaseURL string
	// RPID is the WebAuthn relying-party id; default: PublicBaseURL's host
	// name. Passkeys are bound to it, so changing it orphans them.
	RPID string
	// RPName is shown by the authenticator when it asks for consent;
	// default Branding.CompanyName, else "resetbot".
	RPName string
	// AllowTOTP lets non-privileged users verify with an authenticator-app
	// code when they enrolled one.
	AllowTOTP bool
	// TrustedProxies are CIDRs whose X-Forwarded-For header is believed for
	// the audit trail's source address. Nothing else is taken from proxies.
	TrustedProxies []string
	// ConfirmPassword adds a second "type it again" field to the new
	// password form. Off by default: the form has one field with a show
	// toggle, which catches typos as well without the second typing.
	ConfirmPassword bool
	// Language is the pages' language when neither the flow (its
	// person's chat language) nor the browser's Accept-Language names a
	// supported one; default English.
	Language string
	// Branding is the company's name and colour on every page.
	Branding Branding
	// HelpdeskContact is how a person reaches the helpdesk ("#it-help",
	// "ext. 4357"), named where a page sends them there (a request the
	// risk policy denied); default "the IT helpdesk".
	HelpdeskContact string
	// TimeZone is the zone times are shown in when the flow does not carry
	// the user's own (link expiry, "already changed at"); default UTC.
	TimeZone *time.Location
	// CheckRatePerMinute bounds the live password checks per flow, so the
	// breached-password endpoint cannot be used as an oracle; default 30.
	CheckRatePerMinute int
	// PasswordProofsPerDay bounds the current-password proofs (first
	// enrollment) per account and day; default 3, and never more than half
	// the directory's lockout threshold, so that wrong passwords typed here
	// cannot lock the account in the directory.
	PasswordProofsPerDay int
	// CSRFKey is the HMAC key of the stateless CSRF tokens; at least 32
	// bytes, the same on every replica.
	CSRFKey []byte
	// TOTPKey is the 32-byte AES-256 key that seals TOTP secrets: the same
	// key the credential store is given. A secret generated for enrollment
	// waits in Redis, sealed under it and bound to its flow and account,
	// until the user confirms it with a code; secrets never rest in the
	// clear, not even for those few minutes.
	TOTPKey []byte
	// TOTPPreviousKeys still open what they sealed (never seal), so a
	// pending enrollment sealed by a replica just before a key rotation
	// still opens on one that already seals with the new key.
	TOTPPreviousKeys [][]byte
	// KeyPrefix starts the Redis keys of WebAuthn ceremonies, pending TOTP
	// enrollments and check counters; default "rbweb".
	KeyPrefix string
	// TOTPIssuer names the account in authenticator apps; default RPName.
	TOTPIssuer string
	// TemplatesDir holds page templates that replace the built-in ones of
	// the same file name (layout.html, landing.html, ...; see
	// docs/templates.md for the names and the data each page gets). They
	// are parsed at start, so a broken one stops the start naming its
	// file; the pages' escaping and Content-Security-Policy stay as they
	// are. Empty: the built-in templates only.
	TemplatesDir string
	// SubmitWait bounds how long the password and unlock submits wait for
	// the directory write before the page answers "we are still writing"
	// and learns the outcome by polling; default 10 s. Keep it well under
	// the HTTP server's write timeout, or the browser gets no answer.
	SubmitWait time.Duration
}

// Branding is what makes the pages the company's own: staff are taught to
// trust their company's pages, so no page names resetbot unless configured.
type Branding struct {
	// CompanyName is shown at the top of every page and in its title.
	CompanyName string
	// PrimaryColor ("#1d4ed8") colours buttons, links and the progress
	// bar, as the CSS custom property --primary.
	PrimaryColor string
	// LogoFile is a PNG, JPEG or SVG file (at most 256 KiB, its type told
	// by its content) shown at the top of every page in place of the
	// company name, which becomes its alt text and so is required. It is
	// read at start and served from memory under a URL that carries its
	// content hash, cached for a year.
	LogoFile string
}

// hexColor is a CSS colour in #rgb or #rrggbb form: the only form the
// primary colour may take, so it cannot carry anything but a colour into
// the page's style attribute.
var hexColor = regexp.MustCompile(`^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)

// Deps are the collaborators of the web app.
type Deps struct {
	// Engine runs the flows; the app never touches flow state otherwise.
	Engine *flows.Engine
	// Directory checks the current password (enrollment proof) and gives
	// the facts the password checklist needs.
	Directory directory.Directory
	// Credentials holds the users' passkeys and TOTP secrets.
	Credentials credentials.Store
	// Passwords are resetbot's password settings (length floor, minimum
	// strength, breached-password blocklist) layered on the directory's
	// policy, which is read through directory.PolicyReader when the
	// backend offers it. The zero value is the recommended configuration.
	Passwords password.Options
	// Redis keeps short-lived server-side state: WebAuthn ceremony data and
	// pending TOTP secrets (sealed under Config.TOTPKey; never in a client
	// cookie), and check counters.
	Redis redis.UniversalClient
	// Countries names a client address's country for the country risk
	// signal (OpenCountryDB); nil: no country is looked up.
	Countries CountryReader
	// Logger receives the precise causes behind error ids.
	Logger *slog.Logger
	// Clock is the time source (tests inject one); default time.Now.
	Clock func() time.Time
}

// settings is Config validated and completed with defaults.
type settings struct {
	Config
	base    *url.URL
	origin  string
	proxies []*net.IPNet
	// logo is Branding.LogoFile as read at start (nil: none).
	logo *logo
	// templates are TemplatesDir's files by name, parsed once to check
	// them.
	templates map[string]string
}

// Validate reports every problem of the configuration at once. Each problem
// starts with the key of resetbot's file it is about ("public_base_url: "
// for server.public_base_url, the others are keys of the web section) and
// never quotes a key; resetbot's config loader runs this same function, so
// `config check` and `serve` refuse the same files.
func (c Config) Validate() []error {
	_, errs := c.settings()
	return errs
}

// validate is Validate for New, with the defaults filled in.
func (c Config) validate() (settings, error) {
	s, errs := c.settings()
	return s, errors.Join(errs...)
}

// settings checks c and fills in defaults.
func (c Config) settings() (settings, []error) {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	s := settings{Config: c}
	if u, err := publicBase(c.PublicBaseURL); err != nil {
		add("public_base_url: %v", err)
	} else {
		s.base = u
		s.origin = u.Scheme + "://" + u.Host
	}
	if s.RPID == "" && s.base != nil {
		s.RPID = s.base.Hostname()
	}
	if c.RPID != "" && s.base != nil {
		// WebAuthn accepts the origin's host or a parent domain of it
		// as the relying party; anything else fails every ceremony.
		if host := s.base.Hostname(); host != c.RPID && !strings.HasSuffix(host, "."+c.RPID) {
			add("rp_id: %q is neither the host of public_base_url (%s) nor a parent domain of it", c.RPID, host)
		}
	}
	if s.RPName == "" {
		// The phone's passkey prompt (and, through TOTPIssuer, the
		// authenticator app) names the company when it is configured.
		s.RPName = s.Branding.CompanyName
	}
	if s.RPName == "" {
		s.RPName = "resetbot"
	}
	if s.TOTPIssuer == "" {
		s.TOTPIssuer = s.RPName
	}
	if s.Branding.PrimaryColor != "" && !hexColor.MatchString(s.Branding.PrimaryColor) {
		add("branding: primary_color %q is not a colour like #1d4ed8", s.Branding.PrimaryColor)
	}
	if c.Branding.LogoFile != "" {
		if l, err := loadLogo(c.Branding.LogoFile); err != nil {
			add("branding.logo_file: %v", err)
		} else {
			s.logo = l
		}
		if c.Branding.CompanyName == "" {
			add("branding.logo_file: %v", errNoLogoName)
		}
	}
	if c.TemplatesDir != "" {
		t, err := loadOverrides(c.TemplatesDir)
		if err != nil {
			add("templates_dir: %v", err)
		} else {
			s.templates = t
		}
	}
	if s.TimeZone == nil {
		s.TimeZone = time.UTC
	}
	if s.CheckRatePerMinute <= 0 {
		s.CheckRatePerMinute = 30
	}
	if s.SubmitWait <= 0 {
		s.SubmitWait = 10 * time.Second
	}
	if s.KeyPrefix == "" {
		s.KeyPrefix = "rbweb"
	}
	switch {
	case len(c.CSRFKey) == 0:
		add("csrf_key: required: a random secret of at least 32 bytes ({env: NAME} or {file: PATH})")
	case len(c.CSRFKey) < 32:
		add("csrf_key: is shorter than 32 bytes (%d)", len(c.CSRFKey))
	}
	switch {
	case len(c.TOTPKey) == 0:
		add("totp_key: required: %d random bytes, base64-encoded (openssl rand -base64 32)", seal.KeySize)
	case len(c.TOTPKey) != seal.KeySize:
		add("totp_key: must be %d bytes, base64-encoded (openssl rand -base64 32)", seal.KeySize)
	}
	for i, k := range c.TOTPPreviousKeys {
		switch {
		case len(k) != seal.KeySize:
			add("totp_previous_keys[%d]: must be %d bytes, base64-encoded (openssl rand -base64 32)", i, seal.KeySize)
		case bytes.Equal(k, c.TOTPKey):
			add("totp_previous_keys[%d]: is the same key as totp_key: during a rotation it is the old key, afterwards remove it", i)
		}
	}
	for i, p := range c.TrustedProxies {
		_, n, err := net.ParseCIDR(p)
		if err != nil {
			add("trusted_proxies[%d]: %q is not a CIDR like 10.0.0.0/8", i, p)
			continue
		}
		s.proxies = append(s.proxies, n)
	}
	return s, errs
}

// publicBase checks the one origin links are built from: https, or http
// on a loopback name for development; scheme://host[:port] and nothing
// else (the app owns its origin: __Host- cookies need Path=/).
func publicBase(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New("required: the https origin reset links are built from, e.g. https://reset.example.com")
	}
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	switch {
	case err != nil || u.Host == "" || u.Opaque != "":
		return nil, fmt.Errorf("%q is not an absolute URL", raw)
	case u.Scheme == "http" && !isLoopbackHost(u.Hostname()):
		return nil, errors.New("http:// is allowed only for localhost or 127.0.0.1 (development); use https://")
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, fmt.Errorf("scheme %q: use https://", u.Scheme)
	case u.User != nil:
		return nil, errors.New("must not contain user info")
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return nil, errors.New("must not contain a query or fragment")
	case u.Path != "":
		return nil, fmt.Errorf("%q has a path: give the origin only, scheme://host[:port] (the web app owns the whole origin)", raw)
	}
	return u, nil
}

// validate checks that every required collaborator is present.
func (d Deps) validate() error {
	var errs []error
	if d.Engine == nil {
		errs = append(errs, errors.New("Deps.Engine is required"))
	}
	if d.Directory == nil {
		errs = append(errs, errors.New("Deps.Directory is required"))
	}
	if d.Credentials == nil {
		errs = append(errs, errors.New("Deps.Credentials is required"))
	}
	if d.Redis == nil {
		errs = append(errs, errors.New("Deps.Redis is required"))
	}
	return errors.Join(errs...)
}

func isLoopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// https reports whether the app is served over TLS (HSTS, Secure cookies
// are always set: browsers accept them on http://localhost).
func (s settings) https() bool { return s.base != nil && s.base.Scheme == "https" }

// link is an absolute URL under PublicBaseURL.
func (s settings) link(path string) string {
	return s.origin + path
}
