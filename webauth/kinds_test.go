package webauth

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
)

// lockedBuffer is a log sink safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestUnlockFlow(t *testing.T) {
	r := newRig(t, rigOptions{})
	ts := r.server(t)
	ctx := context.Background()
	u, _ := r.dir.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: "lockme"})
	for i := 0; i < 3; i++ {
		_ = r.dir.VerifyPassword(ctx, u, "wrong-password")
	}
	if u, _ = r.dir.Find(ctx, directory.Lookup{Kind: directory.ByID, Value: u.ID}); !u.Locked {
		t.Fatal("fixture: account not locked")
	}
	is := r.start(t, flows.KindUnlock, "lockme")
	b := newBrowser(t, ts)
	b.redeem(is.Token)
	binding := readJarBinding(t, b, is.Flow.ID)
	if _, err := r.eng.RecordVerification(ctx, is.Flow.ID, binding, flows.Verification{Method: flows.MethodPasskey, OK: true}); err != nil {
		t.Fatal(err)
	}
	st, _, page, _ := b.get("/f/" + is.Flow.ID + "/password")
	if st != http.StatusOK || !strings.Contains(page, "Unlock my account") || strings.Contains(page, "password-form") {
		t.Fatalf("unlock page: %d", st)
	}
	st, loc, _, _ := b.postForm("/f/"+is.Flow.ID+"/unlock", map[string]string{"csrf": csrfOf(t, page)})
	if st != http.StatusSeeOther || loc != "/f/"+is.Flow.ID+"/done" {
		t.Fatalf("unlock: %d %q", st, loc)
	}
	if u, _ = r.dir.Find(ctx, directory.Lookup{Kind: directory.ByID, Value: u.ID}); u.Locked {
		t.Fatal("still locked")
	}
	if _, _, done, _ := b.get(loc); !strings.Contains(done, "Your account is unlocked") {
		t.Fatal("done page does not say unlocked")
	}
}

func TestPrivilegedWaitsForApproval(t *testing.T) {
	r := newRig(t, rigOptions{})
	ts := r.server(t)
	ctx := context.Background()
	is := r.start(t, flows.KindReset, "alice")
	b := newBrowser(t, ts)
	b.redeem(is.Token)
	id := is.Flow.ID
	if _, err := r.eng.RecordVerification(ctx, id, readJarBinding(t, b, id), flows.Verification{Method: flows.MethodPasskey, OK: true}); err != nil {
		t.Fatal(err)
	}
	if _, _, page, _ := b.get("/f/" + id + "/verify"); !strings.Contains(page, "Waiting for helpdesk approval") {
		t.Fatal("no waiting page")
	}
	if st, _, _, _ := b.get("/f/" + id + "/password"); st < 400 {
		t.Fatalf("password form before approval: %d", st)
	}
	next := func() string {
		_, _, body, _ := b.get("/f/"+id+"/status", "Accept", "application/json")
		var s statusData
		if err := json.Unmarshal([]byte(body), &s); err != nil {
			t.Fatalf("status: %v: %s", err, body)
		}
		return s.Next
	}
	if n := next(); n != "/f/"+id+"/verify" {
		t.Fatalf("before approval next = %q", n)
	}
	if _, err := r.eng.Decide(ctx, id, flows.Decision{Approver: flows.ChatIdentity{Platform: "slack", UserID: "U-helper"}, ApproverAccountID: "someone-else", Grant: true}); err != nil {
		t.Fatal(err)
	}
	if n := next(); n != "/f/"+id+"/password" {
		t.Fatalf("after approval next = %q", n)
	}
}

func TestHelpdeskLinkIsEnrollmentProof(t *testing.T) {
	logs := &lockedBuffer{}
	r := newRig(t, rigOptions{log: logs})
	ts := r.server(t)
	pushed := r.startBy(t, flows.KindEnroll, "spare1", "U-helpdesk")
	st, loc := newBrowser(t, ts).redeem(pushed.Token)
	if st != http.StatusSeeOther || loc != "/f/"+pushed.Flow.ID+"/enroll" {
		t.Fatalf("redeem: %d %q", st, loc)
	}
	f, _ := r.eng.Get(context.Background(), pushed.Flow.ID)
	if f.State != flows.StateVerified || !f.HasVerified(flows.MethodHelpdeskLink) {
		t.Fatalf("pushed link: state %s, verified %v", f.State, f.Verified)
	}
	// Self-service enrollment needs the directory password instead.
	self := r.start(t, flows.KindEnroll, "spare2")
	b := newBrowser(t, ts)
	b.redeem(self.Token)
	_, _, proof, _ := b.get("/f/" + self.Flow.ID + "/enroll")
	if !strings.Contains(proof, "Current password") {
		t.Fatal("no proof form for a self-service enrollment")
	}
	const wrong = "Not-The-Passw0rd-99"
	if st, _, _, _ := b.postForm("/f/"+self.Flow.ID+"/enroll/proof", map[string]string{"csrf": csrfOf(t, proof), "password": wrong}); st != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d", st)
	}
	// Nothing secret reaches the log: not the links, not the password.
	for _, secret := range []string{pushed.Token, self.Token, wrong, strings.SplitN(self.Token, ".", 2)[1]} {
		if strings.Contains(logs.String(), secret) {
			t.Fatalf("a secret reached the log:\n%s", logs.String())
		}
	}
	if !strings.Contains(logs.String(), "error_id=") {
		t.Fatal("refusals are not logged with an error id")
	}
}

// TestApproverConfirmationPages: an approver's confirmation link shows
// whose reset it approves, offers no authenticator-app code, and only after
// the approver's passkey the Approve button, which decides the target.
func TestApproverConfirmationPages(t *testing.T) {
	r := newRig(t, rigOptions{totp: true})
	ts := r.server(t)
	ctx := context.Background()
	target := r.start(t, flows.KindReset, "alice")
	tb := newBrowser(t, ts)
	tb.redeem(target.Token)
	if _, err := r.eng.RecordVerification(ctx, target.Flow.ID, readJarBinding(t, tb, target.Flow.ID), flows.Verification{Method: flows.MethodPasskey, OK: true}); err != nil {
		t.Fatal(err)
	}
	jdoe, err := r.dir.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: "jdoe"})
	if err != nil {
		t.Fatal(err)
	}
	is, err := r.eng.StartConfirmation(ctx, flows.ConfirmRequest{
		Target: target.Flow.ID, Approver: flows.ChatIdentity{Platform: "slack", UserID: "U-jdoe"}, Account: jdoe, Grant: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, ts)
	if _, _, page, _ := b.get("/r/" + is.Token); !strings.Contains(page, "Approve the password reset of") || !strings.Contains(page, "alice") {
		t.Fatalf("landing does not name the target:\n%s", page)
	}
	b.redeem(is.Token)
	id := is.Flow.ID
	if st, _, _, _ := b.get("/f/" + id + "/approve"); st != http.StatusSeeOther {
		t.Fatalf("approve page before the passkey: %d, want a redirect to verify", st)
	}
	if _, err := r.eng.RecordVerification(ctx, id, readJarBinding(t, b, id), flows.Verification{Method: flows.MethodPasskey, OK: true}); err != nil {
		t.Fatal(err)
	}
	st, _, page, _ := b.get("/f/" + id + "/approve")
	if st != http.StatusOK || !strings.Contains(page, `id="approve"`) {
		t.Fatalf("approve page: %d", st)
	}
	st, loc, _, _ := b.postForm("/f/"+id+"/approve", map[string]string{"csrf": csrfOf(t, page)})
	if st != http.StatusSeeOther || loc != "/f/"+id+"/done" {
		t.Fatalf("approve: %d %q", st, loc)
	}
	if _, _, done, _ := b.get(loc); !strings.Contains(done, "Your approval is confirmed") {
		t.Fatal("done page does not confirm the approval")
	}
	if f, _ := r.eng.Get(ctx, target.Flow.ID); f.State != flows.StateVerified || f.Approval.By.UserID != "U-jdoe" {
		t.Fatalf("target after the confirmation: %s by %v", f.State, f.Approval.By)
	}
}
