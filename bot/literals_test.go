package bot_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The message types whose text people read: a string literal that looks
// like a sentence inside one of these composite literals bypasses the
// catalogue (internal/i18n), so it is in one language only.
var messageTypes = map[string]bool{"Message": true, "Field": true, "Button": true, "Link": true}

// wordingFuncs are the core's functions whose string results become
// message text (thread lines, statuses, titles): literals in their bodies
// are checked as if they were in a Message.
var wordingFuncs = map[string]bool{
	"kindTitle": true, "statusWords": true, "parentMessage": true, "eventMessage": true, "eventWords": true,
	"actorWords": true, "methodWords": true, "placeWords": true, "factorWords": true, "revokeWords": true,
	"msgChanged": true, "decisionAnswer": true, "standalone": true,
}

// allowedLiterals are the few sentence-like literals that are not words
// for people, each with its reason.
var allowedLiterals = map[string]string{
	"15:04 MST": "a time layout, not words",
}

// sentence is what a literal for people looks like: a letter, then a space
// and another letter (format verbs and markup do not count as words).
var sentence = regexp.MustCompile(`\pL[\pL\pP]*\s+[\pL*(]`)

// literalFinding is one inline literal: where, and the text.
type literalFinding struct{ pos, text string }

// inlineLiterals reports the sentence-like string literals in message
// literals and wording functions of the Go files in dir (tests excluded).
func inlineLiterals(t *testing.T, dir string) []literalFinding {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var out []literalFinding
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, literalsIn(t, fset, name, src)...)
	}
	return out
}

// literalsIn is inlineLiterals for one file's source.
func literalsIn(t *testing.T, fset *token.FileSet, name string, src []byte) []literalFinding {
	t.Helper()
	f, err := parser.ParseFile(fset, name, src, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []literalFinding
	seen := map[token.Pos]bool{}
	collect := func(root ast.Node) {
		ast.Inspect(root, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok && ignoredCall(call) {
				return false
			}
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING || seen[lit.Pos()] {
				return true
			}
			seen[lit.Pos()] = true
			s, err := strconv.Unquote(lit.Value)
			if err != nil || !sentence.MatchString(s) {
				return true
			}
			if _, ok := allowedLiterals[s]; ok {
				return true
			}
			out = append(out, literalFinding{fset.Position(lit.Pos()).String(), s})
			return true
		})
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncDecl:
			if wordingFuncs[n.Name.Name] && n.Body != nil {
				collect(n.Body)
				return false
			}
		case *ast.CompositeLit:
			if messageTypes[typeName(n.Type)] {
				collect(n)
				return false
			}
		}
		return true
	})
	return out
}

// ignoredCall is a call whose string arguments are not for chat readers:
// logs, errors and catalogue lookups (ids and placeholder names).
func ignoredCall(call *ast.CallExpr) bool {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	switch sel.Sel.Name {
	case "Warn", "Error", "Info", "Debug", "Errorf", "New", "fail", "refused", "T", "N":
		return true
	}
	return false
}

// typeName is the bare name of a composite literal's type (Message,
// bot.Message).
func typeName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return e.Sel.Name
	}
	return ""
}

// TestNoInlineMessageLiterals: every sentence the core and the platform
// packages put into a message comes from the catalogue, so it exists in
// every language (TestCatalogueComplete) and follows the reader's.
func TestNoInlineMessageLiterals(t *testing.T) {
	var found []literalFinding
	for _, dir := range []string{".", "slack", "teams", "discord"} {
		found = append(found, inlineLiterals(t, dir)...)
	}
	sort.Slice(found, func(i, j int) bool { return found[i].pos < found[j].pos })
	for _, f := range found {
		t.Errorf("%s: %q is a message for people written inline: add it to the catalogue (internal/i18n/locales, chat.*)", f.pos, f.text)
	}
}

// TestInlineLiteralCheckCanFail: the check above finds a sentence in a
// Message and in a wording function, and lets ids, layouts and logs pass.
func TestInlineLiteralCheckCanFail(t *testing.T) {
	src := `package bot
func (b *Bot) x() Message {
	b.deps.Log.Warn("could not do the thing", "err", err)
	return Message{Summary: l.T("chat.x.summary"), Body: []string{"Nothing was removed here."}, Note: b.clock(t).Format("15:04 MST")}
}
func statusWords(s State) string { return "Waiting for the user" }
`
	got := literalsIn(t, token.NewFileSet(), "case.go", []byte(src))
	var texts []string
	for _, f := range got {
		texts = append(texts, f.text)
	}
	want := []string{"Nothing was removed here.", "Waiting for the user"}
	if strings.Join(texts, "|") != strings.Join(want, "|") {
		t.Fatalf("found %q, want %q", texts, want)
	}
}
