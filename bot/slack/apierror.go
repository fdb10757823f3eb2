package slack

import (
	"errors"
	"fmt"

	slackgo "github.com/slack-go/slack"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/platform"
)

// apiError names the Web API method that failed and turns Slack's rate
// limit into the core's *bot.RetryAfterError (reachable with errors.As),
// so the core waits and retries instead of dropping the message. URLs are
// stripped: slack-go's errors do not carry tokens, and we keep it so.
func apiError(method string, err error) error {
	if err == nil {
		return nil
	}
	var limited *slackgo.RateLimitedError
	if errors.As(err, &limited) {
		return fmt.Errorf("slack %s: %w", method, &bot.RetryAfterError{After: limited.RetryAfter})
	}
	return fmt.Errorf("slack %s: %w", method, platform.StripURL(err))
}
