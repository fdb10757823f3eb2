package slack

import (
	"fmt"
	"net/http"

	slackgo "github.com/slack-go/slack"

	"github.com/resetbot/resetbot/bot/platform"
)

// maxBody bounds what we read before the signature is checked. Interaction
// payloads carry the whole clicked message, so this is generous, but an
// unauthenticated client cannot make us buffer more.
const maxBody = 1 << 20

// verifiedBody returns the request body only if Slack signed it: v0
// HMAC-SHA256 over "v0:{timestamp}:{body}" with the signing secret,
// compared in constant time, timestamp within five minutes of now (either
// way). Headers are checked before the body is read; nothing is parsed
// before the signature matches.
func (a *App) verifiedBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	sv, err := slackgo.NewSecretsVerifier(r.Header, a.cfg.SigningSecret)
	if err != nil {
		return nil, fmt.Errorf("%w: signature headers: %w", platform.ErrUnauthorized, err)
	}
	body, err := platform.ReadBody(w, r, maxBody)
	if err != nil {
		return nil, err
	}
	if _, err := sv.Write(body); err != nil {
		return nil, fmt.Errorf("%w: %w", platform.ErrUnauthorized, err)
	}
	if err := sv.Ensure(); err != nil {
		return nil, fmt.Errorf("%w: %w", platform.ErrUnauthorized, err)
	}
	return body, nil
}
