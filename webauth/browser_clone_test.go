package webauth

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/resetbot/resetbot/flows"
)

// TestBrowserCloneWarning: a passkey whose signature counter is behind the
// one stored (a copy of the key, made before the original was used again)
// is refused, the audit trail says why, and the password form stays out of
// reach.
func TestBrowserCloneWarning(t *testing.T) {
	s := newSite(t, memoryDir(t), false)
	c := newChrome(t, "clone")
	ctx := context.Background()
	orig := c.Authenticator(true)
	c.enroll(s, "spare3", memoryPassword)
	cred := c.onlyCredential(orig)
	c.removeAuthenticator(orig)

	// The original moves ahead: a verification at counter 50 stores 51.
	ahead := c.authenticatorHolding(cred, 50)
	first := c.openReset(s, "spare3")
	c.Do(chromedp.WaitVisible(chromedp.CSS("#passkey-login")), chromedp.Click(chromedp.CSS("#passkey-login")),
		chromedp.WaitVisible(chromedp.CSS("#password-form")))
	pks, err := s.creds.Passkeys(ctx, first.Flow.Subject.AccountID)
	if err != nil || len(pks) != 1 || pks[0].Credential.Authenticator.SignCount <= 10 {
		t.Fatalf("stored passkey after the first use: %+v, %v; want a sign count above 10", pks, err)
	}
	stored := pks[0].Credential.Authenticator.SignCount

	// The clone, copied earlier, still counts from 10.
	c.removeAuthenticator(ahead)
	c.authenticatorHolding(cred, 10)
	is := c.openReset(s, "spare3")
	c.expectVerifyFailure(s, is, "clone-refused")

	var reasons []string
	for _, ev := range s.events(t, is.Flow.ID) {
		if ev.Type == flows.EventVerifyFailed && ev.Method == flows.MethodPasskey {
			reasons = append(reasons, ev.Reason)
		}
	}
	if len(reasons) != 1 || !strings.Contains(reasons[0], "clone warning") {
		t.Fatalf("audited verification failures: %q; want one clone warning", reasons)
	}
	pks, err = s.creds.Passkeys(ctx, is.Flow.Subject.AccountID)
	if err != nil || len(pks) != 1 || pks[0].Credential.Authenticator.SignCount != stored {
		t.Fatalf("stored passkey after the clone: %+v, %v; want its sign count %d kept", pks, err, stored)
	}
}
