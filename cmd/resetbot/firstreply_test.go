package main

import (
	"testing"
	"time"

	"github.com/resetbot/resetbot/bot/slack/slackfake"
)

// firstReply is what a Slack member reads first for a slash command: the
// ack's body, or, when the ack was empty (a member the bot has not met
// for half an hour: it asks users.info for their language first), the
// first post to the command's response URL, waited for here. The bound is
// for a reply that never comes, not a speed expectation.
func firstReply(t *testing.T, fake *slackfake.Server, responseID, ack string) string {
	t.Helper()
	if ack != "" {
		return ack
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, resp := range fake.Responses() {
			if resp.ID == responseID {
				return resp.Text + "\n" + string(resp.Blocks)
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("nothing answered the command with response URL %s", responseID)
	return ""
}
