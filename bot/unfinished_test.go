package bot_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/bottest"
	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/memory"
	"github.com/resetbot/resetbot/flows"
)

// countMeter is a bot.WorkMeter that counts by work and reason.
type countMeter struct {
	mu sync.Mutex
	n  map[string]int
}

func (m *countMeter) Unfinished(work, reason string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.n == nil {
		m.n = map[string]int{}
	}
	m.n[work+"/"+reason]++
}

func (m *countMeter) get(key string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.n[key]
}

// germanUser is a Slack user whose platform said their language.
func germanUser(id string) bot.User {
	return bot.User{ID: bottest.Slack(id), Locale: flows.Locale{Lang: "de"}}
}

// TestLateWorkTellsThePerson: a reset acknowledged with "Got it" whose
// deadline passes while it waits behind a busy worker is dropped unrun,
// and the person reads that nothing was done, in their language, instead
// of nothing at all; the meter counts it. The deadline is made tiny for
// the second request only; nothing is timed.
func TestLateWorkTellsThePerson(t *testing.T) {
	release, entered := make(chan struct{}), make(chan struct{}, 8)
	meter := &countMeter{}
	rig, ms := newCore(t, bottest.Options{Workers: 1, Meter: meter, Directory: func(m *memory.Directory) directory.Directory {
		return blockingDir{Directory: m, release: release, entered: entered}
	}})
	command(rig, "U0JDOE", "")
	<-entered // the only worker waits in the directory
	bot.SetWorkTimeout(rig.Bot, time.Nanosecond)
	resp := &bottest.Responder{}
	first := rig.Bot.HandleCommand(context.Background(), bot.Request{From: germanUser("U0PWUSER"), Respond: resp})
	if first.IsZero() || strings.Contains(first.Summary, "busy") {
		t.Fatalf("first reply = %+v, want it accepted", first)
	}
	close(release)
	rig.Settle(t)

	got := resp.Messages()
	if len(got) != 1 {
		t.Fatalf("%d answers after the ack, want one saying nothing was done: %+v", len(got), got)
	}
	if !strings.Contains(got[0].Summary, "nicht rechtzeitig") || !strings.Contains(strings.Join(got[0].Body, " "), "#it-help") {
		t.Errorf("answer = %+v, want the German too-late words naming the helpdesk", got[0])
	}
	if dms := ms.DMs("U0PWUSER"); len(dms) != 0 {
		t.Errorf("the dropped request still sent %d DMs", len(dms))
	}
	if n := meter.get("start/late"); n != 1 {
		t.Errorf("meter start/late = %d, want 1", n)
	}
	if dms := ms.DMs("U0JDOE"); len(dms) != 1 {
		t.Errorf("the request that ran: %d DMs, want its link", len(dms))
	}
}

// TestWorkDroppedAtCloseTellsThePerson: a request still queued when the
// process stops never runs; its person is told to try again.
func TestWorkDroppedAtCloseTellsThePerson(t *testing.T) {
	release, entered := make(chan struct{}), make(chan struct{}, 8)
	defer close(release)
	meter := &countMeter{}
	rig, _ := newCore(t, bottest.Options{Workers: 1, Meter: meter, Directory: func(m *memory.Directory) directory.Directory {
		return blockingDir{Directory: m, release: release, entered: entered}
	}})
	command(rig, "U0JDOE", "")
	<-entered
	_, resp := command(rig, "U0PWUSER", "")
	rig.Bot.Close()
	got := resp.Messages()
	if len(got) != 1 || !strings.Contains(got[0].Summary, "nothing was changed") {
		t.Fatalf("answers = %+v, want one saying nothing was changed", got)
	}
	if n := meter.get("start/shutdown"); n != 1 {
		t.Errorf("meter start/shutdown = %d, want 1", n)
	}
}

// panickyDir panics in every Find: a bug in the work behind an ack.
type panickyDir struct{ directory.Directory }

func (panickyDir) Find(context.Context, directory.Lookup) (*directory.User, error) {
	panic("a bug in the directory backend")
}

// TestPanickingWorkTellsThePerson: work that panics after the ack is
// contained, and the person reads the catalogued "something went wrong"
// with a reference, in their language; the meter counts it.
func TestPanickingWorkTellsThePerson(t *testing.T) {
	meter := &countMeter{}
	rig, ms := newCore(t, bottest.Options{Meter: meter, Directory: func(m *memory.Directory) directory.Directory {
		return panickyDir{m}
	}})
	resp := &bottest.Responder{}
	rig.Bot.HandleCommand(context.Background(), bot.Request{From: germanUser("U0PWUSER"), Respond: resp})
	rig.Bot.Wait()
	got := resp.Messages()
	if len(got) != 1 {
		t.Fatalf("%d answers after the panic, want one: %+v", len(got), got)
	}
	if !strings.Contains(got[0].Summary, "schiefgelaufen") || !strings.HasPrefix(got[0].Note, "Referenz") {
		t.Errorf("answer = %+v, want German 'went wrong' with a reference", got[0])
	}
	if n := meter.get("start/panic"); n != 1 {
		t.Errorf("meter start/panic = %d, want 1", n)
	}
	if len(ms.DMs("U0PWUSER")) != 0 {
		t.Error("a DM was sent after the panic")
	}
}
