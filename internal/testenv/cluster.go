package testenv

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisCluster is a Redis Cluster of a test's own: three masters, no
// replicas, each a Redis of the test's own. A fault test stops one master
// and starts it again (on the same port and data directory, so it rejoins
// owning its slots) without disturbing the shared cluster the harness
// started, which other packages' tests use at the same time. The test's
// cleanup stops every node.
type RedisCluster struct {
	t     testing.TB
	nodes []*Redis
}

// StartRedisCluster starts three cluster nodes with opt's persistence,
// joins them into one cluster (redis-cli --cluster create) and waits until
// every node reports cluster_state:ok.
func StartRedisCluster(t testing.TB, opt RedisOptions) *RedisCluster {
	t.Helper()
	cli := RequireBinary(t, "redis-cli")
	opt.Cluster = true
	c := &RedisCluster{t: t}
	for range 3 {
		c.nodes = append(c.nodes, StartRedis(t, opt))
	}
	args := append([]string{"--cluster", "create"}, c.Addrs()...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.Command(cli, args...).CombinedOutput(); err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	c.WaitState("ok", 30*time.Second)
	return c
}

// Addrs are the nodes' host:port, for a cluster client's seed list.
func (c *RedisCluster) Addrs() []string {
	out := make([]string, len(c.nodes))
	for i, n := range c.nodes {
		out[i] = n.Addr()
	}
	return out
}

// Node is the i-th master: Kill or Shutdown it to take it out of the
// cluster, Start it to bring it back.
func (c *RedisCluster) Node(i int) *Redis { return c.nodes[i] }

// WaitState waits until every running node reports cluster_state:state
// ("ok", or "fail" once the others have noticed a master is gone: after
// the node timeout, 2 s), and fails the test after within.
func (c *RedisCluster) WaitState(state string, within time.Duration) {
	c.t.Helper()
	deadline := time.Now().Add(within)
	for {
		if c.state(state) {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("Redis Cluster %v: not cluster_state:%s within %s", c.Addrs(), state, within)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (c *RedisCluster) state(want string) bool {
	running := 0
	for _, n := range c.nodes {
		n.mu.Lock()
		up := n.cmd != nil
		n.mu.Unlock()
		if !up {
			continue
		}
		running++
		rdb := redis.NewClient(&redis.Options{Addr: n.Addr(), MaxRetries: -1})
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		info, err := rdb.ClusterInfo(ctx).Result()
		cancel()
		rdb.Close()
		if err != nil || !strings.Contains(info, "cluster_state:"+want) {
			return false
		}
	}
	return running > 0
}
