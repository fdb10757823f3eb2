package slack

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/bottest"
	"github.com/resetbot/resetbot/bot/slack/slackfake"
	"github.com/resetbot/resetbot/flows"
)

// TestScenarios runs the cross-platform scenarios through Slack's real
// wire format: signed requests into App.Routes, the real core, and the
// Messenger posting to the fake Web API.
func TestScenarios(t *testing.T) {
	bottest.Run(t, func(t *testing.T) bottest.Driver { return &slackDriver{} })
}

// slackDriver is Slack as bottest sees it.
type slackDriver struct {
	fake   *slackfake.Server
	app    *App
	bot    *bot.Bot
	routes http.Handler

	mu       sync.Mutex
	seq      int
	last     url.Values
	acks     []seenAck         // immediate answers, positioned among the fake's calls
	respOwns map[string]string // response URL id -> user id
}

// seenAck is an immediate answer, seen after the fake's first `at` calls.
type seenAck struct {
	user string
	at   int
	seen bottest.Seen
}

func (d *slackDriver) Platform() string { return Platform }

func (d *slackDriver) Identity() bot.IdentityRule { return bot.IdentityRule{By: bot.IdentityByChatID} }

func (d *slackDriver) User(account string) bot.User {
	id := strings.Map(func(r rune) rune {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return unicode.ToUpper(r)
		}
		return '0'
	}, account)
	return bot.User{ID: flows.ChatIdentity{Platform: Platform, UserID: "U" + id}, Name: account}
}

func (d *slackDriver) Start(t *testing.T, env bottest.Env) {
	d.fake = slackfake.New(testToken)
	t.Cleanup(d.fake.Close)
	d.fake.AddChannel(testChannel)
	d.respOwns = map[string]string{}
	cfg := testConfig(d.fake.APIURL())
	m, err := NewMessenger(cfg, WithHTTPClient(d.fake.Client()), WithPace(0))
	if err != nil {
		t.Fatal(err)
	}
	env.Bot.AddPlatform(Platform, m)
	d.bot = env.Bot
	d.app, err = New(cfg, env.Bot, env.Once, WithLogger(quiet), WithHTTPClient(d.fake.Client()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.app.Wait)
	d.routes = d.app.Routes()
}

// responseURL is a fresh response URL owned by user, and its id.
func (d *slackDriver) responseURL(user string) (string, string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.seq++
	id := user + "-" + strconv.Itoa(d.seq)
	d.respOwns[id] = user
	return d.fake.ResponseURL(id), id
}

func (d *slackDriver) Command(t *testing.T, from bot.User, text string, _ ...bot.User) bottest.Seen {
	t.Helper()
	// As Slack sends it with escaping on: entities escaped, mentions as
	// <@U…> (Slack adds |name for some clients; both parse the same).
	wire := mrkdwn(text)
	respURL, respID := d.responseURL(from.ID.UserID)
	form := slackfake.CommandForm(from.ID.UserID, wire, respURL)
	d.mu.Lock()
	d.last = form
	d.mu.Unlock()
	seen := d.deliver(t, from.ID.UserID, slackfake.SignedCommand(testSecret, form, time.Now()))
	if seen.Text != "" {
		return seen
	}
	// An empty ack: the core asks users.info for the member's language
	// first, and the first reply comes through the response URL.
	d.bot.Wait()
	return firstResponse(t, d.fake, respID)
}

// firstResponse is the first message posted to a response URL, or nothing.
func firstResponse(t *testing.T, fake *slackfake.Server, respID string) bottest.Seen {
	t.Helper()
	for _, c := range fake.Calls() {
		if c.Method == "response_url" && c.ResponseID == respID && c.Error == "" {
			return seenOf(t, c.Text, c.Blocks)
		}
	}
	return bottest.Seen{}
}

func (d *slackDriver) RedeliverLast(t *testing.T) bottest.Seen {
	t.Helper()
	d.mu.Lock()
	form := d.last
	d.mu.Unlock()
	r := slackfake.SignedCommand(testSecret, form, time.Now())
	r.Header.Set("X-Slack-Retry-Num", "1")
	r.Header.Set("X-Slack-Retry-Reason", "http_timeout")
	return d.deliver(t, form.Get("user_id"), r)
}

// deliver serves a slash command and records its immediate answer.
func (d *slackDriver) deliver(t *testing.T, user string, r *http.Request) bottest.Seen {
	t.Helper()
	// The answer comes before anything the core does in the background.
	at := len(d.fake.Calls())
	w := serve(d.routes, r)
	if w.Code != http.StatusOK {
		t.Fatalf("slash command answered %d %q", w.Code, w.Body)
	}
	var seen bottest.Seen
	if w.Body.Len() > 0 {
		var ack struct {
			ResponseType string          `json:"response_type"`
			Text         string          `json:"text"`
			Blocks       json.RawMessage `json:"blocks"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &ack); err != nil || ack.ResponseType != "ephemeral" {
			t.Fatalf("ack %s is not an ephemeral answer (%v)", w.Body, err)
		}
		seen = seenOf(t, ack.Text, ack.Blocks)
	}
	d.mu.Lock()
	d.acks = append(d.acks, seenAck{user: user, at: at, seen: seen})
	d.mu.Unlock()
	return seen
}

func (d *slackDriver) Click(t *testing.T, from bot.User, th bottest.Thread, b bottest.SeenButton) {
	t.Helper()
	channel, _, _ := strings.Cut(th.Ref, "/")
	respURL, _ := d.responseURL(from.ID.UserID)
	payload := slackfake.BlockActions(from.ID.UserID, channel, b.ActionID, b.Value, respURL)
	if w := serve(d.routes, slackfake.SignedInteraction(testSecret, payload, time.Now())); w.Code != http.StatusOK {
		t.Fatalf("click answered %d %q", w.Code, w.Body)
	}
	d.app.Wait() // the first reply to the click goes out after the ack
}

func (d *slackDriver) ClickPrivate(t *testing.T, from, owner bot.User, b bottest.SeenButton) {
	t.Helper()
	respURL, _ := d.responseURL(from.ID.UserID)
	payload := slackfake.BlockActions(from.ID.UserID, d.fake.IMChannel(owner.ID.UserID), b.ActionID, b.Value, respURL)
	if w := serve(d.routes, slackfake.SignedInteraction(testSecret, payload, time.Now())); w.Code != http.StatusOK {
		t.Fatalf("click answered %d %q", w.Code, w.Body)
	}
	d.app.Wait()
}

func (d *slackDriver) Inbox(t *testing.T, u bot.User) []bottest.Seen {
	t.Helper()
	user := u.ID.UserID
	im := d.fake.IMChannel(user)
	d.mu.Lock()
	acks := append([]seenAck(nil), d.acks...)
	owns := map[string]string{}
	for k, v := range d.respOwns {
		owns[k] = v
	}
	d.mu.Unlock()
	var out []bottest.Seen
	calls := d.fake.Calls()
	for i := 0; i <= len(calls); i++ {
		for _, a := range acks {
			if a.at == i && a.user == user && (a.seen.Text != "" || a.seen.Link != "") {
				out = append(out, a.seen)
			}
		}
		if i == len(calls) {
			break
		}
		c := calls[i]
		switch {
		case c.Error != "":
		case c.Method == "chat.postMessage" && im != "" && c.Channel == im,
			c.Method == "response_url" && owns[c.ResponseID] == user:
			out = append(out, seenOf(t, c.Text, c.Blocks))
		}
	}
	return out
}

func (d *slackDriver) Threads(t *testing.T) []bottest.Thread {
	t.Helper()
	var out []bottest.Thread
	for _, p := range d.fake.Messages(testChannel) {
		th := bottest.Thread{Ref: p.Channel + "/" + p.TS, Parent: seenOf(t, p.Text, p.Blocks)}
		for _, r := range d.fake.Thread(p.TS) {
			th.Replies = append(th.Replies, seenOf(t, r.Text, r.Blocks))
		}
		out = append(out, th)
	}
	return out
}

// seenOf reads a message as a user sees it: every text in its blocks, the
// link button's URL and the other buttons.
func seenOf(t *testing.T, fallback string, blocks json.RawMessage) bottest.Seen {
	t.Helper()
	type text struct {
		Text string `json:"text"`
	}
	var bs []struct {
		Type     string            `json:"type"`
		Text     *text             `json:"text"`
		Fields   []text            `json:"fields"`
		Elements []json.RawMessage `json:"elements"`
	}
	if len(blocks) > 0 {
		if err := json.Unmarshal(blocks, &bs); err != nil {
			t.Fatalf("blocks %s: %v", blocks, err)
		}
	}
	// The fallback text is what notifications show; the other platforms'
	// drivers count the summary as seen too.
	var (
		seen  bottest.Seen
		parts = []string{fallback}
	)
	for _, b := range bs {
		if b.Text != nil {
			parts = append(parts, b.Text.Text)
		}
		for _, f := range b.Fields {
			parts = append(parts, f.Text)
		}
		for _, raw := range b.Elements {
			switch b.Type {
			case "context":
				var el text
				_ = json.Unmarshal(raw, &el)
				parts = append(parts, el.Text)
			case "actions":
				var el struct {
					ActionID string `json:"action_id"`
					Value    string `json:"value"`
					URL      string `json:"url"`
					Text     text   `json:"text"`
				}
				_ = json.Unmarshal(raw, &el)
				if el.URL != "" {
					seen.Link = el.URL
					parts = append(parts, el.Text.Text)
				} else {
					seen.Buttons = append(seen.Buttons, bottest.SeenButton{ActionID: el.ActionID, Value: el.Value, Label: el.Text.Text})
				}
			}
		}
	}
	seen.Text = unescape(strings.Join(parts, "\n"))
	return seen
}
