package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/resetbot/resetbot/flows"
)

// AlertConfig sets when the helpdesk channel gets an alert. A burst of
// reset requests is how a phishing wave or a credential-stuffing campaign
// looks from here; repeated failed verifications on one account are how an
// attacker with a stolen chat session looks.
type AlertConfig struct {
	// SpikeRequests alerts when this many requests arrive within
	// SpikeWindow, overall (default 20 in 10 minutes; negative: off).
	SpikeRequests int
	SpikeWindow   time.Duration
	// DepartmentRequests alerts when one department reaches this many
	// requests within SpikeWindow (0: off).
	DepartmentRequests int
	// FailedVerifications warns when one account fails verification this
	// many times within an hour (default 3; negative: off).
	FailedVerifications int
}

func (c AlertConfig) withDefaults() AlertConfig {
	if c.SpikeRequests == 0 {
		c.SpikeRequests = 20
	}
	if c.SpikeWindow <= 0 {
		c.SpikeWindow = 10 * time.Minute
	}
	if c.FailedVerifications == 0 {
		c.FailedVerifications = 3
	}
	return c
}

// spikeCheck counts a request and alerts once when a threshold is reached
// (the count equals the threshold exactly once per window).
func (b *Bot) spikeCheck(ctx context.Context, ms Messenger, ev flows.Event) error {
	a := b.cfg.Alerts
	if a.SpikeRequests > 0 {
		n, err := b.deps.Store.Hit(ctx, "alert:spike", a.SpikeWindow, ev.Time)
		if err != nil {
			return err
		}
		if n == int64(a.SpikeRequests) {
			if err := b.postAlert(ctx, ms, fmt.Sprintf("%d reset requests within %s. If you did not expect this, check for a phishing or password-spraying campaign.", n, a.SpikeWindow)); err != nil {
				return err
			}
		}
	}
	if a.DepartmentRequests > 0 && ev.Department != "" {
		n, err := b.deps.Store.Hit(ctx, "alert:spike:dept:"+ev.Department, a.SpikeWindow, ev.Time)
		if err != nil {
			return err
		}
		if n == int64(a.DepartmentRequests) {
			return b.postAlert(ctx, ms, fmt.Sprintf("%d reset requests from %s within %s.", n, ev.Department, a.SpikeWindow))
		}
	}
	return nil
}

// failureCheck warns once per hour when an account keeps failing.
func (b *Bot) failureCheck(ctx context.Context, ms Messenger, f *flows.Flow, ev flows.Event) error {
	limit := b.cfg.Alerts.FailedVerifications
	if limit <= 0 {
		return nil
	}
	n, err := b.deps.Store.Hit(ctx, "alert:vfail:"+f.Subject.AccountID, time.Hour, ev.Time)
	if err != nil {
		return err
	}
	if n != int64(limit) {
		return nil
	}
	return b.postAlert(ctx, ms, fmt.Sprintf("%d failed verifications for %s (%s) within an hour. Someone may be trying to take over this account; consider calling the user.",
		n, f.Subject.AccountName, Mention(f.Subject.Chat)))
}

func (b *Bot) postAlert(ctx context.Context, ms Messenger, text string) error {
	_, err := ms.PostHelpdesk(ctx, Message{Summary: "Alert: " + text, Title: "⚠ Alert", Body: []string{text}, Tone: ToneDanger})
	return err
}
