package bot_test

import (
	"testing"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/bottest"
)

// TestReportShowsCompliance: "/reset report" gains passkey enrollment by
// group (nested membership resolved, disabled bob not counted) and by the
// department of those groups' members; an authenticator app alone is not
// a passkey.
func TestReportShowsCompliance(t *testing.T) {
	const staff, engineering = "cn=staff,ou=Groups,dc=example,dc=test", "cn=engineering,ou=Groups,dc=example,dc=test"
	rig, _ := newCore(t, bottest.Options{ReportGroups: []string{staff, engineering}})
	rig.SetFactors(t, "spare1", bot.FactorCount{})
	rig.SetFactors(t, "spare2", bot.FactorCount{TOTP: true})
	rig.SetFactors(t, "spare3", bot.FactorCount{})
	_, resp := command(rig, "U0JDOE", "report")
	rig.Bot.Wait()
	got := resp.Messages()
	if len(got) != 1 {
		t.Fatalf("report answers: %+v", got)
	}
	fields := map[string]string{}
	for _, f := range got[0].Fields {
		fields[f.Label] = f.Value
	}
	for label, want := range map[string]string{
		"Passkeys by group":      "staff 2/5 (40%), engineering 0/3 (0%)",
		"Passkeys by department": "Engineering 1/4 (25%), IT 1/1 (100%)",
	} {
		if fields[label] != want {
			t.Errorf("%s = %q, want %q", label, fields[label], want)
		}
	}
}
