package teamsfake

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Options describe the bot registration the fake plays Microsoft for.
type Options struct {
	AppID       string
	AppPassword string
	// TenantID is the company's tenant, carried by activities.
	TenantID string
	// HelpdeskChannelID is the channel whose team roster every registered
	// user is in.
	HelpdeskChannelID string
	// Now is the clock of token lifetimes; nil means time.Now.
	Now func() time.Time
}

// Server is the running fake. Its URL serves every endpoint.
type Server struct {
	*httptest.Server
	opt Options

	mu        sync.Mutex
	keys      []signingKey
	tokens    map[string]bool
	seq       int
	calls     []Call
	convs     map[string]*conv
	order     []string
	personal  map[string]string // aad object id -> conversation id
	users     []Member
	limit     int
	limitWait time.Duration
	refuse    []refusal
	removed   bool
	counts    map[string]int
}

// refusal is a canned answer for the next connector call.
type refusal struct {
	status int
	code   string
}

// Member is a Teams user the fake knows: their per-app "29:" id, Entra
// object id, name, mail (which any tenant's administrator can set to any
// address), user principal name and tenant (empty: the company's,
// Options.TenantID; another value plays a user of a foreign tenant).
type Member struct {
	ID                string
	AADObjectID       string
	Name              string
	Email             string
	UserPrincipalName string
	TenantID          string
}

// tenantOf returns the member's tenant.
func (s *Server) tenantOf(m Member) string {
	if m.TenantID != "" {
		return m.TenantID
	}
	return s.opt.TenantID
}

// Call is one recorded connector request; TenantID is the tenantId a
// create-conversation call asked for.
type Call struct {
	Method       string
	Path         string
	Conversation string
	Activity     string
	TenantID     string
	Status       int
}

// conv is a conversation: a personal chat or a channel thread.
type conv struct {
	id         string
	channel    string // helpdesk channel id for channel threads
	member     string // aad object id for personal chats
	activities []*Activity
	// ended is a personal chat EndPersonal ended: it answers
	// ConversationNotFound.
	ended bool
}

// New starts a fake for one test and stops it when the test ends.
func New(t testing.TB, opt Options) *Server {
	t.Helper()
	if opt.Now == nil {
		opt.Now = time.Now
	}
	s := &Server{
		opt: opt, tokens: map[string]bool{}, convs: map[string]*conv{},
		personal: map[string]string{}, counts: map[string]int{},
	}
	k, err := newKey(1)
	if err != nil {
		t.Fatal(err)
	}
	s.keys = []signingKey{k}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/.well-known/openidconfiguration", s.metadata)
	mux.HandleFunc("GET /v1/.well-known/keys", s.jwks)
	mux.HandleFunc("POST /{tenant}/oauth2/v2.0/token", s.token)
	mux.HandleFunc("POST /{region}/v3/conversations", s.connector(s.createConversation))
	mux.HandleFunc("POST /{region}/v3/conversations/{conv}/activities", s.connector(s.send))
	mux.HandleFunc("POST /{region}/v3/conversations/{conv}/activities/{id}", s.connector(s.reply))
	mux.HandleFunc("PUT /{region}/v3/conversations/{conv}/activities/{id}", s.connector(s.update))
	mux.HandleFunc("GET /{region}/v3/conversations/{conv}/members/{member}", s.connector(s.member))
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func (s *Server) now() time.Time { return s.opt.Now() }

// MetadataURL is the OpenID metadata document to configure.
func (s *Server) MetadataURL() string { return s.URL + "/v1/.well-known/openidconfiguration" }

// TokenURL is the client-credentials endpoint to configure.
func (s *Server) TokenURL() string { return s.URL + "/botframework.com/oauth2/v2.0/token" }

// ServiceURL is the connector of a region, as activities carry it.
func (s *Server) ServiceURL(region string) string { return s.URL + "/" + region + "/" }

// Count returns how often an endpoint was used: "metadata", "jwks" or
// "token".
func (s *Server) Count(what string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[what]
}

// RateLimit makes the next n connector calls answer 429 with Retry-After.
func (s *Server) RateLimit(n int, after time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limit, s.limitWait = n, after
}

// Refuse makes the next n connector calls answer status with the
// connector error code (a 503 "ServiceUnavailable", a 400 "BadArgument").
func (s *Server) Refuse(n, status int, code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.refuse = append(s.refuse, refusal{status, code})
	}
}

// RemoveBot plays an administrator removing the bot from the helpdesk
// channel's team: creating a channel conversation, posting into one and
// updating its activities answer 403 "BotNotInConversationRoster".
func (s *Server) RemoveBot() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.removed = true
}

// DeleteActivity plays a user deleting a message: later replies to it and
// updates of it answer 404 "ActivityNotFound".
func (s *Server) DeleteActivity(conversation, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cv := s.convs[conversation]
	if cv == nil {
		return
	}
	for i, a := range cv.activities {
		if a.ID == id {
			cv.activities = append(cv.activities[:i], cv.activities[i+1:]...)
			return
		}
	}
}

// AddUser registers a user of the tenant.
func (s *Server) AddUser(m Member) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users = append(s.users, m)
}

func (s *Server) userLocked(id string) (Member, bool) {
	for _, u := range s.users {
		if id != "" && (u.ID == id || u.AADObjectID == id) {
			return u, true
		}
	}
	return Member{}, false
}

// PersonalConversation returns the id of the bot's personal chat with a
// registered user, creating it as Teams does on first contact.
func (s *Server) PersonalConversation(aadObjectID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.personalLocked(aadObjectID)
}

// EndPersonal plays Teams losing the bot's personal chat with a user:
// posts to the old conversation id and member look-ups in it answer 404
// ConversationNotFound, and the next createConversation for the user
// makes a new one. What the old one held stays readable (Conversation).
func (s *Server) EndPersonal(aadObjectID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id, ok := s.personal[aadObjectID]; ok {
		delete(s.personal, aadObjectID)
		s.convs[id].ended = true
	}
}

func (s *Server) personalLocked(aad string) string {
	if id, ok := s.personal[aad]; ok {
		return id
	}
	s.seq++
	id := fmt.Sprintf("a:personal-%d-%s", s.seq, aad[:8])
	s.personal[aad] = id
	s.convs[id] = &conv{id: id, member: aad}
	s.order = append(s.order, id)
	return id
}

func (s *Server) nextID() string {
	s.seq++
	return strconv.FormatInt(1700000000000+int64(s.seq), 10)
}

func (s *Server) metadata(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.counts["metadata"]++
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                Issuer,
		"authorization_endpoint":                s.URL + "/v1/.well-known/authorize",
		"jwks_uri":                              s.URL + "/v1/.well-known/keys",
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"token_endpoint_auth_methods_supported": []string{"private_key_jwt"},
	})
}

func (s *Server) jwks(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.counts["jwks"]++
	keys := make([]jwk, 0, len(s.keys))
	for _, k := range s.keys {
		keys = append(keys, k.public())
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"keys": keys})
}

// token implements the client-credentials grant for the bot's app.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.counts["token"]++
	s.mu.Unlock()
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	switch {
	case r.PostForm.Get("grant_type") != "client_credentials":
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type"})
		return
	case r.PostForm.Get("client_id") != s.opt.AppID || r.PostForm.Get("client_secret") != s.opt.AppPassword:
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	case r.PostForm.Get("scope") != "https://api.botframework.com/.default":
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_scope"})
		return
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	tok := "fake-access-" + hex.EncodeToString(b)
	s.mu.Lock()
	s.tokens[tok] = true
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": tok})
}

// connector wraps a connector endpoint with the bearer check, the rate
// limit and the call record.
func (s *Server) connector(h func(r *http.Request, c *Call) (int, any)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c := Call{Method: r.Method, Path: r.URL.EscapedPath(), Conversation: r.PathValue("conv"), Activity: r.PathValue("id")}
		status, body := s.handle(r, &c, h)
		s.mu.Lock()
		c.Status = status
		s.calls = append(s.calls, c)
		s.mu.Unlock()
		writeJSON(w, status, body)
	}
}

func (s *Server) handle(r *http.Request, c *Call, h func(*http.Request, *Call) (int, any)) (int, any) {
	auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	valid := ok && s.tokens[auth]
	limited := s.limit > 0
	if valid && limited {
		s.limit--
	}
	wait := s.limitWait
	var refused *refusal
	if valid && !limited && len(s.refuse) > 0 {
		refused = &s.refuse[0]
		s.refuse = s.refuse[1:]
	}
	s.mu.Unlock()
	switch {
	case !valid:
		return http.StatusUnauthorized, apiError("Unauthorized")
	case limited:
		return http.StatusTooManyRequests, retryAfter(wait)
	case refused != nil:
		return refused.status, apiError(refused.code)
	}
	return h(r, c)
}

// retryAfter is the marker body of a 429; the header is set by writeJSON.
type retryAfter time.Duration

func apiError(code string) map[string]any {
	return map[string]any{"error": map[string]string{"code": code, "message": code}}
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	if ra, ok := body.(retryAfter); ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(time.Duration(ra).Seconds())))
		body = apiError("TooManyRequests")
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// createParams is the body of a create-conversation call.
type createParams struct {
	IsGroup     bool         `json:"isGroup"`
	Bot         *Account     `json:"bot"`
	Members     []Account    `json:"members"`
	TenantID    string       `json:"tenantId"`
	Activity    *Activity    `json:"activity"`
	ChannelData *ChannelData `json:"channelData"`
}

func (s *Server) createConversation(r *http.Request, c *Call) (int, any) {
	var p createParams
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
		return http.StatusBadRequest, apiError("BadSyntax")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c.TenantID = p.TenantID
	if p.Bot == nil || p.Bot.ID != "28:"+s.opt.AppID {
		return http.StatusBadRequest, apiError("BadArgument")
	}
	if s.opt.TenantID != "" && p.TenantID != s.opt.TenantID {
		return http.StatusForbidden, apiError("TenantMismatch")
	}
	if p.IsGroup {
		if s.removed {
			return http.StatusForbidden, apiError("BotNotInConversationRoster")
		}
		if p.ChannelData == nil || p.ChannelData.Channel == nil || p.ChannelData.Channel.ID != s.opt.HelpdeskChannelID || p.Activity == nil {
			return http.StatusBadRequest, apiError("BadArgument")
		}
		a := *p.Activity
		a.ID = s.nextID()
		a.From = s.botLocked()
		id := s.opt.HelpdeskChannelID + ";messageid=" + a.ID
		a.Conversation = &Conversation{ID: id, IsGroup: true}
		s.convs[id] = &conv{id: id, channel: s.opt.HelpdeskChannelID, activities: []*Activity{&a}}
		s.order = append(s.order, id)
		c.Conversation, c.Activity = id, a.ID
		return http.StatusCreated, map[string]string{"id": id, "activityId": a.ID}
	}
	if len(p.Members) != 1 {
		return http.StatusBadRequest, apiError("BadArgument")
	}
	u, ok := s.userLocked(p.Members[0].ID)
	if !ok || s.tenantOf(u) != p.TenantID {
		return http.StatusNotFound, apiError("NotFound")
	}
	id := s.personalLocked(u.AADObjectID)
	c.Conversation = id
	return http.StatusCreated, map[string]string{"id": id}
}

func (s *Server) post(r *http.Request, c *Call, replyTo string) (int, any) {
	var a Activity
	if err := json.NewDecoder(r.Body).Decode(&a); err != nil || a.Type == "" {
		return http.StatusBadRequest, apiError("BadSyntax")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cv, ok := s.convs[r.PathValue("conv")]
	if !ok || cv.ended {
		return http.StatusNotFound, apiError("ConversationNotFound")
	}
	if s.removed && cv.channel != "" {
		return http.StatusForbidden, apiError("BotNotInConversationRoster")
	}
	if replyTo != "" && cv.find(replyTo) == nil {
		return http.StatusNotFound, apiError("ActivityNotFound")
	}
	a.ID = s.nextID()
	a.ReplyToID = replyTo
	a.Conversation = &Conversation{ID: cv.id}
	a.From = s.botLocked()
	cv.activities = append(cv.activities, &a)
	c.Activity = a.ID
	return http.StatusCreated, map[string]string{"id": a.ID}
}

func (s *Server) send(r *http.Request, c *Call) (int, any)  { return s.post(r, c, "") }
func (s *Server) reply(r *http.Request, c *Call) (int, any) { return s.post(r, c, r.PathValue("id")) }

func (s *Server) update(r *http.Request, c *Call) (int, any) {
	var a Activity
	if err := json.NewDecoder(r.Body).Decode(&a); err != nil || a.Type == "" {
		return http.StatusBadRequest, apiError("BadSyntax")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cv, ok := s.convs[r.PathValue("conv")]
	if !ok {
		return http.StatusNotFound, apiError("ConversationNotFound")
	}
	if s.removed && cv.channel != "" {
		return http.StatusForbidden, apiError("BotNotInConversationRoster")
	}
	old := cv.find(r.PathValue("id"))
	if old == nil {
		return http.StatusNotFound, apiError("ActivityNotFound")
	}
	a.ID, a.ReplyToID, a.Conversation, a.From = old.ID, old.ReplyToID, old.Conversation, old.From
	*old = a
	return http.StatusOK, map[string]string{"id": a.ID}
}

// member answers who a member of a conversation is: the user of a
// personal chat, or anyone registered for the helpdesk channel's team.
func (s *Server) member(r *http.Request, c *Call) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.userLocked(r.PathValue("member"))
	conv := r.PathValue("conv")
	cv := s.convs[conv]
	switch {
	case conv != s.opt.HelpdeskChannelID && (cv == nil || cv.ended):
		return http.StatusNotFound, apiError("ConversationNotFound")
	case !ok:
		return http.StatusNotFound, apiError("MemberNotFoundInConversation")
	case conv == s.opt.HelpdeskChannelID:
	case cv != nil && cv.member == u.AADObjectID:
	default:
		return http.StatusNotFound, apiError("MemberNotFoundInConversation")
	}
	return http.StatusOK, Account{ID: u.ID, Name: u.Name, AADObjectID: u.AADObjectID, Email: u.Email, UserPrincipalName: u.UserPrincipalName, TenantID: s.tenantOf(u)}
}

// botLocked is the bot as the sender of what it posts.
func (s *Server) botLocked() *Account { return &Account{ID: "28:" + s.opt.AppID, Name: BotName} }

// FromBot tells whether the bot posted an activity (rather than a user).
func (s *Server) FromBot(a Activity) bool { return a.From != nil && a.From.ID == "28:"+s.opt.AppID }

func (cv *conv) find(id string) *Activity {
	for _, a := range cv.activities {
		if a.ID == id {
			return a
		}
	}
	return nil
}
