package bot_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/resetbot/resetbot/bot/bottest"
	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/memory"
)

// downDirectory is the memory directory with Find failing while down is
// set, as an unreachable LDAP server fails.
type downDirectory struct {
	*memory.Directory
	down *atomic.Bool
}

func (d downDirectory) Find(ctx context.Context, l directory.Lookup) (*directory.User, error) {
	if d.down.Load() {
		return nil, fmt.Errorf("%w: dial tcp: connection refused", directory.ErrUnavailable)
	}
	return d.Directory.Find(ctx, l)
}

// refusalLines returns the helpdesk's refused-request messages.
func refusalLines(ms *bottest.Messenger) string {
	var out []string
	for _, p := range ms.Posts() {
		if strings.HasPrefix(p.Message.Title, "Request") {
			out = append(out, strings.Join(p.Message.Body, " "))
		}
	}
	return strings.Join(out, "\n")
}

// TestAttemptsWhileTheDirectoryIsDownAreRecorded is the regression test for
// a reset that failed because the directory was down leaving no trace: the
// attempt is an audit event and the helpdesk sees it, with the reason.
func TestAttemptsWhileTheDirectoryIsDownAreRecorded(t *testing.T) {
	down := &atomic.Bool{}
	down.Store(true)
	rig, ms := newCore(t, bottest.Options{Directory: func(m *memory.Directory) directory.Directory { return downDirectory{m, down} }})
	_, resp := command(rig, "U0PWUSER", "")
	rig.Settle(t)
	if got := resp.Messages(); len(got) != 1 || got[0].Link != nil {
		t.Fatalf("user got %+v, want one message without a link", got)
	}
	if lines := refusalLines(ms); !strings.Contains(lines, "the directory unavailable") {
		t.Errorf("the helpdesk saw no trace of the attempt:\n%s", lines)
	}
}

// TestAttemptsWhileRedisIsDownAreRecordedOnceBack is the regression test for
// a reset that failed because Redis was down leaving no trace: the attempt
// is kept in memory, and once Redis is back the sweeper's FlushDeferred
// records it (audit event, helpdesk) exactly once.
func TestAttemptsWhileRedisIsDownAreRecordedOnceBack(t *testing.T) {
	rig, ms := newCore(t, bottest.Options{})
	rig.Redis.SetError("LOADING Redis is loading the dataset in memory")
	_, resp := command(rig, "U0PWUSER", "")
	rig.Bot.Wait()
	if got := resp.Messages(); len(got) != 1 || got[0].Link != nil {
		t.Fatalf("user got %+v, want one message without a link", got)
	}
	if n, err := rig.Engine.FlushDeferred(context.Background()); n != 0 || err == nil {
		t.Fatalf("flush with Redis down = %d, %v; want nothing appended and the error", n, err)
	}
	rig.Redis.SetError("")
	for i := 0; i < 2; i++ {
		n, err := rig.Engine.FlushDeferred(context.Background())
		if err != nil || n != 1-i {
			t.Fatalf("flush %d with Redis back = %d, %v; want %d", i, n, err, 1-i)
		}
	}
	rig.Settle(t)
	lines := refusalLines(ms)
	if strings.Count(lines, "Redis unavailable") != 1 {
		t.Errorf("the helpdesk saw the attempt %d times, want once:\n%s", strings.Count(lines, "Redis unavailable"), lines)
	}
}
