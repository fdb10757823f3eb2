package teamsfake

import (
	"encoding/json"
	"errors"
)

// Activity is a Bot Framework activity as it travels in either direction.
// It is declared here, independently of package teams, so the fake checks
// the wire format rather than sharing the code under test.
type Activity struct {
	Type         string        `json:"type"`
	ID           string        `json:"id,omitempty"`
	Name         string        `json:"name,omitempty"`
	Timestamp    string        `json:"timestamp,omitempty"`
	ServiceURL   string        `json:"serviceUrl,omitempty"`
	ChannelID    string        `json:"channelId,omitempty"`
	From         *Account      `json:"from,omitempty"`
	Recipient    *Account      `json:"recipient,omitempty"`
	Conversation *Conversation `json:"conversation,omitempty"`
	ReplyToID    string        `json:"replyToId,omitempty"`
	Text         string        `json:"text,omitempty"`
	TextFormat   string        `json:"textFormat,omitempty"`
	Summary      string        `json:"summary,omitempty"`
	Entities     []Entity      `json:"entities,omitempty"`
	Attachments  []Attachment  `json:"attachments,omitempty"`
	ChannelData  *ChannelData  `json:"channelData,omitempty"`
	Value        any           `json:"value,omitempty"`
	// Locale and LocalTimezone are the sender's client language
	// ("de-DE") and IANA time zone, as Teams sends them on messages and
	// invokes.
	Locale        string `json:"locale,omitempty"`
	LocalTimezone string `json:"localTimezone,omitempty"`
}

// Account is a ChannelAccount (TeamsChannelAccount for members).
type Account struct {
	ID                string `json:"id"`
	Name              string `json:"name,omitempty"`
	AADObjectID       string `json:"aadObjectId,omitempty"`
	Email             string `json:"email,omitempty"`
	UserPrincipalName string `json:"userPrincipalName,omitempty"`
	TenantID          string `json:"tenantId,omitempty"`
}

// Conversation is a ConversationAccount.
type Conversation struct {
	ID               string `json:"id"`
	ConversationType string `json:"conversationType,omitempty"`
	TenantID         string `json:"tenantId,omitempty"`
	IsGroup          bool   `json:"isGroup,omitempty"`
}

// Entity is an activity entity (mentions, client info).
type Entity struct {
	Type      string   `json:"type"`
	Text      string   `json:"text,omitempty"`
	Mentioned *Account `json:"mentioned,omitempty"`
}

// Attachment is a card attachment.
type Attachment struct {
	ContentType string          `json:"contentType"`
	Content     json.RawMessage `json:"content"`
}

// ChannelData is the Teams-specific part of an activity.
type ChannelData struct {
	Tenant  *ID `json:"tenant,omitempty"`
	Channel *ID `json:"channel,omitempty"`
	Team    *ID `json:"team,omitempty"`
}

// ID is an object with only an id.
type ID struct {
	ID string `json:"id"`
}

// Card is the part of an Adaptive Card tests read.
type Card struct {
	Type    string    `json:"type"`
	Version string    `json:"version"`
	Body    []Element `json:"body"`
	Actions []Action  `json:"actions"`
	MSTeams struct {
		Entities []Entity `json:"entities"`
	} `json:"msteams"`
}

// Element is a TextBlock or FactSet.
type Element struct {
	Type  string `json:"type"`
	Text  string `json:"text"`
	Facts []struct {
		Title string `json:"title"`
		Value string `json:"value"`
	} `json:"facts"`
}

// Action is a card action.
type Action struct {
	Type  string         `json:"type"`
	Title string         `json:"title"`
	URL   string         `json:"url"`
	Verb  string         `json:"verb"`
	Data  map[string]any `json:"data"`
}

// ContentTypeCard is the attachment type of Adaptive Cards.
const ContentTypeCard = "application/vnd.microsoft.card.adaptive"

// Card returns the activity's Adaptive Card.
func (a Activity) Card() (*Card, error) {
	for _, at := range a.Attachments {
		if at.ContentType != ContentTypeCard {
			continue
		}
		var c Card
		if err := json.Unmarshal(at.Content, &c); err != nil {
			return nil, err
		}
		return &c, nil
	}
	return nil, errors.New("teamsfake: activity has no Adaptive Card")
}
