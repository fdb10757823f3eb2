// Package i18n is resetbot's one message catalogue: every sentence a person
// reads, in chat and on the web, has a stable id here and a translation in
// each supported language. English is the source; German, French and
// Spanish must be complete (TestCatalogueComplete fails on a missing key or
// placeholder). Plurals follow CLDR through go-i18n; languages are matched
// with golang.org/x/text/language, so "de-AT", "de-DE" and an
// Accept-Language header all find German.
//
// Ids carry the area as a prefix: "chat." for the bot, "web." for the pages.
//
// # How to add a message
//
//  1. Add the id and its English text to locales/en.yaml (or to an area's
//     file, locales/<area>.en.yaml, as web.en.yaml is). Placeholders are
//     named fields, {{.Name}}; a plural message has the CLDR forms as keys
//     (one, other, and whatever else the language needs) and the count is
//     {{.Count}}. Chat text may mark *bold*; nothing else is markup.
//  2. Add the same id to de.yaml, fr.yaml and es.yaml with the same
//     placeholders (the order may change, the names may not).
//  3. Call it: Lang.T(id, "Name", value) or Lang.N(id, count, ...); from
//     html/template through Lang.Funcs ({{t "web.x" "Name" .Name}}).
//
// # How to add a language
//
//  1. Copy locales/en.yaml to locales/<bcp47>.yaml, and each
//     locales/<area>.en.yaml to locales/<area>.<bcp47>.yaml, and translate every
//     value, keeping placeholders and *bold* markers; give plural messages
//     every form the language's CLDR rule has.
//  2. Add the tag to supported in catalogue.go (after English, which must
//     stay first: it is the fallback).
//  3. Run the package's tests: they name any missing key or placeholder.
package i18n
