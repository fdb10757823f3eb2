package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
)

// ActionChangePassword is the button of an expiry reminder: it starts the
// clicker's own password change (flows.KindChange: the same verified path
// as "/reset", passkey, then the new password). The button carries no
// account, only the expiry the reminder named (reminderValue): whoever
// clicks gets a link for their own account only.
const ActionChangePassword = "resetbot.change_password"

// ReminderConfig turns on password-expiry reminders by chat.
type ReminderConfig struct {
	// Days are the thresholds: a reminder goes out when the password
	// expires within that many days, at most once per threshold for one
	// password (14, 7, 3, 1).
	Days []int
	// Lease is how long the replica that won a day's run holds it before
	// another may run the day again (default 1h). A replica that died
	// mid-run is thus replaced within the lease; a second run is harmless,
	// as every reminder is marked before it is sent.
	Lease time.Duration
}

// ReminderRun is what one run did, for logs and metrics.
type ReminderRun struct {
	// Expiring counts the accounts whose password expires within the
	// largest threshold (not yet expired).
	Expiring int
	// Sent counts reminders delivered.
	Sent int
	// AlreadySent counts reminders skipped because this threshold was
	// already sent for this password (by this or another replica).
	AlreadySent int
	// NoChatIdentity counts accounts no platform can name: not guessed,
	// not messaged.
	NoChatIdentity int
	// Failed counts reminders that could not be delivered (the platform
	// refused or was down) or accounts whose identity lookup failed.
	Failed int
}

// Reminders sends password-expiry reminders. Create it with
// (*Bot).Reminders; serve calls Tick every minute on every replica, and
// the lease makes one of them run each day.
type Reminders struct {
	b      *Bot
	lister directory.ExpiryLister
	days   []int // ascending
	lease  time.Duration
	// ran is the last day slot this replica ran, so it runs a day once.
	ran string
}

// errNoExpiryLister: the directory cannot list expiring passwords.
var errNoExpiryLister = errors.New("bot: the directory cannot list expiring passwords")

// Reminders returns the reminder job for cfg, or an error when the
// directory cannot list expiring passwords or a threshold is not positive.
func (b *Bot) Reminders(cfg ReminderConfig) (*Reminders, error) {
	lister, ok := b.deps.Directory.(directory.ExpiryLister)
	if !ok {
		return nil, errNoExpiryLister
	}
	if len(cfg.Days) == 0 {
		return nil, errors.New("bot: reminders need at least one threshold in days")
	}
	days := slices.Clone(cfg.Days)
	slices.Sort(days)
	days = slices.Compact(days)
	if days[0] <= 0 {
		return nil, fmt.Errorf("bot: reminder threshold %d is not a positive number of days", days[0])
	}
	if cfg.Lease <= 0 {
		cfg.Lease = time.Hour
	}
	return &Reminders{b: b, lister: lister, days: days, lease: cfg.Lease}, nil
}

// Tick runs the day's reminders when the day's time (at, since midnight
// in the configured time zone) has come, this replica has not run them
// yet and it wins the day's lease. ran reports whether it ran.
func (r *Reminders) Tick(ctx context.Context, at time.Duration) (run ReminderRun, ran bool, err error) {
	now := r.b.now()
	local := now.In(r.b.cfg.Location)
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, r.b.cfg.Location)
	slot := midnight.Format(time.DateOnly)
	if now.Before(midnight.Add(at)) || r.ran == slot {
		return ReminderRun{}, false, nil
	}
	won, err := r.b.deps.Store.Claim(ctx, "reminders:lease:"+slot, r.lease)
	if err != nil || !won {
		return ReminderRun{}, false, err
	}
	r.ran = slot
	run, err = r.Run(ctx, now)
	return run, true, err
}

// Run sends the reminders due at now, once per threshold per password:
// the mark (Redis, shared by every replica) is keyed by the account's
// immutable id, the threshold and the password's change time, so a new
// password starts over. The mark is taken before the message is sent,
// so a reminder is never sent twice, at the cost of one lost if the
// platform fails at that moment. Messages go out one by one through each
// platform's paced Messenger, waiting out its rate limits.
func (r *Reminders) Run(ctx context.Context, now time.Time) (ReminderRun, error) {
	var run ReminderRun
	horizon := now.Add(time.Duration(r.days[len(r.days)-1]) * day)
	list, err := r.lister.PasswordsExpiringBefore(ctx, horizon)
	if err != nil {
		return run, fmt.Errorf("bot: reminders: %w", err)
	}
	for _, e := range list {
		if err := ctx.Err(); err != nil {
			return run, err
		}
		left := e.ExpiresAt.Sub(now)
		if left <= 0 {
			continue // expired: a reminder is too late
		}
		run.Expiring++
		threshold := r.thresholdFor(left)
		ids, err := r.b.chatIdentitiesOf(ctx, e.User)
		if len(ids) == 0 {
			if err != nil {
				run.Failed++
				r.b.deps.Log.Warn("reminder: chat identity lookup failed", "account", e.User.ID, "err", err)
			} else {
				run.NoChatIdentity++
			}
			continue
		}
		key := fmt.Sprintf("reminder:%s:%d:%d", e.User.ID, threshold, passwordEpoch(e).Unix())
		first, err := r.b.deps.Store.Claim(ctx, key, left+2*day)
		if err != nil {
			return run, fmt.Errorf("bot: reminders: mark: %w", err)
		}
		if !first {
			run.AlreadySent++
			continue
		}
		if err := r.b.deliverPrivate(ctx, ids, func(loc flows.Locale) Message { return r.b.msgExpiryReminder(e.ExpiresAt, left, loc) }); err != nil {
			run.Failed++
			r.b.deps.Log.Warn("reminder not delivered", "account", e.User.ID, "threshold_days", threshold, "err", err)
			continue
		}
		run.Sent++
		r.b.countReminder(ctx, now)
	}
	return run, nil
}

// passwordEpoch names the password a reminder is about, so a new password
// is reminded afresh: its change time, or where the directory keeps none
// (389-ds without passwordTrackUpdateTime) its expiry, which a new
// password moves.
func passwordEpoch(e directory.PasswordExpiry) time.Time {
	if e.ChangedAt.IsZero() {
		return e.ExpiresAt
	}
	return e.ChangedAt
}

// thresholdFor is the smallest threshold the time left falls within: a
// run that was missed (a day without a leader) sends the threshold that
// applies now, not the one that was missed.
func (r *Reminders) thresholdFor(left time.Duration) int {
	for _, d := range r.days {
		if left <= time.Duration(d)*day {
			return d
		}
	}
	return r.days[len(r.days)-1]
}

// reminderRetries bounds how often one private message (a reminder, a
// campaign's) waits out a rate limit.
const reminderRetries = 3

// deliverPrivate sends the message, in the recipient's language and time
// zone when their platform tells them, to the first identity that takes
// it, waiting out rate limits the platform reports (its pacer already
// spaces posts per channel). Expiry reminders and enrollment campaigns
// use it.
func (b *Bot) deliverPrivate(ctx context.Context, ids []flows.ChatIdentity, msg func(flows.Locale) Message) error {
	var errs []error
	for _, id := range ids {
		m := msg(b.localeOf(ctx, id))
		for attempt := 0; ; attempt++ {
			err := b.sendPrivate(ctx, id, m)
			if err == nil {
				return nil
			}
			var ra *RetryAfterError
			if !errors.As(err, &ra) || attempt == reminderRetries {
				errs = append(errs, err)
				break
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(ra.After):
			}
		}
	}
	return errors.Join(errs...)
}

// localeOf asks the identity's platform for the user's language and time
// zone, unless an answer of the last half hour is remembered (every answer
// is, and so is a refusal no retry fixes: no such member, no scope to
// ask); not knowing them is no failure, the configured ones apply.
func (b *Bot) localeOf(ctx context.Context, id flows.ChatIdentity) flows.Locale {
	lr, ok := b.platforms[id.Platform].(LocaleResolver)
	if !ok {
		return flows.Locale{}
	}
	if loc, ok := b.locales.get(id, b.deps.Now()); ok {
		return loc
	}
	loc, err := lr.UserLocale(ctx, id.UserID)
	if err != nil {
		b.deps.Log.Debug("user locale unknown", "user", id.String(), "err", err)
		if _, permanent := errors.AsType[*PermanentError](err); permanent {
			b.locales.put(id, flows.Locale{}, b.deps.Now())
		}
		return flows.Locale{}
	}
	b.locales.put(id, loc, b.deps.Now())
	return loc
}

// countReminder records a sent reminder for the report; a failure only
// costs a figure.
func (b *Bot) countReminder(ctx context.Context, now time.Time) {
	if err := b.hit(ctx, statRemindersSent, now); err != nil {
		b.deps.Log.Warn("reminder statistics not recorded", "err", err)
	}
}

// msgExpiryReminder is the reminder DM, from the catalogue in the
// person's language (else the configured one): when the password expires,
// in whole days rounded up as people count to a deadline, and the date in
// the person's time zone (else the configured one), with the change button.
func (b *Bot) msgExpiryReminder(expires time.Time, left time.Duration, loc flows.Locale) Message {
	l := b.langOfLocale(loc)
	zone := b.cfg.Location
	if z, err := time.LoadLocation(loc.TimeZone); loc.TimeZone != "" && err == nil {
		zone = z
	}
	when := expires.In(zone).Format("2006-01-02 15:04 MST") // numeric: no month names to translate
	days := int((left + day - 1) / day)
	summary, body := l.N("chat.reminder.summary", days), l.N("chat.reminder.body", days, "When", when)
	if left <= day {
		summary, body = l.T("chat.reminder.summary_today"), l.T("chat.reminder.body_today", "When", when)
	}
	return Message{
		Summary: summary,
		Title:   l.T("chat.reminder.title"),
		Body:    []string{body, l.T("chat.reminder.how")},
		Buttons: []Button{{ActionID: ActionChangePassword, Value: reminderValue(expires), Label: l.T("chat.reminder.button"), Style: StylePrimary}},
	}
}
