package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/bottest"
)

// TestCampaignJobRunsEachSlotOnce: a daily campaign runs once its time has
// come and once per day however often it ticks, asks only the members
// without a passkey (not the disabled, break-glass or privileged ones), and
// tells them the command to enroll; a campaign name that cannot be a key
// is refused.
func TestCampaignJobRunsEachSlotOnce(t *testing.T) {
	rig, ms := newCore(t, bottest.Options{})
	rig.SetFactors(t, "spare1", bot.FactorCount{})
	rig.SetFactors(t, "spare2", bot.FactorCount{TOTP: true})
	rig.SetFactors(t, "alice", bot.FactorCount{})
	rig.SetFactors(t, "spare3", bot.FactorCount{})
	c := bot.Campaign{Name: "all", Group: "cn=staff,ou=Groups,dc=example,dc=test", Pace: time.Millisecond}
	job, err := rig.Bot.CampaignJob(c, bot.CampaignSchedule{At: 0})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	run, ran, err := job.Tick(ctx)
	if err != nil || !ran {
		t.Fatalf("first tick: ran %v, %v", ran, err)
	}
	if run.Members != 6 || run.Messaged != 2 || run.Skipped != 3 || run.Enrolled != 1 {
		t.Errorf("run = %+v, want 6 members, 2 messaged, 3 skipped (bob, alice, spare3), 1 enrolled", run)
	}
	if _, ran, _ := job.Tick(ctx); ran {
		t.Error("a second tick on the same day ran again")
	}
	for id, want := range map[string]int{"U0SPARE1": 1, "U0SPARE2": 1, "U0JDOE": 0, "U0ALICE": 0, "U0SPARE3": 0, "U0BOB": 0} {
		if got := len(ms.DMs(id)); got != want {
			t.Errorf("%s got %d messages, want %d", id, got, want)
		}
	}
	if dm := ms.DMs("U0SPARE1"); len(dm) == 1 && len(dm[0].Body) != 2 {
		t.Errorf("message body = %q, want the ask and how to enroll", dm[0].Body)
	}
	if _, err := rig.Bot.CampaignJob(bot.Campaign{Name: "All Staff", Group: c.Group}, bot.CampaignSchedule{Every: time.Hour}); err == nil {
		t.Error("a campaign named with spaces and capitals was accepted")
	}
}
