package main

import (
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/resetbot/resetbot/bot/slack/slackfake"
)

// identityExportRig is a config on the real slapd whose Slack chat-id
// attribute is attr, and a fake Slack with a few members: two that match
// accounts by email (one in other case), one without an account, one
// without an email, a deactivated member and a bot. Pages hold two
// members, so the export must follow users.list's cursor.
func identityExportRig(t *testing.T, attr string) (path string, fake *slackfake.Server) {
	t.Helper()
	fake = slackfake.New("xoxb-test")
	t.Cleanup(fake.Close)
	fake.SetUsersListPage(2)
	for _, u := range []slackfake.User{
		{ID: "U1JDOE", Name: "John Doe", Email: "jdoe@example.test"},
		{ID: "U2ALICE", Name: "Alice Admin", Email: "Alice@Example.test"},
		{ID: "U3NOBODY", Name: "Nobody Here", Email: "nobody@example.test"},
		{ID: "U4NOMAIL", Name: "No Mail"},
		{ID: "U5GONE", Name: "Spare One", Email: "spare1@example.test", Deleted: true},
		{ID: "U6BOT", Name: "Some Bot", Email: "spare2@example.test", Bot: true},
	} {
		fake.AddUser(u)
	}
	file := realSlapdFile(t)
	file.ChatIDAttribute, file.SlackAPI = attr, fake.APIURL()
	path = file.write(t)
	return path, fake
}

// TestIdentityExportSlackLDIF: members are listed page by page from
// users.list and matched by email against slapd; the LDIF fills the
// empty chat-id attribute of the two accounts found, and nothing else.
func TestIdentityExportSlackLDIF(t *testing.T) {
	path, fake := identityExportRig(t, "carLicense")
	fake.FailNext("users.list", 1, time.Second) // a 429 is waited out
	code, out, errOut := runCLI(t, "identity", "export", "--platform", "slack", path)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	want := "version: 1\n\n# jdoe@example.test\ndn: uid=jdoe,ou=People,dc=example,dc=test\nchangetype: modify\nreplace: carLicense\ncarLicense: U1JDOE\n-\n" +
		"\n# Alice@Example.test\ndn: uid=alice,ou=People,dc=example,dc=test\nchangetype: modify\nreplace: carLicense\ncarLicense: U2ALICE\n-\n"
	if out != want {
		t.Fatalf("LDIF:\n%s\nwant:\n%s", out, want)
	}
	if !strings.Contains(errOut, "4 members: 2 to fill, 0 already set, 1 without an email, 1 matching no account, 0 conflicts") {
		t.Fatalf("summary: %s", errOut)
	}
	pages := 0
	for _, c := range fake.Calls() {
		if c.Method == "users.list" && c.Error == "" {
			pages++
		}
	}
	if pages != 3 {
		t.Fatalf("users.list answered %d pages, want 3 (6 members, 2 a page)", pages)
	}
}

// TestIdentityExportSkipsSetAndConflictingIDs: with the attribute the
// directory already fills (employeeNumber: U0JDOE, U0ALICE), a member
// whose id differs is a conflict reported on stderr and never exported.
func TestIdentityExportSkipsSetAndConflictingIDs(t *testing.T) {
	path, _ := identityExportRig(t, "employeeNumber")
	code, out, errOut := runCLI(t, "identity", "export", "--platform", "slack", "--format", "csv", path)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(recs) != 1 || strings.Join(recs[0], ",") != "dn,account,email,attribute,value" {
		t.Fatalf("csv = %q (%v), want the header alone", out, err)
	}
	if !strings.Contains(errOut, "2 conflicts") ||
		!strings.Contains(errOut, "conflict: uid=jdoe,ou=People,dc=example,dc=test: employeeNumber holds U0JDOE, the member with email jdoe@example.test is U1JDOE") {
		t.Fatalf("stderr: %s", errOut)
	}
}

// TestIdentityExportCSV: the CSV carries the same rows as the LDIF.
func TestIdentityExportCSV(t *testing.T) {
	path, _ := identityExportRig(t, "carLicense")
	code, out, errOut := runCLI(t, "identity", "export", "--platform", "slack", "--format", "csv", path)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	want := "dn,account,email,attribute,value\n" +
		"\"uid=jdoe,ou=People,dc=example,dc=test\",jdoe,jdoe@example.test,carLicense,U1JDOE\n" +
		"\"uid=alice,ou=People,dc=example,dc=test\",alice,Alice@Example.test,carLicense,U2ALICE\n"
	if out != want {
		t.Fatalf("csv:\n%s\nwant:\n%s", out, want)
	}
	// PowerShell is for Active Directory only.
	if code, _, errOut := runCLI(t, "identity", "export", "--platform", "slack", "--format", "powershell", path); code != 1 || !strings.Contains(errOut, "for Active Directory") {
		t.Fatalf("powershell on OpenLDAP: exit %d %s", code, errOut)
	}
}

// TestIdentityExportRefusals: Teams and Discord say why not; bad flags
// are usage errors.
func TestIdentityExportRefusals(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--platform", "teams", "x.yaml"}, 1, "Microsoft Graph (GET /v1.0/users"},
		{[]string{"--platform", "discord", "x.yaml"}, 1, "no email addresses"},
		{[]string{"--platform", "irc", "x.yaml"}, 2, "want slack"},
		{[]string{"--platform", "slack", "--format", "xml", "x.yaml"}, 2, "want ldif, csv or powershell"},
		{[]string{"--platform", "slack"}, 2, "want --platform slack"},
	} {
		code, _, errOut := runCLI(t, append([]string{"identity", "export"}, tc.args...)...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, errOut, tc.code, tc.want)
		}
	}
}

// TestWriteChatIDsEscapes: values LDIF cannot carry plainly are base64,
// PowerShell strings are single-quoted with quotes doubled.
func TestWriteChatIDsEscapes(t *testing.T) {
	rows := []chatIDRow{{DN: "cn=Zoë O'Neil,ou=People,dc=x", ID: "{0f8fad5b-d9cb-469f-a165-70867728950e}", Account: "zoe", Email: "z@x", Attribute: "extensionAttribute11", Value: "U1'X"}}
	var b strings.Builder
	if err := writeChatIDs(&b, exportLDIF, "openldap", rows); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "dn:: Y249Wm/DqyBPJ05laWwsb3U9UGVvcGxlLGRjPXg=\n") {
		t.Errorf("LDIF:\n%s", b.String())
	}
	b.Reset()
	if err := writeChatIDs(&b, exportPowerShell, "activedirectory", rows); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "Set-ADUser -Identity '0f8fad5b-d9cb-469f-a165-70867728950e' -Replace @{'extensionAttribute11'='U1''X'}  # zoe\n") {
		t.Errorf("PowerShell:\n%s", b.String())
	}
	for in, want := range map[string]string{" lead": "a:: IGxlYWQ=\n", ":x": "a:: Ong=\n", "ok": "a: ok\n", "tail ": "a:: dGFpbCA=\n"} {
		if got := ldifLine("a", in); got != want {
			t.Errorf("ldifLine(%q) = %q, want %q", in, got, want)
		}
	}
}
