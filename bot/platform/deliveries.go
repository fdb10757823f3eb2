package platform

import (
	"context"
	"errors"
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
	once     bot.Once
	ttl      time.Duration
	acks     *AckCache // nil: the platform replays no answers
	deadline time.Duration
}

// AckDeadline bounds the one Redis round trip on the acknowledgement path.
// Slack's deadline for an acknowledgement is 3 s, and go-redis's own
// defaults (retries, a 5 s read timeout) would let a Redis that refuses
// connections or hangs take longer than that; well under it, the user gets
// "try again in a moment" instead of a platform error or nothing.
const AckDeadline = time.Second

// errDedupUnavailable marks First's error: the shared memory of deliveries
// could not be reached in time, so nobody knows whether this delivery is
// the first, and the core must not run.
var errDedupUnavailable = errors.New("delivery memory unavailable")

// NewDeliveries remembers delivery ids for ttl, which must cover the
// platform's whole retry window (its signature or token lifetime), and the
// answers of up to acks first deliveries (0: none are replayed). now is
// the clock of the answers' ttl; nil means time.Now.
func NewDeliveries(once bot.Once, ttl time.Duration, acks int, now func() time.Time) *Deliveries {
	d := &Deliveries{once: once, ttl: ttl, deadline: AckDeadline}
	if acks > 0 {
		d.acks = NewAckCache(acks, ttl, now)
	}
	return d
}

// First reports whether key (a platform delivery id, prefixed with the
// platform's name) is delivered for the first time. For a redelivery it
// also returns the answer remembered for the first delivery, or nil. It
// waits at most AckDeadline for the shared memory; when that cannot be
// reached, the error wraps ErrUnavailable and UnavailableReply gives the
// answer for the user, and the core does not run (it might run twice).
func (d *Deliveries) First(ctx context.Context, key string) (first bool, replay []byte, err error) {
	first, err = d.firstWithin(ctx, key)
	if err != nil {
		return false, nil, fmt.Errorf("%w: %w: %w", ErrUnavailable, errDedupUnavailable, err)
	}
	if first || d.acks == nil {
		return first, nil, nil
	}
	return false, d.acks.Get(key), nil
}

// firstWithin asks the shared memory under the deadline. The call runs in
// its own goroutine so that the deadline holds even when the client does
// not watch its context during a blocked read (go-redis by default
// does not); an abandoned call ends with the client's own timeouts.
func (d *Deliveries) firstWithin(ctx context.Context, key string) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, d.deadline)
	defer cancel()
	type result struct {
		first bool
		err   error
	}
	done := make(chan result, 1)
	go func() {
		first, err := d.once.First(ctx, key, d.ttl)
		done <- result{first, err}
	}()
	select {
	case r := <-done:
		return r.first, r.err
	case <-ctx.Done():
		return false, fmt.Errorf("no answer within %s: %w", d.deadline, ctx.Err())
	}
}

// UnavailableReply is the answer for a user whose request First could not
// check: the core's "temporarily unavailable, try again in a moment", so
// the platform answers at once (a 200 with words) instead of a 503 after
// the platform's own deadline. ok is false for any other error.
func UnavailableReply(err error) (msg bot.Message, ok bool) {
	if !errors.Is(err, errDedupUnavailable) {
		return bot.Message{}, false
	}
	return bot.MsgTemporarilyUnavailable(), true
}

// Answered remembers the answer given to the first delivery of key, for
// its redeliveries.
func (d *Deliveries) Answered(key string, body []byte) {
	if d.acks != nil {
		d.acks.Put(key, body)
	}
}
