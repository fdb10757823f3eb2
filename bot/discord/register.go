package discord

import (
	"context"
	"errors"
	"fmt"

	"github.com/bwmarrin/discordgo"
)

// Registration is what `resetbot discord register` needs: less than a
// full Config, because registering commands is a one-off admin step that
// runs before a helpdesk channel or public key matter.
type Registration struct {
	ApplicationID string
	BotToken      string
	// GuildID registers the command in one server only, where changes
	// show at once; empty registers it globally (all servers the app is
	// in, and DMs with the bot).
	GuildID string
	// APIURL is the REST API base URL; empty means DefaultAPIURL.
	APIURL string
}

// Register replaces the application's commands (globally or in one guild)
// with Commands(), so re-running it is safe and removes stale definitions.
// It returns the definitions as Discord stored them.
func Register(ctx context.Context, reg Registration, opts ...Option) ([]*discordgo.ApplicationCommand, error) {
	var errs []error
	if !snowflake.MatchString(reg.ApplicationID) {
		errs = append(errs, fmt.Errorf("application id %q is not a Discord id", reg.ApplicationID))
	}
	if reg.BotToken == "" {
		errs = append(errs, errors.New("bot token is empty"))
	}
	if reg.GuildID != "" && !snowflake.MatchString(reg.GuildID) {
		errs = append(errs, fmt.Errorf("guild id %q is not a Discord id", reg.GuildID))
	}
	cfg := Config{ApplicationID: reg.ApplicationID, BotToken: reg.BotToken, APIURL: reg.APIURL}
	if err := validateAPIURL(reg.APIURL); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("discord register: %w", errors.Join(errs...))
	}
	s, err := newSession(cfg, newOptions(opts))
	if err != nil {
		return nil, err
	}
	out, err := s.ApplicationCommandBulkOverwrite(reg.ApplicationID, reg.GuildID, Commands(), call(ctx))
	return out, apiError("register commands", err)
}
