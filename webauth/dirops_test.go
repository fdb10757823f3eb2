package webauth

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/resetbot/resetbot/internal/testenv"
	"github.com/resetbot/resetbot/webauth/totp"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/dirtest"
	"github.com/resetbot/resetbot/directory/ldap"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/webauth/webauthtest"
)

// TestResetDirectoryOperations counts, on the wire to the harness's real
// slapd, every LDAP request one complete reset sends: the flow started
// for an account, the link redeemed, an authenticator-app code, the
// password page, one live check and the submit, as the page's script does
// them. The budget (#10): one subtree search by entryUUID (the re-read
// before the write; unindexed it costs the server ~17 ms, and the write
// itself used to search again), the password policy read once for the
// whole flow (it was read on the page, the check and the submit), one
// Password Modify, one pooled connection with one bind.
func TestResetDirectoryOperations(t *testing.T) {
	proxy := dirtest.NewLDAPProxy(t, testenv.RequireEnv(t, "RESETBOT_TEST_SLAPD_LDAPS_URL"),
		testenv.RequireEnv(t, "RESETBOT_TEST_SLAPD_CA"))
	dir := openLDAP(t, ldap.Config{
		Flavour:      ldap.OpenLDAP,
		URLs:         []string{proxy.URL},
		CAFile:       proxy.CAFile,
		BindDN:       "cn=resetbot,ou=Services,dc=example,dc=test",
		BindPassword: "Svc-Passw0rd.1",
		UserBaseDN:   "ou=People,dc=example,dc=test",
		GroupBaseDN:  "ou=Groups,dc=example,dc=test",
		ChatIDAttrs:  map[string]string{"slack": "employeeNumber"},
	})
	r := newRig(t, rigOptions{dir: dir, totp: true})
	ts := r.server(t)
	ctx := context.Background()
	const account = "spare1"
	u, err := dir.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: account})
	if err != nil {
		t.Fatal(err)
	}
	secret, _, _ := totp.Generate("Example", account)
	if err := r.creds.SetTOTPSecret(ctx, u.ID, secret); err != nil {
		t.Fatal(err)
	}
	proxy.Reset() // the test's own setup read is not the flow's

	is := r.start(t, flows.KindReset, account)
	b := newBrowser(t, ts)
	b.redeem(is.Token)
	id := is.Flow.ID
	_, _, page, _ := b.get("/f/" + id + "/verify")
	if st, _, _, _ := b.postForm("/f/"+id+"/totp", map[string]string{"csrf": csrfOf(t, page), "code": totpCode(t, secret, r.clock.Now())}); st != http.StatusSeeOther {
		t.Fatalf("totp: %d", st)
	}
	st, _, form, _ := b.get("/f/" + id + "/password")
	if st != http.StatusOK || !strings.Contains(form, "password-form") {
		t.Fatalf("password page: %d", st)
	}
	csrf := csrfOf(t, form)
	next := webauthtest.RandomPassword()
	if st, _, body, _ := b.postJSON("/f/"+id+"/password/check", csrf, `{"password":"`+next+`"}`); st != http.StatusOK {
		t.Fatalf("live check: %d %s", st, body)
	}
	if st, loc, body, _ := b.postForm("/f/"+id+"/password", map[string]string{"csrf": csrf, "password": next}); st != http.StatusSeeOther || loc != "/f/"+id+"/done" {
		t.Fatalf("submit: %d to %q\n%s", st, loc, body)
	}
	ops, conns := proxy.Ops(), proxy.Conns()
	if err := dir.VerifyPassword(ctx, u, next); err != nil {
		t.Fatalf("the new password does not work: %v", err)
	}

	var searches, byID, policy, discovery, pwmod, binds, other int
	for _, op := range ops {
		t.Logf("conn %d: %s %s %s %s %s", op.Conn, op.Kind, op.Scope, op.Base, op.Filter, op.OID)
		switch {
		case op.Kind == "search":
			searches++
			switch {
			case op.Scope == "sub" && strings.Contains(strings.ToLower(op.Filter), "entryuuid="):
				byID++
			case op.Scope == "base" && strings.HasPrefix(op.Base, "cn=default,ou=Policies,"):
				policy++
			case strings.Contains(op.Filter, "pwdPolicy"):
				discovery++
			}
		case op.Kind == "extended" && op.OID == dirtest.PasswordModifyOID:
			pwmod++
		case op.Kind == "bind":
			binds++
		default:
			other++
		}
	}
	t.Logf("%d requests: %d searches (%d subtree by entryUUID, %d reads of the policy, %d searches for it), %d Password Modify, %d binds, %d other; %d connections",
		len(ops), searches, byID, policy, discovery, pwmod, binds, other, conns)
	check := func(what string, got, most int) {
		t.Helper()
		if got > most {
			t.Errorf("%s: %d, budget %d", what, got, most)
		}
	}
	if pwmod != 1 {
		t.Errorf("Password Modify requests: %d, want exactly 1", pwmod)
	}
	check("subtree searches by entryUUID", byID, 1)
	check("reads of the password policy entry", policy, 1)
	check("searches for the password policy entry", discovery, 1)
	check("connections (TLS handshakes)", conns, 1)
	check("binds", binds, 1)
	check("other requests", other, 0)
	// The account by its login name and its groups at the start; the
	// policy once (the rootDSE, the search for the pwdPolicy entry, the
	// entry: no password_policy_dn is configured here); by id and its
	// groups again before the write (the privileged check must see a
	// membership added in the meantime); the DN checked at the write.
	// spare1 is in no group, so each group walk is one search. Before #10:
	// 14 (the policy three times, the write's own subtree search by id).
	check("searches in all", searches, 8)
}
