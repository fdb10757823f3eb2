package auditlog

import (
	"context"
	"errors"
	"time"
)

// Chain is what makes the logs of several replicas one chain: a lease that
// lets one replica write at a time (another takes over when it dies) and
// the chain head that every writer continues from. The Redis
// implementation is RedisChain.
type Chain interface {
	// Acquire takes or renews the writer lease for owner. When held, it
	// returns the lease's end and the shared head (zero before the first
	// record).
	Acquire(ctx context.Context, owner string) (held bool, until time.Time, head Head, err error)
	// Commit moves the head from prev to next if owner still holds the
	// lease and the head is still prev; otherwise ErrLeaseLost.
	Commit(ctx context.Context, owner string, prev, next Head) error
	// Written and MarkWritten are the per-event idempotency marks.
	Written(ctx context.Context, eventID string) (bool, error)
	MarkWritten(ctx context.Context, eventID string) error
}

// Head is the chain's last record: its seq and hash, and the event it
// holds.
type Head struct {
	Seq   uint64
	Hash  string
	Event string
}

// ErrLeaseLost means another replica writes the chain now.
var ErrLeaseLost = errors.New("auditlog: writer lease lost")

// errNotWriter is returned by Deliver while another replica holds the
// lease; the reader retries later.
var errNotWriter = errors.New("auditlog: another replica writes the audit log")
