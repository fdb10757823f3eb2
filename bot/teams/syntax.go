package teams

import "github.com/resetbot/resetbot/bot"

var _ bot.CommandSyntax = (*Messenger)(nil)

// CommandText implements bot.CommandSyntax: in Teams users write to the
// bot in their personal chat, without a slash ("unlock", and "reset" for
// the plain reset).
func (m *Messenger) CommandText(args string) string {
	if args == "" {
		return "reset"
	}
	return args
}
