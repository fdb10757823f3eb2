// Package redisstore is the Redis implementation of flows.Store, on a go-redis
// UniversalClient so one code path serves a single server, Sentinel and
// Cluster. Every flow change is one Lua script over keys that share a hash
// tag (the account's shard), so the compare-and-swap, the live-flow index,
// the expiry schedule and the audit-stream append happen atomically, also on
// Redis Cluster.
package redisstore

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/flows"
)

// Options tune the store. The zero value is usable.
type Options struct {
	// Prefix starts every key, so several deployments can share a Redis.
	// Default "rb".
	Prefix string
	// Retention is how long a flow stays readable after it expires, so a
	// late click gets "this link expired" rather than "unknown link", and
	// the expiry sweeper can record the expiry. Audit entries older than
	// this (and acknowledged by every group) are trimmed. Default 24h.
	Retention time.Duration
	// StreamMaxLen is the number of audit entries, over all shards
	// together, that MaintainStreams trims the streams down to once every
	// consumer group has acknowledged the older ones. It is never enforced
	// against a lagging group: the streams then grow past it, and
	// StreamStats.OverMaxLen says so (warn, and look at the group's
	// backlog). Default 1,000,000.
	StreamMaxLen int64
}

// Store implements flows.Store on Redis.
type Store struct {
	rdb    redis.UniversalClient
	opt    Options
	groups sync.Map // "stream\x00group" -> struct{}: consumer groups known to exist
}

var _ flows.Store = (*Store)(nil)

// New wraps a go-redis client. The caller owns the client and closes it.
func New(rdb redis.UniversalClient, opt Options) *Store {
	if opt.Prefix == "" {
		opt.Prefix = "rb"
	}
	if opt.Retention <= 0 {
		opt.Retention = 24 * time.Hour
	}
	if opt.StreamMaxLen <= 0 {
		opt.StreamMaxLen = 1_000_000
	}
	return &Store{rdb: rdb, opt: opt}
}

// Create implements flows.Store.
func (s *Store) Create(ctx context.Context, f *flows.Flow, prevLive string, events []flows.Event) error {
	if f.Version != 0 {
		return fmt.Errorf("redisstore: create with version %d", f.Version)
	}
	k, err := s.keysFor(f)
	if err != nil {
		return err
	}
	f.Version = 1
	args := []any{flowValue(f), f.ID, prevLive, s.keepUntil(f), k.liveField, liveValue(f.ID), liveValue(prevLive), f.ExpiresAt.UnixMilli()}
	args = appendEvents(args, events, f)
	res, err := createScript.Run(ctx, s.rdb, []string{k.flow, k.live, k.due, k.stream, k.oldLive}, args...).Text()
	if err != nil {
		f.Version = 0
		return unavailable("create", err)
	}
	switch res {
	case "ok":
		return nil
	case "conflict":
		f.Version = 0
		return fmt.Errorf("%w: live flow changed", flows.ErrConflict)
	case "exists":
		f.Version = 0
		return fmt.Errorf("%w: flow id exists", flows.ErrConflict)
	}
	f.Version = 0
	return fmt.Errorf("redisstore: create: unexpected reply %q", res)
}

// Get implements flows.Store.
func (s *Store) Get(ctx context.Context, id string) (*flows.Flow, error) {
	shard, err := flows.ShardOfFlow(id)
	if err != nil {
		return nil, err
	}
	key := s.flowKey(shard, id)
	data, err := s.rdb.Get(ctx, key).Bytes()
	if isWrongType(err) {
		return s.getLegacy(ctx, key, id)
	}
	if errors.Is(err, redis.Nil) {
		return nil, flows.ErrNotFound
	}
	if err != nil {
		return nil, unavailable("get", err)
	}
	return parseFlowValue(id, data)
}

// getLegacy reads a flow an earlier version stored: a hash holding its
// JSON under d.
func (s *Store) getLegacy(ctx context.Context, key, id string) (*flows.Flow, error) {
	data, err := s.rdb.HGet(ctx, key, "d").Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, flows.ErrNotFound
	}
	if err != nil {
		return nil, unavailable("get", err)
	}
	var f flows.Flow
	if err := decodeFlow(data, &f); err != nil {
		return nil, fmt.Errorf("redisstore: decode flow %s: %w", id, err)
	}
	return &f, nil
}

// flowValue is what the flow key holds: the version, "|", and the compact
// record. The scripts compare the version without decoding the record.
func flowValue(f *flows.Flow) string {
	return strconv.FormatInt(f.Version, 10) + "|" + string(encodeFlow(f))
}

// parseFlowValue decodes a flow key's value made by flowValue.
func parseFlowValue(id string, data []byte) (*flows.Flow, error) {
	v, rec, ok := strings.Cut(string(data), "|")
	version, err := strconv.ParseInt(v, 10, 64)
	if !ok || err != nil {
		return nil, fmt.Errorf("redisstore: decode flow %s: %w: no version", id, errRecord)
	}
	var f flows.Flow
	if err := decodeFlow([]byte(rec), &f); err != nil {
		return nil, fmt.Errorf("redisstore: decode flow %s: %w", id, err)
	}
	f.ID, f.Version = id, version
	return &f, nil
}

// isWrongType reports Redis's answer to a string command on a hash: the
// key holds a flow an earlier version stored.
func isWrongType(err error) bool {
	return err != nil && strings.HasPrefix(err.Error(), "WRONGTYPE")
}

// Update implements flows.Store.
func (s *Store) Update(ctx context.Context, f *flows.Flow, events []flows.Event) error {
	u, err := s.update(f, events)
	if err != nil {
		return err
	}
	return u.result(updateScript.Run(ctx, s.rdb, u.keys, u.args...).Text())
}

// UpdateSpending implements flows.Store: the compare-and-swap script and
// the budgets' scripts in one pipeline.
func (s *Store) UpdateSpending(ctx context.Context, f *flows.Flow, events []flows.Event, budgets []flows.Budget, now time.Time) (spendErr, err error) {
	u, err := s.update(f, events)
	if err != nil {
		return nil, err
	}
	pipe := s.rdb.Pipeline()
	cas := updateScript.EvalSha(ctx, pipe, u.keys, u.args...)
	takes := s.queueTakes(ctx, pipe, budgets, now)
	_, _ = pipe.Exec(ctx) // each reply is looked at below
	_, spendErr = takes.results(ctx)
	res, err := cas.Text()
	if isNoScript(err) {
		// The server lost its scripts and ran nothing of this one.
		res, err = updateScript.Run(ctx, s.rdb, u.keys, u.args...).Text()
	}
	return spendErr, u.result(res, err)
}

// flowUpdate is one compare-and-swap of a flow: updateScript's keys and
// arguments, and the flow whose version it moves on.
type flowUpdate struct {
	f        *flows.Flow
	expected int64
	keys     []string
	args     []any
}

// update prepares the compare-and-swap of f with its events.
func (s *Store) update(f *flows.Flow, events []flows.Event) (flowUpdate, error) {
	k, err := s.keysFor(f)
	if err != nil {
		return flowUpdate{}, err
	}
	expected := f.Version
	next := *f
	next.Version = expected + 1
	terminal := 0
	if f.State.Terminal() {
		terminal = 1
	}
	args := []any{strconv.FormatInt(expected, 10), flowValue(&next), f.ID, terminal, s.keepUntil(f), f.DueAt().UnixMilli(), k.liveField, liveValue(f.ID)}
	args = appendEvents(args, events, f)
	return flowUpdate{f: f, expected: expected, keys: []string{k.flow, k.live, k.due, k.stream, k.oldLive}, args: args}, nil
}

// result reads updateScript's reply; "ok" moves the flow's version on.
func (u flowUpdate) result(res string, err error) error {
	if err != nil {
		return unavailable("update", err)
	}
	switch res {
	case "ok":
		u.f.Version = u.expected + 1
		return nil
	case "conflict":
		return fmt.Errorf("%w: flow %s changed", flows.ErrConflict, u.f.ID)
	case "missing":
		return flows.ErrNotFound
	}
	return fmt.Errorf("redisstore: update: unexpected reply %q", res)
}

// LiveID implements flows.Store.
func (s *Store) LiveID(ctx context.Context, accountID string, kind flows.Kind) (string, error) {
	ids, err := s.LiveIDs(ctx, accountID, kind)
	if err != nil {
		return "", err
	}
	return ids[0], nil
}

// LiveIDs implements flows.Store: one pipeline reads each kind's field of
// the shard's live hash and an earlier release's key per account and kind.
func (s *Store) LiveIDs(ctx context.Context, accountID string, kinds ...flows.Kind) ([]string, error) {
	pipe := s.rdb.Pipeline()
	live := s.queueLive(ctx, pipe, accountID, kinds)
	_, _ = pipe.Exec(ctx) // each reply is looked at below
	return live.ids()
}

// liveReads are the queued reads of an account's live flows, one pair
// (the live hash's field, an earlier release's key) per kind.
type liveReads struct{ cur, old []*redis.StringCmd }

// queueLive queues the reads of LiveIDs on pipe.
func (s *Store) queueLive(ctx context.Context, pipe redis.Pipeliner, accountID string, kinds []flows.Kind) liveReads {
	r := liveReads{cur: make([]*redis.StringCmd, len(kinds)), old: make([]*redis.StringCmd, len(kinds))}
	for i, kind := range kinds {
		r.cur[i] = pipe.HGet(ctx, s.liveHash(flows.ShardOf(accountID)), liveField(accountID, kind))
		r.old[i] = pipe.Get(ctx, s.liveKey(accountID, kind))
	}
	return r
}

// ids are the live flow ids once the pipeline ran, in the order of kinds.
func (r liveReads) ids() ([]string, error) {
	ids := make([]string, len(r.cur))
	for i := range r.cur {
		if v, err := r.cur[i].Result(); err == nil {
			ids[i] = liveID(v)
			continue
		} else if !errors.Is(err, redis.Nil) {
			return nil, unavailable("live", err)
		}
		id, err := r.old[i].Result()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			return nil, unavailable("live", err)
		}
		ids[i] = id
	}
	return ids, nil
}

// Due implements flows.Store.
func (s *Store) Due(ctx context.Context, now time.Time, limit int) ([]string, error) {
	var out []string
	for shard := 0; shard < flows.Shards && len(out) < limit; shard++ {
		// Entries older than the retention name flows whose keys are gone.
		stale := strconv.FormatInt(now.Add(-s.opt.Retention).UnixMilli(), 10)
		if err := s.rdb.ZRemRangeByScore(ctx, s.dueKey(shard), "-inf", "("+stale).Err(); err != nil {
			return out, unavailable("due", err)
		}
		ids, err := s.rdb.ZRangeArgs(ctx, redis.ZRangeArgs{
			Key: s.dueKey(shard), Start: "-inf", Stop: strconv.FormatInt(now.UnixMilli(), 10),
			ByScore: true, Count: int64(limit - len(out)),
		}).Result()
		if err != nil {
			return out, unavailable("due", err)
		}
		out = append(out, ids...)
	}
	return out, nil
}

// Append implements flows.Store. The events are written by one script
// that looks at each event's flow record: an event whose subject the
// record names exactly is stored referring to it, any other whole.
func (s *Store) Append(ctx context.Context, key string, events []flows.Event) error {
	if len(events) == 0 {
		return nil
	}
	shard := flows.ShardOf(key)
	stream := s.streamKey(shard)
	keys := []string{stream}
	args := []any{int(fDepartment)}
	for _, ev := range events {
		full := string(encodeEventRecord(ev, eventRefs{}))
		fs, err := flows.ShardOfFlow(ev.FlowID)
		if err != nil || fs != shard {
			keys = append(keys, stream)
			args = append(args, "", full, full)
			continue
		}
		keys = append(keys, s.flowKey(shard, ev.FlowID))
		args = append(args, subjectPrefix(ev), string(encodeEventRecord(ev, eventRefs{subject: true})), full)
	}
	if err := appendScript.Run(ctx, s.rdb, keys, args...).Err(); err != nil && !errors.Is(err, redis.Nil) {
		return unavailable("append", err)
	}
	return nil
}

// keepUntil is the key's absolute expiry in ms: the flow's own expiry plus
// the retention window.
func (s *Store) keepUntil(f *flows.Flow) int64 {
	return f.ExpiresAt.Add(s.opt.Retention).UnixMilli()
}

// appendEvents adds the records of events stored with flow f; those about
// f itself that name its subject as the flow does refer to its record for
// the subject's details (and, for its first event, the time and actor).
func appendEvents(args []any, events []flows.Event, f *flows.Flow) []any {
	for _, ev := range events {
		if ev.Thread == "" {
			ev.Thread = f.Thread
		}
		var refs eventRefs
		if sameSubject(ev, f) {
			refs.subject = true
			refs.issued = !f.IssuedAt.IsZero() && ev.Time.Equal(f.IssuedAt)
			refs.requester = ev.Actor != "" && ev.Actor == f.RequestedBy.String()
		}
		args = append(args, string(encodeEventRecord(ev, refs)))
	}
	return args
}

// sameSubject reports whether the reader can restore ev's subject details
// from f's record exactly.
func sameSubject(ev flows.Event, f *flows.Flow) bool {
	return ev.FlowID == f.ID && ev.Kind == f.Kind && ev.AccountID == f.Subject.AccountID &&
		ev.Account == f.Subject.AccountName && ev.Department == f.Subject.Department
}

// unavailable wraps a Redis failure so callers can tell "Redis is down"
// apart from a logic error, and keeps the cause for the log.
func unavailable(op string, err error) error {
	return fmt.Errorf("redisstore: %s: %w: %w", op, flows.ErrStoreUnavailable, err)
}

// isStreamKey reports whether key looks like one of ours (used when acking).
func (s *Store) isStreamKey(key string) bool {
	return strings.HasPrefix(key, s.opt.Prefix+":{") && strings.HasSuffix(key, "}:audit")
}
