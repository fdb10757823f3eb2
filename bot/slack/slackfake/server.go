package slackfake

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Identities the fake answers auth.test with; AppID is the app its
// payloads name (api_app_id).
const (
	TeamID    = "T0FAKE"
	AppID     = "A0FAKEAPP"
	BotUserID = "U0FAKEBOT"
	BotID     = "B0FAKEBOT"
)

// User is a workspace member as users.info and users.lookupByEmail
// report them.
type User struct {
	ID    string
	Name  string
	Email string
	// Deleted marks a deactivated member, whom Slack still reports.
	Deleted bool
	// Bot marks a bot user (users.list reports bots among the members).
	Bot bool
	// Locale ("de-DE") is reported only when users.info is asked with
	// include_locale=true, as Slack does; TZ ("Europe/Berlin") always.
	Locale, TZ string
}

// Server is the fake Slack: a Web API under APIURL and response URLs under
// ResponseURL, on one httptest server. Safe for concurrent use.
type Server struct {
	srv   *httptest.Server
	token string

	mu        sync.Mutex
	seq       int
	calls     []Call
	messages  []*Message
	responses []Response
	channels  map[string]bool
	ims       map[string]string
	imUser    map[string]string // IM channel -> member, the reverse of ims
	users     map[string]User
	groups    map[string][]string
	failNext  map[string]failure
	holds     map[string]chan struct{}
	storms    map[string]*storm
	closed    chan struct{}
	interval  time.Duration
	lastPost  map[string]time.Time
	// perMethod and lastCall are the app-wide limits of LimitMethod.
	perMethod map[string]time.Duration
	lastCall  map[string]time.Time
	// postLimit and tiers are the token buckets of LimitPosts and
	// LimitTier.
	postLimit   Limit
	postBuckets map[string]*bucket
	tiers       map[string]Limit
	tierBuckets map[string]*bucket
	// clock is the buckets' time (time.Now unless a test sets it).
	clock func() time.Time
	// listPage caps users.list pages below the requested limit, as
	// Slack may return fewer members than asked for.
	listPage int
	// unscoped are the methods the app lacks a scope for, with the scope.
	unscoped map[string]string
	// refused and needsOpen are the DMs of RefuseDM and NeedsOpen.
	refused   map[string]DMRefusal
	needsOpen map[string]bool
}

type failure struct {
	n          int
	retryAfter time.Duration
}

// New starts a fake that accepts token (a bot token; empty accepts any).
// Close it when done.
func New(token string) *Server {
	s := &Server{
		token:       token,
		channels:    map[string]bool{},
		ims:         map[string]string{},
		imUser:      map[string]string{},
		users:       map[string]User{},
		groups:      map[string][]string{},
		failNext:    map[string]failure{},
		holds:       map[string]chan struct{}{},
		storms:      map[string]*storm{},
		closed:      make(chan struct{}),
		lastPost:    map[string]time.Time{},
		perMethod:   map[string]time.Duration{},
		lastCall:    map[string]time.Time{},
		tiers:       map[string]Limit{},
		tierBuckets: map[string]*bucket{},
		postBuckets: map[string]*bucket{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/{method}", s.serveAPI)
	mux.HandleFunc("POST /response/{id}", s.serveResponse)
	s.srv = httptest.NewServer(mux)
	return s
}

// Close stops the server, releasing held and stalled requests first.
func (s *Server) Close() {
	s.mu.Lock()
	select {
	case <-s.closed:
	default:
		close(s.closed)
	}
	for m, ch := range s.holds {
		close(ch)
		delete(s.holds, m)
	}
	s.mu.Unlock()
	s.srv.Close()
}

// APIURL is the Web API base URL, with the trailing slash slack-go needs.
func (s *Server) APIURL() string { return s.srv.URL + "/api/" }

// ResponseURL is a response URL whose posts are recorded under id.
func (s *Server) ResponseURL(id string) string { return s.srv.URL + "/response/" + url.PathEscape(id) }

// Client is an HTTP client for the fake.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// AddChannel makes a channel the bot is a member of; posting elsewhere
// fails with channel_not_found, as for a channel the bot was not invited to.
func (s *Server) AddChannel(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels[id] = true
}

// AddUser adds a member that users.info knows.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.ID] = u
}

// AddUsergroup sets a user group's members.
func (s *Server) AddUsergroup(id string, members ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.groups[id] = append([]string(nil), members...)
}

// FailNext answers the next n calls of method (or "response_url") with 429
// and Retry-After, as Slack does when an app is over its limit.
func (s *Server) FailNext(method string, n int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext[method] = failure{n: n, retryAfter: retryAfter}
}

// WithoutScope makes the app lack scope, which method needs: its calls
// answer missing_scope naming it, as Slack does for an app installed
// without it.
func (s *Server) WithoutScope(method, scope string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.unscoped == nil {
		s.unscoped = map[string]string{}
	}
	s.unscoped[method] = scope
}

// LimitChannels enforces Slack's posting limit: a chat.postMessage to a
// channel less than interval after the previous accepted one gets 429.
// Zero turns the limit off.
func (s *Server) LimitChannels(interval time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.interval = interval
}

// LimitMethod enforces an app-wide limit on one Web API method, as Slack's
// rate-limit tiers do (conversations.open is Tier 3, 50+ a minute): a call
// less than interval after the previous accepted call of the method, to
// any channel, gets 429 with Retry-After. Zero turns it off.
func (s *Server) LimitMethod(method string, interval time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.perMethod[method] = interval
}

// Hold makes calls of method (or "response_url") block until release is
// called, to prove that a caller does not wait for Slack.
func (s *Server) Hold(method string) (release func()) {
	ch := make(chan struct{})
	s.mu.Lock()
	s.holds[method] = ch
	s.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			if s.holds[method] == ch {
				delete(s.holds, method)
				close(ch)
			}
			s.mu.Unlock()
		})
	}
}

// IMChannel returns the DM channel with user, opened by
// conversations.open or by a post to the user's id ("" if none is open).
func (s *Server) IMChannel(user string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ims[user]
}

// gate applies holds and forced failures; it reports whether the call
// may proceed, having answered it otherwise.
func (s *Server) gate(w http.ResponseWriter, r *http.Request, method string, c *Call) bool {
	s.mu.Lock()
	hold := s.holds[method]
	s.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-r.Context().Done():
			return false
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.storms[method]; st != nil {
		if fault := st.next(); fault != NoFault {
			return s.faultLocked(w, r, fault, st.retryAfter, c)
		}
	}
	if f := s.failNext[method]; f.n > 0 {
		f.n--
		s.failNext[method] = f
		c.Error = "ratelimited"
		s.calls = append(s.calls, *c)
		rateLimited(w, f.retryAfter)
		return false
	}
	if iv := s.perMethod[method]; iv > 0 {
		if wait := iv - time.Since(s.lastCall[method]); wait > 0 {
			c.Error = "ratelimited"
			s.calls = append(s.calls, *c)
			rateLimited(w, wait)
			return false
		}
		s.lastCall[method] = time.Now()
	}
	if l, ok := s.tiers[method]; ok {
		if wait, ok := l.take(s.tierBuckets[method], s.nowLocked()); !ok {
			c.Error = "ratelimited"
			s.calls = append(s.calls, *c)
			rateLimited(w, wait)
			return false
		}
	}
	return true
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	method := r.PathValue("method")
	params, err := readParams(r)
	c := Call{Method: method, Channel: params.Get("channel"), ChannelArg: params.Get("channel"), TS: params.Get("ts"), ThreadTS: params.Get("thread_ts"),
		Text: params.Get("text"), User: params.Get("user"), At: time.Now()}
	if b := params.Get("blocks"); b != "" {
		c.Blocks = json.RawMessage(b)
	}
	if err != nil {
		s.record(c, "invalid_form_data")
		reply(w, map[string]any{"ok": false, "error": "invalid_form_data"})
		return
	}
	if !s.gate(w, r, method, &c) {
		return
	}
	if !s.authorized(r, params) {
		s.record(c, "invalid_auth")
		reply(w, map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if scope, ok := s.unscoped[method]; ok {
		c.Error = "missing_scope"
		s.calls = append(s.calls, c)
		reply(w, map[string]any{"ok": false, "error": "missing_scope", "needed": scope, "provided": "commands,chat:write,im:write"})
		return
	}
	var answer map[string]any
	switch method {
	case "auth.test":
		answer = map[string]any{"url": "https://fake.slack.invalid/", "team": "Fake", "user": "resetbot",
			"team_id": TeamID, "user_id": BotUserID, "bot_id": BotID}
	case "conversations.open":
		answer, c.Error = s.openLocked(params, &c)
	case "chat.postMessage":
		if c.Error = s.dmTargetLocked(&c); c.Error != "" {
			break
		}
		if retry, limited := s.limitedLocked(c.Channel); limited {
			c.Error = "ratelimited"
			s.calls = append(s.calls, c)
			rateLimited(w, retry)
			return
		}
		if retry, limited := s.bucketLocked(c.Channel); limited {
			c.Error = "ratelimited"
			s.calls = append(s.calls, c)
			rateLimited(w, retry)
			return
		}
		answer, c.Error = s.postLocked(&c, false)
	case "chat.postEphemeral":
		answer, c.Error = s.postLocked(&c, true)
	case "chat.update":
		answer, c.Error = s.updateLocked(&c)
	case "users.info":
		answer, c.Error = s.userLocked(c.User, params.Get("include_locale") == "true")
	case "users.list":
		answer, c.Error = s.listUsersLocked(params.Get("limit"), params.Get("cursor"))
	case "users.lookupByEmail":
		answer, c.Error = s.userByEmailLocked(params.Get("email"))
	case "usergroups.users.list":
		if members, ok := s.groups[params.Get("usergroup")]; ok {
			answer = map[string]any{"users": members}
		} else {
			c.Error = "no_such_subteam"
		}
	default:
		c.Error = "unknown_method"
	}
	s.calls = append(s.calls, c)
	if c.Error != "" {
		reply(w, map[string]any{"ok": false, "error": c.Error})
		return
	}
	answer["ok"] = true
	reply(w, answer)
}

func (s *Server) record(c Call, errCode string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.Error = errCode
	s.calls = append(s.calls, c)
}

// authorized accepts the token as slack-go sends it: a form field or a
// bearer header.
func (s *Server) authorized(r *http.Request, params url.Values) bool {
	if s.token == "" {
		return true
	}
	tok := params.Get("token")
	if h, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		tok = h
	}
	return tok == s.token
}

func (s *Server) openLocked(params url.Values, c *Call) (map[string]any, string) {
	users := params.Get("users")
	c.User = users
	if users == "" || strings.Contains(users, ",") {
		return nil, "not_supported"
	}
	if code := s.refused[users].Open; code != "" {
		return nil, code
	}
	ch, already := s.ims[users]
	if !already {
		ch = s.openIMLocked(users)
	}
	c.Channel = ch
	return map[string]any{"channel": map[string]any{"id": ch}, "already_open": already}, ""
}

// limitedLocked reports whether a post to channel breaks the configured
// per-channel limit, and how long to wait.
func (s *Server) limitedLocked(channel string) (time.Duration, bool) {
	if s.interval <= 0 || channel == "" {
		return 0, false
	}
	last, ok := s.lastPost[channel]
	if !ok {
		return 0, false
	}
	if wait := s.interval - time.Since(last); wait > 0 {
		return wait, true
	}
	return 0, false
}

// bucketLocked spends a token of channel's LimitPosts bucket, or reports
// how long until there is one.
func (s *Server) bucketLocked(channel string) (time.Duration, bool) {
	if s.postLimit.Every <= 0 || channel == "" {
		return 0, false
	}
	b := s.postBuckets[channel]
	if b == nil {
		b = &bucket{}
		s.postBuckets[channel] = b
	}
	wait, ok := s.postLimit.take(b, s.nowLocked())
	return wait, !ok
}

func (s *Server) knownChannelLocked(ch string) bool {
	return s.channels[ch] || s.imUser[ch] != ""
}

func (s *Server) postLocked(c *Call, ephemeral bool) (map[string]any, string) {
	switch {
	case c.Channel == "":
		return nil, "channel_not_found"
	case !s.knownChannelLocked(c.Channel):
		return nil, "channel_not_found"
	case c.Text == "" && len(c.Blocks) == 0:
		return nil, "no_text"
	case len(c.Blocks) > 0 && !validBlocks(c.Blocks):
		return nil, "invalid_blocks"
	case ephemeral && c.User == "":
		return nil, "user_not_found"
	}
	if c.ThreadTS != "" {
		parent := s.findLocked(c.ThreadTS)
		if parent == nil || parent.Channel != c.Channel || parent.ThreadTS != "" {
			return nil, "thread_not_found"
		}
	}
	s.seq++
	c.TS = fmt.Sprintf("%d.%06d", 1700000000+s.seq/1000000, s.seq%1000000)
	m := &Message{Channel: c.Channel, TS: c.TS, ThreadTS: c.ThreadTS, Text: c.Text, Blocks: c.Blocks, Ephemeral: ephemeral}
	if ephemeral {
		m.User = c.User
		s.messages = append(s.messages, m)
		return map[string]any{"message_ts": c.TS}, ""
	}
	s.messages = append(s.messages, m)
	s.lastPost[c.Channel] = time.Now()
	msg := map[string]any{"type": "message", "text": c.Text, "ts": c.TS, "bot_id": BotID, "user": BotUserID}
	if c.ThreadTS != "" {
		msg["thread_ts"] = c.ThreadTS
	}
	return map[string]any{"channel": c.Channel, "ts": c.TS, "message": msg}, ""
}

func (s *Server) updateLocked(c *Call) (map[string]any, string) {
	m := s.findLocked(c.TS)
	switch {
	case c.TS == "" || m == nil || m.Channel != c.Channel || m.Ephemeral:
		return nil, "message_not_found"
	case len(c.Blocks) > 0 && !validBlocks(c.Blocks):
		return nil, "invalid_blocks"
	}
	m.Text, m.Blocks = c.Text, c.Blocks
	m.Edits++
	return map[string]any{"channel": m.Channel, "ts": m.TS, "text": m.Text}, ""
}

func (s *Server) userLocked(id string, includeLocale bool) (map[string]any, string) {
	u, ok := s.users[id]
	if !ok {
		return nil, "user_not_found"
	}
	user := map[string]any{
		"id": u.ID, "team_id": TeamID, "name": u.Name, "real_name": u.Name, "deleted": u.Deleted, "is_bot": u.Bot,
		"profile": map[string]any{"email": u.Email, "real_name": u.Name, "display_name": u.Name},
	}
	if u.TZ != "" {
		user["tz"] = u.TZ
	}
	if includeLocale && u.Locale != "" {
		user["locale"] = u.Locale
	}
	return map[string]any{"user": user}, ""
}

// SetUsersListPage makes users.list answer at most n members a page, so
// a client must follow next_cursor.
func (s *Server) SetUsersListPage(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.listPage = n
}

// listUsersLocked answers users.list: members in id order, a page of at
// most limit (and listPage), and response_metadata.next_cursor naming the
// next page ("" on the last). A cursor the fake did not hand out is
// invalid_cursor.
func (s *Server) listUsersLocked(limitParam, cursor string) (map[string]any, string) {
	ids := make([]string, 0, len(s.users))
	for id := range s.users {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	start := 0
	if cursor != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(cursor, "dXNlcjpV"))
		if err != nil || !strings.HasPrefix(cursor, "dXNlcjpV") || n < 0 || n > len(ids) {
			return nil, "invalid_cursor"
		}
		start = n
	}
	limit, err := strconv.Atoi(limitParam)
	if err != nil || limit <= 0 || limit > 1000 {
		limit = 1000
	}
	if s.listPage > 0 && limit > s.listPage {
		limit = s.listPage
	}
	end := min(start+limit, len(ids))
	members := []any{}
	for _, id := range ids[start:end] {
		u := s.users[id]
		members = append(members, map[string]any{
			"id": u.ID, "team_id": TeamID, "name": u.Name, "real_name": u.Name, "deleted": u.Deleted, "is_bot": u.Bot,
			"profile": map[string]any{"email": u.Email, "real_name": u.Name, "display_name": u.Name},
		})
	}
	next := ""
	if end < len(ids) {
		next = "dXNlcjpV" + strconv.Itoa(end)
	}
	return map[string]any{"members": members, "cache_ts": 0,
		"response_metadata": map[string]any{"next_cursor": next}}, ""
}

// userByEmailLocked answers users.lookupByEmail: emails compare without
// regard to case, as Slack's do; no match is users_not_found.
func (s *Server) userByEmailLocked(email string) (map[string]any, string) {
	if email == "" {
		return nil, "invalid_email"
	}
	for id, u := range s.users {
		if u.Email != "" && strings.EqualFold(u.Email, email) {
			return s.userLocked(id, false)
		}
	}
	return nil, "users_not_found"
}

func (s *Server) findLocked(ts string) *Message {
	for _, m := range s.messages {
		if m.TS == ts {
			return m
		}
	}
	return nil
}

func (s *Server) serveResponse(w http.ResponseWriter, r *http.Request) {
	c := Call{Method: "response_url", ResponseID: r.PathValue("id"), At: time.Now()}
	var body struct {
		ResponseType    string          `json:"response_type"`
		ReplaceOriginal bool            `json:"replace_original"`
		Text            string          `json:"text"`
		Blocks          json.RawMessage `json:"blocks"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		s.record(c, "invalid_payload")
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	c.Text, c.Blocks = body.Text, body.Blocks
	if !s.gate(w, r, "response_url", &c) {
		return
	}
	s.mu.Lock()
	s.calls = append(s.calls, c)
	s.responses = append(s.responses, Response{ID: r.PathValue("id"), ResponseType: body.ResponseType,
		ReplaceOriginal: body.ReplaceOriginal, Text: body.Text, Blocks: body.Blocks})
	s.mu.Unlock()
	reply(w, map[string]any{"ok": true})
}

// readParams reads a Web API call's arguments from a form or a JSON body,
// the two encodings slack-go uses.
func readParams(r *http.Request) (url.Values, error) {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var obj map[string]any
		if err := json.NewDecoder(r.Body).Decode(&obj); err != nil {
			return nil, err
		}
		v := url.Values{}
		for k, val := range obj {
			switch x := val.(type) {
			case string:
				v.Set(k, x)
			default:
				b, _ := json.Marshal(x)
				v.Set(k, string(b))
			}
		}
		return v, nil
	}
	if err := r.ParseForm(); err != nil {
		return nil, err
	}
	return r.PostForm, nil
}

// validBlocks checks that blocks is a JSON array of objects with a type,
// the first thing Slack checks.
func validBlocks(raw json.RawMessage) bool {
	var blocks []map[string]any
	if err := json.Unmarshal(raw, &blocks); err != nil {
		return false
	}
	for _, b := range blocks {
		if t, _ := b["type"].(string); t == "" {
			return false
		}
	}
	return true
}

func rateLimited(w http.ResponseWriter, retry time.Duration) {
	secs := int(math.Ceil(retry.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusTooManyRequests)
	_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": "ratelimited"})
}

func reply(w http.ResponseWriter, v map[string]any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
