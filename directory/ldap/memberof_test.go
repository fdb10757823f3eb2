package ldap_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/dirtest"
	"github.com/resetbot/resetbot/directory/ldap"
)

// ownEntries adds, as slapd's administrator, a person and groups of the
// test's own and removes them when the test ends (groups first, so the
// memberof overlay has no dangling values to clean).
type ownEntries struct {
	t      *testing.T
	admin  *goldap.Conn
	suffix string
}

func newOwnEntries(t *testing.T) *ownEntries {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return &ownEntries{t: t, admin: slapdAdmin(t), suffix: hex.EncodeToString(b[:])}
}

// person adds uid=<name><suffix> under ou=People and returns its DN.
func (o *ownEntries) person(name string) string {
	uid := name + o.suffix
	add := goldap.NewAddRequest("uid="+uid+",ou=People,dc=example,dc=test", nil)
	add.Attribute("objectClass", []string{"inetOrgPerson"})
	add.Attribute("uid", []string{uid})
	add.Attribute("cn", []string{uid})
	add.Attribute("sn", []string{name})
	return o.add(add)
}

// group adds cn=<name><suffix> under ou=Groups with the members and
// returns its DN.
func (o *ownEntries) group(name string, members ...string) string {
	add := goldap.NewAddRequest("cn="+name+o.suffix+",ou=Groups,dc=example,dc=test", nil)
	add.Attribute("objectClass", []string{"groupOfNames"})
	add.Attribute("cn", []string{name + o.suffix})
	add.Attribute("member", members)
	return o.add(add)
}

func (o *ownEntries) add(add *goldap.AddRequest) string {
	o.t.Helper()
	if err := o.admin.Add(add); err != nil {
		o.t.Fatalf("add %s: %v", add.DN, err)
	}
	o.t.Cleanup(func() {
		if err := o.admin.Del(goldap.NewDelRequest(add.DN, nil)); err != nil {
			o.t.Logf("remove %s: %v", add.DN, err)
		}
	})
	return add.DN
}

// addMember adds member to group, as an administrator changing a
// membership while a flow is open.
func (o *ownEntries) addMember(group, member string) {
	o.t.Helper()
	req := goldap.NewModifyRequest(group, nil)
	req.Add("member", []string{member})
	if err := o.admin.Modify(req); err != nil {
		o.t.Fatalf("add %s to %s: %v", member, group, err)
	}
}

// TestGroupsChangedSinceLookup is the privileged re-check at the write in
// both ways of finding groups: a membership added between the start's
// lookup and the re-read by id (the account added to a group, the
// account's group nested into a privileged group) is in the re-read's
// groups, a cycle made in between is walked once, and with memberOf an
// account in groups that are in no group costs its own search only, once
// the directory has seen those groups.
func TestGroupsChangedSinceLookup(t *testing.T) {
	for _, m := range []ldap.GroupMembership{ldap.GroupsBySearch, ldap.GroupsByMemberOf} {
		t.Run(string(m), func(t *testing.T) {
			own := newOwnEntries(t)
			user := own.person("member")
			other := own.person("other")
			team := own.group("team", user)
			admins := own.group("admins", other)

			proxy := dirtest.NewLDAPProxy(t, dirtest.RequireEnv(t, "RESETBOT_TEST_SLAPD_LDAPS_URL"), dirtest.RequireEnv(t, "RESETBOT_TEST_SLAPD_CA"))
			cfg := slapdConfig(t, proxy.URL, false)
			cfg.CAFile = proxy.CAFile
			cfg.GroupMembership = m
			d := open(t, cfg)
			ctx := context.Background()
			find := func(l directory.Lookup) (*directory.User, int) {
				t.Helper()
				proxy.Reset()
				u, err := d.Find(ctx, l)
				if err != nil {
					t.Fatalf("Find(%v): %v", l, err)
				}
				searches := 0
				for _, op := range proxy.Ops() {
					if op.Kind == "search" {
						searches++
						t.Logf("search %s %s %s", op.Scope, op.Base, op.Filter)
					}
				}
				return u, searches
			}
			want := func(u *directory.User, in, out []string) {
				t.Helper()
				for _, g := range in {
					if !u.MemberOf(g) {
						t.Errorf("not a member of %s; groups %q", g, u.Groups)
					}
				}
				for _, g := range out {
					if u.MemberOf(g) {
						t.Errorf("a member of %s; groups %q", g, u.Groups)
					}
				}
			}
			byName := directory.Lookup{Kind: directory.ByAccountName, Value: "member" + own.suffix}

			start, _ := find(byName)
			want(start, []string{team}, []string{admins})
			again, searches := find(byName)
			want(again, []string{team}, []string{admins})
			// search: the lookup, the groups listing the account, the
			// groups listing team. member_of: the lookup alone, which
			// also asked whether team is in a group now.
			wantSearches := map[ldap.GroupMembership]int{ldap.GroupsBySearch: 3, ldap.GroupsByMemberOf: 1}[m]
			if searches != wantSearches {
				t.Errorf("second lookup of an account in one group in no group: %d searches, want %d", searches, wantSearches)
			}

			// Since the start: team nested into admins.
			own.addMember(admins, team)
			byID := directory.Lookup{Kind: directory.ByID, Value: start.ID}
			reread, _ := find(byID)
			want(reread, []string{team, admins}, nil)

			// Since the start: the account added to a group directly.
			direct := own.group("direct", other)
			own.addMember(direct, user)
			reread, _ = find(byID)
			want(reread, []string{team, admins, direct}, nil)

			// A cycle: admins into team, which is in admins.
			own.addMember(team, admins)
			reread, _ = find(byID)
			want(reread, []string{team, admins, direct}, nil)
			seen := map[string]int{}
			for _, g := range reread.Groups {
				seen[strings.ToLower(g)]++
			}
			for g, n := range seen {
				if n > 1 {
					t.Errorf("%s listed %d times: %q", g, n, reread.Groups)
				}
			}
		})
	}
}

// TestCheckGroupMembership: with member_of the harness's slapd (memberof
// overlay on groupOfNames) passes the probe for the fixture's privileged
// group, and a groupOfUniqueNames group, which the overlay does not
// follow, is reported; with search there is nothing to probe.
func TestCheckGroupMembership(t *testing.T) {
	own := newOwnEntries(t)
	user := own.person("unique")
	add := goldap.NewAddRequest("cn=unique"+own.suffix+",ou=Groups,dc=example,dc=test", nil)
	add.Attribute("objectClass", []string{"groupOfUniqueNames"})
	add.Attribute("cn", []string{"unique" + own.suffix})
	add.Attribute("uniqueMember", []string{user})
	unique := own.add(add)
	privileged := dirtest.OpenLDAPFixture().PrivilegedGroupDN

	cfg := slapdConfig(t, dirtest.RequireEnv(t, "RESETBOT_TEST_SLAPD_LDAPS_URL"), false)
	ctx := context.Background()
	if err := open(t, cfg).CheckGroupMembership(ctx, []string{unique}); err != nil {
		t.Errorf("search: %v, want nil", err)
	}
	cfg.GroupMembership = ldap.GroupsByMemberOf
	d := open(t, cfg)
	if err := d.CheckGroupMembership(ctx, []string{privileged}); err != nil {
		t.Errorf("member_of, %s: %v", privileged, err)
	}
	if err := d.CheckGroupMembership(ctx, nil); err != nil {
		t.Errorf("member_of, no group named: %v", err)
	}
	err := d.CheckGroupMembership(ctx, []string{privileged, unique})
	if err == nil || !strings.Contains(err.Error(), "memberOf does not say so") {
		t.Errorf("member_of, %s: %v, want memberOf not kept", unique, err)
	}
}
