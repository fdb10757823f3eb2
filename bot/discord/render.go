package discord

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/resetbot/resetbot/bot"
)

// Discord's limits (characters or items). Discord refuses a whole message
// when one part is over, so text is clipped instead.
const (
	maxTitle       = 256
	maxDescription = 4096
	maxFields      = 25
	maxFieldName   = 256
	maxFieldValue  = 1024
	maxFooter      = 2048
	maxButtonLabel = 80
	maxButtonURL   = 512
	maxRowButtons  = 5
	maxRows        = 5
	maxThreadName  = 100
)

// Embed colours by tone (Discord's own palette). Neutral has none, so the
// client's default shows.
var toneColour = map[bot.Tone]int{
	bot.ToneGood:    0x57F287,
	bot.ToneWarning: 0xFEE75C,
	bot.ToneDanger:  0xED4245,
}

// noPings allows no mention to notify anyone: the bot never pings
// @everyone, @here, a role or a user, whatever the text contains.
func noPings() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// rendered is a bot.Message in Discord's wire form: one embed and its
// components. The same parts go into a channel message, an edit, an
// interaction response and a follow-up, each with its own discordgo type.
type rendered struct {
	Embeds          []*discordgo.MessageEmbed         `json:"embeds"`
	Components      []discordgo.MessageComponent      `json:"components"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
}

// render turns a neutral message into an embed (Title as title, Body
// paragraphs as description, Fields inline, Note as footer, Tone as
// colour) and action rows (the Link as a link button, then the core's
// buttons). Discord has no hidden notification text, so Summary is the
// embed's title when the message has no Title of its own: every message
// gets its one-line headline, none shows it twice. It fails only when a
// button's action and value do not fit Discord's custom_id: a message
// missing its Approve button must not go out silently.
func render(m bot.Message) (rendered, error) {
	e := &discordgo.MessageEmbed{Type: discordgo.EmbedTypeRich, Color: toneColour[m.Tone]}
	title := m.Title
	if title == "" {
		title = m.Summary
	}
	e.Title = clip(inline(title), maxTitle)
	var paras []string
	for _, p := range m.Body {
		if strings.TrimSpace(p) != "" {
			paras = append(paras, markdown(p))
		}
	}
	e.Description = clip(strings.Join(paras, "\n\n"), maxDescription)
	for _, f := range m.Fields[:min(len(m.Fields), maxFields)] {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{
			Name:   orBlank(clip(inline(f.Label), maxFieldName)),
			Value:  orBlank(clip(markdown(f.Value), maxFieldValue)),
			Inline: true,
		})
	}
	if m.Note != "" {
		e.Footer = &discordgo.MessageEmbedFooter{Text: clip(plain(m.Note), maxFooter)}
	}
	rows, err := components(m)
	if err != nil {
		return rendered{}, err
	}
	return rendered{Embeds: []*discordgo.MessageEmbed{e}, Components: rows, AllowedMentions: noPings()}, nil
}

// components renders the link button and the core's buttons in action
// rows of at most five. Always a non-nil slice: an edit that removes the
// buttons must send "components": [] rather than leave them.
func components(m bot.Message) ([]discordgo.MessageComponent, error) {
	var buttons []discordgo.MessageComponent
	if m.Link != nil && linkable(m.Link.URL) {
		label := m.Link.Label
		if label == "" {
			label = m.Link.URL
		}
		buttons = append(buttons, discordgo.Button{Style: discordgo.LinkButton, Label: clip(plain(label), maxButtonLabel), URL: m.Link.URL})
	}
	for _, b := range m.Buttons {
		id, err := encodeCustomID(b.ActionID, b.Value)
		if err != nil {
			return nil, err
		}
		style := discordgo.SecondaryButton
		switch b.Style {
		case bot.StylePrimary:
			style = discordgo.PrimaryButton
		case bot.StyleDanger:
			style = discordgo.DangerButton
		}
		buttons = append(buttons, discordgo.Button{Style: style, Label: orBlank(clip(plain(b.Label), maxButtonLabel)), CustomID: id})
	}
	if len(buttons) > maxRows*maxRowButtons {
		return nil, fmt.Errorf("discord: %d buttons, a message holds %d", len(buttons), maxRows*maxRowButtons)
	}
	rows := []discordgo.MessageComponent{}
	for i := 0; i < len(buttons); i += maxRowButtons {
		rows = append(rows, discordgo.ActionsRow{Components: buttons[i:min(i+maxRowButtons, len(buttons))]})
	}
	return rows, nil
}

// linkable reports whether Discord accepts u as a link button's URL. The
// core builds links from the configured origin; this only keeps a bad
// configuration from making Discord refuse the whole message.
func linkable(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "https" || p.Scheme == "http") && p.Host != "" && len(u) <= maxButtonURL
}

// orBlank keeps a required Discord text non-empty with an invisible space.
func orBlank(s string) string {
	if strings.TrimSpace(s) == "" {
		return "\u200b"
	}
	return s
}

// threadName names a helpdesk thread after its parent message.
func threadName(m bot.Message) string {
	name := m.Title
	if name == "" {
		name = m.Summary
	}
	return orBlank(clip(strings.Join(strings.Fields(plain(name)), " "), maxThreadName))
}

// asSend is a new channel message (ChannelMessageSendComplex).
func (r rendered) asSend() *discordgo.MessageSend {
	return &discordgo.MessageSend{Embeds: r.Embeds, Components: r.Components, AllowedMentions: r.AllowedMentions}
}

// asEdit replaces a channel message's embed and components in place.
func (r rendered) asEdit(channelID, messageID string) *discordgo.MessageEdit {
	return &discordgo.MessageEdit{Channel: channelID, ID: messageID, Embeds: &r.Embeds, Components: &r.Components, AllowedMentions: r.AllowedMentions}
}

// asFollowup is an ephemeral follow-up on an interaction's webhook.
func (r rendered) asFollowup() *discordgo.WebhookParams {
	return &discordgo.WebhookParams{Embeds: r.Embeds, Components: r.Components, AllowedMentions: r.AllowedMentions, Flags: discordgo.MessageFlagsEphemeral}
}

// asOriginalEdit fills in a deferred response (@original).
func (r rendered) asOriginalEdit() *discordgo.WebhookEdit {
	return &discordgo.WebhookEdit{Embeds: &r.Embeds, Components: &r.Components, AllowedMentions: r.AllowedMentions}
}

// asResponse is the HTTP answer to a command: an ephemeral message.
func (r rendered) asResponse() *discordgo.InteractionResponse {
	return &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Embeds: r.Embeds, Components: r.Components, AllowedMentions: r.AllowedMentions, Flags: discordgo.MessageFlagsEphemeral},
	}
}
