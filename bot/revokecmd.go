package bot

import (
	"strings"

	"github.com/resetbot/resetbot/flows"
)

// RevokeAll is the "revoke" argument that removes every factor.
const RevokeAll = flows.RevokeAll

// parseRevoke reads "revoke @user <passkey name | all>": exactly one
// mention, and after it the passkey's name or "all". The name is kept as
// typed (case kept, spaces made single): the store matches it
// case-insensitively, and the helpdesk reads it back in the approval
// request and the thread as they wrote it, not lower-cased. text is the
// original command text, not the lower-cased words ParseCommand works on.
// The argument is required: a lost phone is one passkey, and removing
// everything must be said.
func parseRevoke(text string, mentions []User) (Command, error) {
	if len(mentions) != 1 {
		return Command{}, &CommandError{Text: text, Why: "needs exactly one @mention"}
	}
	words := strings.Fields(text)
	if len(words) > 1 && strings.EqualFold(strings.TrimPrefix(words[0], "/"), string(VerbReset)) {
		words = words[1:] // "reset revoke ..." where there is no slash command
	}
	rest, found := cutMention(words[1:], mentions[0])
	if !found || len(rest) == 0 {
		return Command{}, &CommandError{Text: text, Why: "needs @user and a passkey name or all"}
	}
	name := strings.Join(rest, " ")
	if strings.EqualFold(name, RevokeAll) {
		name = RevokeAll
	}
	t := mentions[0]
	return Command{Verb: VerbRevoke, Target: &t, Passkey: name}, nil
}
