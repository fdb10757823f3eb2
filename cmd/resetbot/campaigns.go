package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/cmd/resetbot/internal/config"
)

// botCampaigns turns the configured campaigns into the core's, for the
// jobs and for the report's progress lines.
func botCampaigns(c *config.Config) []bot.Campaign {
	out := make([]bot.Campaign, len(c.Campaigns))
	for i, k := range c.Campaigns {
		out[i] = bot.Campaign{
			Name: k.Name, Group: k.Group, Message: k.Message,
			RemindEvery:       time.Duration(k.RemindEveryDays) * 24 * time.Hour,
			IncludePrivileged: k.IncludePrivileged,
		}
	}
	return out
}

// campaignJobs is serve's enrollment campaign loop: every replica ticks
// each campaign, and the core's lease lets one run each scheduled slot.
type campaignJobs struct {
	jobs []*bot.CampaignJob
	log  *slog.Logger
}

// newCampaignJobs returns the jobs of the configured campaigns, or nil
// when there are none.
func newCampaignJobs(c *config.Config, core *bot.Bot, log *slog.Logger) (*campaignJobs, error) {
	if len(c.Campaigns) == 0 {
		return nil, nil
	}
	j := &campaignJobs{log: log}
	for i, bc := range botCampaigns(c) {
		every, at, _, _ := c.Campaigns[i].Schedule() // validated
		job, err := core.CampaignJob(bc, bot.CampaignSchedule{Every: every, At: at})
		if err != nil {
			return nil, atKey(fmt.Sprintf("campaigns[%d]", i), err)
		}
		j.jobs = append(j.jobs, job)
	}
	return j, nil
}

// run ticks until ctx ends.
func (j *campaignJobs) run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		for _, job := range j.jobs {
			run, ran, err := job.Tick(ctx)
			name := job.Campaign().Name
			if err != nil && ctx.Err() == nil {
				j.log.Warn("enrollment campaign failed", "campaign", name, "err", err)
			}
			if ran {
				j.log.Info("enrollment campaign run", "campaign", name, "members", run.Members, "enrolled", run.Enrolled,
					"skipped", run.Skipped, "targeted", run.Targeted, "messaged", run.Messaged, "not_yet", run.NotYet,
					"no_chat_identity", run.NoChatIdentity, "failed", run.Failed)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
