package discord

import (
	"fmt"
	"strings"
)

// A button's custom_id carries the core's ActionID and Value through
// Discord and back. Discord allows at most 100 characters and echoes the
// string verbatim, so the encoding is a versioned prefix and the two parts
// with '%' and ':' percent-escaped:
//
//	rb1:<action id>:<value>
//
// Decoding is strict (canonical encodings only), so a crafted custom_id
// can name no action that Encode would not have produced.
const (
	customIDPrefix = "rb1:"
	maxCustomID    = 100
)

// encodeCustomID builds the custom_id of a button.
func encodeCustomID(actionID, value string) (string, error) {
	if actionID == "" {
		return "", fmt.Errorf("discord: button without action id")
	}
	id := customIDPrefix + escapeCustomID(actionID) + ":" + escapeCustomID(value)
	if len(id) > maxCustomID {
		return "", fmt.Errorf("discord: custom_id for %q is %d characters, Discord allows %d", actionID, len(id), maxCustomID)
	}
	return id, nil
}

// decodeCustomID reverses encodeCustomID. Errors wrap errBadCustomID.
func decodeCustomID(id string) (actionID, value string, err error) {
	rest, ok := strings.CutPrefix(id, customIDPrefix)
	if !ok || len(id) > maxCustomID {
		return "", "", fmt.Errorf("%w: %q", errBadCustomID, id)
	}
	a, v, ok := strings.Cut(rest, ":")
	if !ok {
		return "", "", fmt.Errorf("%w: %q", errBadCustomID, id)
	}
	if actionID, err = unescapeCustomID(a); err != nil || actionID == "" {
		return "", "", fmt.Errorf("%w: %q", errBadCustomID, id)
	}
	if value, err = unescapeCustomID(v); err != nil {
		return "", "", fmt.Errorf("%w: %q", errBadCustomID, id)
	}
	return actionID, value, nil
}

func escapeCustomID(s string) string {
	if !strings.ContainsAny(s, "%:") {
		return s
	}
	return strings.NewReplacer("%", "%25", ":", "%3A").Replace(s)
}

// unescapeCustomID accepts only the two escapes escapeCustomID writes.
func unescapeCustomID(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == ':':
			return "", fmt.Errorf("unescaped ':'")
		case s[i] != '%':
			b.WriteByte(s[i])
		case strings.HasPrefix(s[i:], "%25"):
			b.WriteByte('%')
			i += 2
		case strings.HasPrefix(s[i:], "%3A"):
			b.WriteByte(':')
			i += 2
		default:
			return "", fmt.Errorf("bad escape")
		}
	}
	return b.String(), nil
}
