package webauth

import (
	"html/template"
	"strings"
	"text/template/parse"
)

// foldConstants renders, once, the parts of an escaped page template that
// are the same on every request in its language, and puts them in the
// template as text: each action that only translates a catalogue id with
// literal arguments ({{t "web.password.title"}}, the most common action
// of every page), escaped for where it stands, becomes the text it would
// write. text/template evaluates an action by reflection (a reflect.Call
// for "t" and another for html/template's escaper, a few allocations
// each), so a page that executes a few dozen of them per request spends
// most of its rendering there (#10). Runs of text are then joined, so the
// page writes its fixed parts in fewer pieces.
//
// It must run after html/template escaped t (its first execution), so the
// escaper each action needs is known; an action whose escaper it does not
// reproduce exactly (URLs, scripts, styles) is left as it is. The output
// is byte for byte what the unfolded template writes
// (TestFoldedPagesAreTheSame).
func foldConstants(t *template.Template, tr func(id string, args ...any) string) {
	for _, tt := range t.Templates() {
		if tt.Tree != nil && tt.Tree.Root != nil {
			foldList(tt.Tree.Root, tr)
		}
	}
}

// foldList folds list's constant actions, the lists inside its branches
// and loops too, and joins its adjacent text.
func foldList(list *parse.ListNode, tr func(id string, args ...any) string) {
	if list == nil {
		return
	}
	out := list.Nodes[:0]
	for _, n := range list.Nodes {
		switch n := n.(type) {
		case *parse.ActionNode:
			if text, ok := constantAction(n, tr); ok {
				out = appendText(out, &parse.TextNode{NodeType: parse.NodeText, Pos: n.Pos, Text: []byte(text)})
				continue
			}
		case *parse.TextNode:
			out = appendText(out, n)
			continue
		case *parse.IfNode:
			foldList(n.List, tr)
			foldList(n.ElseList, tr)
		case *parse.RangeNode:
			foldList(n.List, tr)
			foldList(n.ElseList, tr)
		case *parse.WithNode:
			foldList(n.List, tr)
			foldList(n.ElseList, tr)
		case *parse.ListNode:
			foldList(n, tr)
		}
		out = append(out, n)
	}
	clear(list.Nodes[len(out):]) // the tail the joins freed
	list.Nodes = out
}

// appendText appends text to nodes, joined with a text node just before.
func appendText(nodes []parse.Node, text *parse.TextNode) []parse.Node {
	if len(nodes) > 0 {
		if prev, ok := nodes[len(nodes)-1].(*parse.TextNode); ok {
			joined := make([]byte, 0, len(prev.Text)+len(text.Text))
			joined = append(append(joined, prev.Text...), text.Text...)
			nodes[len(nodes)-1] = &parse.TextNode{NodeType: parse.NodeText, Pos: prev.Pos, Text: joined}
			return nodes
		}
	}
	return append(nodes, text)
}

// constantAction is what a constant action writes: {{t "id" "Name" "value"
// ...}} (string literals only, no variables) followed by the escapers
// html/template put after it, when each is one foldEscape reproduces.
func constantAction(n *parse.ActionNode, tr func(id string, args ...any) string) (string, bool) {
	p := n.Pipe
	if p == nil || len(p.Decl) > 0 || p.IsAssign || len(p.Cmds) < 2 {
		return "", false
	}
	call := p.Cmds[0].Args
	if len(call) < 2 || len(call)%2 != 0 {
		return "", false // the id and pairs of name and value
	}
	if id, ok := call[0].(*parse.IdentifierNode); !ok || id.Ident != "t" {
		return "", false
	}
	lits := make([]string, 0, len(call)-1)
	for _, a := range call[1:] {
		s, ok := a.(*parse.StringNode)
		if !ok {
			return "", false
		}
		lits = append(lits, s.Text)
	}
	args := make([]any, 0, len(lits)-1)
	for _, l := range lits[1:] {
		args = append(args, l)
	}
	for _, c := range p.Cmds[1:] {
		if len(c.Args) != 1 {
			return "", false
		}
		id, ok := c.Args[0].(*parse.IdentifierNode)
		if !ok || !foldableEscapers[id.Ident] {
			return "", false
		}
	}
	s := tr(lits[0], args...)
	for range p.Cmds[1:] {
		s = foldEscape(s)
	}
	return s, true
}

// foldableEscapers are html/template's escapers of text, quoted attribute
// values and RCDATA (a <title>): for a plain string, which "t" returns,
// each is foldEscape.
var foldableEscapers = map[string]bool{
	"_html_template_htmlescaper":   true,
	"_html_template_attrescaper":   true,
	"_html_template_rcdataescaper": true,
}

// foldEscaper is html/template's replacement table for a plain string in
// text, a quoted attribute or RCDATA: NUL and the five characters that
// could end or start markup, and '+' (UTF-7).
var foldEscaper = strings.NewReplacer(
	"\x00", "\uFFFD",
	`"`, "&#34;",
	"&", "&amp;",
	"'", "&#39;",
	"+", "&#43;",
	"<", "&lt;",
	">", "&gt;",
)

// foldEscape escapes s as html/template's htmlEscaper, attrEscaper and
// rcdataEscaper do a plain string.
func foldEscape(s string) string { return foldEscaper.Replace(s) }
