package bot

import (
	"context"
	"time"
)

// Figures are everything a report shows: the self-service counters, the
// enrollment compliance of the report's groups and, when campaigns run,
// their progress. They are computed in one place (Figures); "/reset
// report", the text, CSV and JSON of `resetbot report` only render them, so
// the chat and a spreadsheet never disagree.
type Figures struct {
	// At is when the figures were read.
	At         time.Time
	Stats      Stats
	Compliance Compliance
	// Campaigns is the progress of each configured campaign.
	Campaigns []CampaignProgress
}

// Figures reads the figures of the last days days for groups (the
// configured report groups when groups is empty).
func (b *Bot) Figures(ctx context.Context, days int, groups []string) (Figures, error) {
	if len(groups) == 0 {
		groups = b.cfg.ReportGroups
	}
	st, err := b.Collect(ctx, days)
	if err != nil {
		return Figures{}, err
	}
	c, err := b.Compliance(ctx, groups)
	if err != nil {
		return Figures{}, err
	}
	f := Figures{At: b.now().UTC(), Stats: st, Compliance: c}
	for _, k := range b.cfg.Campaigns {
		p, err := b.CampaignProgress(ctx, k)
		if err != nil {
			return Figures{}, err
		}
		f.Campaigns = append(f.Campaigns, p)
	}
	return f, nil
}
