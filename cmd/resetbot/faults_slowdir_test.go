package main

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/resetbot/resetbot/bot/slack/slackfake"
)

// ack sends "/reset text" as user and returns how long serve took to
// acknowledge it and the acknowledgement's body (what the user reads at
// once).
func (r *faultRig) ack(user, text string) (time.Duration, string) {
	r.t.Helper()
	r.n++
	req := slackfake.SignedCommand(testSigningSecret, slackfake.CommandForm(user, text, r.fake.ResponseURL(fmt.Sprint("cmd", r.n))), time.Now())
	u, _ := req.URL.Parse(r.base + req.URL.Path)
	req.URL, req.Host = u, u.Host
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	took := time.Since(start)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		r.t.Fatalf("slash command: status %d: %s", resp.StatusCode, body)
	}
	return took, firstReply(r.t, r.fake, fmt.Sprint("cmd", r.n), string(body))
}

// TestSlowDirectoryAck is fault 4 of the fault suite: the directory behind
// a proxy that holds every packet of its answers for 2 s. The slash
// command's acknowledgement waits for nothing but Redis, so it stays under
// 100 ms (Slack's deadline is 3 s), and the user reads "preparing your
// link" at once; the links arrive once the directory is fast again.
// The latencies measured are logged for docs/BENCHMARKS.md.
func TestSlowDirectoryAck(t *testing.T) {
	r := newFaultRig(t, "")
	r.eventually("serve ready", 30*time.Second, r.ready)
	r.proxy.delay.Store(int64(2 * time.Second))
	defer r.proxy.delay.Store(0)

	// Each reset costs several directory round trips, each 2 s or more:
	// a few of them are what the directory's pool can carry at once.
	users := []string{"U0SPARE1", "U0SPARE2", "U0JDOE", "U0SPARE1", "U0SPARE2"}
	var acks []time.Duration
	for _, user := range users {
		// enroll: its link goes out whatever the user has enrolled
		took, body := r.ack(user, "enroll")
		acks = append(acks, took)
		if !strings.Contains(body, "preparing a passkey setup link") {
			t.Errorf("ack of %s's request reads %s", user, body)
		}
	}
	slices.Sort(acks)
	t.Logf("ack latency with a 2 s/packet directory, %d requests: min %s, median %s, max %s",
		len(acks), acks[0].Round(time.Microsecond), acks[len(acks)/2].Round(time.Microsecond), acks[len(acks)-1].Round(time.Microsecond))
	// The goal is under 100 ms; on a CI machine shared by other jobs
	// (and under -race) one ack can be slowed by the scheduler, so the
	// median is held to the goal and every ack to well under both the
	// directory's 2 s and Slack's 3 s.
	if med := acks[len(acks)/2]; med >= 100*time.Millisecond {
		t.Errorf("median acknowledgement took %s, want under 100 ms", med)
	}
	if max := acks[len(acks)-1]; max >= time.Second {
		t.Errorf("slowest acknowledgement took %s: it waited for the directory", max)
	}
	// The links wait for the directory; once it is fast again, each user
	// gets theirs (nothing was lost while it was slow).
	time.Sleep(5 * time.Second)
	r.proxy.delay.Store(0)
	start := time.Now()
	for _, u := range users[:3] {
		var link string
		r.eventually(u+"'s link after the slow directory", 60*time.Second, func() bool {
			for _, m := range r.fake.DMs(u) {
				if b := string(m.Blocks); strings.Contains(b, r.base+"/r/") {
					link = b
					return true
				}
			}
			return false
		})
		if strings.Contains(link, "went wrong") {
			t.Errorf("%s was told something went wrong: %s", u, link)
		}
	}
	t.Logf("links delivered %s after the directory was fast again", time.Since(start).Round(100*time.Millisecond))
}
