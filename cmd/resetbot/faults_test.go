package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/bot/slack/slackfake"
	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/ldap"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/flows/redisstore"
	"github.com/resetbot/resetbot/internal/testenv"
	"github.com/resetbot/resetbot/webauth/webauthtest"
)

// The fault suite runs the built resetbot binary, not an in-process
// shortcut, against real servers, and kills it or its servers at the
// moments that used to leave the record wrong.

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// resetbotBinary builds the command once per test run.
func resetbotBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "resetbot-faults-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "resetbot")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// slowProxy forwards TCP to a server and can hold every answer of the
// server for a while before passing it on: a directory slow enough that a
// test can act between two of resetbot's operations.
type slowProxy struct {
	ln     net.Listener
	target string
	delay  atomic.Int64 // per server-to-client chunk, in nanoseconds
	down   atomic.Bool  // cut: every connection is closed at once
	mu     sync.Mutex
	conns  []net.Conn
}

func newSlowProxy(t *testing.T, target string) *slowProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &slowProxy{ln: ln, target: target}
	go p.serve()
	t.Cleanup(p.close)
	return p
}

func (p *slowProxy) addr() string { return p.ln.Addr().String() }

func (p *slowProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		if p.down.Load() {
			c.Close()
			continue
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		go func() { _, _ = io.Copy(s, c); s.Close() }()
		go func() {
			buf := make([]byte, 32<<10)
			for {
				n, err := s.Read(buf)
				if n > 0 {
					time.Sleep(time.Duration(p.delay.Load()))
					if _, werr := c.Write(buf[:n]); werr != nil {
						break
					}
				}
				if err != nil {
					break
				}
			}
			c.Close()
		}()
	}
}

// cut stops the directory as far as serve can tell: every open
// connection is closed and new ones are closed as soon as they are made,
// while the server itself (shared by other tests) runs on.
func (p *slowProxy) cut() {
	p.down.Store(true)
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// restore ends a cut: new connections reach the server again.
func (p *slowProxy) restore() { p.down.Store(false) }

func (p *slowProxy) close() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
}

// deadAddr is a loopback address nothing listens on: a directory server
// that is down (connections are refused).
func deadAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// serveProc is one `resetbot serve` process.
type serveProc struct {
	cmd  *exec.Cmd
	done chan struct{}
}

func startServe(t *testing.T, bin, config, base, logPath string) *serveProc {
	t.Helper()
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", "-config", config)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serveProc{cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); logf.Close(); close(p.done) }()
	t.Cleanup(func() { p.kill() })
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/favicon.ico")
		if err == nil {
			resp.Body.Close()
			return p
		}
		select {
		case <-p.done:
			t.Fatalf("resetbot serve exited at start-up:\n%s", readFile(logPath))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("resetbot serve not answering after 30 s:\n%s", readFile(logPath))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill is kill -9: no shutdown, no deferred work.
func (p *serveProc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

func readFile(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

// freePort is the port of freeAddr.
func freePort(t *testing.T) int {
	t.Helper()
	_, port, _ := net.SplitHostPort(freeAddr(t))
	n, err := strconv.Atoi(port)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// faultRig is a serve binary on the harness's slapd (through a slow
// proxy) and Redis, with a fake Slack.
type faultRig struct {
	t                          *testing.T
	bin, config, base, logPath string
	file                       testConfig // what config was written from
	auditPath                  string
	management                 string // base URL of the management listener
	proxy                      *slowProxy
	front                      *frontProxy // nil unless newFaultRigFront
	fake                       *slackfake.Server
	store                      *redisstore.Store
	rdb                        *redis.Client        // the rig's Redis, for the test's own reads (nil on a cluster)
	cluster                    *redis.ClusterClient // the rig's Redis Cluster (rigOptions.cluster), else nil
	prefix                     string               // redis.key_prefix of the rig's serve
	dir                        *ldap.Directory      // straight to slapd, for the test's own reads
	proc                       *serveProc
	n                          int
}

// rigClaimIdle is the rig's audit.claim_idle: how long an event a killed
// serve read but never delivered waits for a live one. Short, so a kill
// case waits seconds for it, not the default's two minutes.
const rigClaimIdle = 5 * time.Second

// newFaultRig starts serve on redisAddr ("" for the harness's shared
// Redis, which no test may stop).
func newFaultRig(t *testing.T, redisAddr string) *faultRig {
	t.Helper()
	return newRig(t, redisAddr, rigOptions{})
}

// newFaultRigFront is newFaultRig behind a load balancer (r.front): the
// public origin, the links and the rig's requests go to the front, which
// passes them to the replica it is told to.
func newFaultRigFront(t *testing.T, redisAddr string) *faultRig {
	t.Helper()
	return newRig(t, redisAddr, rigOptions{front: true})
}

// rigOptions vary the rig for a case.
type rigOptions struct {
	front bool // behind a load balancer (newFaultRigFront)
	// deadFirstURL lists a directory URL nothing listens on before the
	// proxy's in directory.urls: the first server of a failover list is
	// down.
	deadFirstURL bool
	// cluster runs serve on this Redis Cluster (redis.mode: cluster) of
	// the test's own instead of a single Redis; r.rdb is then nil and
	// r.cluster the test's client of it.
	cluster *testenv.RedisCluster
}

func newRig(t *testing.T, redisAddr string, opts rigOptions) *faultRig {
	t.Helper()
	if redisAddr == "" && opts.cluster == nil {
		redisAddr = testenv.RequireEnv(t, "RESETBOT_TEST_REDIS_ADDR")
	}
	slapdURL := testenv.RequireEnv(t, "RESETBOT_TEST_SLAPD_LDAPS_URL")
	ca := testenv.RequireEnv(t, "RESETBOT_TEST_SLAPD_CA")
	bin := resetbotBinary(t)
	slapdHost := strings.TrimPrefix(slapdURL, "ldaps://")
	slapdHost = strings.TrimSuffix(slapdHost, "/")
	proxy := newSlowProxy(t, slapdHost)

	fake := slackfake.New("xoxb-test")
	t.Cleanup(fake.Close)
	fake.AddChannel("C0HELPDESK")
	for _, u := range []string{"U0SPARE1", "U0SPARE2", "U0JDOE"} {
		fake.AddUser(slackfake.User{ID: u, Name: strings.ToLower(u[2:])})
	}
	dir := t.TempDir()
	port, mgmtPort := freePort(t), freePort(t)
	base := fmt.Sprintf("http://localhost:%d", port)
	var front *frontProxy
	if opts.front {
		front = newFrontProxy(t, base)
		base = front.url
	}
	urls := []string{"ldaps://" + proxy.addr()}
	if opts.deadFirstURL {
		urls = append([]string{"ldaps://" + deadAddr(t)}, urls...)
	}
	prefix := fmt.Sprintf("fault%d", time.Now().UnixNano())
	audit := filepath.Join(dir, "audit.jsonl")
	file := testConfig{
		Listen: fmt.Sprintf("127.0.0.1:%d", port), ManagementListen: fmt.Sprintf("127.0.0.1:%d", mgmtPort),
		PublicBaseURL: base, RedisAddr: redisAddr, KeyPrefix: prefix,
		LDAP:     &testLDAP{URLs: urls, CAFile: ca, Timeout: "10s"},
		AuditLog: audit, ClaimIdle: rigClaimIdle.String(), SlackAPI: fake.APIURL(),
		Sections: "flows:\n  write_timeout: 8s\n  record_timeout: 2s\n",
	}
	if opts.cluster != nil {
		file.RedisCluster = opts.cluster.Addrs()
	}
	config := writeTestConfig(t, dir, file)
	var rdb *redis.Client
	var storeClient redis.UniversalClient
	var cluster *redis.ClusterClient
	if opts.cluster != nil {
		// The cluster is the test's own: its cleanup removes it all.
		cluster = redis.NewClusterClient(&redis.ClusterOptions{Addrs: opts.cluster.Addrs()})
		t.Cleanup(func() { cluster.Close() })
		storeClient = cluster
	} else {
		rdb = redis.NewClient(&redis.Options{Addr: redisAddr})
		t.Cleanup(func() {
			iter := rdb.Scan(context.Background(), 0, prefix+"*", 1000).Iterator()
			for iter.Next(context.Background()) {
				rdb.Del(context.Background(), iter.Val())
			}
			rdb.Close()
		})
		storeClient = rdb
	}
	direct, err := ldap.New(ldap.Config{
		Flavour: ldap.OpenLDAP, URLs: []string{slapdURL}, CAFile: ca,
		BindDN: "cn=resetbot,ou=Services,dc=example,dc=test", BindPassword: "Svc-Passw0rd.1",
		UserBaseDN: "ou=People,dc=example,dc=test", GroupBaseDN: "ou=Groups,dc=example,dc=test",
		ChatIDAttrs: map[string]string{"slack": "employeeNumber"},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { direct.Close() })
	r := &faultRig{t: t, bin: bin, config: config, file: file, base: base, logPath: filepath.Join(dir, "serve.log"), auditPath: audit,
		management: fmt.Sprintf("http://127.0.0.1:%d", mgmtPort),
		proxy:      proxy, front: front, fake: fake, store: redisstore.New(storeClient, redisstore.Options{Prefix: prefix}), rdb: rdb, cluster: cluster,
		prefix: prefix, dir: direct}
	r.start()
	return r
}

func (r *faultRig) start() { r.proc = startServe(r.t, r.bin, r.config, r.base, r.logPath) }

// command types "/reset text" in Slack as user.
func (r *faultRig) command(user, text string) {
	r.t.Helper()
	r.n++
	req := slackfake.SignedCommand(testSigningSecret, slackfake.CommandForm(user, text, r.fake.ResponseURL(fmt.Sprint("cmd", r.n))), time.Now())
	u, _ := req.URL.Parse(r.base + req.URL.Path)
	req.URL, req.Host = u, u.Host
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		r.t.Fatalf("slash command: status %d", resp.StatusCode)
	}
}

// link waits for the user's n-th direct message with a link.
func (r *faultRig) link(user string, n int) string {
	r.t.Helper()
	var found string
	r.eventually("link DM", 20*time.Second, func() bool {
		count := 0
		for _, m := range r.fake.DMs(user) {
			b := string(m.Blocks)
			if i := strings.Index(b, r.base+"/r/"); i >= 0 {
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

// freshPassword sets a new random password on the account as the service
// account and returns it: the user's password "today", whatever an earlier
// test (or an earlier -count run) left. The kill cases wait a few seconds
// after it: the reconciler counts a change up to a few seconds before a
// write as the write's own.
func (r *faultRig) freshPassword(u *directory.User) string {
	r.t.Helper()
	pw := webauthtest.RandomPassword()
	if err := r.dir.SetPassword(context.Background(), u, pw); err != nil {
		r.t.Fatal(err)
	}
	return pw
}

// verifyAudit runs the built binary's `audit verify` on the audit log and
// fails the test unless the chain holds.
func (r *faultRig) verifyAudit() {
	r.t.Helper()
	out, err := exec.Command(r.bin, "audit", "verify", r.auditPath).CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "OK: ") || strings.Contains(string(out), "empty log") {
		r.t.Errorf("resetbot audit verify: %v\n%s", err, out)
	}
}

// ready reports whether serve's /readyz answers 200.
func (r *faultRig) ready() bool {
	resp, err := http.Get(r.management + "/readyz")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func (r *faultRig) eventually(what string, within time.Duration, cond func() bool) {
	r.t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			r.t.Fatalf("%s: not within %s; serve log:\n%s", what, within, readFile(r.logPath))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (r *faultRig) user(account string) *directory.User {
	r.t.Helper()
	u, err := r.dir.Find(context.Background(), directory.Lookup{Kind: directory.ByAccountName, Value: account})
	if err != nil {
		r.t.Fatal(err)
	}
	return u
}

func (r *faultRig) changedAt(u *directory.User) time.Time {
	r.t.Helper()
	at, err := r.dir.PasswordChangedAt(context.Background(), u)
	if err != nil {
		r.t.Fatal(err)
	}
	return at
}

// auditLines returns the JSON audit log's lines of one flow.
func (r *faultRig) auditLines(flowID string) []string {
	f, err := os.Open(r.auditPath)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.Contains(sc.Text(), `"flow_id":"`+flowID+`"`) {
			out = append(out, sc.Text())
		}
	}
	return out
}

func countContaining(lines []string, sub string) int {
	n := 0
	for _, l := range lines {
		if strings.Contains(l, sub) {
			n++
		}
	}
	return n
}

// TestKilledDuringDirectoryWrite is fault 5 of the fault suite: `kill -9`
// of the serve process while a password write is in flight, and again
// right after the directory accepted it. After a restart the reconciler
// records what the directory shows, exactly once, the helpdesk thread says
// so and the user is told in chat.
func TestKilledDuringDirectoryWrite(t *testing.T) {
	cases := []struct {
		name string
		// afterWrite: kill once the directory shows the change (its answer
		// is still held in the proxy), else as soon as the flow is writing.
		afterWrite bool
		wantState  flows.State
		wantEvent  flows.EventType
		wantThread string
		wantDM     string
	}{
		{"during the write", false, flows.StateFailed, flows.EventRecoveredFailed,
			"Directory write failed (recovered after an interruption)", "Your password was not changed"},
		{"right after the write", true, flows.StateCompleted, flows.EventRecoveredCompleted,
			"Completed (recovered after an interruption)", "the directory shows it went through"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newFaultRig(t, "")
			// An account of the case's own: a seeded one is shared with
			// the other packages' tests, and one that locked it (three
			// wrong binds) or changed its password made the proof fail.
			account, chat := r.ownAccount()
			r.fake.AddUser(slackfake.User{ID: chat, Name: account})
			browser := webauthtest.NewBrowser(t, filepath.Join("testdata", "screenshots"), "faults-kill")
			browser.Authenticator(true)
			u := r.user(account)
			start := r.freshPassword(u)
			// The reconciler counts a change up to changeTimeSkew (5 s)
			// before the write as the write's own: the password set just
			// now must lie further back than that.
			time.Sleep(6 * time.Second)
			r.command(chat, "enroll")
			browser.Enroll(r.link(chat, 1), start)
			before := r.changedAt(u)

			r.command(chat, "")
			browser.OpenReset(r.link(chat, 2))
			next := webauthtest.RandomPassword()
			browser.TypeNewPassword(next)
			id, err := r.store.LiveID(context.Background(), u.ID, flows.KindReset)
			if err != nil || id == "" {
				t.Fatalf("live flow: %q, %v", id, err)
			}
			// Every answer of the directory now takes 400 ms: time to act
			// between the flow's steps.
			r.proxy.delay.Store(int64(400 * time.Millisecond))
			browser.Do(chromedp.Click(chromedp.CSS("#set-password")))

			r.eventually("flow writing", 30*time.Second, func() bool {
				f, err := r.store.Get(context.Background(), id)
				return err == nil && f.State == flows.StateApplying
			})
			if tc.afterWrite {
				r.eventually("directory shows the new password", 30*time.Second, func() bool { return r.changedAt(u).After(before) })
			}
			r.proc.kill()
			r.proxy.delay.Store(0)
			if f, _ := r.store.Get(context.Background(), id); f.State != flows.StateApplying {
				t.Fatalf("state when killed = %q, want applying (the fault came too late)", f.State)
			}
			if changed := r.changedAt(u).After(before); changed != tc.afterWrite {
				t.Fatalf("directory changed = %v at the kill, want %v", changed, tc.afterWrite)
			}

			r.start()
			var f *flows.Flow
			r.eventually("reconciled after restart", 45*time.Second, func() bool {
				f, err = r.store.Get(context.Background(), id)
				return err == nil && f.State.Terminal()
			})
			if f.State != tc.wantState {
				t.Fatalf("state after restart = %q, want %q", f.State, tc.wantState)
			}
			if changed := r.changedAt(u).After(before); changed != tc.afterWrite {
				t.Errorf("directory changed = %v after restart, want %v (nothing wrote again)", changed, tc.afterWrite)
			}
			var lines []string
			r.eventually("verdict in the audit log", 20*time.Second, func() bool {
				lines = r.auditLines(id)
				return countContaining(lines, `"type":"`+string(tc.wantEvent)+`"`) > 0
			})
			if n := countContaining(lines, `"type":"`+string(tc.wantEvent)+`"`); n != 1 {
				t.Errorf("%d %s lines in the audit log, want exactly 1:\n%s", n, tc.wantEvent, strings.Join(lines, "\n"))
			}
			// The killed process may have read change.applying from the
			// stream without writing it: it stays pending on the dead
			// consumer until a live one claims it (audit.claim_idle).
			r.eventually("change.applying in the audit log", rigClaimIdle+30*time.Second, func() bool {
				lines = r.auditLines(id)
				return countContaining(lines, `"type":"change.applying"`) > 0
			})
			if n := countContaining(lines, `"type":"change.applying"`); n != 1 {
				t.Errorf("%d change.applying lines in the audit log, want 1", n)
			}
			if n := countContaining(lines, `"type":"password.set"`) + countContaining(lines, `"type":"change.failed"`); n != 0 {
				t.Errorf("the killed process's outcome was recorded too (%d lines)", n)
			}
			r.eventually("verdict in the helpdesk thread", 20*time.Second, func() bool {
				for _, m := range r.fake.Messages("C0HELPDESK") {
					for _, rep := range r.fake.Thread(m.TS) {
						if strings.Contains(visibleText(rep.Blocks), tc.wantThread) {
							return true
						}
					}
				}
				return false
			})
			r.eventually("user told in chat", 20*time.Second, func() bool {
				dms := r.fake.DMs(chat)
				last := dms[len(dms)-1]
				return strings.Contains(last.Text+visibleText(last.Blocks), tc.wantDM)
			})
			r.verifyAudit()
		})
	}
}

// startOwnRedis starts the test's own redis-server with an append-only
// file synced on every write, so the test may kill it and start it again
// without losing what it acknowledged.
func startOwnRedis(t *testing.T) *testenv.Redis { return startOwnRedisFsync(t, "always") }

// startOwnRedisFsync starts the test's own redis-server with the given
// appendfsync policy ("always", "everysec").
func startOwnRedisFsync(t *testing.T, fsync string) *testenv.Redis {
	t.Helper()
	return testenv.StartRedis(t, testenv.RedisOptions{AppendFsync: fsync})
}

// TestRedisDownDuringPasswordSubmit is fault 2 of the fault suite: Redis
// is gone when the user submits the new password. The page says to try
// again in a moment (never that the password changed, never a dead page);
// with Redis back the same flow succeeds, and the record holds the one
// change, once.
func TestRedisDownDuringPasswordSubmit(t *testing.T) {
	own := startOwnRedis(t)
	r := newFaultRig(t, own.Addr())
	p := r.resetAtPasswordForm("faults-redis")
	u, id, before, browser := p.user, p.flowID, p.before, p.browser

	own.Kill()
	browser.Do(chromedp.Click(chromedp.CSS("#set-password")), chromedp.WaitVisible(chromedp.CSS("#problem")))
	page := browser.Text()
	if !strings.Contains(page, "Try again") || strings.Contains(page, "password was changed") {
		t.Fatalf("page with Redis down:\n%s", page)
	}
	if r.changedAt(u).After(before) {
		t.Fatal("the directory changed although the flow could not be recorded")
	}

	if r.ready() {
		t.Error("/readyz answers 200 with Redis down")
	}

	// The user tries again once the service is back: its readiness probe
	// says so once its Redis client has reconnected.
	own.Start()
	r.eventually("ready with Redis back", 20*time.Second, r.ready)
	p.retryUntilDone()
	if page := browser.Text(); !strings.Contains(page, "Your password was changed") {
		t.Fatalf("retry with Redis back:\n%s", page)
	}
	if !r.changedAt(u).After(before) {
		t.Fatal("the directory shows no change after the successful retry")
	}
	r.changeRecordedOnce(id)
	r.verifyAudit()
}

// TestRedisRestartedMidFlow is fault 1 of the fault suite: Redis, with an
// append-only file synced every second, is restarted while the user is on
// the password page. resetbot is not restarted; once Redis is back the
// user submits the page already open and the reset goes through, recorded
// once, in a chain that `audit verify` accepts.
func TestRedisRestartedMidFlow(t *testing.T) {
	own := startOwnRedisFsync(t, "everysec")
	r := newFaultRig(t, own.Addr())
	p := r.resetAtPasswordForm("faults-redis-restart")
	u, id, before, browser, chat := p.user, p.flowID, p.before, p.browser, p.chat

	own.Shutdown()
	if r.ready() {
		t.Error("/readyz answers 200 with Redis stopped")
	}
	own.Start()
	r.eventually("ready with Redis back", 20*time.Second, r.ready)
	if f, err := r.store.Get(context.Background(), id); err != nil || f.State.Terminal() {
		t.Fatalf("flow after the Redis restart: %+v, %v (want it live, from the append-only file)", f, err)
	}

	browser.Do(chromedp.Click(chromedp.CSS("#set-password")), chromedp.WaitVisible(chromedp.CSS("#done-headline")))
	if page := browser.Text(); !strings.Contains(page, "Your password was changed") {
		t.Fatalf("submit after the Redis restart:\n%s", page)
	}
	if !r.changedAt(u).After(before) {
		t.Fatal("the directory shows no change")
	}
	r.changeRecordedOnce(id)
	r.eventually("user told in chat", 20*time.Second, func() bool {
		dms := r.fake.DMs(chat)
		last := dms[len(dms)-1]
		return strings.Contains(last.Text+visibleText(last.Blocks), "Your password was changed")
	})
	r.verifyAudit()
}

// atPasswordForm is a reset brought to its password form in Chromium, the
// new password typed and the checklist green: the moment a fault case
// breaks something before the user presses "Set new password".
type atPasswordForm struct {
	r       *faultRig
	browser *webauthtest.Browser
	user    *directory.User
	chat    string
	flowID  string
	before  time.Time // the directory's change time before the reset
	next    string    // the password typed
}

// resetAtPasswordForm enrolls a passkey for an account of the test's own
// (ownAccount) through Slack, asks for
// a reset, verifies with the passkey and types a new password.
func (r *faultRig) resetAtPasswordForm(shots string) *atPasswordForm {
	r.t.Helper()
	return r.resetAtPasswordFormAfter(shots, nil)
}

// resetAtPasswordFormAfter is resetAtPasswordForm that calls beforeOpen
// (when set) between the reset link's arrival and its opening: a fault
// case's moment to hold the chat API before the verification's events.
func (r *faultRig) resetAtPasswordFormAfter(shots string, beforeOpen func()) *atPasswordForm {
	t := r.t
	t.Helper()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("serve log:\n%s", readFile(r.logPath))
		}
	})
	account, chat := r.ownAccount()
	p := &atPasswordForm{r: r, chat: chat, next: webauthtest.RandomPassword()}
	p.browser = webauthtest.NewBrowser(t, filepath.Join("testdata", "screenshots"), shots)
	p.browser.Authenticator(true)
	r.fake.AddUser(slackfake.User{ID: p.chat, Name: account})
	p.user = r.user(account)
	r.command(p.chat, "enroll")
	p.browser.Enroll(r.link(p.chat, 1), r.freshPassword(p.user))
	p.before = r.changedAt(p.user)
	r.command(p.chat, "")
	// Opened at once, maybe before serve recorded the DM's delivery (it
	// does once Slack has answered): the opening records it first, so the
	// record reads sent, then opened.
	link := r.link(p.chat, 2)
	if beforeOpen != nil {
		beforeOpen()
	}
	p.browser.OpenReset(link)
	p.typePassword()
	id, err := r.store.LiveID(context.Background(), p.user.ID, flows.KindReset)
	if err != nil || id == "" {
		t.Fatalf("live flow: %q, %v", id, err)
	}
	p.flowID = id
	return p
}

// typePassword fills the password form and waits for the checklist.
func (p *atPasswordForm) typePassword() {
	p.browser.TypeNewPassword(p.next)
}

// rigRetryBudget is how long a user's retries may take in all, counted
// from the first retry: serve's flows.write_timeout and
// flows.record_timeout in the rig (the longest a submit may take before
// it answers) and as much again for the page loads around it.
const rigRetryBudget = 2 * (8*time.Second + 2*time.Second)

// retryUntilDone is the user trying again once the service is back, as
// the page asks: open the password page, type the password, submit, and,
// while the answer is "Temporarily unavailable" (serve's Redis client
// still reconnecting on a loaded machine), once more after a pause. Each
// step waits for the page to show either outcome, within what is left of
// rigRetryBudget from the first retry: no fixed browser deadline decides
// the case. Any other problem page fails the test at once.
func (p *atPasswordForm) retryUntilDone() {
	r, b := p.r, p.browser
	r.t.Helper()
	deadline := time.Now().Add(rigRetryBudget)
	for attempt := 1; ; attempt++ {
		if time.Now().After(deadline) {
			r.t.Fatalf("still unavailable after %d tries in %s:\n%s\nserve log:\n%s", attempt-1, rigRetryBudget, b.Text(), readFile(r.logPath))
		}
		b.Do(chromedp.Navigate(r.base + "/f/" + p.flowID + "/password"))
		if p.await(deadline, "#password-form", "#problem") == "#password-form" {
			p.typePassword()
			b.Do(chromedp.Click(chromedp.CSS("#set-password")))
			if p.await(deadline, "#done-headline", "#problem") == "#done-headline" {
				if attempt > 1 {
					r.t.Logf("the reset went through on try %d", attempt)
				}
				return
			}
		}
		if page := b.Text(); !strings.Contains(page, "Temporarily unavailable") {
			r.t.Fatalf("try %d with Redis back:\n%s", attempt, page)
		}
		r.t.Logf("try %d: temporarily unavailable; again in a second", attempt)
		time.Sleep(time.Second)
	}
}

// await waits until the page shows one of the selectors and returns it,
// asking again across navigations; "" once deadline has passed.
func (p *atPasswordForm) await(deadline time.Time, sels ...string) string {
	for {
		for _, sel := range sels {
			ctx, cancel := context.WithTimeout(p.browser.Ctx, 2*time.Second)
			ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(
				`document.readyState === "complete" && !!document.querySelector(%q) && document.querySelector(%q).offsetParent !== null`, sel, sel)))
			cancel()
			if err == nil && ok {
				return sel
			}
		}
		if time.Now().After(deadline) {
			return ""
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// changeRecordedOnce waits for the flow's outcome in the JSON audit log and
// checks the one password change is there exactly once, with no failure.
func (r *faultRig) changeRecordedOnce(flowID string) {
	r.t.Helper()
	var lines []string
	r.eventually("outcome in the audit log", 20*time.Second, func() bool {
		lines = r.auditLines(flowID)
		return countContaining(lines, `"type":"flow.completed"`) > 0
	})
	for typ, want := range map[string]int{"change.applying": 1, "password.set": 1, "flow.completed": 1, "change.failed": 0} {
		if n := countContaining(lines, `"type":"`+typ+`"`); n != want {
			r.t.Errorf("%d %s lines in the audit log, want %d:\n%s", n, typ, want, strings.Join(lines, "\n"))
		}
	}
}
