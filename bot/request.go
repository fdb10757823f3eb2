package bot

// Request is one slash command (or Teams/Discord equivalent) as a platform
// package translated it.
type Request struct {
	From User
	// Text is what followed the command, e.g. "", "unlock", "for <@U1>".
	Text string
	// Mentions are the users mentioned in Text, in order, resolved by the
	// platform from its own mention syntax.
	Mentions []User
	// Respond answers the requester privately after the first reply.
	Respond Responder
}

// Action is a button click as a platform package translated it.
type Action struct {
	From     User
	ActionID string
	Value    string
	Respond  Responder
}
