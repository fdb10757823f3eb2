package bot

import (
	"context"
	"errors"
	"time"
)

// CampaignSchedule says when a campaign runs: every Every (aligned to the
// epoch, so every replica agrees on the slots), or, when Every is zero,
// once a day at At after midnight in the configured time zone.
type CampaignSchedule struct {
	Every time.Duration
	At    time.Duration
}

// CampaignJob runs one campaign on its schedule. Create it with
// (*Bot).CampaignJob; serve calls Tick every minute on every replica, and
// a lease in Redis per slot makes one of them run it: nothing is keyed on
// a host name.
type CampaignJob struct {
	b     *Bot
	c     Campaign
	s     CampaignSchedule
	lease time.Duration
	// ran is the last slot this replica ran, so it runs a slot once.
	ran string
}

// CampaignJob returns the job for c on schedule s.
func (b *Bot) CampaignJob(c Campaign, s CampaignSchedule) (*CampaignJob, error) {
	c, err := checkCampaign(c)
	if err != nil {
		return nil, err
	}
	if s.Every < 0 || s.Every == 0 && (s.At < 0 || s.At >= day) {
		return nil, errors.New("bot: a campaign schedule is a positive interval or a time of day")
	}
	// The lease outlives a run (a run of thousands of messages a second
	// apart takes a while) but never a slot, so a replica that died
	// mid-run is replaced by the next slot at the latest; a second run of
	// a slot is harmless, as every message is marked before it is sent.
	lease := time.Hour
	if s.Every > 0 && s.Every < lease {
		lease = s.Every
	}
	return &CampaignJob{b: b, c: c, s: s, lease: lease}, nil
}

// Campaign is the job's campaign, defaults filled.
func (j *CampaignJob) Campaign() Campaign { return j.c }

// Tick runs the campaign when its slot has come, this replica has not run
// that slot yet and it wins the slot's lease. ran reports whether it ran.
func (j *CampaignJob) Tick(ctx context.Context) (run CampaignRun, ran bool, err error) {
	now := j.b.now()
	var slot string
	if j.s.Every > 0 {
		slot = now.UTC().Truncate(j.s.Every).Format(time.RFC3339)
	} else {
		local := now.In(j.b.cfg.Location)
		midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, j.b.cfg.Location)
		if now.Before(midnight.Add(j.s.At)) {
			return CampaignRun{}, false, nil
		}
		slot = midnight.Format(time.DateOnly)
	}
	if j.ran == slot {
		return CampaignRun{}, false, nil
	}
	won, err := j.b.deps.Store.Claim(ctx, campaignKey(j.c, "lease", slot), j.lease)
	if err != nil || !won {
		return CampaignRun{}, false, err
	}
	j.ran = slot
	run, err = j.b.RunCampaign(ctx, j.c, now)
	return run, true, err
}
