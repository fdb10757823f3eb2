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
	"encoding/json"
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
	data, err := json.Marshal(f)
	if err != nil {
		f.Version = 0
		return fmt.Errorf("redisstore: encode flow: %w", err)
	}
	args := []any{string(data), f.ID, prevLive, s.keepUntil(f), f.ExpiresAt.UnixMilli(), f.ExpiresAt.UnixMilli()}
	args, err = appendEvents(args, events, f.Thread)
	if err != nil {
		f.Version = 0
		return err
	}
	res, err := createScript.Run(ctx, s.rdb, []string{k.flow, k.live, k.due, k.stream}, args...).Text()
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
	data, err := s.rdb.HGet(ctx, s.flowKey(shard, id), "d").Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, flows.ErrNotFound
	}
	if err != nil {
		return nil, unavailable("get", err)
	}
	var f flows.Flow
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("redisstore: decode flow %s: %w", id, err)
	}
	return &f, nil
}

// Update implements flows.Store.
func (s *Store) Update(ctx context.Context, f *flows.Flow, events []flows.Event) error {
	k, err := s.keysFor(f)
	if err != nil {
		return err
	}
	expected := f.Version
	next := *f
	next.Version = expected + 1
	data, err := json.Marshal(&next)
	if err != nil {
		return fmt.Errorf("redisstore: encode flow: %w", err)
	}
	terminal := 0
	if f.State.Terminal() {
		terminal = 1
	}
	args := []any{strconv.FormatInt(expected, 10), string(data), f.ID, terminal, s.keepUntil(f), f.DueAt().UnixMilli()}
	args, err = appendEvents(args, events, f.Thread)
	if err != nil {
		return err
	}
	res, err := updateScript.Run(ctx, s.rdb, []string{k.flow, k.live, k.due, k.stream}, args...).Text()
	if err != nil {
		return unavailable("update", err)
	}
	switch res {
	case "ok":
		f.Version = expected + 1
		return nil
	case "conflict":
		return fmt.Errorf("%w: flow %s changed", flows.ErrConflict, f.ID)
	case "missing":
		return flows.ErrNotFound
	}
	return fmt.Errorf("redisstore: update: unexpected reply %q", res)
}

// LiveID implements flows.Store.
func (s *Store) LiveID(ctx context.Context, accountID string, kind flows.Kind) (string, error) {
	id, err := s.rdb.Get(ctx, s.liveKey(accountID, kind)).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", unavailable("live", err)
	}
	return id, nil
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

// Append implements flows.Store.
func (s *Store) Append(ctx context.Context, key string, events []flows.Event) error {
	if len(events) == 0 {
		return nil
	}
	stream := s.streamKey(flows.ShardOf(key))
	pipe := s.rdb.TxPipeline()
	for _, ev := range events {
		data, err := encodeEvent(ev, "")
		if err != nil {
			return err
		}
		pipe.XAdd(ctx, &redis.XAddArgs{Stream: stream, Values: []any{"e", data}})
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return unavailable("append", err)
	}
	return nil
}

// keepUntil is the key's absolute expiry in ms: the flow's own expiry plus
// the retention window.
func (s *Store) keepUntil(f *flows.Flow) int64 {
	return f.ExpiresAt.Add(s.opt.Retention).UnixMilli()
}

func appendEvents(args []any, events []flows.Event, thread string) ([]any, error) {
	for _, ev := range events {
		data, err := encodeEvent(ev, thread)
		if err != nil {
			return nil, err
		}
		args = append(args, data)
	}
	return args, nil
}

func encodeEvent(ev flows.Event, thread string) (string, error) {
	ev.ID = ""
	if ev.Thread == "" {
		ev.Thread = thread
	}
	ev.Time = ev.Time.UTC()
	data, err := json.Marshal(ev)
	if err != nil {
		return "", fmt.Errorf("redisstore: encode event: %w", err)
	}
	return string(data), nil
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
