package ldap_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/dirtest"
)

// TestPolicyReadOnce counts on the wire to the real slapd: the password
// policy is read once for several callers within the minute (the page, the
// live check and the submit of one reset each ask), and read again right
// after the directory refused a password, since a refusal may mean the
// policy changed.
func TestPolicyReadOnce(t *testing.T) {
	proxy := dirtest.NewLDAPProxy(t, dirtest.RequireEnv(t, "RESETBOT_TEST_SLAPD_LDAPS_URL"), dirtest.RequireEnv(t, "RESETBOT_TEST_SLAPD_CA"))
	cfg := slapdConfig(t, proxy.URL, false)
	cfg.CAFile = proxy.CAFile
	d := open(t, cfg)
	ctx := context.Background()
	entryReads := func() int {
		n := 0
		for _, op := range proxy.Ops() {
			if op.Kind == "search" && op.Scope == "base" && strings.HasPrefix(op.Base, "cn=default,ou=Policies,") {
				n++
			}
		}
		return n
	}
	var first directory.Policy
	for i := range 3 {
		p, err := d.PasswordPolicy(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = p
		} else if p != first {
			t.Fatalf("PasswordPolicy changed between calls: %+v, then %+v", first, p)
		}
	}
	if n := entryReads(); n != 1 {
		t.Fatalf("3 PasswordPolicy calls read the policy entry %d times, want 1", n)
	}
	u, err := d.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: dirtest.OpenLDAPFixture().PolicyUser})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.SetPassword(ctx, u, "abc"); !errors.Is(err, directory.ErrPasswordPolicy) {
		t.Fatalf("SetPassword(too short) = %v, want ErrPasswordPolicy", err)
	}
	if _, err := d.PasswordPolicy(ctx); err != nil {
		t.Fatal(err)
	}
	if n := entryReads(); n != 2 {
		t.Fatalf("after a refusal the policy entry was read %d times in all, want 2 (read again)", n)
	}
}
