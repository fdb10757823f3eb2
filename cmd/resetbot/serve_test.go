package main

import (
	"context"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/bot/slack/slackfake"
	"github.com/resetbot/resetbot/credentials/rediscreds"
	"github.com/resetbot/resetbot/directory/memory"
)

// TestServeWiresSlackToFlows runs `resetbot serve` in-process with a config
// pointing at a Redis, the memory directory and a fake Slack: a signed
// /reset reaches the core, the link arrives as a DM, the helpdesk thread
// appears, the metrics count the events, and the server stops cleanly.
func TestServeWiresSlackToFlows(t *testing.T) {
	m := miniredis.RunT(t)
	fake := slackfake.New("xoxb-test")
	t.Cleanup(fake.Close)
	fake.AddChannel("C0HELPDESK")
	fake.AddUser(slackfake.User{ID: "U0PWUSER", Name: "pwuser", Email: "pwuser@example.test"})

	addr, maddr := freeAddr(t), freeAddr(t)
	dir := t.TempDir()
	cfg := writeTestConfig(t, dir, testConfig{
		Listen: addr, ManagementListen: maddr, PublicBaseURL: "http://localhost:8080", RedisAddr: m.Addr(), SlackAPI: fake.APIURL(),
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runServe(ctx, []string{"--config", cfg}) }()

	base, mgmt := "http://"+addr, "http://"+maddr
	waitFor(t, done, func() bool {
		resp, err := http.Get(mgmt + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})

	// pwuser has an authenticator app, so the reset link can lead somewhere
	// (without a factor the core sends no link).
	enrollTOTP(t, m.Addr(), "rb", "pwuser")
	req := slackfake.SignedCommand(testSigningSecret, slackfake.CommandForm("U0PWUSER", "", fake.ResponseURL("r1")), time.Now())
	u, _ := req.URL.Parse(base + req.URL.Path)
	req.URL, req.Host = u, u.Host
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if first := firstReply(t, fake, "r1", string(body)); resp.StatusCode != http.StatusOK || !strings.Contains(first, "Got it") {
		t.Fatalf("slash command: %d %s", resp.StatusCode, first)
	}
	waitFor(t, done, func() bool {
		dms := fake.DMs("U0PWUSER")
		return len(dms) == 1 && strings.Contains(string(dms[0].Blocks), "http://localhost:8080/r/") &&
			len(fake.Messages("C0HELPDESK")) >= 1 && len(fake.Thread(fake.Messages("C0HELPDESK")[0].TS)) >= 2
	})
	// The link opens the web app's landing page (GET never redeems it).
	dm := string(fake.DMs("U0PWUSER")[0].Blocks)
	i := strings.Index(dm, "http://localhost:8080/r/")
	path := strings.TrimPrefix(dm[i:i+strings.IndexByte(dm[i:], '"')], "http://localhost:8080")
	resp, err = http.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "pwuser") {
		t.Fatalf("landing page: %d\n%s", resp.StatusCode, page)
	}
	waitFor(t, done, func() bool {
		resp, err := http.Get(mgmt + "/metrics")
		if err != nil {
			return false
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return strings.Contains(string(b), `resetbot_flow_events_total{kind="reset",outcome="ok",type="flow.requested"} 1`)
	})
	// The public listener serves the web app and the webhooks only.
	for _, p := range []string{"/metrics", "/healthz", "/readyz"} {
		resp, err := http.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("public %s: %d, want 404", p, resp.StatusCode)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve returned %v after cancel", err)
	}
}

// freeAddr is a loopback address with a port free right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// waitFor polls cond (an asynchronous delivery) for up to ten seconds,
// failing early if serve exits.
func waitFor(t *testing.T, done <-chan error, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		select {
		case err := <-done:
			t.Fatalf("serve exited: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// enrollTOTP stores an authenticator-app secret for the example account in
// the credential store serve uses (the test config's prefix and key).
func enrollTOTP(t *testing.T, redisAddr, prefix, account string) {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr})
	t.Cleanup(func() { rdb.Close() })
	key, err := base64.StdEncoding.DecodeString("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	if err != nil {
		t.Fatal(err)
	}
	creds, err := rediscreds.New(rdb, rediscreds.Options{Prefix: prefix, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range memory.ExampleSeed().Users {
		if u.AccountName == account {
			if err := creds.SetTOTPSecret(context.Background(), u.ID, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatalf("no example account %s", account)
}
