package teamsfake

import "time"

// BotName is the bot's display name in activities.
const BotName = "resetbot"

// envelope fills what every activity from Teams carries, in the sender's
// tenant.
func (s *Server) envelope(typ string, from Member, conv Conversation) Activity {
	s.mu.Lock()
	id := s.nextID()
	s.mu.Unlock()
	tenant := s.tenantOf(from)
	conv.TenantID = tenant
	return Activity{
		Type: typ, ID: id, Timestamp: s.now().UTC().Format(time.RFC3339Nano),
		ServiceURL: s.ServiceURL("amer"), ChannelID: Channel,
		From:         &Account{ID: from.ID, Name: from.Name, AADObjectID: from.AADObjectID},
		Recipient:    &Account{ID: "28:" + s.opt.AppID, Name: BotName},
		Conversation: &conv,
		ChannelData:  &ChannelData{Tenant: &ID{ID: tenant}},
	}
}

// Message is a message a user types in their personal chat with the bot.
// Mentions are in text as their entities' texts (see Mention).
func (s *Server) Message(from Member, text string, mentions ...Entity) Activity {
	conv := Conversation{ID: s.PersonalConversation(from.AADObjectID), ConversationType: "personal"}
	a := s.envelope("message", from, conv)
	a.Text, a.TextFormat = text, "plain"
	a.Entities = append(a.Entities, mentions...)
	a.Entities = append(a.Entities, Entity{Type: "clientInfo"})
	s.mu.Lock()
	defer s.mu.Unlock()
	cv := s.convs[conv.ID]
	cv.activities = append(cv.activities, &a) // in the chat before the bot hears of it
	return a
}

// Mention is how Teams writes an @mention of a user: <at>Name</at> in the
// text and an entity with the user's "29:" id and name (no object id).
func Mention(m Member) (text string, e Entity) {
	text = "<at>" + m.Name + "</at>"
	return text, Entity{Type: "mention", Text: text, Mentioned: &Account{ID: m.ID, Name: m.Name}}
}

// Invoke is a click on an Action.Execute button of a card in the helpdesk
// channel: an adaptiveCard/action invoke in the card's conversation.
func (s *Server) Invoke(from Member, th Thread, act Action) Activity {
	conv := Conversation{ID: th.Conversation, ConversationType: "channel", IsGroup: true}
	a := s.envelope("invoke", from, conv)
	a.Name = "adaptiveCard/action"
	a.ReplyToID = th.Parent.ID
	a.ChannelData.Channel = &ID{ID: s.opt.HelpdeskChannelID}
	a.Value = map[string]any{
		"action":  map[string]any{"type": "Action.Execute", "verb": act.Verb, "data": act.Data},
		"trigger": "manual",
	}
	return a
}

// InvokePersonal is a click on an Action.Execute button of a card the bot
// sent in a personal chat: an adaptiveCard/action invoke in that chat,
// replying to the card.
func (s *Server) InvokePersonal(from Member, card Activity, act Action) Activity {
	conv := Conversation{ID: card.Conversation.ID, ConversationType: "personal"}
	a := s.envelope("invoke", from, conv)
	a.Name = "adaptiveCard/action"
	a.ReplyToID = card.ID
	a.Value = map[string]any{
		"action":  map[string]any{"type": "Action.Execute", "verb": act.Verb, "data": act.Data},
		"trigger": "manual",
	}
	return a
}
