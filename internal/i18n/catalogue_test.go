package i18n

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"go.yaml.in/yaml/v3"
)

// pluralForms are the CLDR form names go-i18n reads as a plural message.
var pluralForms = []string{"zero", "one", "two", "few", "many", "other"}

// entries reads one locale file as id -> forms (a plain message has only
// "other"), joining nested keys with "." as go-i18n does.
func entries(t *testing.T, lang string) map[string]map[string]string {
	t.Helper()
	raw := map[string]any{}
	for _, name := range localeNames(lang) {
		data, err := localeFiles.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var part map[string]any
		if err := yaml.Unmarshal(data, &part); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for k, v := range part {
			if _, dup := raw[k]; dup {
				t.Errorf("%s: %s is also in another file of %s", name, k, lang)
			}
			raw[k] = v
		}
	}
	out := map[string]map[string]string{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch v := v.(type) {
		case string:
			out[prefix] = map[string]string{"other": v}
		case map[string]any:
			forms := map[string]string{}
			for k, fv := range v {
				if s, ok := fv.(string); ok && slices.Contains(pluralForms, k) {
					forms[k] = s
				}
			}
			if len(forms) == len(v) {
				out[prefix] = forms
				return
			}
			for k, sub := range v {
				walk(strings.TrimPrefix(prefix+"."+k, "."), sub)
			}
		default:
			t.Errorf("%s: %s: value %T is neither text nor plural forms", lang, prefix, v)
		}
	}
	walk("", raw)
	return out
}

var (
	placeholder = regexp.MustCompile(`{{\s*\.([A-Za-z][A-Za-z0-9]*)\s*}}`)
	action      = regexp.MustCompile(`{{|}}`)
)

// placeholders is the set of names a message's forms use, and an error for
// any template action that is not a plain {{.Name}}.
func placeholders(forms map[string]string) ([]string, error) {
	var names []string
	for _, s := range forms {
		for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
			if !slices.Contains(names, m[1]) {
				names = append(names, m[1])
			}
		}
		if rest := placeholder.ReplaceAllString(s, ""); action.MatchString(rest) {
			return nil, fmt.Errorf("%q holds a template action other than {{.Name}}", s)
		}
		if strings.Contains(s, marker) {
			return nil, fmt.Errorf("%q holds the argument marker", s)
		}
	}
	slices.Sort(names)
	return names, nil
}

// TestCatalogueComplete fails when a language lacks an English id, has one
// English does not, or uses other placeholders than English for it.
func TestCatalogueComplete(t *testing.T) {
	if _, err := load(); err != nil {
		t.Fatal(err)
	}
	en := entries(t, "en")
	if len(en) == 0 {
		t.Fatal("the English catalogue is empty")
	}
	for _, tag := range supported[1:] {
		lang := tag.String()
		other := entries(t, lang)
		for id, forms := range en {
			tr, ok := other[id]
			if !ok {
				t.Errorf("%s lacks %s", lang, id)
				continue
			}
			want, err := placeholders(forms)
			if err != nil {
				t.Errorf("en: %s: %v", id, err)
				continue
			}
			got, err := placeholders(tr)
			if err != nil {
				t.Errorf("%s: %s: %v", lang, id, err)
				continue
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s: %s has placeholders %v, English has %v", lang, id, got, want)
			}
			if (len(forms) > 1) != (len(tr) > 1) {
				t.Errorf("%s: %s: plural in one language and not in the other", lang, id)
			}
		}
		for id := range other {
			if _, ok := en[id]; !ok {
				t.Errorf("%s has %s, which English does not", lang, id)
			}
		}
	}
}

// TestPluralFormsCover renders every plural message in every language for
// counts that hit each CLDR form, so a language missing a form its rule
// needs (French "many" for a million) fails here rather than in chat.
func TestPluralFormsCover(t *testing.T) {
	for id, forms := range entries(t, "en") {
		if len(forms) < 2 {
			continue
		}
		for _, tag := range supported {
			loc := goi18n.NewLocalizer(bundle, tag.String())
			for _, n := range []int{0, 1, 2, 3, 5, 11, 21, 101, 1000000} {
				if _, err := loc.Localize(&goi18n.LocalizeConfig{MessageID: id, PluralCount: n, TemplateData: map[string]any{"Count": n}}); err != nil {
					t.Errorf("%s: %s with count %d: %v", tag, id, n, err)
				}
			}
		}
	}
}

// TestMatch checks the locale strings the platforms send and browser
// headers land on the right language, and anything else on English.
func TestMatch(t *testing.T) {
	for in, want := range map[string]string{
		"de-DE": "de", "de_AT": "de", "fr-CA": "fr", "es-419": "es", "en-GB": "en",
		"da-DK,de;q=0.8,en;q=0.5": "de", "": "en", "xx": "en", "ja-JP": "en",
	} {
		if got := Match(in).String(); got != want {
			t.Errorf("Match(%q) = %s, want %s", in, got, want)
		}
	}
	if got := Match("ja", "fr").String(); got != "fr" {
		t.Errorf("Match(ja, fr) = %s, want the fallback fr", got)
	}
}

// TestTranslate checks arguments, plurals and the fallback for an unknown
// id, and that Parts keeps an argument out of the catalogue text.
func TestTranslate(t *testing.T) {
	de := For("de-DE")
	if got := de.N("chat.requests.count", 1); got != "*1* Anfrage" {
		t.Errorf("German one = %q", got)
	}
	if got := de.N("chat.requests.count", 3); got != "*3* Anfragen" {
		t.Errorf("German other = %q", got)
	}
	if got := For("").T("chat.time.at", "Time", "10:41", "Zone", "CET"); got != "10:41 (CET)" {
		t.Errorf("English with args = %q", got)
	}
	if got := de.T("chat.no.such.id"); got != "chat.no.such.id" {
		t.Errorf("unknown id = %q, want the id", got)
	}
	parts := For("fr").Parts("chat.time.at", -1, "Time", "Zone")
	want := []Part{{Arg: "Time"}, {Text: " ("}, {Arg: "Zone"}, {Text: ")"}}
	if !slices.Equal(parts, want) {
		t.Errorf("Parts = %+v, want %+v", parts, want)
	}
	if got := For("es").Parts("chat.requests.count", 2); !slices.Equal(got, []Part{{Text: "*"}, {Arg: "Count"}, {Text: "* solicitudes"}}) {
		t.Errorf("plural Parts = %+v", got)
	}
	if var0 := (Lang{}); var0.T("chat.language.name") != "English" {
		t.Errorf("zero Lang is not English")
	}
}
