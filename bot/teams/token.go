package teams

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// botFrameworkScope is the scope of tokens that call the connector API.
const botFrameworkScope = "https://api.botframework.com/.default"

// tokenMargin is how long before its expiry a token is replaced, so a
// token never expires between being handed out and being checked.
const tokenMargin = 5 * time.Minute

// tokenSource obtains connector tokens with the client-credentials grant
// and caches them until shortly before they expire. One fetch at a time:
// callers arriving while a fetch runs wait for its result instead of
// asking Entra again.
type tokenSource struct {
	url, clientID, secret string
	client                *http.Client
	now                   func() time.Time

	mu      sync.Mutex
	token   string
	expires time.Time
}

// tokenResponse is the OAuth 2.0 token endpoint's answer.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Error       string `json:"error"`
}

// get returns a valid token, fetching one when none is cached.
func (s *tokenSource) get(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token != "" && s.now().Before(s.expires) {
		return s.token, nil
	}
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {s.clientID},
		"client_secret": {s.secret},
		"scope":         {botFrameworkScope},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("teams token: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := s.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("teams token: %w", err)
	}
	defer resp.Body.Close()
	var tr tokenResponse
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&tr); err != nil && resp.StatusCode == http.StatusOK {
		return "", fmt.Errorf("teams token: decoding the answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK || tr.AccessToken == "" {
		// Only the OAuth error code: the description may echo request
		// details, and the answer may carry a token.
		return "", fmt.Errorf("teams token: status %d, error %q", resp.StatusCode, tr.Error)
	}
	lifetime := time.Duration(tr.ExpiresIn) * time.Second
	margin := tokenMargin
	if lifetime < 2*margin {
		margin = lifetime / 2
	}
	s.token, s.expires = tr.AccessToken, s.now().Add(lifetime-margin)
	return s.token, nil
}

// forget drops a token the connector refused, so the next call fetches a
// fresh one instead of failing until the cached one expires.
func (s *tokenSource) forget(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token == token {
		s.token = ""
	}
}
