package slack

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	slackgo "github.com/slack-go/slack"

	"github.com/resetbot/resetbot/bot/platform"
	"github.com/resetbot/resetbot/bot/slack/slackfake"
)

// parseCommandBody is the HTTP slash-command path after verification.
func parseCommandBody(body string) (slackgo.SlashCommand, error) {
	r, _ := http.NewRequest(http.MethodPost, "http://slack.invalid/slack/commands", nil)
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r2, err := formBody(r, []byte(body))
	if err != nil {
		return slackgo.SlashCommand{}, err
	}
	return slackgo.SlashCommandParse(r2)
}

func FuzzSlashCommand(f *testing.F) {
	f.Add(slackfake.CommandForm("U0ALICE", "for <@U0BOB|bob>", "https://hooks.slack.com/commands/T/1/x").Encode())
	f.Add("user_id=U0A&trigger_id=1&response_url=http%3A%2F%2Fh%2F&text=%3C%40U0B%3E")
	f.Add("user_id=%zz")
	f.Add("")
	f.Fuzz(func(t *testing.T, body string) {
		cmd, err := parseCommandBody(body)
		if err != nil {
			return
		}
		req, err := commandRequest(cmd, http.DefaultClient)
		if err != nil {
			if platform.ProblemOf(err) != errBadCommand {
				t.Fatalf("refusal %v is not the catalogued one", err)
			}
			return
		}
		if !userID.MatchString(req.From.ID.UserID) || req.From.ID.Platform != Platform {
			t.Fatalf("From %+v is not a Slack user", req.From)
		}
		if _, err := url.Parse(cmd.ResponseURL); err != nil || req.Respond == nil {
			t.Fatalf("accepted a bad response_url")
		}
		checkNeutralText(t, req.Text, req.Mentions)
	})
}

func FuzzInteractionPayload(f *testing.F) {
	valid := `{"type":"block_actions","user":{"id":"U0BOB"},"trigger_id":"1.2.x","response_url":"https://hooks.slack.com/actions/T/1/x",` +
		`"actions":[{"action_id":"resetbot.approve","block_id":"resetbot.actions","value":"flow-1","action_ts":"1.2"},` +
		`{"action_id":"resetbot.link","block_id":"resetbot.actions","action_ts":"1.3"}]}`
	f.Add(valid)
	f.Add(`{"type":"block_actions","actions":[{"value":"x"}]}`)
	f.Add(`{"type":"view_submission"}`)
	f.Add(`{"type":"block_actions","state":1}`)
	f.Add(`[`)
	f.Fuzz(func(t *testing.T, payload string) {
		cb, err := parseInteraction(payload)
		if err != nil {
			if platform.ProblemOf(err) != errBadInteraction {
				t.Fatalf("refusal %v is not the catalogued one", err)
			}
			return
		}
		actions, err := interactionActions(cb, http.DefaultClient)
		if err != nil {
			if platform.ProblemOf(err) != errBadInteraction {
				t.Fatalf("refusal %v is not the catalogued one", err)
			}
			return
		}
		for _, a := range actions {
			switch {
			case a.action.ActionID == "" || a.action.ActionID == ActionLink:
				t.Fatalf("action id %q passed through", a.action.ActionID)
			case !userID.MatchString(a.action.From.ID.UserID):
				t.Fatalf("From %+v is not a Slack user", a.action.From)
			case !strings.HasPrefix(a.key, "slack:action:"+a.action.From.ID.UserID+":"):
				t.Fatalf("dedup key %q does not name the user", a.key)
			case a.action.Respond == nil:
				t.Fatal("no responder")
			}
		}
	})
}
