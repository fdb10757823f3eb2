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
	pipe := s.rdb.Pipeline()
	take := s.queueTakes(ctx, pipe, []flows.Budget{a.Budget}, now)
	counts := s.queueUsed(ctx, pipe, a.Counts, now)
	live := s.queueLive(ctx, pipe, a.AccountID, a.Kinds)
	if pipe.Len() > 0 {
		_, _ = pipe.Exec(ctx) // each reply is looked at below
	}
	allowed, err := take.results(ctx)
	if err != nil {
		return flows.Admitted{}, err
	}
	n, err := usedResults(counts)
	if err != nil {
		return flows.Admitted{}, err
	}
	ids, err := live.ids()
	if err != nil {
		return flows.Admitted{}, err
	}
	return flows.Admitted{Allowed: allowed[0] || a.Budget.Max <= 0, Counts: n, Live: ids}, nil
}

// TakeAll implements flows.Store: the budgets' scripts in one pipeline.
func (s *Store) TakeAll(ctx context.Context, budgets []flows.Budget, now time.Time) ([]bool, error) {
	pipe := s.rdb.Pipeline()
	takes := s.queueTakes(ctx, pipe, budgets, now)
	if pipe.Len() > 0 {
		_, _ = pipe.Exec(ctx) // each reply is looked at below
	}
	return takes.results(ctx)
}

// UsedAll implements flows.Store: the windows' ZCOUNTs in one pipeline.
func (s *Store) UsedAll(ctx context.Context, windows []flows.Window, now time.Time) ([]int64, error) {
	pipe := s.rdb.Pipeline()
	counts := s.queueUsed(ctx, pipe, windows, now)
	if pipe.Len() > 0 {
		_, _ = pipe.Exec(ctx) // each reply is looked at below
	}
	return usedResults(counts)
}

// queuedTakes are budgets' takeScript calls queued on a pipeline (nil
// for a budget of no uses, which spends nothing).
type queuedTakes struct {
	s       *Store
	budgets []flows.Budget
	now     time.Time
	cmds    []*redis.Cmd
}

// queueTakes queues takeScript for each budget with uses on pipe, by
// EVALSHA: results runs a take whose node answered NOSCRIPT again.
func (s *Store) queueTakes(ctx context.Context, pipe redis.Pipeliner, budgets []flows.Budget, now time.Time) queuedTakes {
	q := queuedTakes{s: s, budgets: budgets, now: now, cmds: make([]*redis.Cmd, len(budgets))}
	for i, b := range budgets {
		if b.Max > 0 {
			keys, args := s.takeArgs(b.Key, b.Window, b.Max, now)
			q.cmds[i] = takeScript.EvalSha(ctx, pipe, keys, args...)
		}
	}
	return q
}

// results are Take's answers once the pipeline ran. A server that lost its
// scripts (a restart, a failover) answered NOSCRIPT and spent nothing:
// that budget is taken again on its own, as Take does (sending the script).
func (q queuedTakes) results(ctx context.Context) ([]bool, error) {
	out := make([]bool, len(q.cmds))
	for i, c := range q.cmds {
		if c == nil {
			continue
		}
		n, err := c.Int()
		if isNoScript(err) {
			b := q.budgets[i]
			ok, err := q.s.Take(ctx, b.Key, b.Window, b.Max, q.now)
			if err != nil {
				return nil, err
			}
			out[i] = ok
			continue
		}
		if err != nil {
			return nil, unavailable("take", err)
		}
		out[i] = n == 1
	}
	return out, nil
}

// queueUsed queues Used's ZCOUNT for each window on pipe.
func (s *Store) queueUsed(ctx context.Context, pipe redis.Pipeliner, windows []flows.Window, now time.Time) []*redis.IntCmd {
	cmds := make([]*redis.IntCmd, len(windows))
	for i, w := range windows {
		cmds[i] = s.used(ctx, pipe, w.Key, w.Window, now)
	}
	return cmds
}

// usedResults are Used's answers once the pipeline ran.
func usedResults(cmds []*redis.IntCmd) ([]int64, error) {
	out := make([]int64, len(cmds))
	for i, c := range cmds {
		n, err := c.Result()
		if err != nil {
			return nil, unavailable("used", err)
		}
		out[i] = n
	}
	return out, nil
}

// isNoScript reports Redis's answer to an EVALSHA of a script it does not
// hold.
func isNoScript(err error) bool {
	return err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT")
}
