package slackfake

import (
	"fmt"
	"net/url"
	"sync/atomic"
	"time"
)

var triggerSeq atomic.Int64

// trigger returns a fresh trigger id shaped like Slack's.
func trigger() string {
	n := triggerSeq.Add(1)
	return fmt.Sprintf("%d.%d.%032x", 1700000000+n, 4000000000+n, n)
}

// CommandForm is the form Slack posts for "/reset text" typed by user,
// with every field Slack sends, a fresh trigger id and responseURL. Text
// is taken as Slack would send it: mentions as <@U123|name>, &, < and >
// escaped.
func CommandForm(user, text, responseURL string) url.Values {
	return url.Values{
		"token":                 {"verification-token-unused"},
		"team_id":               {TeamID},
		"team_domain":           {"fake"},
		"channel_id":            {"C0FAKECHAN"},
		"channel_name":          {"general"},
		"user_id":               {user},
		"user_name":             {"user-" + user},
		"command":               {"/reset"},
		"text":                  {text},
		"api_app_id":            {AppID},
		"is_enterprise_install": {"false"},
		"response_url":          {responseURL},
		"trigger_id":            {trigger()},
	}
}

// BlockActions is the block_actions payload Slack posts when user clicks
// the button actionID (with value) on a message in channel. Marshal it, or
// pass it to SignedInteraction.
func BlockActions(user, channel, actionID, value, responseURL string) map[string]any {
	n := triggerSeq.Add(1)
	actionTS := fmt.Sprintf("%d.%06d", time.Now().Unix(), n%1000000)
	return map[string]any{
		"type":                  "block_actions",
		"user":                  map[string]any{"id": user, "username": "user-" + user, "name": "user-" + user, "team_id": TeamID},
		"api_app_id":            AppID,
		"token":                 "verification-token-unused",
		"container":             map[string]any{"type": "message", "channel_id": channel, "is_ephemeral": false},
		"trigger_id":            trigger(),
		"team":                  map[string]any{"id": TeamID, "domain": "fake"},
		"enterprise":            nil,
		"is_enterprise_install": false,
		"channel":               map[string]any{"id": channel, "name": "helpdesk"},
		"response_url":          responseURL,
		"state":                 map[string]any{"values": map[string]any{}},
		"actions": []map[string]any{{
			"action_id": actionID,
			"block_id":  "resetbot.actions",
			"text":      map[string]any{"type": "plain_text", "text": actionID, "emoji": true},
			"value":     value,
			"type":      "button",
			"action_ts": actionTS,
		}},
	}
}
