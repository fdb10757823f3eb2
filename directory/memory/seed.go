package memory

import (
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/resetbot/resetbot/directory"
)

// Seed is the whole content of an in-memory directory. It is a plain value
// so that the demo, tests and examples can write their users and groups as
// Go literals, the way an administrator would describe them.
type Seed struct {
	// BaseDN is the suffix of every DN the directory hands out; users live
	// under ou=People and groups under ou=Groups. Default dc=example,dc=test.
	BaseDN string
	Users  []SeedUser
	Groups []SeedGroup
	// Policy is enforced by SetPassword (MinLength, ComplexityRequired,
	// HistoryLength) and VerifyPassword (LockoutThreshold), and reported by
	// PasswordPolicy. The new password may never contain the account name.
	Policy directory.Policy
	// MaxPasswordAge makes passwords expire that long after SetPassword
	// set them (ppolicy's pwdMaxAge, AD's maxPwdAge); zero never.
	MaxPasswordAge time.Duration
}

// SeedUser is one account. Password is hashed when the directory is built
// and the clear text is not kept.
type SeedUser struct {
	AccountName string
	DisplayName string
	Email       string
	Department  string
	Password    string
	// Aliases are further login names (more values of uid); Find by
	// account name finds the user by any of them.
	Aliases []string
	// ID is the immutable id; a random UUID is generated when empty.
	ID string
	// ChatIDs maps a chat platform ("slack", "teams", "discord") to the
	// user's id on it, so ByChatID lookups work as with an LDAP attribute.
	ChatIDs  map[string]string
	Disabled bool
	Locked   bool
	// MaxPasswordAge, when set, replaces the seed's for this account, as
	// a fine-grained password policy does on AD.
	MaxPasswordAge time.Duration
	// Policy, when set, replaces the seed's Policy for this account (a
	// fine-grained password policy on AD): SetPassword and VerifyPassword
	// enforce it and AccountPasswordPolicy reports it.
	Policy *directory.Policy
}

// SeedGroup is one group. Members are named explicitly as users or groups so
// a nested group can never be mistaken for an account of the same name.
type SeedGroup struct {
	Name string
	// Users are account names of direct members.
	Users []string
	// Groups are names of groups that are direct members (nesting).
	Groups []string
}

// exampleID is the example user's immutable id: fixed, so a test that
// runs the binary with the example company can address an account by id
// (to enroll a factor for it, say); UUID-shaped like entryUUID.
func exampleID(name string) string {
	h := sha256.Sum256([]byte("resetbot example user " + name))
	h[6] = h[6]&0x0f | 0x50
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

func withMaxAge(u SeedUser, age time.Duration) SeedUser {
	u.MaxPasswordAge = age
	return u
}

func withAliases(u SeedUser, aliases ...string) SeedUser {
	u.Aliases = aliases
	return u
}

// ExamplePassword is the initial password of every user in ExampleSeed.
const ExamplePassword = "Start-Passw0rd.1"

// ExampleSeed returns the example company used by the demo and by the
// conformance tests: the same users, groups and policy that the test
// harness provisions in OpenLDAP and Samba AD, so a demo behaves like the
// real directories.
func ExampleSeed() Seed {
	user := func(name, display, dept, chat string, disabled bool) SeedUser {
		return SeedUser{
			AccountName: name,
			DisplayName: display,
			Email:       name + "@example.test",
			Department:  dept,
			Password:    ExamplePassword,
			ChatIDs:     map[string]string{"slack": chat},
			Disabled:    disabled,
			ID:          exampleID(name),
		}
	}
	return Seed{
		BaseDN: "dc=example,dc=test",
		Users: []SeedUser{
			user("jdoe", "John Doe", "Engineering", "U0JDOE", false),
			user("pwuser", "Pat Writer", "Finance", "U0PWUSER", false),
			user("policyuser", "Polly Rules", "Finance", "U0POLICY", false),
			user("lockme", "Lee Locke", "Sales", "U0LOCKME", false),
			user("alice", "Alice Admin", "IT", "U0ALICE", false),
			user("bob", "Bob Gone", "Sales", "U0BOB", true),
			user("spare1", "Spare One", "Engineering", "U0SPARE1", false),
			user("spare2", "Spare Two", "Engineering", "U0SPARE2", false),
			withMaxAge(user("spare3", "Spare Three", "Engineering", "U0SPARE3", false), 10*24*time.Hour),
			withAliases(user("bg2", "Bea Glass", "IT", "U0BG2", false), "breakglass2"),
		},
		Groups: []SeedGroup{
			{Name: "tier0-admins", Groups: []string{"infra-team"}},
			{Name: "infra-team", Users: []string{"alice"}},
			{Name: "helpdesk", Users: []string{"jdoe"}},
			{Name: "engineering", Users: []string{"spare1", "spare2", "spare3", "bob"}},
			{Name: "staff", Users: []string{"jdoe"}, Groups: []string{"engineering", "infra-team"}},
		},
		Policy: directory.Policy{
			MinLength:          8,
			ComplexityRequired: true,
			HistoryLength:      3,
			LockoutThreshold:   3,
		},
		MaxPasswordAge: 90 * 24 * time.Hour,
	}
}
