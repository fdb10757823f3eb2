package bot_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/bottest"
	"github.com/resetbot/resetbot/flows"
)

// coreDriver runs the cross-platform scenarios against the core itself,
// with no wire format: it is the reference the platform drivers must match,
// and it proves the scenarios are satisfiable.
type coreDriver struct {
	core *bot.Bot
	ms   *bottest.Messenger
	once bot.Once
	mu   sync.Mutex
	last bot.Request
	seq  int
}

func (d *coreDriver) Platform() string           { return "slack" }
func (d *coreDriver) Identity() bot.IdentityRule { return bot.IdentityRule{By: bot.IdentityByChatID} }
func (d *coreDriver) User(account string) bot.User {
	return bot.User{ID: flows.ChatIdentity{Platform: "slack", UserID: "C-" + account}}
}

func (d *coreDriver) Start(t *testing.T, env bottest.Env) {
	d.core, d.ms, d.once = env.Bot, bottest.NewMessenger(), env.Once
	d.core.AddPlatform("slack", d.ms)
}

func (d *coreDriver) deliver(t *testing.T, id string, r bot.Request) bottest.Seen {
	first, err := d.once.First(context.Background(), id, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if !first {
		return bottest.Seen{} // acknowledged, not run again
	}
	return bottest.SeenOf(d.core.HandleCommand(context.Background(), r))
}

func (d *coreDriver) Command(t *testing.T, from bot.User, text string, mentions ...bot.User) bottest.Seen {
	d.mu.Lock()
	d.seq++
	id := fmt.Sprintf("req-%d", d.seq)
	d.last = bot.Request{From: from, Text: text, Mentions: mentions, Respond: d.ms.ResponderFor(from.ID)}
	r := d.last
	d.mu.Unlock()
	return d.deliver(t, id, r)
}

func (d *coreDriver) RedeliverLast(t *testing.T) bottest.Seen {
	d.mu.Lock()
	id, r := fmt.Sprintf("req-%d", d.seq), d.last
	d.mu.Unlock()
	return d.deliver(t, id, r)
}

func (d *coreDriver) Click(t *testing.T, from bot.User, _ bottest.Thread, b bottest.SeenButton) {
	d.core.HandleAction(context.Background(), bot.Action{From: from, ActionID: b.ActionID, Value: b.Value, Respond: d.ms.ResponderFor(from.ID)})
}

func (d *coreDriver) ClickPrivate(t *testing.T, from, _ bot.User, b bottest.SeenButton) {
	d.Click(t, from, bottest.Thread{}, b)
}

func (d *coreDriver) Inbox(t *testing.T, u bot.User) []bottest.Seen { return d.ms.Inbox(u.ID.UserID) }
func (d *coreDriver) Threads(t *testing.T) []bottest.Thread         { return d.ms.HelpdeskThreads() }

func TestScenariosOnCore(t *testing.T) {
	bottest.Run(t, func(t *testing.T) bottest.Driver { return &coreDriver{} })
}
