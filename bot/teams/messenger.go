package teams

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/resetbot/resetbot/bot"
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
}

var (
	_ bot.Messenger     = (*Messenger)(nil)
	_ bot.EmailResolver = (*Messenger)(nil)
)

var errTenantUnknown = errors.New("teams: tenant unknown (set tenant_id, or wait for a first activity from the tenant)")

// botAccount is the bot as a conversation member: "28:" plus its app id.
func (m *Messenger) botAccount() *account { return &account{ID: "28:" + m.cfg.AppID} }

// tenant is the tenant to create conversations in: the configured one,
// else the one the user (or anyone) was last seen in.
func (m *Messenger) tenant(u seenUser) (string, error) {
	switch {
	case m.cfg.TenantID != "":
		return m.cfg.TenantID, nil
	case u.tenantID != "":
		return u.tenantID, nil
	}
	if t := m.seen.lastTenant(); t != "" {
		return t, nil
	}
	return "", errTenantUnknown
}

// personal opens the personal chat with a user (Teams returns the existing
// one) and tells where it is.
func (m *Messenger) personal(ctx context.Context, to flows.ChatIdentity) (serviceURL, conv string, err error) {
	if to.Platform != Platform || !guid.MatchString(to.UserID) {
		return "", "", fmt.Errorf("teams: %s is not a Teams user", to)
	}
	u, ok := m.seen.user(to.UserID)
	serviceURL = m.cfg.serviceURL()
	if ok && u.serviceURL != "" {
		serviceURL = u.serviceURL
	}
	tenant, err := m.tenant(u)
	if err != nil {
		return "", "", err
	}
	c, err := m.conn.createConversation(ctx, serviceURL, conversationParameters{
		Bot: m.botAccount(), Members: []account{{ID: to.UserID}}, TenantID: tenant,
	})
	if err != nil {
		return "", "", err
	}
	return serviceURL, c.ID, nil
}

// SendPrivate implements bot.Messenger: the message arrives in the user's
// personal chat with the bot.
func (m *Messenger) SendPrivate(ctx context.Context, to flows.ChatIdentity, msg bot.Message) error {
	serviceURL, conv, err := m.personal(ctx, to)
	if err != nil {
		return err
	}
	_, err = m.conn.send(ctx, serviceURL, conv, renderActivity(msg, m.seen.name))
	return err
}

// PostHelpdesk implements bot.Messenger: a new conversation in the
// helpdesk channel, whose replies form the flow's thread.
func (m *Messenger) PostHelpdesk(ctx context.Context, msg bot.Message) (string, error) {
	tenant, err := m.tenant(seenUser{})
	if err != nil {
		return "", err
	}
	c, err := m.conn.createConversation(ctx, m.cfg.serviceURL(), conversationParameters{
		IsGroup:     true,
		Bot:         m.botAccount(),
		TenantID:    tenant,
		ChannelData: &channelData{Channel: &idOnly{ID: m.cfg.HelpdeskChannelID}},
		Activity:    renderActivity(msg, m.seen.name),
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
	_, err = m.conn.reply(ctx, m.cfg.serviceURL(), ref.Conversation, ref.Activity, renderActivity(msg, m.seen.name))
	return err
}

// UserEmail implements bot.EmailResolver, for installations that map Teams
// users by email: the connector's member record of the user in their
// personal chat carries the Entra email (or, without one, the UPN).
func (m *Messenger) UserEmail(ctx context.Context, userID string) (string, error) {
	to := flows.ChatIdentity{Platform: Platform, UserID: userID}
	serviceURL, conv, err := m.personal(ctx, to)
	if err != nil {
		return "", err
	}
	a, err := m.conn.member(ctx, serviceURL, conv, userID)
	if err != nil {
		return "", err
	}
	return emailOf(a), nil
}

// emailOf is the email Teams vouches for: the Entra mail attribute, else
// the user principal name when it has the form of an address.
func emailOf(a account) string {
	if a.Email != "" {
		return a.Email
	}
	if strings.Contains(a.UserPrincipalName, "@") {
		return a.UserPrincipalName
	}
	return ""
}
