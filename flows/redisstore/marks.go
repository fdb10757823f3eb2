package redisstore

import (
	"context"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"
)

// Marks are a sink's idempotency records. They sit beside the stream, in a
// sorted set per stream and consumer group scored by the entry's time, so
// MaintainStreams removes them together with the entries they describe:
// a mark lives as long as its event can be redelivered, and no longer.
//
//	<prefix>:{<prefix>-07}:done:<group>   zset: "<entry id>=<value>" by entry ms

// markKey returns the marks key of a stream and group.
func (s *Store) markKey(stream, group string) string {
	return strings.TrimSuffix(stream, ":audit") + ":done:" + group
}

// entryMs returns the millisecond part of a stream entry id.
func entryMs(entry string) (int64, bool) {
	ms, _, ok := strings.Cut(entry, "-")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(ms, 10, 64)
	return n, err == nil
}

// markScript replaces the mark of one entry. KEYS: marks. ARGV: ms,
// "<entry>=", value.
var markScript = redis.NewScript(`
local cur = redis.call('ZRANGE', KEYS[1], ARGV[1], ARGV[1], 'BYSCORE')
for _, m in ipairs(cur) do
  if string.sub(m, 1, #ARGV[2]) == ARGV[2] then redis.call('ZREM', KEYS[1], m) end
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2] .. ARGV[3])
return 1
`)

// Mark implements flows.Store.
func (s *Store) Mark(ctx context.Context, group, eventID, value string) error {
	stream, entry, ms, err := s.markTarget(eventID)
	if err != nil {
		return err
	}
	if err := markScript.Run(ctx, s.rdb, []string{s.markKey(stream, group)}, ms, entry+"=", value).Err(); err != nil {
		return unavailable("mark", err)
	}
	return nil
}

// Marked implements flows.Store.
func (s *Store) Marked(ctx context.Context, group, eventID string) (string, bool, error) {
	stream, entry, ms, err := s.markTarget(eventID)
	if err != nil {
		return "", false, err
	}
	n := strconv.FormatInt(ms, 10)
	got, err := s.rdb.ZRangeArgs(ctx, redis.ZRangeArgs{Key: s.markKey(stream, group), Start: n, Stop: n, ByScore: true}).Result()
	if err != nil {
		return "", false, unavailable("marked", err)
	}
	for _, m := range got {
		if v, ok := strings.CutPrefix(m, entry+"="); ok {
			return v, true, nil
		}
	}
	return "", false, nil
}

func (s *Store) markTarget(eventID string) (stream, entry string, ms int64, err error) {
	stream, entry, err = s.splitEventID(eventID)
	if err != nil {
		return "", "", 0, err
	}
	ms, ok := entryMs(entry)
	if !ok {
		return "", "", 0, s.badID(eventID)
	}
	return stream, entry, ms, nil
}
