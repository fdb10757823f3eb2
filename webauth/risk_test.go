package webauth

import (
	"context"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/geoiptest"
	"github.com/resetbot/resetbot/webauth/totp"
	"github.com/resetbot/resetbot/webauth/webauthtest"
)

// riskCountries is the generated country database of the risk tests:
// documentation ranges standing for three countries.
func riskCountries(t *testing.T) *CountryDB {
	t.Helper()
	db, err := OpenCountryDB(geoiptest.WriteCountryDB(t, map[string]string{
		"203.0.113.0/24": "DE", "198.51.100.0/24": "FR", "192.0.2.0/24": "KP",
	}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// TestRiskCountryDB: the reader finds the country of each generated
// network and none for an address outside them.
func TestRiskCountryDB(t *testing.T) {
	db := riskCountries(t)
	for ip, want := range map[string]string{"203.0.113.9": "DE", "198.51.100.1": "FR", "::ffff:192.0.2.200": "KP", "10.1.2.3": ""} {
		got, ok := db.Country(mustAddr(t, ip))
		if got != want || ok != (want != "") {
			t.Errorf("Country(%s) = %q, %v; want %q", ip, got, ok, want)
		}
	}
}

// riskTOTPFlow runs one reset of jdoe in b up to its TOTP verification,
// from the address the trusted proxy names, and returns the flow id and
// where the app sent the browser.
func riskTOTPFlow(t *testing.T, r *rig, b *browser, secret, from string) (string, string) {
	t.Helper()
	r.clock.Advance(time.Minute) // a fresh authenticator code
	b.hdr = http.Header{"X-Forwarded-For": {from}}
	is := r.start(t, flows.KindReset, "jdoe")
	b.redeem(is.Token)
	_, _, page, _ := b.get("/f/" + is.Flow.ID + "/verify")
	st, loc, body, _ := b.postForm("/f/"+is.Flow.ID+"/totp", map[string]string{"csrf": csrfOf(t, page), "code": totpCode(t, secret, r.clock.Now())})
	if st != http.StatusSeeOther {
		t.Fatalf("totp from %s: status %d\n%s", from, st, body)
	}
	return is.Flow.ID, loc
}

// TestRiskWebCountryAndBrowser: the web app's evidence (the client's
// country from the generated database behind a trusted proxy, the signed
// device cookie) drives the policy on a real Redis: a first reset from
// Germany in one browser is noted as a new browser only and remembered;
// the same browser and country again are quiet; France in a second
// browser is unusual and steps the flow up to a helpdesk approval before
// any password is written; a denied country ends the flow and the done
// page names the helpdesk contact.
func TestRiskWebCountryAndBrowser(t *testing.T) {
	r := newRig(t, rigOptions{rdb: realRedis(t), totp: true, countries: riskCountries(t),
		proxies: []string{"127.0.0.1/32", "::1/128"}, contact: "#it-help",
		risk: flows.RiskPolicy{DenyCountries: []string{"KP"}, Actions: map[flows.RiskRule]flows.RiskAction{
			flows.RiskNewBrowser: flows.RiskNote, flows.RiskUnusualCountry: flows.RiskStepUp, flows.RiskDeniedCountry: flows.RiskDeny}}})
	ts := r.server(t)
	ctx := context.Background()
	u, _ := r.dir.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: "jdoe"})
	secret, _, err := totp.Generate("Example", "jdoe")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.creds.SetTOTPSecret(ctx, u.ID, secret); err != nil {
		t.Fatal(err)
	}
	flow := func(id string) *flows.Flow {
		f, err := r.eng.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}

	b1 := newBrowser(t, ts)
	id, loc := riskTOTPFlow(t, r, b1, secret, "203.0.113.9")
	if f := flow(id); loc != "/f/"+id+"/password" || !slices.Equal(f.Risk, []string{"new_browser"}) {
		t.Fatalf("first reset: sent to %q, risk %v; want the password page, new_browser noted", loc, f.Risk)
	}
	var device *http.Cookie
	for _, c := range b1.c.Jar.Cookies(mustURL(t, ts.URL)) {
		if c.Name == deviceCookie {
			device = c
		}
	}
	if device == nil {
		t.Fatal("no device cookie set")
	}
	_, _, form, _ := b1.get("/f/" + id + "/password")
	if st, _, body, _ := b1.postForm("/f/"+id+"/password", map[string]string{"csrf": csrfOf(t, form), "password": "Quiet-Harbour-71-Lantern"}); st != http.StatusSeeOther {
		t.Fatalf("password: %d\n%s", st, problemOf(body))
	}

	id, loc = riskTOTPFlow(t, r, b1, secret, "203.0.113.77")
	if f := flow(id); loc != "/f/"+id+"/password" || len(f.Risk) != 0 {
		t.Fatalf("same browser and country: sent to %q, risk %v; want no signal", loc, f.Risk)
	}

	b2 := newBrowser(t, ts)
	id, loc = riskTOTPFlow(t, r, b2, secret, "198.51.100.4")
	f := flow(id)
	if f.State != flows.StateAwaitingApproval || !slices.Contains(f.Risk, "unusual_country") || !slices.Contains(f.Risk, "new_browser") {
		t.Fatalf("France in a new browser: state %q, risk %v; want awaiting approval for unusual_country and new_browser", f.State, f.Risk)
	}
	if st, _, _, _ := b2.get(loc); st != http.StatusOK {
		t.Fatalf("the waiting page: %d", st)
	}

	// A forged device cookie counts as none: a new one is set.
	b3 := newBrowser(t, ts)
	b3.c.Jar.SetCookies(mustURL(t, ts.URL), []*http.Cookie{{Name: deviceCookie, Value: "forged.value", Path: "/"}})
	id, _ = riskTOTPFlow(t, r, b3, secret, "203.0.113.9")
	if f := flow(id); !slices.Equal(f.Risk, []string{"new_browser"}) {
		t.Fatalf("forged device cookie: risk %v; want new_browser", f.Risk)
	}

	id, loc = riskTOTPFlow(t, r, b1, secret, "192.0.2.50")
	f = flow(id)
	if f.State != flows.StateFailed || f.RiskDenied != string(flows.RiskDeniedCountry) || loc != "/f/"+id+"/done" {
		t.Fatalf("denied country: state %q, denied by %q, sent to %q", f.State, f.RiskDenied, loc)
	}
	_, _, done, _ := b1.get(loc)
	if !strings.Contains(done, "contact #it-help") || !strings.Contains(done, "Nothing was changed") {
		t.Fatalf("the done page of a denied request does not send them to the helpdesk:\n%s", done)
	}
	var decided []flows.Event
	for _, ev := range r.events(t, id) {
		if ev.Type == flows.EventRiskDecided {
			decided = append(decided, ev)
		}
	}
	if len(decided) != 1 || decided[0].Outcome != "deny" || !strings.HasPrefix(decided[0].Reason, "country denied_country: web client in KP") || decided[0].SourceIP != "192.0.2.50" {
		t.Fatalf("audit of the denial: %+v", decided)
	}
}

// TestRiskBrowserNewPasskey: in Chromium, a passkey enrolled just before
// the reset is a new passkey; the policy notes it (the reset completes),
// steps it up (the page waits for a helpdesk approval, then completes) or
// denies it (the page tells the user to contact the helpdesk).
func TestRiskBrowserNewPasskey(t *testing.T) {
	for _, action := range []flows.RiskAction{flows.RiskNote, flows.RiskStepUp, flows.RiskDeny} {
		t.Run(string(action), func(t *testing.T) {
			s := newSiteWith(t, rigOptions{dir: memoryDir(t), contact: "#it-help",
				risk: flows.RiskPolicy{Actions: map[flows.RiskRule]flows.RiskAction{flows.RiskNewPasskey: action}}})
			ctx := context.Background()
			u, _ := s.dir.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: "jdoe"})
			old := webauthtest.RandomPassword()
			if err := s.dir.SetPassword(ctx, u, old); err != nil {
				t.Fatal(err)
			}
			c := newChrome(t, "risk-new-passkey-"+string(action))
			c.Authenticator(true)
			c.enroll(s, "jdoe", old)
			s.clock.Advance(2 * time.Hour) // added two hours ago: new by the default 24 hours
			is := s.start(t, flows.KindReset, "jdoe")
			link := s.base + "/r/" + is.Token
			switch action {
			case flows.RiskNote:
				c.Reset(link, webauthtest.RandomPassword())
			case flows.RiskStepUp:
				c.ResetApproved(link, webauthtest.RandomPassword(), func() {
					helper, _ := s.dir.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: "pwuser"})
					if _, err := s.eng.Decide(ctx, is.Flow.ID, flows.Decision{Approver: flows.ChatIdentity{Platform: "slack", UserID: "U-pwuser"},
						ApproverAccountID: helper.ID, Grant: true}); err != nil {
						t.Errorf("approve: %v", err)
					}
				})
			case flows.RiskDeny:
				c.OpenReset(link)
				c.Do(chromedp.WaitVisible(chromedp.CSS("#done-headline")))
				if text := c.Text(); !strings.Contains(text, "Please contact the helpdesk") || !strings.Contains(text, "#it-help") {
					t.Fatalf("denied reset page:\n%s", text)
				}
				c.State("risk-denied")
			}
			f, err := s.eng.Get(ctx, is.Flow.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := map[flows.RiskAction]flows.State{flows.RiskNote: flows.StateCompleted, flows.RiskStepUp: flows.StateCompleted, flows.RiskDeny: flows.StateFailed}[action]
			if f.State != want || !slices.Contains(f.Risk, "new_passkey") || f.Approval.Granted != (action == flows.RiskStepUp) {
				t.Fatalf("flow %q, risk %v, approved %v; want %q with new_passkey", f.State, f.Risk, f.Approval.Granted, want)
			}
		})
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func mustAddr(t *testing.T, s string) netip.Addr {
	t.Helper()
	a, err := netip.ParseAddr(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
