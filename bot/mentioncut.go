package bot

import (
	"strings"
	"unicode"
)

// cutMention removes the target's mention from a command's words, however
// often it is written and whether or not it is glued to other text
// ("@ann,"): the rest is what the helpdesk typed for the target to read
// (a reason, a passkey's name), and the target's own mention in it would
// only be noise, or a way to smuggle a mention into a line. found says
// whether the mention was there at all.
func cutMention(words []string, target User) (rest []string, found bool) {
	token := []rune(strings.ToLower(Mention(target.ID)))
	for _, w := range words {
		pieces, n := cutFold(w, token)
		found = found || n > 0
		rest = append(rest, pieces...)
	}
	return rest, found
}

// cutFold splits word around every occurrence of token (lower-cased
// runes), compared rune by rune as strings.ToLower folds them, and says how
// many it cut. The pieces keep their case and are returned apart, so two
// of them can never join into a new occurrence.
func cutFold(word string, token []rune) (pieces []string, n int) {
	orig := []rune(word)
	start := 0
	for i := 0; i+len(token) <= len(orig); {
		if !foldedAt(orig[i:], token) {
			i++
			continue
		}
		if i > start {
			pieces = append(pieces, string(orig[start:i]))
		}
		n++
		i += len(token)
		start = i
	}
	if start < len(orig) {
		pieces = append(pieces, string(orig[start:]))
	}
	return pieces, n
}

// foldedAt reports whether s begins with token once each rune is lowered.
func foldedAt(s, token []rune) bool {
	for j, r := range token {
		if unicode.ToLower(s[j]) != r {
			return false
		}
	}
	return true
}
