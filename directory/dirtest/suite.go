// Package dirtest is the one conformance suite every directory backend must
// pass: the memory directory in plain unit tests, and the LDAP backend
// against a real slapd and a real Samba AD. Sharing one suite is what makes
// the memory directory a trustworthy stand-in for the demo and the flows'
// tests, and what keeps the two LDAP flavours behaving alike.
package dirtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/resetbot/resetbot/directory"
)

// Run runs the conformance suite. newDir returns a directory connected to a
// backend seeded as fx describes; it is called once per sub-test and should
// register its own cleanup. The suite changes the passwords of
// fx.SetPasswordUser and leaves fx.LockoutUser unlocked, so it can run again against
// the same server.
func Run(t *testing.T, newDir func(t *testing.T) directory.Directory, fx Fixture) {
	t.Run("Find", func(t *testing.T) { testFind(t, newDir(t), fx) })
	t.Run("NotFound", func(t *testing.T) { testNotFound(t, newDir(t), fx) })
	t.Run("SetPassword", func(t *testing.T) { testSetPassword(t, newDir(t), fx) })
	t.Run("PolicyViolation", func(t *testing.T) { testPolicyViolation(t, newDir(t), fx) })
	t.Run("History", func(t *testing.T) { testHistory(t, newDir(t), fx) })
	t.Run("LockoutAndUnlock", func(t *testing.T) { testLockout(t, newDir(t), fx) })
	t.Run("EveryName", func(t *testing.T) { testEveryName(t, newDir(t), fx) })
	t.Run("NestedGroups", func(t *testing.T) { testNested(t, newDir(t), fx) })
	t.Run("Disabled", func(t *testing.T) { testDisabled(t, newDir(t), fx) })
	t.Run("UnknownUserWrites", func(t *testing.T) { testUnknownUserWrites(t, newDir(t), fx) })
	t.Run("StaleDN", func(t *testing.T) { testStaleDN(t, newDir(t), fx) })
	t.Run("CancelledContext", func(t *testing.T) { testCancelled(t, newDir(t), fx) })
	t.Run("ConcurrentFinds", func(t *testing.T) { testConcurrentFinds(t, newDir(t), fx) })
	t.Run("PasswordPolicy", func(t *testing.T) { testPasswordPolicy(t, newDir(t), fx) })
	t.Run("PasswordChangedAt", func(t *testing.T) { testPasswordChangedAt(t, newDir(t), fx) })
	t.Run("PasswordsExpiringBefore", func(t *testing.T) { testExpiring(t, newDir(t), fx) })
	t.Run("GroupMembers", func(t *testing.T) { testGroupMembers(t, newDir(t), fx) })
}

// ctx bounds each step; a hung backend fails the test instead of the run.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func mustFind(t *testing.T, d directory.Directory, kind directory.LookupKind, platform, value string) *directory.User {
	t.Helper()
	u, err := d.Find(ctx(t), directory.Lookup{Kind: kind, Platform: platform, Value: value})
	if err != nil {
		t.Fatalf("Find(%s %q): %v", kind, value, err)
	}
	return u
}

func testFind(t *testing.T, d directory.Directory, fx Fixture) {
	for _, want := range fx.Users {
		t.Run(want.AccountName, func(t *testing.T) {
			byAccount := mustFind(t, d, directory.ByAccountName, "", want.AccountName)
			if byAccount.ID == "" {
				t.Fatal("Find returned an empty immutable ID")
			}
			lookups := []struct {
				name string
				l    directory.Lookup
			}{
				{"account", directory.Lookup{Kind: directory.ByAccountName, Value: want.AccountName}},
				{"account upper case", directory.Lookup{Kind: directory.ByAccountName, Value: strings.ToUpper(want.AccountName)}},
				{"email", directory.Lookup{Kind: directory.ByEmail, Value: want.Email}},
				{"chat id", directory.Lookup{Kind: directory.ByChatID, Platform: fx.ChatPlatform, Value: want.ChatID}},
				{"id", directory.Lookup{Kind: directory.ByID, Value: byAccount.ID}},
				{"id upper case", directory.Lookup{Kind: directory.ByID, Value: strings.ToUpper(byAccount.ID)}},
			}
			for _, tc := range lookups {
				t.Run(tc.name, func(t *testing.T) {
					got, err := d.Find(ctx(t), tc.l)
					if err != nil {
						t.Fatalf("Find: %v", err)
					}
					checkUser(t, got, want, fx.ChatPlatform)
					if got.ID != byAccount.ID {
						t.Errorf("ID = %q, want %q (same as by account name)", got.ID, byAccount.ID)
					}
				})
			}
		})
	}
}

func checkUser(t *testing.T, got *directory.User, want FixtureUser, platform string) {
	t.Helper()
	fields := []struct{ name, got, want string }{
		{"ChatIDs[" + platform + "]", got.ChatIDs[platform], want.ChatID},
		{"AccountName", strings.ToLower(got.AccountName), strings.ToLower(want.AccountName)},
		{"DN", strings.ToLower(got.DN), strings.ToLower(want.DN)},
		{"Email", strings.ToLower(got.Email), strings.ToLower(want.Email)},
		{"DisplayName", got.DisplayName, want.DisplayName},
		{"Department", got.Department, want.Department},
	}
	for _, f := range fields {
		if f.got != f.want {
			t.Errorf("%s = %q, want %q", f.name, f.got, f.want)
		}
	}
	for _, g := range want.Groups {
		if !got.MemberOf(g) {
			t.Errorf("not a member of %s; groups: %q", g, got.Groups)
		}
	}
}

func testNotFound(t *testing.T, d directory.Directory, fx Fixture) {
	ro := fx.user(fx.ReadOnlyUser)
	// Injection attempts must be escaped into literal values that match
	// nobody; wildcard matching would find one or many users.
	injections := []string{
		"*",
		ro.AccountName + ")(uid=*",
		ro.AccountName + ")(sAMAccountName=*",
		"*)(|(objectClass=*",
		ro.AccountName[:2] + "*",
		ro.AccountName + "*",
		`\2a`,
		ro.AccountName + "\x00",
		ro.AccountName + "\x00x",
		ro.AccountName + "\xff",
		"(objectClass=*)",
	}
	type tc struct {
		name string
		l    directory.Lookup
	}
	cases := []tc{
		{"unknown account", directory.Lookup{Kind: directory.ByAccountName, Value: "nobody-here"}},
		{"unknown email", directory.Lookup{Kind: directory.ByEmail, Value: "nobody@example.test"}},
		{"unknown chat id", directory.Lookup{Kind: directory.ByChatID, Platform: fx.ChatPlatform, Value: "U0NOBODY"}},
		{"chat id on another platform", directory.Lookup{Kind: directory.ByChatID, Platform: "no-such-platform", Value: ro.ChatID}},
		{"unknown id", directory.Lookup{Kind: directory.ByID, Value: "6f1c2b9e-3d4a-4b5c-8d7e-0123456789ab"}},
		{"malformed id", directory.Lookup{Kind: directory.ByID, Value: "not-a-uuid"}},
		{"empty account", directory.Lookup{Kind: directory.ByAccountName, Value: ""}},
		{"empty email", directory.Lookup{Kind: directory.ByEmail, Value: ""}},
		{"display name is not a key", directory.Lookup{Kind: directory.ByAccountName, Value: ro.DisplayName}},
		{"unknown kind", directory.Lookup{Kind: directory.LookupKind(99), Value: ro.AccountName}},
	}
	for _, inj := range injections {
		cases = append(cases,
			tc{"account " + inj, directory.Lookup{Kind: directory.ByAccountName, Value: inj}},
			tc{"email " + inj, directory.Lookup{Kind: directory.ByEmail, Value: inj}},
			tc{"chat id " + inj, directory.Lookup{Kind: directory.ByChatID, Platform: fx.ChatPlatform, Value: inj}},
			tc{"id " + inj, directory.Lookup{Kind: directory.ByID, Value: inj}},
		)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u, err := d.Find(ctx(t), c.l)
			if !errors.Is(err, directory.ErrNotFound) {
				t.Fatalf("Find = %+v, %v; want ErrNotFound", u, err)
			}
		})
	}
}

// freshPassword returns a password no earlier run can have used, that meets
// every fixture policy (length, three character classes, no account name).
func freshPassword(t *testing.T) string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return "Rb-" + hex.EncodeToString(b[:]) + "-Qz9"
}

func testSetPassword(t *testing.T, d directory.Directory, fx Fixture) {
	u := mustFind(t, d, directory.ByAccountName, "", fx.SetPasswordUser)
	first, second := freshPassword(t), freshPassword(t)

	if err := d.SetPassword(ctx(t), u, first); err != nil {
		t.Fatalf("SetPassword(first): %v", err)
	}
	if err := d.VerifyPassword(ctx(t), u, first); err != nil {
		t.Fatalf("VerifyPassword(first) after setting it: %v", err)
	}
	if err := d.SetPassword(ctx(t), u, second); err != nil {
		t.Fatalf("SetPassword(second): %v", err)
	}
	for _, old := range []string{first, fx.InitialPassword} {
		err := d.VerifyPassword(ctx(t), u, old)
		if !errors.Is(err, directory.ErrInvalidCredentials) {
			t.Errorf("VerifyPassword(old password) = %v, want ErrInvalidCredentials", err)
		}
		if err != nil && strings.Contains(err.Error(), old) {
			t.Errorf("error contains the password: %v", err)
		}
	}
	// A good sign-in last also resets the failure count the two checks
	// above added, so later runs do not lock this account.
	if err := d.VerifyPassword(ctx(t), u, second); err != nil {
		t.Fatalf("VerifyPassword(second): %v", err)
	}
	if err := d.VerifyPassword(ctx(t), u, ""); !errors.Is(err, directory.ErrInvalidCredentials) {
		t.Errorf("VerifyPassword(empty) = %v, want ErrInvalidCredentials (an empty password must never be an anonymous bind)", err)
	}
}

func testPolicyViolation(t *testing.T, d directory.Directory, fx Fixture) {
	u := mustFind(t, d, directory.ByAccountName, "", fx.PolicyUser)
	for _, weak := range []string{"abc", "zq", "1234567"} {
		t.Run(weak, func(t *testing.T) {
			err := d.SetPassword(ctx(t), u, weak)
			if !errors.Is(err, directory.ErrPasswordPolicy) {
				t.Fatalf("SetPassword(%q) = %v, want ErrPasswordPolicy", weak, err)
			}
			var pe *directory.PolicyError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *directory.PolicyError", err)
			}
			if len(pe.Reason) < 10 || !strings.HasSuffix(pe.Reason, ".") {
				t.Errorf("Reason %q is not a readable sentence", pe.Reason)
			}
			if strings.Contains(err.Error(), weak) || strings.Contains(pe.Reason, weak) {
				t.Errorf("error %q contains the password", err)
			}
		})
	}
	if err := d.VerifyPassword(ctx(t), u, fx.InitialPassword); err != nil {
		t.Errorf("the refused passwords changed something: VerifyPassword(initial) = %v", err)
	}
}

func testLockout(t *testing.T, d directory.Directory, fx Fixture) {
	if fx.ExpectedPolicy.LockoutThreshold == 0 {
		t.Skip("fixture has no lockout threshold")
	}
	u := mustFind(t, d, directory.ByAccountName, "", fx.LockoutUser)
	t.Cleanup(func() { _ = d.Unlock(context.Background(), u) })
	if u.Locked {
		t.Fatalf("%s is locked before the test", fx.LockoutUser)
	}
	for i := range fx.ExpectedPolicy.LockoutThreshold {
		err := d.VerifyPassword(ctx(t), u, "Wrong-Passw0rd."+string(rune('a'+i)))
		if !errors.Is(err, directory.ErrInvalidCredentials) {
			t.Fatalf("bad VerifyPassword #%d = %v, want ErrInvalidCredentials", i+1, err)
		}
	}
	locked := mustFind(t, d, directory.ByAccountName, "", fx.LockoutUser)
	if !locked.Locked {
		t.Fatalf("after %d bad passwords Locked = false", fx.ExpectedPolicy.LockoutThreshold)
	}
	if locked.Disabled {
		t.Errorf("a lockout made the account Disabled")
	}
	if err := d.VerifyPassword(ctx(t), u, fx.InitialPassword); !errors.Is(err, directory.ErrInvalidCredentials) {
		t.Fatalf("VerifyPassword(right password) while locked = %v, want ErrInvalidCredentials", err)
	}
	if err := d.Unlock(ctx(t), locked); err != nil {
		t.Fatalf("Unlock: %v", err)
	}
	unlocked := mustFind(t, d, directory.ByAccountName, "", fx.LockoutUser)
	if unlocked.Locked {
		t.Fatal("after Unlock Locked = true")
	}
	if err := d.VerifyPassword(ctx(t), unlocked, fx.InitialPassword); err != nil {
		t.Fatalf("VerifyPassword after Unlock: %v", err)
	}
	if err := d.Unlock(ctx(t), unlocked); err != nil {
		t.Errorf("Unlock of an account that is not locked: %v", err)
	}
}

// testEveryName: an account is known by every login name it has, by its DN
// and by its immutable id, so a rule naming an account (break-glass) holds
// whichever of them an administrator wrote down.
func testEveryName(t *testing.T, d directory.Directory, fx Fixture) {
	for _, want := range fx.Users {
		t.Run(want.AccountName, func(t *testing.T) {
			u := mustFind(t, d, directory.ByAccountName, "", want.AccountName)
			refs := []string{want.AccountName, strings.ToUpper(want.AccountName), want.DN, strings.ToUpper(want.DN), u.ID, strings.ToUpper(u.ID)}
			refs = append(append(refs, want.Aliases...), want.OtherNames...)
			for _, ref := range refs {
				if !u.Is(ref) {
					t.Errorf("Is(%q) = false; Names %q, DN %q, ID %q", ref, u.Names, u.DN, u.ID)
				}
			}
			for _, alias := range want.Aliases {
				got := mustFind(t, d, directory.ByAccountName, "", alias)
				if got.ID != u.ID {
					t.Errorf("Find(account %q) = %s, want %s (the same account)", alias, got.ID, u.ID)
				}
				if !got.Is(want.AccountName) {
					t.Errorf("found by alias %q, Is(%q) = false; Names %q", alias, want.AccountName, got.Names)
				}
			}
			for _, other := range fx.Users {
				if other.AccountName == want.AccountName {
					continue
				}
				for _, ref := range append([]string{other.AccountName, other.DN}, other.Aliases...) {
					if u.Is(ref) {
						t.Errorf("Is(%q) = true for another account", ref)
					}
				}
			}
			if u.Is("") {
				t.Error(`Is("") = true`)
			}
		})
	}
	if len(fx.user(fx.AliasUser).Aliases)+len(fx.user(fx.AliasUser).OtherNames) == 0 {
		t.Errorf("fixture alias user %s has a single name", fx.AliasUser)
	}
}

func testNested(t *testing.T, d directory.Directory, fx Fixture) {
	tests := []struct {
		name    string
		account string
		group   string
		want    bool
	}{
		{"direct membership", fx.NestedUser, fx.IntermediateGroupDN, true},
		{"nested membership", fx.NestedUser, fx.PrivilegedGroupDN, true},
		{"no membership", fx.ReadOnlyUser, fx.PrivilegedGroupDN, false},
		{"no membership of intermediate", fx.ReadOnlyUser, fx.IntermediateGroupDN, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := mustFind(t, d, directory.ByAccountName, "", tc.account)
			if got := u.MemberOf(tc.group); got != tc.want {
				t.Errorf("%s MemberOf(%s) = %v, want %v; groups: %q", tc.account, tc.group, got, tc.want, u.Groups)
			}
		})
	}
}

func testDisabled(t *testing.T, d directory.Directory, fx Fixture) {
	tests := []struct {
		account string
		want    bool
	}{
		{fx.DisabledUser, true},
		{fx.ReadOnlyUser, false},
		{fx.NestedUser, false},
	}
	for _, tc := range tests {
		t.Run(tc.account, func(t *testing.T) {
			u := mustFind(t, d, directory.ByAccountName, "", tc.account)
			if u.Disabled != tc.want {
				t.Errorf("Disabled = %v, want %v", u.Disabled, tc.want)
			}
		})
	}
	bob := mustFind(t, d, directory.ByAccountName, "", fx.DisabledUser)
	if err := d.VerifyPassword(ctx(t), bob, fx.InitialPassword); !errors.Is(err, directory.ErrInvalidCredentials) {
		t.Errorf("VerifyPassword of a disabled account = %v, want ErrInvalidCredentials", err)
	}
}

func testUnknownUserWrites(t *testing.T, d directory.Directory, fx Fixture) {
	// A User whose immutable id matches nothing: the account was deleted (or
	// replaced by another one with the same name) after Find.
	ro := mustFind(t, d, directory.ByAccountName, "", fx.ReadOnlyUser)
	ghost := *ro
	ghost.ID = "6f1c2b9e-3d4a-4b5c-8d7e-0123456789ab"
	ops := []struct {
		name string
		do   func() error
	}{
		{"SetPassword", func() error { return d.SetPassword(ctx(t), &ghost, freshPassword(t)) }},
		{"Unlock", func() error { return d.Unlock(ctx(t), &ghost) }},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			if err := op.do(); !errors.Is(err, directory.ErrNotFound) {
				t.Errorf("%s(user with unknown id) = %v, want ErrNotFound", op.name, err)
			}
		})
	}
	if err := d.VerifyPassword(ctx(t), ro, fx.InitialPassword); err != nil {
		t.Errorf("the write to the ghost reached the real account: VerifyPassword = %v", err)
	}
}

// testStaleDN: the account was renamed, or its DN given to another entry,
// after Find. A write goes to the account with the user's immutable id,
// wherever it lives now, never to whatever the old DN names.
func testStaleDN(t *testing.T, d directory.Directory, fx Fixture) {
	target := mustFind(t, d, directory.ByAccountName, "", fx.SetPasswordUser)
	other := mustFind(t, d, directory.ByAccountName, "", fx.ReadOnlyUser)
	parent := target.DN[strings.IndexByte(target.DN, ',')+1:]
	cases := []struct{ name, dn string }{
		{"another account's DN", other.DN},
		{"a DN nothing has", "cn=renamed-away-" + strings.ToLower(rand.Text()[:8]) + "," + parent},
		{"a DN outside the user base", "cn=elsewhere,dc=invalid"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stale := *target
			stale.DN = c.dn
			pw := freshPassword(t)
			if err := d.SetPassword(ctx(t), &stale, pw); err != nil {
				t.Fatalf("SetPassword with a stale DN: %v", err)
			}
			if err := d.VerifyPassword(ctx(t), target, pw); err != nil {
				t.Fatalf("the account with the id did not get the password: %v", err)
			}
		})
	}
	// A write right after a re-read by id (what a reset does) goes to
	// the DN that re-read found, never to another DN the caller passes.
	t.Run("after a re-read by id", func(t *testing.T) {
		reread := mustFind(t, d, directory.ByID, "", target.ID)
		stale := *reread
		stale.DN = other.DN
		pw := freshPassword(t)
		if err := d.SetPassword(ctx(t), &stale, pw); err != nil {
			t.Fatalf("SetPassword with a stale DN after a re-read: %v", err)
		}
		if err := d.VerifyPassword(ctx(t), target, pw); err != nil {
			t.Fatalf("the account with the id did not get the password: %v", err)
		}
	})
	if err := d.VerifyPassword(ctx(t), other, fx.InitialPassword); err != nil {
		t.Errorf("the write reached the account at the stale DN: VerifyPassword = %v", err)
	}
}

func testCancelled(t *testing.T, d directory.Directory, fx Fixture) {
	c, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := d.Find(c, directory.Lookup{Kind: directory.ByAccountName, Value: fx.ReadOnlyUser})
	if !errors.Is(err, directory.ErrUnavailable) {
		t.Errorf("Find with a cancelled context = %v, want ErrUnavailable", err)
	}
}

func testConcurrentFinds(t *testing.T, d directory.Directory, fx Fixture) {
	const workers, rounds = 8, 5
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				want := fx.Users[(w+r)%len(fx.Users)]
				u, err := d.Find(ctx(t), directory.Lookup{Kind: directory.ByEmail, Value: want.Email})
				switch {
				case err != nil:
					errs <- err
				case !strings.EqualFold(u.AccountName, want.AccountName):
					errs <- errors.New("Find(" + want.Email + ") returned " + u.AccountName)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func testPasswordPolicy(t *testing.T, d directory.Directory, fx Fixture) {
	pr, ok := d.(directory.PolicyReader)
	if !ok {
		t.Skip("backend does not implement directory.PolicyReader")
	}
	got, err := pr.PasswordPolicy(ctx(t))
	if err != nil {
		t.Fatalf("PasswordPolicy: %v", err)
	}
	if got != fx.ExpectedPolicy {
		t.Errorf("PasswordPolicy = %+v, want %+v", got, fx.ExpectedPolicy)
	}
}
