package platform

import (
	"context"
	"fmt"
	"time"

	"github.com/resetbot/resetbot/bot"
)

// Deliveries tells a platform's first delivery of a request from its
// redeliveries, and gives a redelivery the answer the first one got.
// Slack, Teams and Discord all retry a request they think was not
// answered (a slow ack, a lost response), with the same delivery id; a
// retry must not start a second flow, and should show the user what the
// first delivery showed.
//
// Which delivery is first is decided by bot.Once, shared by all replicas,
// so a retry that lands on another replica is still recognised. The
// answers are kept in an AckCache on this replica only: a redelivery that
// finds none gets the platform's neutral acknowledgement, and the core
// still ran once.
type Deliveries struct {
	once bot.Once
	ttl  time.Duration
	acks *AckCache // nil: the platform replays no answers
}

// NewDeliveries remembers delivery ids for ttl, which must cover the
// platform's whole retry window (its signature or token lifetime), and the
// answers of up to acks first deliveries (0: none are replayed). now is
// the clock of the answers' ttl; nil means time.Now.
func NewDeliveries(once bot.Once, ttl time.Duration, acks int, now func() time.Time) *Deliveries {
	d := &Deliveries{once: once, ttl: ttl}
	if acks > 0 {
		d.acks = NewAckCache(acks, ttl, now)
	}
	return d
}

// First reports whether key (a platform delivery id, prefixed with the
// platform's name) is delivered for the first time. For a redelivery it
// also returns the answer remembered for the first delivery, or nil. When
// the shared memory cannot be reached, the error wraps ErrUnavailable so
// the platform retries later instead of the core running twice.
func (d *Deliveries) First(ctx context.Context, key string) (first bool, replay []byte, err error) {
	first, err = d.once.First(ctx, key, d.ttl)
	if err != nil {
		return false, nil, fmt.Errorf("%w: dedup: %w", ErrUnavailable, err)
	}
	if first || d.acks == nil {
		return first, nil, nil
	}
	return false, d.acks.Get(key), nil
}

// Answered remembers the answer given to the first delivery of key, for
// its redeliveries.
func (d *Deliveries) Answered(key string, body []byte) {
	if d.acks != nil {
		d.acks.Put(key, body)
	}
}
