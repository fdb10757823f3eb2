package discordfake

import (
	"encoding/json"
	"regexp"
	"strings"
)

// Call is one REST request the fake received. Path has interaction tokens
// replaced by "{token}", so recorded calls are safe to print.
type Call struct {
	Method string
	// Route is the matched route, e.g. "POST /channels/{channel}/messages".
	Route  string
	Path   string
	Status int
	Body   json.RawMessage
}

// Message is a message as Discord stores it: in a channel (ChannelID) or,
// for interaction answers, on the interaction's webhook (Token).
type Message struct {
	ID              string           `json:"id"`
	ChannelID       string           `json:"channel_id"`
	Content         string           `json:"content,omitempty"`
	Embeds          []Embed          `json:"embeds"`
	Components      []Row            `json:"components"`
	AllowedMentions *AllowedMentions `json:"allowed_mentions,omitempty"`
	Flags           int              `json:"flags,omitempty"`

	// Seq orders every message the fake created, across channels.
	Seq int `json:"-"`
	// Edits counts in-place edits.
	Edits int `json:"-"`
	// Token is the interaction whose answer this is, if any.
	Token string `json:"-"`
	// Deferred is an interaction's "thinking" placeholder not yet filled.
	Deferred bool `json:"-"`
}

// Embed is a rich embed.
type Embed struct {
	Type        string  `json:"type,omitempty"`
	Title       string  `json:"title,omitempty"`
	Description string  `json:"description,omitempty"`
	Color       int     `json:"color,omitempty"`
	Fields      []Field `json:"fields,omitempty"`
	Footer      *Footer `json:"footer,omitempty"`
}

// Field is an embed field.
type Field struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Inline bool   `json:"inline,omitempty"`
}

// Footer is an embed footer.
type Footer struct {
	Text string `json:"text"`
}

// Row is an action row (type 1).
type Row struct {
	Type       int         `json:"type"`
	Components []Component `json:"components"`
}

// Component is a button (type 2).
type Component struct {
	Type     int    `json:"type"`
	Style    int    `json:"style"`
	Label    string `json:"label"`
	CustomID string `json:"custom_id,omitempty"`
	URL      string `json:"url,omitempty"`
	Disabled bool   `json:"disabled,omitempty"`
}

// AllowedMentions says who a message may notify.
type AllowedMentions struct {
	Parse []string `json:"parse"`
	Users []string `json:"users,omitempty"`
	Roles []string `json:"roles,omitempty"`
}

// Ephemeral is the flag of a message only its recipient sees.
const Ephemeral = 1 << 6

// Buttons returns every button of the message, in order.
func (m Message) Buttons() []Component {
	var out []Component
	for _, r := range m.Components {
		out = append(out, r.Components...)
	}
	return out
}

// Text is the message's visible text as a user reads it: content, embed
// titles, descriptions, fields ("name: value") and footers, one per line,
// with Discord's markdown escapes and bold markers removed.
func (m Message) Text() string {
	var parts []string
	add := func(s string) {
		if s = Visible(s); strings.TrimSpace(strings.ReplaceAll(s, "\u200b", "")) != "" {
			parts = append(parts, s)
		}
	}
	add(m.Content)
	for _, e := range m.Embeds {
		add(e.Title)
		add(e.Description)
		for _, f := range e.Fields {
			add(f.Name + ": " + f.Value)
		}
		if e.Footer != nil {
			parts = append(parts, e.Footer.Text) // footers are not markdown
		}
	}
	return strings.Join(parts, "\n")
}

var escaped = regexp.MustCompile(`\\([^0-9A-Za-z\s])`)

// Visible removes markdown as Discord's client does for the markers the
// bot uses: **bold**, `code` and backslash escapes.
func Visible(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && escaped.MatchString(s[i:i+2]):
			b.WriteByte(s[i+1])
			i++
		case strings.HasPrefix(s[i:], "**"):
			i++
		case s[i] == '`':
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
