package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/flows/auditlog"
)

// chainHeadTick is how often each replica looks whether the period's
// chain head post is due; the post itself goes out once per
// audit.publish_head_every, from the replica that takes its lease.
const chainHeadTick = time.Minute

// publishChainHead posts the audit chain head (as Redis holds it for
// every replica) to the helpdesk channel once per period until ctx ends.
func publishChainHead(ctx context.Context, every time.Duration, rdb redis.UniversalClient, store flows.Store, prefix string, core *bot.Bot, log *slog.Logger) {
	if prefix == "" {
		prefix = "rb"
	}
	chain := auditlog.NewRedisChain(rdb, store, prefix, 0)
	t := time.NewTicker(min(every, chainHeadTick))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		h, err := chain.Head(ctx)
		if err != nil {
			log.Warn("audit chain head not read for the helpdesk post", "err", err)
			continue
		}
		posted, err := core.PublishChainHead(ctx, every, bot.ChainHead{Seq: h.Seq, Hash: h.Hash})
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("audit chain head not posted", "err", err)
		case posted:
			log.Info("audit chain head posted to the helpdesk channel", "seq", h.Seq, "hash", h.Hash)
		}
	}
}
