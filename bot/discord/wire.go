package discord

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Interaction types and the component type this package handles, as
// numbered by Discord's API (v10).
const (
	interactionPing      = 1
	interactionCommand   = 2
	interactionComponent = 3

	componentButton = 2

	optionSubcommand = 1
	optionString     = 3
	optionUser       = 6
)

// interaction is the part of an inbound interaction this package reads.
// Its own small type rather than discordgo.Interaction: the parser is the
// first thing untrusted (if signed) bytes meet, so it stays small, strict
// and fuzzed, and unknown fields are ignored as Discord's API evolves.
type interaction struct {
	ID            string          `json:"id"`
	ApplicationID string          `json:"application_id"`
	Type          int             `json:"type"`
	Token         string          `json:"token"`
	GuildID       string          `json:"guild_id"`
	ChannelID     string          `json:"channel_id"`
	Member        *member         `json:"member"`
	User          *wireUser       `json:"user"`
	Data          json.RawMessage `json:"data"`
	// Locale is the invoking user's client language ("de", "es-ES");
	// Discord sends no time zone.
	Locale string `json:"locale"`
}

// member is a guild member; in a guild the invoking user arrives here.
type member struct {
	User *wireUser `json:"user"`
}

// wireUser is a Discord user object.
type wireUser struct {
	ID         string `json:"id"`
	Username   string `json:"username"`
	GlobalName string `json:"global_name"`
	Bot        bool   `json:"bot"`
}

// commandData is an APPLICATION_COMMAND's data.
type commandData struct {
	ID       string          `json:"id"`
	Name     string          `json:"name"`
	Type     int             `json:"type"`
	Options  []commandOption `json:"options"`
	Resolved struct {
		Users map[string]wireUser `json:"users"`
	} `json:"resolved"`
}

// commandOption is one option; subcommands carry their own options.
type commandOption struct {
	Name    string          `json:"name"`
	Type    int             `json:"type"`
	Value   json.RawMessage `json:"value"`
	Options []commandOption `json:"options"`
}

// componentData is a MESSAGE_COMPONENT's data.
type componentData struct {
	CustomID      string `json:"custom_id"`
	ComponentType int    `json:"component_type"`
}

// maxTokenLen bounds the interaction token, which becomes part of a URL.
const maxTokenLen = 1024

// parseInteraction decodes and checks the envelope of a verified body.
// Errors wrap errBadInteraction.
func parseInteraction(body []byte) (interaction, error) {
	var in interaction
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&in); err != nil {
		return interaction{}, fmt.Errorf("%w: %w", errBadInteraction, err)
	}
	if dec.More() {
		return interaction{}, fmt.Errorf("%w: trailing data", errBadInteraction)
	}
	if in.Type == interactionPing {
		return in, nil
	}
	switch {
	case !snowflake.MatchString(in.ID):
		return interaction{}, fmt.Errorf("%w: id %q", errBadInteraction, in.ID)
	case !snowflake.MatchString(in.ApplicationID):
		return interaction{}, fmt.Errorf("%w: application id %q", errBadInteraction, in.ApplicationID)
	case in.Token == "" || len(in.Token) > maxTokenLen || !urlSafe(in.Token):
		return interaction{}, fmt.Errorf("%w: token missing or malformed", errBadInteraction)
	}
	return in, nil
}

// urlSafe reports whether s only has characters that need no escaping in a
// URL path segment, so a token cannot smuggle a path into a REST call.
func urlSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
		default:
			return false
		}
	}
	return true
}

// invoker returns the user who invoked the interaction: the member's user
// in a guild, the user in a DM.
func (in interaction) invoker() (wireUser, error) {
	u := in.User
	if in.Member != nil && in.Member.User != nil {
		u = in.Member.User
	}
	if u == nil || !snowflake.MatchString(u.ID) {
		return wireUser{}, fmt.Errorf("%w: no invoking user", errBadInteraction)
	}
	return *u, nil
}

// displayName is the name Discord shows for a user, for wording only.
func (u wireUser) displayName() string {
	if u.GlobalName != "" {
		return u.GlobalName
	}
	return u.Username
}
