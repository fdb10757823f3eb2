package config

import (
	"fmt"
	"regexp"
	"time"

	"github.com/resetbot/resetbot/internal/i18n"
)

// Campaign is one enrollment campaign: the members of a directory group
// who have no passkey get a private message asking them to add one, on a
// schedule, at most once per RemindEveryDays per person, until they do.
// One replica runs each scheduled run, by a Redis lease.
type Campaign struct {
	// Name identifies the campaign in the report, logs and Redis keys:
	// lower-case letters, digits and dashes.
	Name string `yaml:"name"`
	// Group is the directory group (DN; nested membership counts).
	Group string `yaml:"group"`
	// Every is the schedule: an interval ("24h", at least 1h) or a daily
	// time "HH:MM" in helpdesk.timezone.
	Every string `yaml:"every"`
	// Message is a catalogue id (each person gets it in their language)
	// or the text itself. Default chat.campaign.body.
	Message string `yaml:"message"`
	// RemindEveryDays is the least number of days between two messages to
	// one person. Default 7.
	RemindEveryDays int `yaml:"remind_every_days"`
	// IncludePrivileged also messages members of directory.privileged_groups
	// (default false). Break-glass accounts are never messaged.
	IncludePrivileged bool `yaml:"include_privileged"`
}

// DefaultRemindEveryDays is a campaign's default spacing per person.
const DefaultRemindEveryDays = 7

// minCampaignEvery bounds an interval schedule: more often than hourly
// only re-reads the group.
const minCampaignEvery = time.Hour

// campaignNamePattern is the shape of a name (it is part of Redis keys).
var campaignNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// catalogueID is the shape of a catalogue id ("chat.campaign.body"): a
// message of that shape that the catalogue lacks is a typo, which would
// otherwise be sent to everyone as it is.
var catalogueID = regexp.MustCompile(`^[a-z]+(\.[a-z0-9_]+)+$`)

// campaignDefaults fills each campaign's unset keys.
func (c *Config) campaignDefaults() {
	for i := range c.Campaigns {
		if c.Campaigns[i].RemindEveryDays == 0 {
			c.Campaigns[i].RemindEveryDays = DefaultRemindEveryDays
		}
	}
}

// Schedule is Every as an interval, or as a time of day (daily true).
func (c Campaign) Schedule() (every, at time.Duration, daily, ok bool) {
	if t, err := time.Parse("15:04", c.Every); err == nil {
		return 0, time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, true, true
	}
	d, err := time.ParseDuration(c.Every)
	if err != nil || d < minCampaignEvery {
		return 0, 0, false, false
	}
	return d, 0, false, true
}

// campaigns checks every campaign: a unique name, a group DN, a schedule
// and a spacing in range.
func (v *validator) campaigns() {
	seen := map[string]bool{}
	for i, c := range v.c.Campaigns {
		p := fmt.Sprintf("campaigns[%d]", i)
		switch {
		case !campaignNamePattern.MatchString(c.Name):
			v.add(p+".name", "%q: use lower-case letters, digits and dashes (it names the campaign in Redis keys)", c.Name)
		case seen[c.Name]:
			v.add(p+".name", "%q is the name of an earlier campaign", c.Name)
		}
		seen[c.Name] = true
		v.dn(p+".group", c.Group, true)
		if _, _, _, ok := c.Schedule(); !ok {
			v.add(p+".every", "%q is neither an interval of at least %s (24h) nor a time of day (09:30)", c.Every, minCampaignEvery)
		}
		if catalogueID.MatchString(c.Message) && i18n.For("en").T(c.Message) == c.Message {
			v.add(p+".message", "%q is no catalogue id: name one (chat.campaign.body) or write the text itself", c.Message)
		}
		if c.RemindEveryDays < 1 || c.RemindEveryDays > maxReminderDays {
			v.add(p+".remind_every_days", "%d is out of range 1..%d", c.RemindEveryDays, maxReminderDays)
		}
	}
}
