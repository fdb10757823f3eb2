package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/flows"
)

var _ flows.StreamMaintainer = (*Store)(nil)

// maxCounted bounds the entries read to count a backlog the server does
// not report itself; a larger backlog is reported as this many.
const maxCounted = 100_000

// MaintainStreams implements flows.StreamMaintainer. Per shard, the trim
// point is the older of (a) what the age and length limits allow and (b)
// the oldest entry some group has not acknowledged, so a lagging sink never
// loses an event (approximate MAXLEN on XADD, used before, could drop
// them). One failing shard does not stop the others.
func (s *Store) MaintainStreams(ctx context.Context, u flows.StreamUpkeep) (flows.StreamStats, error) {
	st := flows.StreamStats{Backlog: map[string]int64{}, Lag: map[string]time.Duration{}}
	perShard := (s.opt.StreamMaxLen + flows.Shards - 1) / flows.Shards
	var errs []error
	for shard := 0; shard < flows.Shards; shard++ {
		if err := s.maintainShard(ctx, s.streamKey(shard), u, perShard, &st); err != nil {
			errs = append(errs, fmt.Errorf("shard %d: %w", shard, err))
		}
	}
	st.OverMaxLen = st.Entries > s.opt.StreamMaxLen
	return st, errors.Join(errs...)
}

func (s *Store) maintainShard(ctx context.Context, stream string, u flows.StreamUpkeep, perShard int64, st *flows.StreamStats) error {
	groups, err := s.rdb.XInfoGroups(ctx, stream).Result()
	if err != nil && !isNoSuchKey(err) {
		return unavailable("stream groups", err)
	}
	// floor: the oldest entry some group still needs (nil: none does).
	var floor *streamID
	for _, g := range groups {
		need, backlog, err := s.groupState(ctx, stream, g)
		if err != nil {
			return err
		}
		st.Backlog[g.Name] += backlog
		if _, seen := st.Lag[g.Name]; !seen {
			st.Lag[g.Name] = 0
		}
		if backlog > 0 {
			oldest, err := s.oldestNeeded(ctx, stream, g, need)
			if err != nil {
				return err
			}
			if lag := u.Now.Sub(oldest); !oldest.IsZero() && lag > st.Lag[g.Name] {
				st.Lag[g.Name] = lag
			}
		}
		if floor == nil || need.less(*floor) {
			floor = &need
		}
		if u.DeadAfter > 0 {
			n, err := s.removeDead(ctx, stream, g.Name, u)
			if err != nil {
				return err
			}
			st.RemovedConsumers += n
		}
	}
	length, err := s.rdb.XLen(ctx, stream).Result()
	if err != nil {
		return unavailable("stream length", err)
	}
	// What age and length allow: everything older than the retention, and
	// everything before the newest perShard entries.
	allow := streamID{ms: u.Now.Add(-s.opt.Retention).UnixMilli()}
	if length > perShard {
		keep, err := s.rdb.XRevRangeN(ctx, stream, "+", "-", perShard).Result()
		if err != nil {
			return unavailable("stream range", err)
		}
		if len(keep) > 0 {
			if id, ok := parseStreamID(keep[len(keep)-1].ID); ok && allow.less(id) {
				allow = id
			}
		}
	}
	if floor != nil && floor.less(allow) {
		allow = *floor
	}
	if allow.ms > 0 && length > 0 {
		n, err := s.rdb.XTrimMinID(ctx, stream, allow.String()).Result()
		if err != nil {
			return unavailable("trim", err)
		}
		st.Trimmed += n
		length -= n
		// Marks of trimmed entries go with them.
		for _, g := range groups {
			if err := s.trimMarks(ctx, s.markKey(stream, g.Name), allow); err != nil {
				return err
			}
		}
	}
	st.Entries += length
	return nil
}

// trimMarks removes the marks of entries before allow: whole milliseconds
// by score, then allow's own millisecond member by member.
func (s *Store) trimMarks(ctx context.Context, key string, allow streamID) error {
	ms := strconv.FormatInt(allow.ms, 10)
	if err := s.rdb.ZRemRangeByScore(ctx, key, "-inf", "("+ms).Err(); err != nil {
		return unavailable("trim marks", err)
	}
	same, err := s.rdb.ZRangeArgs(ctx, redis.ZRangeArgs{Key: key, Start: ms, Stop: ms, ByScore: true}).Result()
	if err != nil {
		return unavailable("trim marks", err)
	}
	for _, m := range same {
		entry, _, _ := strings.Cut(m, "=")
		if id, ok := parseStreamID(entry); ok && id.less(allow) {
			if err := s.rdb.ZRem(ctx, key, m).Err(); err != nil {
				return unavailable("trim marks", err)
			}
		}
	}
	return nil
}

// groupState returns the oldest entry a group still needs (its oldest
// pending entry, else the one after the last delivered) and its backlog.
func (s *Store) groupState(ctx context.Context, stream string, g redis.XInfoGroup) (streamID, int64, error) {
	last, ok := parseStreamID(g.LastDeliveredID)
	if !ok {
		return streamID{}, 0, fmt.Errorf("redisstore: group %s: last delivered id %q", g.Name, g.LastDeliveredID)
	}
	need := last.next()
	if g.Pending > 0 {
		p, err := s.rdb.XPending(ctx, stream, g.Name).Result()
		if err != nil {
			return streamID{}, 0, unavailable("pending", err)
		}
		if id, ok := parseStreamID(p.Lower); ok {
			need = id
		}
	}
	undelivered := g.Lag
	if g.EntriesRead <= 0 || g.Lag < 0 {
		// The server cannot tell (older Redis, miniredis, after
		// deletions): count what follows the last delivered entry.
		n, err := s.rdb.XRangeN(ctx, stream, last.next().String(), "+", maxCounted).Result()
		if err != nil {
			return streamID{}, 0, unavailable("stream range", err)
		}
		undelivered = int64(len(n))
	}
	return need, g.Pending + undelivered, nil
}

// oldestNeeded is the time of the oldest entry g has not acknowledged:
// its oldest pending entry, or else the first entry after the last one
// delivered to it (zero if there is none any more). Stream ids carry the
// time Redis appended the entry.
func (s *Store) oldestNeeded(ctx context.Context, stream string, g redis.XInfoGroup, need streamID) (time.Time, error) {
	if g.Pending == 0 {
		next, err := s.rdb.XRangeN(ctx, stream, need.String(), "+", 1).Result()
		if err != nil {
			return time.Time{}, unavailable("stream range", err)
		}
		if len(next) == 0 {
			return time.Time{}, nil // acknowledged or trimmed meanwhile: nothing waits
		}
		id, ok := parseStreamID(next[0].ID)
		if !ok {
			return time.Time{}, fmt.Errorf("redisstore: group %s: entry id %q", g.Name, next[0].ID)
		}
		need = id
	}
	return time.UnixMilli(need.ms), nil
}

// removeDead deletes consumers that hold nothing and have been idle for
// u.DeadAfter: every restart of a replica makes a new consumer name, and
// without this the group would list every pod that ever ran.
func (s *Store) removeDead(ctx context.Context, stream, group string, u flows.StreamUpkeep) (int, error) {
	cs, err := s.rdb.XInfoConsumers(ctx, stream, group).Result()
	if err != nil {
		return 0, unavailable("consumers", err)
	}
	n := 0
	for _, c := range cs {
		if c.Pending > 0 || c.Idle.Milliseconds() < u.DeadAfter.Milliseconds() {
			continue
		}
		if err := s.rdb.XGroupDelConsumer(ctx, stream, group, c.Name).Err(); err != nil {
			return n, unavailable("remove consumer", err)
		}
		n++
	}
	return n, nil
}

func isNoSuchKey(err error) bool {
	return err != nil && strings.Contains(err.Error(), "no such key")
}

// streamID is a parsed stream entry id, for comparing positions.
type streamID struct{ ms, seq int64 }

func parseStreamID(s string) (streamID, bool) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		b = "0" // "0", as some servers write a new group's position
	}
	ms, err1 := strconv.ParseInt(a, 10, 64)
	seq, err2 := strconv.ParseInt(b, 10, 64)
	return streamID{ms, seq}, err1 == nil && err2 == nil
}

func (a streamID) less(b streamID) bool {
	return a.ms < b.ms || (a.ms == b.ms && a.seq < b.seq)
}

func (a streamID) next() streamID { return streamID{a.ms, a.seq + 1} }

func (a streamID) String() string { return fmt.Sprintf("%d-%d", a.ms, a.seq) }
