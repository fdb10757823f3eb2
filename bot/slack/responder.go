package slack

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/platform"
)

// responseURL answers one slash command or click privately through the
// response_url Slack sent with it (valid 30 minutes, up to 5 posts). It
// needs no token: the URL itself is the capability, which is also why it
// is never logged.
type responseURL struct {
	client *http.Client
	url    string
}

var _ bot.Responder = responseURL{}

// Respond posts m as an ephemeral message that never replaces the
// original. A 429 becomes *bot.RetryAfterError like every other rate limit.
func (r responseURL) Respond(ctx context.Context, m bot.Message) error {
	body, err := ephemeralJSON(m)
	if err != nil || body == nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("slack response_url: %w", err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := r.client.Do(req)
	if err != nil {
		// The url.Error would print the response URL; keep only the cause.
		return fmt.Errorf("slack response_url: %w", platform.StripURL(err))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return fmt.Errorf("slack response_url: %w", &bot.RetryAfterError{After: platform.RetryAfter(resp.Header.Get("Retry-After"), time.Now())})
	case resp.StatusCode != http.StatusOK:
		return fmt.Errorf("slack response_url: status %d", resp.StatusCode)
	}
	return nil
}
