package slack

import (
	"errors"
	"fmt"

	slackgo "github.com/slack-go/slack"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/platform"
)

// permanentCodes are Web API errors no retry fixes: the message or thread
// is gone, the channel is gone or archived, the bot is not in it, the
// member is deactivated or a bot (conversations.open's user_disabled and
// cannot_dm_bot).
var permanentCodes = map[string]bool{
	"message_not_found":   true,
	"thread_not_found":    true,
	"cant_update_message": true,
	"channel_not_found":   true,
	"not_in_channel":      true,
	"is_archived":         true,
	"restricted_action":   true,
	"user_not_found":      true,
	"user_disabled":       true,
	"cannot_dm_bot":       true,
}

// apiError names the Web API method that failed and turns Slack's rate
// limit into the core's *bot.RetryAfterError (reachable with errors.As),
// so the core waits and retries instead of dropping the message, and a
// permanent refusal into *bot.PermanentError, so the core stops retrying
// it. URLs are stripped: slack-go's errors do not carry tokens, and we
// keep it so.
func apiError(method string, err error) error {
	if err == nil {
		return nil
	}
	var limited *slackgo.RateLimitedError
	if errors.As(err, &limited) {
		return fmt.Errorf("slack %s: %w", method, &bot.RetryAfterError{After: limited.RetryAfter})
	}
	var refused slackgo.SlackErrorResponse
	if errors.As(err, &refused) && permanentCodes[refused.Err] {
		return fmt.Errorf("slack %s: %w", method, &bot.PermanentError{Code: refused.Err, Err: platform.StripURL(err)})
	}
	return fmt.Errorf("slack %s: %w", method, platform.StripURL(err))
}
