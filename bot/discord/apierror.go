package discord

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/platform"
)

// Discord JSON error codes this package acts on.
const (
	codeThreadExists   = 160004 // "A thread has already been created for this message"
	codeUnknownChannel = 10003  // "Unknown Channel": a DM channel no longer there
)

// permanentCodes are Discord JSON error codes no retry fixes: the channel,
// thread or message is gone, or the bot may no longer see or post there.
var permanentCodes = map[int]bool{
	10003: true, // Unknown Channel (codeUnknownChannel)
	10008: true, // Unknown Message
	10013: true, // Unknown User
	50001: true, // Missing Access
	50007: true, // Cannot send messages to this user
	50013: true, // Missing Permissions
	50083: true, // Operation on an archived thread
}

// apiError turns a discordgo error into one that is safe to log and that
// callers can act on: a 429 becomes *bot.RetryAfterError, a REST error
// keeps its status and Discord's code, and URLs (which carry interaction
// tokens on webhook routes) are dropped everywhere.
func apiError(op string, err error) error {
	if err == nil {
		return nil
	}
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) && rl.RateLimit != nil && rl.TooManyRequests != nil {
		return fmt.Errorf("discord %s: %w", op, &bot.RetryAfterError{After: max(rl.RetryAfter, time.Second)})
	}
	var re *discordgo.RESTError
	if errors.As(err, &re) {
		e := &restError{op: op, status: re.Response.StatusCode, msg: re.Message}
		if e.msg != nil && permanentCodes[e.msg.Code] {
			return &bot.PermanentError{Code: strconv.Itoa(e.msg.Code), Err: e}
		}
		return e
	}
	return fmt.Errorf("discord %s: %w", op, platform.StripURL(err))
}

// restError is a refused REST call without its URL or request.
type restError struct {
	op     string
	status int
	msg    *discordgo.APIErrorMessage
}

// Error implements error.
func (e *restError) Error() string {
	if e.msg == nil {
		return fmt.Sprintf("discord %s: HTTP %d", e.op, e.status)
	}
	return fmt.Sprintf("discord %s: HTTP %d: code %d: %s", e.op, e.status, e.msg.Code, e.msg.Message)
}

// hasCode reports whether err is a REST error with Discord's JSON code.
func hasCode(err error, code int) bool {
	var re *restError
	return errors.As(err, &re) && re.msg != nil && re.msg.Code == code
}
