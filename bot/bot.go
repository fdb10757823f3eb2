package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
)

// Config is the core's behaviour settings, shared by every platform.
type Config struct {
	// PublicBaseURL is the only origin links are built from.
	PublicBaseURL string
	// Identity says, per platform, how a chat user maps to a directory
	// account: IdentityByChatID (a directory attribute holds the platform
	// user id) or IdentityByEmail (the platform-verified email).
	Identity map[string]IdentityRule
	// HelpdeskGroup is the directory group (DN, nested membership) whose
	// members may push links, see reports and approve.
	HelpdeskGroup string
	// HelpdeskContact is how users reach the helpdesk, shown when
	// something needs a human ("#it-help", "ext. 4357").
	HelpdeskContact string
	// ApproverPasskey makes an Approve click count only after the approver
	// confirms it with their own passkey through a private link, so a
	// hijacked chat session of a helpdesk member cannot approve anything.
	ApproverPasskey bool
	// Alerts configures the spike and failure warnings.
	Alerts AlertConfig
	// CostPerTicket is the helpdesk's cost of one manual reset, for the
	// report's "tickets avoided" figure; Currency labels it.
	CostPerTicket float64
	Currency      string
	// ReportGroups are the directory groups (DNs, nested membership) whose
	// passkey enrollment reports show, by group and by department.
	ReportGroups []string
	// Campaigns are the enrollment campaigns whose progress reports show
	// (their jobs are made with CampaignJob).
	Campaigns []Campaign
	// Location is the time zone times are shown in (default UTC) when the
	// person's platform gives none.
	Location *time.Location
	// Language is the helpdesk channel's language and the fallback for a
	// person whose platform gives none (a catalogue tag; default "en").
	Language string
	// Workers bounds the background work running at once. The default is
	// what the directory carries at once (directory.Concurrent: pool size
	// x requests per connection, 128 for the LDAP defaults), else
	// DefaultWorkers: each flow start waits on the directory, so a fixed
	// small number would leave a slow directory's capacity unused.
	Workers int
	// MaxQueued bounds the work accepted but not yet running (default
	// DefaultMaxQueued). Requests are answered "busy, try again" at once
	// when the queue is at this bound or holds more than the workers can
	// finish before the work's deadline (workTimeout), instead of piling
	// up behind a promise the bot cannot keep.
	MaxQueued int
	// InteractionsPerMinute is each chat identity's budget of commands
	// that start no flow of their own, and of button clicks, in any
	// minute (default DefaultInteractionsPerMinute).
	InteractionsPerMinute int
	// LinkResendAfter is how long a flow's link may stay unrecorded as
	// delivered before the link delivery job replaces and resends it
	// (default DefaultLinkResendAfter).
	LinkResendAfter time.Duration
	// ThreadLease is how long the helpdesk-thread lease outlives its
	// holder's last renewal (audit.claim_idle; default
	// flows.DefaultClaimIdle): one replica at a time posts the threads, so
	// a flow's steps appear in the order they happened, and another takes
	// over this long after the holder died.
	ThreadLease time.Duration
}

// Deps are the services the core drives.
type Deps struct {
	Engine    *flows.Engine
	Directory directory.Directory
	// Store is the flow store, whose counters the core reuses for
	// deduplication, alerts and report statistics.
	Store flows.Store
	// Factors, when set, answers "/reset status".
	Factors Factors
	Log     *slog.Logger
	// Meter, when set, counts the acknowledged requests the core could
	// not carry out (WorkMeter).
	Meter WorkMeter
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Bot is the core. It implements Handler for every platform added to it,
// and its Sink renders the audit stream into helpdesk threads.
type Bot struct {
	cfg       Config
	deps      Deps
	owner     string // this process in leases (flows.ConsumerName)
	platforms map[string]Messenger
	refusals  refusalTallies
	locales   localeMemory
	unmarked  doneUnmarked
	behind    atomic.Bool // the thread sink left a backlog pending (coalesce.go)
	bulk      bulkPacer
	work      *workQueue
	ctx       context.Context
	cancel    context.CancelFunc
	// tellCtx outlives ctx by closeTellBudget: the messages telling people
	// their queued requests were dropped at Close go out under it.
	tellCtx    context.Context
	tellCancel context.CancelFunc
}

var _ Handler = (*Bot)(nil)

// New builds the core.
func New(cfg Config, deps Deps) (*Bot, error) {
	if deps.Engine == nil || deps.Directory == nil || deps.Store == nil {
		return nil, errors.New("bot: engine, directory and store are required")
	}
	u, err := url.Parse(cfg.PublicBaseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("bot: public base URL %q is not an absolute http(s) URL", cfg.PublicBaseURL)
	}
	cfg.PublicBaseURL = strings.TrimRight(cfg.PublicBaseURL, "/")
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Language == "" {
		cfg.Language = "en"
	}
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
		if c, ok := deps.Directory.(directory.Concurrent); ok && c.Concurrency() > 0 {
			cfg.Workers = c.Concurrency()
		}
	}
	if cfg.MaxQueued <= 0 {
		cfg.MaxQueued = DefaultMaxQueued
	}
	if cfg.LinkResendAfter <= 0 {
		cfg.LinkResendAfter = DefaultLinkResendAfter
	}
	if cfg.ThreadLease <= 0 {
		cfg.ThreadLease = flows.DefaultClaimIdle
	}
	if cfg.InteractionsPerMinute <= 0 {
		cfg.InteractionsPerMinute = DefaultInteractionsPerMinute
	}
	if cfg.HelpdeskContact == "" {
		cfg.HelpdeskContact = "the IT helpdesk"
	}
	if deps.Log == nil {
		deps.Log = slog.Default()
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	cfg.Alerts = cfg.Alerts.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	tellCtx, tellCancel := context.WithCancel(context.Background())
	work := newWorkQueue(cfg.Workers, cfg.MaxQueued, workTimeout, deps.Log)
	return &Bot{cfg: cfg, deps: deps, owner: flows.ConsumerName(), platforms: map[string]Messenger{}, work: work,
		ctx: ctx, cancel: cancel, tellCtx: tellCtx, tellCancel: tellCancel}, nil
}

// AddPlatform registers a platform's Messenger under its name ("slack",
// "teams", "discord"), the Platform of the chat identities it reports.
func (b *Bot) AddPlatform(name string, m Messenger) { b.platforms[name] = m }

// messenger returns the platform's Messenger.
func (b *Bot) messenger(platform string) (Messenger, error) {
	m, ok := b.platforms[platform]
	if !ok {
		return nil, fmt.Errorf("bot: no platform %q", platform)
	}
	return m, nil
}

// workTimeout bounds one piece of background work, counted from the
// request (time spent queued included): a link that would arrive later
// than this is not worth sending.
const workTimeout = 2 * time.Minute

// busy reports whether new work would wait past its deadline or overflow
// the queue's bound; callers answer "try again" instead of accepting more.
func (b *Bot) busy() bool { return b.work.full() }

// async runs work promised to who in the background, detached from the
// inbound request (whose context ends when the platform gets its reply),
// bounded in number and in time (workQueue). If it is dropped before it
// runs or panics, who is told so on r (or privately without one).
func (b *Bot) async(name string, who User, r Responder, work func(ctx context.Context)) {
	b.work.addTold(b.ctx, name, work, b.tellUnfinished(name, who, r))
}

// Wait blocks until background work started so far has finished; tests and
// shutdown use it.
func (b *Bot) Wait() { b.work.wait() }

// Close cancels background work and waits for it. Work still queued is
// dropped, and the people it was promised to are told so, within
// closeTellBudget in all.
func (b *Bot) Close() {
	b.cancel()
	stop := time.AfterFunc(closeTellBudget, b.tellCancel)
	b.work.wait()
	stop.Stop()
	b.tellCancel()
}

func (b *Bot) now() time.Time { return b.deps.Now() }

// clock formats a time for people, in the configured zone.
func (b *Bot) clock(t time.Time) string {
	return t.In(b.cfg.Location).Format("15:04 MST")
}

// linkURL builds a link from the configured origin only.
func (b *Bot) linkURL(token string) string {
	return b.cfg.PublicBaseURL + "/r/" + token
}
