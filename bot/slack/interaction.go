package slack

import (
	"encoding/json"
	"fmt"
	"net/http"

	slackgo "github.com/slack-go/slack"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/flows"
)

// clickedAction is one translated button click with the key that
// recognises its redelivery.
type clickedAction struct {
	key    string
	action bot.Action
}

// parseInteraction decodes the "payload" form field Slack posts to the
// interactivity URL.
func parseInteraction(payload string) (slackgo.InteractionCallback, error) {
	var cb slackgo.InteractionCallback
	if payload == "" {
		return cb, fmt.Errorf("%w: payload missing", errBadInteraction)
	}
	if err := json.Unmarshal([]byte(payload), &cb); err != nil {
		return cb, fmt.Errorf("%w: %w", errBadInteraction, err)
	}
	return cb, nil
}

// interactionActions translates a block_actions callback into the core's
// Actions, one per clicked element. Other interaction types (shortcuts,
// modals) are not part of the bot and translate to nothing. Clicks on the
// link button are dropped: Slack reports them, but opening a link is not a
// decision the core acts on.
func interactionActions(cb slackgo.InteractionCallback, client *http.Client) ([]clickedAction, error) {
	if cb.Type != slackgo.InteractionTypeBlockActions {
		return nil, nil
	}
	if !userID.MatchString(cb.User.ID) {
		return nil, fmt.Errorf("%w: user.id missing or not a user id", errBadInteraction)
	}
	if err := checkResponseURL(cb.ResponseURL); err != nil {
		return nil, fmt.Errorf("%w: %w", errBadInteraction, err)
	}
	from := bot.User{ID: flows.ChatIdentity{Platform: Platform, UserID: cb.User.ID}, Name: cb.User.Name}
	var out []clickedAction
	for _, a := range cb.ActionCallback.BlockActions {
		if a == nil || a.ActionID == ActionLink {
			continue
		}
		if a.ActionID == "" {
			return nil, fmt.Errorf("%w: action without action_id", errBadInteraction)
		}
		stamp := a.ActionTs
		if stamp == "" {
			stamp = cb.TriggerID
		}
		if stamp == "" {
			return nil, fmt.Errorf("%w: action without action_ts or trigger_id", errBadInteraction)
		}
		out = append(out, clickedAction{
			key: "slack:action:" + cb.User.ID + ":" + stamp + ":" + a.ActionID,
			action: bot.Action{
				From:     from,
				ActionID: a.ActionID,
				Value:    a.Value,
				Respond:  responseURL{client: client, url: cb.ResponseURL},
			},
		})
	}
	return out, nil
}
