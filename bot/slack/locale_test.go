package slack

import (
	"strings"
	"testing"
	"time"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/bottest"
	"github.com/resetbot/resetbot/bot/slack/slackfake"
)

// localeRig is the real core behind Slack's wire format, with the
// example company's members known to the fake workspace with a locale.
func localeRig(t *testing.T) (*bottest.Rig, *slackDriver) {
	t.Helper()
	d := &slackDriver{}
	rig := bottest.NewRig(t, bottest.Options{
		Identity: map[string]bot.IdentityRule{Platform: d.Identity()},
		ChatIDs:  func(account string) (string, string) { return Platform, d.User(account).ID.UserID },
	})
	d.Start(t, bottest.Env{Bot: rig.Bot, Once: bot.NewOnce(rig.Store)})
	return rig, d
}

// member adds account to the fake workspace with a Slack locale.
func (d *slackDriver) member(account, locale, tz string) bot.User {
	u := d.User(account)
	d.fake.AddUser(slackfake.User{ID: u.ID.UserID, Name: account, Locale: locale, TZ: tz})
	return u
}

// ackOf delivers a slash command and returns the raw body of Slack's
// immediate answer and the response URL's id.
func (d *slackDriver) ackOf(t *testing.T, u bot.User, text string) (string, string) {
	t.Helper()
	respURL, respID := d.responseURL(u.ID.UserID)
	w := serve(d.routes, slackfake.SignedCommand(testSecret, slackfake.CommandForm(u.ID.UserID, text, respURL), time.Now()))
	if w.Code != 200 {
		t.Fatalf("slash command answered %d %q", w.Code, w.Body)
	}
	return w.Body.String(), respID
}

// responses are the texts posted to one response URL, in order.
func responses(t *testing.T, fake *slackfake.Server, respID string) []string {
	t.Helper()
	var out []string
	for _, c := range fake.Calls() {
		if c.Method == "response_url" && c.ResponseID == respID && c.Error == "" {
			out = append(out, seenOf(t, c.Text, c.Blocks).Text)
		}
	}
	return out
}

// localeLookups counts users.info calls for user.
func localeLookups(fake *slackfake.Server, user string) int {
	n := 0
	for _, c := range fake.Calls() {
		if c.Method == "users.info" && c.User == user {
			n++
		}
	}
	return n
}

// countContaining counts the texts that contain want.
func countContaining(texts []string, want string) int {
	n := 0
	for _, s := range texts {
		if strings.Contains(s, want) {
			n++
		}
	}
	return n
}

const (
	workingDE = "Alles klar: Ich bereite einen Link zum Zurücksetzen"
	workingEN = "Got it: I'm preparing a password reset link"
)

// TestSlackGermanMemberFirstReply: Slack's slash command does not say the
// member's language, so the first answer to a German member used to be
// the configured English. Now the ack is empty (no users.info inside
// Slack's 3 seconds) and the one working message goes through the
// response URL in German once users.info answered; every later answer,
// the ack included, is German from the remembered locale, without asking
// Slack again.
func TestSlackGermanMemberFirstReply(t *testing.T) {
	rig, d := localeRig(t)
	de := d.member("spare1", "de-DE", "Europe/Berlin")

	ack, first := d.ackOf(t, de, "")
	if ack != "" {
		t.Fatalf("the ack to a member not met yet = %q, want an empty 200", ack)
	}
	rig.Settle(t)
	got := responses(t, d.fake, first)
	if len(got) != 1 || countContaining(got, workingDE) != 1 {
		t.Fatalf("response URL got %q, want exactly one German working message", got)
	}
	dms := d.Inbox(t, de)
	if len(dms) < 2 || !strings.Contains(dms[len(dms)-1].Text, "Passwort zurücksetzen") {
		t.Fatalf("the link message is not German: %+v", dms)
	}

	ack, later := d.ackOf(t, de, "status")
	if !strings.Contains(ack, "Ich prüfe, was du eingerichtet hast") {
		t.Fatalf("the ack to a member met before = %q, want German", ack)
	}
	rig.Settle(t)
	if got := responses(t, d.fake, later); len(got) == 0 || countContaining(got, "Checking") != 0 {
		t.Errorf("later answers %q, want German only", got)
	}
	if n := localeLookups(d.fake, de.ID.UserID); n != 1 {
		t.Errorf("%d users.info calls for the member, want 1 (remembered after the first)", n)
	}
	for _, m := range d.Inbox(t, de) {
		if strings.Contains(m.Text, workingEN) || strings.Contains(m.Text, "Reset your password") {
			t.Errorf("the German member saw English: %q", m.Text)
		}
	}
}

// TestSlackEnglishMemberUnchanged: an English member reads exactly the
// English words, first through the response URL, then in the ack.
func TestSlackEnglishMemberUnchanged(t *testing.T) {
	rig, d := localeRig(t)
	en := d.member("spare1", "en-US", "America/New_York")
	ack, first := d.ackOf(t, en, "")
	rig.Settle(t)
	if got := responses(t, d.fake, first); ack != "" || len(got) != 1 || countContaining(got, workingEN) != 1 {
		t.Fatalf("ack %q, response URL %q: want an empty ack and one English working message", ack, got)
	}
	if ack, _ := d.ackOf(t, en, "help"); !strings.Contains(ack, "reset") || strings.Contains(ack, "zurücksetzen") {
		t.Errorf("the ack to an English member met before = %q", ack)
	}
	rig.Settle(t)
}

// TestSlackLocaleLookupFails: users.info failing costs only the language:
// one working message in the configured language, never a second one, and
// the next command asks again (a failure is not remembered).
func TestSlackLocaleLookupFails(t *testing.T) {
	rig, d := localeRig(t)
	de := d.member("spare1", "de-DE", "Europe/Berlin")
	d.fake.FailNext("users.info", 5, 0)

	ack, first := d.ackOf(t, de, "")
	rig.Settle(t)
	got := responses(t, d.fake, first)
	if ack != "" || len(got) != 1 || countContaining(got, workingEN) != 1 {
		t.Fatalf("ack %q, response URL %q: want an empty ack and exactly one working message in the configured language", ack, got)
	}
	links := 0
	for _, m := range d.Inbox(t, de) {
		if m.Link != "" {
			links++
		}
	}
	if links != 1 {
		t.Errorf("%d links, want 1", links)
	}
	before := localeLookups(d.fake, de.ID.UserID)
	if before == 0 {
		t.Fatal("users.info was never asked")
	}
	if ack, _ := d.ackOf(t, de, "status"); ack != "" {
		t.Errorf("after a failed lookup the ack = %q, want an empty 200 (ask again)", ack)
	}
	rig.Settle(t)
	if localeLookups(d.fake, de.ID.UserID) <= before {
		t.Error("a failed lookup was remembered: users.info not asked again")
	}
}

// TestSlackGermanMemberClick: a click is the first contact (a German
// member, no helpdesk powers, presses Approve): the refusal is German.
func TestSlackGermanMemberClick(t *testing.T) {
	rig, d := localeRig(t)
	d.Command(t, d.User("alice"), "")
	rig.Settle(t)
	link := ""
	for _, m := range d.Inbox(t, d.User("alice")) {
		if m.Link != "" {
			link = strings.TrimPrefix(m.Link, bottest.BaseURL+"/r/")
		}
	}
	rig.Verify(t, link)
	rig.Settle(t)
	var th bottest.Thread
	for _, x := range d.Threads(t) {
		if len(x.Parent.Buttons) == 2 {
			th = x
		}
	}
	if th.Ref == "" {
		t.Fatal("no thread with Approve and Deny")
	}
	de := d.member("spare2", "de-DE", "Europe/Berlin")
	d.Click(t, de, th, th.Parent.Buttons[0])
	rig.Settle(t)
	inbox := d.Inbox(t, de)
	if len(inbox) != 1 || !strings.Contains(inbox[0].Text, "Nur Helpdesk-Mitglieder") {
		t.Fatalf("the German outsider saw %+v, want one German refusal", inbox)
	}
}

// TestSlackLocaleRefusalRemembered: a refusal no retry fixes (users.info
// answers user_not_found; an app without users:read gets missing_scope
// for everyone) is remembered like an answer: the next command is acked at
// once in the configured language, and users.info is not asked again.
func TestSlackLocaleRefusalRemembered(t *testing.T) {
	t.Run("user_not_found", func(t *testing.T) {
		rig, d := localeRig(t)
		refusalRemembered(t, rig, d, d.User("spare1")) // a member the fake's users.info does not know
	})
	t.Run("missing_scope", func(t *testing.T) {
		rig, d := localeRig(t)
		u := d.member("spare1", "de-DE", "Europe/Berlin")
		d.fake.WithoutScope("users.info", "users:read")
		refusalRemembered(t, rig, d, u)
	})
}

// refusalRemembered is TestSlackLocaleRefusalRemembered for one refusal.
func refusalRemembered(t *testing.T, rig *bottest.Rig, d *slackDriver, u bot.User) {
	t.Helper()
	ack, first := d.ackOf(t, u, "")
	rig.Settle(t)
	if got := responses(t, d.fake, first); ack != "" || len(got) != 1 || countContaining(got, workingEN) != 1 {
		t.Fatalf("ack %q, response URL %q: want an empty ack and one working message in the configured language", ack, got)
	}
	if ack, _ := d.ackOf(t, u, "status"); !strings.Contains(ack, "Checking what you have set up") {
		t.Errorf("after a permanent refusal the ack = %q, want the configured language at once", ack)
	}
	rig.Settle(t)
	if n := localeLookups(d.fake, u.ID.UserID); n != 1 {
		t.Errorf("%d users.info calls, want 1 (the refusal remembered)", n)
	}
}
