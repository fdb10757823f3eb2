package teams

import (
	"context"
	"fmt"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/platform"
)

// invokeResponse answers an adaptiveCard/action invoke in the HTTP
// response. The message type shows the text to the clicker only, and
// leaves the card as it is: the core updates the card for everyone
// through the connector once the decision is recorded.
type invokeResponse struct {
	StatusCode int    `json:"statusCode"`
	Type       string `json:"type"`
	Value      string `json:"value"`
}

const invokeMessage = "application/vnd.microsoft.activity.message"

// onInvoke handles a click on an Approve/Deny button. Action.Execute
// (rather than Action.Submit) is used because its invoke is answered
// privately and synchronously: an Action.Submit arrives as a message in
// the channel conversation, where the bot's answer would be public.
func (a *App) onInvoke(ctx context.Context, act *activity) (*invokeResponse, error) {
	if act.Name != invokeCardAction {
		return nil, fmt.Errorf("%w: %q", errNotHandled, act.Name)
	}
	data, err := parseInvoke(act)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errBadActivity, err)
	}
	ok := &invokeResponse{StatusCode: 200, Type: invokeMessage}
	if !fromTeamsUser(act) {
		a.log.Info("teams: click not from a Teams user ignored", "channel", act.ChannelID)
		return ok, nil
	}
	a.remember(act)
	first, _, err := a.deliveries.First(ctx, dedupKey(act))
	if msg, ok := platform.UnavailableReply(err); ok {
		a.log.Warn("teams: click answered unavailable", "activity", act.ID, "err", err)
		ok := &invokeResponse{StatusCode: 200, Type: invokeMessage}
		ok.Value = (&renderer{names: a.seen.name}).plain(msg.Summary)
		return ok, nil
	}
	if err != nil {
		return nil, err
	}
	if !first {
		a.log.Info("teams: redelivered click acknowledged", "activity", act.ID)
		return ok, nil
	}
	from := userOf(act)
	reply := a.handler.HandleAction(ctx, bot.Action{
		From: from, ActionID: data.ActionID, Value: data.Value,
		Respond: privateResponder{m: a.messenger, to: from.ID},
	})
	r := &renderer{names: a.seen.name}
	ok.Value = r.plain(reply.Summary)
	return ok, nil
}
