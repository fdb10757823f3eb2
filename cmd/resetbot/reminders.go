package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/cmd/resetbot/internal/config"
)

// reminderJob is serve's password-expiry reminder loop: every replica
// ticks, the core's lease lets one run each day.
type reminderJob struct {
	job                      *bot.Reminders
	at                       time.Duration
	sent, unreachable, fails prometheus.Counter
	log                      *slog.Logger
}

// newReminderJob registers the reminder metrics (always, so dashboards
// see zeros rather than nothing) and returns the job, or nil when
// reminders are off.
func newReminderJob(cfg config.Reminders, core *bot.Bot, reg prometheus.Registerer, log *slog.Logger) (*reminderJob, error) {
	counter := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Namespace: "resetbot", Name: name, Help: help})
	}
	j := &reminderJob{
		sent:        counter("reminders_sent_total", "Password-expiry reminders delivered by chat."),
		unreachable: counter("reminders_unreachable_total", "Expiring accounts no chat platform could name (counted on every run, never messaged)."),
		fails:       counter("reminders_failed_total", "Password-expiry reminders not delivered, or accounts whose chat identity lookup failed."),
		log:         log,
	}
	for _, c := range []prometheus.Collector{j.sent, j.unreachable, j.fails} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	if !cfg.Enabled {
		return nil, nil
	}
	at, _ := cfg.TimeOfDay() // validated
	job, err := core.Reminders(bot.ReminderConfig{Days: cfg.Days})
	if err != nil {
		return nil, err
	}
	j.job, j.at = job, at
	return j, nil
}

// run ticks until ctx ends.
func (j *reminderJob) run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		run, ran, err := j.job.Tick(ctx, j.at)
		if err != nil && ctx.Err() == nil {
			j.log.Warn("expiry reminders failed", "err", err)
		}
		if ran {
			j.sent.Add(float64(run.Sent))
			j.unreachable.Add(float64(run.NoChatIdentity))
			j.fails.Add(float64(run.Failed))
			j.log.Info("expiry reminders run", "expiring", run.Expiring, "sent", run.Sent, "already_sent", run.AlreadySent,
				"no_chat_identity", run.NoChatIdentity, "failed", run.Failed)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
