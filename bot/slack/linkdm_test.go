package slack

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/bot/slack/slackfake"
	"github.com/resetbot/resetbot/internal/testenv"
)

// TestLinkDMsWhereSlackAnswersOtherwise: /reset through the ingress and
// the real core on real Redis, with the fake limiting as Slack does, for
// members whose DM Slack answers in each way it can. A member whose DM
// Slack opens on the post gets the link by DM without an open; one whose
// post by user id is channel_not_found gets it by DM after exactly one
// conversations.open; a deactivated member, a bot user and a DM the
// workspace forbids get it by the fallback reply, as before posts went
// by user id, after at most one open.
func TestLinkDMsWhereSlackAnswersOtherwise(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: testenv.RequireEnv(t, "RESETBOT_TEST_REDIS_ADDR")})
	t.Cleanup(func() { rdb.Close() })
	r := newLinkBurstRig(t, rdb)
	r.fake.LimitLikeSlack()
	cases := []struct {
		name          string
		setup         func(f *slackfake.Server, user string)
		dm, reply     int
		opens         int
		postsByUserID int
	}{
		{"DM opened by the post", func(*slackfake.Server, string) {}, 1, 0, 0, 1},
		{"DM not open for the user id", func(f *slackfake.Server, u string) { f.NeedsOpen(u) }, 1, 0, 1, 1},
		{"deactivated member", func(f *slackfake.Server, u string) {
			f.RefuseDM(u, slackfake.DMRefusal{Post: "channel_not_found", Open: "user_disabled"})
		}, 0, 1, 1, 1},
		{"bot user", func(f *slackfake.Server, u string) {
			f.RefuseDM(u, slackfake.DMRefusal{Post: "channel_not_found", Open: "cannot_dm_bot"})
		}, 0, 1, 1, 1},
		{"DMs forbidden", func(f *slackfake.Server, u string) {
			f.RefuseDM(u, slackfake.DMRefusal{Post: "restricted_action"})
		}, 0, 1, 0, 1},
	}
	for i, tc := range cases {
		tc.setup(r.fake, r.users[i])
	}
	for i := range cases {
		w := httptest.NewRecorder()
		r.routes.ServeHTTP(w, r.command(int64(i)))
		if w.Code != http.StatusOK {
			t.Fatalf("ack of %s: status %d", r.users[i], w.Code)
		}
	}
	r.drain()
	calls := r.fake.Calls()
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			user := r.users[i]
			dm, reply := linkCount(r.fake, user, fmt.Sprintf("r%d", i))
			if dm != tc.dm || reply != tc.reply {
				t.Errorf("%d links by DM and %d by the reply, want %d and %d", dm, reply, tc.dm, tc.reply)
			}
			opens, byID := 0, 0
			for _, c := range calls {
				switch {
				case c.Method == "conversations.open" && c.User == user:
					opens++
				case c.Method == "chat.postMessage" && c.ChannelArg == user:
					byID++
				}
			}
			if opens != tc.opens {
				t.Errorf("%d conversations.open, want %d", opens, tc.opens)
			}
			if byID != tc.postsByUserID {
				t.Errorf("%d posts by user id, want %d", byID, tc.postsByUserID)
			}
		})
	}
	if n := r.fake.RateLimited("conversations.open") + r.fake.RateLimited("chat.postMessage"); n != 0 {
		t.Errorf("the app met %d 429s", n)
	}
}
