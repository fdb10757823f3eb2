package slack

// Link DMs under a burst (#10 §3): many people type /reset at once, through
// the Slack ingress and the real core on real Redis, against a fake Slack
// that enforces Slack's limits, conversations.open's Tier 3 included. Each
// person must get their link by DM, the app must see no 429, and no link
// may cost a conversations.open. It counts calls; it never asserts on
// timing. The numbers are in docs/BENCHMARKS.md.

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/bot/slack/slackfake"
	"github.com/resetbot/resetbot/directory/memory"
	"github.com/resetbot/resetbot/internal/testenv"
)

// linkBurstPeople is how many people ask at once: ten times
// conversations.open's burst allowance in the fake, far more than a
// client that opens a DM per link could send within Slack's limit.
// RESETBOT_TEST_LINK_BURST sets another number (docs/BENCHMARKS.md's is
// 500).
func linkBurstPeople(t *testing.T) int {
	if n, err := strconv.Atoi(os.Getenv("RESETBOT_TEST_LINK_BURST")); err == nil && n > 0 {
		if n > loadUsers {
			t.Fatalf("RESETBOT_TEST_LINK_BURST=%d: at most %d", n, loadUsers)
		}
		return n
	}
	return 10 * slackfake.Tier3.Burst
}

// TestLinkBurstWithinSlackLimits: N people /reset at once with the fake
// limiting as Slack does (LimitLikeSlack: chat.postMessage per channel,
// conversations.open and chat.update Tier 3 app-wide). Every person gets
// exactly one link, in their DM, none through the fallback reply; the app
// meets no 429 and calls conversations.open not once.
func TestLinkBurstWithinSlackLimits(t *testing.T) {
	n := linkBurstPeople(t)
	rdb := redis.NewClient(&redis.Options{Addr: testenv.RequireEnv(t, "RESETBOT_TEST_REDIS_ADDR")})
	t.Cleanup(func() { rdb.Close() })
	r := newLinkBurstRig(t, rdb)
	r.fake.LimitLikeSlack()

	var people sync.WaitGroup
	for i := range n {
		people.Go(func() {
			w := httptest.NewRecorder()
			r.routes.ServeHTTP(w, r.command(int64(i)))
			if w.Code != http.StatusOK {
				t.Errorf("ack of %s: status %d", r.users[i], w.Code)
			}
		})
	}
	people.Wait()
	r.drain()

	byDM, byReply := 0, 0
	for i := range n {
		dm, reply := linkCount(r.fake, r.users[i], fmt.Sprintf("r%d", i))
		byDM += dm
		byReply += reply
		if dm+reply != 1 {
			t.Errorf("%s got %d links by DM and %d by the reply, want exactly 1", r.users[i], dm, reply)
		}
	}
	opens, limited := 0, 0
	for _, c := range r.fake.Calls() {
		if c.Method == "conversations.open" {
			opens++
		}
		if c.Error == "ratelimited" {
			limited++
		}
	}
	t.Logf("%d people: %d links by DM, %d by the fallback reply; conversations.open %d (%.2f a link), 429s seen by the app %d (conversations.open %d, chat.postMessage %d)",
		n, byDM, byReply, opens, float64(opens)/float64(n), limited, r.fake.RateLimited("conversations.open"), r.fake.RateLimited("chat.postMessage"))
	if byReply != 0 {
		t.Errorf("%d links came by the fallback reply: their DM failed", byReply)
	}
	if opens != 0 {
		t.Errorf("%d conversations.open calls for %d links, want none", opens, n)
	}
	if limited != 0 {
		t.Errorf("the app met %d 429s", limited)
	}
}

// newLinkBurstRig is the ack rig with the Messenger paced as production
// paces it (one lane per DM).
func newLinkBurstRig(t *testing.T, rdb redis.UniversalClient) *ackRig {
	t.Helper()
	seed := memory.ExampleSeed()
	users := make([]string, 0, loadUsers)
	for i := range loadUsers {
		name, id := fmt.Sprintf("dm%04d", i), fmt.Sprintf("U0DM%04d", i)
		seed.Users = append(seed.Users, memory.SeedUser{
			AccountName: name, DisplayName: "Burst " + name, Email: name + "@example.test",
			Department: "Burst", Password: memory.ExamplePassword, ChatIDs: map[string]string{"slack": id},
		})
		users = append(users, id)
	}
	dir, err := memory.New(seed)
	if err != nil {
		t.Fatal(err)
	}
	r := newAckRigOn(t, rdb, dir, users, ackRigOptions{})
	m, err := NewMessenger(testConfig(r.fake.APIURL()), WithHTTPClient(r.fake.Client()), WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	r.core.AddPlatform(Platform, m)
	return r
}

// linkCount counts the messages carrying a link that user got in their DM
// and on the command's response URL (the fallback when the DM fails).
func linkCount(fake *slackfake.Server, user, responseID string) (dm, reply int) {
	for _, m := range fake.DMs(user) {
		if linkToken.MatchString(m.Text + string(m.Blocks)) {
			dm++
		}
	}
	for _, rp := range fake.Responses() {
		if rp.ID == responseID && linkToken.MatchString(rp.Text+string(rp.Blocks)) {
			reply++
		}
	}
	return dm, reply
}
