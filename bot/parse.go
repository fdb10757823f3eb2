package bot

import (
	"strings"
)

// Verb is what a command asks for.
type Verb string

// The commands. The first group is for everyone, the second for the
// helpdesk.
const (
	VerbReset     Verb = "reset"
	VerbUnlock    Verb = "unlock"
	VerbEnroll    Verb = "enroll"
	VerbStatus    Verb = "status"
	VerbCancel    Verb = "cancel"
	VerbHelp      Verb = "help"
	VerbFor       Verb = "for"
	VerbEnrollFor Verb = "enroll-for"
	VerbReport    Verb = "report"
	VerbWho       Verb = "who"
	VerbRevoke    Verb = "revoke"
	VerbVerify    Verb = "verify"
)

// Command is a parsed request.
type Command struct {
	Verb Verb
	// Target is the mentioned user of "for", "enroll-for" and "who".
	Target *User
	// Passkey is what "revoke" removes: a passkey's name, or RevokeAll.
	Passkey string
	// Reason is the helpdesk member's "why" of "verify", as typed.
	Reason string
}

// ParseCommand reads the text after the command name. It is forgiving about
// case and spacing and strict about everything else: an unknown word or a
// helpdesk verb without exactly one mention is an error the caller answers
// with help.
func ParseCommand(text string, mentions []User) (Command, error) {
	words := strings.Fields(strings.ToLower(text))
	// Where the platform has no slash command (a Teams chat, the console),
	// people type the command name too, out of habit from the help text:
	// "reset unlock" means "unlock", while "reset" alone stays a reset.
	if len(words) > 1 && strings.TrimPrefix(words[0], "/") == string(VerbReset) {
		words = words[1:]
	}
	if len(words) == 0 {
		return Command{Verb: VerbReset}, nil
	}
	switch v := Verb(strings.TrimPrefix(words[0], "/")); v {
	case VerbReset, VerbUnlock, VerbEnroll, VerbStatus, VerbCancel, VerbHelp, VerbReport:
		if len(words) > 1 {
			return Command{}, &CommandError{Text: text, Why: "takes no arguments"}
		}
		return Command{Verb: v}, nil
	case VerbFor, VerbEnrollFor, VerbWho:
		if len(words) != 2 || len(mentions) != 1 {
			return Command{}, &CommandError{Text: text, Why: "needs exactly one @mention"}
		}
		t := mentions[0]
		return Command{Verb: v, Target: &t}, nil
	case VerbRevoke:
		return parseRevoke(text, mentions)
	case VerbVerify:
		return parseVerify(text, mentions)
	default:
		return Command{}, &CommandError{Text: text, Why: "unknown command"}
	}
}

// CommandError is a command the bot does not understand.
type CommandError struct {
	Text string
	Why  string
}

// Error implements error.
func (e *CommandError) Error() string { return "bot: " + e.Why + ": " + e.Text }
