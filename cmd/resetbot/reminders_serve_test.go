package main

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/slack/slackfake"
	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/ldap"
	"github.com/resetbot/resetbot/internal/testenv"
	"github.com/resetbot/resetbot/webauth/webauthtest"
)

// TestServeSendsOneReminder runs two `resetbot serve` processes on one
// Redis against the harness's second slapd, where spare1's own ppolicy
// expires passwords after 10 days (spare1, not the suite's spare3, whose
// password the conformance suite may reset meanwhile), with reminders due
// at 00:00 (so at start) and the fake Slack. spare1's password, set just
// before, expires within the 14-day threshold: exactly one reminder
// reaches spare1 though both replicas tick, exactly one replica logs a
// run, and the reminder's button, pressed by spare1 (with a passkey set up
// through Slack), starts
// a password change that Chromium completes: the new password binds, and
// the audit log has the flow requested and completed as kind change.
func TestServeSendsOneReminder(t *testing.T) {
	redisAddr := testenv.RequireEnv(t, "RESETBOT_TEST_REDIS_ADDR")
	slapdURL := testenv.RequireEnv(t, "RESETBOT_TEST_SLAPD_POLICIES_LDAPS_URL")
	ca := testenv.RequireEnv(t, "RESETBOT_TEST_SLAPD_POLICIES_CA")
	const (
		user     = "U0SPARE1"
		policyDN = "cn=default,ou=Policies,dc=example,dc=test"
	)
	bin := resetbotBinary(t)

	direct, err := ldap.New(ldap.Config{
		Flavour: ldap.OpenLDAP, URLs: []string{slapdURL}, CAFile: ca,
		BindDN: "cn=resetbot,ou=Services,dc=example,dc=test", BindPassword: "Svc-Passw0rd.1",
		UserBaseDN: "ou=People,dc=example,dc=test", GroupBaseDN: "ou=Groups,dc=example,dc=test",
		ChatIDAttrs: map[string]string{"slack": "employeeNumber"}, PasswordPolicyDN: policyDN,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { direct.Close() })
	ctx := context.Background()
	u, err := direct.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: "spare1"})
	if err != nil {
		t.Fatal(err)
	}
	password := webauthtest.RandomPassword()
	if err := direct.SetPassword(ctx, u, password); err != nil {
		t.Fatal(err)
	}

	fake := slackfake.New("xoxb-test")
	t.Cleanup(fake.Close)
	fake.AddChannel("C0HELPDESK")
	fake.AddUser(slackfake.User{ID: user, Name: "spare1"})

	dir := t.TempDir()
	prefix := fmt.Sprintf("remserve%d", time.Now().UnixNano())
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr})
	t.Cleanup(func() {
		iter := rdb.Scan(context.Background(), 0, prefix+"*", 1000).Iterator()
		for iter.Next(context.Background()) {
			rdb.Del(context.Background(), iter.Val())
		}
		rdb.Close()
	})
	audit := filepath.Join(dir, "audit.jsonl")
	port := freePort(t)
	public := fmt.Sprintf("http://localhost:%d", port)
	replica := func(n, port int) (base, logPath string) {
		base = fmt.Sprintf("http://localhost:%d", port)
		config := writeTestConfigAs(t, dir, fmt.Sprintf("config%d.yaml", n), testConfig{
			Listen: fmt.Sprintf("127.0.0.1:%d", port), ManagementListen: fmt.Sprintf("127.0.0.1:%d", freePort(t)),
			PublicBaseURL: public, RedisAddr: redisAddr, KeyPrefix: prefix,
			LDAP:     &testLDAP{URLs: []string{slapdURL}, CAFile: ca, PasswordPolicyDN: policyDN},
			AuditLog: audit, SlackAPI: fake.APIURL(),
			Sections: "reminders:\n  enabled: true\n  at: \"00:00\"\n  days: [14, 7, 3, 1]\n",
		})
		logPath = filepath.Join(dir, fmt.Sprintf("serve%d.log", n))
		startServe(t, bin, config, base, logPath)
		return base, logPath
	}
	base1, log1 := replica(1, port)
	_, log2 := replica(2, freePort(t))

	within := func(what string, d time.Duration, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(d)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within %s; serve logs:\n%s\n---\n%s", what, d, readFile(log1), readFile(log2))
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	ran := func(path string) bool { return strings.Contains(readFile(path), "expiry reminders run") }
	// Each replica ticks as it starts: the second has ticked once it
	// answers, and the first ran (or lost the lease) before that.
	within("a reminders run", 20*time.Second, func() bool { return ran(log1) || ran(log2) })
	within("spare1's reminder", 20*time.Second, func() bool { return len(fake.DMs(user)) > 0 })
	time.Sleep(2 * time.Second) // a second reminder, if any, would be out by now
	if ran(log1) == ran(log2) {
		t.Errorf("reminder runs: replica 1 %v, replica 2 %v; want exactly one\n%s\n---\n%s", ran(log1), ran(log2), readFile(log1), readFile(log2))
	}
	dms := fake.DMs(user)
	if len(dms) != 1 {
		t.Fatalf("spare1 got %d reminders from two replicas, want 1", len(dms))
	}
	if !strings.Contains(dms[0].Text, "days") {
		t.Errorf("reminder %q does not say how many days are left", dms[0].Text)
	}
	value := buttonValue(dms[0].Blocks, bot.ActionChangePassword)
	expires, err := strconv.ParseInt(value, 10, 64)
	if err != nil {
		t.Fatalf("reminder's change button value %q: %v (blocks %s)", value, err, dms[0].Blocks)
	}
	if left := time.Until(time.Unix(expires, 0)); left < 9*24*time.Hour || left > 10*24*time.Hour {
		t.Errorf("reminder names an expiry %s away, want spare1's 10 days", left)
	}

	// spare1 sets up a passkey (a change is verified like a reset), then
	// presses the reminder's button and changes the password with it.
	post := func(req *http.Request) {
		t.Helper()
		target, _ := req.URL.Parse(base1 + req.URL.Path)
		req.URL, req.Host = target, target.Host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", req.URL.Path, resp.StatusCode)
		}
	}
	link := func(n int) string {
		t.Helper()
		var found string
		within(fmt.Sprintf("link DM %d", n), 20*time.Second, func() bool {
			count := 0
			for _, m := range fake.DMs(user) {
				b := string(m.Blocks)
				if i := strings.Index(b, public+"/r/"); i >= 0 {
					if count++; count == n {
						found = b[i : i+strings.IndexByte(b[i:], '"')]
						return true
					}
				}
			}
			return false
		})
		return found
	}
	browser := webauthtest.NewBrowser(t, filepath.Join("testdata", "screenshots"), "reminder")
	browser.Authenticator(true)
	post(slackfake.SignedCommand(testSigningSecret, slackfake.CommandForm(user, "enroll", fake.ResponseURL("enroll")), time.Now()))
	browser.Enroll(link(1), password)
	post(slackfake.SignedInteraction(testSigningSecret, slackfake.BlockActions(user, fake.IMChannel(user), bot.ActionChangePassword, value, fake.ResponseURL("remind")), time.Now()))
	next := webauthtest.RandomPassword()
	browser.Reset(link(2), next)
	if err := direct.VerifyPassword(ctx, u, next); err != nil {
		t.Fatalf("the changed password does not work: %v", err)
	}
	var flowID string
	within("the change in the audit log", 20*time.Second, func() bool {
		for _, l := range strings.Split(readFile(audit), "\n") {
			if strings.Contains(l, `"flow.requested"`) && strings.Contains(l, `"kind":"change"`) {
				if i := strings.Index(l, `"flow_id":"`); i >= 0 {
					rest := l[i+len(`"flow_id":"`):]
					flowID = rest[:strings.IndexByte(rest, '"')]
					return true
				}
			}
		}
		return false
	})
	within("the change completed in the audit log", 20*time.Second, func() bool {
		for _, l := range strings.Split(readFile(audit), "\n") {
			if strings.Contains(l, `"flow.completed"`) && strings.Contains(l, `"flow_id":"`+flowID+`"`) && strings.Contains(l, `"kind":"change"`) {
				return true
			}
		}
		return false
	})
}
