package discord

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/flows"
)

// Platform is the name Discord chat identities carry.
const Platform = "discord"

// subcommandName is Discord's rule for command and option names.
var subcommandName = regexp.MustCompile(`^[-_a-z0-9]{1,32}$`)

// identity is a Discord user as the core knows chat users.
func identity(id string) flows.ChatIdentity {
	return flows.ChatIdentity{Platform: Platform, UserID: id}
}

// botUser translates a Discord user. Discord gives bots no email, so Email
// stays empty and identity mapping goes by the user id.
func botUser(u wireUser, locale string) bot.User {
	return bot.User{ID: identity(u.ID), Name: u.displayName(), Locale: bot.LocaleOf(locale, "")}
}

// translateCommand turns an APPLICATION_COMMAND's data into the core's
// command text and mentions: "/reset password" is "", "/reset for
// user:@x" is "for <@discord:x>" with x in the mentions. Subcommands the
// core does not know pass through by name, so the core answers them (with
// help) in its own words. Errors wrap errBadInteraction or errUnsupported.
func translateCommand(raw json.RawMessage) (text string, mentions []bot.User, err error) {
	var d commandData
	if err := json.Unmarshal(raw, &d); err != nil {
		return "", nil, fmt.Errorf("%w: command data: %w", errBadInteraction, err)
	}
	// Either command name carries any subcommand: a server still holding
	// the registration from before /reset-helpdesk existed sends "/reset
	// for", and the core, not the command name, decides who is helpdesk.
	if d.Name != CommandName && d.Name != HelpdeskCommandName {
		return "", nil, fmt.Errorf("%w: command %q", errUnsupported, d.Name)
	}
	switch len(d.Options) {
	case 0:
		return "", nil, nil // registered without subcommands: the default reset
	case 1:
	default:
		return "", nil, fmt.Errorf("%w: %d top-level options", errBadInteraction, len(d.Options))
	}
	sub := d.Options[0]
	if sub.Type != optionSubcommand || !subcommandName.MatchString(sub.Name) {
		return "", nil, fmt.Errorf("%w: option %q of type %d is not a subcommand", errBadInteraction, sub.Name, sub.Type)
	}
	if sub.Name == SubPassword {
		return "", nil, nil
	}
	text = sub.Name
	var arg string
	for _, o := range sub.Options {
		if (o.Name == OptionPasskey || o.Name == OptionReason) && o.Type == optionString {
			if err := json.Unmarshal(o.Value, &arg); err != nil {
				return "", nil, fmt.Errorf("%w: %s option is not a string", errBadInteraction, o.Name)
			}
			continue
		}
		if o.Name != OptionUser || o.Type != optionUser {
			continue
		}
		var id string
		if err := json.Unmarshal(o.Value, &id); err != nil || !snowflake.MatchString(id) {
			return "", nil, fmt.Errorf("%w: user option is not a user id", errBadInteraction)
		}
		u := bot.User{ID: identity(id)}
		if r, ok := d.Resolved.Users[id]; ok {
			u.Name = r.displayName()
		}
		mentions = append(mentions, u)
		text += " " + bot.Mention(u.ID)
	}
	if f := strings.Fields(arg); len(f) > 0 {
		// After the mention, as typed on the other platforms; the core
		// reads it as a name or a reason, never as a mention.
		text += " " + strings.Join(f, " ")
	}
	return text, mentions, nil
}

// translateComponent turns a MESSAGE_COMPONENT's data into the clicked
// button's action id and value. Only buttons exist in our messages.
func translateComponent(raw json.RawMessage) (actionID, value string, err error) {
	var d componentData
	if err := json.Unmarshal(raw, &d); err != nil {
		return "", "", fmt.Errorf("%w: component data: %w", errBadInteraction, err)
	}
	if d.ComponentType != componentButton {
		return "", "", fmt.Errorf("%w: component type %d", errUnsupported, d.ComponentType)
	}
	return decodeCustomID(d.CustomID)
}
