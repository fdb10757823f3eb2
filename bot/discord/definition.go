package discord

import (
	"github.com/bwmarrin/discordgo"

	"github.com/resetbot/resetbot/bot"
)

// CommandName is the application command everyone uses. Discord allows no
// options next to subcommands, so every verb of the core is a subcommand
// of /reset ("/reset password", "/reset unlock").
const CommandName = "reset"

// HelpdeskCommandName is the helpdesk's command ("/reset-helpdesk for
// user:@x"). It is a command of its own because Discord sets who may see
// and use a command (default_member_permissions) per top-level command,
// never per subcommand.
const HelpdeskCommandName = "reset-helpdesk"

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
	SubWho       = "who"
	SubRevoke    = "revoke"
	SubVerify    = "verify"

	// OptionUser is the user option of SubFor, SubEnrollFor and SubWho.
	OptionUser = "user"
	// OptionPasskey is SubRevoke's passkey name (or "all").
	OptionPasskey = "passkey"
	// OptionReason is SubVerify's optional reason, shown to the target.
	OptionReason = "reason"
)

// helpdeskSub reports whether a subcommand belongs to HelpdeskCommandName.
func helpdeskSub(name string) bool {
	return name == SubFor || name == SubEnrollFor || name == SubReport || name == SubWho || name == SubRevoke || name == SubVerify
}

// described is one description in English (the default Discord shows)
// and in the catalogue's other languages, by Discord locale.
type described struct{ en, de, fr, es string }

func (d described) localized() map[discordgo.Locale]string {
	return map[discordgo.Locale]string{
		discordgo.German: d.de, discordgo.French: d.fr,
		discordgo.SpanishES: d.es, discordgo.SpanishLATAM: d.es,
	}
}

// The descriptions the command picker shows. They are registration
// metadata, not bot replies: the core's catalogue words the answers.
var descriptions = map[string]described{
	CommandName: {
		"Reset your password, unlock your account or set up a passkey",
		"Passwort zurücksetzen, Konto entsperren oder Passkey einrichten",
		"Réinitialiser votre mot de passe, débloquer votre compte ou créer une clé d'accès",
		"Restablecer tu contraseña, desbloquear tu cuenta o configurar una llave de acceso",
	},
	HelpdeskCommandName: {
		"Helpdesk: send verified links and see the report",
		"Helpdesk: verifizierte Links senden und den Bericht sehen",
		"Support : envoyer des liens vérifiés et voir le rapport",
		"Soporte: enviar enlaces verificados y ver el informe",
	},
	SubPassword: {
		"Reset your password (verified with your passkey on your phone)",
		"Passwort zurücksetzen (bestätigt mit deinem Passkey auf dem Handy)",
		"Réinitialiser votre mot de passe (vérifié par votre clé d'accès sur votre téléphone)",
		"Restablecer tu contraseña (verificado con tu llave de acceso en el móvil)",
	},
	SubUnlock: {
		"Unlock your account after too many wrong passwords",
		"Konto nach zu vielen falschen Passwörtern entsperren",
		"Débloquer votre compte après trop de mots de passe erronés",
		"Desbloquear tu cuenta tras demasiadas contraseñas incorrectas",
	},
	SubEnroll: {
		"Set up a passkey or authenticator app for resets",
		"Passkey oder Authenticator-App für das Zurücksetzen einrichten",
		"Configurer une clé d'accès ou une application d'authentification",
		"Configurar una llave de acceso o una app de autenticación",
	},
	SubStatus: {
		"See what you have set up",
		"Sehen, was du eingerichtet hast",
		"Voir ce que vous avez configuré",
		"Ver lo que tienes configurado",
	},
	SubCancel: {
		"Cancel a link you asked for",
		"Einen angeforderten Link abbrechen",
		"Annuler un lien que vous avez demandé",
		"Cancelar un enlace que pediste",
	},
	SubHelp: {
		"How to use /reset",
		"So benutzt du /reset",
		"Comment utiliser /reset",
		"Cómo usar /reset",
	},
	SubFor: {
		"Send someone a verified reset link",
		"Jemandem einen verifizierten Link zum Zurücksetzen senden",
		"Envoyer à quelqu'un un lien de réinitialisation vérifié",
		"Enviar a alguien un enlace de restablecimiento verificado",
	},
	SubEnrollFor: {
		"Send someone a link to set up a passkey",
		"Jemandem einen Link zum Einrichten eines Passkeys senden",
		"Envoyer à quelqu'un un lien pour créer une clé d'accès",
		"Enviar a alguien un enlace para configurar una llave de acceso",
	},
	SubReport: {
		"Resets, outcomes and time saved",
		"Zurücksetzungen, Ergebnisse und gesparte Zeit",
		"Réinitialisations, résultats et temps gagné",
		"Restablecimientos, resultados y tiempo ahorrado",
	},
	SubWho: {
		"See someone's passkeys and account state (only you see it)",
		"Passkeys und Kontostatus einer Person sehen (nur für dich sichtbar)",
		"Voir les clés d'accès et l'état du compte de quelqu'un (visible par vous seul)",
		"Ver las llaves de acceso y el estado de la cuenta de alguien (solo lo ves tú)",
	},
	SubRevoke: {
		"Remove a lost phone's passkey (or all factors) from someone",
		"Passkey eines verlorenen Handys (oder alle Faktoren) entfernen",
		"Retirer la clé d'accès d'un téléphone perdu (ou tous les facteurs)",
		"Quitar la llave de acceso de un móvil perdido (o todos los factores)",
	},
	SubVerify: {
		"Ask a caller to confirm with their passkey that it is them",
		"Einen Anrufer bitten, mit dem eigenen Passkey zu bestätigen, dass er es ist",
		"Demander à un appelant de confirmer avec sa clé d'accès que c'est lui",
		"Pedir a quien llama que confirme con su llave de acceso que es él",
	},
	OptionReason: {
		"Why you ask (the person reads it)",
		"Warum Sie fragen (die Person liest es)",
		"Pourquoi vous demandez (la personne le lit)",
		"Por qué lo pides (la persona lo lee)",
	},
	OptionPasskey: {
		"The passkey's name, or all",
		"Name des Passkeys, oder all",
		"Le nom de la clé d'accès, ou all",
		"El nombre de la llave de acceso, o all",
	},
	OptionUser: {
		"Who gets the link",
		"Wer den Link bekommt",
		"Qui reçoit le lien",
		"Quién recibe el enlace",
	},
}

// helpdeskPermissions is the default_member_permissions of the helpdesk
// command: "0" shows it to server administrators only, until one grants it
// to the helpdesk role under Server Settings > Integrations. The bot still
// checks the directory's helpdesk group at every use.
var helpdeskPermissions int64 = 0

// Commands returns the definitions that `resetbot discord register`
// sends to Discord: /reset for everyone and /reset-helpdesk, hidden from
// members without a permission. They are the contract between Discord's
// client and translate: every subcommand here must translate to a command
// the core knows (a test holds them together). Both work in servers and
// /reset also in the bot's DMs.
func Commands() []*discordgo.ApplicationCommand {
	sub := func(name string, opts ...*discordgo.ApplicationCommandOption) *discordgo.ApplicationCommandOption {
		d := descriptions[name]
		return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand, Name: name,
			Description: d.en, DescriptionLocalizations: d.localized(), Options: opts}
	}
	user := func() *discordgo.ApplicationCommandOption {
		d := descriptions[OptionUser]
		return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionUser, Name: OptionUser,
			Description: d.en, DescriptionLocalizations: d.localized(), Required: true}
	}
	passkey := func() *discordgo.ApplicationCommandOption {
		d := descriptions[OptionPasskey]
		return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: OptionPasskey,
			Description: d.en, DescriptionLocalizations: d.localized(), Required: true, MaxLength: 64}
	}
	reason := func() *discordgo.ApplicationCommandOption {
		d := descriptions[OptionReason]
		return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: OptionReason,
			Description: d.en, DescriptionLocalizations: d.localized(), MaxLength: bot.MaxVerifyReason}
	}
	// dm says whether the command may be used in a DM with the bot. Where a
	// command can be used is dm_permission in discordgo v0.28.1 (the newest
	// approved release); Discord's newer contexts field means the same for
	// guild-installed apps, which is the only way resetbot is installed.
	command := func(name string, dm bool, opts ...*discordgo.ApplicationCommandOption) *discordgo.ApplicationCommand {
		d := descriptions[name]
		loc := d.localized()
		return &discordgo.ApplicationCommand{
			Type: discordgo.ChatApplicationCommand, Name: name,
			Description: d.en, DescriptionLocalizations: &loc,
			DMPermission: &dm, Options: opts,
		}
	}
	reset := command(CommandName, true,
		sub(SubPassword), sub(SubUnlock), sub(SubEnroll), sub(SubStatus), sub(SubCancel), sub(SubHelp))
	helpdesk := command(HelpdeskCommandName, false,
		sub(SubFor, user()), sub(SubEnrollFor, user()), sub(SubReport), sub(SubWho, user()), sub(SubRevoke, user(), passkey()),
		sub(SubVerify, user(), reason()))
	perms := helpdeskPermissions
	helpdesk.DefaultMemberPermissions = &perms
	return []*discordgo.ApplicationCommand{reset, helpdesk}
}
