package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/geoiptest"
)

// TestRiskDefaults: every action is note, the window a day, a passkey new
// for 24 hours, no velocity count; the engine's policy says the same.
func TestRiskDefaults(t *testing.T) {
	c := valid(t)
	p := c.Risk.Policy()
	if p.NewPasskeyAge != 24*time.Hour || p.Window != 24*time.Hour || p.AccountRequests != 0 || p.AccountFailures != 0 || p.DepartmentRequests != 0 {
		t.Fatalf("policy %+v", p)
	}
	for _, rule := range flows.RiskRules {
		if a := p.Action(rule); a != flows.RiskNote {
			t.Errorf("%s defaults to %s, want note", rule, a)
		}
	}
}

func TestRiskValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(r *Risk)
		want   string
	}{
		{"valid", func(r *Risk) {}, ""},
		{"actions", func(r *Risk) { r.Actions.Velocity = "block" }, `risk.actions.velocity: "block" is not one of note, step_up, deny`},
		{"step up", func(r *Risk) { r.Actions.NewBrowser = "step_up"; r.Actions.CallerDeclined = "deny" }, ""},
		{"window", func(r *Risk) { r.Window = time.Second }, "risk.window: 1s is out of range"},
		{"negative velocity", func(r *Risk) { r.Velocity.DepartmentRequests = -1 }, "risk.velocity.department_requests: -1 is negative"},
		{"country code", func(r *Risk) { r.GeoIPDB = "/x.mmdb"; r.Countries.Deny = []string{"KP", "Germany"} }, `risk.countries.deny[1]: "Germany" is not an ISO 3166-1 alpha-2`},
		{"both lists", func(r *Risk) {
			r.GeoIPDB = "/x.mmdb"
			r.Countries.Allow = []string{"DE"}
			r.Countries.Deny = []string{"DE"}
		}, "risk.countries.allow[0]: DE is on the deny list too"},
		{"lists need a database", func(r *Risk) { r.Countries.Deny = []string{"KP"} }, "risk.geoip_db: required by risk.countries.deny"},
		{"unusual country needs a database", func(r *Risk) { r.Actions.UnusualCountry = "deny" }, "risk.geoip_db: required by risk.actions.unusual_country"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := valid(t)
			tc.mutate(&c.Risk)
			probs := c.Validate()
			if tc.want == "" {
				if len(probs) != 0 {
					t.Fatalf("problems: %v", probs)
				}
				return
			}
			if len(probs) != 1 || !strings.Contains(probs[0].Error(), tc.want) {
				t.Fatalf("problems %v; want one with %q", probs, tc.want)
			}
		})
	}
}

// TestRiskGeoIPResolved: a load that resolves (config check -resolve,
// serve) opens risk.geoip_db as a MaxMind database and names the key when
// it cannot; an offline check does not look.
func TestRiskGeoIPResolved(t *testing.T) {
	garbage := filepath.Join(t.TempDir(), "not.mmdb")
	if err := os.WriteFile(garbage, []byte("not a database"), 0o600); err != nil {
		t.Fatal(err)
	}
	good := geoiptest.WriteCountryDB(t, map[string]string{"192.0.2.0/24": "DE"})
	for name, tc := range map[string]struct {
		path string
		ok   bool
	}{
		"missing":            {filepath.Join(t.TempDir(), "absent.mmdb"), false},
		"garbage":            {garbage, false},
		"a MaxMind database": {good, true},
	} {
		t.Run(name, func(t *testing.T) {
			yaml := minimal + "risk:\n  geoip_db: " + tc.path + "\n"
			_, err := LoadBytes([]byte(yaml), Options{LookupEnv: testEnv(nil)})
			if tc.ok {
				if err != nil {
					t.Fatalf("load: %v", err)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), "risk.geoip_db") {
				t.Fatalf("load = %v; want a problem naming risk.geoip_db", err)
			}
			if _, err := LoadBytes([]byte(yaml), Options{Offline: true, LookupEnv: testEnv(nil)}); err != nil {
				t.Fatalf("offline load looked at the file: %v", err)
			}
		})
	}
}
