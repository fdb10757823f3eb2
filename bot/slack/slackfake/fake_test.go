package slackfake

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	slackgo "github.com/slack-go/slack"
)

func client(s *Server, token string) *slackgo.Client {
	return slackgo.New(token, slackgo.OptionAPIURL(s.APIURL()), slackgo.OptionHTTPClient(s.Client()))
}

func TestWebAPIErrors(t *testing.T) {
	s := New("xoxb-good")
	defer s.Close()
	s.AddChannel("C1")
	ctx := context.Background()
	good := client(s, "xoxb-good")
	parent, err := postTS(good, "C1")
	if err != nil {
		t.Fatal(err)
	}
	reply, err := postTS(good, "C1", slackgo.MsgOptionTS(parent))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"wrong token", func() error { _, err := client(s, "xoxb-bad").AuthTestContext(ctx); return err }, "invalid_auth"},
		{"channel the bot is not in", func() error { _, err := postTS(good, "C2"); return err }, "channel_not_found"},
		{"reply to a missing parent", func() error { _, err := postTS(good, "C1", slackgo.MsgOptionTS("1.2")); return err }, "thread_not_found"},
		{"reply to a reply", func() error { _, err := postTS(good, "C1", slackgo.MsgOptionTS(reply)); return err }, "thread_not_found"},
		{"update of a missing message", func() error {
			_, _, _, err := good.UpdateMessageContext(ctx, "C1", "9.9", slackgo.MsgOptionText("x", false))
			return err
		}, "message_not_found"},
		{"unknown user", func() error { _, err := good.GetUserInfoContext(ctx, "U0NOBODY"); return err }, "user_not_found"},
		{"unknown group", func() error { _, err := good.GetUserGroupMembersContext(ctx, "S0NONE"); return err }, "no_such_subteam"},
		{"empty message", func() error { _, _, err := good.PostMessageContext(ctx, "C1"); return err }, "no_text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if err == nil || err.Error() != tt.want {
				t.Errorf("err = %v, want %s", err, tt.want)
			}
		})
	}
}

func postTS(c *slackgo.Client, channel string, opts ...slackgo.MsgOption) (string, error) {
	_, ts, err := c.PostMessageContext(context.Background(), channel, append([]slackgo.MsgOption{slackgo.MsgOptionText("x", false)}, opts...)...)
	return ts, err
}

func TestTimestampsAreUniqueAndIncreasing(t *testing.T) {
	s := New("")
	defer s.Close()
	s.AddChannel("C1")
	c := client(s, "xoxb-any")
	prev := ""
	for i := range 5 {
		opts := []slackgo.MsgOption{}
		if i > 0 {
			opts = append(opts, slackgo.MsgOptionTS(s.Messages("C1")[0].TS))
		}
		ts, err := postTS(c, "C1", opts...)
		if err != nil {
			t.Fatal(err)
		}
		if ts <= prev {
			t.Errorf("ts %q after %q", ts, prev)
		}
		prev = ts
	}
	if n := len(s.Thread(s.Messages("C1")[0].TS)); n != 4 {
		t.Errorf("thread has %d replies, want 4", n)
	}
}

func TestRateLimitAnswersLikeSlack(t *testing.T) {
	s := New("")
	defer s.Close()
	s.AddChannel("C1")
	s.LimitChannels(time.Minute)
	c := client(s, "xoxb-any")
	if _, err := postTS(c, "C1"); err != nil {
		t.Fatal(err)
	}
	_, err := postTS(c, "C1")
	var rl *slackgo.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != time.Minute {
		t.Fatalf("err = %v, want slack-go's RateLimitedError with 60s", err)
	}
	if calls := s.Calls(); len(calls) != 2 || calls[1].Error != "ratelimited" {
		t.Errorf("calls = %+v", calls)
	}
}

func TestHoldBlocksUntilReleased(t *testing.T) {
	s := New("")
	defer s.Close()
	release := s.Hold("auth.test")
	done := make(chan error, 1)
	go func() { _, err := client(s, "xoxb-any").AuthTest(); done <- err }()
	select {
	case <-done:
		t.Fatal("held call returned")
	case <-time.After(50 * time.Millisecond):
	}
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestSignedRequestsVerifyWithSlackGo(t *testing.T) {
	tests := []struct {
		name   string
		secret string
		ok     bool
	}{
		{"right secret", "s3cret", true},
		{"wrong secret", "other", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := SignedCommand("s3cret", url.Values{"user_id": {"U1"}}, time.Now())
			sv, err := slackgo.NewSecretsVerifier(req.Header, tt.secret)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(req.Body)
			_, _ = sv.Write(body)
			if err := sv.Ensure(); (err == nil) != tt.ok {
				t.Errorf("Ensure = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

// TestStormFaultsInTurn: a storm answers calls with its pattern's faults
// in turn, as slack-go sees them (a RateLimitedError, a 500, a call that
// never answers until the client gives up), posts nothing for a faulted
// call, and stops when calmed.
func TestStormFaultsInTurn(t *testing.T) {
	s := New("")
	defer s.Close()
	s.AddChannel("C1")
	s.Storm("chat.postMessage", 2*time.Second, NoFault, RateLimited, ServerError, Timeout)
	c := slackgo.New("xoxb-any", slackgo.OptionAPIURL(s.APIURL()),
		slackgo.OptionHTTPClient(&http.Client{Timeout: 200 * time.Millisecond}))
	if _, err := postTS(c, "C1"); err != nil {
		t.Fatalf("first call (no fault): %v", err)
	}
	var rl *slackgo.RateLimitedError
	if _, err := postTS(c, "C1"); !errors.As(err, &rl) || rl.RetryAfter != 2*time.Second {
		t.Errorf("second call: %v, want a RateLimitedError with 2s", err)
	}
	var status slackgo.StatusCodeError
	if _, err := postTS(c, "C1"); !errors.As(err, &status) || status.Code != http.StatusInternalServerError {
		t.Errorf("third call: %v, want status 500", err)
	}
	var timeout interface{ Timeout() bool }
	if _, err := postTS(c, "C1"); !errors.As(err, &timeout) || !timeout.Timeout() {
		t.Errorf("fourth call: %v, want the client's timeout", err)
	}
	if _, err := postTS(c, "C1"); err != nil {
		t.Errorf("fifth call (the pattern again, no fault): %v", err)
	}
	s.CalmStorm("chat.postMessage")
	if _, err := postTS(c, "C1"); err != nil {
		t.Errorf("after the storm: %v", err)
	}
	if n := len(s.Messages("C1")); n != 3 {
		t.Errorf("%d messages posted, want 3 (faulted calls post nothing)", n)
	}
	got := s.Faulted("chat.postMessage")
	if got[RateLimited] != 1 || got[ServerError] != 1 || got[Timeout] != 1 {
		t.Errorf("Faulted = %v, want one of each", got)
	}
}
