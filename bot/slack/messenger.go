package slack

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/platform"
	"github.com/resetbot/resetbot/flows"
)

// Messenger is bot.Messenger on the Slack Web API: private messages in the
// user's DM with the bot (posted by user id, see SendPrivate), helpdesk
// threads in the configured channel.
// Posts are paced per channel; rate limits surface as *bot.RetryAfterError.
// It also resolves profile emails (users:read.email), for identity mapping
// by email.
type Messenger struct {
	api     *slackgo.Client
	channel string
	pace    *platform.Pacer
	// edits paces chat.update, a Tier 3 method (50+ calls a minute for
	// the whole app, not per channel): a backlog of thread parents to
	// refresh is spaced below that limit instead of meeting 429s.
	edits *platform.Pacer
}

// editEvery is the gap between two chat.update calls: Slack's Tier 3
// limit, 50 a minute, to which the pacer adds its margin.
const editEvery = time.Minute / 50

// postMargin is the posting pacer's margin over Slack's one message a
// second per channel: 2%, not the pacer's default 10%. The pacer also
// starts a post no sooner than the interval after the previous one's
// answer came, and Slack accepted that one before answering, so on
// Slack's clock two posts are a full second apart whatever the margin;
// the margin only covers a difference in clock rates. The default's
// extra 0.1 s a post was a tenth of a burst's drain (500 resets: 0.10
// of the 1.22x over the limit's floor), for no 429 it ever prevented.
const postMargin = 0.02

// editLane is the edits pacer's one lane: the limit is app-wide.
const editLane = "chat.update"

// groupMessenger adds bot.GroupResolver when a helpdesk user group is
// configured. A separate type, so the core's type assertion finds the
// capability only when it exists.
type groupMessenger struct {
	*Messenger
	usergroup string
}

var (
	_ bot.Messenger      = (*Messenger)(nil)
	_ bot.EmailResolver  = (*Messenger)(nil)
	_ bot.UserResolver   = (*Messenger)(nil)
	_ bot.LocaleResolver = (*Messenger)(nil)
	_ bot.GroupResolver  = (*groupMessenger)(nil)
)

// NewMessenger builds the outbound side for cfg. The result is a
// *Messenger, which also implements bot.GroupResolver when
// helpdesk_usergroup is set.
func NewMessenger(cfg Config, opts ...Option) (bot.Messenger, error) {
	if errs := cfg.Validate(); len(errs) > 0 {
		return nil, fmt.Errorf("slack config: %w", errors.Join(errs...))
	}
	o := newOptions(opts)
	m := &Messenger{
		api: slackgo.New(cfg.BotToken,
			slackgo.OptionAPIURL(cfg.apiURL()),
			slackgo.OptionHTTPClient(o.Client)),
		channel: cfg.HelpdeskChannel,
		pace:    platform.NewPacer(o.Own.pace, platform.WithMargin(postMargin)),
		edits:   platform.NewPacer(editEvery),
	}
	if o.Own.pace <= 0 {
		m.edits = platform.NewPacer(0) // unpaced, as the posts are
	}
	if cfg.HelpdeskUsergroup != "" {
		return &groupMessenger{Messenger: m, usergroup: cfg.HelpdeskUsergroup}, nil
	}
	return m, nil
}

// Check calls auth.test, so a wrong token or API URL fails at startup
// rather than at the first reset.
func (m *Messenger) Check(ctx context.Context) error {
	_, err := m.api.AuthTestContext(ctx)
	return apiError("auth.test", err)
}

// SendPrivate posts msg in the bot's DM with the user: a chat.postMessage
// with the user's id as channel, which Slack posts in the app's DM with
// them (and answers with the DM's D... id). No conversations.open first:
// that method is Tier 3 (about 50 a minute for the whole app), so opening
// a DM per message refused most links of a burst of /reset with 429
// (#10 §3), while the post is limited per channel, that is per person.
// Only where Slack answers that the DM is not open for the user id
// (imNotOpen) is it opened, once, and the message posted there. Every
// other refusal (a deactivated member, a bot, a rate limit) goes back to
// the caller as before, which answers in the request instead.
func (m *Messenger) SendPrivate(ctx context.Context, to flows.ChatIdentity, msg bot.Message) error {
	if to.Platform != Platform || !userID.MatchString(to.UserID) {
		return fmt.Errorf("slack: %q is not a Slack user", to.String())
	}
	_, err := m.post(ctx, to.UserID, msg)
	if !imNotOpen(err) {
		return err
	}
	ch, _, _, err := m.api.OpenConversationContext(ctx, &slackgo.OpenConversationParameters{Users: []string{to.UserID}})
	if err != nil {
		return apiError("conversations.open", err)
	}
	if ch == nil || ch.ID == "" {
		return errors.New("slack conversations.open: no channel in the answer")
	}
	_, err = m.post(ctx, ch.ID, msg)
	return err
}

// imNotOpen reports whether a post by user id was refused because Slack
// did not open the app's DM with the user on the post: channel_not_found
// for a channel argument that is a valid user id. conversations.open
// opens it; any other refusal is one an open does not fix.
func imNotOpen(err error) bool {
	p, ok := errors.AsType[*bot.PermanentError](err)
	return ok && p.Code == "channel_not_found"
}

// PostHelpdesk posts a top-level message; the thread reference is
// "CHANNEL/TS", which is all Slack needs to reply to or edit it.
func (m *Messenger) PostHelpdesk(ctx context.Context, msg bot.Message) (string, error) {
	ts, err := m.post(ctx, m.channel, msg)
	if err != nil {
		return "", err
	}
	return m.channel + "/" + ts, nil
}

// UpdateHelpdesk edits the thread's top-level message in place, in the
// app's turn for chat.update (urgent edits, an approval's, first).
func (m *Messenger) UpdateHelpdesk(ctx context.Context, thread string, msg bot.Message) error {
	ch, ts, err := splitThread(thread)
	if err != nil {
		return err
	}
	r := render(msg)
	return m.edits.Post(ctx, editLane, msg.Urgent, func(ctx context.Context) error {
		_, _, _, err := m.api.UpdateMessageContext(ctx, ch, ts,
			slackgo.MsgOptionText(r.Text, false), slackgo.MsgOptionBlocks(r.Blocks...))
		return apiError("chat.update", err)
	})
}

// ReplyHelpdesk posts m as a reply in the thread.
func (m *Messenger) ReplyHelpdesk(ctx context.Context, thread string, msg bot.Message) error {
	ch, ts, err := splitThread(thread)
	if err != nil {
		return err
	}
	_, err = m.post(ctx, ch, msg, slackgo.MsgOptionTS(ts))
	return err
}

// UserEmail returns the user's profile email (needs users:read.email).
// Slack verifies workspace emails, which is why identity mapping may use it.
func (m *Messenger) UserEmail(ctx context.Context, id string) (string, error) {
	u, err := m.api.GetUserInfoContext(ctx, id)
	if err != nil {
		return "", apiError("users.info", err)
	}
	if u.Profile.Email == "" {
		return "", fmt.Errorf("slack users.info: user %s has no visible email (is users:read.email granted?)", id)
	}
	return u.Profile.Email, nil
}

// UserLocale implements bot.LocaleResolver with users.info and
// include_locale: the member's Slack language and time zone. An app
// without users:read gets missing_scope every time, which is permanent
// here (the core then stops asking for a while), though not for posts.
func (m *Messenger) UserLocale(ctx context.Context, id string) (flows.Locale, error) {
	u, err := m.api.GetUserInfoContext(ctx, id, slackgo.GetUserInfoOptionIncludeLocale(true))
	if refused, ok := errors.AsType[slackgo.SlackErrorResponse](err); ok && refused.Err == "missing_scope" {
		return flows.Locale{}, fmt.Errorf("slack users.info: %w", &bot.PermanentError{Code: refused.Err, Err: err})
	}
	if err != nil {
		return flows.Locale{}, apiError("users.info", err)
	}
	return bot.LocaleOf(u.Locale, u.TZ), nil
}

// UserIDByEmail implements bot.UserResolver with users.lookupByEmail
// (users:read.email): the member whose verified workspace email it is.
// Deactivated members and bots are nobody: a message to them would reach
// no person.
func (m *Messenger) UserIDByEmail(ctx context.Context, email string) (string, error) {
	u, err := m.api.GetUserByEmailContext(ctx, email)
	var refused slackgo.SlackErrorResponse
	if errors.As(err, &refused) && refused.Err == "users_not_found" {
		return "", fmt.Errorf("slack users.lookupByEmail: %w", bot.ErrNoChatUser)
	}
	if err != nil {
		return "", apiError("users.lookupByEmail", err)
	}
	if u.Deleted || u.IsBot || !userID.MatchString(u.ID) {
		return "", fmt.Errorf("slack users.lookupByEmail: member %q is deactivated, a bot or malformed: %w", u.ID, bot.ErrNoChatUser)
	}
	return u.ID, nil
}

// InHelpdeskGroup reports whether the user is in the configured Slack user
// group. Membership is read on every call: approvals are rare and a
// removed member must lose the right at once.
func (g *groupMessenger) InHelpdeskGroup(ctx context.Context, id string) (bool, error) {
	members, err := g.api.GetUserGroupMembersContext(ctx, g.usergroup)
	if err != nil {
		return false, apiError("usergroups.users.list", err)
	}
	for _, u := range members {
		if u == id {
			return true, nil
		}
	}
	return false, nil
}

// post posts the rendered message in the channel's turn (urgent messages
// first), sent again by the pacer if Slack refused it with a short
// Retry-After.
func (m *Messenger) post(ctx context.Context, channel string, msg bot.Message, extra ...slackgo.MsgOption) (string, error) {
	r := render(msg)
	opts := append([]slackgo.MsgOption{slackgo.MsgOptionText(r.Text, false), slackgo.MsgOptionBlocks(r.Blocks...)}, extra...)
	var ts string
	err := m.pace.Post(ctx, channel, msg.Urgent, func(ctx context.Context) error {
		_, t, err := m.api.PostMessageContext(ctx, channel, opts...)
		ts = t
		return apiError("chat.postMessage", err)
	})
	return ts, err
}

// splitThread parses a thread reference made by PostHelpdesk.
func splitThread(thread string) (channel, ts string, err error) {
	channel, ts, ok := strings.Cut(thread, "/")
	if !ok || channel == "" || ts == "" {
		return "", "", fmt.Errorf("slack: %q is not a thread reference (CHANNEL/TS)", thread)
	}
	return channel, ts, nil
}
