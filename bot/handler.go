package bot

import (
	"context"
	"time"
)

// Handler is what platform packages call: the whole behaviour of the bot
// behind two methods. Both return at once with the first reply (no
// directory or chat API call happens before they return, so platforms meet
// their 3-second deadlines) and continue the work in the background,
// answering later through the request's Responder, private messages and
// the helpdesk thread.
type Handler interface {
	HandleCommand(ctx context.Context, r Request) Message
	HandleAction(ctx context.Context, a Action) Message
}

// Once remembers keys for a while, so a platform can recognise a redelivered
// request (Slack retries, Teams resends, a Discord replay) and answer it
// without doing the work twice.
type Once interface {
	// First reports whether key is seen for the first time within ttl.
	First(ctx context.Context, key string, ttl time.Duration) (bool, error)
}
