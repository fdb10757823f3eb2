package webauth

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/ldap"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/testenv"
	"github.com/resetbot/resetbot/webauth/totp"
	"github.com/resetbot/resetbot/webauth/webauthtest"
)

// The service account slapdDir binds as: the raw baseline writes with the
// same rights (and the same ppolicy checks) as a reset.
const (
	benchSvcDN       = "cn=resetbot,ou=Services,dc=example,dc=test"
	benchSvcPassword = "Svc-Passw0rd.1"
	benchPeopleDN    = "ou=People,dc=example,dc=test"
)

// benchServiceEnv, set in the environment of a run of this test binary,
// makes TestBenchService the reset benchmark's service process; its value
// ending in a path (RESETBOT_BENCH_SERVICE_CPUPROFILE) asks for a CPU
// profile of each timed reset run.
const (
	benchServiceEnv        = "RESETBOT_BENCH_SERVICE"
	benchServiceProfileEnv = "RESETBOT_BENCH_SERVICE_CPUPROFILE"
)

// BenchmarkResetVsPasswordModify compares, in one run on the harness's
// real slapd and Redis, complete resets per second (the engine and the web
// app driven over HTTPS as the page's script does: start, the link, an
// authenticator-app code, the password page, one live check, the submit)
// with the raw rate of the directory's own write, a Password Modify by a
// go-ldap client bound as the same service account (#10 §6). The two
// alternate, round after round and for 1, 4 and 16 parallel clients, so a
// change in the shared machine's load hits both alike. Every operation uses
// an account of its own, added (and removed) outside the timed part, so
// neither side pays a password history the other does not; each run's
// accounts are in one group of their own, on both sides. The service finds
// groups with group_membership: member_of (RESETBOT_BENCH_GROUP_MEMBERSHIP=
// search for the walk by search).
//
// The service (engine, web app, directory pool, Redis client) runs in a
// process of its own, this test binary started again as TestBenchService,
// and this process is only the clients: the service's CPU is counted apart
// from the clients' HTTPS and LDAP ends. The clients keep their connections
// alive between resets (one idle connection per client), as a browser does
// between a reset's requests; each reset still has a cookie jar of its own.
//
// Each reset run is made twice: "reset" as deployed (deploy/reverse-proxy.md:
// the proxy terminates TLS and the service listens on plain HTTP, with the
// https public base URL and trusted_proxies; proxyTransport plays the
// proxy), "reset-tls" with the service terminating TLS itself.
//
// Metrics: ops/s; cpu-ns/op, this (the clients') process's CPU per
// operation; for resets service-cpu-ns/op, the service process's CPU (its
// getrusage, asked before and after the timed part) and service-allocs/op
// and service-B/op, its heap allocations; and, when RESETBOT_BENCH_SLAPD_PID
// names slapd's pid (scripts/bench sets it), slapd-cpu-ns/op, slapd's
// user+system CPU per operation from /proc/<pid>/stat, and the same for
// redis-server with RESETBOT_BENCH_REDIS_PID. RESETBOT_BENCH_ROUNDS
// sets the rounds (default 2). scripts/bench runs it; it is not part of the
// test run.
func BenchmarkResetVsPasswordModify(b *testing.B) {
	ldaps := testenv.RequireEnv(b, "RESETBOT_TEST_SLAPD_LDAPS_URL")
	ca := testenv.RequireEnv(b, "RESETBOT_TEST_SLAPD_CA")
	testenv.RequireEnv(b, "RESETBOT_TEST_REDIS_ADDR")
	slapdPID := os.Getenv("RESETBOT_BENCH_SLAPD_PID")
	redisPID := os.Getenv("RESETBOT_BENCH_REDIS_PID")
	rounds := 2
	if v, err := strconv.Atoi(os.Getenv("RESETBOT_BENCH_ROUNDS")); err == nil && v > 0 {
		rounds = v
	}
	svc := startBenchService(b)
	admin := slapdAdmin(b)
	for round := 1; round <= rounds; round++ {
		for _, clients := range []int{1, 4, 16} {
			b.Run(fmt.Sprintf("round%d/raw/c%d", round, clients), func(b *testing.B) {
				benchPasswordModify(b, admin, ldaps, ca, clients, slapdPID, redisPID)
			})
			b.Run(fmt.Sprintf("round%d/reset/c%d", round, clients), func(b *testing.B) {
				benchCompleteResets(b, svc, admin, ldaps, ca, clients, slapdPID, redisPID, true)
			})
			b.Run(fmt.Sprintf("round%d/reset-tls/c%d", round, clients), func(b *testing.B) {
				benchCompleteResets(b, svc, admin, ldaps, ca, clients, slapdPID, redisPID, false)
			})
		}
	}
}

// benchPasswordModify is the baseline: b.N Password Modify operations, each
// on an account of its own, from clients connections bound as the service
// account.
func benchPasswordModify(b *testing.B, admin *goldap.Conn, url, caFile string, clients int, slapdPID, redisPID string) {
	accounts := make([]string, b.N)
	for i := range accounts {
		accounts[i], _ = addSlapdAccount(b, admin)
	}
	benchGroup(b, admin, accounts)
	conns := make([]*goldap.Conn, clients)
	for i := range conns {
		conns[i] = adminConn(b, url, caFile, benchSvcDN, benchSvcPassword)
	}
	run(b, clients, slapdPID, redisPID, nil, func(client, i int) error {
		req := goldap.NewPasswordModifyRequest("uid="+accounts[i]+","+benchPeopleDN, "", webauthtest.RandomPassword())
		_, err := conns[client].PasswordModify(req)
		return err
	})
}

// benchGroup puts the run's accounts in a group of their own (in no group
// itself), as most employees are in some group: a reset's group lookup
// then has something to find, on both sides alike.
func benchGroup(b *testing.B, admin *goldap.Conn, accounts []string) {
	dns := make([]string, len(accounts))
	for i, a := range accounts {
		dns[i] = "uid=" + a + "," + benchPeopleDN
	}
	addSlapdGroup(b, admin, "benchteam-"+strings.ToLower(ownSuffix(b)), dns...)
}

// benchGroupMembershipEnv picks the service's directory.group_membership:
// member_of (the default: the harness's slapd runs the memberof overlay)
// or search, to compare the two on the same servers.
const benchGroupMembershipEnv = "RESETBOT_BENCH_GROUP_MEMBERSHIP"

// benchDir is the service's directory: the harness's slapd as slapdDir
// has it, with the group membership benchGroupMembershipEnv names.
func benchDir(t testing.TB) directory.Directory {
	m := ldap.GroupMembership(os.Getenv(benchGroupMembershipEnv))
	if m == "" {
		m = ldap.GroupsByMemberOf
	}
	return openLDAP(t, ldap.Config{
		Flavour: ldap.OpenLDAP, URLs: []string{testenv.RequireEnv(t, "RESETBOT_TEST_SLAPD_LDAPS_URL")},
		CAFile: testenv.RequireEnv(t, "RESETBOT_TEST_SLAPD_CA"), BindDN: benchSvcDN, BindPassword: benchSvcPassword,
		UserBaseDN: benchPeopleDN, GroupBaseDN: "ou=Groups,dc=example,dc=test",
		ChatIDAttrs: map[string]string{"slack": "employeeNumber"}, GroupMembership: m,
	})
}

// benchAccount is an account of the reset benchmark's own with its
// authenticator-app secret.
type benchAccount struct {
	account, chat, secret string
}

// benchCompleteResets runs b.N complete resets from clients goroutines, each
// reset a fresh account, through the service process on real slapd and
// Redis; deployed sends them as a TLS-terminating proxy would (plain HTTP
// to the service, the public https URL in the cookie jar, X-Forwarded-For
// and X-Forwarded-Proto), else over HTTPS to the service itself.
func benchCompleteResets(b *testing.B, svc *benchService, admin *goldap.Conn, ldaps, ca string, clients int, slapdPID, redisPID string, deployed bool) {
	accounts := make([]benchAccount, b.N)
	names := make([]string, b.N)
	for i := range accounts {
		names[i], accounts[i].chat = addSlapdAccount(b, admin)
		accounts[i].account = names[i]
	}
	benchGroup(b, admin, names)
	for i := range accounts {
		accounts[i].secret = svc.setup(b, accounts[i].account)
	}
	tr := svc.transport(clients)
	defer tr.CloseIdleConnections()
	var rt http.RoundTripper = tr
	base := svc.url
	if deployed {
		plain := &http.Transport{MaxIdleConnsPerHost: clients, IdleConnTimeout: time.Minute}
		defer plain.CloseIdleConnections()
		rt, base = &proxyTransport{next: plain, service: svc.plain}, svc.public
	}
	written := make([]string, b.N)
	run(b, clients, slapdPID, redisPID, svc, func(_, i int) error {
		next, err := completeReset(b, svc, rt, base, accounts[i])
		written[i] = next
		return err
	})
	// The last reset really changed the password in slapd: it binds.
	last := accounts[b.N-1]
	adminConn(b, ldaps, ca, "uid="+last.account+","+benchPeopleDN, written[b.N-1])
}

// completeReset is one reset as a person's browser makes it, from the chat
// command's Start to the submit's redirect to the done page; it returns the
// new password.
func completeReset(b testing.TB, svc *benchService, tr http.RoundTripper, base string, a benchAccount) (string, error) {
	is, err := svc.start(a.chat)
	if err != nil {
		return "", fmt.Errorf("start: %w", err)
	}
	jar, _ := cookiejar.New(nil)
	br := &browser{t: b, base: base, c: &http.Client{Transport: tr, Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if st, loc := br.redeem(is.Token); st/100 != 3 {
		return "", fmt.Errorf("redeem: %d to %q", st, loc)
	}
	id := is.ID
	_, _, page, _ := br.get("/f/" + id + "/verify")
	if st, _, _, _ := br.postForm("/f/"+id+"/totp", map[string]string{"csrf": csrfOf(b, page), "code": totpCode(b, a.secret, is.Now)}); st != http.StatusSeeOther {
		return "", fmt.Errorf("totp: %d", st)
	}
	st, _, form, _ := br.get("/f/" + id + "/password")
	if st != http.StatusOK || !strings.Contains(form, "password-form") {
		return "", fmt.Errorf("password page: %d", st)
	}
	csrf := csrfOf(b, form)
	next := webauthtest.RandomPassword()
	if st, _, body, _ := br.postJSON("/f/"+id+"/password/check", csrf, `{"password":"`+next+`"}`); st != http.StatusOK {
		return "", fmt.Errorf("live check: %d %s", st, body)
	}
	if st, loc, _, _ := br.postForm("/f/"+id+"/password", map[string]string{"csrf": csrf, "password": next}); st != http.StatusSeeOther || loc != "/f/"+id+"/done" {
		return "", fmt.Errorf("submit: %d to %q", st, loc)
	}
	return next, nil
}

// run times b.N calls of op spread over clients goroutines (op(client, i)
// for i in [0, b.N)) and reports ops/s, cpu-ns/op, with a service its CPU
// and allocations per operation, with a slapd pid slapd-cpu-ns/op and with
// a Redis pid redis-cpu-ns/op.
func run(b *testing.B, clients int, slapdPID, redisPID string, svc *benchService, op func(client, i int) error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	var svc0 benchUsage
	if svc != nil {
		svc0 = svc.usage(b, "start")
	}
	slapd0, redis0 := procCPU(b, slapdPID), procCPU(b, redisPID)
	cpu0 := testenv.CPUTime()
	start := time.Now()
	b.ResetTimer()
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= b.N {
					return
				}
				if err := op(c, i); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	wall := time.Since(start)
	testenv.ReportCPU(b, cpu0)
	if slapdPID != "" {
		b.ReportMetric(float64(procCPU(b, slapdPID)-slapd0)/float64(b.N), "slapd-cpu-ns/op")
	}
	if redisPID != "" {
		b.ReportMetric(float64(procCPU(b, redisPID)-redis0)/float64(b.N), "redis-cpu-ns/op")
	}
	if svc != nil {
		svc1 := svc.usage(b, "stop")
		n := float64(b.N)
		b.ReportMetric(float64(svc1.CPU-svc0.CPU)/n, "service-cpu-ns/op")
		b.ReportMetric(float64(svc1.Mallocs-svc0.Mallocs)/n, "service-allocs/op")
		b.ReportMetric(float64(svc1.Bytes-svc0.Bytes)/n, "service-B/op")
	}
	b.ReportMetric(float64(b.N)/wall.Seconds(), "ops/s")
	close(errs)
	for err := range errs {
		b.Error(err)
	}
}

// procCPU is the user plus system CPU time of process pid so far, from
// /proc/<pid>/stat (fields 14 and 15, in clock ticks of 1/100 s, Linux's
// USER_HZ); 0 without a pid.
func procCPU(b *testing.B, pid string) time.Duration {
	if pid == "" {
		return 0
	}
	raw, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		b.Fatalf("CPU time of process %s: %v", pid, err)
	}
	s := string(raw)
	// The fields after the command name, which may hold spaces, start
	// after its closing parenthesis with field 3, the state.
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		b.Fatalf("/proc/%s/stat: %d fields", pid, len(fields))
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		b.Fatalf("/proc/%s/stat: %q %q", pid, fields[11], fields[12])
	}
	return time.Duration(utime+stime) * (time.Second / 100)
}

// benchService is the reset benchmark's service process as its clients
// see it: the web app's HTTPS address and certificate, and a plain HTTP
// control address for what a chat command and the test's setup do.
type benchService struct {
	url string
	// plain is the service's plain HTTP listener, as a TLS-terminating
	// proxy reaches it, and public the https base URL the proxy serves
	// (the rig's PublicBaseURL).
	plain, public string
	ctl           string
	roots         *x509.CertPool
	// ctlc reaches the control address (the start of every reset).
	ctlc *http.Client
}

// startBenchService starts this test binary again as TestBenchService,
// with the harness's environment, and waits for it to announce itself;
// it is stopped (its standard input closed) when b ends.
func startBenchService(b *testing.B) *benchService {
	cmd := exec.Command(os.Args[0], "-test.run", "^TestBenchService$", "-test.count", "1", "-test.timeout", "0")
	cmd.Env = append(os.Environ(), benchServiceEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatalf("the service process: %v", err)
	}
	b.Cleanup(func() {
		stdin.Close()
		if err := cmd.Wait(); err != nil {
			b.Errorf("the service process: %v", err)
		}
	})
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		f := strings.Fields(lines.Text())
		if len(f) != 5 || f[0] != "bench-service" {
			continue
		}
		der, err := base64.StdEncoding.DecodeString(f[3])
		if err != nil {
			b.Fatal(err)
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			b.Fatal(err)
		}
		roots := x509.NewCertPool()
		roots.AddCert(cert)
		go func() { _, _ = io.Copy(io.Discard, stdout) }() // the rest of its output
		return &benchService{url: f[1], ctl: f[2], plain: f[4], public: benchPublicURL, roots: roots,
			ctlc: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	}
	b.Fatalf("the service process did not announce itself (%v)", lines.Err())
	return nil
}

// transport is the clients' HTTPS transport for one run: one idle
// connection kept per client, so the clients make no TLS handshake after
// their first request.
func (s *benchService) transport(clients int) *http.Transport {
	return &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: s.roots, MinVersion: tls.VersionTLS12},
		MaxIdleConnsPerHost: clients,
		IdleConnTimeout:     time.Minute,
	}
}

// benchIssued is the control answer to a start: the link's token, the
// flow, and the service's clock (a test clock) for the authenticator code.
type benchIssued struct {
	Token string    `json:"token"`
	ID    string    `json:"id"`
	Now   time.Time `json:"now"`
}

// benchUsage is the service process's CPU time and heap allocations so
// far.
type benchUsage struct {
	CPU     time.Duration `json:"cpu"`
	Mallocs uint64        `json:"mallocs"`
	Bytes   uint64        `json:"bytes"`
}

func (s *benchService) call(path string, form url.Values, out any) error {
	resp, err := s.ctlc.PostForm(s.ctl+path, form)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("%s: %d %s", path, resp.StatusCode, msg)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// setup gives account an authenticator-app secret in the service's
// credential store and returns it.
func (s *benchService) setup(b *testing.B, account string) string {
	var secret string
	if err := s.call("/setup", url.Values{"account": {account}}, &secret); err != nil {
		b.Fatal(err)
	}
	return secret
}

// start is the chat command: Engine.Start of a reset for the Slack id.
func (s *benchService) start(chat string) (benchIssued, error) {
	var is benchIssued
	err := s.call("/start", url.Values{"chat": {chat}}, &is)
	return is, err
}

// usage reads the service's CPU and allocations; "start" and "stop" also
// start and stop its CPU profile of the timed part, when one is asked for.
func (s *benchService) usage(b *testing.B, phase string) benchUsage {
	var u benchUsage
	if err := s.call("/usage", url.Values{"phase": {phase}}, &u); err != nil {
		b.Fatal(err)
	}
	return u
}

// TestBenchService is BenchmarkResetVsPasswordModify's service process,
// not a test: run with RESETBOT_BENCH_SERVICE set, it serves the web app
// (over HTTPS, with the engine, the directory pool on the harness's slapd
// and the real Redis) and the control calls until its standard input
// closes. It prints "bench-service <https url> <control url> <certificate>
// <plain http url>" once it listens.
func TestBenchService(t *testing.T) {
	if os.Getenv(benchServiceEnv) == "" {
		t.Skip("the service process of BenchmarkResetVsPasswordModify (scripts/bench)")
	}
	r := newRig(t, rigOptions{rdb: realRedis(t), dir: benchDir(t), totp: true, baseURL: benchPublicURL, proxies: []string{"127.0.0.0/8"}})
	ts := r.server(t)
	plain := httptest.NewServer(r.srv) // behind the proxy, as deployed
	t.Cleanup(plain.Close)
	if os.Getenv(benchServiceProfileEnv) != "" {
		// One sample per 16 KiB allocated instead of 512 KiB: a timed
		// run's few hundred MB then give a profile worth reading.
		runtime.MemProfileRate = 16 << 10
	}
	ctl := httptest.NewServer(benchControl(r, os.Getenv(benchServiceProfileEnv)))
	t.Cleanup(ctl.Close)
	fmt.Printf("bench-service %s %s %s %s\n", ts.URL, ctl.URL, base64.StdEncoding.EncodeToString(ts.Certificate().Raw), plain.URL)
	_, _ = io.Copy(io.Discard, os.Stdin)
}

// benchControl answers the benchmark's control calls: /setup (an
// authenticator-app secret for an account), /start (the chat command) and
// /usage (CPU and allocations so far; profile, when set, is the path
// prefix of a CPU profile and an allocation profile per timed run).
func benchControl(r *rig, profile string) http.Handler {
	var mu sync.Mutex
	var prof *os.File
	runs := 0
	fail := func(w http.ResponseWriter, err error) { http.Error(w, err.Error(), http.StatusInternalServerError) }
	m := http.NewServeMux()
	m.HandleFunc("POST /setup", func(w http.ResponseWriter, req *http.Request) {
		ctx := req.Context()
		account := req.FormValue("account")
		u, err := r.dir.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: account})
		if err != nil {
			fail(w, err)
			return
		}
		secret, _, err := totp.Generate("Example", account)
		if err == nil {
			err = r.creds.SetTOTPSecret(ctx, u.ID, secret)
		}
		if err != nil {
			fail(w, err)
			return
		}
		_ = json.NewEncoder(w).Encode(secret)
	})
	m.HandleFunc("POST /start", func(w http.ResponseWriter, req *http.Request) {
		chat := flows.ChatIdentity{Platform: "slack", UserID: req.FormValue("chat")}
		is, err := r.eng.Start(req.Context(), flows.StartRequest{
			Kind:   flows.KindReset,
			Lookup: directory.Lookup{Kind: directory.ByChatID, Platform: "slack", Value: chat.UserID},
			Chat:   chat, RequestedBy: chat,
		})
		if err != nil {
			fail(w, err)
			return
		}
		_ = json.NewEncoder(w).Encode(benchIssued{Token: is.Token, ID: is.Flow.ID, Now: r.clock.Now()})
	})
	m.HandleFunc("POST /usage", func(w http.ResponseWriter, req *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if profile != "" && req.FormValue("phase") == "stop" && prof != nil {
			pprof.StopCPUProfile()
			prof.Close()
			prof = nil
			if err := writeAllocs(fmt.Sprintf("%s.%d.allocs", profile, runs)); err != nil {
				fail(w, err)
				return
			}
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		u := benchUsage{CPU: testenv.CPUTime(), Mallocs: ms.Mallocs, Bytes: ms.TotalAlloc}
		if profile != "" && req.FormValue("phase") == "start" && prof == nil {
			runs++
			err := writeAllocs(fmt.Sprintf("%s.%d.allocs-base", profile, runs))
			var f *os.File
			if err == nil {
				f, err = os.Create(fmt.Sprintf("%s.%d", profile, runs))
			}
			if err == nil {
				err = pprof.StartCPUProfile(f)
			}
			if err != nil {
				fail(w, err)
				return
			}
			prof = f
		}
		_ = json.NewEncoder(w).Encode(u)
	})
	return m
}

// writeAllocs writes the process's allocation profile so far to path: the
// one written at a timed run's start is the base the one at its end is read
// against (go tool pprof -sample_index=alloc_space -base FILE.N.allocs-base
// FILE.N.allocs), which leaves out what the set-up allocated.
func writeAllocs(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// benchPublicURL is the service's public base URL in the benchmark: the
// origin a TLS-terminating proxy serves (deploy/reverse-proxy.md).
const benchPublicURL = "https://reset.example.test"

// proxyTransport is the reverse proxy of the documented deployment as the
// benchmark's clients need it: a request to the public https URL goes to
// the service's plain HTTP listener with what nginx or Caddy adds
// (X-Forwarded-For with the browser's address, X-Forwarded-Proto https,
// the public Host), and the cookie jar sees the https URL, so the
// service's Secure cookies come back as a browser sends them.
type proxyTransport struct {
	next    http.RoundTripper
	service string // http://127.0.0.1:port
}

func (p *proxyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	to, err := url.Parse(p.service)
	if err != nil {
		return nil, err
	}
	out := req.Clone(req.Context())
	out.URL.Scheme, out.URL.Host, out.Host = to.Scheme, to.Host, req.URL.Host
	out.Header.Set("X-Forwarded-For", "203.0.113.7")
	out.Header.Set("X-Forwarded-Proto", "https")
	return p.next.RoundTrip(out)
}
