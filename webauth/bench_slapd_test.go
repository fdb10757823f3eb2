package webauth

import (
	"fmt"
	"testing"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/resetbot/resetbot/internal/testenv"
	"github.com/resetbot/resetbot/webauth/webauthtest"
)

// BenchmarkSlapdOperations measures slapd's CPU per operation type of a
// reset's directory budget (docs/BENCHMARKS.md, "What one reset costs"),
// each from one connection bound as the service account, with the filters
// directory/ldap's OpenLDAP dialect sends: the lookup by chat id
// (employeeNumber), the group walk's search (member or uniqueMember of the
// account), the re-read by entryUUID, the base-scope read of a DN with the
// id in the filter (the write's own resolve when no re-read proves the
// DN), and Password Modify. slapd's CPU comes from /proc/<pid>/stat in
// 10 ms ticks, so each search type runs 10 times the benchmark's count.
// It needs RESETBOT_BENCH_SLAPD_PID; scripts/bench runs it.
func BenchmarkSlapdOperations(b *testing.B) {
	ldaps := testenv.RequireEnv(b, "RESETBOT_TEST_SLAPD_LDAPS_URL")
	ca := testenv.RequireEnv(b, "RESETBOT_TEST_SLAPD_CA")
	pid := testenv.RequireEnv(b, "RESETBOT_BENCH_SLAPD_PID")
	admin := slapdAdmin(b)
	conn := adminConn(b, ldaps, ca, benchSvcDN, benchSvcPassword)
	type account struct{ dn, chat, uuid string }
	var accounts []account
	// accountsFor returns n accounts of the benchmark's own (added once,
	// removed when the whole benchmark ends, not each operation type's
	// run), with their entryUUIDs.
	parent := b
	accountsFor := func(b *testing.B, n int) []account {
		for len(accounts) < n {
			name, chat := addSlapdAccount(parent, admin)
			dn := "uid=" + name + "," + benchPeopleDN
			res, err := conn.Search(goldap.NewSearchRequest(dn, goldap.ScopeBaseObject, goldap.NeverDerefAliases,
				1, 0, false, "(objectClass=*)", []string{"entryUUID"}, nil))
			if err != nil || len(res.Entries) != 1 {
				b.Fatalf("entryUUID of %s: %v", dn, err)
			}
			accounts = append(accounts, account{dn: dn, chat: chat, uuid: res.Entries[0].GetAttributeValue("entryUUID")})
		}
		return accounts[:n]
	}
	attrs := []string{"uid", "mail", "departmentNumber", "displayName", "cn", "employeeNumber", "entryUUID", "pwdAccountLockedTime"}
	search := func(base string, scope int, filter string, attrs []string) error {
		res, err := conn.Search(goldap.NewSearchRequest(base, scope, goldap.NeverDerefAliases, 2, 0, false, filter, attrs, nil))
		if err == nil && len(res.Entries) > 1 {
			err = fmt.Errorf("%s: %d entries", filter, len(res.Entries))
		}
		return err
	}
	ops := []struct {
		name   string
		repeat int
		op     func(a account) error
	}{
		{"search-by-chat-id", 10, func(a account) error {
			return search(benchPeopleDN, goldap.ScopeWholeSubtree, "(&(objectClass=person)(employeeNumber="+a.chat+"))", attrs)
		}},
		{"groups", 10, func(a account) error {
			e := goldap.EscapeFilter(a.dn)
			return search("ou=Groups,dc=example,dc=test", goldap.ScopeWholeSubtree,
				"(&(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))(|(member="+e+")(uniqueMember="+e+")))", []string{"1.1"})
		}},
		{"search-by-entryUUID", 10, func(a account) error {
			return search(benchPeopleDN, goldap.ScopeWholeSubtree, "(&(objectClass=person)(entryUUID="+a.uuid+"))", attrs)
		}},
		{"base-read-with-id", 10, func(a account) error {
			return search(a.dn, goldap.ScopeBaseObject, "(&(objectClass=person)(entryUUID="+a.uuid+"))", attrs)
		}},
		{"password-modify", 1, func(a account) error {
			_, err := conn.PasswordModify(goldap.NewPasswordModifyRequest(a.dn, "", webauthtest.RandomPassword()))
			return err
		}},
	}
	for _, o := range ops {
		b.Run(o.name, func(b *testing.B) {
			n := b.N * o.repeat
			// Password Modify writes each account once (no password
			// history in the way); searches go round the accounts.
			as := accountsFor(b, min(n, max(b.N, 100)))
			cpu0 := procCPU(b, pid)
			b.ResetTimer()
			for i := range n {
				if err := o.op(as[i%len(as)]); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(procCPU(b, pid)-cpu0)/float64(n), "slapd-cpu-ns/op")
			b.ReportMetric(float64(n), "ops")
		})
	}
}
