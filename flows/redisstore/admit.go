package redisstore

import (
	"context"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/flows"
)

// Admit implements flows.Store: the budget's script, the counts' ZCOUNTs
// and the live reads in one pipeline, so a start pays one round trip for
// them instead of three. On Redis Cluster the pipeline goes to each node
// holding one of its keys at once.
func (s *Store) Admit(ctx context.Context, a flows.Admission, now time.Time) (flows.Admitted, error) {
	for try := 0; ; try++ {
		pipe := s.rdb.Pipeline()
		var take *redis.Cmd
		if a.Budget.Max > 0 {
			keys, args := s.takeArgs(a.Budget.Key, a.Budget.Window, a.Budget.Max, now)
			take = takeScript.EvalSha(ctx, pipe, keys, args...)
		}
		counts := make([]*redis.IntCmd, len(a.Counts))
		for i, w := range a.Counts {
			counts[i] = s.used(ctx, pipe, w.Key, w.Window, now)
		}
		live := s.queueLive(ctx, pipe, a.AccountID, a.Kinds)
		if pipe.Len() == 0 {
			return flows.Admitted{Allowed: true, Counts: []int64{}, Live: []string{}}, nil
		}
		_, _ = pipe.Exec(ctx) // each reply is looked at below
		out := flows.Admitted{Allowed: true, Counts: make([]int64, len(counts))}
		if take != nil {
			n, err := take.Int()
			if isNoScript(err) && try == 0 {
				// The server does not hold the script yet (a restart, a
				// new node): nothing was spent; load it and ask again.
				if err := takeScript.Load(ctx, s.rdb).Err(); err != nil {
					return flows.Admitted{}, unavailable("admit", err)
				}
				continue
			}
			if err != nil {
				return flows.Admitted{}, unavailable("admit", err)
			}
			out.Allowed = n == 1
		}
		for i, c := range counts {
			n, err := c.Result()
			if err != nil {
				return flows.Admitted{}, unavailable("admit", err)
			}
			out.Counts[i] = n
		}
		ids, err := live.ids()
		if err != nil {
			return flows.Admitted{}, err
		}
		out.Live = ids
		return out, nil
	}
}

// isNoScript reports Redis's answer to an EVALSHA of a script it does not
// hold.
func isNoScript(err error) bool {
	return err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT")
}
