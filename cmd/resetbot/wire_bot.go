package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/discord"
	"github.com/resetbot/resetbot/bot/platform"
	"github.com/resetbot/resetbot/bot/slack"
	"github.com/resetbot/resetbot/bot/teams"
	"github.com/resetbot/resetbot/cmd/resetbot/internal/config"
	"github.com/resetbot/resetbot/credentials"
	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
)

// newBot builds the chat core from the configuration; meter (which may be
// nil) counts the requests it acknowledged and could not carry out.
func newBot(c *config.Config, engine *flows.Engine, dir directory.Directory, store flows.Store, creds credentials.Store, log *slog.Logger, meter bot.WorkMeter) (*bot.Bot, error) {
	identity := map[string]bot.IdentityRule{}
	for platform, rule := range c.Identity {
		identity[platform] = bot.IdentityRule{By: bot.IdentityBy(rule.By)}
	}
	return bot.New(bot.Config{
		PublicBaseURL:   c.Server.PublicBaseURL,
		Identity:        identity,
		HelpdeskGroup:   c.Helpdesk.Group,
		HelpdeskContact: c.Helpdesk.Contact,
		ApproverPasskey: c.Helpdesk.ApproverPasskey,
		Alerts: bot.AlertConfig{
			SpikeRequests:       c.Alerts.SpikeRequests,
			SpikeWindow:         c.Alerts.SpikeWindow,
			DepartmentRequests:  c.Alerts.DepartmentRequests,
			FailedVerifications: c.Alerts.FailedVerifications,
		},
		CostPerTicket: c.Helpdesk.CostPerTicket,
		Currency:      c.Helpdesk.Currency,
		ReportGroups:  c.Report.Groups,
		Campaigns:     botCampaigns(c),
		Location:      c.Helpdesk.Locale().Location(),
		Language:      c.Helpdesk.Language,

		InteractionsPerMinute: c.Limits.InteractionsPerIdentityPerMinute,
		ThreadLease:           c.Audit.ClaimIdle,
	}, bot.Deps{Engine: engine, Directory: dir, Store: store, Factors: factorsOf{creds}, Log: log, Meter: meter})
}

// chatPlatform is a chat platform the configuration can turn on (by an
// identity rule for it) and how to build it from the file.
type chatPlatform struct {
	name string
	// credentials is the config key a failed credential check names.
	credentials string
	build       func(c *config.Config, core *bot.Bot, once bot.Once, log *slog.Logger, meter platform.CallMeter) (platform.App, error)
}

// chatPlatforms are the platforms serve wires, in this order; each has the
// shape platform.App, so serve has one loop for them all.
var chatPlatforms = []chatPlatform{
	{slack.Platform, "slack.bot_token", func(c *config.Config, core *bot.Bot, once bot.Once, log *slog.Logger, meter platform.CallMeter) (platform.App, error) {
		return asApp(slack.New(c.Slack.App(), core, once, slack.WithLogger(log), slack.WithCallMeter(meter)))
	}},
	{teams.Platform, "teams.app_password", func(c *config.Config, core *bot.Bot, once bot.Once, log *slog.Logger, meter platform.CallMeter) (platform.App, error) {
		return asApp(teams.New(c.Teams.App(), core, once, teams.WithLogger(log), teams.WithCallMeter(meter)))
	}},
	{discord.Platform, "discord.bot_token", func(c *config.Config, core *bot.Bot, once bot.Once, log *slog.Logger, meter platform.CallMeter) (platform.App, error) {
		return asApp(discord.New(c.Discord.App(), core, once, discord.WithLogger(log), discord.WithCallMeter(meter)))
	}},
}

// wirePlatforms builds every chat platform the configuration turns on (by
// an identity rule for it), checks its credentials where it can, and adds
// its Messenger to the core.
func (s *server) wirePlatforms(ctx context.Context, once bot.Once) error {
	for _, p := range append(chatPlatforms[:len(chatPlatforms):len(chatPlatforms)], s.extra...) {
		if _, on := s.cfg.Identity[p.name]; !on {
			continue
		}
		app, err := p.build(s.cfg, s.bot, once, s.log, s.chatm)
		if err != nil {
			return err
		}
		s.closers = append(s.closers, app.Close)
		if c, ok := app.(platform.Checker); ok {
			if err := c.Check(ctx); err != nil {
				return atKey(p.credentials, err)
			}
		}
		s.bot.AddPlatform(p.name, app.Messenger())
		s.apps = append(s.apps, app)
		s.platforms = append(s.platforms, p.name)
	}
	return nil
}

// mountPlatforms serves each platform's webhooks on mux.
func (s *server) mountPlatforms(mux *http.ServeMux) {
	for _, app := range s.apps {
		if routes := app.Routes(); routes != nil {
			mux.Handle(app.Path(), routes)
		}
	}
}

// runPlatforms starts what each platform runs besides its routes (Slack's
// Socket Mode) until ctx ends.
func (s *server) runPlatforms(ctx context.Context, wg *sync.WaitGroup) {
	for i, app := range s.apps {
		wg.Go(func() {
			if err := app.Run(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("chat platform stopped", "platform", s.platforms[i], "err", err)
			}
		})
	}
}

// asApp returns a platform's New result as a platform.App, and a nil
// interface (not a typed nil) on error.
func asApp[A platform.App](app A, err error) (platform.App, error) {
	if err != nil {
		return nil, err
	}
	return app, nil
}

// factorsOf lets the bot core read enrolled factor counts without importing
// the credential store (and with it the WebAuthn library).
type factorsOf struct{ credentials.Store }

// Factors implements bot.Factors.
func (f factorsOf) Factors(ctx context.Context, accountID string) (bot.FactorCount, error) {
	s, err := f.Summary(ctx, accountID)
	return bot.FactorCount{Passkeys: s.Passkeys, TOTP: s.TOTP}, err
}

// RevokeFactors implements bot.FactorRevoker: the passkeys whose name
// matches (case-insensitive), or for bot.RevokeAll every passkey and the
// authenticator app.
func (f factorsOf) RevokeFactors(ctx context.Context, accountID, name string) ([]string, error) {
	pks, err := f.Passkeys(ctx, accountID)
	if err != nil && !errors.Is(err, credentials.ErrNotFound) {
		return nil, err
	}
	all := strings.EqualFold(name, bot.RevokeAll)
	var removed []string
	for _, p := range pks {
		if !all && !strings.EqualFold(strings.Join(strings.Fields(p.Name), " "), name) {
			continue
		}
		if err := f.RemovePasskey(ctx, accountID, p.Credential.ID); err != nil && !errors.Is(err, credentials.ErrNotFound) {
			return removed, err
		}
		removed = append(removed, p.Name)
	}
	if all {
		switch err := f.RemoveTOTP(ctx, accountID); {
		case err == nil:
			removed = append(removed, bot.RevokedApp)
		case !errors.Is(err, credentials.ErrNotFound):
			return removed, err
		}
	}
	return removed, nil
}

// FactorDetails implements bot.FactorLister for "/reset who": a passkey is
// synced when its authenticator flagged it backup eligible (a
// multi-device credential).
func (f factorsOf) FactorDetails(ctx context.Context, accountID string) (bot.FactorDetails, error) {
	pks, err := f.Passkeys(ctx, accountID)
	if err != nil {
		return bot.FactorDetails{}, err
	}
	var d bot.FactorDetails
	for _, p := range pks {
		d.Passkeys = append(d.Passkeys, bot.PasskeyInfo{Name: p.Name, AddedAt: p.CreatedAt, LastUsed: p.LastUsedAt, Synced: p.Credential.Flags.BackupEligible})
	}
	s, err := f.Summary(ctx, accountID)
	d.TOTP = s.TOTP
	return d, err
}
