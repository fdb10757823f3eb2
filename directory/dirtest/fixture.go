package dirtest

import (
	"time"

	"github.com/resetbot/resetbot/directory"
)

// Password ages the test servers are provisioned with: 90 days by default
// (slapd's pwdMaxAge, Samba's maxPwdAge), and for spare3 a policy of its
// own of 10 days (Samba's fine-grained policy, the second slapd's
// pwdPolicySubentry).
const (
	fixtureMaxAge   = 90 * 24 * time.Hour
	fixtureShortAge = 10 * 24 * time.Hour
)

// Fixture describes the accounts and groups a backend under test was seeded
// with, and which account each test may use. Tests that change state use
// their own account so that the suite can run twice against one server (for
// example over LDAPS and over StartTLS) and in any order.
type Fixture struct {
	// InitialPassword is every seeded user's password before any test ran.
	InitialPassword string
	// ChatPlatform is the platform whose chat ids FixtureUser.ChatID holds.
	ChatPlatform string
	// Users are the seeded accounts whose attributes Find must return.
	Users []FixtureUser

	// ReadOnlyUser is used for lookups only; never changed.
	ReadOnlyUser string
	// SetPasswordUser gets new passwords.
	SetPasswordUser string
	// PolicyUser is sent passwords the policy must refuse.
	PolicyUser string
	// LockoutUser is locked by failed sign-ins and unlocked again.
	LockoutUser string
	// DisabledUser is an account that cannot sign in.
	DisabledUser string
	// AliasUser has more than one login name (FixtureUser.Aliases).
	AliasUser string
	// NestedUser is a member of PrivilegedGroupDN only through
	// IntermediateGroupDN (a DN each), the shape of a privileged account
	// hidden behind a team group.
	NestedUser          string
	IntermediateGroupDN string
	PrivilegedGroupDN   string

	// MembersGroupDN is a group whose members are listed through nesting
	// two ways (a group of users, a group of a group of users) beside a
	// direct member; Members are the account names
	// directory.GroupMemberLister must return for it, each once.
	MembersGroupDN string
	Members        []string

	// ExpectedPolicy is what a directory.PolicyReader must report.
	ExpectedPolicy directory.Policy
	// PasswordChangeTime is true when the backend must implement
	// directory.PasswordChangeReader (the crash reconciler's evidence).
	PasswordChangeTime bool

	// MaxPasswordAge is the default policy's maximum password age; when
	// set, the backend must implement directory.ExpiryLister. Zero: the
	// backend does not list expiring passwords (errors.ErrUnsupported).
	MaxPasswordAge time.Duration
	// ShortAgeUser is under a policy of its own (an AD fine-grained
	// policy) whose maximum age is ShortMaxAge; empty when the server
	// has none.
	ShortAgeUser string
	ShortMaxAge  time.Duration
	// NeverExpiresUser is an enabled account whose password never
	// expires (AD's DONT_EXPIRE_PASSWORD; on OpenLDAP and memory an
	// account with no change time on record): never listed.
	NeverExpiresUser string
}

// FixtureUser is one seeded account as Find must return it.
type FixtureUser struct {
	AccountName string
	DN          string
	Email       string
	DisplayName string
	Department  string
	ChatID      string
	// Aliases are further values of the login attribute: Find by account
	// name must find the user by each, and User.Is must match each.
	Aliases []string
	// OtherNames are login names that are not the login attribute (AD's
	// userPrincipalName): User.Is must match each.
	OtherNames []string
	// Groups lists DNs the user must be (transitively) a member of.
	Groups []string
}

// user returns the fixture user with the account name; the suite's own
// fixtures are consistent, so a miss is a bug in the fixture.
func (f Fixture) user(name string) FixtureUser {
	for _, u := range f.Users {
		if u.AccountName == name {
			return u
		}
	}
	panic("dirtest: fixture has no user " + name)
}

// person is one row of the shared fixture contract.
type person struct {
	name, display, dept, chat string
}

var people = []person{
	{"jdoe", "John Doe", "Engineering", "U0JDOE"},
	{"pwuser", "Pat Writer", "Finance", "U0PWUSER"},
	{"policyuser", "Polly Rules", "Finance", "U0POLICY"},
	{"lockme", "Lee Locke", "Sales", "U0LOCKME"},
	{"alice", "Alice Admin", "IT", "U0ALICE"},
	{"bob", "Bob Gone", "Sales", "U0BOB"},
	{"spare1", "Spare One", "Engineering", "U0SPARE1"},
	{"spare2", "Spare Two", "Engineering", "U0SPARE2"},
	{"spare3", "Spare Three", "Engineering", "U0SPARE3"},
	{"bg2", "Bea Glass", "IT", "U0BG2"},
}

// example builds the fixture both test servers and the memory example seed
// share, with DNs made by the flavour's naming functions.
func example(userDN func(p person) string, groupDN func(name string) string, policy directory.Policy) Fixture {
	f := Fixture{
		InitialPassword:     "Start-Passw0rd.1",
		ChatPlatform:        "slack",
		ReadOnlyUser:        "jdoe",
		SetPasswordUser:     "pwuser",
		PolicyUser:          "policyuser",
		LockoutUser:         "lockme",
		DisabledUser:        "bob",
		AliasUser:           "bg2",
		NestedUser:          "alice",
		IntermediateGroupDN: groupDN("infra-team"),
		PrivilegedGroupDN:   groupDN("tier0-admins"),
		MembersGroupDN:      groupDN("staff"),
		Members:             []string{"jdoe", "alice", "spare1", "spare2", "spare3", "bob"},
		ExpectedPolicy:      policy,
		PasswordChangeTime:  true,
		MaxPasswordAge:      fixtureMaxAge,
		NeverExpiresUser:    "jdoe",
	}
	for _, p := range people {
		u := FixtureUser{
			AccountName: p.name,
			DN:          userDN(p),
			Email:       p.name + "@example.test",
			DisplayName: p.display,
			Department:  p.dept,
			ChatID:      p.chat,
		}
		switch p.name {
		case "jdoe":
			u.Groups = []string{groupDN("helpdesk")}
		case "alice":
			u.Groups = []string{groupDN("infra-team"), groupDN("tier0-admins")}
		case "bg2":
			u.Aliases = []string{"breakglass2"}
		}
		f.Users = append(f.Users, u)
	}
	return f
}

// OpenLDAPFixture is the fixture the test harness provisions in slapd
// (uid=<name>,ou=People,dc=example,dc=test; groupOfNames under ou=Groups;
// ppolicy min length 8, history 3, lockout after 3 failures). The memory
// example seed uses the same DNs, so memory tests use it too.
func OpenLDAPFixture() Fixture {
	return example(
		func(p person) string { return "uid=" + p.name + ",ou=People,dc=example,dc=test" },
		func(g string) string { return "cn=" + g + ",ou=Groups,dc=example,dc=test" },
		directory.Policy{MinLength: 8, HistoryLength: 3, LockoutThreshold: 3},
	)
}

// OpenLDAPPerAccountFixture is OpenLDAPFixture as the harness's second
// slapd holds it: spare3 carries a pwdPolicySubentry naming a policy of
// its own whose pwdMaxAge is 10 days (its other rules are the default's).
// spare1 is under it too, for a test outside the suite.
func OpenLDAPPerAccountFixture() Fixture {
	f := OpenLDAPFixture()
	f.ShortAgeUser, f.ShortMaxAge = "spare3", fixtureShortAge
	return f
}

// MemoryFixture is OpenLDAPFixture with the memory example seed's policy,
// which also demands complexity like AD.
func MemoryFixture() Fixture {
	f := OpenLDAPFixture()
	f.ExpectedPolicy.ComplexityRequired = true
	f.ShortAgeUser, f.ShortMaxAge = "spare3", fixtureShortAge
	return f
}

// ActiveDirectoryFixture is the fixture the test harness provisions in
// Samba AD (CN=<Display Name>,OU=People,DC=example,DC=test; global groups
// under OU=Groups; complexity on, min length 8, history 3, lockout 3). The
// expected policy has no history: Samba advertises no policy-hints control,
// so its history does not apply to resets and the policy must not claim it.
// sAMAccountName is single-valued, so the alias user has one; every user's
// userPrincipalName <name>@example.test is their second name.
func ActiveDirectoryFixture() Fixture {
	f := example(
		func(p person) string { return "CN=" + p.display + ",OU=People,DC=example,DC=test" },
		func(g string) string { return "CN=" + g + ",OU=Groups,DC=example,DC=test" },
		directory.Policy{MinLength: 8, ComplexityRequired: true, HistoryLength: 0, LockoutThreshold: 3},
	)
	f.ShortAgeUser, f.ShortMaxAge = "spare3", fixtureShortAge
	f.NeverExpiresUser = "spare1"
	for i := range f.Users {
		f.Users[i].Aliases = nil
		f.Users[i].OtherNames = []string{f.Users[i].AccountName + "@example.test"}
	}
	return f
}
