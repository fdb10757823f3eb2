package discord

import (
	"github.com/bwmarrin/discordgo"
)

// CommandName is the one application command the bot registers. Discord
// allows no options next to subcommands, so every verb of the core is a
// subcommand of /reset ("/reset password", "/reset for user:@x").
const CommandName = "reset"

// Subcommand names. SubPassword is the plain reset: it has a name of its own
// because a command with subcommands cannot be invoked bare. The others
// are the core's verbs, so translation is the name itself.
const (
	SubPassword  = "password"
	SubUnlock    = "unlock"
	SubEnroll    = "enroll"
	SubStatus    = "status"
	SubCancel    = "cancel"
	SubHelp      = "help"
	SubFor       = "for"
	SubEnrollFor = "enroll-for"
	SubReport    = "report"

	// OptionUser is the user option of SubFor and SubEnrollFor.
	OptionUser = "user"
)

// Command returns the /reset definition that `resetbot discord register`
// sends to Discord. It is the contract between Discord's client and
// translate: every subcommand here must translate to a command the core
// knows (a test holds them together). Descriptions are what Discord's
// command picker shows; they are registration metadata, not bot replies.
// The command works in servers and in the bot's DMs, for every member:
// the core decides who may use the helpdesk subcommands.
func Command() *discordgo.ApplicationCommand {
	sub := func(name, desc string, opts ...*discordgo.ApplicationCommandOption) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand, Name: name, Description: desc, Options: opts}
	}
	user := func(desc string) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionUser, Name: OptionUser, Description: desc, Required: true}
	}
	contexts := []discordgo.InteractionContextType{discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM}
	installs := []discordgo.ApplicationIntegrationType{discordgo.ApplicationIntegrationGuildInstall}
	return &discordgo.ApplicationCommand{
		Type:             discordgo.ChatApplicationCommand,
		Name:             CommandName,
		Description:      "Reset your password, unlock your account or set up a passkey",
		Contexts:         &contexts,
		IntegrationTypes: &installs,
		Options: []*discordgo.ApplicationCommandOption{
			sub(SubPassword, "Reset your password (verified with your passkey on your phone)"),
			sub(SubUnlock, "Unlock your account after too many wrong passwords"),
			sub(SubEnroll, "Set up a passkey or authenticator app for resets"),
			sub(SubStatus, "See what you have set up"),
			sub(SubCancel, "Cancel a link you asked for"),
			sub(SubHelp, "How to use /reset"),
			sub(SubFor, "Helpdesk: send someone a verified reset link", user("Who gets the link")),
			sub(SubEnrollFor, "Helpdesk: send someone a link to set up a passkey", user("Who gets the link")),
			sub(SubReport, "Helpdesk: resets, outcomes and time saved"),
		},
	}
}
