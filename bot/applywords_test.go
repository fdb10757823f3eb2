package bot

import (
	"testing"

	"github.com/resetbot/resetbot/flows"
)

// TestThreadWordsByWhatHappened: the helpdesk thread says what happened.
// A submit whose re-read of the account failed wrote nothing, and says so
// instead of "Directory write failed"; a failed write still reads as one.
// A link whose opening confirmed its delivery (opened before the chat
// API's answer was recorded) reads as a private message confirmed so.
func TestThreadWordsByWhatHappened(t *testing.T) {
	b := &Bot{}
	tests := []struct {
		name string
		ev   flows.Event
		want string
	}{
		{"re-read failed", flows.Event{Type: flows.EventApplyFailed, Outcome: flows.OutcomeNotRead, Reason: "directory unavailable"},
			"Account could not be read before the directory write, nothing written: directory unavailable"},
		{"write failed", flows.Event{Type: flows.EventApplyFailed, Outcome: "error", Reason: "directory unavailable"},
			"Directory write failed: directory unavailable"},
		{"delivery confirmed by the opening", flows.Event{Type: flows.EventLinkSent, Reason: flows.LinkSentByOpening},
			"Link sent to the user by private message (its delivery confirmed when the user opened the link)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, _ := b.eventWords(tt.ev); got != tt.want {
				t.Errorf("eventWords = %q\nwant %q", got, tt.want)
			}
		})
	}
}
