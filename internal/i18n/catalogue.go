package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
)

//go:embed locales/*.yaml
var localeFiles embed.FS

// supported lists the catalogue's languages; English comes first because it
// is the source and the fallback when nothing else matches.
var supported = []language.Tag{language.English, language.German, language.French, language.Spanish}

var (
	bundle  = mustLoad()
	matcher = language.NewMatcher(supported)
)

// mustLoad parses the embedded locale files. They are part of the binary, so
// a broken file is a build defect: the package's tests load it first.
func mustLoad() *goi18n.Bundle {
	b, err := load()
	if err != nil {
		panic(err)
	}
	return b
}

func load() (*goi18n.Bundle, error) {
	b := goi18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	for _, tag := range supported {
		for _, name := range localeNames(tag.String()) {
			data, err := localeFiles.ReadFile(name)
			if err != nil {
				return nil, fmt.Errorf("i18n: %w", err)
			}
			if _, err := b.ParseMessageFileBytes(data, name); err != nil {
				return nil, fmt.Errorf("i18n: %s: %w", name, err)
			}
		}
	}
	return b, nil
}

// localeNames are a language's files: <tag>.yaml for the chat, and every
// <area>.<tag>.yaml beside it (web.de.yaml for the pages, and one per
// feature that brings many words), kept apart so areas grow without
// touching one file. The order is fixed (sorted) so a duplicate id is
// reported the same way every time.
func localeNames(tag string) []string {
	names := []string{"locales/" + tag + ".yaml"}
	more, _ := fs.Glob(localeFiles, "locales/*."+tag+".yaml")
	sort.Strings(more)
	return append(names, more...)
}

// Supported returns the catalogue's languages, English first.
func Supported() []language.Tag { return append([]language.Tag(nil), supported...) }

// Match picks the supported language that best fits prefs, in order of
// preference. Each pref is a locale ("de-DE", "fr_CA", Slack's "es-ES") or a
// whole Accept-Language header; callers put the configured default last.
// Nothing usable gives English.
func Match(prefs ...string) language.Tag {
	var want []language.Tag
	for _, p := range prefs {
		tags, _, err := language.ParseAcceptLanguage(strings.ReplaceAll(p, "_", "-"))
		if err != nil {
			continue
		}
		want = append(want, tags...)
	}
	if len(want) == 0 {
		return language.English
	}
	_, i, conf := matcher.Match(want...)
	if conf == language.No {
		return language.English
	}
	return supported[i]
}

// Find is Match that says whether anything matched: a locale the
// catalogue has no language for ("ja-JP") gives false, so the caller keeps
// its configured default instead of falling back to English.
func Find(prefs ...string) (language.Tag, bool) {
	var want []language.Tag
	for _, p := range prefs {
		tags, _, err := language.ParseAcceptLanguage(strings.ReplaceAll(p, "_", "-"))
		if err == nil {
			want = append(want, tags...)
		}
	}
	if len(want) == 0 {
		return language.English, false
	}
	_, i, conf := matcher.Match(want...)
	if conf == language.No {
		return language.English, false
	}
	return supported[i], true
}

// Valid reports whether lang names a supported language exactly ("de",
// not "de-DE"): configuration names the catalogue's languages by their tag.
func Valid(lang string) bool {
	for _, t := range supported {
		if t.String() == lang {
			return true
		}
	}
	return false
}
