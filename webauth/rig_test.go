package webauth

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/credentials"
	"github.com/resetbot/resetbot/credentials/rediscreds"
	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/memory"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/flows/redisstore"
	"github.com/resetbot/resetbot/flows/storetest"
)

var (
	prefixes atomic.Int64
	runID    = time.Now().UnixNano()
)

// uniquePrefix isolates a test's keys on a shared Redis.
func uniquePrefix() string { return fmt.Sprintf("wt%x-%d", runID, prefixes.Add(1)) }

const privilegedGroup = "cn=tier0-admins,ou=Groups,dc=example,dc=test"

// rig is the web app wired to a real engine, a Redis (miniredis or a real
// server), a directory and the Redis credential store.
type rig struct {
	srv   *Server
	eng   *flows.Engine
	store flows.Store
	dir   directory.Directory
	creds credentials.Store
	clock *storetest.Clock
	rdb   redis.UniversalClient
	cfg   Config
}

type rigOptions struct {
	rdb     redis.UniversalClient // default: a fresh miniredis
	dir     directory.Directory   // default: the in-memory example company
	baseURL string                // default: https://reset.example.test
	totp    bool
	log     io.Writer // default: discarded
	// submitWait bounds the password submit (Config.SubmitWait).
	submitWait time.Duration
	// confirm turns on the second password field (Config.ConfirmPassword).
	confirm bool
	// zone is Config.TimeZone.
	zone *time.Location
	// brand is Config.Branding.
	brand Branding
	// templatesDir is Config.TemplatesDir.
	templatesDir string
	// risk is the engine's risk policy; countries, proxies and contact
	// are Deps.Countries, Config.TrustedProxies and
	// Config.HelpdeskContact.
	risk      flows.RiskPolicy
	countries CountryReader
	proxies   []string
	contact   string
	// defaultRPName leaves Config.RPName unset, for the package's default
	// (the company name when brand has one).
	defaultRPName bool
	// wrap, when set, is put around the app by newSiteWith: the network
	// between it and the browser (a slow one, for the first-paint taps).
	wrap func(http.Handler) http.Handler
}

func newRig(t testing.TB, o rigOptions) *rig {
	t.Helper()
	if o.rdb == nil {
		m := miniredis.RunT(t)
		o.rdb = redis.NewClient(&redis.Options{Addr: m.Addr()})
		t.Cleanup(func() { o.rdb.Close() })
	}
	if o.dir == nil {
		d, err := memory.New(memory.ExampleSeed())
		if err != nil {
			t.Fatal(err)
		}
		o.dir = d
	}
	if o.baseURL == "" {
		o.baseURL = "https://reset.example.test"
	}
	if o.log == nil {
		o.log = io.Discard
	}
	prefix := uniquePrefix()
	clock := storetest.NewClock()
	store := redisstore.New(o.rdb, redisstore.Options{Prefix: prefix})
	eng := flows.NewEngine(store, o.dir, flows.Config{
		LinkTTL: 10 * time.Minute, FlowTTL: 15 * time.Minute, ApprovalTTL: 30 * time.Minute,
		MaxVerifyAttempts: 3, MaxPasswordAttempts: 3,
		Limits: flows.Limits{RequestsPerAccountPerHour: 50, RequestsPerIdentityPerHour: 50, FailedVerifyPerAccountDay: 20},
		Policy: flows.Policy{PrivilegedGroups: []string{privilegedGroup}},
		Risk:   o.risk,
	}, flows.WithClock(clock.Now))
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	creds, err := rediscreds.New(o.rdb, rediscreds.Options{Prefix: prefix + "c", Key: key})
	if err != nil {
		t.Fatal(err)
	}
	rpName := "Example Corp"
	if o.defaultRPName {
		rpName = ""
	}
	cfg := Config{
		PublicBaseURL: o.baseURL, RPName: rpName, AllowTOTP: o.totp,
		CSRFKey: key, TOTPKey: key, KeyPrefix: prefix + "w", CheckRatePerMinute: 30,
		SubmitWait: o.submitWait, ConfirmPassword: o.confirm, TimeZone: o.zone, Branding: o.brand,
		TemplatesDir: o.templatesDir, TrustedProxies: o.proxies, HelpdeskContact: o.contact,
	}
	srv, err := New(cfg, Deps{
		Engine: eng, Directory: o.dir, Credentials: creds, Redis: o.rdb, Logger: slog.New(slog.NewTextHandler(o.log, nil)), Clock: clock.Now,
		Countries: o.countries,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &rig{srv: srv, eng: eng, store: store, dir: o.dir, creds: creds, clock: clock, rdb: o.rdb, cfg: cfg}
}

// start issues a flow for an account as its own chat identity.
func (r *rig) start(t *testing.T, kind flows.Kind, account string) *flows.Issued {
	t.Helper()
	return r.startBy(t, kind, account, "U-"+account)
}

// startBy issues a flow requested by chat user requester (a helpdesk push
// when it differs from the subject's).
func (r *rig) startBy(t *testing.T, kind flows.Kind, account, requester string) *flows.Issued {
	t.Helper()
	return r.startAs(t, kind, account, requester, flows.Locale{})
}

// startAs is startBy with the subject's locale, as their chat platform
// gave it.
func (r *rig) startAs(t *testing.T, kind flows.Kind, account, requester string, loc flows.Locale) *flows.Issued {
	t.Helper()
	is, err := r.eng.Start(context.Background(), flows.StartRequest{
		Kind:        kind,
		Lookup:      directory.Lookup{Kind: directory.ByAccountName, Value: account},
		Chat:        flows.ChatIdentity{Platform: "slack", UserID: "U-" + account},
		RequestedBy: flows.ChatIdentity{Platform: "slack", UserID: requester},
		Locale:      loc,
	})
	if err != nil {
		t.Fatalf("Start(%s, %s): %v", kind, account, err)
	}
	return is
}

// events reads the audit events of one flow written so far, through a
// consumer group of the test's own.
func (r *rig) events(t *testing.T, flowID string) []flows.Event {
	t.Helper()
	ctx := context.Background()
	var out []flows.Event
	for {
		evs, err := r.store.ReadEvents(ctx, "webauth-test", "t", 100)
		if err != nil {
			t.Fatalf("ReadEvents: %v", err)
		}
		if len(evs) == 0 {
			return out
		}
		for _, ev := range evs {
			if err := r.store.AckEvents(ctx, "webauth-test", ev.ID); err != nil {
				t.Fatalf("AckEvents: %v", err)
			}
			if ev.FlowID == flowID {
				out = append(out, ev)
			}
		}
	}
}

// browser is an HTTP client with its own cookie jar against a TLS test
// server (the app's cookies are Secure).
type browser struct {
	t    testing.TB
	c    *http.Client
	base string
	// hdr is sent with every request (X-Forwarded-For, as a trusted
	// proxy would add it).
	hdr http.Header
}

func (r *rig) server(t testing.TB) *httptest.Server {
	ts := httptest.NewTLSServer(r.srv)
	t.Cleanup(ts.Close)
	return ts
}

func newBrowser(t testing.TB, ts *httptest.Server) *browser {
	jar, _ := cookiejar.New(nil)
	c := new(http.Client)
	*c = *ts.Client() // a copy: ts.Client() is shared, and each browser needs its own jar
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &browser{t: t, c: c, base: ts.URL}
}

// do sends a request and returns status, Location and body.
func (b *browser) do(req *http.Request) (int, string, string, http.Header) {
	b.t.Helper()
	for k, v := range b.hdr {
		req.Header[k] = v
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(body), resp.Header
}

func (b *browser) get(path string, hdr ...string) (int, string, string, http.Header) {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.base+path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
		if hdr[i] == "Host" {
			req.Host = hdr[i+1]
		}
	}
	return b.do(req)
}

func (b *browser) postForm(path string, form map[string]string) (int, string, string, http.Header) {
	b.t.Helper()
	vals := make([]string, 0, len(form))
	for k, v := range form {
		vals = append(vals, k+"="+urlQueryEscape(v))
	}
	req, _ := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(strings.Join(vals, "&")))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (b *browser) postJSON(path, csrf, body string) (int, string, string, http.Header) {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(csrfHeader, csrf)
	return b.do(req)
}

// csrfOf extracts the CSRF value of a rendered page's first form.
func csrfOf(t testing.TB, body string) string {
	t.Helper()
	const marker = `name="csrf" value="`
	i := strings.Index(body, marker)
	if i < 0 {
		t.Fatalf("no CSRF field in page:\n%s", body)
	}
	rest := body[i+len(marker):]
	return rest[:strings.IndexByte(rest, '"')]
}

// redeem opens the landing page and presses Continue; it returns where the
// redirect leads.
func (b *browser) redeem(token string) (int, string) {
	b.t.Helper()
	st, _, body, _ := b.get("/r/" + token)
	if st != http.StatusOK {
		b.t.Fatalf("landing: status %d\n%s", st, body)
	}
	st, loc, _, _ := b.postForm("/r/"+token, map[string]string{"csrf": csrfOf(b.t, body)})
	return st, loc
}

func urlQueryEscape(s string) string {
	var sb strings.Builder
	for _, c := range []byte(s) {
		if c < 128 && (unicode.IsLetter(rune(c)) || unicode.IsDigit(rune(c)) || strings.IndexByte("-_.~", c) >= 0) {
			sb.WriteByte(c)
		} else {
			fmt.Fprintf(&sb, "%%%02X", c)
		}
	}
	return sb.String()
}
