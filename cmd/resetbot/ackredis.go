package main

import (
	"context"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/flows/redisstore"
)

// openAckOnce opens the acknowledgement's own Redis client, from the one
// redis configuration (addresses, mode, credentials, TLS) with a pool of
// bot.OncePoolSize connections, and returns the Once every platform's
// ingress checks redeliveries with. The ack's one round trip then never
// waits for a connection behind the flows' and the background work's
// commands on the main pool (at 1,000 commands a second it did, 1,550
// times). Its pool is exported with pool="ack"; it is closed with the
// server. Readiness stays on the main client: both reach the same Redis.
func (s *server) openAckOnce(ctx context.Context) (bot.Once, error) {
	rdb, err := newRedisPool(s.cfg.Redis, bot.OncePoolSize())
	if err != nil {
		return nil, err
	}
	s.ackRDB = rdb
	s.closers = append(s.closers, func() { rdb.Close() })
	s.redisPools.add(redisPoolAck, rdb)
	if err := pingRedis(ctx, rdb); err != nil {
		return nil, err
	}
	// The same prefix as the flow store's: the marks are the same keys
	// whichever client writes them.
	return bot.NewOnce(redisstore.New(rdb, redisstore.Options{Prefix: s.cfg.Redis.KeyPrefix})), nil
}
