package bot

import "strings"

// RevokeAll is the "revoke" argument that removes every factor.
const RevokeAll = "all"

// parseRevoke reads "revoke @user <passkey name | all>": exactly one
// mention, and after it the passkey's name (case-insensitive, spaces
// kept as single spaces) or "all". The argument is required: a lost phone
// is one passkey, and removing everything must be said.
func parseRevoke(text string, words []string, mentions []User) (Command, error) {
	if len(mentions) != 1 {
		return Command{}, &CommandError{Text: text, Why: "needs exactly one @mention"}
	}
	token := strings.ToLower(Mention(mentions[0].ID))
	var rest []string
	found := false
	for _, w := range words[1:] {
		if w == token && !found {
			found = true
			continue
		}
		rest = append(rest, w)
	}
	if !found || len(rest) == 0 {
		return Command{}, &CommandError{Text: text, Why: "needs @user and a passkey name or all"}
	}
	t := mentions[0]
	return Command{Verb: VerbRevoke, Target: &t, Passkey: strings.Join(rest, " ")}, nil
}
