package main

import (
	"crypto/rand"
	"encoding/hex"
	"strings"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/resetbot/resetbot/internal/testenv"
)

// ownAccount adds an account of the test's own to the shared slapd (as
// its administrator; removed when the test ends) and returns its name and
// Slack id. The fault cases change its password many times while other
// packages' tests run against the same slapd: on a seeded account
// (policyuser) that raced the conformance suite, which sets and checks the
// same account's password.
func (r *faultRig) ownAccount() (account, chat string) {
	t := r.t
	t.Helper()
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	suffix := strings.ToUpper(hex.EncodeToString(b[:]))
	account, chat = "fault"+strings.ToLower(suffix), "U0F"+suffix
	admin := bindSlapd(t, testenv.RequireEnv(t, "RESETBOT_TEST_SLAPD_ADMIN_DN"), testenv.RequireEnv(t, "RESETBOT_TEST_SLAPD_ADMIN_PASSWORD"))
	dn := "uid=" + account + ",ou=People,dc=example,dc=test"
	add := goldap.NewAddRequest(dn, nil)
	add.Attribute("objectClass", []string{"inetOrgPerson"})
	add.Attribute("uid", []string{account})
	add.Attribute("cn", []string{"Fault Case " + suffix})
	add.Attribute("sn", []string{"Case"})
	add.Attribute("mail", []string{account + "@example.test"})
	add.Attribute("departmentNumber", []string{"Finance"})
	add.Attribute("employeeNumber", []string{chat})
	if err := admin.Add(add); err != nil {
		t.Fatalf("add %s: %v", dn, err)
	}
	t.Cleanup(func() {
		if err := admin.Del(goldap.NewDelRequest(dn, nil)); err != nil {
			t.Logf("remove %s: %v", dn, err)
		}
	})
	return account, chat
}
