package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/credentials"
	"github.com/resetbot/resetbot/credentials/rediscreds"
	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/internal/testenv"
)

// TestReportCommand runs the built `resetbot report` on the real Redis and
// slapd as an operator does: the counters the stats sink keeps, and the
// passkey enrollment of the nested group staff (jdoe directly, alice
// through infra-team, the spare accounts and disabled bob through
// engineering) by group and department, the same figures in text, CSV and
// JSON; --days picks the period (an event three days old is in the 7-day
// report, not in the 1-day one); --group picks other groups; a bad format
// or group is a usage error.
func TestReportCommand(t *testing.T) {
	ctx := context.Background()
	bin := resetbotBinary(t)
	rdb := redis.NewClient(&redis.Options{Addr: testenv.RequireEnv(t, "RESETBOT_TEST_REDIS_ADDR")})
	t.Cleanup(func() { rdb.Close() })
	prefix := fmt.Sprintf("rep%x", time.Now().UnixNano())
	key := bytes.Repeat([]byte{5}, 32)
	path := credsConfig(t, prefix, key, nil, nil)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const staff, engineering = "cn=staff,ou=Groups,dc=example,dc=test", "cn=engineering,ou=Groups,dc=example,dc=test"
	if err := os.WriteFile(path, append(raw, "report:\n  groups: [\""+staff+"\"]\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(path)
	if err != nil {
		t.Fatal(err)
	}

	// jdoe (Engineering) and alice (IT) have a passkey; spare2 only an
	// authenticator app, which is not a passkey.
	dir, err := openDirectory(ctx, cfg.Directory)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := rediscreds.New(rdb, rediscreds.Options{Prefix: prefix, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"jdoe", "alice", "spare2"} {
		u, err := dir.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: name})
		if err != nil {
			t.Fatal(err)
		}
		if name == "spare2" {
			err = creds.SetTOTPSecret(ctx, u.ID, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
		} else {
			pk := credentials.Passkey{Name: "phone"}
			pk.Credential.ID = []byte{byte(i), 1, 2}
			err = creds.AddPasskey(ctx, u.ID, pk)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	// The stats sink's counters: two resets requested today, one completed
	// and one expired, one unlock completed, three passkey verifications.
	// A third reset was requested three days ago: in the 7-day report,
	// not in --days 1.
	store := newStore(rdb, cfg)
	now := time.Now()
	hit := func(k string, at time.Time) {
		// How the stats sink keeps an event: with its time, for a year.
		if _, err := store.Take(ctx, k, 366*24*time.Hour, math.MaxInt32, at); err != nil {
			t.Fatal(err)
		}
	}
	for k, n := range map[string]int{
		"stats:requested:reset": 2, "stats:outcome:reset:completed": 1, "stats:outcome:reset:expired": 1,
		"stats:requested:unlock": 1, "stats:outcome:unlock:completed": 1, "stats:method:passkey": 3,
	} {
		for range n {
			hit(k, now)
		}
	}
	hit("stats:requested:reset", now.Add(-3*24*time.Hour))

	report := func(t *testing.T, args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, append(append([]string{"report"}, args...), path)...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("resetbot report %q: %v\n%s%s", args, err, stdout.String(), stderr.String())
		}
		return stdout.String()
	}

	t.Run("json", func(t *testing.T) {
		var doc bot.FiguresDocument
		if err := json.Unmarshal([]byte(report(t, "--format", "json")), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Version != 1 || doc.Days != 7 || doc.Requested["reset"] != 3 || doc.Outcomes["reset"]["completed"] != 1 ||
			doc.Outcomes["reset"]["expired"] != 1 || doc.Outcomes["unlock"]["completed"] != 1 ||
			doc.VerifiedWith["passkey"] != 3 || doc.TicketsAvoided != 2 {
			t.Errorf("counters = %+v", doc)
		}
		if _, ok := doc.Outcomes["change"]["denied"]; !ok {
			t.Error("a zero outcome is missing from the JSON; every kind and outcome must be present")
		}
		want := []bot.EnrollmentDocument{{Name: staff, Enrolled: 2, Total: 5}}
		if !slices.Equal(doc.Compliance.Groups, want) {
			t.Errorf("groups = %+v, want %+v (bob is disabled, spare2's app is no passkey)", doc.Compliance.Groups, want)
		}
		wantDept := []bot.EnrollmentDocument{{Name: "Engineering", Enrolled: 1, Total: 4}, {Name: "IT", Enrolled: 1, Total: 1}}
		if !slices.Equal(doc.Compliance.Departments, wantDept) {
			t.Errorf("departments = %+v, want %+v", doc.Compliance.Departments, wantDept)
		}
	})
	t.Run("csv", func(t *testing.T) {
		rows, err := csv.NewReader(strings.NewReader(report(t, "--format", "csv", "--days", "1", "--group", engineering, "--group", staff))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(rows[0], []string{"section", "key", "value", "total"}) {
			t.Fatalf("header = %q", rows[0])
		}
		got := map[string][]string{}
		for _, r := range rows[1:] {
			k := r[0] + "/" + r[1]
			if got[k] != nil {
				t.Errorf("row %s twice", k)
			}
			got[k] = r[2:]
		}
		for k, want := range map[string][]string{
			"requested/reset":                   {"2", ""},
			"outcome.reset/expired":             {"1", ""},
			"outcome.unlock/completed":          {"1", ""},
			"helpdesk/tickets_avoided":          {"2", ""},
			"compliance.group/" + engineering:   {"0", "3"},
			"compliance.group/" + staff:         {"2", "5"},
			"compliance.department/Engineering": {"1", "4"},
			"compliance.department/IT":          {"1", "1"},
		} {
			if !slices.Equal(got[k], want) {
				t.Errorf("%s = %q, want %q", k, got[k], want)
			}
		}
	})
	t.Run("text", func(t *testing.T) {
		out := report(t)
		for _, want := range []string{
			"Self-service report · last 7 days\n",
			"Resets: 3 requested: 1 completed, 1 expired\n",
			"Passkeys by group: staff 2/5 (40%)\n",
			"Passkeys by department: Engineering 1/4 (25%), IT 1/1 (100%)\n",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("text report lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("mistakes", func(t *testing.T) {
		for _, args := range [][]string{
			{"report", "--format", "xml", path},
			{"report", "--group", "staff", path},
			{"report", "--days", "0", path},
			{"report"},
		} {
			if code, _, stderr := runCLI(t, args...); code != 2 {
				t.Errorf("%q: exit %d, want 2 (usage)\n%s", args, code, stderr)
			}
		}
		if code, _, stderr := runCLI(t, "report", "--group", "cn=nobody,ou=Groups,dc=example,dc=test", path); code != 1 || !strings.Contains(stderr, "cn=nobody") {
			t.Errorf("an unknown group: exit %d, want 1 naming it\n%s", code, stderr)
		}
	})
}
