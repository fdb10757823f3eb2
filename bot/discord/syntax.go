package discord

import (
	"strings"

	"github.com/resetbot/resetbot/bot"
)

var _ bot.CommandSyntax = (*Messenger)(nil)

// CommandText implements bot.CommandSyntax: on Discord every action is a
// subcommand of /reset, or of /reset-helpdesk for the helpdesk's verbs;
// the plain reset is "/reset password", and a user is picked with the
// user option.
func (m *Messenger) CommandText(args string) string {
	verb, rest, _ := strings.Cut(args, " ")
	cmd := "/" + CommandName + " "
	if helpdeskSub(verb) {
		cmd = "/" + HelpdeskCommandName + " "
	}
	switch {
	case verb == "":
		return cmd + SubPassword
	case rest != "":
		return cmd + verb + " user:" + rest
	}
	return cmd + verb
}
