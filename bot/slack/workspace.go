package slack

import (
	"fmt"
	"strings"
)

// A valid signature says a request comes from Slack for an app that knows
// the signing secret; it does not say from which workspace. An app
// installed in a second workspace (or distributed, or installed across an
// Enterprise Grid organisation) signs that workspace's requests with the
// same secret, and there another administrator chooses who exists and what
// their profile email is. So every command and click must also name the
// configured workspace (team_id, or enterprise_id for an org-wide install)
// and, when configured, this app (api_app_id). Anything else is refused
// before the core hears of it, with no reply; the refusal is logged.

// origin is where a command or click says it comes from.
type origin struct {
	team, enterprise, app string
}

// checkOrigin refuses a request of another workspace or app.
func (c Config) checkOrigin(o origin) error {
	got := o.team
	if strings.HasPrefix(c.TeamID, "E") {
		got = o.enterprise
	}
	switch {
	case got != c.TeamID:
		return fmt.Errorf("%w: team_id %q, enterprise_id %q", errNotServed, o.team, o.enterprise)
	case c.AppID != "" && o.app != c.AppID:
		return fmt.Errorf("%w: api_app_id %q", errNotServed, o.app)
	}
	return nil
}
