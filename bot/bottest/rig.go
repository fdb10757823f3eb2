package bottest

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/memory"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/flows/redisstore"
)

// Group DNs of the example company.
const (
	PrivilegedGroup = "cn=tier0-admins,ou=Groups,dc=example,dc=test"
	HelpdeskGroup   = "cn=helpdesk,ou=Groups,dc=example,dc=test"
	BaseURL         = "https://reset.example.test"
)

// Rig is the core wired to real parts, for one test.
type Rig struct {
	Redis  *miniredis.Miniredis
	Store  *redisstore.Store
	Dir    *memory.Directory
	Engine *flows.Engine
	Bot    *bot.Bot
	Reader Readers
	// Factors is what each account has enrolled (default: one passkey).
	Factors *Enrolled
	// skew is how far Advance moved the engine's and the core's clock
	// ahead of the wall clock, in nanoseconds.
	skew *atomic.Int64
}

// Advance moves the rig's clock (the engine's and the core's) forward, so
// a test expires a flow without sleeping.
func (r *Rig) Advance(d time.Duration) { r.skew.Add(int64(d)) }

// Options tune a rig.
type Options struct {
	Alerts bot.AlertConfig
	// Directory replaces the example company (e.g. a blocking wrapper).
	Directory func(*memory.Directory) directory.Directory
	// Identity maps platforms to lookup rules (default: Slack by chat id).
	Identity map[string]bot.IdentityRule
	// Workers and MaxQueued bound the core's background work.
	Workers, MaxQueued int
	// InteractionsPerMinute is each chat identity's budget of commands
	// and clicks (default: the core's).
	InteractionsPerMinute int
	// ApproverPasskey makes approvals count only once confirmed with the
	// approver's passkey.
	ApproverPasskey bool
	// ChatIDs adds a platform's user id to each example user, for
	// platforms mapped by chat id: account name -> (platform, id).
	ChatIDs func(account string) (platform, id string)
	// LinkResendAfter is how long a link may stay unrecorded as delivered
	// before the delivery job resends it (default: the core's).
	LinkResendAfter time.Duration
	// Language is helpdesk.language (default: English).
	Language string
	// ReportGroups are the groups whose passkey enrollment the report
	// shows (report.groups).
	ReportGroups []string
	// Risk is the engine's risk policy (default: every signal noted).
	Risk flows.RiskPolicy
	// Meter counts the acknowledged requests the core could not carry out.
	Meter bot.WorkMeter
}

// NewRig builds a rig; platforms are added by the caller with AddPlatform.
func NewRig(t *testing.T, opt Options) *Rig {
	t.Helper()
	m := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: m.Addr()})
	t.Cleanup(func() { rdb.Close() })
	st := redisstore.New(rdb, redisstore.Options{})
	seed := memory.ExampleSeed()
	if opt.ChatIDs != nil {
		for i, u := range seed.Users {
			p, id := opt.ChatIDs(u.AccountName)
			seed.Users[i].ChatIDs[p] = id
		}
	}
	mem, err := memory.New(seed)
	if err != nil {
		t.Fatal(err)
	}
	var dir directory.Directory = mem
	if opt.Directory != nil {
		dir = opt.Directory(mem)
	}
	skew := new(atomic.Int64)
	now := func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	eng := flows.NewEngine(st, dir, flows.Config{
		Policy: flows.Policy{PrivilegedGroups: []string{PrivilegedGroup}, BreakGlass: []string{"spare3"}},
		Risk:   opt.Risk,
	}, flows.WithClock(now))
	factors := &Enrolled{}
	b, err := bot.New(bot.Config{
		PublicBaseURL:         BaseURL,
		HelpdeskGroup:         HelpdeskGroup,
		HelpdeskContact:       "#it-help",
		Identity:              opt.Identity,
		ApproverPasskey:       opt.ApproverPasskey,
		Workers:               opt.Workers,
		MaxQueued:             opt.MaxQueued,
		InteractionsPerMinute: opt.InteractionsPerMinute,
		LinkResendAfter:       opt.LinkResendAfter,
		Alerts:                opt.Alerts,
		CostPerTicket:         70,
		Language:              opt.Language,
		ReportGroups:          opt.ReportGroups,
	}, bot.Deps{Engine: eng, Directory: dir, Store: st, Factors: factors, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: now, Meter: opt.Meter})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return &Rig{Redis: m, Store: st, Dir: mem, Engine: eng, Bot: b, Reader: NewReaders(st, b.Sinks()), Factors: factors, skew: skew}
}

// Readers pumps several sinks' readers as one, as the service runs them.
type Readers []*flows.Reader

// NewReaders makes one reader per sink, all as the consumer "test".
func NewReaders(st flows.Store, sinks []flows.Sink) Readers {
	var rs Readers
	for _, s := range sinks {
		rs = append(rs, flows.NewReader(st, s, "test", nil))
	}
	return rs
}

// Pump pumps every reader once and returns the events delivered in all
// and the joined failures; one sink failing does not stop the others.
func (rs Readers) Pump(ctx context.Context) (int, error) {
	total := 0
	var errs []error
	for _, r := range rs {
		n, err := r.Pump(ctx)
		total += n
		if err != nil {
			errs = append(errs, err)
		}
	}
	return total, errors.Join(errs...)
}

// Settle waits for the bot's background work and delivers every pending
// audit event to the helpdesk threads.
func (r *Rig) Settle(t *testing.T) {
	t.Helper()
	for i := 0; i < 20; i++ {
		r.Bot.Wait()
		n, err := r.Reader.Pump(context.Background())
		if err != nil {
			t.Fatalf("delivering audit events: %v", err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatal("audit events keep coming")
}

// TokenFrom extracts the link token from a message's link.
func TokenFrom(t *testing.T, m bot.Message) string {
	t.Helper()
	if m.Link == nil {
		t.Fatalf("message has no link: %+v", m)
	}
	u, err := url.Parse(m.Link.URL)
	if err != nil || !strings.HasPrefix(m.Link.URL, BaseURL+"/r/") {
		t.Fatalf("link %q is not on the configured origin", m.Link.URL)
	}
	return strings.TrimPrefix(u.Path, "/r/")
}

// Verify redeems a token and records a passkey verification, as the web
// app would after a successful WebAuthn login.
func (r *Rig) Verify(t *testing.T, token string) (*flows.Flow, string) {
	t.Helper()
	ctx := context.Background()
	f, binding, err := r.Engine.Redeem(ctx, token, flows.Client{IP: "203.0.113.7", Device: "iPhone"})
	if err != nil {
		t.Fatalf("redeem: %v", err)
	}
	f, err = r.Engine.RecordVerification(ctx, f.ID, binding, flows.Verification{Method: flows.MethodPasskey, OK: true, Client: flows.Client{IP: "203.0.113.7", Device: "iPhone"}})
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return f, binding
}

// Complete sets a new password as the web app would.
func (r *Rig) Complete(t *testing.T, f *flows.Flow, binding, password string) {
	t.Helper()
	if _, err := r.Engine.Complete(context.Background(), f.ID, binding, flows.Completion{NewPassword: password, Client: flows.Client{IP: "203.0.113.7", Device: "iPhone"}}); err != nil {
		t.Fatalf("complete: %v", err)
	}
}

// Slack is a chat identity on Slack.
func Slack(id string) flows.ChatIdentity { return flows.ChatIdentity{Platform: "slack", UserID: id} }

// Within bounds a wait in tests that poll for asynchronous results.
const Within = 10 * time.Second
