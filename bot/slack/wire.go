package slack

import (
	"encoding/json"
	"fmt"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/platform"
)

// Slack's response_type values for slash command and response_url answers.
// The bot only ever answers privately: links and statuses are personal.
const responseEphemeral = "ephemeral"

// ephemeral is the body of a slash command's immediate answer and of every
// response_url post. ReplaceOriginal is always sent (false) so a button
// click never overwrites the helpdesk message it came from; the core
// changes that message through chat.update, with its own words.
type ephemeral struct {
	ResponseType    string `json:"response_type"`
	ReplaceOriginal bool   `json:"replace_original"`
	rendered
}

// ephemeralJSON renders m as a private answer. The zero Message renders as
// nil: "nothing to say", which Slack shows as nothing.
func ephemeralJSON(m bot.Message) ([]byte, error) {
	if platform.IsZero(m) {
		return nil, nil
	}
	b, err := json.Marshal(ephemeral{ResponseType: responseEphemeral, rendered: render(m)})
	if err != nil {
		return nil, fmt.Errorf("slack: encode ephemeral answer: %w", err)
	}
	return b, nil
}
