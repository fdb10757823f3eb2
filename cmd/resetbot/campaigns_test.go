package main

import (
	"bytes"
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
	"github.com/resetbot/resetbot/credentials"
	"github.com/resetbot/resetbot/credentials/rediscreds"
	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/ldap"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/flows/redisstore"
	"github.com/resetbot/resetbot/internal/testenv"
)

// TestCampaignOnRealDirectories runs an enrollment campaign against the
// nested group staff on real slapd and real Samba AD, with real Redis, the
// real credential store and the fake Slack API enforcing app-wide limits
// on conversations.open and chat.postMessage. Of staff, jdoe has a
// passkey, alice is privileged (tier0-admins through infra-team), spare3
// break-glass and bob disabled, so spare1 and spare2 are the ones asked:
// each messaged once though two replicas tick at once, with no 429; a
// second run inside remind_every_days messages nobody; after spare1
// enrolls and the 7 days pass, only spare2 is asked again; jdoe never.
// The report shows the progress.
func TestCampaignOnRealDirectories(t *testing.T) {
	cases := []struct {
		name string
		cfg  ldap.Config
	}{
		{"slapd", ldap.Config{
			Flavour: ldap.OpenLDAP, URLs: []string{testenv.RequireEnv(t, "RESETBOT_TEST_SLAPD_LDAPS_URL")}, CAFile: testenv.RequireEnv(t, "RESETBOT_TEST_SLAPD_CA"),
			BindDN: "cn=resetbot,ou=Services,dc=example,dc=test", BindPassword: "Svc-Passw0rd.1",
			UserBaseDN: "ou=People,dc=example,dc=test", GroupBaseDN: "ou=Groups,dc=example,dc=test",
			ChatIDAttrs: map[string]string{"slack": "employeeNumber"},
		}},
		{"samba", ldap.Config{
			Flavour: ldap.ActiveDirectory, URLs: []string{testenv.RequireEnv(t, "RESETBOT_TEST_SAMBA_URL")}, CAFile: testenv.RequireEnv(t, "RESETBOT_TEST_SAMBA_CA"),
			BindDN: "CN=resetbot,OU=Services,DC=example,DC=test", BindPassword: "Svc-Passw0rd.1",
			UserBaseDN: "OU=People,DC=example,DC=test", GroupBaseDN: "OU=Groups,DC=example,DC=test",
			ChatIDAttrs: map[string]string{"slack": "employeeNumber"},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			base := tc.cfg.GroupBaseDN
			cn := "cn"
			if tc.cfg.Flavour == ldap.ActiveDirectory {
				cn = "CN"
			}
			dir, err := ldap.New(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { dir.Close() })
			rdb := redis.NewClient(&redis.Options{Addr: testenv.RequireEnv(t, "RESETBOT_TEST_REDIS_ADDR")})
			t.Cleanup(func() { rdb.Close() })
			prefix := fmt.Sprintf("camp%d", time.Now().UnixNano())
			store := redisstore.New(rdb, redisstore.Options{Prefix: prefix})
			creds, err := rediscreds.New(rdb, rediscreds.Options{Prefix: prefix, Key: bytes.Repeat([]byte{6}, 32)})
			if err != nil {
				t.Fatal(err)
			}
			addPasskey := func(name string) {
				t.Helper()
				u, err := dir.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: name})
				if err != nil {
					t.Fatal(err)
				}
				pk := credentials.Passkey{Name: "phone"}
				pk.Credential.ID = []byte(name)
				if err := creds.AddPasskey(ctx, u.ID, pk); err != nil {
					t.Fatal(err)
				}
			}
			addPasskey("jdoe")

			const limit = 150 * time.Millisecond
			fake := slackfake.New("xoxb-test")
			t.Cleanup(fake.Close)
			fake.AddChannel("C0HELPDESK")
			fake.LimitMethod("conversations.open", limit)
			fake.LimitMethod("chat.postMessage", limit)

			var mu sync.Mutex
			now := time.Now()
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			engine := flows.NewEngine(store, dir, flows.Config{Policy: flows.Policy{
				PrivilegedGroups: []string{cn + "=tier0-admins," + base}, BreakGlass: []string{"spare3"},
			}})
			campaign := bot.Campaign{Name: "passkeys", Group: cn + "=staff," + base, RemindEvery: 7 * 24 * time.Hour, Pace: 2 * limit}
			replica := func() (*bot.Bot, *bot.CampaignJob) {
				core, err := bot.New(bot.Config{PublicBaseURL: "https://reset.example.test",
					Identity:  map[string]bot.IdentityRule{"slack": {By: bot.IdentityByChatID}},
					Campaigns: []bot.Campaign{campaign}},
					bot.Deps{Engine: engine, Directory: dir, Store: store, Factors: factorsOf{creds}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: clock})
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
				job, err := core.CampaignJob(campaign, bot.CampaignSchedule{Every: 24 * time.Hour})
				if err != nil {
					t.Fatal(err)
				}
				return core, job
			}
			core1, job1 := replica()
			core2, job2 := replica()

			dms := func() map[string]int {
				got := map[string]int{}
				for _, id := range []string{"U0JDOE", "U0ALICE", "U0SPARE1", "U0SPARE2", "U0SPARE3", "U0BOB"} {
					got[id] = len(fake.DMs(id))
				}
				return got
			}
			want := func(step string, w map[string]int) {
				t.Helper()
				got := dms()
				for id, n := range got {
					if n != w[id] {
						t.Errorf("%s: %s has %d campaign messages, want %d (all: %v)", step, id, n, w[id], got)
					}
				}
				for _, c := range fake.Calls() {
					if c.Error == "ratelimited" {
						t.Errorf("%s: %s answered 429: the campaign outran Slack's limit", step, c.Method)
					}
				}
			}

			// Two replicas tick the same slot at once: one wins the lease.
			var wg sync.WaitGroup
			runs := make([]bot.CampaignRun, 2)
			ran := make([]bool, 2)
			for i, j := range []*bot.CampaignJob{job1, job2} {
				wg.Go(func() {
					r, ok, err := j.Tick(ctx)
					if err != nil {
						t.Error(err)
					}
					runs[i], ran[i] = r, ok
				})
			}
			wg.Wait()
			if ran[0] == ran[1] {
				t.Fatalf("ran = %v: exactly one replica must win the slot", ran)
			}
			// The later runs are the winner's: the pacing between runs is
			// per process (slots on different replicas are hours apart).
			r, winner := runs[0], core1
			if ran[1] {
				r, winner = runs[1], core2
			}
			if r.Members != 6 || r.Enrolled != 1 || r.Skipped != 3 || r.Targeted != 2 || r.Messaged != 2 || r.Failed != 0 || r.NoChatIdentity != 0 {
				t.Errorf("first run = %+v, want 6 members, 1 enrolled, 3 skipped, 2 targeted and messaged", r)
			}
			want("first run", map[string]int{"U0SPARE1": 1, "U0SPARE2": 1})
			if msg := fake.DMs("U0SPARE1"); len(msg) == 1 && !strings.Contains(msg[0].Text+string(msg[0].Blocks), "/reset enroll") {
				t.Errorf("the message does not say how to enroll: %s %s", msg[0].Text, msg[0].Blocks)
			}

			// The same day again, by either replica: nobody.
			for _, c := range []*bot.Bot{core1, core2} {
				r, err := c.RunCampaign(ctx, campaign, clock())
				if err != nil {
					t.Fatal(err)
				}
				if r.Messaged != 0 || r.NotYet != 2 {
					t.Errorf("second run = %+v, want nobody messaged, 2 not yet", r)
				}
			}
			want("second run", map[string]int{"U0SPARE1": 1, "U0SPARE2": 1})

			// spare1 enrolls; 8 days later only spare2 is asked again.
			addPasskey("spare1")
			mu.Lock()
			now = now.Add(8 * 24 * time.Hour)
			mu.Unlock()
			r, err = winner.RunCampaign(ctx, campaign, clock())
			if err != nil {
				t.Fatal(err)
			}
			if r.Messaged != 1 || r.Enrolled != 2 {
				t.Errorf("third run = %+v, want 1 messaged, 2 enrolled", r)
			}
			want("third run", map[string]int{"U0SPARE1": 1, "U0SPARE2": 2})

			f, err := core2.Figures(ctx, 1, nil)
			if err != nil {
				t.Fatal(err)
			}
			if want := []bot.CampaignProgress{{Name: "passkeys", Targeted: 2, Messaged: 2, EnrolledSince: 1}}; len(f.Campaigns) != 1 || f.Campaigns[0] != want[0] {
				t.Errorf("progress = %+v, want %+v", f.Campaigns, want)
			}
		})
	}
}
