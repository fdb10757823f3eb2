package platform

import "github.com/resetbot/resetbot/bot"

// IsZero reports whether the core chose to say nothing: a Message with no
// field set. Platforms then answer with their neutral acknowledgement (an
// empty 200, a deferred response) instead of an empty message.
func IsZero(m bot.Message) bool {
	return m.Summary == "" && m.Title == "" && len(m.Body) == 0 && len(m.Fields) == 0 &&
		m.Link == nil && len(m.Buttons) == 0 && m.Note == ""
}
