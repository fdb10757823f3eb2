package redisstore

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// leaseScript takes the lease when nobody holds it and renews it for its
// holder; anyone else is refused. One key, so it runs on a Cluster too.
var leaseScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if v == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`)

// Lease implements flows.Store: one script, one round trip.
func (s *Store) Lease(ctx context.Context, key, owner string, ttl time.Duration) (bool, error) {
	if ttl < time.Millisecond {
		return false, fmt.Errorf("redisstore: lease %q: ttl %s under a millisecond", key, ttl)
	}
	n, err := leaseScript.Run(ctx, s.rdb, []string{s.leaseKey(key)}, owner, ttl.Milliseconds()).Int()
	if err != nil {
		return false, unavailable("lease", err)
	}
	return n == 1, nil
}

func (s *Store) leaseKey(key string) string {
	return fmt.Sprintf("%s:lease:{%s}", s.opt.Prefix, digest(key))
}
