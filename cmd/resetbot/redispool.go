package main

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

// redisPoolCollector exports go-redis connection pools' statistics at
// scrape time: an exhausted pool (timeouts, waits, pending requests) is the
// first sign of a Redis that answers too slowly for the load, long before
// commands fail. For a cluster the numbers are summed over the nodes. Each
// client's series carry its pool's name in the label "pool": "main" (the
// flows and the background work) and "ack" (the acknowledgement's
// redelivery check, ackredis.go), so a wait on one is not read as the
// other's. One collector serves every pool (a registry takes each metric's
// description once); pools are added before the registry is gathered.
type redisPoolCollector struct {
	pools []redisPool
}

// redisPool is one client's pool and its name in the "pool" label.
type redisPool struct {
	name string
	rdb  interface{ PoolStats() *redis.PoolStats }
}

// add exports rdb's pool as name.
func (c *redisPoolCollector) add(name string, rdb interface{ PoolStats() *redis.PoolStats }) {
	c.pools = append(c.pools, redisPool{name: name, rdb: rdb})
}

// The pools' names in the "pool" label.
const (
	redisPoolMain = "main"
	redisPoolAck  = "ack"
)

func redisPoolDesc(name, help string) *prometheus.Desc {
	return prometheus.NewDesc(prometheus.BuildFQName("resetbot", "redis_pool", name), help, []string{"pool"}, nil)
}

var (
	redisPoolHits        = redisPoolDesc("hits_total", "Times a free connection was found in the pool.")
	redisPoolMisses      = redisPoolDesc("misses_total", "Times no free connection was in the pool and one was dialled or waited for.")
	redisPoolTimeouts    = redisPoolDesc("timeouts_total", "Times waiting for a pool connection timed out.")
	redisPoolWaits       = redisPoolDesc("waits_total", "Times a request waited for a pool connection.")
	redisPoolWaitSeconds = redisPoolDesc("wait_seconds_total", "Total time requests spent waiting for a pool connection.")
	redisPoolStale       = redisPoolDesc("stale_connections_total", "Stale connections removed from the pool.")
	redisPoolConns       = redisPoolDesc("connections", "Connections in the pool, idle or in use.")
	redisPoolIdle        = redisPoolDesc("idle_connections", "Idle connections in the pool.")
	redisPoolPending     = redisPoolDesc("pending_requests", "Requests waiting for a pool connection now.")
)

// Describe implements prometheus.Collector.
func (c *redisPoolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{redisPoolHits, redisPoolMisses, redisPoolTimeouts, redisPoolWaits,
		redisPoolWaitSeconds, redisPoolStale, redisPoolConns, redisPoolIdle, redisPoolPending} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *redisPoolCollector) Collect(ch chan<- prometheus.Metric) {
	for _, p := range c.pools {
		p.collect(ch)
	}
}

func (p redisPool) collect(ch chan<- prometheus.Metric) {
	s := p.rdb.PoolStats()
	counter := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, p.name)
	}
	gauge := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, p.name)
	}
	counter(redisPoolHits, float64(s.Hits))
	counter(redisPoolMisses, float64(s.Misses))
	counter(redisPoolTimeouts, float64(s.Timeouts))
	counter(redisPoolWaits, float64(s.WaitCount))
	counter(redisPoolWaitSeconds, float64(s.WaitDurationNs)/1e9)
	counter(redisPoolStale, float64(s.StaleConns))
	gauge(redisPoolConns, float64(s.TotalConns))
	gauge(redisPoolIdle, float64(s.IdleConns))
	gauge(redisPoolPending, float64(s.PendingRequests))
}
