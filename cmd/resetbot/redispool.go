package main

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

// redisPoolCollector exports the go-redis connection pool's statistics at
// scrape time: an exhausted pool (timeouts, waits, pending requests) is the
// first sign of a Redis that answers too slowly for the load, long before
// commands fail. For a cluster the numbers are summed over the nodes.
type redisPoolCollector struct {
	rdb interface{ PoolStats() *redis.PoolStats }
}

func redisPoolDesc(name, help string) *prometheus.Desc {
	return prometheus.NewDesc(prometheus.BuildFQName("resetbot", "redis_pool", name), help, nil, nil)
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
func (c redisPoolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{redisPoolHits, redisPoolMisses, redisPoolTimeouts, redisPoolWaits,
		redisPoolWaitSeconds, redisPoolStale, redisPoolConns, redisPoolIdle, redisPoolPending} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c redisPoolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.rdb.PoolStats()
	counter := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	gauge := func(d *prometheus.Desc, v float64) { ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v) }
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
