package dirtest

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/resetbot/resetbot/directory"
)

// testGroupMembers proves what enrollment reports and campaigns rest on:
// a group's members through every level of nesting, each once, with what a
// report and a campaign need (id, department, chat id, disabled); a group
// reached only through nesting lists its own members; a DN that is no group
// is ErrNotFound, never an empty list that would read as "nobody to count".
func testGroupMembers(t *testing.T, d directory.Directory, fx Fixture) {
	gl, ok := d.(directory.GroupMemberLister)
	if !ok {
		t.Fatal("backend does not implement directory.GroupMemberLister")
	}
	members := func(t *testing.T, dn string) map[string]*directory.User {
		t.Helper()
		got, err := gl.GroupMembers(ctx(t), dn)
		if err != nil {
			t.Fatalf("GroupMembers(%s): %v", dn, err)
		}
		byName := map[string]*directory.User{}
		for _, u := range got {
			if u.ID == "" {
				t.Errorf("member without an immutable id: %+v", u)
			}
			name := strings.ToLower(u.AccountName)
			if byName[name] != nil {
				t.Errorf("%s listed twice", name)
			}
			byName[name] = u
		}
		return byName
	}
	names := func(m map[string]*directory.User) []string {
		out := make([]string, 0, len(m))
		for n := range m {
			out = append(out, n)
		}
		slices.Sort(out)
		return out
	}

	t.Run("nested", func(t *testing.T) {
		got := members(t, fx.MembersGroupDN)
		want := slices.Clone(fx.Members)
		slices.Sort(want)
		if !slices.Equal(names(got), want) {
			t.Fatalf("members of %s = %q, want %q", fx.MembersGroupDN, names(got), want)
		}
		for _, name := range fx.Members {
			u, fu := got[name], fx.user(name)
			found := mustFind(t, d, directory.ByAccountName, "", name)
			if u.ID != found.ID {
				t.Errorf("%s: id %q, Find says %q", name, u.ID, found.ID)
			}
			if u.Department != fu.Department || u.ChatIDs[fx.ChatPlatform] != fu.ChatID ||
				!strings.EqualFold(u.DN, fu.DN) || u.DisplayName != fu.DisplayName {
				t.Errorf("%s listed as %+v, want department %q, chat id %q, DN %s, name %q",
					name, u, fu.Department, fu.ChatID, fu.DN, fu.DisplayName)
			}
			if want := name == fx.DisabledUser; u.Disabled != want {
				t.Errorf("%s: Disabled = %v, want %v", name, u.Disabled, want)
			}
		}
	})
	t.Run("only through a nested group", func(t *testing.T) {
		got := members(t, fx.PrivilegedGroupDN)
		if want := []string{fx.NestedUser}; !slices.Equal(names(got), want) {
			t.Errorf("members of %s = %q, want %q (through %s)", fx.PrivilegedGroupDN, names(got), want, fx.IntermediateGroupDN)
		}
	})
	for _, dn := range []string{
		"cn=no-such-group," + parentDN(fx.PrivilegedGroupDN),
		fx.user(fx.ReadOnlyUser).DN, // an account is not a group
		"*",
		"not a dn",
		"",
	} {
		t.Run("not a group "+dn, func(t *testing.T) {
			got, err := gl.GroupMembers(ctx(t), dn)
			if !errors.Is(err, directory.ErrNotFound) {
				t.Errorf("GroupMembers(%q) = %d members, %v; want ErrNotFound", dn, len(got), err)
			}
		})
	}
}

// parentDN drops a DN's first RDN (the fixture's DNs have no escaped
// commas).
func parentDN(dn string) string {
	_, rest, _ := strings.Cut(dn, ",")
	return rest
}
