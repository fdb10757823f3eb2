package main

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/slack"
	"github.com/resetbot/resetbot/bot/slack/slackfake"
	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/ldap"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/flows/redisstore"
	"github.com/resetbot/resetbot/internal/testenv"
)

// TestExpiryRemindersOnRealDirectories runs the reminder job against real
// slapd and 389-ds (Slack mapped by the chat-id attribute) and real Samba
// AD (Slack mapped by email, found with users.lookupByEmail), with real Redis, the
// fake Slack API and an injected clock 77 days ahead: the account whose
// password was just set (90-day maximum) gets one DM at 13 days left,
// though two replicas run at once and run again; the next threshold sends
// again; disabled accounts, accounts under Samba's 10-day PSO (expired by
// then) and accounts Slack does not know get nothing, the last counted.
func TestExpiryRemindersOnRealDirectories(t *testing.T) {
	slapd := ldap.Config{
		Flavour: ldap.OpenLDAP, URLs: []string{testenv.RequireEnv(t, "RESETBOT_TEST_SLAPD_LDAPS_URL")}, CAFile: testenv.RequireEnv(t, "RESETBOT_TEST_SLAPD_CA"),
		BindDN: "cn=resetbot,ou=Services,dc=example,dc=test", BindPassword: "Svc-Passw0rd.1",
		UserBaseDN: "ou=People,dc=example,dc=test", GroupBaseDN: "ou=Groups,dc=example,dc=test",
		ChatIDAttrs: map[string]string{"slack": "employeeNumber"},
	}
	samba := ldap.Config{
		Flavour: ldap.ActiveDirectory, URLs: []string{testenv.RequireEnv(t, "RESETBOT_TEST_SAMBA_URL")}, CAFile: testenv.RequireEnv(t, "RESETBOT_TEST_SAMBA_CA"),
		BindDN: "CN=resetbot,OU=Services,DC=example,DC=test", BindPassword: "Svc-Passw0rd.1",
		UserBaseDN: "OU=People,DC=example,DC=test", GroupBaseDN: "OU=Groups,DC=example,DC=test",
		ChatIDAttrs: map[string]string{"slack": "employeeNumber"},
	}
	ds389 := ldap.Config{
		Flavour: ldap.DS389, URLs: []string{testenv.RequireEnv(t, "RESETBOT_TEST_389DS_LDAPS_URL")}, CAFile: testenv.RequireEnv(t, "RESETBOT_TEST_389DS_CA"),
		BindDN: "cn=resetbot,ou=Services,dc=example,dc=test", BindPassword: "Svc-Passw0rd.1",
		UserBaseDN: "ou=People,dc=example,dc=test", GroupBaseDN: "ou=Groups,dc=example,dc=test",
		ChatIDAttrs: map[string]string{"slack": "employeeNumber"},
	}
	cases := []struct {
		name     string
		cfg      ldap.Config
		identity bot.IdentityBy
		// slackUsers are the members the fake knows (by email for the
		// email mapping); nobody else can be reached that way.
		slackUsers []string
		nobody     bool // some expiring accounts have no chat identity
		// days is how the reminder says "13 days": in English when Slack
		// does not know the member's locale, in German for spare2 on
		// Samba, whose Slack profile says de-DE.
		days string
		// silent are members who must get no reminder: bob is disabled on
		// both; on Samba spare3's 10-day PSO has expired it. (On slapd
		// spare3 has no such policy, and other packages' tests running
		// at the same time may reset its password, so it is not named.)
		silent []string
	}{
		{"slapd by chat id attribute", slapd, bot.IdentityByChatID, nil, false, "13 days", []string{"U0BOB"}},
		{"samba by email", samba, bot.IdentityByEmail, []string{"spare2", "jdoe"}, true, "13 Tagen", []string{"U0BOB", "U0SPARE3"}},
		// 389-ds stamps passwordExpirationTime itself; bob is nsAccountLock.
		{"389ds by chat id attribute", ds389, bot.IdentityByChatID, nil, false, "13 days", []string{"U0BOB"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			dir, err := ldap.New(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { dir.Close() })
			rdb := redis.NewClient(&redis.Options{Addr: testenv.RequireEnv(t, "RESETBOT_TEST_REDIS_ADDR")})
			t.Cleanup(func() { rdb.Close() })
			store := redisstore.New(rdb, redisstore.Options{Prefix: fmt.Sprintf("rem%d", time.Now().UnixNano())})
			fake := slackfake.New("xoxb-test")
			t.Cleanup(fake.Close)
			fake.AddChannel("C0HELPDESK")
			for _, name := range tc.slackUsers {
				fake.AddUser(slackfake.User{ID: "U0" + strings.ToUpper(name), Name: name, Email: name + "@example.test", TZ: "Europe/Berlin", Locale: "de-DE"})
			}

			u, err := dir.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: "spare2"})
			if err != nil {
				t.Fatal(err)
			}
			if err := dir.SetPassword(ctx, u, fmt.Sprintf("Remind-Me.%d", time.Now().UnixNano())); err != nil {
				t.Fatal(err)
			}
			changed, err := dir.PasswordChangedAt(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			now := changed.Add(77 * 24 * time.Hour)
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }

			engine := flows.NewEngine(store, dir, flows.Config{})
			replica := func() *bot.Reminders {
				core, err := bot.New(bot.Config{PublicBaseURL: "https://reset.example.test", Identity: map[string]bot.IdentityRule{"slack": {By: tc.identity}}},
					bot.Deps{Engine: engine, Directory: dir, Store: store, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: clock})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(core.Close)
				m, err := slack.NewMessenger(slack.Config{Mode: slack.ModeHTTP, SigningSecret: "s", BotToken: "xoxb-test", APIURL: fake.APIURL(),
					HelpdeskChannel: "C0HELPDESK", TeamID: slackfake.TeamID}, slack.WithHTTPClient(fake.Client()))
				if err != nil {
					t.Fatal(err)
				}
				core.AddPlatform("slack", m)
				job, err := core.Reminders(bot.ReminderConfig{Days: []int{14, 7, 3, 1}})
				if err != nil {
					t.Fatal(err)
				}
				return job
			}
			jobs := []*bot.Reminders{replica(), replica()}

			// Both replicas tick at once, then both run the day again.
			runs := make([]bot.ReminderRun, 4)
			var wg sync.WaitGroup
			for i, j := range jobs {
				wg.Go(func() {
					r, _, err := j.Tick(ctx, 0)
					if err != nil {
						t.Error(err)
					}
					runs[i] = r
				})
			}
			wg.Wait()
			for i, j := range jobs {
				wg.Go(func() {
					r, err := j.Run(ctx, clock())
					if err != nil {
						t.Error(err)
					}
					runs[2+i] = r
				})
			}
			wg.Wait()
			var sent, nobody int
			for _, r := range runs {
				sent += r.Sent
				nobody += r.NoChatIdentity
				if r.Failed != 0 {
					t.Errorf("run %+v: failures", r)
				}
			}
			dms := fake.DMs("U0SPARE2")
			if len(dms) != 1 {
				t.Fatalf("spare2 got %d reminders from two replicas running twice, want 1", len(dms))
			}
			if !strings.Contains(dms[0].Text, tc.days) {
				t.Errorf("reminder %q does not say %q", dms[0].Text, tc.days)
			}
			if !strings.Contains(string(dms[0].Blocks), bot.ActionChangePassword) {
				t.Errorf("reminder has no change button: %s", dms[0].Blocks)
			}
			for _, other := range tc.silent {
				if n := len(fake.DMs(other)); n != 0 {
					t.Errorf("%s (disabled, or expired under the 10-day PSO) got %d reminders", other, n)
				}
			}
			// Every DM the fake holds was counted as sent exactly once.
			total := 0
			for _, c := range fake.Calls() {
				if c.Method == "chat.postMessage" && c.Error == "" && strings.HasPrefix(c.Channel, "D") {
					total++
				}
			}
			if total != sent {
				t.Errorf("%d DMs posted, %d counted as sent", total, sent)
			}
			if tc.nobody && nobody == 0 {
				t.Error("no expiring account counted as without a chat identity, though Slack knows only some by email")
			}
			if !tc.nobody && nobody != 0 {
				t.Errorf("%d accounts counted without a chat identity, though every account has a chat id", nobody)
			}
			// A DM goes by the member's id (chat.postMessage), or opened
			// by conversations.open where Slack wants it: neither for an
			// id nobody mapped.
			for _, c := range fake.Calls() {
				dm := c.Method == "conversations.open" || c.Method == "chat.postMessage" && c.User != ""
				if dm && c.Error == "" && !strings.HasPrefix(c.User, "U0") {
					t.Errorf("a DM (%s) for %q, an id nobody mapped", c.Method, c.User)
				}
			}

			// Six days left: the 7-day threshold, once more.
			mu.Lock()
			now = changed.Add(84 * 24 * time.Hour)
			mu.Unlock()
			for _, j := range jobs {
				if _, err := j.Run(ctx, clock()); err != nil {
					t.Fatal(err)
				}
			}
			if n := len(fake.DMs("U0SPARE2")); n != 2 {
				t.Errorf("after the 7-day threshold spare2 has %d reminders, want 2", n)
			}
		})
	}
}
