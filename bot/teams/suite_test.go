package teams_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/bottest"
	"github.com/resetbot/resetbot/bot/teams"
	"github.com/resetbot/resetbot/bot/teams/teamsfake"
	"github.com/resetbot/resetbot/flows"
)

// The bot registration every test plays.
const (
	testAppID    = "6f0c2b7e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"
	testSecret   = "test-client-secret"
	testTenant   = "11111111-2222-4333-8444-555555555555"
	testHelpdesk = "19:helpdesk0123@thread.tacv2"
)

// aadOf derives a stable Entra object id from an example account name.
func aadOf(account string) string {
	h := sha256.Sum256([]byte("example-tenant/" + account))
	x := hex.EncodeToString(h[:16])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

// member is the Teams user of an example account.
func member(account string) teamsfake.Member {
	return teamsfake.Member{
		ID:                "29:1" + aadOf(account)[:13],
		AADObjectID:       aadOf(account),
		Name:              account,
		Email:             account + "@example.test",
		UserPrincipalName: account + "@example.test",
	}
}

// testConfig is the Config for a fake.
func testConfig(fake *teamsfake.Server) teams.Config {
	return teams.Config{
		AppID: testAppID, AppPassword: testSecret, TenantID: testTenant,
		HelpdeskChannelID: testHelpdesk, HelpdeskServiceURL: fake.ServiceURL("amer"),
		OpenIDMetadataURL: fake.MetadataURL(), TokenURL: fake.TokenURL(),
	}
}

func newFake(t *testing.T) *teamsfake.Server {
	return teamsfake.New(t, teamsfake.Options{AppID: testAppID, AppPassword: testSecret, TenantID: testTenant, HelpdeskChannelID: testHelpdesk})
}

// teamsDriver runs the cross-platform scenarios through the Teams wire
// format: signed activities into the App's handler, everything the bot
// says read back from the fake connector.
type teamsDriver struct {
	fake *teamsfake.Server
	url  string

	mu    sync.Mutex
	known map[string]teamsfake.Member // aad object id -> member
	last  teamsfake.Activity
}

func newTeamsDriver(t *testing.T) bottest.Driver {
	return &teamsDriver{fake: newFake(t), known: map[string]teamsfake.Member{}}
}

func (d *teamsDriver) Platform() string           { return teams.Platform }
func (d *teamsDriver) Identity() bot.IdentityRule { return bot.IdentityRule{By: bot.IdentityByChatID} }

// User registers the account's Teams user with the fake tenant (every
// employee exists in Entra, whether or not the directory knows them).
func (d *teamsDriver) User(account string) bot.User {
	m := member(account)
	d.mu.Lock()
	if _, ok := d.known[m.AADObjectID]; !ok {
		d.known[m.AADObjectID] = m
		d.fake.AddUser(m)
	}
	d.mu.Unlock()
	return bot.User{ID: flows.ChatIdentity{Platform: teams.Platform, UserID: m.AADObjectID}, Name: m.Name}
}

func (d *teamsDriver) member(t *testing.T, aad string) teamsfake.Member {
	t.Helper()
	d.mu.Lock()
	defer d.mu.Unlock()
	m, ok := d.known[aad]
	if !ok {
		t.Fatalf("no Teams user %s", aad)
	}
	return m
}

func (d *teamsDriver) Start(t *testing.T, env bottest.Env) {
	app, err := teams.New(testConfig(d.fake), env.Bot, env.Once, teams.WithHTTPClient(d.fake.Client()), teams.WithPace(0))
	if err != nil {
		t.Fatal(err)
	}
	env.Bot.AddPlatform(teams.Platform, app.Messenger())
	srv := httptest.NewServer(app.Routes())
	t.Cleanup(func() { srv.Close(); app.Close() })
	d.url = srv.URL + teams.PathMessages
}

// post delivers a signed activity and returns the response body.
func (d *teamsDriver) post(t *testing.T, a teamsfake.Activity) []byte {
	t.Helper()
	req, err := d.fake.NewRequest(d.url, a)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("activity %s answered %d: %s", a.Type, resp.StatusCode, body)
	}
	return body
}

// Command types the command in the personal chat. An empty command is
// "reset": Teams has no command name to stand alone.
func (d *teamsDriver) Command(t *testing.T, from bot.User, text string, _ ...bot.User) bottest.Seen {
	var entities []teamsfake.Entity
	text = bot.ReplaceMentions(text, func(id flows.ChatIdentity) string {
		at, e := teamsfake.Mention(d.member(t, id.UserID))
		entities = append(entities, e)
		return at
	})
	if strings.TrimSpace(text) == "" {
		text = "reset"
	}
	a := d.fake.Message(d.member(t, from.ID.UserID), text, entities...)
	d.mu.Lock()
	d.last = a
	d.mu.Unlock()
	return d.deliver(t, a)
}

// deliver posts a message and returns the reply to it in the chat.
func (d *teamsDriver) deliver(t *testing.T, a teamsfake.Activity) bottest.Seen {
	before := len(d.repliesTo(a))
	d.post(t, a)
	replies := d.repliesTo(a)
	if len(replies) == before {
		return bottest.Seen{}
	}
	return seenOf(t, replies[len(replies)-1])
}

func (d *teamsDriver) repliesTo(a teamsfake.Activity) []teamsfake.Activity {
	var out []teamsfake.Activity
	for _, x := range d.fake.Conversation(a.Conversation.ID) {
		if x.ReplyToID == a.ID {
			out = append(out, x)
		}
	}
	return out
}

func (d *teamsDriver) RedeliverLast(t *testing.T) bottest.Seen {
	d.mu.Lock()
	a := d.last
	d.mu.Unlock()
	return d.deliver(t, a)
}

func (d *teamsDriver) Click(t *testing.T, from bot.User, th bottest.Thread, b bottest.SeenButton) {
	var thread *teamsfake.Thread
	for _, x := range d.fake.Threads() {
		if x.Conversation == th.Ref {
			thread = &x
		}
	}
	if thread == nil {
		t.Fatalf("no thread %s", th.Ref)
	}
	a := d.fake.Invoke(d.member(t, from.ID.UserID), *thread, teamsfake.Action{
		Type: "Action.Execute", Verb: b.ActionID, Data: map[string]any{"action_id": b.ActionID, "value": b.Value},
	})
	var resp struct {
		StatusCode int    `json:"statusCode"`
		Type       string `json:"type"`
	}
	if err := json.Unmarshal(d.post(t, a), &resp); err != nil || resp.StatusCode != 200 {
		t.Fatalf("invoke response %+v, %v", resp, err)
	}
}

func (d *teamsDriver) ClickPrivate(t *testing.T, from, owner bot.User, b bottest.SeenButton) {
	var card *teamsfake.Activity
	for _, a := range d.fake.Conversation(d.fake.PersonalConversation(owner.ID.UserID)) {
		if !d.fake.FromBot(a) {
			continue
		}
		for _, x := range seenOf(t, a).Buttons {
			if x.ActionID == b.ActionID && x.Value == b.Value {
				card = &a
			}
		}
	}
	if card == nil {
		t.Fatalf("no card in %s's personal chat has the button %+v", owner.ID, b)
	}
	a := d.fake.InvokePersonal(d.member(t, from.ID.UserID), *card, teamsfake.Action{
		Type: "Action.Execute", Verb: b.ActionID, Data: map[string]any{"action_id": b.ActionID, "value": b.Value},
	})
	var resp struct {
		StatusCode int `json:"statusCode"`
	}
	if err := json.Unmarshal(d.post(t, a), &resp); err != nil || resp.StatusCode != 200 {
		t.Fatalf("invoke response %+v, %v", resp, err)
	}
}

func (d *teamsDriver) Inbox(t *testing.T, u bot.User) []bottest.Seen {
	var out []bottest.Seen
	for _, a := range d.fake.Conversation(d.fake.PersonalConversation(u.ID.UserID)) {
		if d.fake.FromBot(a) {
			out = append(out, seenOf(t, a))
		}
	}
	return out
}

func (d *teamsDriver) Threads(t *testing.T) []bottest.Thread {
	var out []bottest.Thread
	for _, th := range d.fake.Threads() {
		x := bottest.Thread{Ref: th.Conversation, Parent: seenOf(t, th.Parent)}
		for _, r := range th.Replies {
			x.Replies = append(x.Replies, seenOf(t, r))
		}
		out = append(out, x)
	}
	return out
}

// visible is card markdown as Teams shows it: no emphasis markers, no
// escapes, mentions as their names.
var visible = strings.NewReplacer("**", "", "<at>", "", "</at>", "",
	`\\`, `\`, `\*`, `*`, `\_`, `_`, `\[`, `[`, `\]`, `]`, `\(`, `(`, `\)`, `)`,
	"\\`", "`", `\~`, `~`, `\#`, `#`, `\<`, `<`, `\>`, `>`, `\|`, `|`)

// seenOf reduces a posted activity to what the user sees on its card.
func seenOf(t *testing.T, a teamsfake.Activity) bottest.Seen {
	t.Helper()
	c, err := a.Card()
	if err != nil {
		t.Fatalf("activity %s: %v", a.ID, err)
	}
	// The summary is the notification and chat-list preview.
	var parts []string
	if a.Summary != "" {
		parts = append(parts, a.Summary)
	}
	for _, e := range c.Body {
		if e.Text != "" {
			parts = append(parts, visible.Replace(e.Text))
		}
		for _, f := range e.Facts {
			parts = append(parts, visible.Replace(f.Title)+": "+visible.Replace(f.Value))
		}
	}
	s := bottest.Seen{Text: strings.Join(parts, "\n")}
	for _, act := range c.Actions {
		switch act.Type {
		case "Action.OpenUrl":
			s.Link = act.URL
		case "Action.Execute":
			s.Buttons = append(s.Buttons, bottest.SeenButton{
				ActionID: fmt.Sprint(act.Data["action_id"]), Value: fmt.Sprint(act.Data["value"]), Label: act.Title,
			})
		}
	}
	return s
}

func TestScenarios(t *testing.T) {
	bottest.Run(t, newTeamsDriver)
}
