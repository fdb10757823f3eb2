package config

import (
	"strings"
	"testing"
)

// TestReportGroups: none by default; each group must be a DN, named by
// its index.
func TestReportGroups(t *testing.T) {
	c := valid(t)
	if len(c.Report.Groups) != 0 {
		t.Errorf("default report.groups = %q, want none", c.Report.Groups)
	}
	c.Report.Groups = []string{"cn=staff,ou=groups,dc=example,dc=com", "staff"}
	var got []string
	for _, p := range c.Validate() {
		if s := p.Error(); strings.Contains(s, "report.") {
			got = append(got, s)
		}
	}
	if len(got) != 1 || !strings.Contains(got[0], `report.groups[1]: "staff" is not a distinguished name`) {
		t.Errorf("report problems = %q", got)
	}
}
