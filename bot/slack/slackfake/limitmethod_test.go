package slackfake

import (
	"errors"
	"testing"
	"time"

	slackgo "github.com/slack-go/slack"
)

// TestLimitMethodIsAppWide: the second post within the interval is
// refused though it goes to another channel, as Slack's method tiers do.
func TestLimitMethodIsAppWide(t *testing.T) {
	s := New("")
	defer s.Close()
	s.AddChannel("C1")
	s.AddChannel("C2")
	s.LimitMethod("chat.postMessage", time.Minute)
	c := client(s, "xoxb-any")
	if _, err := postTS(c, "C1"); err != nil {
		t.Fatal(err)
	}
	_, err := postTS(c, "C2")
	var rl *slackgo.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter < 59*time.Second {
		t.Fatalf("err = %v, want slack-go's RateLimitedError of about a minute", err)
	}
	s.LimitMethod("chat.postMessage", 0)
	if _, err := postTS(c, "C2"); err != nil {
		t.Fatalf("with the limit off: %v", err)
	}
}
