package discord

import (
	"context"
	"fmt"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/platform"
)

// The ingress steps after verification. Each returns without waiting for
// anything but bot.Once and the core's first reply, which the core gives
// without I/O; a first reply slower than deferAfter is answered with a
// deferred response instead, so Discord's 3-second deadline holds.

// handle answers one verified interaction.
func (a *App) handle(ctx context.Context, body []byte) (answer, error) {
	in, err := parseInteraction(body)
	if err != nil {
		return answer{}, err
	}
	if in.Type == interactionPing {
		b, err := marshal(discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong})
		return answer{body: b}, err
	}
	if in.ApplicationID != a.cfg.ApplicationID {
		return answer{}, fmt.Errorf("%w: for application %s", errBadInteraction, in.ApplicationID)
	}
	switch in.Type {
	case interactionCommand:
		return a.command(ctx, in)
	case interactionComponent:
		return a.component(ctx, in)
	}
	return answer{}, fmt.Errorf("%w: type %d", errUnsupported, in.Type)
}

// deliveryKey names one interaction: a redelivery carries the same id.
func deliveryKey(in interaction) string { return "discord:interaction:" + in.ID }

// command runs /reset. The first reply is the HTTP response: an ephemeral
// message, or a deferred ephemeral response filled in later.
func (a *App) command(ctx context.Context, in interaction) (answer, error) {
	u, err := in.invoker()
	if err != nil {
		return answer{}, err
	}
	text, mentions, err := translateCommand(in.Data)
	if err != nil {
		return answer{}, err
	}
	key := deliveryKey(in)
	first, replay, err := a.deliveries.First(ctx, key)
	if msg, ok := platform.UnavailableReply(err); ok {
		a.log.WarnContext(ctx, "discord: command answered unavailable", "user", u.ID, "err", err)
		r, err := render(msg)
		if err != nil {
			return answer{}, err
		}
		b, err := marshal(r.asResponse())
		return answer{body: b}, err
	}
	if err != nil {
		return answer{}, err
	}
	if !first {
		a.log.InfoContext(ctx, "discord: redelivered command ignored", "user", u.ID)
		if replay != nil {
			return answer{body: replay}, nil
		}
		b, err := marshal(deferredResponse())
		return answer{body: b}, err
	}
	fu := newFollowup(a.s, a.cfg.ApplicationID, in.Token)
	req := bot.Request{From: botUser(u, in.Locale), Text: text, Mentions: mentions, Respond: fu}
	msg, late := a.within(ctx, func(ctx context.Context) bot.Message { return a.handler.HandleCommand(ctx, req) })
	if late != nil {
		fu.deferFirst()
		a.deliverLate(ctx, fu, late, "command")
		b, err := marshal(deferredResponse())
		return answer{body: b, then: fu}, err
	}
	if platform.IsZero(msg) {
		fu.deferFirst() // nothing to say yet: the core's next answer fills it in
		b, err := marshal(deferredResponse())
		return answer{body: b, then: fu}, err
	}
	r, err := render(msg)
	if err != nil {
		return answer{}, err
	}
	b, err := marshal(r.asResponse())
	if err != nil {
		return answer{}, err
	}
	a.deliveries.Answered(key, b)
	return answer{body: b, then: fu}, nil
}

// component runs a button click. It is acknowledged with a deferred update
// (the message stays as it is; the thread sink edits it when the decision
// lands) and the clicker's first reply follows privately.
func (a *App) component(ctx context.Context, in interaction) (answer, error) {
	u, err := in.invoker()
	if err != nil {
		return answer{}, err
	}
	actionID, value, err := translateComponent(in.Data)
	if err != nil {
		return answer{}, err
	}
	ack, err := marshal(discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate})
	if err != nil {
		return answer{}, err
	}
	first, _, err := a.deliveries.First(ctx, deliveryKey(in))
	if msg, ok := platform.UnavailableReply(err); ok {
		a.log.WarnContext(ctx, "discord: click answered unavailable", "user", u.ID, "action", actionID, "err", err)
		fu := newFollowup(a.s, a.cfg.ApplicationID, in.Token)
		a.bg.Go(ctx, func(ctx context.Context) { a.deliver(ctx, fu, msg, actionID) })
		return answer{body: ack, then: fu}, nil
	}
	if err != nil {
		return answer{}, err
	}
	if !first {
		a.log.InfoContext(ctx, "discord: redelivered click ignored", "user", u.ID, "action", actionID)
		return answer{body: ack}, nil
	}
	fu := newFollowup(a.s, a.cfg.ApplicationID, in.Token)
	act := bot.Action{From: botUser(u, in.Locale), ActionID: actionID, Value: value, Respond: fu}
	msg, late := a.within(ctx, func(ctx context.Context) bot.Message { return a.handler.HandleAction(ctx, act) })
	switch {
	case late != nil:
		a.deliverLate(ctx, fu, late, actionID)
	case !platform.IsZero(msg):
		a.bg.Go(ctx, func(ctx context.Context) { a.deliver(ctx, fu, msg, actionID) })
	}
	return answer{body: ack, then: fu}, nil
}

// within runs the core's handler and waits for its first reply up to
// deferAfter. The handler's context outlives the request: the core keeps
// working after we answer. If the reply is late, it arrives on the
// returned channel.
func (a *App) within(ctx context.Context, fn func(context.Context) bot.Message) (bot.Message, <-chan bot.Message) {
	done := make(chan bot.Message, 1)
	go func() { done <- fn(context.WithoutCancel(ctx)) }()
	deadline := time.NewTimer(a.deferAfter)
	defer deadline.Stop()
	select {
	case m := <-done:
		return m, nil
	case <-deadline.C:
		return bot.Message{}, done
	}
}

// deliverLate sends a first reply that missed the deadline, when it comes.
func (a *App) deliverLate(ctx context.Context, fu *followup, late <-chan bot.Message, what string) {
	a.bg.Go(ctx, func(ctx context.Context) {
		select {
		case m := <-late:
			a.deliver(ctx, fu, m, what)
		case <-ctx.Done():
			a.log.WarnContext(ctx, "discord: first reply never came", "what", what)
		}
	})
}

// deliver sends one answer and logs (without content) if it fails.
func (a *App) deliver(ctx context.Context, fu *followup, m bot.Message, what string) {
	if err := fu.Respond(ctx, m); err != nil {
		a.log.WarnContext(ctx, "discord: first reply not delivered", "what", what, "err", err)
	}
}

// deferredResponse is a type 5 response: Discord shows the user a private
// "thinking" placeholder that the next answer replaces.
func deferredResponse() discordgo.InteractionResponse {
	return discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral},
	}
}
