package teams

import (
	"encoding/json"
	"errors"
	"fmt"
)

// activity is the part of a Bot Framework activity this package reads or
// writes. Unknown fields are ignored on input and never sent on output.
type activity struct {
	Type         string          `json:"type"`
	ID           string          `json:"id,omitempty"`
	Name         string          `json:"name,omitempty"`
	ServiceURL   string          `json:"serviceUrl,omitempty"`
	ChannelID    string          `json:"channelId,omitempty"`
	From         *account        `json:"from,omitempty"`
	Recipient    *account        `json:"recipient,omitempty"`
	Conversation *conversation   `json:"conversation,omitempty"`
	ReplyToID    string          `json:"replyToId,omitempty"`
	Text         string          `json:"text,omitempty"`
	TextFormat   string          `json:"textFormat,omitempty"`
	Summary      string          `json:"summary,omitempty"`
	Entities     []entity        `json:"entities,omitempty"`
	Attachments  []attachment    `json:"attachments,omitempty"`
	ChannelData  *channelData    `json:"channelData,omitempty"`
	Value        json.RawMessage `json:"value,omitempty"`
	// Locale is the sender's client language ("de-DE"); LocalTimezone
	// their IANA zone, when the client sends it.
	Locale        string `json:"locale,omitempty"`
	LocalTimezone string `json:"localTimezone,omitempty"`
}

// account is a Bot Framework ChannelAccount (plus the Teams fields that
// TeamsChannelAccount adds when the connector returns a member).
type account struct {
	ID                string `json:"id"`
	Name              string `json:"name,omitempty"`
	AADObjectID       string `json:"aadObjectId,omitempty"`
	Email             string `json:"email,omitempty"`
	UserPrincipalName string `json:"userPrincipalName,omitempty"`
	TenantID          string `json:"tenantId,omitempty"`
}

// conversation is a Bot Framework ConversationAccount.
type conversation struct {
	ID               string `json:"id"`
	ConversationType string `json:"conversationType,omitempty"`
	TenantID         string `json:"tenantId,omitempty"`
	IsGroup          bool   `json:"isGroup,omitempty"`
}

// entity is an activity entity; only mentions matter here.
type entity struct {
	Type      string   `json:"type"`
	Text      string   `json:"text,omitempty"`
	Mentioned *account `json:"mentioned,omitempty"`
}

// attachment carries an Adaptive Card.
type attachment struct {
	ContentType string `json:"contentType"`
	Content     any    `json:"content"`
}

// channelData is the Teams-specific part of an activity.
type channelData struct {
	Tenant  *idOnly `json:"tenant,omitempty"`
	Channel *idOnly `json:"channel,omitempty"`
	Team    *idOnly `json:"team,omitempty"`
}

type idOnly struct {
	ID string `json:"id"`
}

// invokeValue is the value of an adaptiveCard/action invoke.
type invokeValue struct {
	Action struct {
		Type string     `json:"type"`
		Verb string     `json:"verb"`
		Data actionData `json:"data"`
	} `json:"action"`
}

// actionData is what every rendered button carries, so a click names the
// core's action and flow without any server-side lookup.
type actionData struct {
	ActionID string `json:"action_id"`
	Value    string `json:"value"`
}

// Activity types and names this package acts on.
const (
	typeMessage          = "message"
	typeInvoke           = "invoke"
	invokeCardAction     = "adaptiveCard/action"
	actionExecute        = "Action.Execute"
	conversationPersonal = "personal"
	channelTeams         = "msteams"
)

// tenantID returns the tenant an activity comes from, as checkTenant
// found it (channelData.tenant.id).
func (a *activity) tenantID() string {
	if a.ChannelData != nil && a.ChannelData.Tenant != nil {
		return a.ChannelData.Tenant.ID
	}
	return ""
}

var errActivity = errors.New("teams: malformed activity")

// parseActivity decodes and checks the fields every activity this package
// handles must have. It never panics on any input (see the fuzz test).
func parseActivity(body []byte) (*activity, error) {
	var a activity
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, fmt.Errorf("%w: %w", errActivity, err)
	}
	switch {
	case a.Type == "":
		return nil, fmt.Errorf("%w: no type", errActivity)
	case a.ServiceURL == "":
		return nil, fmt.Errorf("%w: no serviceUrl", errActivity)
	}
	if a.Type == typeMessage || a.Type == typeInvoke {
		switch {
		case a.ID == "":
			return nil, fmt.Errorf("%w: %s without id", errActivity, a.Type)
		case a.From == nil || a.From.ID == "":
			return nil, fmt.Errorf("%w: %s without from", errActivity, a.Type)
		case a.Conversation == nil || a.Conversation.ID == "":
			return nil, fmt.Errorf("%w: %s without conversation", errActivity, a.Type)
		}
	}
	return &a, nil
}

// parseInvoke reads the clicked button of an adaptiveCard/action invoke.
func parseInvoke(a *activity) (actionData, error) {
	var v invokeValue
	if len(a.Value) == 0 {
		return actionData{}, fmt.Errorf("%w: invoke without value", errActivity)
	}
	if err := json.Unmarshal(a.Value, &v); err != nil {
		return actionData{}, fmt.Errorf("%w: invoke value: %w", errActivity, err)
	}
	if v.Action.Type != actionExecute || v.Action.Data.ActionID == "" {
		return actionData{}, fmt.Errorf("%w: not an Action.Execute of ours", errActivity)
	}
	return v.Action.Data, nil
}
