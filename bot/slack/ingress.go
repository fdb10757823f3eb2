package slack

import (
	"context"

	slackgo "github.com/slack-go/slack"

	"github.com/resetbot/resetbot/bot/platform"
)

// The three ingress steps both modes share, after the wire was verified
// (HTTP signature or the Socket Mode connection) and decoded. A command or
// click, once translated, is checked to come from the configured workspace
// and app (workspace.go) before it is deduplicated or reaches the core. Each returns
// without waiting for anything but bot.Once: the core answers at once and
// works in the background, so Slack's 3-second deadline holds.

// command runs one slash command and returns the body of the immediate
// answer (nil for "say nothing"). A redelivery gets the first delivery's
// body and does not reach the core.
func (a *App) command(ctx context.Context, cmd slackgo.SlashCommand) ([]byte, error) {
	req, err := commandRequest(cmd, a.client)
	if err != nil {
		return nil, err
	}
	if err := a.cfg.checkOrigin(origin{team: cmd.TeamID, enterprise: cmd.EnterpriseID, app: cmd.APIAppID}); err != nil {
		return nil, err
	}
	key := "slack:command:" + cmd.TriggerID
	first, replay, err := a.deliveries.First(ctx, key)
	if msg, ok := platform.UnavailableReply(err); ok {
		a.log.WarnContext(ctx, "slack: slash command answered unavailable", "user", cmd.UserID, "err", err)
		return ephemeralJSON(msg)
	}
	if err != nil {
		return nil, err
	}
	if !first {
		a.log.InfoContext(ctx, "slack: redelivered slash command ignored", "user", cmd.UserID)
		return replay, nil
	}
	// The core's context must outlive this request: it keeps working
	// after we answer.
	msg := a.handler.HandleCommand(context.WithoutCancel(ctx), req)
	body, err := ephemeralJSON(msg)
	if err != nil {
		return nil, err
	}
	a.deliveries.Answered(key, body)
	return body, nil
}

// interaction runs every click in one interaction payload. The core's
// first reply to a click goes out through the response URL after the ack,
// because Slack ignores the body of a block_actions ack.
func (a *App) interaction(ctx context.Context, cb slackgo.InteractionCallback) error {
	actions, err := interactionActions(cb, a.client)
	if err != nil {
		return err
	}
	if err := a.cfg.checkOrigin(origin{team: cb.Team.ID, enterprise: cb.Enterprise.ID, app: cb.APIAppID}); err != nil {
		return err
	}
	for _, c := range actions {
		first, _, err := a.deliveries.First(ctx, c.key)
		if msg, ok := platform.UnavailableReply(err); ok {
			a.log.WarnContext(ctx, "slack: click answered unavailable", "user", cb.User.ID, "action", c.action.ActionID, "err", err)
			respond := c.action.Respond
			a.bg.Go(ctx, func(ctx context.Context) {
				if err := respond.Respond(ctx, msg); err != nil {
					a.log.WarnContext(ctx, "slack: unavailable reply to a click not delivered", "action", c.action.ActionID, "err", err)
				}
			})
			continue
		}
		if err != nil {
			return err
		}
		if !first {
			a.log.InfoContext(ctx, "slack: redelivered click ignored", "user", cb.User.ID, "action", c.action.ActionID)
			continue
		}
		msg := a.handler.HandleAction(context.WithoutCancel(ctx), c.action)
		if platform.IsZero(msg) {
			continue
		}
		respond := c.action.Respond
		a.bg.Go(ctx, func(ctx context.Context) {
			if err := respond.Respond(ctx, msg); err != nil {
				a.log.WarnContext(ctx, "slack: first reply to a click not delivered", "action", c.action.ActionID, "err", err)
			}
		})
	}
	return nil
}

// event acknowledges an Events API delivery once. The bot subscribes to no
// events today; the endpoint exists for URL verification and so that
// turning a subscription on later does not start with retries.
func (a *App) event(ctx context.Context, eventID, eventType string, retry int) error {
	if eventID == "" {
		return nil
	}
	first, _, err := a.deliveries.First(ctx, "slack:event:"+eventID)
	if err != nil {
		return err
	}
	if !first {
		a.log.InfoContext(ctx, "slack: redelivered event ignored", "event_type", eventType, "retry", retry)
	}
	return nil
}
