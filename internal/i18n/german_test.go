package i18n

import (
	"regexp"
	"testing"
)

// formal is the German of the polite "Sie" form: the pronoun and its
// possessives, capitalised. Lower-case "sie" and "ihr" (she, they, her,
// their) are fine; a sentence about a third person starts with a noun
// ("Die Person", "Die Anfrage"), never with "Sie" or "Ihr", so a capital
// one is always the polite form.
var formal = regexp.MustCompile(`\b(Sie|Ihnen|Ihr|Ihre|Ihrem|Ihren|Ihrer|Ihres)\b`)

// TestGermanSaysDu: the German catalogue says "du" to everyone it
// addresses, the employee on their phone and the helpdesk member in chat
// alike (de.yaml says why); any "Sie" form fails with its key.
func TestGermanSaysDu(t *testing.T) {
	for id, forms := range entries(t, "de") {
		for form, s := range forms {
			if m := formal.FindString(s); m != "" {
				t.Errorf("%s (%s): %q says %q: German addresses people with du", id, form, s, m)
			}
		}
	}
}
