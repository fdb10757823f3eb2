package rediscreds

import (
	"context"

	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/credentials"
)

// Summary implements credentials.Store with one round trip (both keys are in
// one slot, so this is one pipeline even on Cluster).
func (s *Store) Summary(ctx context.Context, accountID string) (credentials.Summary, error) {
	k, err := s.keys(accountID)
	if err != nil {
		return credentials.Summary{}, err
	}
	var n *redis.IntCmd
	var totp *redis.BoolCmd
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		n = p.HLen(ctx, k.passkeys)
		totp = p.HExists(ctx, k.totp, fieldSealed)
		return nil
	})
	if err != nil {
		return credentials.Summary{}, unavailable("summary", err)
	}
	return credentials.Summary{Passkeys: int(n.Val()), TOTP: totp.Val()}, nil
}
