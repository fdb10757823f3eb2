package discordfake

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"unicode/utf8"
)

// Discord's message limits, checked like Discord checks them: one part
// over and the whole message is refused with 50035 Invalid Form Body.
const (
	maxEmbeds      = 10
	maxTitle       = 256
	maxDescription = 4096
	maxFields      = 25
	maxFieldName   = 256
	maxFieldValue  = 1024
	maxFooter      = 2048
	maxEmbedTotal  = 6000
	maxRows        = 5
	maxRowItems    = 5
	maxLabel       = 80
	maxCustomID    = 100
	maxURL         = 512
)

// decodeMessage reads a message create body and checks it.
func decodeMessage(body []byte, create bool) (*Message, string) {
	var m Message
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, "body: " + err.Error()
	}
	if create && m.Content == "" && len(m.Embeds) == 0 && len(m.Components) == 0 {
		return nil, "Cannot send an empty message"
	}
	return &m, check(&m)
}

// applyEdit changes the fields present in an edit body, as PATCH does.
func applyEdit(m *Message, body []byte) string {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return "body: " + err.Error()
	}
	next := *m
	for k, v := range fields {
		var err error
		switch k {
		case "content":
			err = json.Unmarshal(v, &next.Content)
		case "embeds":
			next.Embeds = nil
			err = json.Unmarshal(v, &next.Embeds)
		case "components":
			next.Components = nil
			err = json.Unmarshal(v, &next.Components)
		case "allowed_mentions":
			err = json.Unmarshal(v, &next.AllowedMentions)
		case "flags":
			// Discord only lets an edit change the suppress-embeds flag.
		}
		if err != nil {
			return k + ": " + err.Error()
		}
	}
	if problem := check(&next); problem != "" {
		return problem
	}
	next.Edits++
	*m = next
	return ""
}

// check applies Discord's limits to a message.
func check(m *Message) string {
	n := utf8.RuneCountInString
	if len(m.Embeds) > maxEmbeds {
		return "embeds: too many"
	}
	for i, e := range m.Embeds {
		total := n(e.Title) + n(e.Description)
		switch {
		case n(e.Title) > maxTitle:
			return fmt.Sprintf("embeds.%d.title: too long", i)
		case n(e.Description) > maxDescription:
			return fmt.Sprintf("embeds.%d.description: too long", i)
		case len(e.Fields) > maxFields:
			return fmt.Sprintf("embeds.%d.fields: too many", i)
		}
		for j, f := range e.Fields {
			total += n(f.Name) + n(f.Value)
			switch {
			case f.Name == "" || n(f.Name) > maxFieldName:
				return fmt.Sprintf("embeds.%d.fields.%d.name: must be 1 to %d characters", i, j, maxFieldName)
			case f.Value == "" || n(f.Value) > maxFieldValue:
				return fmt.Sprintf("embeds.%d.fields.%d.value: must be 1 to %d characters", i, j, maxFieldValue)
			}
		}
		if e.Footer != nil {
			if n(e.Footer.Text) > maxFooter {
				return fmt.Sprintf("embeds.%d.footer.text: too long", i)
			}
			total += n(e.Footer.Text)
		}
		if total > maxEmbedTotal {
			return fmt.Sprintf("embeds.%d: more than %d characters in all", i, maxEmbedTotal)
		}
	}
	if len(m.Components) > maxRows {
		return "components: too many rows"
	}
	seen := map[string]bool{}
	for i, r := range m.Components {
		if r.Type != 1 || len(r.Components) == 0 || len(r.Components) > maxRowItems {
			return fmt.Sprintf("components.%d: not an action row of 1 to %d buttons", i, maxRowItems)
		}
		for j, c := range r.Components {
			where := fmt.Sprintf("components.%d.components.%d", i, j)
			switch {
			case c.Type != 2:
				return where + ": not a button"
			case c.Label == "" || n(c.Label) > maxLabel:
				return where + ".label: must be 1 to 80 characters"
			case c.Style == 5 && (c.URL == "" || c.CustomID != "" || len(c.URL) > maxURL):
				return where + ": a link button needs a url (at most 512) and no custom_id"
			case c.Style != 5 && (c.Style < 1 || c.Style > 4):
				return where + ".style: invalid"
			case c.Style != 5 && (c.CustomID == "" || c.URL != "" || len(c.CustomID) > maxCustomID):
				return where + ".custom_id: must be 1 to 100 characters, without a url"
			case c.CustomID != "" && seen[c.CustomID]:
				return where + ".custom_id: duplicate"
			}
			seen[c.CustomID] = c.CustomID != ""
		}
	}
	return ""
}

// commandName is Discord's rule for command and option names.
var commandName = regexp.MustCompile(`^[-_\p{Ll}\p{N}]{1,32}$`)

// checkCommand applies Discord's rules for a chat input command: names,
// descriptions of 1 to 100 characters, at most 25 options, subcommands not
// mixed with other options, required options first.
func checkCommand(d map[string]any) string {
	name, _ := d["name"].(string)
	desc, _ := d["description"].(string)
	if !commandName.MatchString(name) {
		return fmt.Sprintf("name: %q is not a valid command name", name)
	}
	if n := utf8.RuneCountInString(desc); n < 1 || n > 100 {
		return name + ".description: must be 1 to 100 characters"
	}
	if p := checkLocalizations(name, d["description_localizations"]); p != "" {
		return p
	}
	// A permission set is a decimal number in a string, as Discord sends it.
	if p, ok := d["default_member_permissions"]; ok && p != nil {
		s, isString := p.(string)
		if _, err := strconv.ParseUint(s, 10, 64); !isString || err != nil {
			return fmt.Sprintf("%s.default_member_permissions: %v is not a permission set string", name, p)
		}
	}
	return checkOptions(name, d["options"])
}

// discordLocales are the locales Discord accepts in *_localizations.
var discordLocales = map[string]bool{
	"id": true, "da": true, "de": true, "en-GB": true, "en-US": true, "es-ES": true, "es-419": true,
	"fr": true, "hr": true, "it": true, "lt": true, "hu": true, "nl": true, "no": true, "pl": true,
	"pt-BR": true, "ro": true, "fi": true, "sv-SE": true, "vi": true, "tr": true, "cs": true,
	"el": true, "bg": true, "ru": true, "uk": true, "hi": true, "th": true, "zh-CN": true,
	"ja": true, "zh-TW": true, "ko": true,
}

// checkLocalizations checks a description_localizations map: known
// locales, 1 to 100 characters each.
func checkLocalizations(where string, raw any) string {
	if raw == nil {
		return ""
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return where + ".description_localizations: not an object"
	}
	for l, v := range m {
		s, _ := v.(string)
		if !discordLocales[l] {
			return fmt.Sprintf("%s.description_localizations: %q is not a Discord locale", where, l)
		}
		if n := utf8.RuneCountInString(s); n < 1 || n > 100 {
			return fmt.Sprintf("%s.description_localizations.%s: must be 1 to 100 characters", where, l)
		}
	}
	return ""
}

func checkOptions(where string, raw any) string {
	opts, _ := raw.([]any)
	if len(opts) > 25 {
		return where + ".options: more than 25"
	}
	subs, others, optional := 0, 0, false
	for _, o := range opts {
		om, _ := o.(map[string]any)
		name, _ := om["name"].(string)
		desc, _ := om["description"].(string)
		typ, _ := om["type"].(float64)
		req, _ := om["required"].(bool)
		if !commandName.MatchString(name) {
			return fmt.Sprintf("%s.options: %q is not a valid option name", where, name)
		}
		if n := utf8.RuneCountInString(desc); n < 1 || n > 100 {
			return where + "." + name + ".description: must be 1 to 100 characters"
		}
		if p := checkLocalizations(where+"."+name, om["description_localizations"]); p != "" {
			return p
		}
		if typ == 1 || typ == 2 {
			subs++
			if p := checkOptions(where+"."+name, om["options"]); p != "" {
				return p
			}
			continue
		}
		others++
		if req && optional {
			return where + "." + name + ": required options must come before optional ones"
		}
		optional = optional || !req
	}
	if subs > 0 && others > 0 {
		return where + ".options: subcommands cannot be mixed with other options"
	}
	return ""
}
