package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/resetbot/resetbot/bot/discord"
)

const discordRegisterUsage = `usage:
  resetbot discord register --app-id ID [--guild ID]
      register the /reset command with Discord (globally, or in one server,
      where changes show at once). The bot token is read from the
      RESETBOT_DISCORD_TOKEN environment variable, never from the command
      line, which any local user can see in ps. --app-id defaults to
      RESETBOT_DISCORD_APP_ID.
`

// runDiscordRegister is "discord register": an admin step run once per
// application (and after an upgrade that changes the command), so it
// needs only the application id and bot token, not a full configuration.
func runDiscordRegister(ctx context.Context, args []string, stdout io.Writer) error {
	return discordRegister(ctx, args, os.Getenv, stdout)
}

// discordRegister is runDiscordRegister with the environment passed in,
// so a test can run it against a fake API (--api-url) without touching
// the process environment.
func discordRegister(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("discord register", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	appID := fs.String("app-id", getenv("RESETBOT_DISCORD_APP_ID"), "application id")
	guild := fs.String("guild", "", "register in this server only")
	apiURL := fs.String("api-url", "", "REST API base URL (proxies, tests)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, discordRegisterUsage)
			return nil
		}
		return usageError{fmt.Sprintf("discord register: %v", err)}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("discord register: unexpected argument %q", fs.Arg(0))}
	}
	if *appID == "" {
		return usageError{"discord register: --app-id (or RESETBOT_DISCORD_APP_ID) is required"}
	}
	token := getenv("RESETBOT_DISCORD_TOKEN")
	if token == "" {
		return usageError{"discord register: set RESETBOT_DISCORD_TOKEN to the bot token"}
	}
	cmds, err := discord.Register(ctx, discord.Registration{ApplicationID: *appID, BotToken: token, GuildID: *guild, APIURL: *apiURL})
	if err != nil {
		return err
	}
	where := "globally"
	if *guild != "" {
		where = "in server " + *guild
	}
	for _, c := range cmds {
		fmt.Fprintf(stdout, "registered /%s (id %s) %s\n", c.Name, c.ID, where)
	}
	return nil
}
