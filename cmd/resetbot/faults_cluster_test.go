package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/bot/slack/slackfake"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/testenv"
)

// nodeHolding returns the index of the cluster master that holds the
// flow's keys (they share one hash slot: flow:{id}).
func nodeHolding(t *testing.T, c *testenv.RedisCluster, flowID string) int {
	t.Helper()
	for i, addr := range c.Addrs() {
		rdb := redis.NewClient(&redis.Options{Addr: addr})
		keys, _, err := rdb.Scan(context.Background(), 0, "*"+flowID+"*", 1000).Result()
		rdb.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) > 0 {
			return i
		}
	}
	t.Fatalf("no cluster node holds a key of flow %s", flowID)
	return -1
}

// openPage GETs a link as the person's phone does and returns the status
// and the page's text.
func openPage(t *testing.T, link string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, link, nil)
	req.Header.Set("User-Agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1")
	resp, err := (&http.Client{Timeout: 20 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestRedisClusterMasterStopped is fault 9 of the fault suite: serve runs
// on a Redis Cluster of the test's own (three masters, append-only files;
// the harness's shared cluster, which other packages use meanwhile, is
// never touched), and the master holding a live flow is killed. Once the
// cluster has noticed (cluster_state:fail), what the person sees is a
// clear "temporarily unavailable": the slash command's answer and the
// link's page say so, neither a new link nor a wrong state ("link
// expired", "already used", "something went wrong"), and /readyz is not
// ready. With the master back, serve recovers without a restart: the same
// link opens, a new request gets its link, and every event of both flows
// is in the audit log and the helpdesk thread once, in order.
func TestRedisClusterMasterStopped(t *testing.T) {
	start := time.Now()
	cluster := testenv.StartRedisCluster(t, testenv.RedisOptions{AppendFsync: "always"})
	r := newRig(t, "", rigOptions{cluster: cluster})
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("serve log:\n%s", readFile(r.logPath))
		}
	})
	account, chat := r.ownAccount()
	r.fake.AddUser(slackfake.User{ID: chat, Name: account})
	other, otherChat := r.ownAccount()
	r.fake.AddUser(slackfake.User{ID: otherChat, Name: other})
	r.eventually("serve ready", 30*time.Second, r.ready)

	r.command(chat, "enroll")
	link := r.link(chat, 1)
	id, err := r.store.LiveID(context.Background(), r.user(account).ID, flows.KindEnroll)
	if err != nil || id == "" {
		t.Fatalf("live flow: %q, %v", id, err)
	}
	r.eventually("link.sent recorded", 20*time.Second, func() bool {
		f, err := r.store.Get(context.Background(), id)
		return err == nil && !f.LinkSentAt.IsZero()
	})

	node := cluster.Node(nodeHolding(t, cluster, id))
	node.Kill()
	cluster.WaitState("fail", 30*time.Second)

	took, body := r.ack(otherChat, "enroll")
	if !strings.Contains(body, "temporarily unavailable") || strings.Contains(body, "preparing") {
		t.Errorf("slash command with a master down answered (after %s): %s", took, body)
	}
	status, page := openPage(t, link)
	if !strings.Contains(page, "Temporarily unavailable") {
		t.Errorf("link with a master down: status %d, page:\n%s", status, visibleHTML(page))
	}
	for _, wrong := range []string{"expired", "already used", "went wrong", "Continue with passkey", "Set up a passkey"} {
		if strings.Contains(page, wrong) {
			t.Errorf("link with a master down says %q:\n%s", wrong, visibleHTML(page))
		}
	}
	if status == http.StatusOK {
		t.Errorf("link with a master down answered 200")
	}
	if r.ready() {
		t.Error("/readyz answers 200 with the cluster failed")
	}
	if n := len(r.fake.DMs(otherChat)); n != 0 {
		t.Errorf("%d DMs to the person whose request was not taken, want none", n)
	}

	node.Start()
	cluster.WaitState("ok", 30*time.Second)
	r.eventually("ready with the master back", 60*time.Second, r.ready)
	// The flow is still there (append-only file): its link opens.
	r.eventually("the link opens with the master back", 30*time.Second, func() bool {
		status, page = openPage(t, link)
		return status == http.StatusOK
	})
	if strings.Contains(page, "Temporarily unavailable") || strings.Contains(page, "expired") {
		t.Fatalf("link with the master back:\n%s", visibleHTML(page))
	}
	// A new request goes through.
	if _, body := r.ack(otherChat, "enroll"); !strings.Contains(body, "preparing a passkey setup link") {
		t.Fatalf("slash command with the master back: %s", body)
	}
	r.link(otherChat, 1)
	otherID, err := r.store.LiveID(context.Background(), r.user(other).ID, flows.KindEnroll)
	if err != nil || otherID == "" {
		t.Fatalf("live flow of the new request: %q, %v", otherID, err)
	}

	r.auditExactly(id, 60*time.Second, flows.EventRequested, flows.EventLinkSent, flows.EventLinkOpened)
	r.threadExactly(id, 60*time.Second, "Requested by", "Link sent to the user", "Link opened")
	r.auditExactly(otherID, 60*time.Second, flows.EventRequested, flows.EventLinkSent)
	r.threadExactly(otherID, 60*time.Second, "Requested by", "Link sent to the user")
	r.verifyAudit()
	t.Logf("case took %s", time.Since(start).Round(100*time.Millisecond))
}

// visibleHTML is a page's text without its tags, for failure messages.
func visibleHTML(page string) string {
	var b strings.Builder
	in := false
	for _, c := range page {
		switch {
		case c == '<':
			in = true
		case c == '>':
			in = false
			b.WriteByte(' ')
		case !in:
			b.WriteRune(c)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}
