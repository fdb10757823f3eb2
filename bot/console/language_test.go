package console_test

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/bottest"
	"github.com/resetbot/resetbot/bot/console"
)

// TestConsoleSpeaksTheConfiguredLanguage: with helpdesk.language German,
// the console's own lines (help, refusals, headings, the buttons' hint)
// are German like the bot's messages, and none of the English is left.
func TestConsoleSpeaksTheConfiguredLanguage(t *testing.T) {
	rig := bottest.NewRig(t, bottest.Options{
		Identity: map[string]bot.IdentityRule{console.Platform: {By: bot.IdentityByChatID}},
		ChatIDs:  func(account string) (string, string) { return console.Platform, account },
		Language: "de",
	})
	out := &syncBuffer{}
	c := console.New(out, rig.Bot, []string{"jdoe", "alice", "pwuser"}, console.WithLanguage("de"))
	rig.Bot.AddPlatform(console.Platform, c)
	c.Run(context.Background(), strings.NewReader("hallo\nas nobody\n/reset status\nas alice\n/reset\napprove 9\n"))
	rig.Settle(t)
	got := out.String()
	for _, want := range []string{
		"Tippe einen Befehl als aktuelle Demo-Person:",
		`Das habe ich nicht verstanden: "hallo".`,
		"nobody ist keine Demo-Person; die Demo-Personen sind alice, jdoe, pwuser",
		"┌ Bot (nur du siehst das)",
		"┌ DM Bot → alice",
		"┌ #helpdesk Thread 1",
		"Thread 9 hat gerade keinen Knopf approve",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the German console lacks %q:\n%s", want, got)
		}
	}
	for _, english := range []string{"Type a command", "I did not understand", "is not a demo user", "only you see this", "helpdesk thread", "has no approve button"} {
		if strings.Contains(got, english) {
			t.Errorf("the German console says %q:\n%s", english, got)
		}
	}
}

// sentence is what words for people look like: a letter, then a space and
// another letter (format verbs, box drawing and single words do not).
var sentence = regexp.MustCompile(`\pL[\pL\pP]*\s+[\pL*(]`)

// TestConsoleHasNoInlineWords: every line the console prints that a
// person reads comes from the catalogue ("console." ids); a sentence
// written into the code would be in one language only.
func TestConsoleHasNoInlineWords(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "console.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	ast.Inspect(f, func(n ast.Node) bool {
		lit, ok := n.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		s, err := strconv.Unquote(lit.Value)
		if err == nil && sentence.MatchString(s) {
			t.Errorf("%s: %q is written inline: add it to internal/i18n/locales/console.*.yaml", fset.Position(lit.Pos()), s)
		}
		return true
	})
	// The check can fail: it sees the words the console used to print.
	if !sentence.MatchString("I did not understand %q.\n%s\n") {
		t.Fatal("the sentence check finds nothing")
	}
}
