package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/resetbot/resetbot/bot/bottest"
)

// TestRedisLostAfterThePostNeverPostsTwice: Redis fails right after a
// helpdesk reply went out, before its mark is stored (a Cluster master
// stopped at that moment). The event stays pending and is delivered again
// once Redis is back: the retry stores the mark and posts nothing, so the
// thread says "Requested by" once.
func TestRedisLostAfterThePostNeverPostsTwice(t *testing.T) {
	rig, ms := newCore(t, bottest.Options{})
	broke := false
	ms.FailIf = func(p bottest.Posted) error {
		if !broke && strings.Contains(p.Message.Summary, "Requested by") {
			broke = true
			rig.Redis.SetError("CLUSTERDOWN The cluster is down")
		}
		return nil
	}
	command(rig, "U0PWUSER", "")
	rig.Bot.Wait()
	if _, err := rig.Reader.Pump(context.Background()); err == nil {
		t.Fatal("the pump with Redis gone after the post did not fail")
	}
	if !broke {
		t.Fatal("no 'Requested by' reply was posted")
	}
	rig.Redis.SetError("")
	rig.Settle(t)
	th := ms.Threads()[0]
	if n := countReplies(ms, th, "Requested by"); n != 1 {
		t.Fatalf("thread says \"Requested by\" %d times:\n%s", n, strings.Join(ms.Replies(th), "\n"))
	}
}
