package slackfake

import (
	"encoding/json"
	"time"
)

// Call is one request the fake received, in arrival order. Rejected calls
// (bad token, rate limited, unknown channel) are recorded too, with Error
// set, so tests can see what was attempted.
type Call struct {
	Method   string // Web API method, or "response_url"
	Channel  string
	TS       string // the message's ts: assigned on post, targeted on update
	ThreadTS string
	Text     string
	Blocks   json.RawMessage
	User     string // conversations.open users, users.info user, a DM's member
	// ChannelArg is the channel argument as the caller sent it: for a
	// post by user id the member's id, while Channel is the IM it landed
	// in.
	ChannelArg string
	// ResponseID is the id of the response URL posted to (see ResponseURL).
	ResponseID string
	Error      string // the Slack error code, or "ratelimited"
	At         time.Time
}

// Message is a message as it stands in the fake workspace: after
// chat.update, Text and Blocks hold the latest content and Edits counts the
// updates.
type Message struct {
	Channel  string
	TS       string
	ThreadTS string // the parent's ts for a thread reply
	Text     string
	Blocks   json.RawMessage
	Edits    int
	// Ephemeral is set for chat.postEphemeral; User is its recipient.
	Ephemeral bool
	User      string
}

// Response is one post to a response URL.
type Response struct {
	// ID is the last path element of the response URL (see ResponseURL).
	ID              string
	ResponseType    string
	ReplaceOriginal bool
	Text            string
	Blocks          json.RawMessage
}

// Calls returns every call so far, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Messages returns the top-level messages in channel, oldest first.
func (s *Server) Messages(channel string) []Message {
	return s.filter(func(m *Message) bool { return m.Channel == channel && m.ThreadTS == "" && !m.Ephemeral })
}

// Thread returns the replies under the message with ts parent, oldest
// first (not the parent itself).
func (s *Server) Thread(parent string) []Message {
	return s.filter(func(m *Message) bool { return m.ThreadTS == parent && m.ThreadTS != m.TS })
}

// Message returns the message with ts, as it stands now.
func (s *Server) Message(ts string) (Message, bool) {
	got := s.filter(func(m *Message) bool { return m.TS == ts })
	if len(got) == 0 {
		return Message{}, false
	}
	return got[0], true
}

// DMs returns the messages posted in the bot's DM with user.
func (s *Server) DMs(user string) []Message {
	s.mu.Lock()
	ch := s.ims[user]
	s.mu.Unlock()
	if ch == "" {
		return nil
	}
	return s.filter(func(m *Message) bool { return m.Channel == ch && !m.Ephemeral })
}

// Ephemerals returns the chat.postEphemeral messages, oldest first.
func (s *Server) Ephemerals() []Message {
	return s.filter(func(m *Message) bool { return m.Ephemeral })
}

// Updates returns the successful chat.update calls, in order.
func (s *Server) Updates() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if c.Method == "chat.update" && c.Error == "" {
			out = append(out, c)
		}
	}
	return out
}

// Responses returns the posts to response URLs, in order.
func (s *Server) Responses() []Response {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Response(nil), s.responses...)
}

func (s *Server) filter(keep func(*Message) bool) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages {
		if keep(m) {
			out = append(out, *m)
		}
	}
	return out
}
