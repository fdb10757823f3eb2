package main

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/go-ldap/ldap/v3"
	"github.com/go-ldap/ldif"

	"github.com/resetbot/resetbot/bot/slack/slackfake"
	"github.com/resetbot/resetbot/internal/testenv"
)

// bindSlapd opens an ldaps connection to the harness's slapd bound as dn.
func bindSlapd(t *testing.T, dn, pw string) *ldap.Conn {
	t.Helper()
	url := testenv.RequireEnv(t, "RESETBOT_TEST_SLAPD_LDAPS_URL")
	caFile := testenv.RequireEnv(t, "RESETBOT_TEST_SLAPD_CA")
	pem, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("no certificate in %s", caFile)
	}
	conn, err := ldap.DialURL(url, ldap.DialWithTLSConfig(&tls.Config{RootCAs: pool}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := conn.Bind(dn, pw); err != nil {
		t.Fatal(err)
	}
	return conn
}

// TestIdentityExportLDIFAppliesToSlapd closes the loop an administrator
// runs: export, apply the LDIF to the directory, and the accounts carry
// the members' chat ids. The accounts live in an organisational unit of
// their own, created and removed here (its name is not ASCII, so the
// export must base64 the DNs and slapd must take them), so no other test
// sees them. The LDIF is read by go-ldap/ldif, an independent parser, and
// applied as the directory administrator; the chat-id attribute is read
// back as the service account; a second export then has nothing to fill.
func TestIdentityExportLDIFAppliesToSlapd(t *testing.T) {
	// The administrator reviews and applies an export in production.
	admin := bindSlapd(t, testenv.RequireEnv(t, "RESETBOT_TEST_SLAPD_ADMIN_DN"), testenv.RequireEnv(t, "RESETBOT_TEST_SLAPD_ADMIN_PASSWORD"))
	var b [4]byte
	rand.Read(b[:])
	tag := hex.EncodeToString(b[:])
	ou := "ou=Zoë export " + tag + ",dc=example,dc=test"
	add := ldap.NewAddRequest(ou, nil)
	add.Attribute("objectClass", []string{"organizationalUnit"})
	add.Attribute("ou", []string{"Zoë export " + tag})
	if err := admin.Add(add); err != nil {
		t.Fatal(err)
	}
	type account struct{ uid, mail, slackID string }
	accounts := []account{
		{"ie1", "ie1-" + tag + "@example.test", "U7IEONE"},
		{"ie2", "IE2-" + tag + "@Example.test", "U7IETWO"},
	}
	var dns []string
	t.Cleanup(func() {
		for _, dn := range append(dns, ou) {
			if err := admin.Del(ldap.NewDelRequest(dn, nil)); err != nil {
				t.Errorf("removing %s: %v", dn, err)
			}
		}
	})
	for _, a := range accounts {
		dn := "uid=" + a.uid + "," + ou
		add := ldap.NewAddRequest(dn, nil)
		add.Attribute("objectClass", []string{"inetOrgPerson"})
		add.Attribute("uid", []string{a.uid})
		add.Attribute("cn", []string{a.uid})
		add.Attribute("sn", []string{a.uid})
		add.Attribute("mail", []string{strings.ToLower(a.mail)})
		if err := admin.Add(add); err != nil {
			t.Fatal(err)
		}
		dns = append([]string{dn}, dns...) // children are removed first
	}

	fake := slackfake.New("xoxb-test")
	t.Cleanup(fake.Close)
	for _, a := range accounts {
		fake.AddUser(slackfake.User{ID: a.slackID, Name: a.uid, Email: a.mail})
	}
	// jdoe exists, but outside user_base_dn: not matched.
	fake.AddUser(slackfake.User{ID: "U1JDOE", Name: "John Doe", Email: "jdoe@example.test"})
	file := realSlapdFile(t)
	file.LDAP.UserBaseDN, file.ChatIDAttribute, file.SlackAPI = ou, "carLicense", fake.APIURL()
	path := file.write(t)

	code, out, errOut := runCLI(t, "identity", "export", "--platform", "slack", path)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "3 members: 2 to fill, 0 already set, 0 without an email, 1 matching no account, 0 conflicts") {
		t.Fatalf("summary: %s", errOut)
	}
	if !strings.Contains(out, "dn:: ") {
		t.Fatalf("the non-ASCII DNs are not base64 in the LDIF:\n%s", out)
	}
	parsed, err := ldif.Parse(out)
	if err != nil {
		t.Fatalf("go-ldap/ldif cannot parse the export: %v\n%s", err, out)
	}
	if len(parsed.Entries) != len(accounts) {
		t.Fatalf("%d LDIF records, want %d:\n%s", len(parsed.Entries), len(accounts), out)
	}
	for _, e := range parsed.Entries {
		if e.Modify == nil {
			t.Fatalf("a record is not a modify: %+v", e)
		}
	}
	if err := parsed.Apply(admin, false); err != nil {
		t.Fatalf("applying the export to slapd: %v", err)
	}

	// Read back as the service account, the identity the bot reads with.
	cfg := realSlapdFile(t)
	svc := bindSlapd(t, "cn=resetbot,ou=Services,dc=example,dc=test", cfg.LDAP.BindPassword)
	for _, a := range accounts {
		res, err := svc.Search(ldap.NewSearchRequest("uid="+a.uid+","+ou, ldap.ScopeBaseObject, ldap.NeverDerefAliases,
			0, 0, false, "(objectClass=*)", []string{"carLicense"}, nil))
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Entries[0].GetAttributeValues("carLicense"); len(got) != 1 || got[0] != a.slackID {
			t.Errorf("%s: carLicense = %q after applying the export, want [%s]", a.uid, got, a.slackID)
		}
	}

	// The same export again finds every id set and writes no record.
	code, out, errOut = runCLI(t, "identity", "export", "--platform", "slack", path)
	if code != 0 {
		t.Fatalf("second export: exit %d\n%s%s", code, out, errOut)
	}
	if out != "version: 1\n" || !strings.Contains(errOut, "3 members: 0 to fill, 2 already set") {
		t.Fatalf("second export:\n%s\n%s", out, errOut)
	}
}
