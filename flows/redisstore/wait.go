package redisstore

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/flows"
)

var _ flows.EventWaiter = (*Store)(nil)

// WaitEvents implements flows.EventWaiter with one XREADGROUP that blocks
// on every shard's stream at once, so an idle reader costs one command per
// block instead of two per shard per poll (#10). The entries it returns
// become this consumer's pending ones, which the next ReadEvents delivers
// first; they are not decoded here. Redis Cluster cannot block on keys of
// several slots in one command: there it says errors.ErrUnsupported and
// the reader polls.
func (s *Store) WaitEvents(ctx context.Context, group, consumer string, max int, block time.Duration) (bool, error) {
	if _, ok := s.rdb.(*redis.ClusterClient); ok {
		return false, errors.ErrUnsupported
	}
	streams := make([]string, 0, 2*flows.Shards)
	for shard := 0; shard < flows.Shards; shard++ {
		stream := s.streamKey(shard)
		if err := s.ensureGroup(ctx, stream, group); err != nil {
			return false, err
		}
		streams = append(streams, stream)
	}
	for range flows.Shards {
		streams = append(streams, ">")
	}
	if block < time.Millisecond {
		block = time.Millisecond
	}
	res, err := s.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{
		Group: group, Consumer: consumer, Streams: streams, Count: int64(max), Block: block,
	}).Result()
	switch {
	case err == nil:
		return len(res) > 0, nil
	case errors.Is(err, redis.Nil):
		return false, nil
	case isNoGroup(err):
		// A stream (and its group) vanished: ReadEvents recreates them.
		for _, st := range streams[:flows.Shards] {
			s.groups.Delete(st + "\x00" + group)
		}
		return true, nil
	case ctx.Err() != nil:
		return false, ctx.Err()
	}
	return false, unavailable("wait for events", err)
}
