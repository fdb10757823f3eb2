package config

import (
	"strings"
	"time"

	"github.com/oschwald/maxminddb-golang/v2"

	"github.com/resetbot/resetbot/flows"
)

// Risk is the risk policy: which signals are computed and what each one
// does to a flow (note, step_up or deny). Every action defaults to note,
// which changes nothing but what the helpdesk thread shows.
type Risk struct {
	// GeoIPDB is an offline MaxMind-format country database (GeoLite2 or
	// GeoIP2 Country, or any MMDB with country.iso_code); without it no
	// country signal is computed.
	GeoIPDB string `yaml:"geoip_db"`
	// NewPasskeyHours: a passkey added less than this many hours ago is
	// new (default 24).
	NewPasskeyHours int `yaml:"new_passkey_hours"`
	// Window is how far back velocity and declined caller verifications
	// count (default 24h).
	Window time.Duration `yaml:"window"`
	// Velocity are the counts within Window that make the velocity signal.
	Velocity RiskVelocity `yaml:"velocity"`
	// Countries are the allow and deny lists of the web client's country.
	Countries RiskCountries `yaml:"countries"`
	// Actions maps each signal to note, step_up or deny.
	Actions RiskActions `yaml:"actions"`
}

// RiskVelocity are the velocity thresholds; 0 turns one off.
type RiskVelocity struct {
	// AccountRequests: more requests for one account than this.
	AccountRequests int `yaml:"account_requests"`
	// AccountFailures: at least this many failed verifications of one
	// account.
	AccountFailures int `yaml:"account_failures"`
	// DepartmentRequests: more requests from one department than this.
	DepartmentRequests int `yaml:"department_requests"`
}

// RiskCountries are ISO 3166-1 alpha-2 codes.
type RiskCountries struct {
	// Allow, if not empty, are the only countries a web client may be in.
	Allow []string `yaml:"allow"`
	// Deny are countries a web client may never be in.
	Deny []string `yaml:"deny"`
}

// RiskActions is the action of each signal.
type RiskActions struct {
	NewPasskey     string `yaml:"new_passkey"`
	NewBrowser     string `yaml:"new_browser"`
	UnusualCountry string `yaml:"unusual_country"`
	DeniedCountry  string `yaml:"denied_country"`
	Velocity       string `yaml:"velocity"`
	CallerDeclined string `yaml:"caller_declined"`
}

// Risk defaults.
const (
	DefaultNewPasskeyHours = 24
	DefaultRiskWindow      = 24 * time.Hour
)

// byRule lists the actions with their rules, in the order of flows.RiskRules.
func (a *RiskActions) byRule() []struct {
	rule flows.RiskRule
	p    *string
} {
	return []struct {
		rule flows.RiskRule
		p    *string
	}{
		{flows.RiskNewPasskey, &a.NewPasskey}, {flows.RiskNewBrowser, &a.NewBrowser},
		{flows.RiskUnusualCountry, &a.UnusualCountry}, {flows.RiskDeniedCountry, &a.DeniedCountry},
		{flows.RiskVelocity, &a.Velocity}, {flows.RiskCallerDeclined, &a.CallerDeclined},
	}
}

// riskDefaults fills the unset risk keys.
func (c *Config) riskDefaults() {
	setNum(&c.Risk.NewPasskeyHours, DefaultNewPasskeyHours)
	setNum(&c.Risk.Window, DefaultRiskWindow)
	for _, a := range c.Risk.Actions.byRule() {
		setStr(a.p, string(flows.RiskNote))
	}
}

// Policy is the section as the flow engine's risk policy.
func (r Risk) Policy() flows.RiskPolicy {
	p := flows.RiskPolicy{
		NewPasskeyAge:      time.Duration(r.NewPasskeyHours) * time.Hour,
		Window:             r.Window,
		AccountRequests:    r.Velocity.AccountRequests,
		AccountFailures:    r.Velocity.AccountFailures,
		DepartmentRequests: r.Velocity.DepartmentRequests,
		AllowCountries:     r.Countries.Allow,
		DenyCountries:      r.Countries.Deny,
		Actions:            map[flows.RiskRule]flows.RiskAction{},
	}
	for _, a := range r.Actions.byRule() {
		if *a.p != "" {
			p.Actions[a.rule] = flows.RiskAction(*a.p)
		}
	}
	return p
}

// risk checks the section with the flow engine's own Validate, and that
// the country rules have a database to read countries from.
func (v *validator) risk() {
	r := v.c.Risk
	for _, e := range r.Policy().Validate() {
		key, msg, _ := strings.Cut(e.Error(), ": ")
		v.add("risk."+key, "%s", msg)
	}
	if r.GeoIPDB != "" {
		return
	}
	switch {
	case len(r.Countries.Allow) > 0:
		v.add("risk.geoip_db", "required by risk.countries.allow: set the path of a MaxMind-format country database")
	case len(r.Countries.Deny) > 0:
		v.add("risk.geoip_db", "required by risk.countries.deny: set the path of a MaxMind-format country database")
	case r.Actions.UnusualCountry != "" && r.Actions.UnusualCountry != string(flows.RiskNote):
		v.add("risk.geoip_db", "required by risk.actions.unusual_country: set the path of a MaxMind-format country database")
	}
}

// resolveRisk opens the geo database as the server will, so `config check
// -resolve` refuses a file that is missing, unreadable or not an MMDB.
func (c *Config) resolveRisk() []error {
	if c.Risk.GeoIPDB == "" {
		return nil
	}
	db, err := maxminddb.Open(c.Risk.GeoIPDB)
	if err != nil {
		return []error{c.problemErr("risk.geoip_db", err, "cannot be read as a MaxMind-format database: %v", err)}
	}
	if err := db.Close(); err != nil {
		return []error{c.problemErr("risk.geoip_db", err, "%v", err)}
	}
	return nil
}
