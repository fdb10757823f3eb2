package redisstore_test

// Benchmarks of the flow engine on Redis: the paths a reset takes (Start,
// Redeem, a whole reset) and the compare-and-swap script under them. Each
// runs on miniredis and, when RESETBOT_TEST_REDIS_ADDR names one, on a real
// redis-server. They measure; they never assert on timing. The numbers and
// how they were taken are in docs/BENCHMARKS.md.

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/memory"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/flows/redisstore"
	"github.com/resetbot/resetbot/flows/storetest"
	"github.com/resetbot/resetbot/internal/testenv"
)

// benchUsers are the ExampleSeed users a reset may run for without
// approval or refusal (alice is privileged, bob disabled, spare3
// break-glass). Parallel benchmarks give each goroutine its own account,
// so they measure throughput, not supersede contention.
var benchUsers = []string{"U0JDOE", "U0PWUSER", "U0POLICY", "U0LOCKME", "U0SPARE1", "U0SPARE2"}

var (
	benchPrefixes atomic.Int64
	benchRun      = time.Now().UnixNano()
	benchPassword atomic.Int64
)

// benchRig is an engine on a fresh key prefix and the example company,
// with rate limits raised far above what a benchmark reaches: the counters
// are still incremented (their cost is part of Start), never exceeded.
type benchRig struct {
	st  *redisstore.Store
	dir *memory.Directory
	eng *flows.Engine
}

func newBenchRig(b testing.TB, rdb redis.UniversalClient) *benchRig {
	b.Helper()
	dir, err := memory.New(memory.ExampleSeed())
	if err != nil {
		b.Fatal(err)
	}
	prefix := fmt.Sprintf("b%x-%d", benchRun, benchPrefixes.Add(1))
	st := redisstore.New(rdb, redisstore.Options{Prefix: prefix})
	const high = 1 << 30
	eng := flows.NewEngine(st, dir, flows.Config{
		LinkTTL: 10 * time.Minute, FlowTTL: 15 * time.Minute, ApprovalTTL: 30 * time.Minute,
		MaxVerifyAttempts: 3, MaxPasswordAttempts: 3,
		Limits: flows.Limits{RequestsPerAccountPerHour: high, RequestsPerIdentityPerHour: high, FailedVerifyPerAccountDay: high},
		Policy: flows.Policy{PrivilegedGroups: []string{"cn=tier0-admins,ou=Groups,dc=example,dc=test"}, BreakGlass: []string{"spare3"}},
	}, flows.WithClock(storetest.NewClock().Now))
	return &benchRig{st: st, dir: dir, eng: eng}
}

func (r *benchRig) start(ctx context.Context, kind flows.Kind, chatID string) (*flows.Issued, error) {
	id := flows.ChatIdentity{Platform: "slack", UserID: chatID}
	return r.eng.Start(ctx, flows.StartRequest{
		Kind:        kind,
		Lookup:      directory.Lookup{Kind: directory.ByChatID, Platform: "slack", Value: chatID},
		Chat:        id,
		RequestedBy: id,
	})
}

var benchClient = flows.Client{IP: "192.0.2.1", Device: "bench"}

// reset runs one whole flow of kind for chatID: Start, Redeem, a passkey
// verification and Complete (a fresh password for a reset).
func (r *benchRig) reset(ctx context.Context, kind flows.Kind, chatID string) error {
	is, err := r.start(ctx, kind, chatID)
	if err != nil {
		return fmt.Errorf("start: %w", err)
	}
	f, binding, err := r.eng.Redeem(ctx, is.Token, benchClient)
	if err != nil {
		return fmt.Errorf("redeem: %w", err)
	}
	if _, err := r.eng.RecordVerification(ctx, f.ID, binding, flows.Verification{Method: flows.MethodPasskey, OK: true, Client: benchClient}); err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	var c flows.Completion
	if kind == flows.KindReset {
		c.NewPassword = fmt.Sprintf("Bench-Horse-%d!", benchPassword.Add(1))
	}
	f, err = r.eng.Complete(ctx, f.ID, binding, c)
	if err != nil {
		return fmt.Errorf("complete: %w", err)
	}
	if f.State != flows.StateCompleted {
		return fmt.Errorf("complete: state %q", f.State)
	}
	return nil
}

// perSecond reports the benchmark's rate as ops/s (wall clock, so a
// parallel benchmark reports its throughput) and the process's CPU per op
// since cpu0 (testenv.CPUTime at the timer's reset): on miniredis that
// includes the server, which runs in the process; on a real redis-server
// it is the client's side alone.
func perSecond(b *testing.B, cpu0 time.Duration) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s, "ops/s")
	}
	testenv.ReportCPU(b, cpu0)
}

// accountPicker hands each parallel goroutine its own account.
func accountPicker() func() string {
	var next atomic.Int64
	return func() string { return benchUsers[int(next.Add(1)-1)%len(benchUsers)] }
}

// BenchmarkEngineStart is a new flow for an account: the identity and
// account counters, the directory lookup, superseding the account's
// previous flow (every op after the first has one) and the create script.
func BenchmarkEngineStart(b *testing.B) {
	storetest.OnRedis(b, func(b *testing.B, rdb redis.UniversalClient) {
		b.Run("serial", func(b *testing.B) {
			r := newBenchRig(b, rdb)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := testenv.CPUTime()
			for i := 0; i < b.N; i++ {
				if _, err := r.start(ctx, flows.KindReset, "U0JDOE"); err != nil {
					b.Fatal(err)
				}
			}
			perSecond(b, cpu0)
		})
		b.Run("parallel", func(b *testing.B) {
			r := newBenchRig(b, rdb)
			pick := accountPicker()
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := testenv.CPUTime()
			b.RunParallel(func(pb *testing.PB) {
				ctx, user := context.Background(), pick()
				for pb.Next() {
					if _, err := r.start(ctx, flows.KindReset, user); err != nil {
						b.Error(err)
						return
					}
				}
			})
			perSecond(b, cpu0)
		})
	})
}

// BenchmarkEngineRedeem is the POST behind a link: token check, binding
// and the compare-and-swap to redeemed. Each op needs a fresh link, minted
// with the timer stopped (and its CPU left out), so this one runs serially.
func BenchmarkEngineRedeem(b *testing.B) {
	benchStep(b, flows.KindReset, func(r *benchRig, ctx context.Context, is *flows.Issued) (*flows.Issued, string) {
		return is, ""
	}, func(r *benchRig, ctx context.Context, is *flows.Issued, _ string) error {
		_, _, err := r.eng.Redeem(ctx, is.Token, benchClient)
		return err
	})
}

// BenchmarkEngineVerify is a successful passkey verification from a
// browser with a device cookie: the day's failures and the browser's risk
// count, then the compare-and-swap to verified. Serial, like Redeem: each
// op needs a redeemed flow, made with the timer stopped.
func BenchmarkEngineVerify(b *testing.B) {
	benchStep(b, flows.KindReset, redeemed, func(r *benchRig, ctx context.Context, is *flows.Issued, binding string) error {
		_, err := r.eng.RecordVerification(ctx, is.Flow.ID, binding, flows.Verification{Method: flows.MethodPasskey, OK: true,
			Client: benchClient, Evidence: flows.RiskEvidence{Browser: "bench-browser"}})
		return err
	})
}

// BenchmarkEngineComplete is the final step of an unlock (no password to
// hash): the compare-and-swap to applying, the memory directory's re-read
// and unlock, the compare-and-swap to completed, and the browser
// remembered. Serial; each op's flow is verified with the timer stopped.
func BenchmarkEngineComplete(b *testing.B) {
	benchStep(b, flows.KindUnlock, func(r *benchRig, ctx context.Context, is *flows.Issued) (*flows.Issued, string) {
		is, binding := redeemed(r, ctx, is)
		if _, err := r.eng.RecordVerification(ctx, is.Flow.ID, binding, flows.Verification{Method: flows.MethodPasskey, OK: true,
			Client: benchClient, Evidence: flows.RiskEvidence{Browser: "bench-browser"}}); err != nil {
			b.Fatal(err)
		}
		return is, binding
	}, func(r *benchRig, ctx context.Context, is *flows.Issued, binding string) error {
		f, err := r.eng.Complete(ctx, is.Flow.ID, binding, flows.Completion{Client: benchClient})
		if err == nil && f.State != flows.StateCompleted {
			err = fmt.Errorf("complete: state %q", f.State)
		}
		return err
	})
}

// redeemed redeems a started flow for a step benchmark.
func redeemed(r *benchRig, ctx context.Context, is *flows.Issued) (*flows.Issued, string) {
	_, binding, err := r.eng.Redeem(ctx, is.Token, benchClient)
	if err != nil {
		panic(err)
	}
	return is, binding
}

// benchStep times op alone, serially: each iteration starts a flow of kind
// and prepares it (with the timer stopped and its CPU left out of
// cpu-ns/op), then runs op on it.
func benchStep(b *testing.B, kind flows.Kind,
	prepare func(r *benchRig, ctx context.Context, is *flows.Issued) (*flows.Issued, string),
	op func(r *benchRig, ctx context.Context, is *flows.Issued, binding string) error) {
	storetest.OnRedis(b, func(b *testing.B, rdb redis.UniversalClient) {
		r := newBenchRig(b, rdb)
		ctx := context.Background()
		var setup time.Duration
		b.ReportAllocs()
		b.ResetTimer()
		cpu0 := testenv.CPUTime()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			c := testenv.CPUTime()
			is, err := r.start(ctx, kind, benchUsers[i%len(benchUsers)])
			if err != nil {
				b.Fatal(err)
			}
			is, binding := prepare(r, ctx, is)
			setup += testenv.CPUTime() - c
			b.StartTimer()
			if err := op(r, ctx, is, binding); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		perSecond(b, cpu0+setup)
	})
}

// BenchmarkFullReset is one whole reset: Start, Redeem, RecordVerification
// and Complete, which writes the password to the memory directory. The
// memory directory hashes with PBKDF2 (4,096 rounds) for the new password
// and each history entry, under one lock; FullUnlock is the same flow
// without a password, so the difference is that hashing.
func BenchmarkFullReset(b *testing.B) { benchFull(b, flows.KindReset) }

// BenchmarkFullUnlock is BenchmarkFullReset for an unlock flow: the same
// four engine steps and store round trips, no password hashing.
func BenchmarkFullUnlock(b *testing.B) { benchFull(b, flows.KindUnlock) }

func benchFull(b *testing.B, kind flows.Kind) {
	storetest.OnRedis(b, func(b *testing.B, rdb redis.UniversalClient) {
		b.Run("serial", func(b *testing.B) {
			r := newBenchRig(b, rdb)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := testenv.CPUTime()
			for i := 0; i < b.N; i++ {
				if err := r.reset(ctx, kind, benchUsers[i%len(benchUsers)]); err != nil {
					b.Fatal(err)
				}
			}
			perSecond(b, cpu0)
		})
		b.Run("parallel", func(b *testing.B) {
			r := newBenchRig(b, rdb)
			pick := accountPicker()
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := testenv.CPUTime()
			b.RunParallel(func(pb *testing.PB) {
				ctx, user := context.Background(), pick()
				for pb.Next() {
					if err := r.reset(ctx, kind, user); err != nil {
						b.Error(err)
						return
					}
				}
			})
			perSecond(b, cpu0)
		})
	})
}

// BenchmarkStoreUpdate is the compare-and-swap script alone: one flow
// written over and over with one audit event, as every engine step after
// Start does (version check, HSET, PEXPIREAT, ZADD, XADD). Parallel
// goroutines each update their own flow.
func BenchmarkStoreUpdate(b *testing.B) {
	storetest.OnRedis(b, func(b *testing.B, rdb redis.UniversalClient) {
		flowOf := func(b *testing.B, r *benchRig, user string) *flows.Flow {
			is, err := r.start(context.Background(), flows.KindReset, user)
			if err != nil {
				b.Fatal(err)
			}
			f, err := r.st.Get(context.Background(), is.Flow.ID)
			if err != nil {
				b.Fatal(err)
			}
			return f
		}
		event := func(f *flows.Flow) []flows.Event {
			return []flows.Event{{Time: f.IssuedAt, Type: flows.EventLinkOpened, FlowID: f.ID, Kind: f.Kind,
				Account: f.Subject.AccountName, AccountID: f.Subject.AccountID, Actor: f.Subject.Chat.String(),
				Outcome: "ok", SourceIP: benchClient.IP, Device: benchClient.Device}}
		}
		b.Run("serial", func(b *testing.B) {
			r := newBenchRig(b, rdb)
			f := flowOf(b, r, "U0JDOE")
			evs := event(f)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := testenv.CPUTime()
			for i := 0; i < b.N; i++ {
				if err := r.st.Update(ctx, f, evs); err != nil {
					b.Fatal(err)
				}
			}
			perSecond(b, cpu0)
		})
		b.Run("parallel", func(b *testing.B) {
			r := newBenchRig(b, rdb)
			// One flow per account and kind: 18 flows, more than the
			// goroutines of any sane -cpu, so no two share a flow.
			var fs []*flows.Flow
			for _, k := range []flows.Kind{flows.KindReset, flows.KindUnlock, flows.KindEnroll} {
				for _, u := range benchUsers {
					is, err := r.start(context.Background(), k, u)
					if err != nil {
						b.Fatal(err)
					}
					f, err := r.st.Get(context.Background(), is.Flow.ID)
					if err != nil {
						b.Fatal(err)
					}
					fs = append(fs, f)
				}
			}
			var next atomic.Int64
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := testenv.CPUTime()
			b.RunParallel(func(pb *testing.PB) {
				ctx, i := context.Background(), int(next.Add(1)-1)
				if i >= len(fs) {
					b.Errorf("goroutine %d: only %d flows; lower -cpu", i, len(fs))
					return
				}
				f := fs[i]
				evs := event(f)
				for pb.Next() {
					if err := r.st.Update(ctx, f, evs); err != nil {
						b.Error(err)
						return
					}
				}
			})
			perSecond(b, cpu0)
		})
	})
}
