package teams

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/time/rate"
)

// Key refresh policy. Microsoft rotates the signing keys with overlap and
// asks bots to re-read them daily; a token signed with a key we do not
// know yet triggers an early re-read, at most once per unknownKIDEvery so
// forged kids cannot make us hammer the endpoint.
const (
	keyRefreshEvery = 24 * time.Hour
	unknownKIDEvery = 5 * time.Minute
	keyFetchTimeout = 10 * time.Second
	// metadataRetryGap spaces out retries while the metadata is unreachable.
	metadataRetryGap = 10 * time.Second
)

// keySource finds the keys that sign Bot Framework tokens: the OpenID
// metadata document names the JWKS (jwks_uri), and keyfunc keeps the keys,
// refreshing them daily and on an unknown kid, while the same fetches fill
// the keys' endorsements (see endorsement.go). The metadata itself is
// re-read daily too, in case the JWKS moves.
type keySource struct {
	metadataURL string
	client      *http.Client
	log         *slog.Logger
	now         func() time.Time
	life        context.Context // ends the refresh goroutines

	mu       sync.Mutex
	kf       keyfunc.Keyfunc
	endorsed *endorsements // filled by kf's own fetches
	stop     context.CancelFunc
	jwksURI  string
	resolved time.Time
	tried    time.Time
}

var errNoKeys = errors.New("teams: signing keys unavailable")

// metadata is the part of the OpenID configuration document used here.
type metadata struct {
	JWKSURI string `json:"jwks_uri"`
}

// keyfunc returns the current key lookup and the endorsements of the same
// keys, resolving the metadata first when it was never read or is a day
// old.
func (s *keySource) keyfunc(ctx context.Context) (jwt.Keyfunc, *endorsements, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	due := s.kf == nil || now.Sub(s.resolved) >= keyRefreshEvery
	if due && (s.tried.IsZero() || now.Sub(s.tried) >= metadataRetryGap) {
		s.tried = now
		if err := s.resolve(ctx); err != nil {
			s.log.Warn("teams: reading the OpenID metadata failed", "err", err)
		} else {
			s.resolved = now
		}
	}
	if s.kf == nil {
		return nil, nil, errNoKeys
	}
	return s.kf.KeyfuncCtx(ctx), s.endorsed, nil
}

// resolve reads the metadata and, when the JWKS moved (or on first use),
// starts a key store for it, with its own endorsement table.
func (s *keySource) resolve(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, keyFetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.metadataURL, nil)
	if err != nil {
		return fmt.Errorf("teams openid metadata: %w", err)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("teams openid metadata: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("teams openid metadata: status %d", resp.StatusCode)
	}
	var md metadata
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&md); err != nil {
		return fmt.Errorf("teams openid metadata: %w", err)
	}
	if err := checkURL(md.JWKSURI); err != nil {
		return fmt.Errorf("teams openid metadata: jwks_uri: %w", err)
	}
	if md.JWKSURI == s.jwksURI && s.kf != nil {
		return nil // unchanged: the running store keeps refreshing
	}
	life, stop := context.WithCancel(s.life)
	endorsed := &endorsements{}
	kf, err := keyfunc.NewDefaultOverrideCtx(life, []string{md.JWKSURI}, keyfunc.Override{
		Client:            tapClient(s.client, endorsed),
		HTTPTimeout:       keyFetchTimeout,
		RefreshInterval:   keyRefreshEvery,
		RefreshUnknownKID: rate.NewLimiter(rate.Every(unknownKIDEvery), 1),
		RateLimitWaitMax:  keyFetchTimeout,
		RefreshErrorHandlerFunc: func(u string) func(context.Context, error) {
			return func(_ context.Context, err error) {
				s.log.Warn("teams: refreshing the signing keys failed", "jwks_uri", u, "err", err)
			}
		},
	})
	if err != nil {
		stop()
		return fmt.Errorf("teams signing keys: %w", err)
	}
	if s.stop != nil {
		s.stop()
	}
	s.kf, s.endorsed, s.stop, s.jwksURI = kf, endorsed, stop, md.JWKSURI
	return nil
}

// close stops the background refresh.
func (s *keySource) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop != nil {
		s.stop()
	}
}
