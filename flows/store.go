package flows

import (
	"context"
	"time"
)

// Store keeps flows, their live-flow index, rate counters and the audit
// stream. Every method that changes a flow is one atomic step that also
// appends the given audit events, so an event exists if and only if its
// transition happened. Implementations: flows/redisstore (go-redis
// UniversalClient: single, Sentinel, Cluster; miniredis for the demo).
// flows/storetest is the conformance suite every implementation passes.
type Store interface {
	// Create stores a new flow (Version must be 0; it becomes 1) and makes
	// it the live flow of its account and kind, provided the live index
	// currently names prevLive ("" for none). Otherwise ErrConflict, and
	// nothing changes.
	Create(ctx context.Context, f *Flow, prevLive string, events []Event) error
	// Get reads a flow. ErrNotFound when it does not exist.
	Get(ctx context.Context, id string) (*Flow, error)
	// Update stores f if the stored version still equals f.Version, then
	// increments f.Version. A terminal state also clears the live index
	// and the expiry schedule. ErrConflict when the version moved on,
	// ErrNotFound when the flow is gone.
	Update(ctx context.Context, f *Flow, events []Event) error
	// UpdateSpending is Update, and in the same round trip spends budgets
	// as TakeAll does at now, whatever Update answers: the budgets' keys live
	// apart from the flow's, so they are not part of its atomic step. A
	// completion remembers its browser and country so, with the record of
	// its outcome. spendErr is the budgets' failure, err Update's.
	UpdateSpending(ctx context.Context, f *Flow, events []Event, budgets []Budget, now time.Time) (spendErr, err error)
	// LiveID returns the id in the live index of an account and kind, or ""
	// when there is none. The flow it names may have ended since.
	LiveID(ctx context.Context, accountID string, kind Kind) (string, error)
	// LiveIDs is LiveID for several kinds of one account in one round
	// trip, the ids in the order of kinds: a start reads the live flow of
	// its kind and of the kind it also replaces together.
	LiveIDs(ctx context.Context, accountID string, kinds ...Kind) ([]string, error)
	// Admit spends an account's request budget, reads the risk signals'
	// window counts and reads the account's live flows in one round trip,
	// which a start needs together once the account is known. Each part
	// means what Take, Used and LiveIDs mean; the counts and live ids are
	// read whether or not the budget admits.
	Admit(ctx context.Context, a Admission, now time.Time) (Admitted, error)
	// Due returns up to limit ids of non-terminal flows whose DueAt (the
	// expiry, or the reconcile time of a flow in StateApplying) is at or
	// before now.
	Due(ctx context.Context, now time.Time, limit int) ([]string, error)
	// Append adds events that change no state (a refused request, a link
	// opened) to the audit stream of the shard of key.
	Append(ctx context.Context, key string, events []Event) error
	// Hit counts one occurrence of key in the fixed window of the given
	// length that contains now, and returns the count including this one.
	// Fixed windows suit statistics and markers (a day's counts, "already
	// posted"); budgets use Take, whose window slides.
	Hit(ctx context.Context, key string, window time.Duration, now time.Time) (int64, error)
	// Count returns the count of key in the window containing now.
	Count(ctx context.Context, key string, window time.Duration, now time.Time) (int64, error)
	// Take spends one use of key's budget of max uses in any window of the
	// given length: it records the use at now and reports true, unless max
	// uses already lie in the window ending at now, in which case it
	// records nothing and reports false. The window slides, so no burst
	// straddling a boundary gets twice the budget, and a refused attempt
	// does not extend the wait. The check and the record are one atomic
	// step, so concurrent callers never overspend.
	Take(ctx context.Context, key string, window time.Duration, max int, now time.Time) (bool, error)
	// Claim marks key as seen for ttl and reports whether this caller was
	// the first: one round trip (SET NX), shared by every replica, with no
	// window edge a redelivery could slip through. Chat deliveries use it
	// to recognise a retry.
	Claim(ctx context.Context, key string, ttl time.Duration) (bool, error)
	// Lease takes key for owner for ttl, or renews it when owner already
	// holds it, and reports whether owner holds it now: one atomic step,
	// so of any number of replicas exactly one holds a lease at a time,
	// and another takes it over once the holder stops renewing (it died).
	// A sink whose order matters across replicas feeds through one.
	Lease(ctx context.Context, key, owner string, ttl time.Duration) (bool, error)
	// Used returns how many uses Take recorded for key in the window of
	// the given length ending at now.
	Used(ctx context.Context, key string, window time.Duration, now time.Time) (int64, error)
	// TakeAll is Take for several budgets in one round trip, the answers
	// in their order: each budget is spent or refused on its own, as by
	// Take.
	TakeAll(ctx context.Context, budgets []Budget, now time.Time) ([]bool, error)
	// UsedAll is Used for several windows in one round trip, the counts
	// in their order.
	UsedAll(ctx context.Context, windows []Window, now time.Time) ([]int64, error)
	// ReadEvents returns up to max audit events for the consumer group,
	// first those delivered to this consumer but never acknowledged (after
	// a crash), then new ones. Event.ID is set. It does not block. When
	// part of the store fails (one shard of a cluster), the events of the
	// rest are returned together with the error.
	ReadEvents(ctx context.Context, group, consumer string, max int) ([]Event, error)
	// ClaimEvents takes over up to max events that other consumers of the
	// group have held unacknowledged for at least minIdle (a replica that
	// died) and returns them, now pending on consumer. minIdle <= 0 claims
	// nothing; under a millisecond claims at once.
	ClaimEvents(ctx context.Context, group, consumer string, minIdle time.Duration, max int) ([]Event, error)
	// AckEvents acknowledges events by Event.ID once a sink has them.
	AckEvents(ctx context.Context, group string, ids ...string) error
	// Mark records value for one event and consumer group, for a sink's
	// own idempotency ("posted", "counted: 20"). The mark lives exactly as
	// long as the event can still be delivered: it goes when the stream
	// entry is trimmed, never at a window boundary.
	Mark(ctx context.Context, group, eventID, value string) error
	// Marked returns the value recorded by Mark, and whether there is one.
	Marked(ctx context.Context, group, eventID string) (value string, ok bool, err error)
}

// EventWaiter is an optional Store capability: block until the group has
// new audit events for the consumer (arrived) or block passes, so an idle
// Reader waits on the store instead of polling it. Events it takes in are
// left pending for the consumer, for the next ReadEvents to return. A
// store that cannot wait here says errors.ErrUnsupported.
type EventWaiter interface {
	WaitEvents(ctx context.Context, group, consumer string, max int, block time.Duration) (arrived bool, err error)
}
