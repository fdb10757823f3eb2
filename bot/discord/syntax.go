package discord

import (
	"strings"

	"github.com/resetbot/resetbot/bot"
)

var _ bot.CommandSyntax = (*Messenger)(nil)

// CommandText implements bot.CommandSyntax: on Discord every action is a
// subcommand of /reset, the plain reset is "/reset password", and a user
// is picked with the user option.
func (m *Messenger) CommandText(args string) string {
	verb, rest, _ := strings.Cut(args, " ")
	switch {
	case verb == "":
		return "/" + CommandName + " " + SubPassword
	case rest != "":
		return "/" + CommandName + " " + verb + " user:" + rest
	}
	return "/" + CommandName + " " + verb
}
