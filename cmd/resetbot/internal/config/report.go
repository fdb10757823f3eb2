package config

import "fmt"

// Report is what `/reset report` and `resetbot report` show beyond the
// self-service counters.
type Report struct {
	// Groups are directory groups (DNs, nested membership counts) whose
	// passkey enrollment the report shows, by group and by department of
	// their members. Empty: no compliance lines.
	Groups []string `yaml:"groups"`
}

// report checks the section: each group a DN.
func (v *validator) report() {
	for i, g := range v.c.Report.Groups {
		v.dn(fmt.Sprintf("report.groups[%d]", i), g, true)
	}
}
