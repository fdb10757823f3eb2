// Package console is a chat platform in a terminal, for the demo: you type
// commands as one of the demo users, and the bot's private messages and the
// helpdesk thread are printed as they happen. Like every platform package
// it only translates: lines of text into bot.Request and bot.Action, and
// bot.Message into lines of text.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/i18n"
)

// Platform is the name console chat identities carry.
const Platform = "console"

// Console is the terminal chat: a bot.Messenger that prints, and a reader
// loop that turns typed lines into requests.
type Console struct {
	out   io.Writer
	core  bot.Handler
	users []string
	// lang words the console's own lines (help, headings, hints): the
	// catalogue's "console." ids in the configured language.
	lang i18n.Lang

	mu      sync.Mutex
	as      string
	threads []string // thread refs by number (1-based)
	buttons map[string][]bot.Button
	// atPrompt is set while the prompt is the last thing printed and no
	// typed line is being handled: a message arriving then (a DM after
	// the web page finished, a thread update) is printed below the prompt,
	// which is drawn again under it.
	atPrompt bool
}

var _ bot.Messenger = (*Console)(nil)

// Option configures a Console.
type Option func(*Console)

// WithLanguage words the console's own lines in lang (a catalogue tag,
// helpdesk.language), as the bot words its messages to people whose
// platform names no language; the default is English.
func WithLanguage(lang string) Option {
	return func(c *Console) { c.lang = i18n.For(lang) }
}

// New makes a console for the given account names; the first is the
// initial user.
func New(out io.Writer, core bot.Handler, users []string, opts ...Option) *Console {
	c := &Console{out: out, core: core, users: users, buttons: map[string][]bot.Button{}, lang: i18n.For("en")}
	for _, o := range opts {
		o(c)
	}
	if len(users) > 0 {
		c.as = users[0]
	}
	return c
}

// SetHandler connects the core after construction (the core needs the
// console as its Messenger first).
func (c *Console) SetHandler(h bot.Handler) { c.core = h }

// Identity is the chat identity of a demo account.
func Identity(account string) flows.ChatIdentity {
	return flows.ChatIdentity{Platform: Platform, UserID: account}
}

func (c *Console) printf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(c.out, format, args...)
	if c.atPrompt {
		fmt.Fprintf(c.out, "%s> ", c.as)
	}
}

// Run reads commands until in ends or ctx is cancelled.
func (c *Console) Run(ctx context.Context, in io.Reader) {
	c.printf("%s\n", c.lang.T("console.help"))
	c.prompt()
	defer func() { // nobody reads a prompt any more
		c.mu.Lock()
		c.atPrompt = false
		c.mu.Unlock()
	}()
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(in)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case line, ok := <-lines:
			if !ok {
				return
			}
			c.mu.Lock()
			c.atPrompt = false
			c.mu.Unlock()
			c.line(ctx, strings.TrimSpace(line))
			c.prompt()
		}
	}
}

// prompt draws the prompt; messages that arrive while it waits for a line
// draw it again below them.
func (c *Console) prompt() {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(c.out, "%s> ", c.as)
	c.atPrompt = true
}

// line handles one typed line.
func (c *Console) line(ctx context.Context, line string) {
	c.mu.Lock()
	as := c.as
	c.mu.Unlock()
	from := bot.User{ID: Identity(as), Name: as}
	fields := strings.Fields(line)
	switch {
	case line == "":
	case strings.HasPrefix(line, "/reset"):
		text := strings.TrimSpace(strings.TrimPrefix(line, "/reset"))
		var mentions []bot.User
		var words []string
		for _, w := range strings.Fields(text) {
			if strings.HasPrefix(w, "@") && len(w) > 1 {
				mentions = append(mentions, bot.User{ID: Identity(w[1:]), Name: w[1:]})
				w = bot.Mention(Identity(w[1:]))
			}
			words = append(words, w)
		}
		reply := c.core.HandleCommand(ctx, bot.Request{From: from, Text: strings.Join(words, " "), Mentions: mentions, Respond: responder{c, as}})
		c.show(c.lang.T("console.heading.reply"), reply)
	case fields[0] == "as" && len(fields) == 2:
		c.switchTo(strings.TrimPrefix(fields[1], "@"))
	case (fields[0] == "approve" || fields[0] == "deny") && len(fields) == 2:
		c.click(ctx, from, fields[0], fields[1])
	case fields[0] == "users" && len(fields) == 1:
		c.printf("%s\n", strings.Join(c.sortedUsers(), ", "))
	default:
		c.printf("%s\n%s\n", c.lang.T("console.not_understood", "Line", strconv.Quote(line)), c.lang.T("console.help"))
	}
}

// switchTo makes account the current user, if it is a demo user: anything
// else would type as a chat user no directory account matches.
func (c *Console) switchTo(account string) {
	if !slices.Contains(c.users, account) {
		c.printf("%s\n", c.lang.T("console.not_demo_user", "User", account, "Users", strings.Join(c.sortedUsers(), ", ")))
		return
	}
	c.mu.Lock()
	c.as = account
	c.mu.Unlock()
}

// sortedUsers are the demo users in alphabetical order.
func (c *Console) sortedUsers() []string {
	users := append([]string(nil), c.users...)
	sort.Strings(users)
	return users
}

// click presses a button of a numbered helpdesk thread.
func (c *Console) click(ctx context.Context, from bot.User, verb, num string) {
	num = strings.TrimPrefix(num, "#") // as the thread's heading shows it
	n, _ := strconv.Atoi(num)
	c.mu.Lock()
	var ref string
	if n >= 1 && n <= len(c.threads) {
		ref = c.threads[n-1]
	}
	buttons := c.buttons[ref]
	c.mu.Unlock()
	want := bot.ActionApprove
	if verb == "deny" {
		want = bot.ActionDeny
	}
	for _, b := range buttons {
		if b.ActionID == want {
			c.core.HandleAction(ctx, bot.Action{From: from, ActionID: b.ActionID, Value: b.Value, Respond: responder{c, from.ID.UserID}})
			return
		}
	}
	c.printf("%s\n", c.lang.T("console.no_button", "Thread", num, "Verb", verb))
}

// responder prints private answers to one user.
type responder struct {
	c  *Console
	to string
}

func (r responder) Respond(_ context.Context, m bot.Message) error {
	r.c.show(r.c.lang.T("console.heading.private", "User", r.to), m)
	return nil
}

// SendPrivate implements bot.Messenger.
func (c *Console) SendPrivate(_ context.Context, to flows.ChatIdentity, m bot.Message) error {
	c.show(c.lang.T("console.heading.dm", "User", to.UserID), m)
	return nil
}

// PostHelpdesk implements bot.Messenger.
func (c *Console) PostHelpdesk(_ context.Context, m bot.Message) (string, error) {
	c.mu.Lock()
	c.threads = append(c.threads, fmt.Sprintf("T%d", len(c.threads)+1))
	ref := c.threads[len(c.threads)-1]
	c.buttons[ref] = m.Buttons
	c.mu.Unlock()
	c.showThread(ref, false, m)
	return ref, nil
}

// UpdateHelpdesk implements bot.Messenger.
func (c *Console) UpdateHelpdesk(_ context.Context, thread string, m bot.Message) error {
	c.mu.Lock()
	c.buttons[thread] = m.Buttons
	c.mu.Unlock()
	c.showThread(thread, true, m)
	return nil
}

// ReplyHelpdesk implements bot.Messenger.
func (c *Console) ReplyHelpdesk(_ context.Context, thread string, m bot.Message) error {
	c.printf("\n  %s ↳ %s\n", c.lang.T("console.heading.thread", "Thread", strings.TrimPrefix(thread, "T")), Render(c.lang, m, false))
	return nil
}

// show prints a message under a heading.
func (c *Console) show(heading string, m bot.Message) {
	if m.Summary == "" && m.Title == "" && len(m.Body) == 0 {
		return
	}
	c.printf("\n┌ %s\n%s\n└\n", heading, indent(Render(c.lang, m, true)))
}

// showThread prints a helpdesk thread's parent under its number, the one
// approve and deny take, and names that number in the buttons' hint.
func (c *Console) showThread(ref string, updated bool, m bot.Message) {
	if m.Summary == "" && m.Title == "" && len(m.Body) == 0 {
		return
	}
	num := strings.TrimPrefix(ref, "T")
	heading := c.lang.T("console.heading.thread", "Thread", num)
	if updated {
		heading = c.lang.T("console.heading.thread_updated", "Thread", num)
	}
	text := strings.Replace(Render(c.lang, m, true), buttonsHint(c.lang, "N"), buttonsHint(c.lang, num), 1)
	c.printf("\n┌ %s\n%s\n└\n", heading, indent(text))
}

// buttonsHint follows a message's buttons: how to press them here, on
// thread num ("N" where the number is not known).
func buttonsHint(l i18n.Lang, num string) string {
	return l.T("console.buttons_hint", "Thread", num)
}

// Render turns a message into terminal text, its own hints in l. full
// adds fields, link, buttons and note.
func Render(l i18n.Lang, m bot.Message, full bool) string {
	mention := func(s string) string {
		s = strings.ReplaceAll(s, "*", "") // a terminal has no bold
		return bot.ReplaceMentions(s, func(id flows.ChatIdentity) string { return "@" + id.UserID })
	}
	if !full {
		if len(m.Body) > 0 {
			return mention(m.Body[0])
		}
		return mention(m.Summary)
	}
	var b strings.Builder
	if m.Title != "" {
		b.WriteString(strings.ToUpper(mention(m.Title)) + "\n")
	}
	for _, p := range m.Body {
		b.WriteString(mention(p) + "\n")
	}
	if len(m.Body) == 0 && m.Title == "" {
		b.WriteString(mention(m.Summary) + "\n")
	}
	for _, f := range m.Fields {
		b.WriteString(f.Label + ": " + mention(f.Value) + "\n")
	}
	if m.Link != nil {
		b.WriteString("[" + m.Link.Label + "] " + m.Link.URL + "\n")
	}
	for _, bt := range m.Buttons {
		b.WriteString("[" + bt.Label + "] ")
	}
	if len(m.Buttons) > 0 {
		b.WriteString(" " + buttonsHint(l, "N") + "\n")
	}
	if m.Note != "" {
		b.WriteString(mention(m.Note) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

func indent(s string) string {
	return "│ " + strings.ReplaceAll(s, "\n", "\n│ ")
}
