package bot

// Message is a chat message in platform-neutral form. The core composes
// every message the bot sends from these parts; each platform package
// renders them into its own format (Slack Block Kit, a Teams Adaptive Card,
// a Discord message with components) and nothing else, so wording and
// behaviour live in one place.
//
// Text fields may contain mentions written as Mention(id) produces them;
// platforms turn those into their native mention syntax.
type Message struct {
	// Summary is the plain one-line text used for notifications and as
	// the fallback where rich content is not shown.
	Summary string
	// Title is the heading, if any.
	Title string
	// Body is a list of paragraphs. *bold* is the only markup.
	Body []string
	// Fields are label/value pairs shown as a compact grid.
	Fields []Field
	// Link is the one call-to-action URL (the reset link), if any.
	Link *Link
	// Buttons are interactive actions (Approve/Deny).
	Buttons []Button
	// Note is small print under the message (expiry, error id, origin).
	Note string
	// Tone colours the message where the platform supports it.
	Tone Tone
	// Urgent marks a message someone must act on (an approval request):
	// platforms post it before every informational message waiting for
	// the same channel (platform.Pacer), so a backlog never delays it.
	Urgent bool
}

// IsZero reports whether m says nothing (no field set): the core's way
// of choosing silence, which platforms answer with their neutral
// acknowledgement (an empty 200, a deferred response).
func (m Message) IsZero() bool {
	return m.Summary == "" && m.Title == "" && len(m.Body) == 0 && len(m.Fields) == 0 &&
		m.Link == nil && len(m.Buttons) == 0 && m.Note == ""
}

// Field is one label/value pair.
type Field struct {
	Label string
	Value string
}

// Link is a URL with a label. The URL is always built from the configured
// public base URL, never from request headers.
type Link struct {
	URL   string
	Label string
}

// Button is an interactive action. ActionID says what it does; Value names
// the flow it applies to. Platforms round-trip both unchanged.
type Button struct {
	ActionID string
	Value    string
	Label    string
	Style    Style
}

// Style is a button's emphasis.
type Style string

// Button styles.
const (
	StyleDefault Style = ""
	StylePrimary Style = "primary"
	StyleDanger  Style = "danger"
)

// Tone is a message's emphasis.
type Tone string

// Message tones.
const (
	ToneNeutral Tone = ""
	ToneGood    Tone = "good"
	ToneWarning Tone = "warning"
	ToneDanger  Tone = "danger"
)

// Action ids of the buttons the core creates.
const (
	ActionApprove = "resetbot.approve"
	ActionDeny    = "resetbot.deny"
	// ActionSendEnroll sends the subject of a request that got no link
	// (no usable factor) a one-time enrollment link; helpdesk only.
	ActionSendEnroll = "resetbot.send_enroll"
)
