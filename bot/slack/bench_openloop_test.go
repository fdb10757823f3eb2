package slack

// The open-loop ack benchmark of #10 §6: signed slash commands sent on a
// schedule (not after the previous answer, so a slow answer cannot slow
// the load down and hide itself: no coordinated omission), on the real
// core, the real OpenLDAP directory (a healthy one and one behind a proxy
// holding every answer for 2 s) and the real Redis. It measures and
// reports; it asserts nothing about time.

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goldap "github.com/go-ldap/ldap/v3"
	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/slack/slackfake"
	"github.com/resetbot/resetbot/directory/dirtest"
	"github.com/resetbot/resetbot/directory/ldap"
	"github.com/resetbot/resetbot/internal/i18n"
	"github.com/resetbot/resetbot/internal/testenv"
)

// BenchmarkSlackAckOpenLoop sends signed /reset commands at a fixed rate
// for a fixed time, each from a distinct employee of the real slapd, to
// the Slack ingress behind a real http.Server on 127.0.0.1, and times each
// ack from the moment it was due to be sent to the end of its response
// body. Sub-benchmarks: healthy/rateR for each rate of
// RESETBOT_BENCH_ACK_RATES (default 200,500,1000 per second) over
// RESETBOT_BENCH_ACK_SECONDS (default 5); slow2s/rateR, the directory behind
// dirtest.LDAPProxy holding every answer 2 s, at RESETBOT_BENCH_ACK_SLOW_RATE
// (default 200) over RESETBOT_BENCH_ACK_SLOW_SECONDS (default 2). Run with
// -benchtime 1x (scripts/bench does): one run is the whole schedule.
//
// Metrics: p50/p90/p99/max-ms of the ack; busy, the acks that answered
// "busy, try again"; over3s, acks slower than Slack's deadline; failed,
// transport errors and non-200s; links, the link DMs the fake Slack accepted
// (every request should get one), and links/s, links per second from the
// first request to the last link; dir-inflight, the most directory requests
// awaiting an answer at once (the slow directory only, counted by the
// proxy); send-lag-ms, how late the generator sent its latest request
// (its own CPU starvation, which the ack times include).
func BenchmarkSlackAckOpenLoop(b *testing.B) {
	ldaps := testenv.RequireEnv(b, "RESETBOT_TEST_SLAPD_LDAPS_URL")
	ca := testenv.RequireEnv(b, "RESETBOT_TEST_SLAPD_CA")
	rates := envInts(b, "RESETBOT_BENCH_ACK_RATES", []int{200, 500, 1000})
	seconds := envInts(b, "RESETBOT_BENCH_ACK_SECONDS", []int{5})[0]
	slowRate := envInts(b, "RESETBOT_BENCH_ACK_SLOW_RATE", []int{200})[0]
	slowSeconds := envInts(b, "RESETBOT_BENCH_ACK_SLOW_SECONDS", []int{2})[0]
	// RESETBOT_BENCH_ACK_WORKERS sets bot.Config.Workers (default: the
	// core's own choice), to compare bounds in the same environment.
	var core bot.Config
	if os.Getenv("RESETBOT_BENCH_ACK_WORKERS") != "" {
		core.Workers = envInts(b, "RESETBOT_BENCH_ACK_WORKERS", nil)[0]
	}
	most := slowRate * slowSeconds
	for _, r := range rates {
		most = max(most, r*seconds)
	}
	users := addAckAccounts(b, most)
	// The real server only, with go-redis's default pool for the flows
	// and the background work, and the acknowledgement's redelivery check
	// on a small pool of its own, as serve has them
	// (RESETBOT_BENCH_ACK_SHARED_POOL=1 puts the check on the one pool, as
	// before, for comparisons).
	addr := testenv.RequireEnv(b, "RESETBOT_TEST_REDIS_ADDR")
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	b.Cleanup(func() { rdb.Close() })
	var once *redis.Client
	if os.Getenv("RESETBOT_BENCH_ACK_SHARED_POOL") != "1" {
		once = redis.NewClient(&redis.Options{Addr: addr, PoolSize: bot.OncePoolSize()})
		b.Cleanup(func() { once.Close() })
	}
	opts := ackRigOptions{core: core}
	if once != nil {
		opts.once = once
	}
	healthy := ackLDAP(b, ldaps, ca)
	for _, rate := range rates {
		b.Run(fmt.Sprintf("healthy/rate%d", rate), func(b *testing.B) {
			w := newWarnings()
			o := opts
			o.log = w
			r := newAckRigOn(b, rdb, healthy, users, o)
			openLoop(b, r, rdb, once, w, rate, time.Duration(seconds)*time.Second, nil, 0)
		})
	}
	b.Run(fmt.Sprintf("slow2s/rate%d", slowRate), func(b *testing.B) {
		proxy := dirtest.NewLDAPProxy(b, ldaps, ca)
		slow := ackLDAP(b, proxy.URL, proxy.CAFile)
		if err := slow.Ping(b.Context()); err != nil {
			b.Fatal(err)
		}
		proxy.SetDelay(slowDirDelay)
		proxy.Reset()
		w := newWarnings()
		o := opts
		o.log = w
		r := newAckRigOn(b, rdb, slow, users, o)
		openLoop(b, r, rdb, once, w, slowRate, time.Duration(slowSeconds)*time.Second, proxy, slow.Concurrency())
	})
}

// slowDirDelay is how long the slow directory holds every answer.
const slowDirDelay = 2 * time.Second

// envInts reads a comma-separated list of positive integers, or def.
func envInts(b *testing.B, name string, def []int) []int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	var out []int
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			b.Fatalf("%s=%q: want positive integers separated by commas", name, v)
		}
		out = append(out, n)
	}
	return out
}

// ackLDAP is the directory as serve would open it on the harness's
// slapd: the service account, the pool's defaults, Slack ids in
// employeeNumber.
func ackLDAP(b testing.TB, url, ca string) *ldap.Directory {
	d, err := ldap.New(ldap.Config{
		Flavour:      ldap.OpenLDAP,
		URLs:         []string{url},
		CAFile:       ca,
		BindDN:       "cn=resetbot,ou=Services,dc=example,dc=test",
		BindPassword: "Svc-Passw0rd.1",
		UserBaseDN:   "ou=People,dc=example,dc=test",
		GroupBaseDN:  "ou=Groups,dc=example,dc=test",
		ChatIDAttrs:  map[string]string{"slack": "employeeNumber"},
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	return d
}

// addAckAccounts adds n employees of the benchmark's own to the harness's
// slapd (removed when it ends), over a few admin connections at once, and
// returns their Slack ids.
func addAckAccounts(b testing.TB, n int) []string {
	url := testenv.RequireEnv(b, "RESETBOT_TEST_SLAPD_LDAPS_URL")
	ca := testenv.RequireEnv(b, "RESETBOT_TEST_SLAPD_CA")
	adminDN := testenv.RequireEnv(b, "RESETBOT_TEST_SLAPD_ADMIN_DN")
	adminPW := testenv.RequireEnv(b, "RESETBOT_TEST_SLAPD_ADMIN_PASSWORD")
	var run [4]byte
	if _, err := rand.Read(run[:]); err != nil {
		b.Fatal(err)
	}
	tag := strings.ToUpper(hex.EncodeToString(run[:]))
	dn := func(i int) string {
		return fmt.Sprintf("uid=ack%s%05d,ou=People,dc=example,dc=test", strings.ToLower(tag), i)
	}
	ids := make([]string, n)
	const conns = 4
	each := func(op func(c *goldap.Conn, i int) error) {
		var wg sync.WaitGroup
		errs := make([]error, conns)
		for w := range conns {
			wg.Go(func() {
				c := ackAdmin(b, url, ca, adminDN, adminPW)
				defer c.Close()
				for i := w; i < n; i += conns {
					if err := op(c, i); err != nil && errs[w] == nil {
						errs[w] = err
					}
				}
			})
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Cleanup(func() {
		each(func(c *goldap.Conn, i int) error {
			if err := c.Del(goldap.NewDelRequest(dn(i), nil)); err != nil && !goldap.IsErrorWithCode(err, goldap.LDAPResultNoSuchObject) {
				return err
			}
			return nil
		})
	})
	each(func(c *goldap.Conn, i int) error {
		ids[i] = fmt.Sprintf("U0A%s%05d", tag, i)
		account := strings.TrimSuffix(strings.TrimPrefix(dn(i), "uid="), ",ou=People,dc=example,dc=test")
		add := goldap.NewAddRequest(dn(i), nil)
		add.Attribute("objectClass", []string{"inetOrgPerson"})
		add.Attribute("uid", []string{account})
		add.Attribute("cn", []string{"Ack Load " + account})
		add.Attribute("sn", []string{"Load"})
		add.Attribute("mail", []string{account + "@example.test"})
		add.Attribute("departmentNumber", []string{"Load"})
		add.Attribute("employeeNumber", []string{ids[i]})
		return c.Add(add)
	})
	return ids
}

// ackAdmin is a connection bound as slapd's rootdn.
func ackAdmin(b testing.TB, url, ca, dn, password string) *goldap.Conn {
	pem, err := os.ReadFile(ca)
	if err != nil {
		b.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	tc := &tls.Config{RootCAs: roots, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	c, err := goldap.DialURL(url, goldap.DialWithTLSConfig(tc))
	if err != nil {
		b.Fatal(err)
	}
	if err := c.Bind(dn, password); err != nil {
		c.Close()
		b.Fatal(err)
	}
	return c
}

// openLoop sends rate signed commands per second for d through a real
// loopback server in front of r's routes, then waits for the background
// work and reports (see BenchmarkSlackAckOpenLoop).
// once is the acknowledgement's own client (nil: it shares rdb), w the
// run's warnings; with proxy, concurrency is what the directory carries at
// once, for its capacity in links per second.
func openLoop(b *testing.B, r *ackRig, rdb, once *redis.Client, w *warnings, rate int, d time.Duration, proxy *dirtest.LDAPProxy, concurrency int) {
	n := int(float64(rate) * d.Seconds())
	if n > len(r.users) {
		b.Fatalf("%d requests for %d accounts", n, len(r.users))
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: r.routes, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	b.Cleanup(func() { _ = srv.Close() })
	target := "http://" + ln.Addr().String() + PathCommands
	client := &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 4096, DisableCompression: true},
	}
	b.Cleanup(client.CloseIdleConnections)

	// Signed in advance, so the schedule is not slowed by signing; the
	// signatures stay fresh for Slack's five minutes.
	type signed struct {
		body             []byte
		stamp, signature string
	}
	reqs := make([]signed, n)
	for i := range reqs {
		form := slackfake.CommandForm(r.users[i], "", r.fake.ResponseURL(fmt.Sprintf("r%d", i)))
		body := []byte(form.Encode())
		ts, sig := slackfake.Sign(testSecret, time.Now(), body)
		reqs[i] = signed{body, ts, sig}
	}
	busyText := i18n.For("en").T("chat.busy")

	lat := make([]time.Duration, n)
	acks := make([][]byte, n)
	var busy, failed atomic.Int64
	var lagMax atomic.Int64
	var wg sync.WaitGroup
	interval := time.Second / time.Duration(rate)
	pool0, sched0 := rdb.PoolStats(), schedLatencies()
	var once0 *redis.PoolStats
	if once != nil {
		once0 = once.PoolStats()
	}
	b.ResetTimer()
	start := time.Now()
	for i := range n {
		due := start.Add(time.Duration(i) * interval)
		if w := time.Until(due); w > 0 {
			time.Sleep(w)
		}
		if lag := time.Since(due); int64(lag) > lagMax.Load() {
			lagMax.Store(int64(lag))
		}
		wg.Go(func() {
			req, err := http.NewRequest(http.MethodPost, target, bytes.NewReader(reqs[i].body))
			if err != nil {
				failed.Add(1)
				return
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Slack-Request-Timestamp", reqs[i].stamp)
			req.Header.Set("X-Slack-Signature", reqs[i].signature)
			resp, err := client.Do(req)
			if err != nil {
				lat[i] = time.Since(due)
				failed.Add(1)
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			lat[i] = time.Since(due)
			acks[i] = body
			switch {
			case resp.StatusCode != http.StatusOK:
				failed.Add(1)
			case bytes.Contains(body, []byte(busyText)):
				busy.Add(1)
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	pool1, sched1 := rdb.PoolStats(), schedLatencies()
	var once1 *redis.PoolStats
	if once != nil {
		once1 = once.PoolStats()
	}
	r.drain()

	slices.Sort(lat)
	at := func(q float64) float64 { return float64(lat[int(q*float64(n-1))]) / float64(time.Millisecond) }
	over := 0
	for _, l := range lat {
		if l > 3*time.Second {
			over++
		}
	}
	// The first reply may come through the response URL (the core asks
	// Slack for the person's language first), so busy counts there too.
	for _, resp := range r.fake.Responses() {
		if strings.Contains(resp.Text, busyText) || bytes.Contains(resp.Blocks, []byte(busyText)) {
			busy.Add(1)
		}
	}
	var linkAt []time.Time
	for _, c := range r.fake.Calls() {
		if c.Method == "chat.postMessage" && c.Error == "" && strings.HasPrefix(c.Channel, "D") {
			linkAt = append(linkAt, c.At)
		}
	}
	slices.SortFunc(linkAt, func(a, b time.Time) int { return a.Compare(b) })
	links, last := len(linkAt), start
	if links > 0 {
		last = linkAt[links-1]
	}
	outcomes, lost := ackOutcomes(r.fake, r.users[:n], acks)
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.90), "p90-ms")
	b.ReportMetric(at(0.99), "p99-ms")
	b.ReportMetric(at(1), "max-ms")
	b.ReportMetric(float64(n), "requests")
	b.ReportMetric(float64(busy.Load()), "busy")
	b.ReportMetric(float64(over), "over3s")
	b.ReportMetric(float64(failed.Load()), "failed")
	b.ReportMetric(float64(links), "links")
	if links > 0 {
		b.ReportMetric(float64(links)/last.Sub(start).Seconds(), "links/s")
	}
	// The steady state: links between the 10th and the 90th percentile
	// link, leaving out the ramp (the first flows' directory round trips)
	// and the tail (the last ones after the load stopped).
	if lo, hi := links/10, links*9/10; hi > lo && linkAt[hi].After(linkAt[lo]) {
		b.ReportMetric(float64(hi-lo)/linkAt[hi].Sub(linkAt[lo]).Seconds(), "links/s-steady")
	}
	for _, o := range []string{outcomeLinkDM, outcomeLinkReply, outcomeWorkingOnly, outcomeNothing} {
		b.ReportMetric(float64(outcomes[o]), o)
	}
	told := 0
	for o, c := range outcomes {
		switch o {
		case outcomeLinkDM, outcomeLinkReply, outcomeWorkingOnly, outcomeNothing:
		default:
			told += c
		}
	}
	b.ReportMetric(float64(told), "told-other")
	keys := make([]string, 0, len(outcomes))
	for o := range outcomes {
		keys = append(keys, o)
	}
	slices.Sort(keys)
	for _, o := range keys {
		b.Logf("outcome %-28s %6d", o, outcomes[o])
	}
	if len(lost) > 0 {
		b.Logf("commands that ended with no answer: %v", lost[:min(len(lost), 20)])
	}
	for _, line := range w.top(12) {
		b.Logf("log: %s", line)
	}
	b.ReportMetric(float64(time.Duration(lagMax.Load()))/float64(time.Millisecond), "send-lag-ms")
	b.ReportMetric(float64(pool1.WaitCount-pool0.WaitCount), "redis-pool-waits")
	b.ReportMetric(float64(pool1.WaitDurationNs-pool0.WaitDurationNs)/1e6, "redis-pool-wait-ms")
	if once != nil {
		b.ReportMetric(float64(once1.WaitCount-once0.WaitCount), "ack-pool-waits")
		b.ReportMetric(float64(once1.WaitDurationNs-once0.WaitDurationNs)/1e6, "ack-pool-wait-ms")
	}
	b.ReportMetric(schedQuantile(sched0, sched1, 0.99)*1e3, "sched-p99-ms")
	if proxy != nil {
		perLink := float64(len(proxy.Ops())) / float64(max(links, 1))
		b.ReportMetric(float64(proxy.MaxInFlight()), "dir-inflight")
		b.ReportMetric(perLink, "dir-ops/link")
		// What the directory allows: its concurrency over the time a link
		// holds it (its requests, each the proxy's delay).
		if perLink > 0 {
			b.ReportMetric(float64(concurrency)/(perLink*slowDirDelay.Seconds()), "dir-capacity-links/s")
		}
	}
}

// schedLatencies is the runtime's histogram of how long goroutines waited,
// runnable, for a CPU: the cores' queue, which the acks wait in too.
func schedLatencies() *metrics.Float64Histogram {
	m := []metrics.Sample{{Name: "/sched/latencies:seconds"}}
	metrics.Read(m)
	return m[0].Value.Float64Histogram()
}

// schedQuantile is the q-quantile (seconds, the bucket's upper bound) of
// the scheduling latencies between two readings.
func schedQuantile(before, after *metrics.Float64Histogram, q float64) float64 {
	var total uint64
	for i := range after.Counts {
		total += after.Counts[i] - before.Counts[i]
	}
	var seen uint64
	for i := range after.Counts {
		seen += after.Counts[i] - before.Counts[i]
		if total > 0 && float64(seen) >= q*float64(total) {
			return after.Buckets[i+1]
		}
	}
	return 0
}
