package discordfake

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// APIPrefix is where discordgo's API version lives on the fake.
const APIPrefix = "/api/v10"

// Server is the fake. Create it with New; it is safe for concurrent use.
type Server struct {
	srv   *httptest.Server
	token string
	appID string

	mu        sync.Mutex
	ackWait   time.Duration
	nextID    uint64
	seq       int
	calls     []Call
	channels  map[string]channel
	dms       map[string]string   // user id -> DM channel id
	pastDMs   map[string][]string // user id -> DM channels CloseDM closed
	messages  map[string]*Message
	order     []*Message // every channel message and interaction answer, by Seq
	tokens    map[string]*issued
	commands  map[string]json.RawMessage // "" (global) or guild id -> definition list
	limits    map[string]limit
	botUserID string
}

// channel is a channel the fake knows: the helpdesk text channel, a DM, a
// thread.
type channel struct {
	kind      int // 0 text, 1 DM, 11 public thread
	recipient string
	parent    string
	name      string
}

// issued is an interaction the fake made and delivered.
type issued struct {
	id, user string
	acked    chan struct{}
	original *Message
}

// limit is a pending run of 429s for one route.
type limit struct {
	n     int
	after time.Duration
}

// New starts a fake that accepts the bot token token for application
// appID. Stop it with Close (or t.Cleanup(s.Close)).
func New(token, appID string) *Server {
	s := &Server{
		token:     token,
		appID:     appID,
		ackWait:   2 * time.Second,
		nextID:    1_200_000_000_000_000_000,
		channels:  map[string]channel{},
		dms:       map[string]string{},
		pastDMs:   map[string][]string{},
		messages:  map[string]*Message{},
		tokens:    map[string]*issued{},
		commands:  map[string]json.RawMessage{},
		limits:    map[string]limit{},
		botUserID: "",
	}
	s.botUserID = s.snowflakeLocked()
	mux := http.NewServeMux()
	route := func(pattern string, h func(*http.Request, []byte) (int, any)) {
		method, path, _ := strings.Cut(pattern, " ")
		mux.HandleFunc(method+" "+APIPrefix+path, func(w http.ResponseWriter, r *http.Request) {
			s.serve(w, r, pattern, h)
		})
	}
	route("GET /users/@me", s.me)
	route("POST /users/@me/channels", s.openDM)
	route("GET /channels/{channel}/messages/{message}", s.getMessage)
	route("POST /channels/{channel}/messages", s.createMessage)
	route("PATCH /channels/{channel}/messages/{message}", s.editMessage)
	route("POST /channels/{channel}/messages/{message}/threads", s.startThread)
	route("POST /webhooks/{app}/{token}", s.followup)
	route("PATCH /webhooks/{app}/{token}/messages/{message}", s.editWebhookMessage)
	route("POST /interactions/{id}/{token}/callback", s.callback)
	route("PUT /applications/{app}/commands", s.putCommands)
	route("PUT /applications/{app}/guilds/{guild}/commands", s.putCommands)
	s.srv = httptest.NewServer(mux)
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// URL is the fake's base URL.
func (s *Server) URL() string { return s.srv.URL }

// APIURL is the REST API base to configure (Config.APIURL).
func (s *Server) APIURL() string { return s.srv.URL + APIPrefix + "/" }

// Client is an HTTP client for the fake.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// BotUserID is the bot's own user id.
func (s *Server) BotUserID() string { return s.botUserID }

// AddTextChannel creates a guild text channel (the helpdesk channel) and
// returns its id.
func (s *Server) AddTextChannel(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.snowflakeLocked()
	s.channels[id] = channel{kind: 0, name: name}
	return id
}

// RateLimit makes the next n calls of route (as in Call.Route, e.g.
// "POST /channels/{channel}/messages") answer 429 with Retry-After after.
func (s *Server) RateLimit(route string, n int, after time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits[route] = limit{n: n, after: after}
}

// snowflakeLocked returns a fresh, unique id.
func (s *Server) snowflakeLocked() string {
	s.nextID += 1 + s.nextID%7
	return strconv.FormatUint(s.nextID, 10)
}

// serve records a call, applies authentication and rate limits, and runs
// the route's handler.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, pattern string, h func(*http.Request, []byte) (int, any)) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	c := Call{Method: r.Method, Route: pattern, Path: redact(r.URL.Path), Body: json.RawMessage(body)}
	webhook := strings.Contains(pattern, "{token}")
	if !webhook && r.Header.Get("Authorization") != "Bot "+s.token {
		s.finish(w, &c, http.StatusUnauthorized, apiError(0, "401: Unauthorized"))
		return
	}
	s.mu.Lock()
	if l, ok := s.limits[pattern]; ok && l.n > 0 {
		l.n--
		s.limits[pattern] = l
		s.mu.Unlock()
		secs := l.after.Seconds()
		h := w.Header()
		h.Set("Retry-After", strconv.Itoa(int(math.Ceil(secs))))
		h.Set("X-RateLimit-Limit", "5")
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Reset", strconv.FormatFloat(float64(time.Now().Add(l.after).UnixMilli())/1000, 'f', 3, 64))
		h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(secs, 'f', 3, 64))
		h.Set("X-RateLimit-Bucket", "fakebucket")
		h.Set("X-RateLimit-Scope", "user")
		s.finish(w, &c, http.StatusTooManyRequests, map[string]any{"message": "You are being rate limited.", "retry_after": secs, "global": false})
		return
	}
	s.mu.Unlock()
	status, v := h(r, body)
	s.finish(w, &c, status, v)
}

func (s *Server) finish(w http.ResponseWriter, c *Call, status int, v any) {
	c.Status = status
	s.mu.Lock()
	s.calls = append(s.calls, *c)
	s.mu.Unlock()
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// redact hides interaction tokens in a path.
func redact(path string) string {
	parts := strings.Split(path, "/")
	for i := range parts {
		if i > 0 && (parts[i-1] == "interactions" && i+1 < len(parts)) {
			parts[i+1] = "{token}"
		}
		if i > 1 && parts[i-2] == "webhooks" {
			parts[i] = "{token}"
		}
	}
	return strings.Join(parts, "/")
}

// apiError is Discord's JSON error body.
func apiError(code int, msg string) map[string]any {
	return map[string]any{"code": code, "message": msg}
}

func (s *Server) me(*http.Request, []byte) (int, any) {
	return http.StatusOK, map[string]any{"id": s.botUserID, "username": "resetbot", "bot": true}
}

func (s *Server) openDM(_ *http.Request, body []byte) (int, any) {
	var p struct {
		RecipientID string `json:"recipient_id"`
	}
	if err := json.Unmarshal(body, &p); err != nil || !isSnowflake(p.RecipientID) {
		return http.StatusBadRequest, apiError(50035, "Invalid Form Body")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.dms[p.RecipientID]
	if !ok {
		id = s.snowflakeLocked()
		s.dms[p.RecipientID] = id
		s.channels[id] = channel{kind: 1, recipient: p.RecipientID}
	}
	return http.StatusOK, map[string]any{"id": id, "type": 1, "recipients": []map[string]any{{"id": p.RecipientID}}}
}

func (s *Server) getMessage(r *http.Request, _ []byte) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.messages[r.PathValue("message")]
	if !ok || m.ChannelID != r.PathValue("channel") {
		return http.StatusNotFound, apiError(10008, "Unknown Message")
	}
	return http.StatusOK, m
}

func (s *Server) createMessage(r *http.Request, body []byte) (int, any) {
	m, problem := decodeMessage(body, true)
	if problem != "" {
		return http.StatusBadRequest, formError(problem)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := r.PathValue("channel")
	if _, ok := s.channels[ch]; !ok {
		return http.StatusNotFound, apiError(10003, "Unknown Channel")
	}
	m.ID, m.ChannelID = s.snowflakeLocked(), ch
	s.addLocked(m)
	return http.StatusOK, m
}

func (s *Server) addLocked(m *Message) {
	s.seq++
	m.Seq = s.seq
	s.messages[m.ID] = m
	s.order = append(s.order, m)
}

func (s *Server) editMessage(r *http.Request, body []byte) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.messages[r.PathValue("message")]
	if !ok || m.ChannelID != r.PathValue("channel") {
		return http.StatusNotFound, apiError(10008, "Unknown Message")
	}
	if problem := applyEdit(m, body); problem != "" {
		return http.StatusBadRequest, formError(problem)
	}
	return http.StatusOK, m
}

func (s *Server) startThread(r *http.Request, body []byte) (int, any) {
	var p struct {
		Name                string `json:"name"`
		AutoArchiveDuration int    `json:"auto_archive_duration"`
	}
	if err := json.Unmarshal(body, &p); err != nil || p.Name == "" || len([]rune(p.Name)) > 100 {
		return http.StatusBadRequest, formError("name: must be 1 to 100 characters")
	}
	switch p.AutoArchiveDuration {
	case 0, 60, 1440, 4320, 10080:
	default:
		return http.StatusBadRequest, formError("auto_archive_duration: not one of 60, 1440, 4320, 10080")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, msg := r.PathValue("channel"), r.PathValue("message")
	m, ok := s.messages[msg]
	if !ok || m.ChannelID != ch {
		return http.StatusNotFound, apiError(10008, "Unknown Message")
	}
	if _, exists := s.channels[msg]; exists {
		return http.StatusBadRequest, apiError(160004, "A thread has already been created for this message")
	}
	// As on Discord, a thread started from a message has the message's id.
	s.channels[msg] = channel{kind: 11, parent: ch, name: p.Name}
	return http.StatusCreated, map[string]any{"id": msg, "type": 11, "parent_id": ch, "name": p.Name}
}

// interactionFor finds an issued interaction by app and token, waiting a
// while for its first response: Discord refuses follow-ups to an
// interaction that was not answered, and the bot's answer and its first
// follow-up may race on the wire.
func (s *Server) interactionFor(r *http.Request) (*issued, int, any) {
	if r.PathValue("app") != s.appID {
		return nil, http.StatusNotFound, apiError(10015, "Unknown Webhook")
	}
	s.mu.Lock()
	in, ok := s.tokens[r.PathValue("token")]
	wait := s.ackWait
	s.mu.Unlock()
	if !ok {
		return nil, http.StatusNotFound, apiError(10015, "Unknown Webhook")
	}
	select {
	case <-in.acked:
		return in, 0, nil
	case <-time.After(wait):
		return nil, http.StatusNotFound, apiError(10015, "Unknown Webhook")
	}
}

func (s *Server) followup(r *http.Request, body []byte) (int, any) {
	in, status, v := s.interactionFor(r)
	if in == nil {
		return status, v
	}
	m, problem := decodeMessage(body, true)
	if problem != "" {
		return http.StatusBadRequest, formError(problem)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m.ID, m.Token = s.snowflakeLocked(), r.PathValue("token")
	s.addLocked(m)
	if r.URL.Query().Get("wait") == "true" {
		return http.StatusOK, m
	}
	return http.StatusNoContent, nil
}

func (s *Server) editWebhookMessage(r *http.Request, body []byte) (int, any) {
	in, status, v := s.interactionFor(r)
	if in == nil {
		return status, v
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var m *Message
	if id := r.PathValue("message"); id == "@original" {
		m = in.original
	} else if mm, ok := s.messages[id]; ok && mm.Token == r.PathValue("token") {
		m = mm
	}
	if m == nil {
		return http.StatusNotFound, apiError(10008, "Unknown Message")
	}
	if problem := applyEdit(m, body); problem != "" {
		return http.StatusBadRequest, formError(problem)
	}
	m.Deferred = false
	return http.StatusOK, m
}

func (s *Server) callback(r *http.Request, body []byte) (int, any) {
	s.mu.Lock()
	in, ok := s.tokens[r.PathValue("token")]
	s.mu.Unlock()
	if !ok || in.id != r.PathValue("id") {
		return http.StatusNotFound, apiError(10062, "Unknown interaction")
	}
	if err := s.recordResponse(in, body); err != nil {
		return http.StatusBadRequest, apiError(40060, err.Error())
	}
	return http.StatusNoContent, nil
}

func (s *Server) putCommands(r *http.Request, body []byte) (int, any) {
	if r.PathValue("app") != s.appID {
		return http.StatusForbidden, apiError(50001, "Missing Access")
	}
	var defs []map[string]any
	if err := json.Unmarshal(body, &defs); err != nil {
		return http.StatusBadRequest, formError("body: not a list of commands")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range defs {
		if problem := checkCommand(d); problem != "" {
			return http.StatusBadRequest, formError(problem)
		}
		d["id"], d["application_id"] = s.snowflakeLocked(), s.appID
		if g := r.PathValue("guild"); g != "" {
			d["guild_id"] = g
		}
	}
	s.commands[r.PathValue("guild")] = json.RawMessage(body)
	return http.StatusOK, defs
}

// Commands returns the command list last registered globally (guild "")
// or for a guild, as the bot sent it.
func (s *Server) Commands(guild string) json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.commands[guild]
}

// Calls returns every REST call so far, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// ChannelMessages returns the messages of a channel (or thread) in their
// current version, oldest first.
func (s *Server) ChannelMessages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.order {
		if m.ChannelID == channelID {
			out = append(out, *m)
		}
	}
	return out
}

// Thread returns the thread started from a message: its id and name.
func (s *Server) Thread(messageID string) (id, name string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[messageID]
	if !ok || ch.kind != 11 {
		return "", "", false
	}
	return messageID, ch.name, true
}

// CloseDM plays Discord losing the bot's DM channel with a user: posts to
// the old channel id answer 404 Unknown Channel (10003), and the next
// "create DM" makes a new channel. What the old one held still counts as
// seen by the user (Private).
func (s *Server) CloseDM(userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.dms[userID]
	if !ok {
		return
	}
	delete(s.dms, userID)
	delete(s.channels, id)
	s.pastDMs[userID] = append(s.pastDMs[userID], id)
}

// DMChannel returns the bot's DM channel with a user, if opened.
func (s *Server) DMChannel(userID string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.dms[userID]
	return id, ok
}

// Private returns what a user saw privately, oldest first: messages in
// their DM with the bot and the ephemeral answers to their interactions
// (responses and follow-ups; a deferred response only once filled in).
func (s *Server) Private(userID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	dms := map[string]bool{}
	if dm := s.dms[userID]; dm != "" {
		dms[dm] = true
	}
	for _, dm := range s.pastDMs[userID] {
		dms[dm] = true
	}
	var out []Message
	for _, m := range s.order {
		switch {
		case dms[m.ChannelID]:
			out = append(out, *m)
		case m.Token != "" && s.tokens[m.Token] != nil && s.tokens[m.Token].user == userID && !m.Deferred && m.Flags&Ephemeral != 0:
			out = append(out, *m)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

// Public returns interaction answers that were not ephemeral: the bot
// must never answer a user where others can read it.
func (s *Server) Public() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.order {
		if m.Token != "" && m.Flags&Ephemeral == 0 {
			out = append(out, *m)
		}
	}
	return out
}

func isSnowflake(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func formError(problem string) map[string]any {
	return map[string]any{"code": 50035, "message": "Invalid Form Body", "errors": problem}
}

// String helps test failure messages.
func (c Call) String() string { return fmt.Sprintf("%s %s -> %d", c.Method, c.Path, c.Status) }
