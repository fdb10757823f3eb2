package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/resetbot/resetbot/flows"
)

// pendingWith returns how many of the flow's shard's audit events the
// consumer group has handed out and not had acknowledged.
func (r *faultRig) pendingWith(group, flowID string) int64 {
	stream := fmt.Sprintf("%s:{%s-%s}:audit", r.prefix, r.prefix, flowID[:2])
	p, err := r.rdb.XPending(context.Background(), stream, group).Result()
	if err != nil {
		return 0
	}
	return p.Count
}

// TestReplicaKilledMidFlow is fault 6 of the fault suite: two serve
// replicas on one Redis behind a load balancer; the one the phone talks
// to is killed (SIGKILL) with the user on the password page and its
// helpdesk-thread and notification deliveries in flight (the fake Slack
// holds them), so the dead replica leaves events read and never
// acknowledged. The load balancer sends the phone's next request to the
// other replica, which sets the password, takes the dead one's events
// over (audit.claim_idle) and finishes the record: the directory shows
// one change, the audit log has every event of the flow once and in
// order and `audit verify` accepts the chain, the helpdesk thread has
// every step once and in order, and the user saw "changed" on the page
// and in chat, once.
func TestReplicaKilledMidFlow(t *testing.T) {
	start := time.Now()
	r := newFaultRigFront(t, "")
	var releases []func()
	p := r.resetAtPasswordFormAfter("faults-replica-kill", func() {
		// From here on the only replica (A) reads the verification's
		// events and cannot deliver them.
		releases = []func(){r.fake.Hold("chat.postMessage"), r.fake.Hold("chat.update")}
	})
	id, u, browser := p.flowID, p.user, p.browser
	r.eventually("A holding the verification's thread events", 20*time.Second, func() bool {
		return r.pendingWith("chat-threads", id) > 0
	})
	held := r.pendingWith("chat-threads", id)

	// B joins, then A dies; the load balancer drops A.
	base2, log2 := r.secondReplica()
	r.proc.kill()
	r.front.to(base2)
	for _, release := range releases {
		release()
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("replica B's log:\n%s", readFile(log2))
		}
	})

	// The phone's next request: the form A served, posted to B.
	browser.Do(chromedp.Click(chromedp.CSS("#set-password")), chromedp.WaitVisible(chromedp.CSS("#done-headline")))
	if page := browser.Text(); !strings.Contains(page, "Your password was changed") {
		t.Fatalf("submit to the surviving replica:\n%s", page)
	}
	if n := r.passwordChangesSince(u, p.before.Add(time.Second)); n != 1 {
		t.Errorf("%d password changes in the directory, want 1", n)
	}
	within := rigClaimIdle + 45*time.Second
	r.auditExactly(id, within,
		flows.EventRequested, flows.EventLinkSent, flows.EventLinkOpened, flows.EventLinkRedeemed, flows.EventVerified, firstFlowRisk, firstFlowRisk,
		flows.EventApplying, flows.EventPasswordSet, flows.EventCompleted)
	r.threadExactly(id, within,
		"Requested by", "Link sent to the user", "Link opened", "Link used", "Verified with passkey", firstFlowRiskLines[0], firstFlowRiskLines[1],
		"Writing to the directory", "New password written to the directory", "Completed")
	r.eventually("user told in chat", within, func() bool {
		return countDMs(r, p.chat, "Your password was changed") > 0
	})
	if n := countDMs(r, p.chat, "Your password was changed"); n != 1 {
		t.Errorf("%d 'password was changed' DMs, want 1", n)
	}
	if n := r.pendingWith("chat-threads", id); n != 0 {
		t.Errorf("%d thread events still pending after the takeover", n)
	}
	r.verifyAudit()
	t.Logf("A died holding %d thread events; case took %s", held, time.Since(start).Round(100*time.Millisecond))
}

// countDMs counts user's direct messages that contain text.
func countDMs(r *faultRig, user, text string) int {
	n := 0
	for _, m := range r.fake.DMs(user) {
		if strings.Contains(m.Text+visibleText(m.Blocks), text) {
			n++
		}
	}
	return n
}
