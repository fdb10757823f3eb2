package ldap

import (
	"fmt"
	"slices"
	"testing"
)

// TestFlatGroups: a group found in no group is remembered, once, however
// its DN is spelled; a group found nested is forgotten; the oldest goes
// when flatMax are kept; a nil set (group_membership: search) is inert.
func TestFlatGroups(t *testing.T) {
	f := newFlatGroups()
	f.learned("cn=a,ou=Groups,dc=example,dc=test", true)
	f.learned("CN=A, OU=Groups,DC=example,DC=test", true)
	f.learned("cn=b,ou=Groups,dc=example,dc=test", true)
	if dns, keys := f.list(); len(dns) != 2 || len(keys) != 2 || keys[1] != "cn=b,ou=groups,dc=example,dc=test" {
		t.Fatalf("list = %q %q, want a then b (oldest first), once each", dns, keys)
	}
	f.learned("cn=b,ou=Groups,dc=example,dc=test", false)
	if dns, _ := f.list(); !slices.Equal(dns, []string{"CN=A, OU=Groups,DC=example,DC=test"}) {
		t.Fatalf("after b nested: %q", dns)
	}
	for i := range flatMax + 5 {
		f.learned(fmt.Sprintf("cn=g%d,ou=Groups,dc=example,dc=test", i), true)
	}
	dns, keys := f.list()
	if len(dns) != flatMax || len(keys) != flatMax || dns[0] != "cn=g5,ou=Groups,dc=example,dc=test" {
		t.Fatalf("full: %d kept, oldest %q", len(dns), dns[0])
	}
	var none *flatGroups
	none.learned("cn=a,dc=example,dc=test", true)
	if dns, _ := none.list(); dns != nil {
		t.Fatalf("nil set lists %q", dns)
	}
}

func TestCommonBase(t *testing.T) {
	for _, tc := range []struct{ a, b, want string }{
		{"ou=People,dc=example,dc=test", "ou=Groups,dc=example,dc=test", "dc=example,dc=test"},
		{"ou=People,dc=example,dc=test", "OU=People,DC=Example,DC=test", "ou=People,dc=example,dc=test"},
		{"ou=a,ou=People,dc=example,dc=test", "ou=People,dc=example,dc=test", "ou=People,dc=example,dc=test"},
		{"ou=People,dc=example,dc=test", "ou=Groups,o=other", ""},
		{"not a dn", "ou=Groups,dc=example,dc=test", ""},
	} {
		if got := commonBase(tc.a, tc.b); got != tc.want {
			t.Errorf("commonBase(%q, %q) = %q, want %q", tc.a, tc.b, got, tc.want)
		}
	}
}
