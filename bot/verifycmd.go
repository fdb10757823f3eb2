package bot

import (
	"strings"
	"unicode/utf8"
)

// MaxVerifyReason bounds the reason of "verify": a line for the target
// and the audit log, not a letter.
const MaxVerifyReason = 200

// parseVerify reads "verify @user [reason]": exactly one mention, and
// after it an optional reason kept as typed (case and words, spaces made
// single), since the target reads it. text is the original command text,
// not the lower-cased words ParseCommand works on.
func parseVerify(text string, mentions []User) (Command, error) {
	if len(mentions) != 1 {
		return Command{}, &CommandError{Text: text, Why: "needs exactly one @mention"}
	}
	words := strings.Fields(text)
	if len(words) > 1 && strings.EqualFold(strings.TrimPrefix(words[0], "/"), string(VerbReset)) {
		words = words[1:] // "reset verify ..." where there is no slash command
	}
	rest, found := cutMention(words[1:], mentions[0])
	if !found {
		return Command{}, &CommandError{Text: text, Why: "needs @user"}
	}
	reason := strings.Join(rest, " ")
	if utf8.RuneCountInString(reason) > MaxVerifyReason {
		return Command{}, &CommandError{Text: text, Why: "reason too long"}
	}
	t := mentions[0]
	return Command{Verb: VerbVerify, Target: &t, Reason: reason}, nil
}
