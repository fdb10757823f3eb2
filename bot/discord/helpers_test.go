package discord

import (
	"hash/fnv"
	"io"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/bottest"
	"github.com/resetbot/resetbot/bot/discord/discordfake"
)

// Test application: the fake accepts this token for this application, and
// signs with the signer whose public key the bot is configured with.
const (
	testToken = "test-bot-token"
	testAppID = "1100000000000000001"
	testGuild = "1100000000000000002"
)

// rig is the package under test wired to the fake.
type rig struct {
	fake     *discordfake.Server
	signer   *discordfake.Signer
	cfg      Config
	helpdesk string
	general  string
	app      *App
	srv      *httptest.Server
	ms       *Messenger
}

// newRig starts the fake and builds config for it; start the App with
// serve.
func newRig(t *testing.T) *rig {
	t.Helper()
	fake := discordfake.New(testToken, testAppID)
	t.Cleanup(fake.Close)
	signer := discordfake.NewSigner(t.Name())
	r := &rig{fake: fake, signer: signer, helpdesk: fake.AddTextChannel("it-helpdesk"), general: fake.AddTextChannel("general")}
	r.cfg = Config{
		ApplicationID:     testAppID,
		PublicKey:         signer.PublicKeyHex(),
		BotToken:          testToken,
		HelpdeskChannelID: r.helpdesk,
		APIURL:            fake.APIURL(),
	}
	ms, err := NewMessenger(r.cfg, WithHTTPClient(fake.Client()), quiet(), WithPace(0))
	if err != nil {
		t.Fatal(err)
	}
	r.ms = ms
	return r
}

func quiet() Option { return WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))) }

// serve builds the App over handler and serves its routes.
func (r *rig) serve(t *testing.T, handler bot.Handler, once bot.Once, opts ...Option) {
	t.Helper()
	app, err := New(r.cfg, handler, once, append([]Option{WithHTTPClient(r.fake.Client()), quiet()}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	r.app = app
	r.srv = httptest.NewServer(app.Routes())
	t.Cleanup(func() { r.srv.Close(); app.Wait() })
}

// deliver sends an interaction signed now.
func (r *rig) deliver(t *testing.T, in discordfake.Interaction) discordfake.Response {
	t.Helper()
	resp, err := r.fake.Deliver(r.srv.Client(), r.srv.URL+PathInteractions, r.signer, in, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// snowflakeOf derives a stable Discord user id from an account name.
func snowflakeOf(account string) string {
	h := fnv.New64a()
	h.Write([]byte(account))
	return strconv.FormatUint(1<<60|h.Sum64()>>4, 10)
}

// fakeUser is the Discord user of an account name.
func fakeUser(account string) discordfake.User {
	return discordfake.User{ID: snowflakeOf(account), Username: account}
}

// seen reduces a Discord message to what the suite checks.
func seen(t *testing.T, m *discordfake.Message) bottest.Seen {
	t.Helper()
	if m == nil {
		return bottest.Seen{}
	}
	s := bottest.Seen{Text: m.Text()}
	for _, b := range m.Buttons() {
		if b.Style == 5 {
			if s.Link == "" {
				s.Link = b.URL
			}
			continue
		}
		action, value, err := decodeCustomID(b.CustomID)
		if err != nil {
			t.Fatalf("button %q: %v", b.Label, err)
		}
		s.Buttons = append(s.Buttons, bottest.SeenButton{ActionID: action, Value: value, Label: b.Label})
	}
	return s
}
