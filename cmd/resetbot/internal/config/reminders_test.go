package config

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestReminders: off by default with the documented thresholds and time;
// when on, a bad threshold or time names its key; 389-ds, which lists
// expiring passwords from passwordExpirationTime, is accepted.
func TestReminders(t *testing.T) {
	c := valid(t)
	if c.Reminders.Enabled || !reflect.DeepEqual(c.Reminders.Days, []int{14, 7, 3, 1}) || c.Reminders.At != "09:00" {
		t.Errorf("defaults = %+v, want off, [14 7 3 1], 09:00", c.Reminders)
	}
	if at, ok := c.Reminders.TimeOfDay(); !ok || at != 9*time.Hour {
		t.Errorf("TimeOfDay = %s, %v", at, ok)
	}
	tests := []struct {
		name   string
		mutate func(c *Config)
		want   string
	}{
		{"on", func(c *Config) {}, ""},
		{"zero days", func(c *Config) { c.Reminders.Days = []int{7, 0} }, "reminders.days[1]: 0 is out of range"},
		{"a time that is not one", func(c *Config) { c.Reminders.At = "9am" }, `reminders.at: "9am" is not a time of day`},
		{"389-ds", func(c *Config) { c.Directory.Flavour = Flavour389DS }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid(t)
			c.Reminders.Enabled = true
			tt.mutate(c)
			var got []string
			for _, p := range c.Validate() {
				if s := p.Error(); strings.Contains(s, "reminders.") {
					got = append(got, s)
				}
			}
			if tt.want == "" && len(got) > 0 || tt.want != "" && (len(got) != 1 || !strings.Contains(got[0], tt.want)) {
				t.Errorf("reminder problems = %q, want %q", got, tt.want)
			}
		})
	}
}
