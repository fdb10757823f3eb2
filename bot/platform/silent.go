package platform

import "github.com/resetbot/resetbot/bot"

// IsZero reports whether the core chose to say nothing: a Message with no
// field set. Platforms then answer with their neutral acknowledgement (an
// empty 200, a deferred response) instead of an empty message.
func IsZero(m bot.Message) bool { return m.IsZero() }
