package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/flows"
)

// ReadEvents implements flows.Store. It walks the shards' audit streams,
// first re-reading this consumer's pending entries (delivered before a crash
// but never acknowledged), then new entries. Each shard is its own call, as
// Redis Cluster requires; none blocks, the caller polls.
func (s *Store) ReadEvents(ctx context.Context, group, consumer string, max int) ([]flows.Event, error) {
	var out []flows.Event
	for shard := 0; shard < flows.Shards && len(out) < max; shard++ {
		stream := s.streamKey(shard)
		if err := s.ensureGroup(ctx, stream, group); err != nil {
			return out, err
		}
		for _, start := range []string{"0", ">"} {
			if len(out) >= max {
				break
			}
			res, err := s.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{
				Group: group, Consumer: consumer, Streams: []string{stream, start},
				Count: int64(max - len(out)), Block: -1,
			}).Result()
			if errors.Is(err, redis.Nil) {
				continue
			}
			if err != nil {
				return out, unavailable("read events", err)
			}
			evs, err := s.decodeEntries(ctx, stream, group, res)
			if err != nil {
				return out, err
			}
			out = append(out, evs...)
			if start == "0" && len(evs) > 0 {
				break // deliver the backlog before taking new entries
			}
		}
	}
	return out, nil
}

// decodeEntries turns stream entries into events. An entry that cannot be
// decoded (or was trimmed away) is acknowledged and skipped, so one bad
// record cannot wedge a sink forever; the error is reported to the caller's
// log through the returned event list being shorter.
func (s *Store) decodeEntries(ctx context.Context, stream, group string, res []redis.XStream) ([]flows.Event, error) {
	var out []flows.Event
	for _, st := range res {
		for _, m := range st.Messages {
			raw, _ := m.Values["e"].(string)
			var ev flows.Event
			if raw == "" || json.Unmarshal([]byte(raw), &ev) != nil {
				if err := s.rdb.XAck(ctx, stream, group, m.ID).Err(); err != nil {
					return out, unavailable("ack bad entry", err)
				}
				continue
			}
			ev.ID = stream + "/" + m.ID
			out = append(out, ev)
		}
	}
	return out, nil
}

// AckEvents implements flows.Store.
func (s *Store) AckEvents(ctx context.Context, group string, ids ...string) error {
	byStream := map[string][]string{}
	for _, id := range ids {
		i := strings.LastIndex(id, "/")
		if i < 0 || !s.isStreamKey(id[:i]) {
			return fmt.Errorf("redisstore: not an event id: %q", id)
		}
		byStream[id[:i]] = append(byStream[id[:i]], id[i+1:])
	}
	for stream, entries := range byStream {
		if err := s.rdb.XAck(ctx, stream, group, entries...).Err(); err != nil {
			return unavailable("ack", err)
		}
	}
	return nil
}

// ensureGroup creates the consumer group at the start of the stream (so a
// new sink sees the whole history still in Redis) once per process.
func (s *Store) ensureGroup(ctx context.Context, stream, group string) error {
	key := stream + "\x00" + group
	if _, ok := s.groups.Load(key); ok {
		return nil
	}
	err := s.rdb.XGroupCreateMkStream(ctx, stream, group, "0").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return unavailable("create group", err)
	}
	s.groups.Store(key, struct{}{})
	return nil
}
