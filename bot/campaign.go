package bot

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/i18n"
)

// Campaign is an enrollment campaign: the members of a directory group
// who have no passkey get a private message asking them to add one, at
// most once per RemindEvery per person, until they do.
type Campaign struct {
	// Name identifies the campaign in Redis keys, logs and the report
	// (lower-case letters, digits and dashes).
	Name string
	// Group is the directory group (DN; nested membership counts).
	Group string
	// Message is a catalogue id (the message in each person's language)
	// or the text itself; empty is DefaultCampaignMessage.
	Message string
	// RemindEvery is the least time between two messages to one person
	// (default 7 days).
	RemindEvery time.Duration
	// IncludePrivileged also messages members of privileged groups, who
	// are left alone by default (their enrollment is usually arranged in
	// person). Break-glass accounts are never messaged: the bot never
	// resets them, so a passkey for the bot serves them nothing.
	IncludePrivileged bool
	// Pace is the least time between two messages of one run (default
	// DefaultCampaignPace), on top of each platform's own pacer, which
	// spaces posts per channel only: a campaign opens a new channel for
	// every person, and a burst of those is what a platform's app-wide
	// limits refuse.
	Pace time.Duration
}

// DefaultCampaignMessage is the catalogue id of the campaign message.
const DefaultCampaignMessage = "chat.campaign.body"

// DefaultCampaignPace is one message a second: under Slack's app-wide
// allowance for chat.postMessage and conversations.open (Tier 3, 50+ a
// minute) and Discord's and Teams' per-bot limits.
const DefaultCampaignPace = time.Second

// campaignMemory is how long a campaign remembers that it targeted,
// messaged or counted a person: a year, longer than any campaign should
// need to reach everyone.
const campaignMemory = 366 * day

// campaignName is the shape of a campaign name: it is part of Redis keys.
var campaignName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// CampaignRun is what one run did, for logs and metrics.
type CampaignRun struct {
	// Members counts the group's accounts, Enrolled those with a passkey.
	Members, Enrolled int
	// Skipped counts disabled, break-glass and (unless included)
	// privileged accounts.
	Skipped int
	// Targeted counts members without a passkey; Messaged those messaged
	// in this run; NotYet those messaged less than RemindEvery ago.
	Targeted, Messaged, NotYet int
	// NoChatIdentity counts members no platform can name (never
	// guessed); Failed those whose message could not be delivered.
	NoChatIdentity, Failed int
}

// CampaignProgress is a campaign's progress over campaignMemory: people
// found without a passkey, of those messaged, of those enrolled since.
type CampaignProgress struct {
	Name                              string
	Targeted, Messaged, EnrolledSince int64
}

// checkCampaign fills c's defaults and rejects what would make a run
// misbehave.
func checkCampaign(c Campaign) (Campaign, error) {
	if !campaignName.MatchString(c.Name) {
		return c, fmt.Errorf("bot: campaign name %q: use lower-case letters, digits and dashes", c.Name)
	}
	if c.Group == "" {
		return c, fmt.Errorf("bot: campaign %s has no group", c.Name)
	}
	if c.Message == "" {
		c.Message = DefaultCampaignMessage
	}
	if c.RemindEvery <= 0 {
		c.RemindEvery = 7 * day
	}
	if c.Pace <= 0 {
		c.Pace = DefaultCampaignPace
	}
	return c, nil
}

// campaignKey is a campaign's Redis key for what, of one account when id
// is set.
func campaignKey(c Campaign, what, id string) string {
	if id == "" {
		return "campaign:" + c.Name + ":" + what
	}
	return "campaign:" + c.Name + ":" + what + ":" + id
}

// RunCampaign runs the campaign once at now. A person is messaged at most
// once per RemindEvery, whatever the number of runs or replicas: the mark
// (Redis, shared by every replica, keyed on the immutable account id) is
// taken before the message is sent, so a message is never sent twice, at
// the cost of one lost if the platform fails at that moment. Messages go
// out one at a time, c.Pace apart, through each platform's Messenger,
// waiting out rate limits the platform still reports.
func (b *Bot) RunCampaign(ctx context.Context, c Campaign, now time.Time) (CampaignRun, error) {
	var run CampaignRun
	c, err := checkCampaign(c)
	if err != nil {
		return run, err
	}
	gl, ok := b.deps.Directory.(directory.GroupMemberLister)
	if !ok {
		return run, errNoMemberLister
	}
	if b.deps.Factors == nil {
		return run, errors.New("bot: campaigns need the credential store")
	}
	members, err := gl.GroupMembers(ctx, c.Group)
	if err != nil {
		return run, fmt.Errorf("bot: campaign %s: %w", c.Name, err)
	}
	st := b.deps.Store
	for _, m := range members {
		if err := ctx.Err(); err != nil {
			return run, err
		}
		run.Members++
		if m.Disabled {
			run.Skipped++
			continue
		}
		fc, err := b.deps.Factors.Factors(ctx, m.ID)
		if err != nil {
			return run, fmt.Errorf("bot: campaign %s: factors of %s: %w", c.Name, m.ID, err)
		}
		if fc.Passkeys > 0 {
			run.Enrolled++
			if err := b.campaignEnrolled(ctx, c, m.ID, now); err != nil {
				return run, err
			}
			continue
		}
		// The listing resolves no groups: read the account itself, as a
		// flow would, for the privileged and break-glass rules.
		u, err := b.deps.Directory.Find(ctx, directory.Lookup{Kind: directory.ByID, Value: m.ID})
		if errors.Is(err, directory.ErrNotFound) {
			run.Skipped++ // gone since the listing
			continue
		}
		if err != nil {
			return run, fmt.Errorf("bot: campaign %s: %w", c.Name, err)
		}
		if u.Disabled || b.deps.Engine.BreakGlass(u) || !c.IncludePrivileged && b.deps.Engine.Privileged(u) {
			run.Skipped++
			continue
		}
		run.Targeted++
		if err := countFirst(ctx, st, campaignKey(c, "targeted-count", u.ID), campaignKey(c, "targeted-total", ""), now); err != nil {
			return run, err
		}
		ids, err := b.chatIdentitiesOf(ctx, u)
		if len(ids) == 0 {
			if err != nil {
				run.Failed++
				b.deps.Log.Warn("campaign: chat identity lookup failed", "campaign", c.Name, "account", u.ID, "err", err)
			} else {
				run.NoChatIdentity++
			}
			continue
		}
		// A sliding window on the run's clock: one message per person in
		// any RemindEvery, taken atomically, so replicas never both send.
		first, err := st.Take(ctx, campaignKey(c, "sent", u.ID), c.RemindEvery, 1, now)
		if err != nil {
			return run, fmt.Errorf("bot: campaign %s: mark: %w", c.Name, err)
		}
		if !first {
			run.NotYet++
			continue
		}
		if err := b.bulk.wait(ctx, c.Pace); err != nil {
			return run, err
		}
		if err := b.deliverPrivate(ctx, ids, func(loc flows.Locale) Message { return b.msgCampaign(c, ids[0].Platform, loc) }); err != nil {
			run.Failed++
			b.deps.Log.Warn("campaign message not delivered", "campaign", c.Name, "account", u.ID, "err", err)
			continue
		}
		run.Messaged++
		if _, err := st.Take(ctx, campaignKey(c, "messaged", u.ID), campaignMemory, math.MaxInt32, now); err != nil {
			return run, fmt.Errorf("bot: campaign %s: %w", c.Name, err)
		}
		if err := countFirst(ctx, st, campaignKey(c, "messaged-count", u.ID), campaignKey(c, "messaged-total", ""), now); err != nil {
			return run, err
		}
	}
	return run, nil
}

// bulkPacer spaces the messages the bot sends in bulk (campaign runs) in
// this process, across runs and campaigns: a run that starts right after
// another must not open its first conversation at once, and two campaigns
// on one replica share the platform's app-wide allowance.
type bulkPacer struct {
	mu   sync.Mutex
	last time.Time
}

// wait blocks until pace has passed since the previous bulk message, then
// claims the slot.
func (p *bulkPacer) wait(ctx context.Context, pace time.Duration) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if wait := pace - time.Since(p.last); !p.last.IsZero() && wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	p.last = time.Now()
	return nil
}

// campaignEnrolled counts a person the campaign messaged who now has a
// passkey, once.
func (b *Bot) campaignEnrolled(ctx context.Context, c Campaign, id string, now time.Time) error {
	n, err := b.deps.Store.Used(ctx, campaignKey(c, "messaged", id), campaignMemory, now)
	if err != nil || n == 0 {
		return err
	}
	return countFirst(ctx, b.deps.Store, campaignKey(c, "enrolled-count", id), campaignKey(c, "enrolled-total", ""), now)
}

// countFirst adds one to total the first time it is called for mark, in
// campaignMemory: Take with a budget of one is the "first time" test, and
// every replica shares it.
func countFirst(ctx context.Context, st flows.Store, mark, total string, now time.Time) error {
	first, err := st.Take(ctx, mark, campaignMemory, 1, now)
	if err != nil || !first {
		return err
	}
	_, err = st.Take(ctx, total, campaignMemory, math.MaxInt32, now)
	return err
}

// CampaignProgress reads a campaign's progress: the same counters every
// replica's runs keep.
func (b *Bot) CampaignProgress(ctx context.Context, c Campaign) (CampaignProgress, error) {
	p := CampaignProgress{Name: c.Name}
	now := b.now()
	for _, f := range []struct {
		key string
		n   *int64
	}{{"targeted-total", &p.Targeted}, {"messaged-total", &p.Messaged}, {"enrolled-total", &p.EnrolledSince}} {
		n, err := b.deps.Store.Used(ctx, campaignKey(c, f.key, ""), campaignMemory, now)
		if err != nil {
			return p, fmt.Errorf("bot: campaign %s progress: %w", c.Name, err)
		}
		*f.n = n
	}
	return p, nil
}

// msgCampaign is the campaign message in the person's language (else the
// configured one): the configured catalogue message, or the configured
// text as it is, then how to add a passkey with the platform's command.
func (b *Bot) msgCampaign(c Campaign, platform string, loc flows.Locale) Message {
	l := b.langOfLocale(loc)
	body := c.Message
	if t := l.T(c.Message); t != c.Message {
		body = t
	}
	how := l.T("chat.campaign.how", "Command", b.syntaxFor(platform)("enroll"))
	return Message{Summary: l.T("chat.campaign.title"), Title: l.T("chat.campaign.title"), Body: []string{body, how}}
}

// langOfLocale is the catalogue language for a platform locale: "de-DE"
// counts when the catalogue has its language; otherwise ("ja-JP") the
// configured language, not English.
func (b *Bot) langOfLocale(loc flows.Locale) i18n.Lang {
	lang := b.cfg.Language
	if m := i18n.Match(loc.Lang).String(); loc.Lang != "" && strings.HasPrefix(strings.ToLower(loc.Lang), m) {
		lang = m
	}
	return i18n.For(lang)
}
