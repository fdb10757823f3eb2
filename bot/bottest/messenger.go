// Package bottest holds what tests of the bot core and of every platform
// share: an in-memory Messenger that records what the bot says, and a rig
// that wires the core to real parts (the flow engine on Redis, the
// in-memory directory of the example company).
package bottest

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/flows"
)

// Posted is one message the bot sent.
type Posted struct {
	// Kind is "dm", "parent", "update", "reply" or "response".
	Kind    string
	To      flows.ChatIdentity
	Thread  string
	Message bot.Message
}

// Messenger is an in-memory bot.Messenger (and bot.EmailResolver) that
// records every message. It is a fake with real behaviour, not a script.
type Messenger struct {
	mu      sync.Mutex
	posts   []Posted
	parents map[string]bot.Message
	next    int
	// Emails answers UserEmail.
	Emails map[string]string
	// Fail, when set, makes every call return it (a chat outage).
	Fail error
	// FailIf, when set, is asked before each call is recorded; a non-nil
	// answer fails that call only (a rate-limited DM, one refused post).
	FailIf func(Posted) error
	// deleted holds thread parents removed by DeleteThread.
	deleted map[string]bool
}

// DeleteThread removes a thread parent, as someone deleting it in the chat
// does: updating it or replying under it fails from then on with the
// platform's permanent "message not found".
func (m *Messenger) DeleteThread(ref string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.deleted == nil {
		m.deleted = map[string]bool{}
	}
	m.deleted[ref] = true
	delete(m.parents, ref)
}

var (
	_ bot.Messenger     = (*Messenger)(nil)
	_ bot.EmailResolver = (*Messenger)(nil)
)

// NewMessenger returns an empty recorder.
func NewMessenger() *Messenger { return &Messenger{parents: map[string]bot.Message{}} }

func (m *Messenger) record(p Posted) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.Fail != nil {
		return m.Fail
	}
	if m.FailIf != nil {
		if err := m.FailIf(p); err != nil {
			return err
		}
	}
	if (p.Kind == "update" || p.Kind == "reply") && m.deleted[p.Thread] {
		return &bot.PermanentError{Code: "message_not_found", Err: fmt.Errorf("no message %s", p.Thread)}
	}
	m.posts = append(m.posts, p)
	return nil
}

// SendPrivate implements bot.Messenger.
func (m *Messenger) SendPrivate(_ context.Context, to flows.ChatIdentity, msg bot.Message) error {
	return m.record(Posted{Kind: "dm", To: to, Message: msg})
}

// PostHelpdesk implements bot.Messenger.
func (m *Messenger) PostHelpdesk(_ context.Context, msg bot.Message) (string, error) {
	m.mu.Lock()
	m.next++
	ref := fmt.Sprintf("T%03d", m.next)
	m.mu.Unlock()
	if err := m.record(Posted{Kind: "parent", Thread: ref, Message: msg}); err != nil {
		return "", err
	}
	m.mu.Lock()
	m.parents[ref] = msg
	m.mu.Unlock()
	return ref, nil
}

// UpdateHelpdesk implements bot.Messenger.
func (m *Messenger) UpdateHelpdesk(_ context.Context, thread string, msg bot.Message) error {
	m.mu.Lock()
	_, ok := m.parents[thread]
	gone := m.deleted[thread]
	m.mu.Unlock()
	if !ok && !gone {
		return &bot.PermanentError{Code: "message_not_found", Err: fmt.Errorf("no message %s", thread)}
	}
	if err := m.record(Posted{Kind: "update", Thread: thread, Message: msg}); err != nil {
		return err
	}
	m.mu.Lock()
	m.parents[thread] = msg
	m.mu.Unlock()
	return nil
}

// ReplyHelpdesk implements bot.Messenger.
func (m *Messenger) ReplyHelpdesk(_ context.Context, thread string, msg bot.Message) error {
	return m.record(Posted{Kind: "reply", Thread: thread, Message: msg})
}

// UserEmail implements bot.EmailResolver.
func (m *Messenger) UserEmail(_ context.Context, userID string) (string, error) {
	return m.Emails[userID], nil
}

// Posts returns everything recorded, in order.
func (m *Messenger) Posts() []Posted {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Posted(nil), m.posts...)
}

// DMs returns the private messages to one user.
func (m *Messenger) DMs(userID string) []bot.Message {
	var out []bot.Message
	for _, p := range m.Posts() {
		if p.Kind == "dm" && p.To.UserID == userID {
			out = append(out, p.Message)
		}
	}
	return out
}

// Parent returns the current top-level message of a thread.
func (m *Messenger) Parent(thread string) (bot.Message, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	msg, ok := m.parents[thread]
	return msg, ok
}

// Threads returns the thread refs in creation order.
func (m *Messenger) Threads() []string {
	var out []string
	for _, p := range m.Posts() {
		if p.Kind == "parent" {
			out = append(out, p.Thread)
		}
	}
	return out
}

// Replies returns the summaries of a thread's replies, in order.
func (m *Messenger) Replies(thread string) []string {
	var out []string
	for _, p := range m.Posts() {
		if p.Kind == "reply" && p.Thread == thread {
			out = append(out, p.Message.Summary)
		}
	}
	return out
}

// Responder records private answers to one request.
type Responder struct {
	mu   sync.Mutex
	msgs []bot.Message
}

// Respond implements bot.Responder.
func (r *Responder) Respond(_ context.Context, m bot.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, m)
	return nil
}

// Messages returns the answers so far.
func (r *Responder) Messages() []bot.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bot.Message(nil), r.msgs...)
}

// ResponderFor returns a Responder whose answers are recorded as private
// messages to the user, in order with their direct messages.
func (m *Messenger) ResponderFor(to flows.ChatIdentity) bot.Responder {
	return responderFunc(func(_ context.Context, msg bot.Message) error {
		return m.record(Posted{Kind: "response", To: to, Message: msg})
	})
}

type responderFunc func(context.Context, bot.Message) error

func (f responderFunc) Respond(ctx context.Context, m bot.Message) error { return f(ctx, m) }

// Inbox returns what a user saw privately: direct messages and answers.
func (m *Messenger) Inbox(userID string) []Seen {
	var out []Seen
	for _, p := range m.Posts() {
		if (p.Kind == "dm" || p.Kind == "response") && p.To.UserID == userID {
			out = append(out, SeenOf(p.Message))
		}
	}
	return out
}

// HelpdeskThreads returns the helpdesk channel as the suite sees it.
func (m *Messenger) HelpdeskThreads() []Thread {
	var out []Thread
	for _, ref := range m.Threads() {
		parent, _ := m.Parent(ref)
		th := Thread{Ref: ref, Parent: SeenOf(parent)}
		for _, p := range m.Posts() {
			if p.Kind == "reply" && p.Thread == ref {
				th.Replies = append(th.Replies, SeenOf(p.Message))
			}
		}
		out = append(out, th)
	}
	return out
}

// SeenOf reduces a neutral message to what a user sees, for drivers whose
// platform shows the core's message unchanged.
func SeenOf(m bot.Message) Seen {
	parts := []string{m.Summary, m.Title}
	parts = append(parts, m.Body...)
	for _, f := range m.Fields {
		parts = append(parts, f.Label+": "+f.Value)
	}
	parts = append(parts, m.Note)
	s := Seen{Text: strings.Join(nonEmpty(parts), "\n")}
	if m.Link != nil {
		s.Link = m.Link.URL
	}
	for _, b := range m.Buttons {
		s.Buttons = append(s.Buttons, SeenButton{ActionID: b.ActionID, Value: b.Value, Label: b.Label})
	}
	return s
}

func nonEmpty(in []string) []string {
	var out []string
	for _, s := range in {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
