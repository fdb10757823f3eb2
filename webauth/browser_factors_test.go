package webauth

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
)

// passkeyNames lists the names of an account's stored passkeys.
func passkeyNames(t *testing.T, s *site, account string) []string {
	t.Helper()
	u, err := s.dir.Find(context.Background(), directory.Lookup{Kind: directory.ByAccountName, Value: account})
	if err != nil {
		t.Fatal(err)
	}
	pks, err := s.creds.Passkeys(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range pks {
		names = append(names, p.Name)
	}
	return names
}

// openEnrollLanding opens an enrollment link, presses Continue and waits
// for the page after it.
func (c *chrome) openEnrollLanding(s *site, account string) *flows.Issued {
	c.t.Helper()
	is := s.start(c.t, flows.KindEnroll, account)
	c.Do(chromedp.Navigate(s.base+"/r/"+is.Token), chromedp.WaitVisible(chromedp.CSS("#continue")),
		chromedp.Click(chromedp.CSS("#continue")), chromedp.WaitNotPresent(chromedp.CSS("#continue")), chromedp.WaitVisible(chromedp.CSS("h1")))
	return is
}

// pagePost posts a form from the page's own origin with its CSRF token,
// as a script on the page could, and returns the status and the answer's
// text.
func (c *chrome) pagePost(path string, form map[string]string) (int, string) {
	c.t.Helper()
	js := `(async () => { const f = new URLSearchParams(` + jsObject(form) + `); f.set("csrf", document.body.dataset.csrf);
		const r = await fetch(` + jsString(path) + `, {method: "POST", body: f, redirect: "manual"}); return [r.status, await r.text()]; })()`
	res, err := chromedp.Run(c.Ctx, chromedp.Evaluate[[]any](js, chromedp.EvalAwaitPromise))
	if err != nil || len(res) != 2 {
		c.t.Fatalf("post %s from the page: %v, %v", path, res, err)
	}
	st, _ := res[0].(float64)
	body, _ := res[1].(string)
	return int(st), body
}

func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func jsObject(m map[string]string) string {
	parts := make([]string, 0, len(m))
	for k, v := range m {
		parts = append(parts, jsString(k)+":"+jsString(v))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// TestBrowserPasswordCannotChangeFactors: an attacker with the user's chat
// session and current password opens an enrollment link of their own, in
// their own browser with their own authenticator. The user already has a
// passkey, so no password field is offered, the password is refused when
// posted anyway, and the attacker can neither add a passkey nor remove the
// user's.
func TestBrowserPasswordCannotChangeFactors(t *testing.T) {
	s := newSite(t, memoryDir(t), false)
	user := newChrome(t, "factors-user")
	user.Authenticator(true)
	user.enroll(s, "spare2", memoryPassword)

	attacker := newChrome(t, "factors-attacker")
	attacker.Authenticator(true)
	is := attacker.openEnrollLanding(s, "spare2")
	attacker.Do(chromedp.WaitVisible(chromedp.CSS("#enroll-needs-factor")), chromedp.WaitVisible(chromedp.CSS("#passkey-login")))
	if txt := attacker.Text(); strings.Contains(txt, "Current password") {
		t.Fatalf("the password is offered as proof beside an existing passkey:\n%s", txt)
	}
	attacker.State("needs-factor")
	id := is.Flow.ID
	if st, body := attacker.pagePost("/f/"+id+"/enroll/proof", map[string]string{"password": memoryPassword}); st != 403 || !strings.Contains(body, "Confirm with your passkey") {
		t.Fatalf("password posted as proof: %d, want 403 needs-factor:\n%s", st, body)
	}
	pk := passkeyNames(t, s, "spare2")
	if st, body := attacker.pagePost("/f/"+id+"/enroll/passkey/remove", map[string]string{"id": "eA"}); st != 409 {
		t.Fatalf("remove without proof: %d, want 409 (not this step):\n%s", st, body)
	}
	// What the page's add-passkey script would ask.
	begin, err := chromedp.Run(attacker.Ctx, chromedp.Evaluate[int](`fetch("/f/`+id+`/enroll/passkey/begin", {method: "POST",
		headers: {"Content-Type": "application/json", "X-CSRF-Token": document.body.dataset.csrf}, body: "{}"}).then(r => r.status)`, chromedp.EvalAwaitPromise))
	if err != nil || begin != 409 {
		t.Fatalf("registration options without proof: %d, %v; want 409", begin, err)
	}
	if got := passkeyNames(t, s, "spare2"); len(got) != 1 || got[0] != pk[0] {
		t.Fatalf("passkeys after the attack: %q, want only the user's %q", got, pk)
	}
	if f, _ := s.eng.Get(context.Background(), id); f.State != flows.StateRedeemed || len(f.Verified) != 0 {
		t.Fatalf("attacker's flow: %s, verified %v", f.State, f.Verified)
	}
}

// TestBrowserExistingPasskeyChangesFactors: the user confirms with the
// passkey they have, then adds one on a new phone and removes the old
// one; each change is audited before it is stored.
func TestBrowserExistingPasskeyChangesFactors(t *testing.T) {
	s := newSite(t, memoryDir(t), false)
	c := newChrome(t, "factors-change")
	old := c.Authenticator(true)
	c.enroll(s, "spare1", memoryPassword)

	is := c.openEnrollLanding(s, "spare1")
	c.Do(chromedp.WaitVisible(chromedp.CSS("#enroll-needs-factor")), chromedp.Click(chromedp.CSS("#passkey-login")),
		chromedp.WaitVisible(chromedp.CSS("#passkey-register")))
	c.removeAuthenticator(old)
	c.Authenticator(true)
	c.AddPasskey("New phone")
	c.RemovePasskey("Test phone")
	c.State("changed")
	if got := passkeyNames(t, s, "spare1"); len(got) != 1 || got[0] != "New phone" {
		t.Fatalf("passkeys: %q, want [New phone]", got)
	}
	var got []string
	for _, ev := range s.events(t, is.Flow.ID) {
		if ev.Type == flows.EventFactorAdded || ev.Type == flows.EventFactorRemoved {
			got = append(got, string(ev.Type)+" "+ev.Reason)
		}
	}
	want := `factor.added passkey "New phone"` + "\n" + `factor.removed passkey "Test phone"`
	if strings.Join(got, "\n") != want {
		t.Fatalf("factor events:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
}

// TestBrowserDailyBudgetRefusesCorrectPasskey: once the account's daily
// budget of failed verifications is spent, the right passkey is refused
// too, and the page says why and whom to ask, not "try again".
func TestBrowserDailyBudgetRefusesCorrectPasskey(t *testing.T) {
	s := newSite(t, memoryDir(t), false)
	c := newChrome(t, "daily-budget")
	c.Authenticator(true)
	c.enroll(s, "spare3", memoryPassword)
	u, err := s.dir.Find(context.Background(), directory.Lookup{Kind: directory.ByAccountName, Value: "spare3"})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ { // the rig's FailedVerifyPerAccountDay
		if _, err := s.store.Take(context.Background(), "fail:"+u.ID, 24*time.Hour, 20, s.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	is := c.openReset(s, "spare3")
	c.Do(chromedp.WaitVisible(chromedp.CSS("#passkey-login")), chromedp.Click(chromedp.CSS("#passkey-login")),
		chromedp.WaitVisible(chromedp.CSS("#passkey-status.bad")))
	c.State("refused")
	status, err := chromedp.Run(c.Ctx, chromedp.TextContent(chromedp.CSS("#passkey-status")))
	if err != nil || !strings.Contains(status, "Too many failed attempts today") || !strings.Contains(status, "Contact the helpdesk") {
		t.Fatalf("status after a correct passkey over the budget: %q, %v", status, err)
	}
	if f, _ := s.eng.Get(context.Background(), is.Flow.ID); f.State == flows.StateVerified {
		t.Fatal("verified over the daily budget")
	}
}
