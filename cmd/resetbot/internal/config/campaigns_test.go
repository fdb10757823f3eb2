package config

import (
	"strings"
	"testing"
	"time"
)

// TestCampaigns: remind_every_days defaults to 7; every is an interval of
// at least an hour or a time of day; each mistake names its key.
func TestCampaigns(t *testing.T) {
	good := Campaign{Name: "all", Group: "cn=staff,dc=example,dc=com", Every: "24h"}
	tests := []struct {
		name string
		c    []Campaign
		want []string
	}{
		{"good", []Campaign{good}, nil},
		{"daily", []Campaign{{Name: "d", Group: good.Group, Every: "09:30"}}, nil},
		{"bad name", []Campaign{{Name: "All Staff", Group: good.Group, Every: "24h"}}, []string{`campaigns[0].name: "All Staff"`}},
		{"duplicate", []Campaign{good, good}, []string{`campaigns[1].name: "all" is the name of an earlier campaign`}},
		{"no group", []Campaign{{Name: "x", Every: "24h"}}, []string{"campaigns[0].group: required"}},
		{"too often", []Campaign{{Name: "x", Group: good.Group, Every: "10m"}}, []string{`campaigns[0].every: "10m"`}},
		{"catalogue id", []Campaign{{Name: "x", Group: good.Group, Every: "24h", Message: "chat.campaign.body"}}, nil},
		{"text", []Campaign{{Name: "x", Group: good.Group, Every: "24h", Message: "Please add a passkey."}}, nil},
		{"unknown id", []Campaign{{Name: "x", Group: good.Group, Every: "24h", Message: "chat.campaign.bdy"}}, []string{`campaigns[0].message: "chat.campaign.bdy" is no catalogue id`}},
		{"spacing", []Campaign{{Name: "x", Group: good.Group, Every: "24h", RemindEveryDays: 400}}, []string{"campaigns[0].remind_every_days: 400 is out of range"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid(t)
			c.Campaigns = tt.c
			c.campaignDefaults()
			var got []string
			for _, p := range c.Validate() {
				if s := p.Error(); strings.Contains(s, "campaigns[") {
					got = append(got, s)
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("problems = %q, want %q", got, tt.want)
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %q does not say %q", got[i], w)
				}
			}
		})
	}
	c := Campaign{Every: "09:30"}
	if every, at, daily, ok := c.Schedule(); !ok || !daily || every != 0 || at != 9*time.Hour+30*time.Minute {
		t.Errorf("Schedule(09:30) = %s %s %v %v", every, at, daily, ok)
	}
	cfg := valid(t)
	cfg.Campaigns = []Campaign{good}
	cfg.campaignDefaults()
	if cfg.Campaigns[0].RemindEveryDays != DefaultRemindEveryDays {
		t.Errorf("remind_every_days default = %d", cfg.Campaigns[0].RemindEveryDays)
	}
}
