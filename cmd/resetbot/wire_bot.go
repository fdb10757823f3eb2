package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/discord"
	"github.com/resetbot/resetbot/bot/slack"
	"github.com/resetbot/resetbot/bot/teams"
	"github.com/resetbot/resetbot/cmd/resetbot/internal/config"
	"github.com/resetbot/resetbot/credentials"
	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
)

// newBot builds the chat core from the configuration.
func newBot(c *config.Config, engine *flows.Engine, dir directory.Directory, store flows.Store, creds credentials.Store, log *slog.Logger) (*bot.Bot, error) {
	loc, err := time.LoadLocation(c.Helpdesk.Timezone)
	if err != nil {
		return nil, fmt.Errorf("helpdesk.timezone: %w", err)
	}
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
		Location:      loc,

		InteractionsPerMinute: c.Limits.InteractionsPerIdentityPerMinute,
	}, bot.Deps{Engine: engine, Directory: dir, Store: store, Factors: factorsOf{creds}, Log: log})
}

// slackConfig maps the file's Slack section, secrets resolved, onto the
// platform package's settings.
func slackConfig(c config.Slack) slack.Config {
	return slack.Config{
		Mode:              c.Mode,
		SigningSecret:     c.SigningSecret.Reveal(),
		BotToken:          c.BotToken.Reveal(),
		AppToken:          c.AppToken.Reveal(),
		APIURL:            c.APIURL,
		HelpdeskChannel:   c.HelpdeskChannel,
		HelpdeskUsergroup: c.HelpdeskUsergroup,
		TeamID:            c.TeamID,
		AppID:             c.AppID,
	}
}

// teamsConfig maps the file's Teams section onto the platform package's.
func teamsConfig(c config.Teams) teams.Config {
	return teams.Config{
		AppID:              c.AppID,
		AppPassword:        c.AppPassword.Reveal(),
		TenantID:           c.TenantID,
		HelpdeskChannelID:  c.HelpdeskChannelID,
		HelpdeskServiceURL: c.HelpdeskServiceURL,
		OpenIDMetadataURL:  c.OpenIDMetadataURL,
		TokenURL:           c.TokenURL,
	}
}

// discordConfig maps the file's Discord section onto the platform
// package's.
func discordConfig(c config.Discord) discord.Config {
	return discord.Config{
		ApplicationID:     c.ApplicationID,
		PublicKey:         c.PublicKey,
		BotToken:          c.BotToken.Reveal(),
		HelpdeskChannelID: c.HelpdeskChannelID,
		APIURL:            c.APIURL,
	}
}

// factorsOf lets the bot core read enrolled factor counts without importing
// the credential store (and with it the WebAuthn library).
type factorsOf struct{ credentials.Store }

// Factors implements bot.Factors.
func (f factorsOf) Factors(ctx context.Context, accountID string) (bot.FactorCount, error) {
	s, err := f.Summary(ctx, accountID)
	return bot.FactorCount{Passkeys: s.Passkeys, TOTP: s.TOTP}, err
}
