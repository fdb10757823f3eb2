package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/resetbot/resetbot/bot/slack/slackfake"
	"github.com/resetbot/resetbot/flows"
)

// secondReplica starts another `resetbot serve` with the rig's
// configuration (same Redis and key prefix, same directory, same fake
// Slack, same audit log) on its own listeners, and returns its base URL
// and log file.
func (r *faultRig) secondReplica() (base, logPath string) {
	r.t.Helper()
	port, mgmt := freePort(r.t), freePort(r.t)
	base = fmt.Sprintf("http://localhost:%d", port)
	file := r.file // links name the one public origin, the rig's
	file.Listen, file.ManagementListen = fmt.Sprintf("127.0.0.1:%d", port), fmt.Sprintf("127.0.0.1:%d", mgmt)
	config := writeTestConfigAs(r.t, filepath.Dir(r.config), "config2.yaml", file)
	logPath = filepath.Join(filepath.Dir(r.config), "serve2.log")
	startServe(r.t, r.bin, config, base, logPath)
	return base, logPath
}

// TestSlackRetryToTwoReplicas is fault 8 of the fault suite: the same
// signed slash command delivered to two replicas on one Redis, the second
// time with Slack's retry headers, both at once. One flow starts (one
// "requested" event in the audit log), the user gets one link, both
// deliveries are answered 200, and the audit chain verifies.
func TestSlackRetryToTwoReplicas(t *testing.T) {
	r := newFaultRig(t, "")
	base2, _ := r.secondReplica()
	const user = "U0SPARE2"
	form := slackfake.CommandForm(user, "enroll", r.fake.ResponseURL("retry"))
	ts := time.Now()
	var wg sync.WaitGroup
	bodies := make([]string, 2)
	for i, base := range []string{r.base, base2} {
		req := slackfake.SignedCommand(testSigningSecret, form, ts)
		if i == 1 {
			req.Header.Set("X-Slack-Retry-Num", "1")
			req.Header.Set("X-Slack-Retry-Reason", "http_timeout")
		}
		u, _ := req.URL.Parse(base + req.URL.Path)
		req.URL, req.Host = u, u.Host
		wg.Go(func() {
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("delivery %d: status %d: %s", i, resp.StatusCode, b)
			}
			bodies[i] = string(b)
		})
	}
	wg.Wait()
	r.link(user, 1)
	// The first delivery's answer (its ack, or the post to the response
	// URL when the ack was empty) says "preparing", once; the retry's
	// ack is only an ack.
	said := bodies
	for _, resp := range r.fake.Responses() {
		if resp.ID == "retry" {
			said = append(said, resp.Text)
		}
	}
	preparing := 0
	for _, b := range said {
		if strings.Contains(b, "preparing a passkey setup link") {
			preparing++
		}
	}
	if preparing != 1 {
		t.Errorf("%d answers said 'preparing', want exactly the first delivery's: %q", preparing, said)
	}
	time.Sleep(3 * time.Second) // a second flow, if any, would have sent its link by now
	links := 0
	for _, m := range r.fake.DMs(user) {
		if strings.Contains(string(m.Blocks), r.base+"/r/") {
			links++
		}
	}
	if links != 1 {
		t.Errorf("%d link DMs, want 1", links)
	}
	var requested []string
	r.eventually("the flow in the audit log", 20*time.Second, func() bool {
		requested = nil
		data, _ := os.ReadFile(r.auditPath)
		for _, l := range strings.Split(string(data), "\n") {
			if strings.Contains(l, `"flow.requested"`) && strings.Contains(l, user) {
				requested = append(requested, l)
			}
		}
		return len(requested) > 0
	})
	if len(requested) != 1 {
		t.Errorf("%d flow.requested events for %s, want 1:\n%s", len(requested), user, strings.Join(requested, "\n"))
	}
	// The one flow's record and its helpdesk thread, each step once.
	id, err := r.store.LiveID(context.Background(), r.user("spare2").ID, flows.KindEnroll)
	if err != nil || id == "" {
		t.Fatalf("live enrollment of spare2: %q, %v", id, err)
	}
	r.auditExactly(id, 20*time.Second, flows.EventRequested, flows.EventLinkSent)
	r.threadExactly(id, 20*time.Second, "Requested by", "Link sent to the user")
	r.verifyAudit()
}
