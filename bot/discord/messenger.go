package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/bwmarrin/discordgo"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/platform"
	"github.com/resetbot/resetbot/flows"
)

// threadArchiveMinutes keeps a helpdesk thread open for a week of
// inactivity, longer than any flow lives, so late replies stay visible.
const threadArchiveMinutes = 10080

// Messenger is bot.Messenger on Discord's REST API: private messages in
// the user's DM with the bot, helpdesk threads in the configured channel.
// It implements neither EmailResolver (Discord gives bots no emails) nor
// GroupResolver.
type Messenger struct {
	s       *discordgo.Session
	channel string
	log     *slog.Logger
	pace    *platform.Pacer
	// dms remembers each user's DM channel, so a private message is one
	// call, not a "create DM" and a post.
	dms *bot.DMCache
}

var _ bot.Messenger = (*Messenger)(nil)

// NewMessenger builds the outbound side for cfg.
func NewMessenger(cfg Config, opts ...Option) (*Messenger, error) {
	if errs := cfg.Validate(); len(errs) > 0 {
		return nil, fmt.Errorf("discord config: %w", errors.Join(errs...))
	}
	o := newOptions(opts)
	s, err := newSession(cfg, o)
	if err != nil {
		return nil, err
	}
	return &Messenger{s: s, channel: cfg.HelpdeskChannelID, log: o.Log.With("platform", Platform), pace: platform.NewPacer(o.Own.pace),
		dms: bot.NewDMCache(0, 0, nil)}, nil
}

// Check reads the bot's own user, so a wrong token or API URL fails at
// startup rather than at the first reset.
func (m *Messenger) Check(ctx context.Context) error {
	_, err := m.s.User("@me", discordgo.WithContext(ctx))
	return apiError("get current user", err)
}

// call are the options of every REST call: the caller's context.
func call(ctx context.Context) discordgo.RequestOption { return discordgo.WithContext(ctx) }

// SendPrivate posts msg in the bot's DM channel with the user: the one
// remembered for them, or the one "create DM" returns (Discord answers
// with the existing channel) the first time. A remembered channel Discord
// answers Unknown Channel for is created again, once (bot.DMCache).
func (m *Messenger) SendPrivate(ctx context.Context, to flows.ChatIdentity, msg bot.Message) error {
	if to.Platform != Platform || !snowflake.MatchString(to.UserID) {
		return fmt.Errorf("discord: %q is not a Discord user", to.String())
	}
	r, err := render(msg)
	if err != nil {
		return err
	}
	open := func(ctx context.Context) (string, error) {
		ch, err := m.s.UserChannelCreate(to.UserID, call(ctx))
		if err != nil {
			return "", apiError("create DM channel", err)
		}
		return ch.ID, nil
	}
	post := func(ctx context.Context, channel string) error {
		_, err := m.send(ctx, channel, msg.Urgent, r, "send DM")
		return err
	}
	return m.dms.Do(ctx, to.UserID, open, post, func(err error) bool { return hasCode(err, codeUnknownChannel) })
}

// PostHelpdesk posts msg in the helpdesk channel and starts a thread from
// it. The reference is "channelID/messageID/threadID". If the thread
// cannot be started, the parent still counts as posted (retrying would
// post it twice): the reference says "no thread yet" and the first reply
// starts it.
func (m *Messenger) PostHelpdesk(ctx context.Context, msg bot.Message) (string, error) {
	r, err := render(msg)
	if err != nil {
		return "", err
	}
	parent, err := m.send(ctx, m.channel, msg.Urgent, r, "post helpdesk message")
	if err != nil {
		return "", err
	}
	ref := threadRef{channel: m.channel, message: parent.ID}
	if ref.thread, err = m.startThread(ctx, ref, threadName(msg)); err != nil {
		m.log.WarnContext(ctx, "discord: thread not started; the first reply retries", "message", parent.ID, "err", err)
	}
	return ref.String(), nil
}

// startThread starts the thread of a parent message. A thread started from
// a message has the message's id, so "already created" is success.
func (m *Messenger) startThread(ctx context.Context, ref threadRef, name string) (string, error) {
	th, err := m.s.MessageThreadStartComplex(ref.channel, ref.message,
		&discordgo.ThreadStart{Name: name, AutoArchiveDuration: threadArchiveMinutes}, call(ctx))
	err = apiError("start thread", err)
	switch {
	case err == nil:
		return th.ID, nil
	case hasCode(err, codeThreadExists):
		return ref.message, nil
	}
	return "", err
}

// UpdateHelpdesk edits the parent message in place: embed and buttons are
// replaced (an empty list removes the buttons).
func (m *Messenger) UpdateHelpdesk(ctx context.Context, thread string, msg bot.Message) error {
	ref, err := parseThreadRef(thread)
	if err != nil {
		return err
	}
	r, err := render(msg)
	if err != nil {
		return err
	}
	_, err = m.s.ChannelMessageEditComplex(r.asEdit(ref.channel, ref.message), call(ctx))
	return apiError("edit helpdesk message", err)
}

// ReplyHelpdesk posts msg in the thread, starting the thread first if
// PostHelpdesk could not (named after the parent's title).
func (m *Messenger) ReplyHelpdesk(ctx context.Context, thread string, msg bot.Message) error {
	ref, err := parseThreadRef(thread)
	if err != nil {
		return err
	}
	r, err := render(msg)
	if err != nil {
		return err
	}
	if ref.thread == "" {
		parent, err := m.s.ChannelMessage(ref.channel, ref.message, call(ctx))
		if err != nil {
			return apiError("read helpdesk message", err)
		}
		name := "\u200b"
		if len(parent.Embeds) > 0 && parent.Embeds[0].Title != "" {
			name = clip(parent.Embeds[0].Title, maxThreadName)
		}
		if ref.thread, err = m.startThread(ctx, ref, name); err != nil {
			return err
		}
	}
	_, err = m.send(ctx, ref.thread, msg.Urgent, r, "reply in thread")
	return err
}

// send posts a rendered message in the channel's turn (urgent ones first),
// sent again by the pacer if Discord refused it with a short Retry-After.
func (m *Messenger) send(ctx context.Context, channel string, urgent bool, r rendered, op string) (*discordgo.Message, error) {
	var out *discordgo.Message
	err := m.pace.Post(ctx, channel, urgent, func(ctx context.Context) error {
		msg, err := m.s.ChannelMessageSendComplex(channel, r.asSend(), call(ctx))
		out = msg
		return apiError(op, err)
	})
	return out, err
}
