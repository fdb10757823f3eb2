package webauth

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/resetbot/resetbot/directory"
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

// BenchmarkResetVsPasswordModify compares, in one process run on the
// harness's real slapd and Redis, complete resets per second (the engine
// and the web app driven over HTTPS as the page's script does: start, the
// link, an authenticator-app code, the password page, one live check, the
// submit) with the raw rate of the directory's own write, a Password Modify
// by a go-ldap client bound as the same service account (#10 §6). The two
// alternate, round after round and for 1, 4 and 16 parallel clients, so a
// change in the shared machine's load hits both alike. Every operation uses
// an account of its own, added (and removed) outside the timed part, so
// neither side pays a password history the other does not.
//
// Metrics: ops/s; cpu-ns/op, this process's CPU per operation (for a reset
// that includes the test's own HTTPS client, both ends of the TLS); and,
// when RESETBOT_BENCH_SLAPD_PID names slapd's pid (scripts/bench sets it),
// slapd-cpu-ns/op, slapd's user+system CPU per operation from
// /proc/<pid>/stat. RESETBOT_BENCH_ROUNDS sets the rounds (default 2).
// scripts/bench runs it; it is not part of the test run.
func BenchmarkResetVsPasswordModify(b *testing.B) {
	ldaps := testenv.RequireEnv(b, "RESETBOT_TEST_SLAPD_LDAPS_URL")
	ca := testenv.RequireEnv(b, "RESETBOT_TEST_SLAPD_CA")
	testenv.RequireEnv(b, "RESETBOT_TEST_REDIS_ADDR")
	slapdPID := os.Getenv("RESETBOT_BENCH_SLAPD_PID")
	rounds := 2
	if v, err := strconv.Atoi(os.Getenv("RESETBOT_BENCH_ROUNDS")); err == nil && v > 0 {
		rounds = v
	}
	dir := slapdDir(b)
	r := newRig(b, rigOptions{rdb: realRedis(b), dir: dir, totp: true})
	ts := r.server(b)
	admin := slapdAdmin(b)
	for round := 1; round <= rounds; round++ {
		for _, clients := range []int{1, 4, 16} {
			b.Run(fmt.Sprintf("round%d/raw/c%d", round, clients), func(b *testing.B) {
				benchPasswordModify(b, admin, ldaps, ca, clients, slapdPID)
			})
			b.Run(fmt.Sprintf("round%d/reset/c%d", round, clients), func(b *testing.B) {
				benchCompleteResets(b, r, ts, admin, clients, slapdPID)
			})
		}
	}
}

// benchPasswordModify is the baseline: b.N Password Modify operations, each
// on an account of its own, from clients connections bound as the service
// account.
func benchPasswordModify(b *testing.B, admin *goldap.Conn, url, caFile string, clients int, slapdPID string) {
	accounts := make([]string, b.N)
	for i := range accounts {
		accounts[i], _ = addSlapdAccount(b, admin)
	}
	conns := make([]*goldap.Conn, clients)
	for i := range conns {
		conns[i] = adminConn(b, url, caFile, benchSvcDN, benchSvcPassword)
	}
	run(b, clients, slapdPID, func(client, i int) error {
		req := goldap.NewPasswordModifyRequest("uid="+accounts[i]+","+benchPeopleDN, "", webauthtest.RandomPassword())
		_, err := conns[client].PasswordModify(req)
		return err
	})
}

// benchAccount is an account of the reset benchmark's own with its
// authenticator-app secret.
type benchAccount struct {
	user   *directory.User
	chat   string
	secret string
}

// benchCompleteResets runs b.N complete resets from clients goroutines, each
// reset a fresh account, through the web app on real slapd and Redis.
func benchCompleteResets(b *testing.B, r *rig, ts *httptest.Server, admin *goldap.Conn, clients int, slapdPID string) {
	ctx := context.Background()
	accounts := make([]benchAccount, b.N)
	for i := range accounts {
		account, chat := addSlapdAccount(b, admin)
		u, err := r.dir.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: account})
		if err != nil {
			b.Fatal(err)
		}
		secret, _, err := totp.Generate("Example", account)
		if err != nil {
			b.Fatal(err)
		}
		if err := r.creds.SetTOTPSecret(ctx, u.ID, secret); err != nil {
			b.Fatal(err)
		}
		accounts[i] = benchAccount{user: u, chat: chat, secret: secret}
	}
	written := make([]string, b.N)
	run(b, clients, slapdPID, func(_, i int) error {
		next, err := completeReset(b, r, ts, accounts[i])
		written[i] = next
		return err
	})
	// The last reset really changed the password in slapd.
	last := accounts[b.N-1]
	if err := r.dir.VerifyPassword(ctx, last.user, written[b.N-1]); err != nil {
		b.Fatalf("the new password of %s does not work: %v", last.user.AccountName, err)
	}
}

// completeReset is one reset as a person's browser makes it, from the chat
// command's Start to the submit's redirect to the done page; it returns the
// new password.
func completeReset(b testing.TB, r *rig, ts *httptest.Server, a benchAccount) (string, error) {
	chat := flows.ChatIdentity{Platform: "slack", UserID: a.chat}
	is, err := r.eng.Start(context.Background(), flows.StartRequest{
		Kind:   flows.KindReset,
		Lookup: directory.Lookup{Kind: directory.ByChatID, Platform: "slack", Value: a.chat},
		Chat:   chat, RequestedBy: chat,
	})
	if err != nil {
		return "", fmt.Errorf("start: %w", err)
	}
	br := newBrowser(b, ts)
	if st, loc := br.redeem(is.Token); st/100 != 3 {
		return "", fmt.Errorf("redeem: %d to %q", st, loc)
	}
	id := is.Flow.ID
	_, _, page, _ := br.get("/f/" + id + "/verify")
	if st, _, _, _ := br.postForm("/f/"+id+"/totp", map[string]string{"csrf": csrfOf(b, page), "code": totpCode(b, a.secret, r.clock.Now())}); st != http.StatusSeeOther {
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
// for i in [0, b.N)) and reports ops/s, cpu-ns/op and, with a slapd pid,
// slapd-cpu-ns/op.
func run(b *testing.B, clients int, slapdPID string, op func(client, i int) error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	slapd0 := procCPU(b, slapdPID)
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
		b.Fatalf("slapd's CPU time: %v", err)
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
