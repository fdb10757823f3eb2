package flows

import (
	"context"
	"time"
)

// StreamMaintainer is an optional Store capability: keeping the audit
// streams bounded without losing anything a sink still needs, and saying
// how far behind each sink is. The background loop of the service runs it
// periodically.
type StreamMaintainer interface {
	// MaintainStreams trims entries that every consumer group has
	// acknowledged and that are older than the store's retention or beyond
	// its length cap, removes consumers idle for u.DeadAfter with nothing
	// pending, and reports the streams' size and each group's backlog.
	MaintainStreams(ctx context.Context, u StreamUpkeep) (StreamStats, error)
}

// StreamUpkeep parameterises one MaintainStreams pass.
type StreamUpkeep struct {
	// Now is the clock: entries older than Now minus the retention may go.
	Now time.Time
	// DeadAfter removes consumers that have been idle this long and hold
	// no pending entries (their entries were claimed by the living).
	// Zero keeps every consumer.
	DeadAfter time.Duration
}

// StreamStats is what one MaintainStreams pass saw.
type StreamStats struct {
	// Entries is the number of audit entries left, over all shards.
	Entries int64
	// Backlog is, per consumer group, the entries not yet acknowledged
	// (pending plus not yet delivered).
	Backlog map[string]int64
	// Lag is, per consumer group, how long its oldest unacknowledged entry
	// has waited (Now minus the entry's time, the largest over the shards;
	// zero when it has none). A backlog of three events forty minutes old
	// is a stuck sink; three hundred a second old is a burst.
	Lag map[string]time.Duration
	// Trimmed is how many entries this pass removed.
	Trimmed int64
	// RemovedConsumers is how many dead consumers this pass removed.
	RemovedConsumers int
	// OverMaxLen is set when the streams hold more than the configured
	// maximum because some group has not acknowledged the older entries:
	// the operator must look at that group's sink before memory runs out.
	OverMaxLen bool
}
