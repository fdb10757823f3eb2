package config

import (
	"fmt"
	"slices"
	"time"
)

// Reminders are password-expiry reminders by chat: a daily job (one
// replica runs it, by a Redis lease) DMs each account's owner when the
// password expires within one of Days, at most once per threshold.
// Off unless enabled.
type Reminders struct {
	Enabled bool `yaml:"enabled"`
	// Days are the thresholds in days before expiry (default 14, 7, 3, 1).
	Days []int `yaml:"days"`
	// At is the time of day, "15:04" in helpdesk.timezone, the job runs
	// (default 09:00).
	At string `yaml:"at"`
}

// Reminder defaults.
var DefaultReminderDays = []int{14, 7, 3, 1}

// DefaultReminderAt is the default time of the daily run.
const DefaultReminderAt = "09:00"

// maxReminderDays bounds a threshold: a year is already longer than any
// sensible maximum password age.
const maxReminderDays = 366

// reminderDefaults fills the unset reminder keys.
func (c *Config) reminderDefaults() {
	if len(c.Reminders.Days) == 0 {
		c.Reminders.Days = slices.Clone(DefaultReminderDays)
	}
	setStr(&c.Reminders.At, DefaultReminderAt)
}

// TimeOfDay is At as the time since midnight; ok is false when At is not
// "HH:MM".
func (r Reminders) TimeOfDay() (time.Duration, bool) {
	t, err := time.Parse("15:04", r.At)
	if err != nil {
		return 0, false
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, true
}

// reminders checks the section when it is on. Every directory flavour
// lists expiring passwords.
func (v *validator) reminders() {
	r := v.c.Reminders
	if !r.Enabled {
		return
	}
	for i, d := range r.Days {
		if d < 1 || d > maxReminderDays {
			v.add(fmt.Sprintf("reminders.days[%d]", i), "%d is out of range 1..%d", d, maxReminderDays)
		}
	}
	if _, ok := r.TimeOfDay(); !ok {
		v.add("reminders.at", "%q is not a time of day like 09:00", r.At)
	}
}
