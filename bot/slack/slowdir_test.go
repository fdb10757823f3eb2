package slack

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/directory/dirtest"
	"github.com/resetbot/resetbot/internal/i18n"
	"github.com/resetbot/resetbot/internal/testenv"
)

// TestSlowDirectoryKeepsItsConcurrencyBusy: with the real slapd behind a
// proxy holding every answer 1 s, 100 people asking at once all get a
// link, and the core keeps far more directory requests in flight than the
// 16 fixed workers it once had (#10 §3: links go out at the directory's
// concurrency divided by its latency). Counted on the wire by the proxy,
// not timed; the elapsed time is only logged.
func TestSlowDirectoryKeepsItsConcurrencyBusy(t *testing.T) {
	ldaps := testenv.RequireEnv(t, "RESETBOT_TEST_SLAPD_LDAPS_URL")
	ca := testenv.RequireEnv(t, "RESETBOT_TEST_SLAPD_CA")
	rdb := redis.NewClient(&redis.Options{Addr: testenv.RequireEnv(t, "RESETBOT_TEST_REDIS_ADDR")})
	t.Cleanup(func() { rdb.Close() })
	const n = 100
	users := addAckAccounts(t, n)
	proxy := dirtest.NewLDAPProxy(t, ldaps, ca)
	dir := ackLDAP(t, proxy.URL, proxy.CAFile)
	if err := dir.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
	proxy.SetDelay(time.Second)
	proxy.Reset()
	r := newAckRigOn(t, rdb, dir, users, ackRigOptions{})
	busy := i18n.For("en").T("chat.busy")
	start := time.Now()
	for i := range n {
		rec := httptest.NewRecorder()
		r.routes.ServeHTTP(rec, r.command(int64(i)))
		if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), busy) {
			t.Fatalf("ack %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	r.drain()
	links := 0
	for _, c := range r.fake.Calls() {
		if c.Method == "chat.postMessage" && c.Error == "" && strings.HasPrefix(c.Channel, "D") {
			links++
		}
	}
	t.Logf("%d links for %d requests in %v, at most %d directory requests in flight at once (pool of %d)",
		links, n, time.Since(start).Round(time.Millisecond), proxy.MaxInFlight(), dir.Concurrency())
	if links != n {
		t.Errorf("%d links sent for %d requests", links, n)
	}
	if got := proxy.MaxInFlight(); got <= 32 {
		t.Errorf("at most %d directory requests were in flight at once; 100 waiting flows should use more than twice the 16 fixed workers once had of the pool's %d", got, dir.Concurrency())
	}
}
