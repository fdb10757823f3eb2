package discord

import (
	"context"
	"sync"

	"github.com/resetbot/resetbot/bot"
)

// recorder is a bot.Handler that records what reached the core and
// answers with a fixed first reply. block, when set, holds HandleCommand
// until it is closed (a first reply that takes its time); later, when set,
// runs after the first reply as the core's background work.
type recorder struct {
	mu       sync.Mutex
	commands []bot.Request
	actions  []bot.Action
	reply    bot.Message
	block    chan struct{}
	later    func(r bot.Request)
}

func (h *recorder) HandleCommand(_ context.Context, r bot.Request) bot.Message {
	h.mu.Lock()
	h.commands = append(h.commands, r)
	h.mu.Unlock()
	if h.block != nil {
		<-h.block
	}
	if h.later != nil {
		go h.later(r)
	}
	return h.reply
}

func (h *recorder) HandleAction(_ context.Context, a bot.Action) bot.Message {
	h.mu.Lock()
	h.actions = append(h.actions, a)
	h.mu.Unlock()
	return h.reply
}

func (h *recorder) counts() (commands, actions int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.commands), len(h.actions)
}
