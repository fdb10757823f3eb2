package teams

import (
	"context"
	"strings"
	"time"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/platform"
	"github.com/resetbot/resetbot/flows"
)

// mentionTimeout bounds looking up who a "29:" mention is.
const mentionTimeout = 4 * time.Second

// userOf translates an activity's sender. The Entra object id is the
// identity. No email is taken from the activity (from.email and
// from.userPrincipalName are not what the tenant verified for this user):
// identity by email asks the connector instead (Messenger.UserEmail).
func userOf(a *activity) bot.User {
	return bot.User{
		ID:     flows.ChatIdentity{Platform: Platform, UserID: a.From.AADObjectID},
		Name:   a.From.Name,
		Locale: bot.LocaleOf(a.Locale, a.LocalTimezone),
	}
}

// remember notes where a verified activity's sender can be reached.
func (a *App) remember(act *activity) {
	a.seen.remember(act.From.AADObjectID, seenUser{serviceURL: act.ServiceURL, tenantID: act.tenantID(), name: act.From.Name})
}

// fromTeamsUser tells whether an activity comes from a Teams user the core
// can identify; anything else (bots, which have no Entra object id) is
// acknowledged and ignored. Activities of other channels never get here:
// serve refuses them (checkChannel).
func fromTeamsUser(act *activity) bool {
	return guid.MatchString(act.From.AADObjectID)
}

// dedupKey names one delivery: Teams activity ids are unique within a
// conversation, and a retry carries the same id.
func dedupKey(act *activity) string {
	return "teams:" + act.Conversation.ID + "/" + act.ID
}

// onMessage runs a command typed in the personal chat and posts the
// core's immediate reply there before acknowledging, inside Teams' 15
// seconds. A redelivery (same activity id) is acknowledged and nothing
// else, so a retry never starts a second flow.
func (a *App) onMessage(ctx context.Context, act *activity) error {
	if !fromTeamsUser(act) {
		a.log.Debug("teams: message not from a Teams user ignored", "channel", act.ChannelID)
		return nil
	}
	a.remember(act)
	if act.Conversation.ConversationType != conversationPersonal {
		// Commands are taken in the personal chat only: answers there are
		// private, and links must never land in a channel.
		a.log.Debug("teams: message outside the personal chat ignored", "conversation_type", act.Conversation.ConversationType)
		return nil
	}
	if strings.TrimSpace(act.Text) == "" {
		return nil // an attachment or card without words
	}
	first, _, err := a.deliveries.First(ctx, dedupKey(act))
	if msg, ok := platform.UnavailableReply(err); ok {
		a.log.Warn("teams: message answered unavailable", "activity", act.ID, "err", err)
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), replyTimeout)
		defer cancel()
		if _, err := a.conn.reply(rctx, act.ServiceURL, act.Conversation.ID, act.ID, renderActivity(msg, a.seen.name)); err != nil {
			a.log.Warn("teams: unavailable reply failed", "err", err)
		}
		return nil
	}
	if err != nil {
		return err
	}
	if !first {
		a.log.Info("teams: redelivered message acknowledged", "activity", act.ID)
		return nil
	}
	req := a.request(ctx, act)
	ready := make(chan struct{})
	req.Respond = &chatResponder{app: a, serviceURL: act.ServiceURL, conv: act.Conversation.ID, ready: ready}
	reply := a.handler.HandleCommand(ctx, req)
	defer close(ready)
	if platform.IsZero(reply) {
		return nil
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), replyTimeout)
	defer cancel()
	if _, err := a.conn.reply(rctx, act.ServiceURL, act.Conversation.ID, act.ID, renderActivity(reply, a.seen.name)); err != nil {
		// The work goes on; the user gets the rest of the answers.
		a.log.Warn("teams: immediate reply failed", "err", err)
	}
	return nil
}

// request translates a personal-chat message into the core's request.
func (a *App) request(ctx context.Context, act *activity) bot.Request {
	var text strings.Builder
	var mentions []bot.User
	for _, p := range splitMentions(act) {
		if p.self {
			text.WriteString(" ")
			continue
		}
		if p.mention == nil {
			text.WriteString(plainText(p.text))
			continue
		}
		u := bot.User{ID: flows.ChatIdentity{Platform: Platform, UserID: a.resolve(ctx, act, *p.mention)}, Name: p.mention.Name}
		a.seen.rememberName(u.ID.UserID, u.Name)
		mentions = append(mentions, u)
		text.WriteString(" " + bot.Mention(u.ID) + " ")
	}
	return bot.Request{From: userOf(act), Text: strings.Join(strings.Fields(text.String()), " "), Mentions: mentions}
}

// resolve finds the Entra object id of a mentioned user: from the
// mention itself when Teams included it, else by asking the connector who
// the "29:" id is, in the conversation of the message and then in the
// helpdesk channel's team. An unresolved mention keeps an empty id, which
// the core answers as a user it cannot map.
func (a *App) resolve(ctx context.Context, act *activity, m account) string {
	switch {
	case guid.MatchString(m.AADObjectID):
		return m.AADObjectID
	case guid.MatchString(m.ID):
		return m.ID
	}
	ctx, cancel := context.WithTimeout(ctx, mentionTimeout)
	defer cancel()
	for _, where := range []struct{ serviceURL, conv string }{
		{act.ServiceURL, act.Conversation.ID},
		{a.cfg.serviceURL(), a.cfg.HelpdeskChannelID},
	} {
		got, err := a.conn.member(ctx, where.serviceURL, where.conv, m.ID)
		if err == nil && guid.MatchString(got.AADObjectID) {
			return got.AADObjectID
		}
		if err != nil {
			a.log.Debug("teams: mention lookup failed", "err", err)
		}
	}
	a.log.Info("teams: mentioned user not resolved", "mentioned", m.ID)
	return ""
}
