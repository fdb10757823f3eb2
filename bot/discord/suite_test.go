package discord

import (
	"strings"
	"sync"
	"testing"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/bottest"
	"github.com/resetbot/resetbot/bot/discord/discordfake"
)

// discordDriver runs the cross-platform scenarios through Discord's wire
// format: signed interactions into App's endpoint, the Messenger talking
// to discordfake, and what users saw read back from the fake.
type discordDriver struct {
	r    *rig
	mu   sync.Mutex
	last discordfake.Interaction
}

var _ bottest.Driver = (*discordDriver)(nil)

func (d *discordDriver) Platform() string { return Platform }
func (d *discordDriver) Identity() bot.IdentityRule {
	return bot.IdentityRule{By: bot.IdentityByChatID}
}

// User is the Discord user of an account: a snowflake derived from the
// name, which the rig stores as the account's Discord id attribute.
func (d *discordDriver) User(account string) bot.User {
	return bot.User{ID: identity(snowflakeOf(account)), Name: account}
}

func (d *discordDriver) Start(t *testing.T, env bottest.Env) {
	d.r = newRig(t)
	env.Bot.AddPlatform(Platform, d.r.ms)
	d.r.serve(t, env.Bot, env.Once)
	t.Cleanup(func() {
		if pub := d.r.fake.Public(); len(pub) > 0 {
			t.Errorf("interaction answers others could read: %+v", pub)
		}
		for _, c := range d.r.fake.Calls() {
			if c.Status >= 400 {
				t.Errorf("Discord refused %s: %s", c, c.Body)
			}
		}
	})
}

// Command sends /reset <sub> as Discord would: "" is the password
// subcommand, and the user option comes from the mention.
func (d *discordDriver) Command(t *testing.T, from bot.User, text string, mentions ...bot.User) bottest.Seen {
	sub := SubPassword
	if w := strings.Fields(text); len(w) > 0 {
		sub = w[0]
	}
	var target *discordfake.User
	if len(mentions) > 0 {
		target = &discordfake.User{ID: mentions[0].ID.UserID, Username: mentions[0].Name}
	}
	var strs map[string]string
	if sub == SubRevoke || sub == SubVerify {
		// The words after the mention are the passkey or reason option.
		var rest []string
		for _, w := range strings.Fields(text)[1:] {
			if len(mentions) == 0 || w != bot.Mention(mentions[0].ID) {
				rest = append(rest, w)
			}
		}
		opt := OptionPasskey
		if sub == SubVerify {
			opt = OptionReason
		}
		if len(rest) > 0 || sub == SubRevoke {
			strs = map[string]string{opt: strings.Join(rest, " ")}
		}
	}
	in := d.r.fake.CommandWith(testGuild, d.r.general, CommandName, sub, discordfake.User{ID: from.ID.UserID, Username: from.Name}, target, strs)
	d.mu.Lock()
	d.last = in
	d.mu.Unlock()
	return d.answer(t, in)
}

func (d *discordDriver) answer(t *testing.T, in discordfake.Interaction) bottest.Seen {
	t.Helper()
	resp := d.r.deliver(t, in)
	if resp.Status != 200 {
		t.Fatalf("interaction answered %d: %s", resp.Status, resp.Body)
	}
	if resp.Type == 4 && (resp.Message == nil || resp.Message.Flags&discordfake.Ephemeral == 0) {
		t.Fatalf("command answer is not ephemeral: %s", resp.Body)
	}
	return seen(t, resp.Message)
}

func (d *discordDriver) RedeliverLast(t *testing.T) bottest.Seen {
	d.mu.Lock()
	in := d.last
	d.mu.Unlock()
	return d.answer(t, in)
}

// Click presses a button of a helpdesk parent message.
func (d *discordDriver) Click(t *testing.T, from bot.User, th bottest.Thread, b bottest.SeenButton) {
	ref, err := parseThreadRef(th.Ref)
	if err != nil {
		t.Fatal(err)
	}
	var parent *discordfake.Message
	for _, m := range d.r.fake.ChannelMessages(ref.channel) {
		if m.ID == ref.message {
			parent = &m
		}
	}
	if parent == nil {
		t.Fatalf("no message %s", th.Ref)
	}
	id, err := encodeCustomID(b.ActionID, b.Value)
	if err != nil {
		t.Fatal(err)
	}
	resp := d.r.deliver(t, d.r.fake.Button(testGuild, *parent, id, discordfake.User{ID: from.ID.UserID, Username: from.Name}))
	if resp.Status != 200 || resp.Type != 6 {
		t.Fatalf("click answered %d type %d: %s", resp.Status, resp.Type, resp.Body)
	}
}

// ClickPrivate presses a button of a direct message (no guild: Discord
// sends DM interactions with a user, not a member).
func (d *discordDriver) ClickPrivate(t *testing.T, from, owner bot.User, b bottest.SeenButton) {
	d.r.app.Wait()
	id, err := encodeCustomID(b.ActionID, b.Value)
	if err != nil {
		t.Fatal(err)
	}
	var msg *discordfake.Message
	for _, m := range d.r.fake.Private(owner.ID.UserID) {
		for _, c := range m.Buttons() {
			if c.CustomID == id {
				msg = &m
			}
		}
	}
	if msg == nil {
		t.Fatalf("no private message of %s has button %s", owner.ID, id)
	}
	resp := d.r.deliver(t, d.r.fake.Button("", *msg, id, discordfake.User{ID: from.ID.UserID, Username: from.Name}))
	if resp.Status != 200 {
		t.Fatalf("click answered %d type %d: %s", resp.Status, resp.Type, resp.Body)
	}
	d.r.app.Wait()
}

func (d *discordDriver) Inbox(t *testing.T, u bot.User) []bottest.Seen {
	d.r.app.Wait()
	var out []bottest.Seen
	for _, m := range d.r.fake.Private(u.ID.UserID) {
		out = append(out, seen(t, &m))
	}
	return out
}

func (d *discordDriver) Threads(t *testing.T) []bottest.Thread {
	d.r.app.Wait()
	var out []bottest.Thread
	for _, p := range d.r.fake.ChannelMessages(d.r.helpdesk) {
		ref := threadRef{channel: d.r.helpdesk, message: p.ID}
		th := bottest.Thread{Parent: seen(t, &p)}
		if id, _, ok := d.r.fake.Thread(p.ID); ok {
			ref.thread = id
			for _, m := range d.r.fake.ChannelMessages(id) {
				th.Replies = append(th.Replies, seen(t, &m))
			}
		}
		th.Ref = ref.String()
		out = append(out, th)
	}
	return out
}

func TestScenarios(t *testing.T) {
	bottest.Run(t, func(t *testing.T) bottest.Driver { return &discordDriver{} })
}
