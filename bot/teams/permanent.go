package teams

import (
	"net/http"
	"strconv"

	"github.com/resetbot/resetbot/bot"
)

// permanentStatus are the connector's answers no retry fixes, as the
// Bot Framework documents them for Teams ("don't retry"): 400 is the
// request itself refused (BadArgument, BadSyntax, MissingProperty), 403
// the bot may not post there (BotNotInConversationRoster,
// BotDisabledByAdmin, ConversationBlockedByUser), 404 the conversation
// or activity is gone (ConversationNotFound, ActivityNotFound), 410 the
// same, 413 the message is too big. Everything else (429, 5xx, 412, 401
// after which the token is fetched again, a timeout) stays retryable.
var permanentStatus = map[int]bool{
	http.StatusBadRequest:            true,
	http.StatusForbidden:             true,
	http.StatusNotFound:              true,
	http.StatusGone:                  true,
	http.StatusRequestEntityTooLarge: true,
}

// classify turns a refused connector call into a *bot.PermanentError when
// no retry can fix it, so the core starts a new thread parent or lets the
// event go instead of retrying it forever; other refusals are returned as
// they are.
func classify(e *apiError) error {
	if !permanentStatus[e.Status] {
		return e
	}
	code := e.Code
	if code == "" {
		code = "HTTP " + strconv.Itoa(e.Status)
	}
	return &bot.PermanentError{Code: code, Err: e}
}
