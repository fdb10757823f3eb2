package i18n

import (
	"strings"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Lang translates into one language. The zero Lang is English.
type Lang struct {
	tag language.Tag
	loc *goi18n.Localizer
}

// For returns the translator for lang, a tag or locale string: it is
// matched like Match, so "de-DE" gives German and "" gives English.
func For(lang string) Lang {
	tag := Match(lang)
	return Lang{tag: tag, loc: goi18n.NewLocalizer(bundle, tag.String(), language.English.String())}
}

// Tag is the language l translates into.
func (l Lang) Tag() language.Tag { return l.tag }

// String is the language's BCP 47 tag ("de"), as stored in a flow.
func (l Lang) String() string { return l.tag.String() }

// T translates id with named arguments given as name, value pairs:
// l.T("chat.link.sent", "Account", name). An unknown id gives the id
// itself, so a mistake shows up on screen and in tests rather than as a
// blank.
func (l Lang) T(id string, args ...any) string {
	return l.translate(id, nil, args)
}

// N is T for a plural message: count picks the CLDR form and is the
// {{.Count}} placeholder.
func (l Lang) N(id string, count int, args ...any) string {
	return l.translate(id, count, args)
}

// Funcs are the template functions "t" and "tn" (T and N) for
// html/template and text/template: {{t "web.title"}},
// {{tn "web.left" .N "Name" .Name}}.
func (l Lang) Funcs() map[string]any {
	return map[string]any{"t": l.T, "tn": l.N}
}

func (l Lang) translate(id string, count any, args []any) string {
	data := Args(args...)
	if count != nil {
		data["Count"] = count
	}
	s, err := l.localizer().Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count})
	if err != nil && s == "" {
		return id
	}
	return s
}

func (l Lang) localizer() *goi18n.Localizer {
	if l.loc == nil {
		return goi18n.NewLocalizer(bundle, language.English.String())
	}
	return l.loc
}

// Args turns name, value pairs into a template's data. A pair without a
// string name is dropped: arguments are named by the code, not by input.
func Args(pairs ...any) map[string]any {
	m := make(map[string]any, len(pairs)/2+1)
	for i := 0; i+1 < len(pairs); i += 2 {
		if k, ok := pairs[i].(string); ok {
			m[k] = pairs[i+1]
		}
	}
	return m
}

// Part is one piece of a translated message: literal catalogue text
// (trusted; may hold *bold*) or the name of an argument to fill in. The chat
// core builds typed segments from parts, so an argument's value never
// becomes markup.
type Part struct {
	// Text is catalogue text when Arg is empty.
	Text string
	// Arg names the argument standing here.
	Arg string
}

// marker brackets an argument name inside a translation being split into
// parts; catalogue text never holds it (TestCatalogueComplete checks).
const marker = "\x00"

// Parts translates id like N (count < 0: like T) but leaves each argument as
// a Part naming it, in the order the translation puts them.
func (l Lang) Parts(id string, count int, names ...string) []Part {
	data := map[string]any{}
	for _, n := range names {
		data[n] = marker + n + marker
	}
	var pc any
	if count >= 0 {
		pc = count
		data["Count"] = marker + "Count" + marker
	}
	s, err := l.localizer().Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: pc})
	if err != nil && s == "" {
		return []Part{{Text: id}}
	}
	return split(s)
}

func split(s string) []Part {
	var parts []Part
	for i := 0; s != ""; i++ {
		j := strings.Index(s, marker)
		if j < 0 {
			j = len(s)
		}
		if j > 0 {
			if i%2 == 0 {
				parts = append(parts, Part{Text: s[:j]})
			} else {
				parts = append(parts, Part{Arg: s[:j]})
			}
		}
		if j == len(s) {
			break
		}
		s = s[j+len(marker):]
	}
	return parts
}
