package redisstore

import (
	"context"
	"time"
)

// Claim implements flows.Store with SET NX PX: atomic, one round trip, and
// the mark lives exactly ttl from the first claim.
func (s *Store) Claim(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	ok, err := s.rdb.SetNX(ctx, s.claimKey(key), 1, ttl).Result()
	if err != nil {
		return false, unavailable("claim", err)
	}
	return ok, nil
}
