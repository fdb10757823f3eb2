package slack

import (
	slackgo "github.com/slack-go/slack"

	"github.com/resetbot/resetbot/bot"
)

// Block Kit limits (characters or items). Slack rejects a whole message
// when one block is over, so rendering clips instead of failing.
const (
	maxHeader     = 150
	maxSection    = 3000
	maxField      = 2000
	maxFields     = 10
	maxButtonText = 75
	maxButtonURL  = 3000
	maxValue      = 2000
	maxContext    = 2000
	maxFallback   = 3000
	maxActions    = 25
)

// Block ids of the blocks we render. Slack echoes the block id with every
// click; fixed ids keep rendered messages stable for golden files.
const (
	blockHeader  = "resetbot.header"
	blockFields  = "resetbot.fields"
	blockActions = "resetbot.actions"
	blockNote    = "resetbot.note"
)

// ActionLink is the action id of the link button. Slack reports clicks on
// URL buttons as interactions too; they are an artefact of Slack, not a
// user decision, so ingress drops them instead of bothering the core.
const ActionLink = "resetbot.link"

// rendered is a bot.Message in Slack's wire form: the fallback text and
// the blocks, as chat.postMessage and response_url both take them.
type rendered struct {
	Text   string          `json:"text"`
	Blocks []slackgo.Block `json:"blocks,omitempty"`
}

// render turns a neutral message into Block Kit: header (Title), one
// section per Body paragraph, a fields section, an actions block with the
// link button and the core's buttons, and a context block for the Note.
// Summary becomes the notification text. Tone has no Block Kit equivalent
// (colour bars exist only on legacy attachments), so it is not shown.
func render(m bot.Message) rendered {
	var blocks []slackgo.Block
	if m.Title != "" {
		blocks = append(blocks, slackgo.NewHeaderBlock(
			slackgo.NewTextBlockObject(slackgo.PlainTextType, clip(plain(m.Title), maxHeader), true, false),
			slackgo.HeaderBlockOptionBlockID(blockHeader)))
	}
	for _, p := range m.Body {
		if p == "" {
			continue
		}
		blocks = append(blocks, slackgo.NewSectionBlock(markdownText(p, maxSection), nil, nil))
	}
	for i := 0; i < len(m.Fields); i += maxFields {
		var fields []*slackgo.TextBlockObject
		for _, f := range m.Fields[i:min(i+maxFields, len(m.Fields))] {
			fields = append(fields, slackgo.NewTextBlockObject(slackgo.MarkdownType,
				clip("*"+mrkdwn(f.Label)+"*\n"+mrkdwn(f.Value), maxField), false, true))
		}
		id := blockFields
		if i > 0 {
			id = ""
		}
		blocks = append(blocks, slackgo.NewSectionBlock(nil, fields, nil, slackgo.SectionBlockOptionBlockID(id)))
	}
	if actions := actionElements(m); len(actions) > 0 {
		blocks = append(blocks, slackgo.NewActionBlock(blockActions, actions...))
	}
	if m.Note != "" {
		blocks = append(blocks, slackgo.NewContextBlock(blockNote, markdownText(m.Note, maxContext)))
	}
	text := m.Summary
	if text == "" {
		text = m.Title
	}
	return rendered{Text: clip(mrkdwn(text), maxFallback), Blocks: blocks}
}

// actionElements renders the link and the buttons, in that order.
func actionElements(m bot.Message) []slackgo.BlockElement {
	var els []slackgo.BlockElement
	if m.Link != nil && m.Link.URL != "" && len(m.Link.URL) <= maxButtonURL {
		label := m.Link.Label
		if label == "" {
			label = m.Link.URL
		}
		els = append(els, slackgo.NewButtonBlockElement(ActionLink, "",
			slackgo.NewTextBlockObject(slackgo.PlainTextType, clip(plain(label), maxButtonText), true, false)).
			WithURL(m.Link.URL).WithStyle(slackgo.StylePrimary))
	}
	for _, b := range m.Buttons {
		if len(els) == maxActions {
			break
		}
		el := slackgo.NewButtonBlockElement(b.ActionID, clip(b.Value, maxValue),
			slackgo.NewTextBlockObject(slackgo.PlainTextType, clip(plain(b.Label), maxButtonText), true, false))
		switch b.Style {
		case bot.StylePrimary:
			el = el.WithStyle(slackgo.StylePrimary)
		case bot.StyleDanger:
			el = el.WithStyle(slackgo.StyleDanger)
		}
		els = append(els, el)
	}
	return els
}

// markdownText is a verbatim mrkdwn text object: verbatim stops Slack from
// turning plain "@here" or URLs in user-supplied text into live mentions
// and links; our own <@U…> mentions still render.
func markdownText(s string, limit int) *slackgo.TextBlockObject {
	return slackgo.NewTextBlockObject(slackgo.MarkdownType, clip(mrkdwn(s), limit), false, true)
}
