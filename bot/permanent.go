package bot

import (
	"errors"
	"fmt"
)

// PermanentError is what a platform's Messenger returns when the chat API
// refused a call in a way no retry can fix: the message or thread was
// deleted, the channel is gone, or the bot was removed from it. The core
// then works around it (a new thread parent, a standalone post) or records
// the loss and moves on, instead of retrying one event forever while every
// other flow's events wait behind it.
type PermanentError struct {
	// Code is the platform's reason ("message_not_found",
	// "channel_not_found", "not_in_channel", "10008"), for the log.
	Code string
	// Err is the platform error, for the log.
	Err error
}

// Error implements error.
func (e *PermanentError) Error() string {
	if e.Err == nil {
		return "permanent chat API error: " + e.Code
	}
	return fmt.Sprintf("permanent chat API error %s: %v", e.Code, e.Err)
}

// Unwrap returns the platform error.
func (e *PermanentError) Unwrap() error { return e.Err }

// IsPermanent reports whether err (or an error it wraps) is a
// *PermanentError.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}
