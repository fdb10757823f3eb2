package webauth

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	otptotp "github.com/pquerna/otp/totp"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/memory"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/webauth/internal/qrpng"
	"github.com/resetbot/resetbot/webauth/totp"
)

func TestLandingGETLeavesLinkUsable(t *testing.T) {
	r := newRig(t, rigOptions{})
	ts := r.server(t)
	is := r.start(t, flows.KindReset, "jdoe")
	scanner := newBrowser(t, ts)
	for i := 0; i < 3; i++ {
		st, _, body, _ := scanner.get("/r/"+is.Token, "User-Agent", "Slackbot-LinkExpanding 1.0")
		if st != http.StatusOK || !strings.Contains(body, "Reset the password of") {
			t.Fatalf("GET %d: status %d", i, st)
		}
	}
	f, err := r.eng.Get(context.Background(), is.Flow.ID)
	if err != nil || f.State != flows.StateIssued {
		t.Fatalf("after GETs: state %v, err %v; want issued", f.State, err)
	}
	st, loc := newBrowser(t, ts).redeem(is.Token)
	if st != http.StatusSeeOther || loc != "/f/"+is.Flow.ID+"/verify" {
		t.Fatalf("redeem after GETs: %d %q", st, loc)
	}
}

func TestParallelRedeemOneWinner(t *testing.T) {
	r := newRig(t, rigOptions{})
	ts := r.server(t)
	is := r.start(t, flows.KindReset, "jdoe")
	const n = 8
	browsers := make([]*browser, n)
	csrfs := make([]string, n)
	for i := range browsers {
		browsers[i] = newBrowser(t, ts)
		_, _, body, _ := browsers[i].get("/r/" + is.Token)
		csrfs[i] = csrfOf(t, body)
	}
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range browsers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i], _, _, _ = browsers[i].postForm("/r/"+is.Token, map[string]string{"csrf": csrfs[i]})
		}()
	}
	wg.Wait()
	won, gone := 0, 0
	for _, st := range statuses {
		switch st {
		case http.StatusSeeOther:
			won++
		case http.StatusGone:
			gone++
		}
	}
	if won != 1 || gone != n-1 {
		t.Fatalf("statuses %v: want exactly one 303 and %d 410", statuses, n-1)
	}
}

func TestPasswordFormNeedsVerification(t *testing.T) {
	r := newRig(t, rigOptions{})
	ts := r.server(t)
	is := r.start(t, flows.KindReset, "jdoe")
	b := newBrowser(t, ts)
	if st, _ := b.redeem(is.Token); st != http.StatusSeeOther {
		t.Fatalf("redeem: %d", st)
	}
	id := is.Flow.ID
	_, _, verify, _ := b.get("/f/" + id + "/verify")
	if strings.Contains(verify, `name="csrf"`) {
		t.Fatal("verify page without TOTP has a form")
	}
	csrf := r.srv.flowCSRF(id, readJarBinding(t, b, id))
	tests := []struct {
		name string
		do   func() (int, string, string, http.Header)
	}{
		{"GET form", func() (int, string, string, http.Header) { return b.get("/f/" + id + "/password") }},
		{"POST password", func() (int, string, string, http.Header) {
			return b.postForm("/f/"+id+"/password", map[string]string{"csrf": csrf, "password": "Brand-New-Passw0rd!", "confirm": "Brand-New-Passw0rd!"})
		}},
		{"POST check", func() (int, string, string, http.Header) {
			return b.postJSON("/f/"+id+"/password/check", csrf, `{"password":"Brand-New-Passw0rd!"}`)
		}},
		{"other browser", func() (int, string, string, http.Header) { return newBrowser(t, ts).get("/f/" + id + "/password") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, _, body, _ := tc.do()
			if st < 400 || strings.Contains(body, "password-form") {
				t.Fatalf("status %d, want a refusal without the form", st)
			}
		})
	}
	u, _ := r.dir.Find(context.Background(), directory.Lookup{Kind: directory.ByAccountName, Value: "jdoe"})
	if err := r.dir.VerifyPassword(context.Background(), u, memory.ExamplePassword); err != nil {
		t.Fatalf("old password no longer works: %v", err)
	}
}

// readJarBinding returns the binding secret the browser's jar holds.
func readJarBinding(t *testing.T, b *browser, flowID string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.base+"/", nil)
	for _, c := range b.c.Jar.Cookies(req.URL) {
		if c.Name == bindingCookie {
			if id, sec, ok := parseBinding(c.Value); ok && id == flowID {
				return sec
			}
		}
	}
	t.Fatal("no binding cookie")
	return ""
}

func TestForgedHostChangesNoLink(t *testing.T) {
	r := newRig(t, rigOptions{})
	ts := r.server(t)
	is := r.start(t, flows.KindReset, "jdoe")
	b := newBrowser(t, ts)
	st, _, body, _ := b.get("/r/"+is.Token, "Host", "evil.example", "X-Forwarded-Host", "evil.example",
		"X-Forwarded-Proto", "http", "User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0")
	if st != http.StatusOK {
		t.Fatalf("status %d", st)
	}
	if strings.Contains(body, "evil") {
		t.Fatal("page mentions the forged host")
	}
	want, err := qrpng.Encode("https://reset.example.test/r/"+is.Token, 256)
	if err != nil {
		t.Fatal(err)
	}
	st, _, png, _ := b.get(landingQRSrc(t, body), "Host", "evil.example", "X-Forwarded-Host", "evil.example")
	if st != http.StatusOK || png != string(want) {
		t.Fatalf("QR code is not the PublicBaseURL link (status %d)", st)
	}
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/r/"+is.Token, strings.NewReader("csrf="+csrfOf(t, body)))
	req.Host = "evil.example"
	req.Header.Set("X-Forwarded-Host", "evil.example")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	st, loc, _, _ := b.do(req)
	if st != http.StatusSeeOther || strings.Contains(loc, "evil") || !strings.HasPrefix(loc, "/f/") {
		t.Fatalf("redeem with forged host: %d %q", st, loc)
	}
}

func TestMobileGetsNoQR(t *testing.T) {
	r := newRig(t, rigOptions{})
	b := newBrowser(t, r.server(t))
	is := r.start(t, flows.KindReset, "jdoe")
	_, _, body, _ := b.get("/r/"+is.Token, "User-Agent", "Mozilla/5.0 (Linux; Android 14; Pixel 8) Chrome/130.0 Mobile Safari/537.36")
	if strings.Contains(body, "data:image/png") || strings.Contains(body, "/qr?k=") {
		t.Fatal("phone got a QR code")
	}
}

// landingQRSrc is the path of the QR code image a desktop landing names.
func landingQRSrc(t *testing.T, body string) string {
	t.Helper()
	m := regexp.MustCompile(`<img src="(/r/[^"]+/qr\?k=[^"]+)" loading="lazy"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no lazily loaded QR code image in the landing:\n%s", body)
	}
	return html.UnescapeString(m[1])
}

// TestQRCodeOnDemand: a desktop landing names its QR code image instead of
// carrying it, so the code is made only when the person clicks "Show"
// (making it costs more CPU than the rest of the landing). The image is
// the PublicBaseURL link, served only with the key of a landing this server
// rendered for that token, and fetching it changes nothing: the link still
// redeems, and no event is recorded.
func TestQRCodeOnDemand(t *testing.T) {
	r := newRig(t, rigOptions{})
	ts := r.server(t)
	b := newBrowser(t, ts)
	is := r.start(t, flows.KindReset, "jdoe")
	other := r.start(t, flows.KindReset, "alice")
	desktop := []string{"User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0"}
	_, _, body, _ := b.get("/r/"+is.Token, desktop...)
	if strings.Contains(body, "data:image/png") {
		t.Fatal("the landing carries the QR code itself")
	}
	src := landingQRSrc(t, body)
	r.events(t, is.Flow.ID) // read so far: what comes after is the QR code's
	st, _, png, h := b.get(src)
	want, err := qrpng.Encode("https://reset.example.test/r/"+is.Token, 256)
	if err != nil {
		t.Fatal(err)
	}
	if st != http.StatusOK || h.Get("Content-Type") != "image/png" || png != string(want) {
		t.Fatalf("QR code: status %d, %q, %d bytes, want the link's code", st, h.Get("Content-Type"), len(png))
	}
	if h.Get("Cache-Control") != "no-store" {
		t.Errorf("QR code cached: %q", h.Get("Cache-Control"))
	}
	key := src[strings.Index(src, "?k="):]
	for _, bad := range []string{
		"/r/" + is.Token + "/qr",                  // no key
		"/r/" + is.Token + "/qr?k=AAAA",           // a wrong key
		"/r/" + other.Token + "/qr" + key,         // another link's key
		"/r/not-a-token/qr?k=" + key[len("?k="):], // not a token at all
	} {
		if st, _, body, _ := b.get(bad); st != http.StatusNotFound || strings.Contains(body, "\x89PNG") {
			t.Errorf("%s: status %d, want 404 and no image", bad, st)
		}
	}
	if evs := r.events(t, is.Flow.ID); len(evs) != 0 {
		t.Errorf("fetching the QR code recorded %d events: %+v", len(evs), evs)
	}
	st, _, page, _ := b.get("/r/"+is.Token, desktop...)
	if st != http.StatusOK {
		t.Fatalf("landing after the QR code: %d", st)
	}
	if st, loc, _, _ := b.postForm("/r/"+is.Token, map[string]string{"csrf": csrfOf(t, page)}); st != http.StatusSeeOther || !strings.HasPrefix(loc, "/f/") {
		t.Fatalf("the link does not redeem after its QR code was fetched: %d %q", st, loc)
	}
}

func TestBadLinks(t *testing.T) {
	r := newRig(t, rigOptions{})
	ts := r.server(t)
	expired := r.start(t, flows.KindReset, "jdoe")
	used := r.start(t, flows.KindReset, "spare1")
	newBrowser(t, ts).redeem(used.Token)
	other := r.start(t, flows.KindReset, "spare2")
	r.clock.Advance(11 * time.Minute) // past the link lifetime of "expired" only matters for it
	fresh := r.start(t, flows.KindReset, "pwuser")
	_, secretOfFresh, _ := flows.ParseToken(fresh.Token)
	tests := []struct {
		name   string
		token  string
		status int
	}{
		{"expired", expired.Token, http.StatusGone},
		{"used", used.Token, http.StatusGone},
		{"garbage", "nonsense", http.StatusNotFound},
		{"another user's secret", other.Flow.ID + "." + secretOfFresh, http.StatusNotFound},
		{"wrong secret", fresh.Flow.ID + "." + strings.Repeat("A", len(secretOfFresh)), http.StatusNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, _, body, _ := newBrowser(t, ts).get("/r/" + tc.token)
			if st != tc.status {
				t.Fatalf("status %d, want %d", st, tc.status)
			}
			for _, leak := range []string{"jdoe", "spare1", "spare2", "pwuser", "John", "Spare"} {
				if strings.Contains(body, leak) {
					t.Fatalf("error page reveals %q", leak)
				}
			}
			if !strings.Contains(body, `id="error-id"`) {
				t.Fatal("no error id on the page")
			}
		})
	}
	// The fresh link still works after all that probing.
	if st, _ := newBrowser(t, ts).redeem(fresh.Token); st != http.StatusSeeOther {
		t.Fatalf("fresh link: %d", st)
	}
}

func TestCSRFRefused(t *testing.T) {
	r := newRig(t, rigOptions{})
	ts := r.server(t)
	is := r.start(t, flows.KindReset, "jdoe")
	another := r.start(t, flows.KindReset, "spare1")
	b := newBrowser(t, ts)
	_, _, otherPage, _ := b.get("/r/" + another.Token)
	_, _, page, _ := b.get("/r/" + is.Token)
	good := csrfOf(t, page)
	tests := []struct {
		name string
		form map[string]string
		hdr  map[string]string
	}{
		{"missing", map[string]string{}, nil},
		{"empty", map[string]string{"csrf": ""}, nil},
		{"another link's token", map[string]string{"csrf": csrfOf(t, otherPage)}, nil},
		{"forged mac", map[string]string{"csrf": strings.SplitN(good, ".", 2)[0] + ".AAAA"}, nil},
		{"cross-origin", map[string]string{"csrf": good}, map[string]string{"Origin": "https://evil.example"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vals := []string{}
			for k, v := range tc.form {
				vals = append(vals, k+"="+urlQueryEscape(v))
			}
			req, _ := http.NewRequest(http.MethodPost, ts.URL+"/r/"+is.Token, strings.NewReader(strings.Join(vals, "&")))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range tc.hdr {
				req.Header.Set(k, v)
			}
			if st, _, _, _ := b.do(req); st != http.StatusForbidden {
				t.Fatalf("status %d, want 403", st)
			}
		})
	}
	// No cookie at all (another browser posting the right value).
	if st, _, _, _ := newBrowser(t, ts).postForm("/r/"+is.Token, map[string]string{"csrf": good}); st != http.StatusForbidden {
		t.Fatalf("without cookie: %d", st)
	}
	if st, _, _, _ := b.postForm("/r/"+is.Token, map[string]string{"csrf": good}); st != http.StatusSeeOther {
		t.Fatalf("good token after refusals: %d", st)
	}
}

func TestSecurityHeaders(t *testing.T) {
	tests := []struct {
		name string
		base string
		hsts bool
	}{
		{"https", "https://reset.example.test", true},
		{"localhost http", "http://localhost:8080", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, rigOptions{baseURL: tc.base})
			b := newBrowser(t, r.server(t))
			is := r.start(t, flows.KindReset, "jdoe")
			for _, path := range []string{"/r/" + is.Token, "/r/bad", "/f/00-AAAAAAAAAAAAAAAAAAAAAA/verify", "/static/app.css", "/nowhere"} {
				_, _, _, h := b.get(path)
				if h.Get("Content-Security-Policy") != contentSecurityPolicy {
					t.Errorf("%s: CSP %q", path, h.Get("Content-Security-Policy"))
				}
				for k, v := range map[string]string{"Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"} {
					if h.Get(k) != v {
						t.Errorf("%s: %s = %q", path, k, h.Get(k))
					}
				}
				if got := h.Get("Strict-Transport-Security") != ""; got != tc.hsts {
					t.Errorf("%s: HSTS present %v, want %v", path, got, tc.hsts)
				}
				if !strings.HasPrefix(path, "/static/") && h.Get("Cache-Control") != "no-store" {
					t.Errorf("%s: Cache-Control %q", path, h.Get("Cache-Control"))
				}
			}
		})
	}
}

// totpCode computes the code of a secret at a time, as an app would.
func totpCode(t testing.TB, secret string, at time.Time) string {
	t.Helper()
	c, err := otptotp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTOTPCodeWorksOnce(t *testing.T) {
	r := newRig(t, rigOptions{totp: true})
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
	code := totpCode(t, secret, r.clock.Now())
	for i, want := range []int{http.StatusSeeOther, http.StatusUnauthorized} {
		is := r.start(t, flows.KindReset, "jdoe")
		b := newBrowser(t, ts)
		b.redeem(is.Token)
		_, _, page, _ := b.get("/f/" + is.Flow.ID + "/verify")
		st, loc, body, _ := b.postForm("/f/"+is.Flow.ID+"/totp", map[string]string{"csrf": csrfOf(t, page), "code": code})
		if st != want {
			t.Fatalf("use %d: status %d, want %d\n%s", i+1, st, want, body)
		}
		if i == 0 && loc != "/f/"+is.Flow.ID+"/password" {
			t.Fatalf("first use goes to %q", loc)
		}
		if i == 1 && !strings.Contains(body, "already used") {
			t.Fatalf("second use: no 'already used' message")
		}
	}
}

func TestResetWithTOTPAndPolicyRefusal(t *testing.T) {
	r := newRig(t, rigOptions{totp: true, confirm: true})
	ts := r.server(t)
	ctx := context.Background()
	u, _ := r.dir.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: "jdoe"})
	secret, _, _ := totp.Generate("Example", "jdoe")
	if err := r.creds.SetTOTPSecret(ctx, u.ID, secret); err != nil {
		t.Fatal(err)
	}
	is := r.start(t, flows.KindReset, "jdoe")
	b := newBrowser(t, ts)
	b.redeem(is.Token)
	id := is.Flow.ID
	_, _, page, _ := b.get("/f/" + id + "/verify")
	if st, _, _, _ := b.postForm("/f/"+id+"/totp", map[string]string{"csrf": csrfOf(t, page), "code": totpCode(t, secret, r.clock.Now())}); st != http.StatusSeeOther {
		t.Fatalf("totp: %d", st)
	}
	st, _, form, _ := b.get("/f/" + id + "/password")
	if st != http.StatusOK || !strings.Contains(form, "password-form") {
		t.Fatalf("password page: %d", st)
	}
	// The example directory keeps 3 old passwords: the form says so, as a
	// rule only the directory can check.
	if !strings.Contains(form, "It cannot be one of your last 3 passwords") {
		t.Error("password page does not state the directory's history rule")
	}
	csrf := csrfOf(t, form)
	const good = "Quiet-Harbour-71-Lantern"
	// A strong current password, so that re-using it is refused by the
	// directory's history rule rather than by the checklist.
	const current = "Amber-Violin-Cascade-42"
	if err := r.dir.SetPassword(ctx, u, current); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, pw, confirm string
		status            int
		say               string
	}{
		{"mismatch", good, good + "x", http.StatusUnprocessableEntity, "do not match"},
		{"too short", "Sh0rt!", "Sh0rt!", http.StatusUnprocessableEntity, "At least 12 characters"},
		{"contains account", "jdoe-Harbour-71-Lantern", "jdoe-Harbour-71-Lantern", http.StatusUnprocessableEntity, "Does not contain your name"},
		{"breached", "password123456", "password123456", http.StatusUnprocessableEntity, "Not a common or previously leaked password"},
		{"directory history", current, current, http.StatusUnprocessableEntity, "did not accept"},
		{"good", good, good, http.StatusSeeOther, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, loc, body, _ := b.postForm("/f/"+id+"/password", map[string]string{"csrf": csrf, "password": tc.pw, "confirm": tc.confirm})
			if st != tc.status || !strings.Contains(problemOf(body), tc.say) {
				t.Fatalf("status %d (want %d), body lacks %q:\n%s", st, tc.status, tc.say, body)
			}
			if strings.Contains(body, tc.pw) {
				t.Fatal("the page echoes the password")
			}
			if st == http.StatusSeeOther && loc != "/f/"+id+"/done" {
				t.Fatalf("goes to %q", loc)
			}
		})
	}
	if err := r.dir.VerifyPassword(ctx, u, good); err != nil {
		t.Fatalf("new password: %v", err)
	}
	if err := r.dir.VerifyPassword(ctx, u, current); !errors.Is(err, directory.ErrInvalidCredentials) {
		t.Fatalf("old password: %v", err)
	}
	if _, _, done, _ := b.get("/f/" + id + "/done"); !strings.Contains(done, "Your password was changed") {
		t.Fatal("done page does not say the password changed")
	}
}

func TestPasswordCheckIsRateLimited(t *testing.T) {
	r := newRig(t, rigOptions{})
	ts := r.server(t)
	is := r.start(t, flows.KindReset, "jdoe")
	b := newBrowser(t, ts)
	b.redeem(is.Token)
	binding := readJarBinding(t, b, is.Flow.ID)
	if _, err := r.eng.RecordVerification(context.Background(), is.Flow.ID, binding, flows.Verification{Method: flows.MethodPasskey, OK: true}); err != nil {
		t.Fatal(err)
	}
	csrf := r.srv.flowCSRF(is.Flow.ID, binding)
	for i := 1; i <= r.cfg.CheckRatePerMinute+1; i++ {
		st, _, body, _ := b.postJSON("/f/"+is.Flow.ID+"/password/check", csrf, `{"password":"password123"}`)
		want := http.StatusOK
		if i > r.cfg.CheckRatePerMinute {
			want = http.StatusTooManyRequests
		}
		if st != want {
			t.Fatalf("check %d: status %d, want %d: %s", i, st, want, body)
		}
		if i == 1 && !strings.Contains(body, `{"id":"not_breached","label":"Not a common or previously leaked password","ok":false}`) {
			t.Fatalf("a common password is not reported as known: %s", body)
		}
	}
	if st, _, _, _ := b.postJSON("/f/"+is.Flow.ID+"/password/check", "wrong", `{"password":"x"}`); st != http.StatusForbidden {
		t.Fatalf("check without CSRF header: %d", st)
	}
}

func TestFlowOfAnotherUserRefused(t *testing.T) {
	r := newRig(t, rigOptions{})
	ts := r.server(t)
	mine := r.start(t, flows.KindReset, "jdoe")
	theirs := r.start(t, flows.KindReset, "spare1")
	b := newBrowser(t, ts)
	b.redeem(mine.Token)
	newBrowser(t, ts).redeem(theirs.Token)
	for _, path := range []string{"/f/" + theirs.Flow.ID + "/verify", "/f/" + theirs.Flow.ID + "/password", "/f/" + theirs.Flow.ID + "/done"} {
		st, _, body, _ := b.get(path)
		if st != http.StatusForbidden || strings.Contains(body, "spare1") {
			t.Fatalf("%s: %d", path, st)
		}
	}
}

// problemOf returns the problem box of a page ("" when there is none).
func problemOf(body string) string {
	i := strings.Index(body, `id="problem"`)
	if i < 0 {
		return ""
	}
	rest := body[i:]
	return rest[:strings.Index(rest, "</div>")]
}

// TestPasswordFormOneField: by default the new-password form has one
// field, with a show toggle, autocomplete="new-password" and a
// passwordrules attribute from the effective policy; a "confirm" value a
// client still sends is not compared. With confirm_password on, the second
// field is back and must match.
func TestPasswordFormOneField(t *testing.T) {
	for _, confirm := range []bool{false, true} {
		t.Run(fmt.Sprintf("confirm=%v", confirm), func(t *testing.T) {
			r := newRig(t, rigOptions{totp: true, confirm: confirm})
			ts := r.server(t)
			ctx := context.Background()
			u, _ := r.dir.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: "jdoe"})
			secret, _, _ := totp.Generate("Example", "jdoe")
			if err := r.creds.SetTOTPSecret(ctx, u.ID, secret); err != nil {
				t.Fatal(err)
			}
			is := r.start(t, flows.KindReset, "jdoe")
			b := newBrowser(t, ts)
			b.redeem(is.Token)
			id := is.Flow.ID
			_, _, page, _ := b.get("/f/" + id + "/verify")
			if st, _, _, _ := b.postForm("/f/"+id+"/totp", map[string]string{"csrf": csrfOf(t, page), "code": totpCode(t, secret, r.clock.Now())}); st != http.StatusSeeOther {
				t.Fatalf("totp: %d", st)
			}
			_, _, form, _ := b.get("/f/" + id + "/password")
			if got := strings.Contains(form, `id="confirm"`); got != confirm {
				t.Fatalf("confirm field shown: %v, want %v", got, confirm)
			}
			for _, want := range []string{`id="toggle"`, `autocomplete="new-password"`, `passwordrules="minlength: 12; maxlength: `, "required: digit;"} {
				if !strings.Contains(form, want) {
					t.Errorf("password form lacks %s", want)
				}
			}
			const good = "Quiet-Harbour-71-Lantern"
			st, _, body, _ := b.postForm("/f/"+id+"/password", map[string]string{"csrf": csrfOf(t, form), "password": good, "confirm": good + "x"})
			switch {
			case confirm && (st != http.StatusUnprocessableEntity || !strings.Contains(problemOf(body), "do not match")):
				t.Fatalf("mismatch with confirm on: %d\n%s", st, body)
			case !confirm && st != http.StatusSeeOther:
				t.Fatalf("one field: %d\n%s", st, body)
			}
		})
	}
}

// TestLandingNamesExpiry: the landing page says until when the link works,
// as a time of day in the configured zone (#11).
func TestLandingNamesExpiry(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, rigOptions{zone: berlin})
	ts := r.server(t)
	is := r.start(t, flows.KindReset, "jdoe")
	b := newBrowser(t, ts)
	_, _, page, _ := b.get("/r/" + is.Token)
	want := "<time id=\"expires\" datetime=\"" + is.Flow.ExpiresAt.UTC().Format(time.RFC3339) + "\">The link works until " + is.Flow.ExpiresAt.In(berlin).Format("15:04 MST") + ".</time>"
	if !strings.Contains(page, want) {
		t.Fatalf("landing lacks %s:\n%s", want, page)
	}
}

// TestFailedFlowBarStops: the done page of a flow that failed (three wrong
// authenticator codes) shows the progress bar stopped at verification,
// never as finished (#11).
func TestFailedFlowBarStops(t *testing.T) {
	r := newRig(t, rigOptions{totp: true})
	ts := r.server(t)
	ctx := context.Background()
	u, _ := r.dir.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: "jdoe"})
	secret, _, _ := totp.Generate("Example", "jdoe")
	if err := r.creds.SetTOTPSecret(ctx, u.ID, secret); err != nil {
		t.Fatal(err)
	}
	is := r.start(t, flows.KindReset, "jdoe")
	b := newBrowser(t, ts)
	b.redeem(is.Token)
	id := is.Flow.ID
	_, _, page, _ := b.get("/f/" + id + "/verify")
	for range 3 {
		b.postForm("/f/"+id+"/totp", map[string]string{"csrf": csrfOf(t, page), "code": wrongCode(t, secret, r.clock.Now())})
	}
	if f, err := r.store.Get(ctx, id); err != nil || f.State != flows.StateFailed {
		t.Fatalf("flow after three wrong codes: %+v, %v", f, err)
	}
	_, _, done, _ := b.get("/f/" + id + "/done")
	if !strings.Contains(done, `<li class="stopped" aria-current="step"><span class="num">1</span> Verify <span class="stop-note">(stopped here)</span></li>`) ||
		strings.Contains(done, `class="done"`) || strings.Contains(done, `class="current"`) {
		t.Fatalf("progress bar of a failed flow:\n%s", done)
	}
}
