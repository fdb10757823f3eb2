package bot

import (
	"strings"
	"testing"

	"github.com/resetbot/resetbot/flows"
)

// TestThreadWordsByWhatHappened: the helpdesk thread says what happened.
// A submit whose re-read of the account failed wrote nothing, and says so
// instead of "Directory write failed", and so does one whose re-read found
// the account no longer eligible; a failed write still reads as one.
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
		{"re-read found the account refused", flows.Event{Type: flows.EventApplyFailed, Outcome: flows.OutcomeRefused, Reason: "account is no longer eligible: account disabled"},
			"Nothing written to the directory: account is no longer eligible: account disabled"},
		{"write failed", flows.Event{Type: flows.EventApplyFailed, Outcome: "error", Reason: "directory unavailable"},
			"Directory write failed: directory unavailable"},
		{"delivery confirmed by the opening", flows.Event{Type: flows.EventLinkSent, Reason: flows.LinkSentByOpening},
			"Link sent to the user by private message (its delivery confirmed when the user opened the link)"},
		{"interrupted removal, outcome unknown", flows.Event{Type: flows.EventRecoveredFailed, Outcome: flows.RecoveryUnknown, Reason: "the removal of Pixel was interrupted and not recorded"},
			"Outcome unknown after an interruption: the removal of Pixel was interrupted and not recorded"},
		{"recovered, not applied", flows.Event{Type: flows.EventRecoveredFailed, Outcome: flows.RecoveryNotApplied, Reason: "the directory shows no password change since the write began"},
			"Directory write failed (recovered after an interruption): the directory shows no password change since the write began"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, _ := b.eventWords(tt.ev); got != tt.want {
				t.Errorf("eventWords = %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestRecoveredUnknownIsNoGuess: when the reconciler found no evidence (a
// directory that cannot say when a password changed), the user is not told
// their password was not changed: it may have been.
func TestRecoveredUnknownIsNoGuess(t *testing.T) {
	b := &Bot{}
	f := &flows.Flow{ID: "F1", Kind: flows.KindReset}
	m := b.msgRecovered(f, flows.Event{Type: flows.EventRecoveredFailed, Outcome: flows.RecoveryUnknown})
	body := strings.Join(m.Body, "\n")
	if strings.Contains(m.Title+body, "was not changed") || !strings.Contains(body, "cannot tell us whether it went through") {
		t.Errorf("unknown outcome message guesses: %q\n%s", m.Title, body)
	}
	m = b.msgRecovered(f, flows.Event{Type: flows.EventRecoveredFailed, Outcome: flows.RecoveryNotApplied})
	if !strings.Contains(m.Title, "was not changed") {
		t.Errorf("not-applied message = %q, want 'was not changed'", m.Title)
	}
}
