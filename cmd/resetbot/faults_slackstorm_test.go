package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/resetbot/resetbot/bot/slack/slackfake"
	"github.com/resetbot/resetbot/flows"
)

// stormFlows is the size of case 7's burst. The helpdesk channel takes
// about one post a second (Slack's limit, which serve's pacer keeps) and
// each flow here needs a thread parent and two or three replies, so 50
// flows are two to three minutes of helpdesk posting before the faults
// add their retries: enough to overlap the storm with every stage of
// delivery (parents, replies, parent updates, DMs) and to see a leak of
// anything kept per flow, and short enough for the CI budget. The issue's
// 200 would be ten minutes of this one case.
const stormFlows = 50

// stormPattern is the fault pattern of chat.postMessage during the storm:
// of every 40 posts, six answer 429 with Retry-After, four 500, one never
// answers (serve's Slack client gives up after its 10 s timeout; each
// costs the helpdesk channel those 10 s, so they are the rarest).
var stormPattern = slices.Concat(stormTwenty, stormTwenty[:19], []slackfake.Fault{slackfake.Timeout})

var stormTwenty = []slackfake.Fault{
	slackfake.NoFault, slackfake.NoFault, slackfake.RateLimited, slackfake.NoFault, slackfake.NoFault,
	slackfake.ServerError, slackfake.NoFault, slackfake.NoFault, slackfake.NoFault, slackfake.RateLimited,
	slackfake.NoFault, slackfake.NoFault, slackfake.ServerError, slackfake.NoFault, slackfake.NoFault,
	slackfake.NoFault, slackfake.RateLimited, slackfake.NoFault, slackfake.NoFault, slackfake.NoFault,
}

// processStats are the serve process's own numbers from its /metrics.
type processStats struct {
	goroutines, heapInuse float64
}

// stats reads go_goroutines and go_memstats_heap_inuse_bytes from the
// management listener's /metrics.
func (r *faultRig) stats() processStats {
	r.t.Helper()
	resp, err := http.Get(r.management + "/metrics")
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	var s processStats
	found := 0
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		var into *float64
		switch name {
		case "go_goroutines":
			into = &s.goroutines
		case "go_memstats_heap_inuse_bytes":
			into = &s.heapInuse
		default:
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			r.t.Fatalf("/metrics: %s %q: %v", name, value, err)
		}
		*into = v
		found++
	}
	if found != 2 {
		r.t.Fatalf("/metrics has no go_goroutines or go_memstats_heap_inuse_bytes")
	}
	return s
}

// stormUser is one person of the burst.
type stormUser struct {
	account, chat, response string
	ack                     string // the body of the slash command's ack
	flowID, link            string
	opened                  time.Time
}

// linkOf finds the user's link: in a DM, or in the private reply to the
// request when the DM failed (serve's fallback); all counts how many
// messages carried one.
func (r *faultRig) linkOf(u *stormUser) (link string, all int) {
	var bodies []string
	for _, m := range r.fake.DMs(u.chat) {
		bodies = append(bodies, string(m.Blocks))
	}
	for _, resp := range r.fake.Responses() {
		if resp.ID == u.response {
			bodies = append(bodies, string(resp.Blocks))
		}
	}
	for _, b := range bodies {
		if i := strings.Index(b, r.base+"/r/"); i >= 0 {
			all++
			link = b[i : i+strings.IndexByte(b[i:], '"')]
		}
	}
	return link, all
}

// TestSlackStormDuringBurst is fault 7 of the fault suite: while a burst
// of stormFlows people ask for a link at once, Slack's API answers
// chat.postMessage, chat.update and conversations.open with 429 and
// Retry-After, 500 and no answer at all, spread through the whole burst.
// Each person opens their link as soon as it arrives. Afterwards every
// flow's events are in the audit log and in its helpdesk thread exactly
// once and in order, each person got exactly one link, and the serve
// process's goroutines and heap are back near where they were before the
// burst (a leak check with generous bounds, not a timing). The thread lag
// and the drain time are logged for docs/BENCHMARKS.md.
func TestSlackStormDuringBurst(t *testing.T) {
	start := time.Now()
	r := newFaultRig(t, "")
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("serve log:\n%s", readFile(r.logPath))
		}
	})
	users := make([]*stormUser, stormFlows+1)
	for i := range users {
		account, chat := r.ownAccount()
		r.fake.AddUser(slackfake.User{ID: chat, Name: account})
		users[i] = &stormUser{account: account, chat: chat}
	}
	// One flow before the burst, so the baseline has what serve keeps
	// once it has worked (connection pools, the pacer's channel, caches).
	warm := users[0]
	users = users[1:]
	r.eventually("serve ready", 30*time.Second, r.ready)
	r.command(warm.chat, "enroll")
	r.link(warm.chat, 1)
	r.eventually("warm-up flow in the thread", 30*time.Second, func() bool {
		id, _ := r.store.LiveID(context.Background(), r.user(warm.account).ID, flows.KindEnroll)
		return id != "" && len(r.threadLines(id)) >= 2
	})
	time.Sleep(2 * time.Second) // let the warm-up's connections settle idle
	base := r.stats()

	r.fake.Storm("chat.postMessage", 2*time.Second, stormPattern...)
	r.fake.Storm("chat.update", time.Second, slackfake.NoFault, slackfake.RateLimited, slackfake.NoFault, slackfake.ServerError, slackfake.NoFault)
	r.fake.Storm("conversations.open", time.Second, slackfake.NoFault, slackfake.NoFault, slackfake.ServerError, slackfake.NoFault, slackfake.RateLimited, slackfake.NoFault, slackfake.NoFault)

	// The burst: every request at once, from a few senders, as a
	// company-wide password expiry morning would.
	burstStart := time.Now()
	var mu sync.Mutex
	var acks []time.Duration
	var wg sync.WaitGroup
	next := make(chan *stormUser)
	for range 8 {
		wg.Go(func() {
			for u := range next {
				took, body, err := r.ackErr(u.chat, "enroll", u.response)
				if err != nil {
					t.Errorf("request of %s: %v", u.chat, err)
					continue
				}
				mu.Lock()
				acks = append(acks, took)
				u.ack = body
				mu.Unlock()
			}
		})
	}
	for i, u := range users {
		u.response = fmt.Sprint("storm", i)
		next <- u
	}
	close(next)
	wg.Wait()
	burstEnd := time.Now()
	for _, u := range users {
		if first := firstReply(t, r.fake, u.response, u.ack); !strings.Contains(first, "preparing a passkey setup link") {
			t.Errorf("the first reply to %s reads %s", u.chat, first)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	// Each person opens the link once it has arrived.
	phone := &http.Client{Timeout: 20 * time.Second}
	r.eventually("every link delivered and opened", 5*time.Minute, func() bool {
		left := 0
		for _, u := range users {
			if !u.opened.IsZero() {
				continue
			}
			if u.link, _ = r.linkOf(u); u.link == "" {
				left++
				continue
			}
			// At once, maybe before serve has recorded the delivery (it
			// does once Slack has answered): the record still says sent,
			// then opened.
			req, _ := http.NewRequest(http.MethodGet, u.link, nil)
			req.Header.Set("User-Agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1")
			resp, err := phone.Do(req)
			if err != nil {
				t.Fatalf("open %s's link: %v", u.chat, err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("open %s's link: status %d", u.chat, resp.StatusCode)
			}
			u.opened = time.Now()
		}
		return left == 0
	})

	// Every event of every flow, in the audit log and the thread, once
	// and in order. The first wait is the drain; the others find their
	// threads complete.
	for _, u := range users {
		id, err := r.store.LiveID(context.Background(), r.user(u.account).ID, flows.KindEnroll)
		if err != nil || id == "" {
			t.Fatalf("no live flow for %s: %q, %v", u.chat, id, err)
		}
		u.flowID = id
		r.auditExactly(u.flowID, 5*time.Minute, flows.EventRequested, flows.EventLinkSent, flows.EventLinkOpened)
		r.threadExactly(u.flowID, 5*time.Minute, "Requested by", "Link sent to the user", "Link opened")
	}
	drained := time.Now()
	for _, u := range users {
		if _, n := r.linkOf(u); n != 1 {
			t.Errorf("%s got %d messages with a link, want 1", u.chat, n)
		}
	}
	faults := map[string]map[slackfake.Fault]int{}
	for _, m := range []string{"chat.postMessage", "chat.update", "conversations.open"} {
		faults[m] = r.fake.Faulted(m)
		r.fake.CalmStorm(m)
	}
	if f := faults["chat.postMessage"]; f[slackfake.RateLimited] == 0 || f[slackfake.ServerError] == 0 || f[slackfake.Timeout] == 0 {
		t.Errorf("the storm hit chat.postMessage with %v: each fault should have happened", f)
	}
	r.verifyAudit()

	// Back near the baseline: goroutines within a few of it (a leak per
	// flow would be 50 or more), the heap within twice it plus 16 MiB (a
	// flow's state kept in memory would grow it past that; garbage the
	// collector has not yet returned stays under it). The process is
	// idle now; its collector runs on its own within the wait.
	var after processStats
	settled := func() bool {
		after = r.stats()
		return after.goroutines <= base.goroutines+10 && after.heapInuse <= 2*base.heapInuse+16<<20
	}
	deadline := time.Now().Add(3 * time.Minute)
	for !settled() && time.Now().Before(deadline) {
		time.Sleep(time.Second)
	}
	if !settled() {
		t.Errorf("after the storm: %.0f goroutines (baseline %.0f), heap in use %.1f MiB (baseline %.1f MiB)",
			after.goroutines, base.goroutines, after.heapInuse/(1<<20), base.heapInuse/(1<<20))
	}

	// What the helpdesk waited: from a flow's last step (the open) to the
	// post that put it in the thread.
	lags := r.threadLags(users)
	slices.Sort(acks)
	load, _ := os.ReadFile("/proc/loadavg")
	t.Logf("storm: %d flows; faults %v; acks min %s median %s max %s; burst sent in %s; last link opened %s after the burst; "+
		"thread lag after the open: median %s, p95 %s, max %s; drained %s after the burst; "+
		"goroutines %.0f -> %.0f, heap in use %.1f -> %.1f MiB; load average %s; case took %s",
		len(users), faults, acks[0].Round(time.Millisecond), acks[len(acks)/2].Round(time.Millisecond), acks[len(acks)-1].Round(time.Millisecond),
		burstEnd.Sub(burstStart).Round(time.Millisecond), lastOpened(users).Sub(burstEnd).Round(100*time.Millisecond),
		lags[len(lags)/2].Round(100*time.Millisecond), lags[len(lags)*95/100].Round(100*time.Millisecond), lags[len(lags)-1].Round(100*time.Millisecond),
		drained.Sub(burstEnd).Round(100*time.Millisecond),
		base.goroutines, after.goroutines, base.heapInuse/(1<<20), after.heapInuse/(1<<20),
		strings.TrimSpace(string(load)), time.Since(start).Round(time.Second))
}

// ackErr is ack with the request's response URL named by response and
// errors returned, for callers off the test's goroutine.
func (r *faultRig) ackErr(user, text, response string) (time.Duration, string, error) {
	req := slackfake.SignedCommand(testSigningSecret, slackfake.CommandForm(user, text, r.fake.ResponseURL(response)), time.Now())
	u, _ := req.URL.Parse(r.base + req.URL.Path)
	req.URL, req.Host = u, u.Host
	began := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	var b strings.Builder
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		b.WriteString(sc.Text())
	}
	took := time.Since(began)
	if resp.StatusCode != http.StatusOK {
		return took, b.String(), fmt.Errorf("status %d: %s", resp.StatusCode, b.String())
	}
	return took, b.String(), nil
}

func lastOpened(users []*stormUser) time.Time {
	var last time.Time
	for _, u := range users {
		if u.opened.After(last) {
			last = u.opened
		}
	}
	return last
}

// threadLags returns, sorted, each flow's wait from its link's opening to
// the last accepted post in its helpdesk thread, as the fake recorded it.
func (r *faultRig) threadLags(users []*stormUser) []time.Duration {
	parents := map[string]*stormUser{} // thread parent ts -> user
	for _, m := range r.fake.Messages("C0HELPDESK") {
		latest, _ := r.fake.Message(m.TS)
		text := latest.Text + visibleText(latest.Blocks)
		for _, u := range users {
			if strings.Contains(text, u.flowID) {
				parents[m.TS] = u
			}
		}
	}
	last := map[*stormUser]time.Time{}
	for _, c := range r.fake.Calls() {
		if u := parents[c.ThreadTS]; u != nil && c.Method == "chat.postMessage" && c.Error == "" && c.At.After(last[u]) {
			last[u] = c.At
		}
	}
	var lags []time.Duration
	for _, u := range users {
		lags = append(lags, max(0, last[u].Sub(u.opened)))
	}
	slices.Sort(lags)
	return lags
}
