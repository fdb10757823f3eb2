package slackfake

import (
	"encoding/json"
	"strings"
)

// SectionLines returns the lines of the section blocks' texts in a
// message's blocks: its body as a reader sees it, without the header, the
// fields, the buttons or the context note. Tests read a helpdesk thread's
// steps with it.
func SectionLines(blocks json.RawMessage) []string {
	var bs []struct {
		Type string `json:"type"`
		Text *struct {
			Text string `json:"text"`
		} `json:"text"`
	}
	_ = json.Unmarshal(blocks, &bs)
	var out []string
	for _, b := range bs {
		if b.Type != "section" || b.Text == nil {
			continue
		}
		for _, l := range strings.Split(b.Text.Text, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				out = append(out, l)
			}
		}
	}
	return out
}
