package discordfake

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Signer signs interactions as Discord does: Ed25519 over the timestamp
// followed by the body, hex in X-Signature-Ed25519, the Unix time in
// X-Signature-Timestamp.
type Signer struct{ key ed25519.PrivateKey }

// NewSigner derives a key from seed, so tests are reproducible. It is a
// test key: never use it for anything real.
func NewSigner(seed string) *Signer {
	s := sha256.Sum256([]byte("discordfake:" + seed))
	return &Signer{key: ed25519.NewKeyFromSeed(s[:])}
}

// PublicKeyHex is the application public key to configure in the bot.
func (k *Signer) PublicKeyHex() string {
	return hex.EncodeToString(k.key.Public().(ed25519.PublicKey))
}

// Sign returns the two signature headers' values for body sent at ts.
func (k *Signer) Sign(ts time.Time, body []byte) (timestamp, signature string) {
	timestamp = strconv.FormatInt(ts.Unix(), 10)
	msg := append([]byte(timestamp), body...)
	return timestamp, hex.EncodeToString(ed25519.Sign(k.key, msg))
}

// Request builds a signed POST of body to url, as Discord sends it.
func (k *Signer) Request(url string, body []byte, ts time.Time) *http.Request {
	r, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		panic(err) // url comes from the test
	}
	timestamp, sig := k.Sign(ts, body)
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("User-Agent", "Discord-Interactions/1.0 (+https://discord.com)")
	r.Header.Set("X-Signature-Ed25519", sig)
	r.Header.Set("X-Signature-Timestamp", timestamp)
	return r
}

// User is a Discord user in an interaction.
type User struct {
	ID         string `json:"id"`
	Username   string `json:"username"`
	GlobalName string `json:"global_name,omitempty"`
}

// Interaction is one interaction the fake issued: its id and token are
// registered, so the bot's answers to it are accepted.
type Interaction struct {
	ID    string
	Token string
	User  string
	Body  []byte
}

// WithLocale is in as if the invoking user's Discord client were set to
// locale ("de", "es-ES"); the fake's interactions say "en-US".
func (in Interaction) WithLocale(locale string) Interaction {
	var env map[string]any
	if err := json.Unmarshal(in.Body, &env); err != nil {
		panic(err) // the fake built the body
	}
	env["locale"] = locale
	in.Body, _ = json.Marshal(env)
	return in
}

// PingBody is the body of Discord's endpoint check (type 1).
func (s *Server) PingBody() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, _ := json.Marshal(map[string]any{"id": s.snowflakeLocked(), "application_id": s.appID, "type": 1, "token": "ping", "version": 1})
	return b
}

// issueLocked registers a new interaction of from.
func (s *Server) issueLocked(from User) *issued {
	in := &issued{id: s.snowflakeLocked(), user: from.ID, acked: make(chan struct{})}
	s.tokens["aW50ZXJhY3Rpb246"+in.id+"_tok"] = in
	return in
}

func tokenOf(in *issued) string { return "aW50ZXJhY3Rpb246" + in.id + "_tok" }

// Command builds /<command> <sub> [user:<target>] by from in a guild
// channel, with the target in data.resolved.users as Discord sends it.
func (s *Server) Command(guildID, channelID, command, sub string, from User, target *User) Interaction {
	return s.CommandWith(guildID, channelID, command, sub, from, target, nil)
}

// CommandWith is Command with string options of the subcommand too (name
// to value), after the user option.
func (s *Server) CommandWith(guildID, channelID, command, sub string, from User, target *User, strs map[string]string) Interaction {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.issueLocked(from)
	subOpt := map[string]any{"name": sub, "type": 1}
	data := map[string]any{"id": s.snowflakeLocked(), "name": command, "type": 1}
	var opts []map[string]any
	if target != nil {
		opts = append(opts, map[string]any{"name": "user", "type": 6, "value": target.ID})
		data["resolved"] = map[string]any{"users": map[string]any{target.ID: target}}
	}
	for name, v := range strs {
		opts = append(opts, map[string]any{"name": name, "type": 3, "value": v})
	}
	if opts != nil {
		subOpt["options"] = opts
	}
	if sub != "" {
		data["options"] = []any{subOpt}
	}
	return s.envelopeLocked(in, 2, guildID, channelID, from, data, nil)
}

// Button builds a click on the button customID of message m by from.
func (s *Server) Button(guildID string, m Message, customID string, from User) Interaction {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.issueLocked(from)
	data := map[string]any{"custom_id": customID, "component_type": 2}
	msg := map[string]any{"id": m.ID, "channel_id": m.ChannelID, "type": 0}
	return s.envelopeLocked(in, 3, guildID, m.ChannelID, from, data, msg)
}

func (s *Server) envelopeLocked(in *issued, typ int, guildID, channelID string, from User, data, msg any) Interaction {
	env := map[string]any{
		"id": in.id, "application_id": s.appID, "type": typ, "token": tokenOf(in), "version": 1,
		"channel_id": channelID, "data": data, "locale": "en-US", "app_permissions": "2147485696",
	}
	if guildID != "" {
		env["guild_id"] = guildID
		env["member"] = map[string]any{"user": from, "roles": []string{}, "permissions": "2147485696"}
		env["context"] = 0
	} else {
		env["user"] = from
		env["context"] = 1
	}
	if msg != nil {
		env["message"] = msg
	}
	b, _ := json.Marshal(env)
	return Interaction{ID: in.id, Token: tokenOf(in), User: from.ID, Body: b}
}

// Response is the bot's HTTP answer to a delivered interaction.
type Response struct {
	Status int
	Body   []byte
	// Type is the interaction response type (4 message, 5 deferred, 6
	// deferred update, 1 pong); 0 if the answer was not one.
	Type int
	// Message is the response's message (type 4), as the user sees it.
	Message *Message
	// Repeat is set when the interaction had been answered before: Discord
	// keeps only the first answer.
	Repeat bool
}

// Deliver signs body at ts with k and posts it to endpoint, as Discord
// delivers an interaction, and records the answer as the interaction's
// first response (which opens its webhook for follow-ups).
func (s *Server) Deliver(client *http.Client, endpoint string, k *Signer, in Interaction, ts time.Time) (Response, error) {
	resp, err := client.Do(k.Request(endpoint, in.Body, ts))
	if err != nil {
		return Response{}, fmt.Errorf("discordfake: deliver: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return Response{}, fmt.Errorf("discordfake: read answer: %w", err)
	}
	out := Response{Status: resp.StatusCode, Body: body}
	if resp.StatusCode != http.StatusOK {
		return out, nil
	}
	var head struct {
		Type int      `json:"type"`
		Data *Message `json:"data"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		return out, fmt.Errorf("discordfake: answer is not JSON: %w", err)
	}
	out.Type, out.Message = head.Type, head.Data
	s.mu.Lock()
	iss := s.tokens[in.Token]
	s.mu.Unlock()
	if iss == nil {
		return out, nil // a ping or an interaction the fake did not issue
	}
	err = s.recordResponse(iss, body)
	if errors.Is(err, errAcked) {
		out.Repeat, err = true, nil
	}
	return out, err
}

var errAcked = errors.New("Interaction has already been acknowledged")

// recordResponse keeps an interaction's first response.
func (s *Server) recordResponse(in *issued, body []byte) error {
	var r struct {
		Type int             `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return fmt.Errorf("response: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-in.acked:
		return errAcked
	default:
	}
	switch r.Type {
	case 4, 5:
		m := &Message{}
		if len(r.Data) > 0 && string(r.Data) != "null" {
			var problem string
			if m, problem = decodeMessage(r.Data, r.Type == 4); problem != "" {
				return errors.New(problem)
			}
		}
		m.ID, m.Token, m.Deferred = s.snowflakeLocked(), tokenOf(in), r.Type == 5
		in.original = m
		s.addLocked(m)
	case 6, 7:
	default:
		return fmt.Errorf("response type %d is not an answer to an interaction", r.Type)
	}
	close(in.acked)
	return nil
}
