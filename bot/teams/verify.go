package teams

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/resetbot/resetbot/bot/platform"
)

// botFrameworkIssuer is the issuer of every token the Bot Framework
// channel service sends with an activity.
const botFrameworkIssuer = "https://api.botframework.com"

// clockLeeway is the clock skew the Bot Framework documents as acceptable.
const clockLeeway = 5 * time.Minute

// claims are the token claims checked: the registered ones (iss, aud,
// exp, nbf), serviceurl, the connector the activity may be answered at,
// and tid, the tenant, which must be the configured one where a token
// carries it (checkTenant).
type claims struct {
	jwt.RegisteredClaims
	ServiceURL string `json:"serviceurl"`
	TenantID   string `json:"tid,omitempty"`
}

// verifier checks the Bearer token of every inbound activity. There is no
// way to turn it off: without it anyone could post activities in a
// user's name and make the bot send its token to any URL.
type verifier struct {
	appID string
	keys  *keySource
	now   func() time.Time
}

// verified is what a checked token vouches for: its claims, and the
// channels its signing key is endorsed for (checked against the
// activity's channelId once the body is read).
type verified struct {
	claims
	endorsed []string
}

// errNoKID is a token that does not name its key: it cannot be tied to
// one key's endorsements, and the Bot Framework always names it.
var errNoKID = errors.New("teams: token without kid")

// verify checks the Authorization header and returns what the token
// vouches for. Errors carry platform.ErrUnauthorized, or
// platform.ErrUnavailable when the keys cannot be read at all (Teams
// retries those).
func (v *verifier) verify(ctx context.Context, header string) (*verified, error) {
	scheme, raw, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(raw) == "" {
		return nil, fmt.Errorf("%w: no Bearer token", platform.ErrUnauthorized)
	}
	kf, endorsed, err := v.keys.keyfunc(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", platform.ErrUnavailable, err)
	}
	var out verified
	// The key is looked up by kid, never tried from the whole set, and its
	// endorsements are read right after keyfunc found it (keyfunc may
	// have re-read the set for it, which refreshed the table first).
	byKID := func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			return nil, errNoKID
		}
		key, err := kf(t)
		if err != nil {
			return nil, err
		}
		out.endorsed = endorsed.of(kid)
		return key, nil
	}
	_, err = jwt.ParseWithClaims(strings.TrimSpace(raw), &out.claims, byKID,
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithIssuer(botFrameworkIssuer),
		jwt.WithAudience(v.appID),
		jwt.WithExpirationRequired(),
		jwt.WithLeeway(clockLeeway),
		jwt.WithTimeFunc(v.now),
	)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", platform.ErrUnauthorized, err)
	}
	return &out, nil
}

// errServiceURL is a valid token used for another connector than the
// activity names: a replayed or spliced request.
var errServiceURL = errors.New("teams: serviceUrl differs from the token's serviceurl claim")

// checkServiceURL compares the activity's serviceUrl with the token's
// claim. Without the claim the token does not vouch for any connector.
func checkServiceURL(c *claims, serviceURL string) error {
	if c.ServiceURL == "" || !strings.EqualFold(c.ServiceURL, serviceURL) {
		return fmt.Errorf("%w: %w", errForbidden, errServiceURL)
	}
	return nil
}
