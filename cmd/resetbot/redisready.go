package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"
)

// redisReady is /readyz's check of Redis: a PING, and on a Redis Cluster
// every master's PING and cluster_state. A cluster with a master gone
// refuses every command (CLUSTERDOWN) once its nodes have noticed, while
// each node left still answers PING, so a PING alone said "ready" while
// no flow could move.
func redisReady(rdb redis.UniversalClient) func(context.Context) error {
	cc, ok := rdb.(*redis.ClusterClient)
	if !ok {
		return func(ctx context.Context) error { return rdb.Ping(ctx).Err() }
	}
	return func(ctx context.Context) error {
		return cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
			info, err := c.ClusterInfo(ctx).Result()
			if err != nil {
				return fmt.Errorf("cluster node %s: %w", c.Options().Addr, err)
			}
			if !strings.Contains(info, "cluster_state:ok") {
				return fmt.Errorf("cluster node %s: cluster_state is not ok", c.Options().Addr)
			}
			return nil
		})
	}
}
