package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/resetbot/resetbot/flows"
)

// TestDirectoryDownDuringSubmit is fault 3 of the fault suite, first
// half: the directory is stopped (the proxy between serve and slapd cut;
// slapd itself is shared with other packages' tests) when the user
// submits the new password. The page says the directory could not be
// reached and to try again, nothing changed; with the directory back the
// same link's flow is retried and goes through, recorded once.
func TestDirectoryDownDuringSubmit(t *testing.T) {
	start := time.Now()
	r := newFaultRig(t, "")
	p := r.resetAtPasswordForm("faults-dir-down")
	u, id, browser := p.user, p.flowID, p.browser

	r.proxy.cut()
	browser.Do(chromedp.Click(chromedp.CSS("#set-password")))
	if p.await(time.Now().Add(rigRetryBudget), "#done-headline", "#problem") != "#problem" {
		t.Fatalf("no problem page with the directory down:\n%s", browser.Text())
	}
	page := browser.Text()
	if !strings.Contains(page, "could not reach the company directory") || strings.Contains(page, "password was changed") {
		t.Errorf("page with the directory down:\n%s", page)
	}
	if f, err := r.store.Get(t.Context(), id); err != nil || f.State.Terminal() {
		t.Fatalf("flow after the failed submit: %+v, %v (want it live, to be retried)", f, err)
	}

	r.proxy.restore()
	p.retryUntilDone()
	if page := browser.Text(); !strings.Contains(page, "Your password was changed") {
		t.Fatalf("retry with the directory back:\n%s", page)
	}
	if n := r.passwordChangesSince(u, p.before.Add(time.Second)); n != 1 {
		t.Errorf("%d password changes in the directory, want 1", n)
	}
	// The failed attempt is on the record (the flow went back to
	// verified), then the retry's write, each event once.
	r.auditExactly(id, 20*time.Second,
		flows.EventRequested, flows.EventLinkSent, flows.EventLinkOpened, flows.EventLinkRedeemed, flows.EventVerified, firstFlowRisk, firstFlowRisk,
		flows.EventApplying, flows.EventApplyFailed,
		flows.EventApplying, flows.EventPasswordSet, flows.EventCompleted)
	r.threadExactly(id, 20*time.Second,
		"Requested by", "Link sent to the user", "Link opened", "Link used", "Verified with passkey", firstFlowRiskLines[0], firstFlowRiskLines[1],
		"Writing to the directory", "Account could not be read before the directory write, nothing written: directory unavailable",
		"Writing to the directory", "New password written to the directory", "Completed")
	r.eventually("user told in chat", 20*time.Second, func() bool { return countDMs(r, p.chat, "Your password was changed") > 0 })
	if n := countDMs(r, p.chat, "Your password was changed"); n != 1 {
		t.Errorf("%d 'password was changed' DMs, want 1", n)
	}
	r.verifyAudit()
	t.Logf("case took %s", time.Since(start).Round(100*time.Millisecond))
}

// TestDirectoryFailover is fault 3 of the fault suite, second half: the
// first of directory.urls is down (connection refused), the second alive.
// A whole reset goes through as if nothing were wrong: no problem page,
// no failure in the audit log or the thread, one change in the directory.
func TestDirectoryFailover(t *testing.T) {
	start := time.Now()
	r := newRig(t, "", rigOptions{deadFirstURL: true})
	p := r.resetAtPasswordForm("faults-dir-failover")
	p.browser.Do(chromedp.Click(chromedp.CSS("#set-password")), chromedp.WaitVisible(chromedp.CSS("#done-headline")))
	if page := p.browser.Text(); !strings.Contains(page, "Your password was changed") {
		t.Fatalf("reset with the first directory down:\n%s", page)
	}
	if n := r.passwordChangesSince(p.user, p.before.Add(time.Second)); n != 1 {
		t.Errorf("%d password changes in the directory, want 1", n)
	}
	r.auditExactly(p.flowID, 20*time.Second,
		flows.EventRequested, flows.EventLinkSent, flows.EventLinkOpened, flows.EventLinkRedeemed, flows.EventVerified, firstFlowRisk, firstFlowRisk,
		flows.EventApplying, flows.EventPasswordSet, flows.EventCompleted)
	r.threadExactly(p.flowID, 20*time.Second,
		"Requested by", "Link sent to the user", "Link opened", "Link used", "Verified with passkey", firstFlowRiskLines[0], firstFlowRiskLines[1],
		"Writing to the directory", "New password written to the directory", "Completed")
	r.verifyAudit()
	t.Logf("case took %s", time.Since(start).Round(100*time.Millisecond))
}
