package bottest

import (
	"testing"

	"github.com/resetbot/resetbot/bot"
)

// Driver is one chat platform under test, driven through its real wire
// format (signed requests in, its API fake recording what comes out). The
// scenarios in Run are written once against this interface and run for
// every platform, so the platforms cannot drift apart in behaviour.
type Driver interface {
	// Platform is the name chat identities carry ("slack").
	Platform() string
	// Identity is how the platform's users map to directory accounts.
	Identity() bot.IdentityRule
	// User returns the platform user for an example-company account name;
	// a name the directory does not know gives a user it cannot map.
	User(account string) bot.User
	// Start connects the platform package to the core: its Messenger is
	// added to the bot and its inbound handler served against its fake.
	Start(t *testing.T, env Env)
	// Command delivers a command from a user as the platform would, and
	// returns the immediate reply as the user sees it.
	Command(t *testing.T, from bot.User, text string, mentions ...bot.User) Seen
	// RedeliverLast sends the last command again the way the platform
	// retries a delivery (an acknowledgement is all it needs), and returns
	// the immediate reply.
	RedeliverLast(t *testing.T) Seen
	// Click presses a button of a helpdesk message as a user.
	Click(t *testing.T, from bot.User, thread Thread, b SeenButton)
	// ClickPrivate presses button b of the newest message in owner's
	// private conversation with the bot that carries it, as user from,
	// signed as the platform signs a click (from is owner, or someone
	// replaying the button elsewhere, for refusal checks).
	ClickPrivate(t *testing.T, from, owner bot.User, b SeenButton)
	// Inbox is what one user saw privately (direct messages and private
	// answers), in order.
	Inbox(t *testing.T, u bot.User) []Seen
	// Threads is the helpdesk channel: each top-level message in its
	// current version, with its replies, in order.
	Threads(t *testing.T) []Thread
}

// Env is what a driver connects its platform package to.
type Env struct {
	Bot *bot.Bot
	// Once is the redelivery memory platforms deduplicate with.
	Once bot.Once
}

// Seen is a message as a user saw it, reduced to what scenarios check.
type Seen struct {
	// Text is all visible text, joined.
	Text string
	// Link is the URL of the link button, if any.
	Link string
	// Buttons are the interactive buttons.
	Buttons []SeenButton
}

// LinkMessage returns the message in seen that carries a link, wherever it
// is: a platform's first reply and the link travel on separate calls, so
// their order in the person's view is not fixed.
func LinkMessage(seen []Seen) (Seen, bool) {
	for _, m := range seen {
		if m.Link != "" {
			return m, true
		}
	}
	return Seen{}, false
}

// SeenButton is one button.
type SeenButton struct {
	ActionID string
	Value    string
	Label    string
}

// Thread is one helpdesk thread.
type Thread struct {
	// Ref identifies the thread to the driver (channel and message id).
	Ref     string
	Parent  Seen
	Replies []Seen
}
