package teams

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/platform"
)

// connector calls the Bot Framework connector REST API (v3) at a service
// URL. The service URL comes from configuration or from a verified
// activity (its serviceurl claim), never from anything unsigned, because
// the bot's token is sent there.
type connector struct {
	client *http.Client
	tokens *tokenSource
}

// apiError is a connector answer other than success or 429. It carries
// the status and the API's error code, never the request or token.
type apiError struct {
	Op     string
	Status int
	Code   string
}

// Error implements error.
func (e *apiError) Error() string {
	if e.Code != "" {
		return fmt.Sprintf("teams %s: status %d (%s)", e.Op, e.Status, e.Code)
	}
	return fmt.Sprintf("teams %s: status %d", e.Op, e.Status)
}

// conversationParameters creates a personal chat or a channel conversation.
type conversationParameters struct {
	IsGroup     bool         `json:"isGroup"`
	Bot         *account     `json:"bot,omitempty"`
	Members     []account    `json:"members,omitempty"`
	TenantID    string       `json:"tenantId,omitempty"`
	Activity    *activity    `json:"activity,omitempty"`
	ChannelData *channelData `json:"channelData,omitempty"`
}

// conversationResource is the answer to creating a conversation.
type conversationResource struct {
	ID         string `json:"id"`
	ActivityID string `json:"activityId"`
}

// resourceResponse is the answer to posting or updating an activity.
type resourceResponse struct {
	ID string `json:"id"`
}

// endpoint joins a service URL and an API path; ids are path-escaped
// because Teams conversation ids contain ':', ';' and '@'.
func endpoint(serviceURL string, segments ...string) string {
	var b strings.Builder
	b.WriteString(strings.TrimSuffix(serviceURL, "/"))
	b.WriteString("/v3/conversations")
	for _, s := range segments {
		b.WriteString("/")
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}

// createConversation opens a personal chat (Teams returns the existing one
// for the same member) or starts a channel conversation with its first
// activity.
func (c *connector) createConversation(ctx context.Context, serviceURL string, p conversationParameters) (conversationResource, error) {
	var out conversationResource
	err := c.call(ctx, "create conversation", http.MethodPost, endpoint(serviceURL), p, &out)
	if err == nil && out.ID == "" {
		err = errors.New("teams create conversation: answer without id")
	}
	return out, err
}

// send posts a new activity to a conversation.
func (c *connector) send(ctx context.Context, serviceURL, conv string, a *activity) (string, error) {
	var out resourceResponse
	err := c.call(ctx, "send", http.MethodPost, endpoint(serviceURL, conv, "activities"), a, &out)
	return out.ID, err
}

// reply posts an activity as a reply to another one: in a channel it joins
// that activity's thread, in a personal chat it follows it.
func (c *connector) reply(ctx context.Context, serviceURL, conv, replyTo string, a *activity) (string, error) {
	var out resourceResponse
	b := *a
	b.ReplyToID = replyTo
	err := c.call(ctx, "reply", http.MethodPost, endpoint(serviceURL, conv, "activities", replyTo), &b, &out)
	return out.ID, err
}

// update replaces an activity in place.
func (c *connector) update(ctx context.Context, serviceURL, conv, id string, a *activity) error {
	b := *a
	b.ID = id
	return c.call(ctx, "update", http.MethodPut, endpoint(serviceURL, conv, "activities", id), &b, nil)
}

// member looks up one member of a conversation (or of the team that owns
// a channel), which gives the Entra object id behind a "29:" id.
func (c *connector) member(ctx context.Context, serviceURL, conv, memberID string) (account, error) {
	var out account
	err := c.call(ctx, "get member", http.MethodGet, endpoint(serviceURL, conv, "members", memberID), nil, &out)
	return out, err
}

// call does one authenticated JSON request. 429 becomes a
// *bot.RetryAfterError; a refusal no retry fixes a *bot.PermanentError
// (see classify); a 401 drops the cached token so the next call fetches a
// fresh one.
func (c *connector) call(ctx context.Context, op, method, u string, in, out any) error {
	token, err := c.tokens.get(ctx)
	if err != nil {
		return err
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("teams %s: %w", op, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return fmt.Errorf("teams %s: %w", op, err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if in != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return fmt.Errorf("teams %s: %w", op, platform.StripURL(err))
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return fmt.Errorf("teams %s: %w", op, &bot.RetryAfterError{After: platform.RetryAfter(resp.Header.Get("Retry-After"), time.Now())})
	case resp.StatusCode == http.StatusUnauthorized:
		c.tokens.forget(token)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		var e struct {
			Error struct {
				Code string `json:"code"`
			} `json:"error"`
		}
		_ = json.Unmarshal(raw, &e)
		return classify(&apiError{Op: op, Status: resp.StatusCode, Code: e.Error.Code})
	}
	if out != nil && len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("teams %s: decoding the answer: %w", op, err)
		}
	}
	return nil
}
