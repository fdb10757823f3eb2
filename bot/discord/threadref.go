package discord

import (
	"fmt"
	"strings"
)

// threadRef is what the core keeps to find a helpdesk thread again: the
// channel and parent message (for edits) and the thread (for replies).
// Thread is empty when the thread could not be started yet.
type threadRef struct {
	channel, message, thread string
}

// String is the reference the core stores: "channel/message/thread".
func (r threadRef) String() string { return r.channel + "/" + r.message + "/" + r.thread }

// parseThreadRef reads a reference made by String.
func parseThreadRef(s string) (threadRef, error) {
	parts := strings.Split(s, "/")
	if len(parts) != 3 || !snowflake.MatchString(parts[0]) || !snowflake.MatchString(parts[1]) ||
		(parts[2] != "" && !snowflake.MatchString(parts[2])) {
		return threadRef{}, fmt.Errorf("discord: %q is not a helpdesk thread reference", s)
	}
	return threadRef{channel: parts[0], message: parts[1], thread: parts[2]}, nil
}
