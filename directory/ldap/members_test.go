package ldap_test

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"os"
	"testing"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/resetbot/resetbot/directory/dirtest"
)

// TestOpenLDAPLargeCyclicGroup lists a group larger than one page of the
// paged search (and than slapd's default size limit of 500) whose nested
// group lists it back: every account once, the cycle walked once. The
// accounts and groups live in an organisational unit of this test's own,
// added as the administrator and removed afterwards, so no other test sees
// them.
func TestOpenLDAPLargeCyclicGroup(t *testing.T) {
	const n = 530 // > the 500 per page, > slapd's default size limit
	admin := slapdAdmin(t)
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	suffix := hex.EncodeToString(b[:])
	base := "ou=members-" + suffix + ",dc=example,dc=test"
	var added []string
	add := func(req *goldap.AddRequest) {
		t.Helper()
		if err := admin.Add(req); err != nil {
			t.Fatalf("add %s: %v", req.DN, err)
		}
		added = append(added, req.DN)
	}
	t.Cleanup(func() {
		for i := len(added) - 1; i >= 0; i-- {
			if err := admin.Del(goldap.NewDelRequest(added[i], nil)); err != nil {
				t.Logf("remove %s: %v", added[i], err)
			}
		}
	})
	ou := goldap.NewAddRequest(base, nil)
	ou.Attribute("objectClass", []string{"organizationalUnit"})
	ou.Attribute("ou", []string{"members-" + suffix})
	add(ou)
	var big, small []string
	for i := range n {
		uid := fmt.Sprintf("m%s-%03d", suffix, i)
		dn := "uid=" + uid + "," + base
		u := goldap.NewAddRequest(dn, nil)
		u.Attribute("objectClass", []string{"inetOrgPerson"})
		u.Attribute("uid", []string{uid})
		u.Attribute("cn", []string{"Member " + uid})
		u.Attribute("sn", []string{"Member"})
		u.Attribute("employeeNumber", []string{"U0" + uid})
		add(u)
		if i < n-10 {
			big = append(big, dn)
		} else {
			small = append(small, dn)
		}
	}
	bigDN, smallDN := "cn=big,"+base, "cn=small,"+base
	// groupOfNames needs a member when it is added: big first lists its
	// accounts, small lists its own and big, then big gets small (the cycle).
	g := goldap.NewAddRequest(bigDN, nil)
	g.Attribute("objectClass", []string{"groupOfNames"})
	g.Attribute("cn", []string{"big"})
	g.Attribute("member", big)
	add(g)
	g = goldap.NewAddRequest(smallDN, nil)
	g.Attribute("objectClass", []string{"groupOfNames"})
	g.Attribute("cn", []string{"small"})
	g.Attribute("member", append(small, bigDN))
	add(g)
	m := goldap.NewModifyRequest(bigDN, nil)
	m.Add("member", []string{smallDN})
	if err := admin.Modify(m); err != nil {
		t.Fatalf("add the cycle: %v", err)
	}

	cfg := slapdConfig(t, dirtest.RequireEnv(t, "RESETBOT_TEST_SLAPD_LDAPS_URL"), false)
	cfg.UserBaseDN, cfg.GroupBaseDN = base, base
	d := open(t, cfg)
	for _, group := range []string{bigDN, smallDN} {
		got, err := d.GroupMembers(t.Context(), group)
		if err != nil {
			t.Fatalf("GroupMembers(%s): %v", group, err)
		}
		seen := map[string]bool{}
		for _, u := range got {
			if seen[u.AccountName] {
				t.Errorf("%s listed twice", u.AccountName)
			}
			seen[u.AccountName] = true
			if u.ChatIDs["slack"] != "U0"+u.AccountName {
				t.Errorf("%s: chat id %q", u.AccountName, u.ChatIDs["slack"])
			}
		}
		if len(seen) != n {
			t.Errorf("GroupMembers(%s) = %d accounts, want %d", group, len(seen), n)
		}
	}
}

// slapdAdmin binds to the harness's slapd as its administrator, to add
// entries of a test's own.
func slapdAdmin(t *testing.T) *goldap.Conn {
	return directoryAdmin(t, "RESETBOT_TEST_SLAPD_LDAPS_URL", "RESETBOT_TEST_SLAPD_CA",
		"RESETBOT_TEST_SLAPD_ADMIN_DN", "RESETBOT_TEST_SLAPD_ADMIN_PASSWORD")
}

// directoryAdmin binds to a harness directory (named by the environment
// variables of its URL, CA file, administrator DN and password) as its
// administrator, to add entries of a test's own.
func directoryAdmin(t *testing.T, urlEnv, caEnv, dnEnv, passwordEnv string) *goldap.Conn {
	t.Helper()
	caFile := dirtest.RequireEnv(t, caEnv)
	pem, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("no certificate in %s", caFile)
	}
	c, err := goldap.DialURL(dirtest.RequireEnv(t, urlEnv), goldap.DialWithTLSConfig(&tls.Config{RootCAs: pool}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Bind(dirtest.RequireEnv(t, dnEnv), dirtest.RequireEnv(t, passwordEnv)); err != nil {
		t.Fatal(err)
	}
	return c
}
