package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/i18n"
)

// User is a chat user as a platform reports them on an inbound request.
type User struct {
	// ID is the immutable platform id (Slack user id, Entra object id,
	// Discord user id): identity mapping keys on it, never on a name.
	ID flows.ChatIdentity
	// Email is set only when the platform vouches for it (Slack profile
	// email with users:read.email, Entra UPN); otherwise empty.
	Email string
	// Name is a display name, for wording only.
	Name string
	// Locale is the language and time zone the platform reports for the
	// user, when it does; flows started for them carry it.
	Locale flows.Locale
}

// LocaleOf is a platform's locale string ("de-DE", "fr") and IANA time
// zone as a flow keeps them: the catalogue language it matches (none when
// the catalogue has no language for it, so the configured one applies) and
// the zone when it loads.
func LocaleOf(locale, timeZone string) flows.Locale {
	var l flows.Locale
	if tag, ok := i18n.Find(locale); ok && locale != "" {
		l.Lang = tag.String()
	}
	if timeZone != "" {
		if _, err := time.LoadLocation(timeZone); err == nil {
			l.TimeZone = timeZone
		}
	}
	return l
}

// LocaleResolver is an optional Messenger capability for platforms whose
// requests do not say the user's language (Slack): it asks the platform
// (users.info with include_locale, which also gives the time zone), for
// requests and for messages sent without one (expiry reminders). Empty
// fields mean "not known".
type LocaleResolver interface {
	UserLocale(ctx context.Context, userID string) (flows.Locale, error)
}

// Messenger is what a platform package gives the core for outbound
// messages. Methods must be safe for concurrent use. A platform that is
// rate limited returns a *RetryAfterError so the caller waits and retries
// instead of dropping the message.
type Messenger interface {
	// SendPrivate delivers m to one user in a private conversation.
	SendPrivate(ctx context.Context, to flows.ChatIdentity, m Message) error
	// PostHelpdesk posts a top-level message in the helpdesk channel and
	// returns a reference to it, under which replies form a thread.
	PostHelpdesk(ctx context.Context, m Message) (thread string, err error)
	// UpdateHelpdesk replaces a top-level helpdesk message in place.
	UpdateHelpdesk(ctx context.Context, thread string, m Message) error
	// ReplyHelpdesk adds m to the thread under a top-level message.
	ReplyHelpdesk(ctx context.Context, thread string, m Message) error
}

// EmailResolver is an optional Messenger capability: it looks up the
// platform-verified email of a user, for identity mapping by email when the
// inbound request did not carry it.
type EmailResolver interface {
	UserEmail(ctx context.Context, userID string) (string, error)
}

// GroupResolver is an optional Messenger capability: it reports whether a
// user is in a platform-side group (a Slack user group) that counts as the
// helpdesk, in addition to the directory group.
type GroupResolver interface {
	InHelpdeskGroup(ctx context.Context, userID string) (bool, error)
}

// CommandSyntax is an optional Messenger capability: how users type a
// command on the platform, for help texts. Without it, commands are shown
// as slash commands ("/reset unlock").
type CommandSyntax interface {
	// CommandText returns what the user types for args ("" is the plain
	// reset, "unlock", "for @user").
	CommandText(args string) string
}

// Responder answers one inbound interaction privately and later (Slack's
// response_url, a Discord interaction follow-up, a reply in the Teams
// personal chat), after the platform's deadline for the first answer.
type Responder interface {
	Respond(ctx context.Context, m Message) error
}

// RetryAfterError says the platform asked us to slow down.
type RetryAfterError struct {
	After time.Duration
}

// Error implements error.
func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("rate limited: retry after %s", e.After)
}

// RetryAfter tells the audit reader how long to wait before retrying.
func (e *RetryAfterError) RetryAfter() time.Duration { return e.After }

// Mention renders a chat identity as a mention token that platform
// renderers turn into their native mention. Only this function can make
// one: the token carries this process's random mention key, so text from
// outside the core (a directory department, a browser's user agent, a
// refusal reason, a neutral "<@slack:U1>" typed by anyone) is never read as
// a mention, whatever it contains, and renderers escape it as text.
func Mention(id flows.ChatIdentity) string {
	if id.UserID == "" {
		return "someone"
	}
	return mentionOpen + mentionKey + id.Platform + ":" + id.UserID + mentionClose
}

// The mention token is mentionOpen, mentionKey, "platform:id", mentionClose.
// The brackets are private-use characters; mentionKey is 128 random bits
// drawn at start, never written anywhere: a token in text from outside
// would have to guess it.
const (
	mentionOpen  = "\uE010"
	mentionClose = "\uE011"
)

var mentionKey = newMentionKey()

func newMentionKey() string {
	var k [16]byte
	if _, err := rand.Read(k[:]); err != nil {
		panic("bot: no randomness for the mention key: " + err.Error())
	}
	return hex.EncodeToString(k[:])
}

// ReplaceMentions rewrites the mention tokens in s (made by Mention) with
// render's output; platforms call it while rendering text. Everything else
// is left as it is, except the token brackets themselves, which are
// dropped wherever they do not open a genuine token, so nothing a renderer
// passes on can look like one.
func ReplaceMentions(s string, render func(flows.ChatIdentity) string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, mentionOpen+mentionKey)
		if i < 0 {
			b.WriteString(stripBrackets(s))
			return b.String()
		}
		j := strings.Index(s[i:], mentionClose)
		if j < 0 {
			b.WriteString(stripBrackets(s))
			return b.String()
		}
		b.WriteString(stripBrackets(s[:i]))
		platform, id, ok := strings.Cut(s[i+len(mentionOpen)+len(mentionKey):i+j], ":")
		if ok && platform != "" && id != "" {
			b.WriteString(render(flows.ChatIdentity{Platform: platform, UserID: id}))
		}
		s = s[i+j+len(mentionClose):]
	}
}

func stripBrackets(s string) string {
	if !strings.Contains(s, mentionOpen) && !strings.Contains(s, mentionClose) {
		return s
	}
	return strings.NewReplacer(mentionOpen, "", mentionClose, "").Replace(s)
}

// ShowMentions writes each mention token in s as "<@platform:id>": for
// logs, the demo console's transcripts and tests, which compare words. Its
// output is text, not a message: a mention written this way is no mention.
func ShowMentions(s string) string {
	return ReplaceMentions(s, func(id flows.ChatIdentity) string { return "<@" + id.String() + ">" })
}
