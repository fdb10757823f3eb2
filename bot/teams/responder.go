package teams

import (
	"context"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/flows"
)

// chatResponder answers a command in the personal chat it came from. It
// waits until the immediate reply was posted (ready closed), so the user
// reads the answers in the order the core gave them.
type chatResponder struct {
	app        *App
	serviceURL string
	conv       string
	ready      <-chan struct{}
}

var _ bot.Responder = (*chatResponder)(nil)

// Respond implements bot.Responder.
func (r *chatResponder) Respond(ctx context.Context, m bot.Message) error {
	select {
	case <-r.ready:
	case <-ctx.Done():
		return ctx.Err()
	}
	_, err := r.app.conn.send(ctx, r.serviceURL, r.conv, renderActivity(m, r.app.seen.name))
	return err
}

// privateResponder answers a click in the clicker's personal chat: the
// click came from the helpdesk channel, where an answer would be public.
type privateResponder struct {
	m  *Messenger
	to flows.ChatIdentity
}

// Respond implements bot.Responder.
func (r privateResponder) Respond(ctx context.Context, m bot.Message) error {
	return r.m.SendPrivate(ctx, r.to, m)
}
