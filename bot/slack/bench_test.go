package slack

// Benchmarks of the slash-command ack: the time from a signed /reset
// reaching Routes to its HTTP response, with the real core behind it (the
// flow starts in the background, as in production). Slack gives an app 3
// seconds to answer. They measure and report percentiles; they never
// assert on timing. The numbers are in docs/BENCHMARKS.md.

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/slack/slackfake"
	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/memory"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/flows/redisstore"
	"github.com/resetbot/resetbot/flows/storetest"
)

// loadUsers is how many employees the benchmark company has beyond the
// example ones; requests cycle through them, so consecutive requests come
// from different people and each reaches the core (distinct trigger ids
// keep deduplication out of the way).
const loadUsers = 1000

var ackPrefixes atomic.Int64

// ackRig is the Slack ingress on the real core: memory directory, flow
// engine and bot.Once on Redis, the Messenger posting to a fake Slack.
type ackRig struct {
	fake   *slackfake.Server
	app    *App
	core   *bot.Bot
	routes http.Handler
	users  []string
	store  flows.Store
	eng    *flows.Engine
}

func newAckRig(b *testing.B, rdb redis.UniversalClient) *ackRig {
	b.Helper()
	seed := memory.ExampleSeed()
	users := make([]string, 0, loadUsers)
	for i := 0; i < loadUsers; i++ {
		name, id := fmt.Sprintf("load%04d", i), fmt.Sprintf("U0LOAD%04d", i)
		seed.Users = append(seed.Users, memory.SeedUser{
			AccountName: name, DisplayName: "Load " + name, Email: name + "@example.test",
			Department: "Load", Password: memory.ExamplePassword, ChatIDs: map[string]string{"slack": id},
		})
		users = append(users, id)
	}
	dir, err := memory.New(seed)
	if err != nil {
		b.Fatal(err)
	}
	return newAckRigOn(b, rdb, dir, users, ackRigOptions{})
}

// ackRigOptions shape a rig beyond its directory and people.
type ackRigOptions struct {
	// core holds the workers and queue bounds (zero: the core's defaults).
	core bot.Config
	// once is the Redis client of bot.Once, the acknowledgement's one
	// round trip (serve gives it a pool of its own); nil shares rdb.
	once redis.UniversalClient
	// log receives the core's and the app's records (nil: discarded).
	log slog.Handler
}

// newAckRigOn is the rig on dir, whose accounts carry the Slack ids users.
func newAckRigOn(b testing.TB, rdb redis.UniversalClient, dir directory.Directory, users []string, o ackRigOptions) *ackRig {
	b.Helper()
	core := o.core
	prefix := fmt.Sprintf("ack%x-%d", time.Now().UnixNano(), ackPrefixes.Add(1))
	st := redisstore.New(rdb, redisstore.Options{Prefix: prefix})
	onceStore := st
	if o.once != nil {
		onceStore = redisstore.New(o.once, redisstore.Options{Prefix: prefix})
	}
	// Limits far above what the run reaches: the counters still cost
	// their round trips in the background, none is ever exceeded.
	const high = 1 << 30
	eng := flows.NewEngine(st, dir, flows.Config{
		Limits: flows.Limits{RequestsPerAccountPerHour: high, RequestsPerIdentityPerHour: high, FailedVerifyPerAccountDay: high},
		Policy: flows.Policy{PrivilegedGroups: []string{"cn=tier0-admins,ou=Groups,dc=example,dc=test"}, BreakGlass: []string{"spare3"}},
	})
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	if o.log != nil {
		discard = slog.New(o.log)
	}
	core.PublicBaseURL = "https://reset.example.test"
	core.HelpdeskGroup = "cn=helpdesk,ou=Groups,dc=example,dc=test"
	core.HelpdeskContact = "#it-help"
	core.Identity = map[string]bot.IdentityRule{Platform: {By: bot.IdentityByChatID}}
	c, err := bot.New(core, bot.Deps{Engine: eng, Directory: dir, Store: st, Log: discard})
	if err != nil {
		b.Fatal(err)
	}
	fake := slackfake.New(testToken)
	fake.AddChannel(testChannel)
	cfg := testConfig(fake.APIURL())
	// No pacing: the fake does not rate-limit, and per-channel pacing
	// would only delay the background link delivery, not the ack.
	m, err := NewMessenger(cfg, WithHTTPClient(fake.Client()), WithPace(0), WithLogger(discard))
	if err != nil {
		b.Fatal(err)
	}
	c.AddPlatform(Platform, m)
	app, err := New(cfg, c, bot.NewOnce(onceStore), WithLogger(discard), WithHTTPClient(fake.Client()))
	if err != nil {
		b.Fatal(err)
	}
	// Cleanups run last-in first-out: the core's background work and the
	// app's answers finish before the fake Slack goes away.
	b.Cleanup(fake.Close)
	b.Cleanup(app.Wait)
	b.Cleanup(c.Close)
	return &ackRig{fake: fake, app: app, core: c, routes: app.Routes(), users: users, store: st, eng: eng}
}

// command is the i-th signed "/reset", from the i-th user, with a fresh
// trigger id and a response URL on the fake.
func (r *ackRig) command(i int64) *http.Request {
	user := r.users[int(i)%len(r.users)]
	form := slackfake.CommandForm(user, "", r.fake.ResponseURL(fmt.Sprintf("r%d", i)))
	return slackfake.SignedCommand(testSecret, form, time.Now())
}

// drain waits for the background work the acks started (flow starts,
// link delivery) and returns when it finished.
func (r *ackRig) drain() time.Time {
	r.core.Wait()
	r.app.Wait()
	return time.Now()
}

// latencies collects per-request durations from many goroutines.
type latencies struct {
	mu  sync.Mutex
	all []time.Duration
}

func (l *latencies) add(d []time.Duration) {
	l.mu.Lock()
	l.all = append(l.all, d...)
	l.mu.Unlock()
}

// report adds p50, p99 and max (milliseconds), the ack rate and the rate
// at which the background work kept up (acks whose flow was started and
// whose link was delivered, per second from the first request until the
// background was idle again).
func (l *latencies) report(b *testing.B, start, acked, idle time.Time) {
	if len(l.all) == 0 {
		return
	}
	slices.Sort(l.all)
	at := func(q float64) float64 {
		return float64(l.all[int(q*float64(len(l.all)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
	b.ReportMetric(at(1), "max-ms")
	b.ReportMetric(float64(len(l.all))/acked.Sub(start).Seconds(), "acks/s")
	b.ReportMetric(float64(len(l.all))/idle.Sub(start).Seconds(), "flows/s")
}

// BenchmarkSlackAck serves signed slash commands straight into Routes (no
// network between Slack and the app) and times each until its response is
// written. "serial" is one request at a time; "parallel" runs 8
// goroutines per CPU. Background work (Start, the link DM) competes for
// the same CPUs, as it does in production.
func BenchmarkSlackAck(b *testing.B) {
	storetest.OnRedis(b, func(b *testing.B, rdb redis.UniversalClient) {
		for _, par := range []int{0, 8} {
			name := "serial"
			if par > 0 {
				name = fmt.Sprintf("parallel%d", par)
			}
			b.Run(name, func(b *testing.B) {
				r := newAckRig(b, rdb)
				var seq atomic.Int64
				var lat latencies
				one := func(buf *[]time.Duration) bool {
					req := r.command(seq.Add(1))
					rec := httptest.NewRecorder()
					t0 := time.Now()
					r.routes.ServeHTTP(rec, req)
					*buf = append(*buf, time.Since(t0))
					if rec.Code != http.StatusOK {
						b.Errorf("ack status %d: %s", rec.Code, rec.Body)
						return false
					}
					return true
				}
				b.ReportAllocs()
				b.ResetTimer()
				start := time.Now()
				if par == 0 {
					buf := make([]time.Duration, 0, b.N)
					for i := 0; i < b.N && one(&buf); i++ {
					}
					lat.add(buf)
				} else {
					b.SetParallelism(par)
					b.RunParallel(func(pb *testing.PB) {
						var buf []time.Duration
						for pb.Next() && one(&buf) {
						}
						lat.add(buf)
					})
				}
				acked := time.Now()
				b.StopTimer()
				lat.report(b, start, acked, r.drain())
			})
		}
	})
}

// BenchmarkSlackAckLoopback is the load run: the ingress behind a real
// http.Server on 127.0.0.1, driven by c concurrent clients over
// keep-alive connections. b.N requests in all (bound it with
// -benchtime=Nx); each is timed from the client's send to the end of the
// response body, signing excluded.
func BenchmarkSlackAckLoopback(b *testing.B) {
	storetest.OnRedis(b, func(b *testing.B, rdb redis.UniversalClient) {
		for _, c := range []int{1, 32, 256} {
			b.Run(fmt.Sprintf("clients%d", c), func(b *testing.B) {
				r := newAckRig(b, rdb)
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					b.Fatal(err)
				}
				srv := &http.Server{Handler: r.routes, ReadHeaderTimeout: 5 * time.Second}
				go func() { _ = srv.Serve(ln) }()
				b.Cleanup(func() { _ = srv.Close() })
				base := "http://" + ln.Addr().String()
				client := &http.Client{
					Timeout:   10 * time.Second,
					Transport: &http.Transport{MaxIdleConnsPerHost: c, MaxConnsPerHost: c, DisableCompression: true},
				}
				b.Cleanup(client.CloseIdleConnections)

				var seq atomic.Int64
				var lat latencies
				var failed atomic.Int64
				b.ReportAllocs()
				b.ResetTimer()
				start := time.Now()
				var wg sync.WaitGroup
				for w := 0; w < c; w++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						var buf []time.Duration
						defer func() { lat.add(buf) }()
						for {
							i := seq.Add(1)
							if i > int64(b.N) {
								return
							}
							req := r.command(i)
							req.URL, _ = req.URL.Parse(base + PathCommands)
							req.Host = ""
							t0 := time.Now()
							resp, err := client.Do(req)
							if err != nil {
								failed.Add(1)
								continue
							}
							_, _ = io.Copy(io.Discard, resp.Body)
							resp.Body.Close()
							buf = append(buf, time.Since(t0))
							if resp.StatusCode != http.StatusOK {
								failed.Add(1)
							}
						}
					}()
				}
				wg.Wait()
				acked := time.Now()
				b.StopTimer()
				if n := failed.Load(); n > 0 {
					b.Errorf("%d of %d requests failed", n, b.N)
				}
				lat.report(b, start, acked, r.drain())
			})
		}
	})
}

// BenchmarkThreadLag429 is the helpdesk thread under a 429 storm: a burst
// of flows whose thread posts meet Slack's per-channel limit (the fake
// answers 429 with Retry-After to a post less than a second after the
// previous one, and the first posts of the burst with a 2 s Retry-After on
// top), through the real pacer and the thread sink's reader. It reports
// the lag from the last ack until the burst's last event is in the thread
// (lag-s), and checks every flow got its thread. b.N bursts.
func BenchmarkThreadLag429(b *testing.B) {
	const flowsPerBurst = 20
	storetest.OnRedis(b, func(b *testing.B, rdb redis.UniversalClient) {
		var lags []time.Duration
		for i := 0; i < b.N; i++ {
			r := newAckRig(b, rdb)
			// The rig's messenger is unpaced; this one paces as production
			// does, against a fake that enforces Slack's limit.
			m, err := NewMessenger(testConfig(r.fake.APIURL()), WithHTTPClient(r.fake.Client()), WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
			if err != nil {
				b.Fatal(err)
			}
			r.core.AddPlatform(Platform, m)
			r.fake.LimitChannels(time.Second)
			r.fake.FailNext("chat.postMessage", 3, 2*time.Second)
			reader := flows.NewReader(r.store, r.core.Sink(), "bench", nil)
			for j := 0; j < flowsPerBurst; j++ {
				rec := httptest.NewRecorder()
				r.routes.ServeHTTP(rec, r.command(int64(i*flowsPerBurst+j)))
				if rec.Code != http.StatusOK {
					b.Fatalf("ack status %d", rec.Code)
				}
			}
			acked := time.Now()
			r.drain()
			ctx := b.Context()
			for idle := 0; idle < 3; {
				n, err := reader.Pump(ctx)
				var ra interface{ RetryAfter() time.Duration }
				switch {
				case errors.As(err, &ra):
					time.Sleep(ra.RetryAfter())
				case err != nil:
					time.Sleep(100 * time.Millisecond)
				case n == 0:
					idle++
					time.Sleep(100 * time.Millisecond)
				default:
					idle = 0
				}
			}
			lag := time.Since(acked) - 300*time.Millisecond // the idle pumps that proved it done
			lags = append(lags, lag)
			if got := len(r.fake.Messages(testChannel)); got < flowsPerBurst {
				b.Errorf("%d thread parents for %d flows", got, flowsPerBurst)
			}
		}
		slices.Sort(lags)
		b.ReportMetric(lags[len(lags)/2].Seconds(), "lag-s")
		b.ReportMetric(float64(flowsPerBurst), "flows/burst")
	})
}
