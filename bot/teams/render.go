package teams

import (
	"github.com/resetbot/resetbot/bot"
)

// Adaptive Card content types and versions. 1.5 is what Teams desktop,
// web and mobile render today, and it has Action.Execute.
const (
	contentTypeCard = "application/vnd.microsoft.card.adaptive"
	cardSchema      = "http://adaptivecards.io/schemas/adaptive-card.json"
	cardVersion     = "1.5"
)

// card is an Adaptive Card as Teams accepts it.
type card struct {
	Type    string       `json:"type"`
	Schema  string       `json:"$schema"`
	Version string       `json:"version"`
	Body    []cardItem   `json:"body"`
	Actions []cardAction `json:"actions,omitempty"`
	MSTeams cardMSTeams  `json:"msteams"`
}

// cardItem is a TextBlock or a FactSet.
type cardItem struct {
	Type     string `json:"type"`
	Text     string `json:"text,omitempty"`
	Wrap     bool   `json:"wrap,omitempty"`
	Weight   string `json:"weight,omitempty"`
	Size     string `json:"size,omitempty"`
	Color    string `json:"color,omitempty"`
	IsSubtle bool   `json:"isSubtle,omitempty"`
	Spacing  string `json:"spacing,omitempty"`
	Facts    []fact `json:"facts,omitempty"`
}

type fact struct {
	Title string `json:"title"`
	Value string `json:"value"`
}

// cardAction is an Action.OpenUrl (the link) or an Action.Execute (a
// button). Execute carries the core's ActionID and Value in data, and its
// verb is the ActionID so Teams' own logs say what was pressed.
type cardAction struct {
	Type  string      `json:"type"`
	Title string      `json:"title"`
	URL   string      `json:"url,omitempty"`
	Verb  string      `json:"verb,omitempty"`
	Data  *actionData `json:"data,omitempty"`
	Style string      `json:"style,omitempty"`
}

type cardMSTeams struct {
	Width    string   `json:"width"`
	Entities []entity `json:"entities,omitempty"`
}

// toneColor maps the core's tone to Adaptive Card colours.
var toneColor = map[bot.Tone]string{bot.ToneGood: "Good", bot.ToneWarning: "Warning", bot.ToneDanger: "Attention"}

// buttonStyle maps the core's button emphasis to Adaptive Card styles.
var buttonStyle = map[bot.Style]string{bot.StylePrimary: "positive", bot.StyleDanger: "destructive"}

// renderActivity turns a neutral message into a Teams message activity
// with one Adaptive Card. names gives display names for mentions (empty
// when unknown: the mention then shows the user id).
func renderActivity(m bot.Message, names func(userID string) string) *activity {
	r := &renderer{names: names}
	c := card{Type: "AdaptiveCard", Schema: cardSchema, Version: cardVersion, Body: []cardItem{}, MSTeams: cardMSTeams{Width: "Full"}}
	color := toneColor[m.Tone]
	if m.Title != "" {
		c.Body = append(c.Body, cardItem{Type: "TextBlock", Text: r.markdown(m.Title), Wrap: true, Weight: "Bolder", Size: "Large", Color: color})
		color = ""
	}
	for _, p := range m.Body {
		c.Body = append(c.Body, cardItem{Type: "TextBlock", Text: r.markdown(p), Wrap: true, Color: color})
		color = ""
	}
	if len(m.Fields) > 0 {
		fs := cardItem{Type: "FactSet"}
		for _, f := range m.Fields {
			fs.Facts = append(fs.Facts, fact{Title: markdownEscaper.Replace(r.plain(f.Label)), Value: r.markdown(f.Value)})
		}
		c.Body = append(c.Body, fs)
	}
	if m.Note != "" {
		c.Body = append(c.Body, cardItem{Type: "TextBlock", Text: r.markdown(m.Note), Wrap: true, Size: "Small", IsSubtle: true, Spacing: "Medium"})
	}
	if len(c.Body) == 0 && m.Summary != "" {
		// A message with only a summary still shows its words.
		c.Body = append(c.Body, cardItem{Type: "TextBlock", Text: r.markdown(m.Summary), Wrap: true, Color: color})
	}
	if m.Link != nil {
		c.Actions = append(c.Actions, cardAction{Type: "Action.OpenUrl", Title: r.plain(m.Link.Label), URL: m.Link.URL})
	}
	for _, b := range m.Buttons {
		c.Actions = append(c.Actions, cardAction{
			Type: actionExecute, Title: r.plain(b.Label), Verb: b.ActionID,
			Data: &actionData{ActionID: b.ActionID, Value: b.Value}, Style: buttonStyle[b.Style],
		})
	}
	summary := r.plain(m.Summary)
	for _, mt := range r.mentions {
		c.MSTeams.Entities = append(c.MSTeams.Entities, entity{Type: "mention", Text: mt.at(), Mentioned: &account{ID: mt.id, Name: mt.name}})
	}
	return &activity{
		Type:        typeMessage,
		Summary:     summary,
		Attachments: []attachment{{ContentType: contentTypeCard, Content: c}},
	}
}
