package bot

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/resetbot/resetbot/flows"
)

// Statistics for the report are daily counters in the flow store, kept by
// their own sink of the audit stream as events pass: no second database, and every replica
// sees the same numbers.

const day = 24 * time.Hour

// durationBuckets are the upper bounds (seconds) of the time-to-complete
// histogram; the median is read off it.
var durationBuckets = []int{15, 30, 45, 60, 90, 120, 180, 300, 600, 1800, 3600}

func bucketOf(d time.Duration) int {
	s := int(math.Ceil(d.Seconds()))
	for _, b := range durationBuckets {
		if s <= b {
			return b
		}
	}
	return durationBuckets[len(durationBuckets)-1] * 2
}

// outcomeOf names the terminal outcome an event records, if any.
func outcomeOf(t flows.EventType) string {
	switch t {
	case flows.EventCompleted:
		return "completed"
	case flows.EventExpired:
		return "expired"
	case flows.EventDenied:
		return "denied"
	case flows.EventFailed, flows.EventRecoveredFailed:
		return "failed"
	case flows.EventCancelled:
		return "cancelled"
	case flows.EventSuperseded:
		return "superseded"
	}
	return ""
}

// statsSink keeps the report's daily counters from the audit stream.
type statsSink struct{ b *Bot }

// Name implements flows.Sink.
func (statsSink) Name() string { return "stats" }

// Deliver implements flows.Sink: each event is counted once.
func (s statsSink) Deliver(ctx context.Context, ev flows.Event) error {
	if ev.FlowID == "" {
		return nil
	}
	b := s.b
	return b.once(ctx, s.Name(), ev, func() error {
		f, err := b.deps.Engine.Get(ctx, ev.FlowID)
		if errors.Is(err, flows.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return b.count(ctx, f, ev)
	})
}

// count updates the daily counters for one event.
func (b *Bot) count(ctx context.Context, f *flows.Flow, ev flows.Event) error {
	var keys []string
	switch ev.Type {
	case flows.EventRequested:
		keys = append(keys, "stats:requested:"+string(f.Kind))
	case flows.EventVerified:
		keys = append(keys, "stats:method:"+ev.Method)
	case flows.EventEnrolled:
		keys = append(keys, "stats:enrolled:"+ev.Method)
	}
	if o := outcomeOf(ev.Type); o != "" {
		keys = append(keys, "stats:outcome:"+string(f.Kind)+":"+o)
	}
	if ev.Type == flows.EventCompleted && f.Kind != flows.KindEnroll {
		keys = append(keys, fmt.Sprintf("stats:duration:%d", bucketOf(ev.Time.Sub(f.IssuedAt))))
	}
	if changedInTime(f, ev) {
		keys = append(keys, statChangedBeforeExpiry)
	}
	for _, k := range keys {
		if err := b.hit(ctx, k, ev.Time); err != nil {
			return err
		}
	}
	return nil
}

// statsRetention is how long a counted event stays in the figures, the
// longest period a report can cover.
const statsRetention = 366 * day

// hit counts one event of key at t. Each event is kept with its time for
// statsRetention (Take's sliding window, with no budget to speak of), so a
// report over any number of days up to that counts exactly the events in
// it. (Fixed-window counters last only their window: a daily one is gone
// the next day, and a 7-day report would show today's events alone.)
func (b *Bot) hit(ctx context.Context, key string, t time.Time) error {
	_, err := b.deps.Store.Take(ctx, key, statsRetention, math.MaxInt32, t)
	return err
}

// sum counts key's events in the last days days, up to now: Used counts
// everything after the period's start, so the events dated after now (a
// job run with a later clock) are taken off again.
func (b *Bot) sum(ctx context.Context, key string, days int) (int64, error) {
	now := b.now()
	n, err := b.deps.Store.Used(ctx, key, time.Duration(days)*day, now)
	if err != nil {
		return 0, err
	}
	later, err := b.deps.Store.Used(ctx, key, time.Millisecond, now.Add(time.Millisecond))
	return n - later, err
}

// Stats is a report's figures over a period.
type Stats struct {
	Days      int
	Requested map[flows.Kind]int64
	Outcomes  map[flows.Kind]map[string]int64
	Methods   map[string]int64
	Enrolled  map[string]int64
	// MedianToComplete is read off the histogram: the upper bound of the
	// bucket holding the median completed reset or unlock.
	MedianToComplete time.Duration
	// TicketsAvoided counts completed resets and unlocks: each would
	// otherwise have been a helpdesk call.
	TicketsAvoided int64
	// RemindersSent counts expiry reminders delivered; ChangedBeforeExpiry
	// the password changes (flows.KindChange, from a reminder's button)
	// whose completion event came before the expiry the reminder named.
	RemindersSent       int64
	ChangedBeforeExpiry int64
}

// counter sums counters over the period, keeping the first error so the
// report code reads as a list of figures.
type counter struct {
	b    *Bot
	ctx  context.Context
	days int
	err  error
}

func (c *counter) get(key string) int64 {
	if c.err != nil {
		return 0
	}
	n, err := c.b.sum(c.ctx, key, c.days)
	c.err = err
	return n
}

// reportKinds are the flow kinds the report counts, and outcomeNames the
// terminal outcomes (outcomeOf's names), in the order exports list them.
var (
	reportKinds  = []flows.Kind{flows.KindReset, flows.KindChange, flows.KindUnlock, flows.KindEnroll}
	outcomeNames = []string{"completed", "expired", "denied", "failed", "cancelled", "superseded"}
)

// Collect reads the figures of the last days days.
func (b *Bot) Collect(ctx context.Context, days int) (Stats, error) {
	st := Stats{Days: days, Requested: map[flows.Kind]int64{}, Outcomes: map[flows.Kind]map[string]int64{}, Methods: map[string]int64{}, Enrolled: map[string]int64{}}
	c := &counter{b: b, ctx: ctx, days: days}
	for _, k := range reportKinds {
		st.Requested[k] = c.get("stats:requested:" + string(k))
		st.Outcomes[k] = map[string]int64{}
		for _, o := range outcomeNames {
			if n := c.get("stats:outcome:" + string(k) + ":" + o); n > 0 {
				st.Outcomes[k][o] = n
			}
		}
	}
	for _, m := range []string{flows.MethodPasskey, flows.MethodTOTP} {
		st.Methods[m] = c.get("stats:method:" + m)
		st.Enrolled[m] = c.get("stats:enrolled:" + m)
	}
	st.RemindersSent = c.get(statRemindersSent)
	st.ChangedBeforeExpiry = c.get(statChangedBeforeExpiry)
	bounds := append(append([]int{}, durationBuckets...), durationBuckets[len(durationBuckets)-1]*2)
	hist := make([]int64, len(bounds))
	var total int64
	for i, bk := range bounds {
		hist[i] = c.get(fmt.Sprintf("stats:duration:%d", bk))
		total += hist[i]
	}
	if c.err != nil {
		return Stats{}, c.err
	}
	var seen int64
	for i, n := range hist {
		seen += n
		if total > 0 && seen*2 >= total {
			st.MedianToComplete = time.Duration(bounds[i]) * time.Second
			break
		}
	}
	st.TicketsAvoided = st.Outcomes[flows.KindReset]["completed"] + st.Outcomes[flows.KindUnlock]["completed"]
	return st, nil
}
