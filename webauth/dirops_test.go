package webauth

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"net/http"
	"os"
	"strings"
	"testing"
	"unicode/utf16"

	goldap "github.com/go-ldap/ldap/v3"
	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/dirtest"
	"github.com/resetbot/resetbot/directory/ldap"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/testenv"
	"github.com/resetbot/resetbot/webauth/totp"
	"github.com/resetbot/resetbot/webauth/webauthtest"
)

// ownSuffix is a random suffix for an account of a test's own.
func ownSuffix(t testing.TB) string {
	t.Helper()
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return strings.ToUpper(hex.EncodeToString(b[:]))
}

// adminConn binds to a harness directory as its administrator.
func adminConn(t testing.TB, url, caFile, dn, password string) *goldap.Conn {
	t.Helper()
	pem, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	c, err := goldap.DialURL(url, goldap.DialWithTLSConfig(&tls.Config{RootCAs: roots, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}))
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Bind(dn, password); err != nil {
		t.Fatalf("bind as %s: %v", dn, err)
	}
	return c
}

// addOwn adds an entry and removes it when the test ends: the reset below
// changes its password, which must not race another package's test on a
// seeded account of the shared directory.
func addOwn(t testing.TB, admin *goldap.Conn, add *goldap.AddRequest) {
	t.Helper()
	if err := admin.Add(add); err != nil {
		t.Fatalf("add %s: %v", add.DN, err)
	}
	t.Cleanup(func() {
		if err := admin.Del(goldap.NewDelRequest(add.DN, nil)); err != nil {
			t.Logf("remove %s: %v", add.DN, err)
		}
	})
}

// ownSlapdAccount adds an inetOrgPerson of the test's own to the shared
// slapd and returns its login name and Slack id.
func ownSlapdAccount(t testing.TB) (account, chat string) {
	return addSlapdAccount(t, slapdAdmin(t))
}

// slapdAdmin is a connection to the shared slapd bound as its rootdn, for
// adding accounts of a test's own.
func slapdAdmin(t testing.TB) *goldap.Conn {
	return adminConn(t, testenv.RequireEnv(t, "RESETBOT_TEST_SLAPD_LDAPS_URL"), testenv.RequireEnv(t, "RESETBOT_TEST_SLAPD_CA"),
		testenv.RequireEnv(t, "RESETBOT_TEST_SLAPD_ADMIN_DN"), testenv.RequireEnv(t, "RESETBOT_TEST_SLAPD_ADMIN_PASSWORD"))
}

// addSlapdAccount adds an inetOrgPerson of the test's own through admin
// (removed when the test ends) and returns its login name and Slack id.
func addSlapdAccount(t testing.TB, admin *goldap.Conn) (account, chat string) {
	suffix := ownSuffix(t)
	account, chat = "perf"+strings.ToLower(suffix), "U0P"+suffix
	add := goldap.NewAddRequest("uid="+account+",ou=People,dc=example,dc=test", nil)
	add.Attribute("objectClass", []string{"inetOrgPerson"})
	add.Attribute("uid", []string{account})
	add.Attribute("cn", []string{"Perf Case " + suffix})
	add.Attribute("sn", []string{"Case"})
	add.Attribute("mail", []string{account + "@example.test"})
	add.Attribute("departmentNumber", []string{"Finance"})
	add.Attribute("employeeNumber", []string{chat})
	addOwn(t, admin, add)
	return account, chat
}

// ownSlapdAccountInGroup is ownSlapdAccount in a group of the test's own
// (a groupOfNames in no group, removed when the test ends), the shape of
// most employees.
func ownSlapdAccountInGroup(t testing.TB) (account, chat string) {
	admin := slapdAdmin(t)
	account, chat = addSlapdAccount(t, admin)
	addSlapdGroup(t, admin, "perfteam-"+account, "uid="+account+",ou=People,dc=example,dc=test")
	return account, chat
}

// addSlapdGroup adds a groupOfNames of the test's own under ou=Groups with
// the members (removed when the test ends; add it after its members, so
// it goes first) and returns its DN.
func addSlapdGroup(t testing.TB, admin *goldap.Conn, cn string, members ...string) string {
	add := goldap.NewAddRequest("cn="+cn+",ou=Groups,dc=example,dc=test", nil)
	add.Attribute("objectClass", []string{"groupOfNames"})
	add.Attribute("cn", []string{cn})
	add.Attribute("member", members)
	addOwn(t, admin, add)
	return add.DN
}

// ownSambaAccount adds an enabled user of the test's own to the shared
// Samba AD (under OU=People, so it inherits the reset account's
// delegation) and returns its login name and Slack id.
func ownSambaAccount(t testing.TB) (account, chat string) {
	suffix := ownSuffix(t)
	account, chat = "perf"+strings.ToLower(suffix), "U0P"+suffix
	admin := adminConn(t, testenv.RequireEnv(t, "RESETBOT_TEST_SAMBA_URL"), testenv.RequireEnv(t, "RESETBOT_TEST_SAMBA_CA"),
		testenv.RequireEnv(t, "RESETBOT_TEST_SAMBA_ADMIN_DN"), testenv.RequireEnv(t, "RESETBOT_TEST_SAMBA_ADMIN_PASSWORD"))
	add := goldap.NewAddRequest("CN=Perf Case "+suffix+",OU=People,DC=example,DC=test", nil)
	add.Attribute("objectClass", []string{"user"})
	add.Attribute("sAMAccountName", []string{account})
	add.Attribute("userPrincipalName", []string{account + "@example.test"})
	add.Attribute("mail", []string{account + "@example.test"})
	add.Attribute("department", []string{"Finance"})
	add.Attribute("employeeNumber", []string{chat})
	add.Attribute("unicodePwd", []string{utf16LE(`"` + webauthtest.RandomPassword() + `"`)})
	add.Attribute("userAccountControl", []string{"512"})
	addOwn(t, admin, add)
	return account, chat
}

// utf16LE is s in UTF-16LE, as unicodePwd takes it.
func utf16LE(s string) string {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, r := range u {
		b[2*i], b[2*i+1] = byte(r), byte(r>>8)
	}
	return string(b)
}

// TestResetDirectoryOperations counts, on the wire to the harness's real
// slapd and Samba AD, every LDAP request one complete reset sends, and
// every Redis round trip (a go-redis hook on the real redis-server): the
// flow started from a chat id, the link redeemed, an authenticator-app
// code, the password page, one live check and the submit, as the page's
// script does them. The budgets are docs/BENCHMARKS.md's per-flow table
// (#10); each count above its budget fails, with the reason for every
// operation beyond the minimum (lookup by chat id, the groups for the
// privileged check, the re-read by immutable id before the write, the
// write) written next to it.
func TestResetDirectoryOperations(t *testing.T) {
	type budget struct {
		// searches in all, subtree searches by the immutable id, reads of
		// the policy (on OpenLDAP the entry, on AD the domain object).
		searches, byID, policy int
	}
	cases := []struct {
		name    string
		url, ca string
		cfg     ldap.Config
		own     func(t testing.TB) (string, string)
		// idAttr is the immutable id attribute, policyBase the entry
		// whose read is the policy.
		idAttr, policyBase string
		budget             budget
	}{
		{
			name: "slapd", url: "RESETBOT_TEST_SLAPD_LDAPS_URL", ca: "RESETBOT_TEST_SLAPD_CA",
			cfg: ldap.Config{
				Flavour: ldap.OpenLDAP, BindDN: "cn=resetbot,ou=Services,dc=example,dc=test", BindPassword: "Svc-Passw0rd.1",
				UserBaseDN: "ou=People,dc=example,dc=test", GroupBaseDN: "ou=Groups,dc=example,dc=test",
				ChatIDAttrs: map[string]string{"slack": "employeeNumber"},
			},
			own: ownSlapdAccount, idAttr: "entryuuid=", policyBase: "cn=default,ou=policies,",
			// The account by its chat id and its groups at the start; the
			// policy once for the whole flow (the rootDSE, the search for
			// the pwdPolicy entry, the entry: no password_policy_dn is
			// configured here); by id and its groups again before the
			// write (the privileged check must see a membership added in
			// the meantime); the write goes to the DN that re-read found
			// (no read of its own: the re-read, on the same server a
			// moment before, proved the DN names the id). The account is
			// in no group, so each group walk is one search. Before #10:
			// 14 (the policy three times, the write's own subtree search
			// by id), then 8 (the write's base-scope read of the DN).
			budget: budget{searches: 7, byID: 1, policy: 1},
		},
		{
			name: "slapd member_of", url: "RESETBOT_TEST_SLAPD_LDAPS_URL", ca: "RESETBOT_TEST_SLAPD_CA",
			cfg: ldap.Config{
				Flavour: ldap.OpenLDAP, BindDN: "cn=resetbot,ou=Services,dc=example,dc=test", BindPassword: "Svc-Passw0rd.1",
				UserBaseDN: "ou=People,dc=example,dc=test", GroupBaseDN: "ou=Groups,dc=example,dc=test",
				ChatIDAttrs:     map[string]string{"slack": "employeeNumber"},
				GroupMembership: ldap.GroupsByMemberOf,
			},
			own: ownSlapdAccountInGroup, idAttr: "entryuuid=", policyBase: "cn=default,ou=policies,",
			// group_membership: member_of, the account in a group of its
			// own that is in no group, which the directory has seen once
			// (the test's own lookup before the flow; in production any
			// earlier lookup of a member of that group): its groups come
			// with the entry, and whether that group is in a group is
			// asked in the same search, at the start and at the re-read
			// by id. So the lookup, the policy (three), the re-read: 5.
			// By search the same account costs 9 (two searches per walk:
			// the group, then nothing above it).
			budget: budget{searches: 5, byID: 1, policy: 1},
		},
		{
			name: "samba", url: "RESETBOT_TEST_SAMBA_URL", ca: "RESETBOT_TEST_SAMBA_CA",
			cfg: ldap.Config{
				Flavour: ldap.ActiveDirectory, BindDN: "CN=resetbot,OU=Services,DC=example,DC=test", BindPassword: "Svc-Passw0rd.1",
				UserBaseDN: "OU=People,DC=example,DC=test", GroupBaseDN: "OU=Groups,DC=example,DC=test",
				ChatIDAttrs: map[string]string{"slack": "employeeNumber"},
			},
			own: ownSambaAccount, idAttr: "objectguid=", policyBase: "dc=example,dc=test",
			// As on slapd, plus one subtree search by objectGUID at the
			// password page: the account's msDS-ResultantPSO (its
			// fine-grained policy), read once per flow. The test's account
			// has no PSO, so the domain policy is the one read.
			budget: budget{searches: 8, byID: 2, policy: 1},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			proxy := dirtest.NewLDAPProxy(t, testenv.RequireEnv(t, tc.url), testenv.RequireEnv(t, tc.ca))
			cfg := tc.cfg
			cfg.URLs, cfg.CAFile = []string{proxy.URL}, proxy.CAFile
			dir := openLDAP(t, cfg)
			rdb := realRedis(t)
			trips := &testenv.RoundTrips{}
			rdb.(*redis.Client).AddHook(trips)
			r := newRig(t, rigOptions{rdb: rdb, dir: dir, totp: true})
			ts := r.server(t)
			ctx := context.Background()
			account, chat := tc.own(t)
			u, err := dir.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: account})
			if err != nil {
				t.Fatal(err)
			}
			secret, _, _ := totp.Generate("Example", account)
			if err := r.creds.SetTOTPSecret(ctx, u.ID, secret); err != nil {
				t.Fatal(err)
			}
			proxy.Reset() // the test's own setup is not the flow's
			trips.Take()

			var steps []string
			redisTrips := map[string]int{}
			step := func(name string) {
				n, cmds, names := trips.Take()
				steps = append(steps, name)
				t.Logf("redis %-14s %d round trips, %d commands: %s", name, n, cmds, strings.Join(names, " "))
				redisTrips[name] = n
			}
			is, err := r.eng.Start(ctx, flows.StartRequest{
				Kind:        flows.KindReset,
				Lookup:      directory.Lookup{Kind: directory.ByChatID, Platform: "slack", Value: chat},
				Chat:        flows.ChatIdentity{Platform: "slack", UserID: chat},
				RequestedBy: flows.ChatIdentity{Platform: "slack", UserID: chat},
			})
			if err != nil {
				t.Fatalf("Start: %v", err)
			}
			step("start")
			b := newBrowser(t, ts)
			b.redeem(is.Token)
			step("redeem")
			id := is.Flow.ID
			_, _, page, _ := b.get("/f/" + id + "/verify")
			if st, _, _, _ := b.postForm("/f/"+id+"/totp", map[string]string{"csrf": csrfOf(t, page), "code": totpCode(t, secret, r.clock.Now())}); st != http.StatusSeeOther {
				t.Fatalf("totp: %d", st)
			}
			step("verify")
			st, _, form, _ := b.get("/f/" + id + "/password")
			if st != http.StatusOK || !strings.Contains(form, "password-form") {
				t.Fatalf("password page: %d", st)
			}
			step("password page")
			csrf := csrfOf(t, form)
			next := webauthtest.RandomPassword()
			if st, _, body, _ := b.postJSON("/f/"+id+"/password/check", csrf, `{"password":"`+next+`"}`); st != http.StatusOK {
				t.Fatalf("live check: %d %s", st, body)
			}
			step("live check")
			if st, loc, body, _ := b.postForm("/f/"+id+"/password", map[string]string{"csrf": csrf, "password": next}); st != http.StatusSeeOther || loc != "/f/"+id+"/done" {
				t.Fatalf("submit: %d to %q\n%s", st, loc, body)
			}
			step("submit")
			ops, conns := proxy.Ops(), proxy.Conns()
			if err := dir.VerifyPassword(ctx, u, next); err != nil {
				t.Fatalf("the new password does not work: %v", err)
			}

			var searches, byID, policy, pwmod, modify, binds, other int
			for _, op := range ops {
				t.Logf("conn %d: %s %s %s %s %s", op.Conn, op.Kind, op.Scope, op.Base, op.Filter, op.OID)
				switch {
				case op.Kind == "search":
					searches++
					switch {
					case op.Scope == "sub" && strings.Contains(strings.ToLower(op.Filter), tc.idAttr):
						byID++
					case op.Scope == "base" && strings.HasPrefix(strings.ToLower(op.Base), tc.policyBase):
						policy++
					}
				case op.Kind == "extended" && op.OID == dirtest.PasswordModifyOID:
					pwmod++
				case op.Kind == "modify":
					modify++
				case op.Kind == "bind":
					binds++
				default:
					other++
				}
			}
			t.Logf("%d requests: %d searches (%d subtree by id, %d reads of the policy), %d Password Modify, %d modify, %d binds, %d other; %d connections",
				len(ops), searches, byID, policy, pwmod, modify, binds, other, conns)
			check := func(what string, got, most int) {
				t.Helper()
				if got > most {
					t.Errorf("%s: %d, budget %d", what, got, most)
				}
			}
			if writes := pwmod + modify; writes != 1 {
				t.Errorf("password writes (Password Modify or a unicodePwd modify): %d, want exactly 1", writes)
			}
			check("subtree searches by the immutable id", byID, tc.budget.byID)
			check("reads of the password policy", policy, tc.budget.policy)
			check("connections (TLS handshakes)", conns, 1)
			check("binds", binds, 1)
			check("other requests", other, 0)
			check("searches in all", searches, tc.budget.searches)

			// Redis: the budget of docs/BENCHMARKS.md per step.
			for _, s := range steps {
				check("redis round trips, "+s, redisTrips[s], resetRedisBudget[s])
			}
		})
	}
}

// resetRedisBudget is the most Redis round trips each step of a reset may
// make (docs/BENCHMARKS.md explains each).
var resetRedisBudget = map[string]int{
	"start": 3, "redeem": 5, "verify": 7, "password page": 1, "live check": 2, "submit": 3,
}
