package slackfake

import (
	"errors"
	"testing"
	"time"

	slackgo "github.com/slack-go/slack"
)

// TestLimitBucket: a burst of Burst calls passes, the next waits for a
// token, and tokens come back at one per Every up to Burst.
func TestLimitBucket(t *testing.T) {
	l := Limit{Every: time.Second, Burst: 3}
	var b bucket
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for i := 0; i < 3; i++ {
		if _, ok := l.take(&b, at); !ok {
			t.Fatalf("call %d of the burst refused", i+1)
		}
	}
	wait, ok := l.take(&b, at.Add(250*time.Millisecond))
	if ok || wait != 750*time.Millisecond {
		t.Fatalf("fourth call: ok %v, wait %s; want refused for 750ms", ok, wait)
	}
	if _, ok := l.take(&b, at.Add(time.Second)); !ok {
		t.Fatal("a call a second after the burst refused")
	}
	if _, ok := l.take(&b, at.Add(1500*time.Millisecond)); ok {
		t.Fatal("two calls within a second after the burst passed")
	}
	if _, ok := l.take(&b, at.Add(time.Hour)); !ok {
		t.Fatal("refused after an idle hour")
	}
	for i := 0; i < 2; i++ {
		if _, ok := l.take(&b, at.Add(time.Hour)); !ok {
			t.Fatal("an idle hour did not refill the burst")
		}
	}
	if _, ok := l.take(&b, at.Add(time.Hour)); ok {
		t.Fatal("an idle hour gave more than the burst")
	}
}

// TestLimitLikeSlack: posts are limited per channel (another channel has
// its own bucket), chat.update app-wide, and each refusal is a 429 with
// Retry-After that RateLimited counts.
func TestLimitLikeSlack(t *testing.T) {
	s := New("")
	defer s.Close()
	s.AddChannel("C1")
	s.AddChannel("C2")
	s.LimitLikeSlack()
	frozen := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	s.SetLimitClock(func() time.Time { return frozen })
	c := client(s, "xoxb-any")
	var ts []string
	for i := 0; i < PostLimit.Burst; i++ {
		got, err := postTS(c, "C1")
		if err != nil {
			t.Fatalf("post %d of the burst: %v", i+1, err)
		}
		ts = append(ts, got)
	}
	_, err := postTS(c, "C1")
	var rl *slackgo.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != time.Second {
		t.Fatalf("post past the burst: %v, want a RateLimitedError", err)
	}
	if _, err := postTS(c, "C2"); err != nil {
		t.Fatalf("another channel's post: %v", err)
	}
	for i := 0; i < Tier3.Burst; i++ {
		if _, _, _, err := c.UpdateMessage("C1", ts[i%len(ts)], slackgo.MsgOptionText("edited", false)); err != nil {
			t.Fatalf("update %d of the burst: %v", i+1, err)
		}
	}
	if _, _, _, err := c.UpdateMessage("C1", ts[0], slackgo.MsgOptionText("edited", false)); !errors.As(err, &rl) {
		t.Fatalf("update past the burst: %v, want a RateLimitedError", err)
	}
	if n, u := s.RateLimited("chat.postMessage"), s.RateLimited("chat.update"); n != 1 || u != 1 {
		t.Errorf("RateLimited: %d posts, %d updates; want 1 and 1", n, u)
	}
}
