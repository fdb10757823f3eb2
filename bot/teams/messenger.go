package teams

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/platform"
	"github.com/resetbot/resetbot/flows"
)

// Messenger implements bot.Messenger on the Bot Framework connector:
// private messages in the bot's personal chat with a user, and one
// channel conversation per flow in the helpdesk channel. It is safe for
// concurrent use.
type Messenger struct {
	cfg  Config
	conn *connector
	seen *seen
	pace *platform.Pacer
	// personals remembers each user's personal conversation, so a
	// private message is one call, not a createConversation and a post.
	personals *bot.DMCache
}

var (
	_ bot.Messenger     = (*Messenger)(nil)
	_ bot.EmailResolver = (*Messenger)(nil)
)

// botAccount is the bot as a conversation member: "28:" plus its app id.
func (m *Messenger) botAccount() *account { return &account{ID: "28:" + m.cfg.AppID} }

// tenant is the tenant of a user's personal conversation: the one stored
// with its reference, which is the configured tenant (no other tenant's
// activity is ever remembered), or the configured tenant for a user not
// seen yet. Never another user's tenant.
func (m *Messenger) tenant(u seenUser) string {
	if u.tenantID != "" {
		return u.tenantID
	}
	return m.cfg.TenantID
}

// personal runs use in the personal chat with a user: the conversation
// remembered for them, or the one createConversation returns (Teams
// answers with the existing one) the first time. A remembered
// conversation the connector answers ConversationNotFound for is created
// again, once (bot.DMCache).
func (m *Messenger) personal(ctx context.Context, to flows.ChatIdentity, use func(ctx context.Context, serviceURL, conv string) error) error {
	if to.Platform != Platform || !guid.MatchString(to.UserID) {
		return fmt.Errorf("teams: %s is not a Teams user", to)
	}
	u, ok := m.seen.user(to.UserID)
	serviceURL := m.cfg.serviceURL()
	if ok && u.serviceURL != "" {
		serviceURL = u.serviceURL
	}
	open := func(ctx context.Context) (string, error) {
		c, err := m.conn.createConversation(ctx, serviceURL, conversationParameters{
			Bot: m.botAccount(), Members: []account{{ID: to.UserID}}, TenantID: m.tenant(u),
		})
		return c.ID, err
	}
	return m.personals.Do(ctx, to.UserID, open, func(ctx context.Context, conv string) error {
		return use(ctx, serviceURL, conv)
	}, conversationGone)
}

// conversationGone reports the connector's answer for a conversation
// that does not exist (any more): 404 ConversationNotFound.
func conversationGone(err error) bool {
	e, ok := errors.AsType[*apiError](err)
	return ok && e.Status == http.StatusNotFound && e.Code == "ConversationNotFound"
}

// SendPrivate implements bot.Messenger: the message arrives in the user's
// personal chat with the bot.
func (m *Messenger) SendPrivate(ctx context.Context, to flows.ChatIdentity, msg bot.Message) error {
	return m.personal(ctx, to, func(ctx context.Context, serviceURL, conv string) error {
		return m.pace.Post(ctx, conv, msg.Urgent, func(ctx context.Context) error {
			_, err := m.conn.send(ctx, serviceURL, conv, renderActivity(msg, m.seen.name))
			return err
		})
	})
}

// PostHelpdesk implements bot.Messenger: a new conversation in the
// helpdesk channel, in the configured tenant, whose replies form the flow's
// thread.
func (m *Messenger) PostHelpdesk(ctx context.Context, msg bot.Message) (string, error) {
	var c conversationResource
	err := m.pace.Post(ctx, m.cfg.HelpdeskChannelID, msg.Urgent, func(ctx context.Context) error {
		var err error
		c, err = m.conn.createConversation(ctx, m.cfg.serviceURL(), conversationParameters{
			IsGroup:     true,
			Bot:         m.botAccount(),
			TenantID:    m.cfg.TenantID,
			ChannelData: &channelData{Channel: &idOnly{ID: m.cfg.HelpdeskChannelID}},
			Activity:    renderActivity(msg, m.seen.name),
		})
		return err
	})
	if err != nil {
		return "", err
	}
	if c.ActivityID == "" {
		return "", errors.New("teams create conversation: answer without activityId")
	}
	return threadRef{Conversation: c.ID, Activity: c.ActivityID}.String(), nil
}

// UpdateHelpdesk implements bot.Messenger: the parent card is replaced in
// place (after a decision its buttons are gone).
func (m *Messenger) UpdateHelpdesk(ctx context.Context, thread string, msg bot.Message) error {
	ref, err := parseThreadRef(thread)
	if err != nil {
		return err
	}
	return m.conn.update(ctx, m.cfg.serviceURL(), ref.Conversation, ref.Activity, renderActivity(msg, m.seen.name))
}

// ReplyHelpdesk implements bot.Messenger: a reply in the parent's thread.
func (m *Messenger) ReplyHelpdesk(ctx context.Context, thread string, msg bot.Message) error {
	ref, err := parseThreadRef(thread)
	if err != nil {
		return err
	}
	return m.pace.Post(ctx, ref.Conversation, msg.Urgent, func(ctx context.Context) error {
		_, err := m.conn.reply(ctx, m.cfg.serviceURL(), ref.Conversation, ref.Activity, renderActivity(msg, m.seen.name))
		return err
	})
}

// UserEmail implements bot.EmailResolver, for installations that map Teams
// users by email. The address is the user principal name of the member
// record the connector returns for the user's Entra object id, in their
// personal chat in the configured tenant: a UPN's domain must be one the
// tenant verified, so it names the user in this company. Never the mail
// attribute (any tenant's administrator, and in places the user, can set
// it to any address: the "nOAuth" class of account takeovers) and never an
// address an activity carries.
func (m *Messenger) UserEmail(ctx context.Context, userID string) (string, error) {
	to := flows.ChatIdentity{Platform: Platform, UserID: userID}
	var a account
	err := m.personal(ctx, to, func(ctx context.Context, serviceURL, conv string) error {
		var err error
		a, err = m.conn.member(ctx, serviceURL, conv, userID)
		return err
	})
	if err != nil {
		return "", err
	}
	switch {
	case !strings.EqualFold(a.AADObjectID, userID):
		return "", fmt.Errorf("teams: member record of %s names object id %q", userID, a.AADObjectID)
	case a.TenantID != "" && !strings.EqualFold(a.TenantID, m.cfg.TenantID):
		return "", fmt.Errorf("teams: member %s is of tenant %q, not the configured one", userID, a.TenantID)
	}
	return upnOf(a), nil
}

// upnOf is the address Teams vouches for in the configured tenant: the
// user principal name when it has the form of an address, else nothing
// (the core then answers as for a user it cannot map).
func upnOf(a account) string {
	if strings.Count(a.UserPrincipalName, "@") == 1 {
		return a.UserPrincipalName
	}
	return ""
}
