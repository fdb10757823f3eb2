package platform

import (
	"errors"
	"net/url"
)

// StripURL drops the URL from an HTTP client error (a *url.Error anywhere
// in err's chain) and returns its underlying cause; other errors come back
// unchanged. Chat platforms hand out capability URLs (Slack response URLs,
// Discord interaction webhooks, Teams service URLs) that act as bearer
// tokens, and *url.Error prints its URL, so every outbound error goes
// through this before it can reach a log.
func StripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
